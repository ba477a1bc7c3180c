"""The public catalogue, its API and QR codes."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from common.qr import qr_svg
from procedures.models import AgencyProcedure, Procedure
from procedures.selectors import procedure_list
from procedures.services import agency_procedure_configure

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def codes(queryset):
    return {p.code for p in queryset}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["khai sinh", "Khai sinh", "KHAI SINH", "khái sính", "đăng ký khai sinh", "dang ky khai sinh"]
)
def test_search_ignores_accents_and_case(catalog, query):
    found = codes(procedure_list(search=query))
    assert "1.001193" in found  # Đăng ký khai sinh
    assert "1.000656" not in found  # Đăng ký khai tử


@pytest.mark.django_db
def test_search_needs_every_word_and_finds_codes(catalog):
    assert codes(procedure_list(search="ket hon")) >= {"1.000894"}
    assert "1.001193" not in codes(procedure_list(search="ket hon"))
    assert codes(procedure_list(search="1.001193")) == {"1.001193"}
    assert codes(procedure_list(search="chung thuc ban sao")) >= {"2.000815"}
    assert not procedure_list(search="zzzz khong co").exists()


@pytest.mark.django_db
def test_public_catalog_page_searches_without_login(client, catalog):
    page = client.get(reverse("procedures:catalog"), {"q": "khai sinh"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Đăng ký khai tử" not in html
    partial = client.get(reverse("procedures:catalog"), {"q": "khai tu"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "Đăng ký khai tử" in partial.content.decode()


@pytest.mark.django_db
def test_filter_by_field(client, catalog):
    page = client.get(reverse("procedures:catalog"), {"field": "CT"})
    assert page.context["page"].paginator.count == 10
    assert all(p.field.code == "CT" for p in page.context["page"].object_list)


@pytest.mark.django_db
def test_procedure_page_shows_what_a_citizen_needs_and_the_due_date(client, catalog):
    with time_machine.travel(datetime(2026, 3, 13, 15, 30, tzinfo=VN), tick=False):
        page = client.get(reverse("procedures:detail", args=["1.001193"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Giấy chứng sinh" in html
    assert "Miễn lệ phí" in html
    # Same-day procedure lodged on Friday after 15:00 → Monday 16 March, 17:00.
    assert "17:00" in html and "16/03/2026" in html


@pytest.mark.django_db
def test_unconfirmed_values_are_shown_as_such(client, catalog):
    procedure = Procedure.objects.get(code="1.004772")  # portal unit "Khác": time not confirmed
    html = client.get(reverse("procedures:detail", args=[procedure.code])).content.decode()
    assert "Chưa xác nhận" in html or "chưa được xác nhận" in html


@pytest.mark.django_db
def test_suffixed_code_redirects_and_unknown_code_is_404(client, catalog):
    response = client.get(reverse("procedures:detail", args=["1.001193.000.00.00.H35"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("procedures:detail", args=["1.001193"])
    assert client.get(reverse("procedures:detail", args=["9.999999"])).status_code == 404


@pytest.mark.django_db
def test_qr_code_points_at_the_public_page(client, catalog):
    page = client.get(reverse("procedures:detail", args=["1.000894"]))
    url = "http://testserver/thu-tuc/1.000894/"
    assert f'data-url="{url}"' in page.content.decode()
    assert str(qr_svg(url)) in page.content.decode()
    image = client.get(reverse("procedures:qr", args=["1.000894"]))
    assert image["Content-Type"] == "image/svg+xml"
    assert image.content.decode() == str(qr_svg(url))


@pytest.mark.django_db
def test_posters_print_one_procedure_or_a_whole_field(client, catalog):
    one = client.get(reverse("procedures:poster", args=["2.000815"])).content.decode()
    assert one.count('class="page poster"') == 1
    assert "2.000 đồng/trang" in one
    assert "<svg" in one
    field = client.get(reverse("procedures:field_posters", args=["CT"])).content.decode()
    assert field.count('class="page poster"') == 10


# ----- per-agency shortened time ----------------------------------------------------------------


@pytest.mark.django_db
def test_agency_shortened_time_is_shown_and_used_for_the_due_date(client, catalog, commune, center):
    three_days = Procedure.objects.filter(
        versions__processing_unit="working_days", versions__processing_amount=3
    ).first()
    agency_procedure_configure(
        agency=commune, procedure=three_days, shortened_time={"amount": 2, "unit": "working_days"}
    )

    api = client.get(f"/api/v1/procedures/{three_days.code}/", {"agency": center.code}).json()
    assert api["processing_time"] == {"amount": 3, "unit": "working_days"}
    assert api["shortened_time"] == {"amount": 2, "unit": "working_days"}
    other = client.get(f"/api/v1/procedures/{three_days.code}/").json()
    assert other["shortened_time"] is None

    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=VN), tick=False):
        html = client.get(
            reverse("procedures:detail", args=[three_days.code]), {"agency": commune.code}
        ).content.decode()
        legal = client.get(reverse("procedures:detail", args=[three_days.code])).content.decode()
    assert "11/03/2026" in html
    assert "12/03/2026" in legal


@pytest.mark.django_db
def test_a_procedure_disabled_at_an_agency_is_not_listed_there(client, catalog, commune):
    procedure = Procedure.objects.get(code="1.001193")
    agency_procedure_configure(agency=commune, procedure=procedure, enabled=False)
    assert AgencyProcedure.objects.filter(agency=commune, enabled=False).count() == 1
    assert "1.001193" not in codes(procedure_list(agency=commune))
    assert "1.001193" in codes(procedure_list())


# ----- API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_list_has_the_contract_fields(client, catalog):
    body = client.get("/api/v1/procedures/", {"search": "khai sinh"}).json()
    assert {"count", "next", "previous", "results"} <= set(body)
    item = next(i for i in body["results"] if i["code"] == "1.001193")
    assert {"code", "name", "field", "level", "processing_time", "shortened_time", "fee", "documents"} <= set(item)
    assert item["name"] == "Đăng ký khai sinh"
    assert item["field"] == "Hộ tịch"
    assert item["level"] == "commune"
    assert item["processing_time"] == {"amount": 0, "unit": "same_day"}
    assert item["shortened_time"] is None
    assert item["fee"] == "Miễn lệ phí"
    assert {"name", "original_count", "copy_count"} <= set(item["documents"][0])
    assert re.match(r"^Tờ khai", item["documents"][0]["name"])


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["Hộ tịch", "ho tich", "HT"])
def test_api_filters_by_field_name_or_code(client, catalog, field):
    body = client.get("/api/v1/procedures/", {"field": field, "page_size": 100}).json()
    assert body["count"] == 16
    assert {item["field"] for item in body["results"]} == {"Hộ tịch"}


@pytest.mark.django_db
def test_api_unknown_field_gives_an_empty_list_and_unknown_code_404(client, catalog):
    assert client.get("/api/v1/procedures/", {"field": "Không có"}).json()["count"] == 0
    response = client.get("/api/v1/procedures/9.999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_api_detail_accepts_a_suffixed_code(client, catalog):
    body = client.get("/api/v1/procedures/1.000656.000.00.00.H35/").json()
    assert body["code"] == "1.000656"


@pytest.mark.django_db
def test_api_query_count_does_not_grow_with_the_page(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/api/v1/procedures/", {"page_size": 5})
    with django_assert_max_num_queries(8):
        client.get("/api/v1/procedures/", {"page_size": 80})
