"""Item 8: Content-Security-Policy, no-store on personal data, the client address behind a proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from common.ratelimit import client_ip
from dossiers.codes import format_lookup_key
from tests.factories import PASSWORD

# ----- Content-Security-Policy -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/thu-tuc/", "/accounts/login/", "/tra-cuu/", "/phan-anh/"])
def test_every_page_has_a_policy_without_unsafe_script(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"


def test_inline_scripts_of_our_pages_carry_the_nonce(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("surveys:kiosk"))  # the kiosk's idle timer is an inline script
    html = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html
    assert "<script>" not in html


def test_no_template_has_an_inline_handler_or_a_script_without_nonce():
    """Inline event handlers and javascript: URLs are blocked by the policy; inline scripts need the nonce."""
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(
            r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/(?:ld\+)?json)[^>]*>", text
        ):
            offenders.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+=\"|javascript:|hx-vals='js:|hx-on", text):
            offenders.append(f"{path.name}: {match.group(0)}")
    assert offenders == []


# ----- Cache-Control: no-store -------------------------------------------------------------------


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_staff_pages_and_api_answers_are_not_stored(client, clerk, receive):
    dossier = receive("1.001193")
    client.force_login(clerk)
    assert no_store(client.get("/thu-tuc/"))  # even a public page, once signed in
    assert no_store(client.get(reverse("api:dossier-list")))
    client.logout()
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=clerk)
    response = client.get(reverse("api:dossier-detail", args=[dossier.code]), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and no_store(response)


def test_citizens_status_answers_are_not_stored_but_the_catalogue_may_be(client, receive):
    dossier = receive("1.001193")
    key = format_lookup_key(dossier.lookup_key)
    assert no_store(client.get(reverse("public_lookup", args=[dossier.code]), {"key": key}))
    assert no_store(client.get(reverse("api:public-dossier", args=[dossier.code]), {"key": key}))
    assert not no_store(client.get("/thu-tuc/"))


# ----- the client address ------------------------------------------------------------------------


def meta(remote, forwarded=None):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_client_ip_without_a_trusted_proxy_ignores_a_forged_header(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(meta("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(meta("203.0.113.5", "1.2.3.4")) == "203.0.113.5"  # not sent by our proxy


def test_client_ip_behind_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2", "172.18.0.0/16"]
    assert client_ip(meta("10.0.0.2", "198.51.100.1")) == "198.51.100.1"
    # The client forged a first hop; our proxy appended the real one: the rightmost untrusted wins.
    assert client_ip(meta("10.0.0.2", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    assert client_ip(meta("172.18.0.9", "198.51.100.1, 10.0.0.2")) == "198.51.100.1"  # two proxies
    assert client_ip(meta("10.0.0.2", "")) == "10.0.0.2"
    assert client_ip(meta("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    assert client_ip(meta("10.0.0.2", "[2001:db8::7]:443")) == "2001:db8::7"


FEEDBACK = "/phan-anh/"


def test_rate_limit_behind_the_proxy_counts_each_citizen(client, commune, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.PUBLIC_FORM_RATE = "2/10m"
    post = lambda who, n: client.post(  # noqa: E731
        FEEDBACK,
        {"content": f"Ý kiến {who} {n}", "commune": commune.pk},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=who,
    )
    assert [post("198.51.100.1", n).status_code for n in range(3)] == [200, 200, 429]
    assert [post("198.51.100.2", n).status_code for n in range(2)] == [200, 200]  # not locked out by the first


def test_rate_limit_without_trusted_proxy_cannot_be_dodged_with_a_forged_header(client, commune, settings):
    settings.PUBLIC_FORM_RATE = "2/10m"
    post = lambda who, n: client.post(  # noqa: E731
        FEEDBACK, {"content": f"Ý kiến {n}", "commune": commune.pk}, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=who
    )
    assert [post(f"198.51.100.{n}", n).status_code for n in range(3)] == [200, 200, 429]


def login(client, username, password, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_login_throttling_behind_the_proxy_locks_only_the_attacker(client, clerk, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "clerk1", "wrong", **attacker)
    assert login(client, "clerk1", PASSWORD, **attacker).status_code == 429
    client.logout()
    honest = login(client, "clerk1", PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert honest.status_code == 302


def test_login_throttling_without_trusted_proxy_ignores_a_forged_header(client, clerk, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "clerk1", "wrong", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    locked = login(client, "clerk1", PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert locked.status_code == 429
