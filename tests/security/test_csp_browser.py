"""Item 8 in a real browser: our own pages raise no Content-Security-Policy violation.

Chromium reports every blocked script, style or handler as a ``securitypolicyviolation`` event and a
console error; the page records both and the test fails on any."""

import os
import shutil

import pytest

from dossiers.codes import format_lookup_key
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) or shutil.which("chromium")) and os.environ.get("REQUIRE_BROWSER") != "1",
        reason=f"no Chromium at {CHROMIUM}",
    ),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = (e.sourceFile || "") + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


@pytest.fixture
def watched(desk_page):
    console = []
    desk_page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    desk_page.add_init_script(WATCH)

    def violations():
        desk_page.wait_for_timeout(300)
        return console + desk_page.evaluate("window.__csp || []")

    desk_page.violations = violations
    return desk_page


def visit(page, url):
    response = page.goto(url)
    assert response.status < 400, url
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()} or response.headers.get(
        "content-security-policy"
    )
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_login_and_a_staff_page_pass_the_policy(watched, live_server, leader):
    visit(watched, f"{live_server.url}/accounts/login/")
    watched.get_by_label("Tên đăng nhập").fill("leader1")
    watched.get_by_label("Mật khẩu").fill(PASSWORD)
    watched.get_by_role("button", name="Đăng nhập").click()
    watched.wait_for_load_state("networkidle")
    visit(watched, f"{live_server.url}/bao-cao/")  # the dashboard's chart script carries the nonce
    assert watched.violations() == []


@pytest.mark.django_db(transaction=True)
def test_citizens_status_page_passes_the_policy(watched, live_server, receive):
    dossier = receive("1.001193")
    visit(watched, f"{live_server.url}/tra-cuu/{dossier.code}/?key={format_lookup_key(dossier.lookup_key)}")
    visit(watched, f"{live_server.url}/phan-anh/")
    assert watched.violations() == []


@pytest.mark.django_db(transaction=True)
def test_catalogue_passes_the_policy(watched, live_server, catalog):
    visit(watched, f"{live_server.url}/thu-tuc/")
    watched.get_by_role("searchbox").first.fill("khai sinh")
    watched.wait_for_load_state("networkidle")
    assert watched.violations() == []
