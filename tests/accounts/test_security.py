import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_for_that_address(client, clerk):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "clerk1", "password": "wrong"})
    locked = client.post(reverse("accounts:login"), {"username": "clerk1", "password": PASSWORD})
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    other = client.post(reverse("accounts:login"), {"username": "clerk1", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302  # another desk is not locked out


def test_sessions_suit_shared_desk_computers():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_the_idle_hour_slides_at_most_once_a_minute(client, clerk):
    """Each page of a signed-in user keeps the session alive, written at most once a minute; after
    an idle hour it is over."""
    from datetime import timedelta

    import time_machine
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = time_machine.travel("2026-11-30 08:00 +07:00", tick=False)
    start.start()
    try:
        client.force_login(clerk)
        key = client.cookies["sessionid"].value
        client.get(reverse("home"))
        first = Session.objects.get(session_key=key).expire_date
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200  # same minute: no write
        assert not [q for q in queries.captured_queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]
        with time_machine.travel("2026-11-30 08:50 +07:00", tick=False):
            assert client.get(reverse("home")).status_code == 200  # 50 minutes later: slid forward
            assert Session.objects.get(session_key=key).expire_date - first >= timedelta(minutes=49)
        with time_machine.travel("2026-11-30 09:45 +07:00", tick=False):
            assert client.get(reverse("home")).status_code == 200  # within the hour of 08:50
        with time_machine.travel("2026-11-30 10:46 +07:00", tick=False):
            response = client.get(reverse("dossiers:worklist"))  # an idle hour since 09:45: signed out
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    finally:
        start.stop()


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "csrftoken" in response.cookies


@pytest.mark.django_db
def test_nul_characters_are_refused_with_400(client):
    assert client.get("/thu-tuc/", {"q": "a\x00b"}).status_code == 400
    api = client.get("/api/v1/procedures/1.001193/", {"agency": "\x00"})
    assert api.status_code == 400 and set(api.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_vietnamese_even_for_an_english_browser_until_english_is_chosen(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_forms_need_the_csrf_token(clerk):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(clerk)
    assert strict.post(reverse("accounts:logout")).status_code == 403
    assert strict.post("/ho-so/tiep-nhan/", {"procedure": "1.001193"}).status_code == 403


def test_lookup_keys_have_at_least_64_random_bits():
    import math

    from dossiers.codes import KEY_ALPHABET, KEY_LENGTH, new_lookup_key

    assert KEY_LENGTH * math.log2(len(set(KEY_ALPHABET))) >= 64
    keys = {new_lookup_key() for _ in range(2000)}
    assert len(keys) == 2000
