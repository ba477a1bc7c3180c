"""The QR's public page, the upload check, and the staff download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.results.conftest import read


def _upload(client, url, data: bytes, name="ket-qua.pdf"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


@pytest.mark.django_db
def test_the_qr_page_says_genuine_and_shows_only_what_the_result_states(client, signed, dossier):
    response = client.get(f"/kiem-tra-ket-qua/{signed.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["report"].ok
    for shown in (signed.agency_name, signed.number, "Nguyễn Thị Lan", signed.sha256):
        assert shown in html
    for hidden in (dossier.applicant_id_number, dossier.applicant_phone, dossier.lookup_key):
        assert hidden not in html
    assert 'data-valid="true"' in html


@pytest.mark.django_db
def test_an_unknown_token_is_a_plain_404(client, db):
    response = client.get("/kiem-tra-ket-qua/nothing-here/")
    assert response.status_code == 404
    assert 'data-testid="verify-not-found"' in response.content.decode()


@pytest.mark.django_db
def test_the_upload_check_agrees_with_the_stored_fingerprint(client, signed):
    url = f"/kiem-tra-ket-qua/{signed.token}/"
    data = read(signed)
    # The genuine file
    verdict = _upload(client, url, data).context["verdict"]
    assert verdict["genuine"] and verdict["report"].sha256 == signed.sha256 and verdict["report"].ok
    # One byte changed: not genuine, the fingerprint differs and the signature fails
    i = len(data) // 2
    altered = data[:i] + bytes([data[i] ^ 0x20]) + data[i + 1 :]
    response = _upload(client, url, altered)
    verdict = response.context["verdict"]
    assert not verdict["genuine"] and verdict["report"].sha256 != signed.sha256
    assert "KHÔNG phải văn bản gốc" in verdict["summary"]
    assert 'data-genuine="false"' in response.content.decode()


@pytest.mark.django_db
def test_the_general_upload_finds_a_known_result_and_says_unknown_otherwise(client, signed, test_ca):
    verdict = _upload(client, "/kiem-tra-ket-qua/", read(signed)).context["verdict"]
    assert verdict["genuine"] and verdict["known"] == signed
    # A well-signed PDF this system never issued
    from tests.results.test_signing import _sign_with

    foreign = _sign_with(test_ca, "leader", read(signed.draft))
    verdict = _upload(client, "/kiem-tra-ket-qua/", foreign).context["verdict"]
    assert not verdict["genuine"] and verdict["known"] is None
    assert "Không xác định được văn bản" in verdict["summary"]
    # Not a PDF at all
    response = _upload(client, "/kiem-tra-ket-qua/", b"MZ\x90\x00 not a pdf", name="x.pdf")
    assert response.status_code == 400 and response.context["verdict"] is None


@pytest.mark.django_db
def test_the_public_page_is_rate_limited_like_the_status_lookup(client, signed, settings):
    settings.PUBLIC_LOOKUP_RATE = "3/min"
    codes = [client.get(f"/kiem-tra-ket-qua/{signed.token}/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


@pytest.mark.django_db
def test_staff_download_with_session_or_token(client, signed, dossier, leader, other_commune):
    from dossiers.models import PersonalDataAccess
    from tests.factories import UserFactory

    url = f"/ket-qua/{signed.pk}/tai-ve/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(leader)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == read(signed)
    assert PersonalDataAccess.objects.filter(user=leader, subject=dossier.code, what=f"result-{signed.pk}").exists()
    client.logout()
    client.force_login(UserFactory(username="leader-elsewhere", role="leader", agency=other_commune))
    assert client.get(url).status_code == 404
    client.logout()
    # With an API token
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=leader)
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION="Token wrong").status_code == 401
