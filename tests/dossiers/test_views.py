"""The clerk's and officer's pages, through the test client."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.models import Dossier, Guidance, PersonalDataAccess
from procedures.models import Procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def intake_post(procedure, **extra):
    data = {
        "procedure": procedure.code,
        "id_number": "001099012345",
        "full_name": "Trần Thị Bình",
        "phone": "0987 654 321",
        "address": "Thôn Đông, xã Vĩnh Bảo",
        "channel": "direct",
        "return_method": "desk",
        "decision": "receive",
    }
    for doc in procedure.version_on().documents.all():
        if doc.mandatory:
            data[f"doc_{doc.pk}"] = "1"
            data[f"doc_{doc.pk}_orig"] = str(doc.original_count)
            data[f"doc_{doc.pk}_copy"] = str(doc.copy_count)
    data.update(extra)
    return data


@pytest.mark.django_db
def test_clerk_receives_a_dossier_on_the_intake_screen(client, catalog, clerk):
    client.force_login(clerk)
    procedure = Procedure.objects.get(code="1.001193")
    with time_machine.travel(datetime(2026, 3, 9, 9, 30, tzinfo=VN), tick=False):
        page = client.get(reverse("dossiers:intake"), {"procedure": procedure.code})
        assert "Giấy chứng sinh" in page.content.decode()
        assert "17:00 09/03/2026" in page.content.decode()  # due if received now
        scan = SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf")
        response = client.post(reverse("dossiers:intake"), {**intake_post(procedure), "scans": [scan]})
        detail = client.get(response["Location"]).content.decode()
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.code]) + "?new=1"
    assert dossier.applicant_phone == "0987654321"
    assert dossier.documents.count() == procedure.version_on().documents.filter(mandatory=True).count()
    assert dossier.attachments.get().size == len(PDF)
    assert dossier.code in detail and "17:00 09/03/2026" in detail


@pytest.mark.django_db
def test_bad_input_shows_vietnamese_errors_and_saves_nothing(client, catalog, clerk):
    client.force_login(clerk)
    procedure = Procedure.objects.get(code="1.001193")
    fake = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("dossiers:intake"),
        intake_post(procedure, id_number="12ab", phone="999", scans=[fake]),
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Số định danh phải gồm 12 chữ số" in html
    assert "Số điện thoại phải có 10 hoặc 11 chữ số" in html
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_returning_citizen_is_found_by_id_number_and_the_lookup_logged(client, catalog, clerk, receive):
    receive("1.001193", id_number="001099012345")
    client.force_login(clerk)
    found = client.get(reverse("dossiers:applicant_lookup"), {"id_number": "001099012345"})
    assert "Nguyễn Văn An" in found.content.decode()
    assert PersonalDataAccess.objects.filter(user=clerk, what="applicant-lookup").exists()
    assert client.get(reverse("dossiers:applicant_lookup"), {"id_number": "009999999999"}).status_code == 204


@pytest.mark.django_db
def test_incomplete_at_intake_records_guidance_without_a_dossier(client, catalog, clerk):
    client.force_login(clerk)
    procedure = Procedure.objects.get(code="1.001193")
    response = client.post(
        reverse("dossiers:intake"), intake_post(procedure, decision="incomplete", missing="Giấy chứng sinh bản chính")
    )
    guidance = Guidance.objects.get()
    assert response["Location"] == reverse("dossiers:print_guidance", args=[guidance.number])
    assert guidance.kind == "incomplete" and guidance.missing == "Giấy chứng sinh bản chính"
    assert not Dossier.objects.exists()
    missing_reason = client.post(reverse("dossiers:intake"), intake_post(procedure, decision="refuse", reason=""))
    assert missing_reason.status_code == 200
    assert Guidance.objects.count() == 1


@pytest.mark.django_db
def test_officer_and_clerk_worklists_and_actions(client, catalog, clerk, officer, leader, receive):
    dossier = receive("1.000656")
    client.force_login(clerk)
    page = client.get(reverse("dossiers:worklist"))
    assert dossier.code in page.content.decode()
    client.force_login(officer)
    queue = client.get(reverse("dossiers:worklist"), {"tab": "queue"})
    assert dossier.code in queue.content.decode()
    response = client.post(
        reverse("dossiers:act", args=[dossier.code, "assign"]), {"officer": officer.pk, "version": dossier.version}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.assignee == officer and dossier.status == "in_progress"
    # A stale form (old version) gets a clear conflict message and changes nothing.
    stale = client.post(
        reverse("dossiers:act", args=[dossier.code, "approve"]), {"version": dossier.version - 1}, follow=True
    )
    assert "vừa được người khác cập nhật" in stale.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == "in_progress"
    refused = client.post(reverse("dossiers:act", args=[dossier.code, "approve"]), follow=True).content.decode()
    assert "lãnh đạo" in refused  # an officer submits, a leader approves
    client.post(reverse("dossiers:act", args=[dossier.code, "submit"]), {"version": dossier.version})
    client.force_login(leader)
    approval = client.get(reverse("dossiers:worklist"), {"tab": "approval"}).content.decode()
    assert dossier.code in approval
    dossier.refresh_from_db()
    client.post(reverse("dossiers:act", args=[dossier.code, "approve"]), {"version": dossier.version})
    client.force_login(clerk)
    to_return = client.get(reverse("dossiers:worklist"), {"tab": "to_return"}).content.decode()
    assert dossier.code in to_return
    client.post(reverse("dossiers:act", args=[dossier.code, "return"]), {"received_by": "Nguyễn Văn An"})
    dossier.refresh_from_db()
    assert dossier.status == "returned"


@pytest.mark.django_db
def test_refused_transition_is_a_message_not_an_error(client, catalog, clerk, receive):
    dossier = receive("1.000656")
    client.force_login(clerk)
    response = client.post(reverse("dossiers:act", args=[dossier.code, "return"]), follow=True)
    assert response.status_code == 200
    assert "Không thể" in response.content.decode()


@pytest.mark.django_db
def test_another_commune_cannot_see_the_dossier_or_its_scans(client, catalog, receive, other_commune):
    from tests.factories import UserFactory

    dossier = receive("1.000656")
    stranger = UserFactory(username="nbk", role="clerk", agency=other_commune)
    client.force_login(stranger)
    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404
    assert client.get(reverse("dossiers:print", args=[dossier.code, "01"])).status_code == 404
    assert dossier.code not in client.get(reverse("dossiers:worklist"), {"tab": "all"}).content.decode()
    assert client.post(reverse("dossiers:act", args=[dossier.code, "withdraw"]), {"reason": "x"}).status_code == 404


@pytest.mark.django_db
def test_register_export_from_the_page_is_logged_and_officers_cannot(client, catalog, clerk, officer, receive):
    from io import BytesIO

    from openpyxl import load_workbook

    dossier = receive("1.000656")
    client.force_login(officer)
    assert client.get(reverse("dossiers:register")).status_code == 403
    client.force_login(clerk)
    assert client.get(reverse("dossiers:register")).status_code == 200
    today = dossier.received_at.astimezone(VN).date().isoformat()
    response = client.get(reverse("dossiers:register"), {"date_from": today, "date_to": today})
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row]
    assert dossier.code in cells
    assert PersonalDataAccess.objects.filter(user=clerk, what="register-export").exists()
    bad = client.get(reverse("dossiers:register"), {"date_from": today, "date_to": "2000-01-01"})
    assert "Ngày bắt đầu sau ngày kết thúc" in bad.content.decode()
