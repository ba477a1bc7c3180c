from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from procedures.excel import PROCEDURE_SHEET
from procedures.models import ProcedureVersion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.django_db
def test_only_administrators_reach_the_excel_page(client, catalog, clerk, administrator):
    assert client.get(reverse("procedures:excel")).status_code == 302  # to login
    client.force_login(clerk)
    assert client.get(reverse("procedures:excel")).status_code == 403
    client.force_login(administrator)
    response = client.get(reverse("procedures:excel"), {"download": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert load_workbook(BytesIO(response.content))[PROCEDURE_SHEET].max_row == 81


@pytest.mark.django_db
def test_upload_with_errors_lists_them_in_vietnamese_and_changes_nothing(client, catalog, administrator):
    client.force_login(administrator)
    workbook = load_workbook(BytesIO(client.get(reverse("procedures:excel"), {"download": 1}).content))
    workbook[PROCEDURE_SHEET]["F3"] = "abc"
    buffer = BytesIO()
    workbook.save(buffer)
    versions = ProcedureVersion.objects.count()
    response = client.post(
        reverse("procedures:excel"),
        {"file": SimpleUploadedFile("dm.xlsx", buffer.getvalue(), content_type=XLSX)},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    html = response.content.decode()
    assert "Trang “Thủ tục”, dòng 3" in html
    assert "không phải là số" in html
    assert ProcedureVersion.objects.count() == versions


@pytest.mark.django_db
def test_upload_of_a_non_excel_file_is_refused(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("procedures:excel"), {"file": SimpleUploadedFile("dm.csv", b"a;b", content_type="text/csv")}
    )
    assert "đuôi .xlsx" in response.content.decode()
    response = client.post(
        reverse("procedures:excel"), {"file": SimpleUploadedFile("dm.xlsx", b"garbage", content_type=XLSX)}
    )
    assert "không phải bảng tính Excel" in response.content.decode()
