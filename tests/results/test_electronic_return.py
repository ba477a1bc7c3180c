"""Returned electronically (issue 14, item 6): the "result ready" message of a signed result carries
the link of the download page; the citizen types the lookup key and gets the signed PDF in force;
an unknown code and a wrong key give the same 404; each download is one access record; the status
page offers the signed PDF and its QR check. Public pages share the lookup rate limit."""

import re

import pytest
from django.core.cache import cache

from dossiers.codes import format_lookup_key
from dossiers.models import PersonalDataAccess
from dossiers.services import ApplicantData, dossier_approve, dossier_assign, dossier_submit
from notifications.models import Message
from results.services import result_correct

from .conftest import read

APPLICANT = ApplicantData(
    full_name="Lê Thị Thu Hà", id_number="001188009876", phone="0912000999", email="thuha@example.vn"
)


@pytest.fixture
def submitted(receive, officer):
    dossier = receive("1.000656", applicant=APPLICANT)
    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    return dossier_submit(dossier=dossier, by=officer)


@pytest.fixture
def approved(submitted, signing_leader):
    return dossier_approve(dossier=submitted, by=signing_leader)


def download_url(dossier) -> str:
    return f"/tra-cuu/{dossier.code}/ket-qua/"


def status_url(dossier) -> str:
    return f"/tra-cuu/{dossier.code}/?key={dossier.lookup_key}"


def signed_doc(dossier):
    return dossier.results.filter(state="signed").order_by("-version").first()


def _downloads(dossier):
    return PersonalDataAccess.objects.filter(dossier=dossier, what="result-download")


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# ----- the message ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_result_ready_message_of_a_signed_result_links_to_the_download_page(approved):
    bodies = list(Message.objects.filter(dossier=approved, reason="approve").values_list("channel", "body"))
    assert {channel for channel, _body in bodies} == {"email", "sms"}
    for _channel, body in bodies:
        link = re.escape(f"http://testserver{download_url(approved)}")
        assert re.search(rf"{link}(\s|$)", body)  # the link itself holds no key: the page asks for it


@pytest.mark.django_db
def test_a_paper_result_gets_no_download_link(submitted, leader):
    dossier_approve(dossier=submitted, by=leader)  # no signing certificate: the result is on paper
    bodies = list(Message.objects.filter(dossier=submitted, reason="approve").values_list("body", flat=True))
    assert len(bodies) == 2 and not any("/ket-qua/" in body for body in bodies)


@pytest.mark.django_db
def test_the_link_in_the_sms_then_the_key_gives_the_signed_pdf(client, approved):
    sms = Message.objects.get(dossier=approved, reason="approve", channel="sms").body
    path = re.search(r"http://testserver(/tra-cuu/\S+/ket-qua/)", sms).group(1)

    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="download-form"' in html and 'name="key"' in html
    assert APPLICANT.full_name not in html and APPLICANT.id_number not in html
    assert not _downloads(approved).exists()  # the form showed nobody

    answer = client.post(path, {"key": format_lookup_key(approved.lookup_key).lower()})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="ket-qua-{approved.code}-v1.pdf"'
    assert "no-store" in answer["Cache-Control"]
    data = b"".join(answer.streaming_content)
    assert data == read(signed_doc(approved))


# ----- the download page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_code_wrong_key_and_no_key_give_the_same_404(client, approved):
    wrong = client.post(download_url(approved), {"key": "ABCD-EFGH-JKLM-NPQR"})
    unknown = client.post("/tra-cuu/H99.01.01-260101-9999/ket-qua/", {"key": approved.lookup_key})
    empty = client.post(download_url(approved), {"key": ""})
    assert wrong.status_code == unknown.status_code == empty.status_code == 404
    assert wrong["Content-Type"].startswith("text/html")
    same = [
        _without_csrf(r.content.decode()).replace(code, "CODE")
        for r, code in ((wrong, approved.code), (unknown, "H99.01.01-260101-9999"), (empty, approved.code))
    ]
    assert same[0] == same[1] == same[2]
    assert 'data-testid="download-refused"' in same[0]
    assert not _downloads(approved).exists()


