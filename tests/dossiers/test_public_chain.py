"""The status page's light middleware chain (common/handlers.py, issue 17): the production WSGI
application answers the receipt's QR link through PUBLIC_MIDDLEWARE and every other URL through
the full chain; the page's answer is the same either way (headers, body, CSRF, language, rate limit),
and a committed event is on the very next request."""

import re
from http.cookies import SimpleCookie
from io import BytesIO
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from common.handlers import RoutedWSGIHandler
from dossiers.public import status_pages
from dossiers.services import dossier_assign, dossier_return
from tests.factories import approve_result

# The headers every answer of the page carries, whichever chain served it.
PAGE_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Cache-Control",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Vary",
)


@pytest.fixture
def app(settings):
    """The production WSGI application, as gunicorn runs it. Like Django's test client, keep the
    test's database connection open across requests (request_finished would close it)."""
    settings.PUBLIC_LOOKUP_RATE = "100000/min"
    cache.clear()
    status_pages.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield RoutedWSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        cache.clear()
        status_pages.clear()


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.headers = {}
        self.cookies = SimpleCookie()
        for name, value in headers:
            if name.lower() == "set-cookie":
                self.cookies.load(value)
            else:
                self.headers[name] = value
        self.text = body.decode()


def call(handler, path, *, query="", method="GET", form=None, cookies=None, host="testserver"):
    body = urlencode(form or {}).encode()
    environ = {}
    setup_testing_defaults(environ)
    environ.update(
        {
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": method,
            "HTTP_HOST": host,
            "SERVER_NAME": "testserver",
            "REMOTE_ADDR": "203.0.113.9",
            "wsgi.input": BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded" if form is not None else "",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items()),
        }
    )
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers

    result = handler(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()
    return Answer(captured["status"], captured["headers"], content)


def status_path(dossier):
    return f"/tra-cuu/{dossier.code}/", urlencode({"key": dossier.lookup_key})


def without_token(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_status_page_alone_takes_the_light_chain(app, settings):
    assert app.handler_for("/tra-cuu/T01.001-260101-0001/") is app.light
    for path in ("/tra-cuu/", "/tra-cuu/T01/ket-qua/", "/", "/ho-so/", "/api/v1/public/dossiers/x", "/admin/"):
        assert app.handler_for(path) is app.full, path
    assert [m for m in settings.MIDDLEWARE if m not in settings.SIGNED_IN_MIDDLEWARE] == settings.PUBLIC_MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.PUBLIC_MIDDLEWARE
    # The light chain's view hooks: CSRF and the rate limit, as on the full one.
    hooks = {hook.__self__.__class__.__name__ for hook in app.light._view_middleware}
    assert {"CsrfViewMiddleware", "PublicRateLimitMiddleware"} <= hooks
    assert hooks <= {hook.__self__.__class__.__name__ for hook in app.full._view_middleware}
    assert settings.MIDDLEWARE[0] == "django.middleware.security.SecurityMiddleware"  # put back after loading


@pytest.mark.django_db
def test_same_answer_through_either_chain(app, receive, officer, clerk):
    dossier = dossier_return(dossier=approve_result(receive("1.001193"), officer=officer), by=clerk)
    path, query = status_path(dossier)
    light = call(app, path, query=query)
    full = call(app.full, path, query=query)
    assert light.status_code == full.status_code == 200
    for name in PAGE_HEADERS:
        assert light.headers.get(name) == full.headers.get(name), name
    assert "no-store" in light.headers["Cache-Control"]
    assert light.headers["Content-Language"] == "vi"
    assert without_token(light.text) == without_token(full.text)
    assert 'data-testid="evaluation-form"' in light.text
    assert "csrftoken" in light.cookies  # the rating form's token has its cookie

    unknown = call(app, "/tra-cuu/T99.999-260101-0001/", query="key=ABCD-EFGH")
    assert unknown.status_code == 404 and unknown.headers["Cache-Control"].startswith("no-store")


@pytest.mark.django_db
def test_english_cookie_and_rating_post_with_csrf(app, receive, officer, clerk, settings):
    dossier = dossier_return(dossier=approve_result(receive("1.001193"), officer=officer), by=clerk)
    path, query = status_path(dossier)
    english = call(app, path, query=query, cookies={settings.LANGUAGE_COOKIE_NAME: "en"})
    assert english.headers["Content-Language"] == "en" and "How did we do?" in english.text

    page = call(app, path, query=query)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    cookie = page.cookies["csrftoken"].value
    refused = call(app, path, query=query, method="POST", form={"overall": "5"}, cookies={"csrftoken": cookie})
    assert refused.status_code == 403  # no token: CSRF still guards the light chain
    rated = call(
        app, path, query=query, method="POST", form={"overall": "5", "csrfmiddlewaretoken": token},
        cookies={"csrftoken": cookie},
    )  # fmt: skip
    assert rated.status_code == 302, rated.text[:300]
    thanks = call(app, path, query=query + "&cam_on=1")
    assert 'data-testid="thanks"' in thanks.text


@pytest.mark.django_db
def test_rate_limit_on_the_light_chain(app, receive, settings):
    settings.PUBLIC_LOOKUP_RATE = "3/min"
    dossier = receive("1.001193")
    path, query = status_path(dossier)
    codes = [call(app, path, query=query).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = call(app, path, query=query)
    assert limited.headers["Retry-After"].isdigit() and "no-store" in limited.headers["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_event_is_on_the_next_request(app, receive, officer):
    dossier = receive("1.001193")
    path, query = status_path(dossier)
    before = call(app, path, query=query)
    assert 'data-status="received"' in before.text
    assert call(app, path, query=query).text.count("<li><time") == before.text.count("<li><time")
    dossier_assign(dossier=dossier, officer=officer, by=officer)
    after = call(app, path, query=query)
    assert 'data-status="in_progress"' in after.text
    assert after.text.count("<li><time") == before.text.count("<li><time") + 1


@pytest.mark.django_db
def test_an_unknown_host_is_refused_on_the_light_chain_too(app, receive):
    """ALLOWED_HOSTS holds on the status page as everywhere (CommonMiddleware checks the Host)."""
    dossier = receive("1.001193")
    path, query = status_path(dossier)
    assert call(app, path, query=query).status_code == 200
    assert call(app, path, query=query, host="evil.example").status_code == 400
    assert call(app.full, path, query=query, host="evil.example").status_code == 400
    assert app.handler_for("/tra-cuu/X/\n") is app.full  # the whole path must match


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_prepared_row_is_prepared_once_and_survives_losing_it(app, receive):
    """PostgreSQL: the row is a prepared statement of the connection; if it disappears (a pooler, a
    migration), the page still answers, and the next request prepares it again."""
    from django.db import connection

    dossier = receive("1.001193")
    path, query = status_path(dossier)
    assert call(app, path, query=query).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = 'motcua_status_row'")
        assert cursor.fetchone()[0] == 1
        cursor.execute("DEALLOCATE motcua_status_row")  # lost behind the application's back
    status_pages.clear()
    answer = call(app, path, query=query)
    assert answer.status_code == 200 and f'data-code="{dossier.code}"' in answer.text
    status_pages.clear()
    assert call(app, path, query=query).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = 'motcua_status_row'")
        assert cursor.fetchone()[0] == 1  # prepared again
