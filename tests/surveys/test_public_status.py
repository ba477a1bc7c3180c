"""The status page behind the receipt's QR code and the public API: no personal data, the same 404
for a wrong key and an unknown code, a per-IP limit."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from dossiers.codes import format_lookup_key
from dossiers.public import mask_name, parse_scanned

from .conftest import APPLICANT

PERSONAL = [APPLICANT.full_name, APPLICANT.id_number, APPLICANT.phone, APPLICANT.email, APPLICANT.address]


def page_url(dossier, key=None):
    url = reverse("public_lookup", args=[dossier.code])
    return url if key == "" else f"{url}?key={dossier.lookup_key if key is None else key}"


def api_url(code, key=None, suffix=""):
    url = f"/api/v1/public/dossiers/{code}{suffix}"
    return url if key is None else f"{url}?key={key}"


def test_mask_name():
    assert mask_name("Nguyễn Văn An") == "N***** V** A*"
    assert mask_name("  trần   thị  b ") == "t*** t** b*"
    assert mask_name("") == ""


def test_parse_scanned_accepts_url_and_typed_pairs():
    assert parse_scanned("https://motcua.example.vn/tra-cuu/H99.01.01-260309-0001/?key=abcd-efgh") == (
        "H99.01.01-260309-0001",
        "ABCDEFGH",
    )
    assert parse_scanned("H99.01.01-260309-0001 abcd-efgh-jkmn") == ("H99.01.01-260309-0001", "ABCDEFGHJKMN")
    assert parse_scanned("") == ("", "")


@pytest.mark.django_db
def test_status_page_shows_status_and_masked_name_but_no_personal_data(client, returned):
    response = client.get(page_url(returned))
    assert response.status_code == 200
    html = response.content.decode()
    for value in PERSONAL:
        assert value not in html, value
    assert mask_name(APPLICANT.full_name) in html
    assert 'data-testid="public-status"' in html
    assert 'data-status="returned"' in html
    assert returned.receiving_agency.name in html  # where to collect the result
    assert 'data-testid="evaluation-form"' in html


@pytest.mark.django_db
def test_status_page_history_lists_each_status_once(client, returned):
    html = client.get(page_url(returned)).content.decode()
    history = re.search(r'data-testid="history">(.*?)</ol>', html, re.S).group(1)
    assert history.count("<li>") == 4  # received, in progress, result ready, returned


@pytest.mark.django_db
def test_key_in_any_case_with_or_without_dashes(client, open_dossier):
    typed = format_lookup_key(open_dossier.lookup_key).lower()
    assert client.get(page_url(open_dossier, typed)).status_code == 200
    response = client.get(reverse("surveys:lookup"), {"code": open_dossier.code.lower(), "key": typed})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_wrong_key_missing_key_and_unknown_code_look_the_same(client, open_dossier):
    wrong = client.get(page_url(open_dossier, "AAAABBBBCCCCDD"))
    missing = client.get(page_url(open_dossier, ""))
    unknown = client.get(reverse("public_lookup", args=["H99.01.01-260101-9999"]) + "?key=AAAABBBBCCCCDD")
    assert wrong.status_code == missing.status_code == unknown.status_code == 404
    assert wrong.content == missing.content == unknown.content


@pytest.mark.django_db
def test_status_page_rate_limited_per_ip(client, settings, open_dossier):
    settings.PUBLIC_LOOKUP_RATE = "3/min"
    cache.clear()
    for _ in range(3):
        assert client.get(page_url(open_dossier)).status_code == 200
    response = client.get(page_url(open_dossier))
    assert response.status_code == 429
    assert "Retry-After" in response
    assert 'data-testid="lookup-throttled"' in response.content.decode()
    # Another address still gets through.
    assert client.get(page_url(open_dossier), REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.django_db
def test_apology_and_new_date_shown(client, open_dossier, officer):
    from datetime import timedelta

    from dossiers.services import dossier_extend

    new_due = open_dossier.due_at + timedelta(days=3)
    dossier_extend(dossier=open_dossier, by=officer, reason="Cần xác minh thêm", new_due_at=new_due)
    html = client.get(page_url(open_dossier)).content.decode()
    assert 'data-testid="apology"' in html
    assert "Cần xác minh thêm" in html


# ----- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_status_without_personal_data(client, returned):
    response = client.get(api_url(returned.code, returned.lookup_key))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == returned.code
    assert body["procedure"] == "1.000656"
    assert body["status"] == "returned"
    assert body["status_label"]
    assert body["applicant_name_masked"] == mask_name(APPLICANT.full_name)
    assert body["received_at"].endswith("+07:00") and body["finished_at"].endswith("+07:00")
    assert [line["status"] for line in body["history"]] == ["received", "in_progress", "result_ready", "returned"]
    assert all(line["at"].endswith("+07:00") for line in body["history"])
    text = response.content.decode()
    for value in PERSONAL:
        assert value not in text, value
    for field in ("id_number", "phone", "address", "email", "applicant_name", "full_name"):
        assert field not in body


@pytest.mark.django_db
def test_api_trailing_slash_and_key_typed_loosely(client, returned):
    typed = format_lookup_key(returned.lookup_key).lower()
    assert client.get(api_url(returned.code, typed, "/")).status_code == 200


@pytest.mark.django_db
def test_api_wrong_or_missing_key_is_the_unknown_code_404(client, returned):
    wrong = client.get(api_url(returned.code, "AAAABBBBCCCCDD"))
    missing = client.get(api_url(returned.code))
    unknown = client.get(api_url("H99.01.01-260101-9999", returned.lookup_key))
    assert wrong.status_code == missing.status_code == unknown.status_code == 404
    assert wrong.content == missing.content == unknown.content
    assert set(wrong.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_api_throttled_with_error_format(client, settings, returned):
    settings.PUBLIC_LOOKUP_RATE = "2/min"
    cache.clear()
    url = api_url(returned.code, returned.lookup_key)
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert set(response.json()) == {"detail", "errors"}
    assert response.json()["errors"] == {}
    assert response["Retry-After"]


@pytest.mark.django_db
def test_api_needs_no_login_and_ignores_credentials(client, returned, clerk):
    client.force_login(clerk)
    assert client.get(api_url(returned.code, returned.lookup_key)).status_code == 200


@pytest.mark.django_db
def test_public_api_in_openapi_schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert any(p.startswith("/api/v1/public/dossiers/") for p in paths)