@pytest.mark.django_db
def test_each_download_is_recorded_as_the_citizens_own_read(client, approved):
    for _ in range(2):
        assert client.post(download_url(approved), {"key": approved.lookup_key}).status_code == 200
    rows = list(_downloads(approved))
    assert len(rows) == 2
    doc = signed_doc(approved)
    for row in rows:
        assert row.user_id is None
        assert row.channel == "citizen"
        assert row.citizen_id_number == APPLICANT.id_number
        assert row.subject == f"{doc.number} v1"


@pytest.mark.django_db
def test_before_the_signature_the_key_holder_is_told_there_is_no_electronic_result(client, submitted):
    answer = client.post(download_url(submitted), {"key": submitted.lookup_key})
    assert answer.status_code == 404
    assert 'data-testid="download-not-yet"' in answer.content.decode()
    assert not _downloads(submitted).exists()


@pytest.mark.django_db
def test_a_correction_replaces_the_downloaded_result(client, approved, signing_leader):
    first = signed_doc(approved)
    corrected = result_correct(dossier=approved, by=signing_leader, reason="Sai ngày sinh")
    answer = client.post(download_url(approved), {"key": approved.lookup_key})
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith(f'ket-qua-{approved.code}-v{corrected.version}.pdf"')
    data = b"".join(answer.streaming_content)
    assert data == read(corrected) and data != read(first)


# ----- the status page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_status_page_offers_the_signed_pdf_and_its_check(client, approved):
    html = client.get(status_url(approved)).content.decode()
    doc = signed_doc(approved)
    assert 'data-testid="electronic-result"' in html
    assert f'action="{download_url(approved)}"' in html
    assert f'href="/kiem-tra-ket-qua/{doc.token}/"' in html
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)

    answer = client.post(download_url(approved), {"key": key})
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == read(doc)


@pytest.mark.django_db
def test_the_status_page_offers_nothing_for_a_paper_result(client, submitted, leader):
    dossier = dossier_approve(dossier=submitted, by=leader)
    html = client.get(status_url(dossier)).content.decode()
    assert 'data-testid="public-status"' in html
    assert 'data-testid="electronic-result"' not in html and "/ket-qua/" not in html


# ----- one rate limit for the public pages ---------------------------------------------------------


@pytest.mark.django_db
def test_download_status_page_and_qr_check_share_the_lookup_budget(client, approved, settings):
    settings.PUBLIC_LOOKUP_RATE = "4/min"
    cache.clear()
    token = signed_doc(approved).token
    assert client.get(status_url(approved)).status_code == 200
    assert client.get(download_url(approved)).status_code == 200
    assert client.post(download_url(approved), {"key": approved.lookup_key}).status_code == 200
    assert client.get(f"/kiem-tra-ket-qua/{token}/").status_code == 200
    limited = client.post(download_url(approved), {"key": approved.lookup_key})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert client.get(f"/kiem-tra-ket-qua/{token}/").status_code == 429
    assert client.get(status_url(approved)).status_code == 429
    assert _downloads(approved).count() == 1


@pytest.mark.django_db
def test_the_upload_check_counts_against_the_lookup_budget(client, signed, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PUBLIC_LOOKUP_RATE = "2/min"
    cache.clear()
    codes = [
        client.post("/kiem-tra-ket-qua/", {"file": SimpleUploadedFile("x.pdf", read(signed))}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_the_hand_written_lookup_counter_is_gone():
    import dossiers.public

    for name in ("lookup_allowed", "lookup_rate", "client_ip", "PERIODS", "DEFAULT_LOOKUP_RATE"):
        assert not hasattr(dossiers.public, name)
