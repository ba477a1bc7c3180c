"""Item 3: a copy of the data held on a citizen and of the reads of it, at the desk and with the
receipt's key, printable and as a file; requests to correct with a deadline, handled with a note
and a history; the demo citizen's report lists every access made during the test."""

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.citizens import citizen_report
from dossiers.models import ApplicantChange, ApplicantContact, CorrectionEvent, CorrectionRequest, PersonalDataAccess
from tests.privacy.conftest import ID_NUMBER, NAME, PHONE, last_pk, new_rows

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def desk_url(**extra):
    query = "&".join(f"{k}={v}" for k, v in {"id_number": ID_NUMBER, "confirmed": "on", **extra}.items())
    return reverse("dossiers:citizen_data") + "?" + query


@pytest.mark.django_db
def test_the_desk_gives_the_copy_as_a_page_and_as_files_each_recorded(client, world):
    clerk = world["users"]["clerk"]
    client.force_login(clerk)
    client.get(reverse("dossiers:detail", args=[world["open"].code]))  # a read to be listed
    before = last_pk()
    page = client.get(desk_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert NAME in text and PHONE in text and world["open"].code in text and world["returned"].code in text
    assert "Nguyễn Thị Lan" in text or clerk.username in text  # who read it
    as_json = client.get(desk_url(**{"dinh-dang": "json"}))
    data = json.loads(as_json.content)
    assert as_json["Content-Disposition"].startswith("attachment") and data["id_number"] == ID_NUMBER
    assert {d["code"] for d in data["dossiers"]} == {world["open"].code, world["returned"].code}
    assert data["accesses"][0]["what"] == "view"
    as_xlsx = client.get(desk_url(**{"dinh-dang": "xlsx"}))
    book = load_workbook(io.BytesIO(as_xlsx.content))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert ID_NUMBER in cells and NAME in cells
    rows = new_rows(before)
    assert [(r.what, r.channel, r.citizen_id_number) for r in rows] == [
        ("citizen-report", "page", ID_NUMBER),
        ("citizen-report-json", "export", ID_NUMBER),
        ("citizen-report-xlsx", "export", ID_NUMBER),
    ]


@pytest.mark.django_db
def test_the_desk_report_needs_the_citizen_present_and_an_intake_role(client, world):
    client.force_login(world["users"]["clerk"])
    response = client.get(reverse("dossiers:citizen_data") + f"?id_number={ID_NUMBER}")
    assert response.status_code == 200 and NAME not in response.content.decode()
    client.force_login(world["users"]["officer"])
    assert client.get(desk_url()).status_code == 403
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_citizen_is_a_recorded_miss(client, world):
    client.force_login(world["users"]["clerk"])
    client.get(reverse("dossiers:citizen_data") + "?id_number=001099999999&confirmed=on")
    row = PersonalDataAccess.objects.get()
    assert (row.citizen_id_number, row.found) == ("001099999999", False)


@pytest.mark.django_db
def test_the_citizen_reads_their_dossier_with_the_key_and_asks_for_a_correction(client, world):
    dossier = world["returned"]
    url = reverse("dossiers:citizen_data_public", args=[dossier.code])
    assert client.get(url + "?key=WRONGKEY0000AA").status_code == 404
    assert client.get(url).status_code == 404
    page = client.get(url + f"?key={dossier.lookup_key}")
    assert page.status_code == 200 and NAME in page.content.decode() and dossier.code in page.content.decode()
    assert world["open"].code not in page.content.decode()  # only the dossier of this receipt
    row = PersonalDataAccess.objects.get()
    assert (row.user, row.channel, row.dossier_id) == (None, "citizen", dossier.pk)
    data = json.loads(client.get(url + f"?key={dossier.lookup_key}&dinh-dang=json").content)
    assert [d["code"] for d in data["dossiers"]] == [dossier.code]
    with time_machine.travel(datetime(2026, 3, 13, 16, 0, tzinfo=VN), tick=False):  # a Friday
        sent = client.post(url + f"?key={dossier.lookup_key}", {"details": "Số điện thoại đúng là 0900000000"})
        assert sent.status_code == 200 and b"correction-sent" in sent.content
        client.post(url + f"?key={dossier.lookup_key}", {"details": "Số điện thoại đúng là 0900000000"})  # twice
    correction = CorrectionRequest.objects.get()
    assert (correction.citizen_id_number, correction.dossier, correction.channel) == (ID_NUMBER, dossier, "citizen")
    # 5 working days (DATA_CORRECTION_WORKING_DAYS) from Friday 16:00: Friday 16:00 the week after
    assert correction.due_at == datetime(2026, 3, 20, 16, 0, tzinfo=VN)


@pytest.mark.django_db
def test_staff_handle_a_correction_with_a_note_and_the_history_is_kept(client, world, commune):
    clerk = world["users"]["clerk"]
    client.force_login(clerk)
    client.post(reverse("dossiers:correction_new"), {"id_number": ID_NUMBER, "details": "Sai số điện thoại"})
    correction = CorrectionRequest.objects.get()
    assert correction.agency == clerk.agency and correction.requested_by == clerk
    listing = client.get(reverse("dossiers:corrections"))
    assert correction.number in listing.content.decode()
    client.post(reverse("dossiers:correction_handle", args=[correction.pk]), {"status": "done", "note": ""})
    correction.refresh_from_db()
    assert correction.status == "open"  # a note is required
    client.post(
        reverse("dossiers:correction_handle", args=[correction.pk]),
        {"status": "done", "note": "Đã sửa theo CCCD", "phone": "0900000000"},
    )
    correction.refresh_from_db()
    assert (correction.status, correction.handled_by, correction.handling_note) == ("done", clerk, "Đã sửa theo CCCD")
    assert [e.status for e in CorrectionEvent.objects.filter(request=correction).order_by("pk")] == ["open", "done"]
    contact = ApplicantContact.objects.get(applicant__id_number=ID_NUMBER, agency=commune)
    assert contact.phone == "0900000000" and contact.full_name == NAME
    change = ApplicantChange.objects.order_by("-pk").first()
    assert (change.source, change.changed_by, change.changes) == ("correction", clerk, {"phone": [PHONE, "0900000000"]})
    # Handled once: a second answer is refused and changes nothing
    client.post(reverse("dossiers:correction_handle", args=[correction.pk]), {"status": "refused", "note": "x"})
    assert CorrectionEvent.objects.filter(request=correction).count() == 2
    # Another commune's clerk cannot handle it
    client.force_login(world["users"]["stranger"])
    assert (
        client.post(
            reverse("dossiers:correction_handle", args=[correction.pk]), {"status": "done", "note": "x"}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_demo_citizens_report_lists_every_access_made_during_the_test(client, world):
    """Every channel reads the demo citizen once; the report then lists each read, by whom."""
    clerk, officer, leader, admin = (world["users"][k] for k in ("clerk", "officer", "leader", "admin"))
    returned, open_dossier = world["returned"], world["open"]
    token = Token.objects.create(user=officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.force_login(clerk)
    client.get(reverse("dossiers:detail", args=[open_dossier.code]))
    client.get(reverse("dossiers:print", args=[returned.code, "01"]))
    client.get(reverse("dossiers:attachment", args=[open_dossier.code, world["attachment"].pk]))
    client.get(reverse("dossiers:applicant_lookup") + f"?id_number={ID_NUMBER}")
    client.get(reverse("dossiers:worklist") + f"?q={ID_NUMBER}&tab=all")
    client.get(reverse("surveys:feedback_detail", args=[world["feedback"].pk]))
    client.get(reverse("dossiers:register") + "?date_from=2025-01-01&date_to=2030-12-31")
    api.get(f"/api/v1/dossiers/{open_dossier.code}/")
    api.get(f"/api/v1/dossiers/?q={ID_NUMBER}")
    client.force_login(leader)
    client.get(reverse("dossiers:worklist") + "?tab=all")
    client.force_login(admin)
    client.get(reverse("admin:dossiers_dossier_change", args=[open_dossier.pk]))
    client.get(f"/tra-cuu/{returned.code}/?key={returned.lookup_key}")  # the citizen's own status page
    client.logout()
    client.get(reverse("dossiers:citizen_data_public", args=[returned.code]) + f"?key={returned.lookup_key}")
    made = list(PersonalDataAccess.objects.order_by("pk"))
    report = citizen_report(id_number=ID_NUMBER)
    listed = [(a["what"], a["by_name"]) for a in report["accesses"]]
    expected = [(row.what, (row.user.get_full_name() or row.user.username) if row.user else "") for row in made]
    assert len(made) >= 12
    assert [w for w, _by in listed] == [w for w, _by in expected], listed
    whats = {w for w, _by in listed}
    for what in (
        "view",
        "print-01",
        "attachment",
        "applicant-lookup",
        "worklist",
        "feedback",
        "api-detail",
        "api-list",
        "admin:dossier:change",
        "citizen-report-public",
        "register-export",
    ):
        assert what in whats, what


@pytest.mark.django_db
def test_the_status_page_links_to_the_citizens_own_data(client, receive):
    import re

    dossier = receive("1.000656", id_number="001099012399")
    page = client.get(f"/tra-cuu/{dossier.code}/?key={dossier.lookup_key}").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="my-personal-data"', page).group(1).replace("&amp;", "&")
    answer = client.get(link)
    assert answer.status_code == 200 and "001099012399" in answer.content.decode()
