"""axe-core (WCAG 2.1 A and AA rules) finds nothing serious or critical on the pages people use most.

Each page is opened in Chromium as the person who uses it; the failure message lists every serious or
critical violation with its rule, the elements (CSS targets) and the help text.
"""

import os
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from dossiers.services import dossier_assign
from tests.browser.conftest import login
from tests.factories import PASSWORD

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
PROCEDURE = "1.001193"


def blocking_violations(page):
    """The serious and critical axe violations on the page as it is now."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_accessible(page, name):
    page.wait_for_load_state("networkidle")
    if os.environ.get("SCREENSHOT_DIR"):
        slug = "".join(c if c.isalnum() else "-" for c in name)
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], f"a11y-{slug}.png"), full_page=True)
    violations = blocking_violations(page)
    nodes = sum(len(v["nodes"]) for v in violations)
    print(f"axe {name}: {nodes} serious/critical nodes")
    assert not violations, f"{name}: {nodes} serious or critical axe nodes\n{describe(violations)}"


@pytest.fixture
def a11y_page(page):
    """A desk-sized page; at the end, no script error and nothing refused by the Content-Security-Policy."""
    errors = []

    def on_console(message):
        # A page answered with an error status on purpose (404 not found) is not a script error.
        document = message.text.startswith("Failed to load resource") and message.location.get("url") == page.url
        if message.type == "error" and not document:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.set_default_timeout(10_000)
    yield page
    assert not errors, f"errors in the browser console: {errors}"


@pytest.fixture
def late(receive, officer):
    """An overdue dossier in an officer's hands, so that lists, badges and reports have rows."""
    dossier = receive(
        "1.000656",
        received_at=timezone.now() - timedelta(days=6),
        received_at_reason="Hồ sơ giấy nhập sau",
        id_number="001099000001",
    )
    return dossier_assign(dossier=dossier, officer=officer, by=officer)


@pytest.fixture
def dossier(receive, late):
    """A dossier just received at the desk."""
    return receive(PROCEDURE)


# Public pages: no login.
PUBLIC = {
    "catalogue": lambda d: "/thu-tuc/",
    "procedure": lambda d: f"/thu-tuc/{PROCEDURE}/",
    "status": lambda d: f"/tra-cuu/{d.code}/?key={d.lookup_key}",
    "lookup-form": lambda d: "/tra-cuu/",
    "lookup-not-found": lambda d: f"/tra-cuu/{d.code}/?key=AAAA-BBBB-CCCC",
    "feedback-form": lambda d: "/phan-anh/",
    "feedback-answers": lambda d: "/phan-anh/cong-khai/",
    "login": lambda d: "/accounts/login/",
    "board": lambda d: "/bang-tin/",
    "board-widget": lambda d: "/bang-tin/nhung/",
}

# Staff pages: (user, path).
STAFF = {
    "home-clerk": ("clerk1", lambda d: "/"),
    "home-leader": ("leader1", lambda d: "/"),
    "intake": ("clerk1", lambda d: "/ho-so/tiep-nhan/"),
    "intake-form": ("clerk1", lambda d: f"/ho-so/tiep-nhan/?procedure={PROCEDURE}"),
    "worklist": ("clerk1", lambda d: "/ho-so/"),
    "dashboard": ("leader1", lambda d: "/bao-cao/"),
    "periodic": ("leader1", lambda d: "/bao-cao/dinh-ky/"),
    "satisfaction": ("leader1", lambda d: "/bao-cao/hai-long/"),
    "catalogue-excel": ("admin1", lambda d: "/thu-tuc/excel/"),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(PUBLIC))
def test_public_page_has_no_serious_violation(a11y_page, live_server, dossier, name):
    a11y_page.goto(live_server.url + PUBLIC[name](dossier))
    assert_accessible(a11y_page, name)


@pytest.mark.django_db(transaction=True)
def test_forms_with_errors_have_no_serious_violation(a11y_page, live_server, clerk):
    page = a11y_page
    login(page, live_server, "clerk1", "wrong password")
    expect(page.locator(".alert, .invalid-feedback").first).to_be_visible()
    assert_accessible(page, "login, wrong password")

    page.goto(f"{live_server.url}/phan-anh/")
    page.get_by_test_id("feedback-submit").click()
    expect(page.locator(".error").first).to_be_visible()
    assert_accessible(page, "feedback form, empty")


@pytest.mark.django_db(transaction=True)
def test_status_page_on_a_phone_has_no_serious_violation(phone_page, live_server, dossier):
    phone_page.goto(live_server.url + PUBLIC["status"](dossier))
    assert_accessible(phone_page, "status (390 px)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(STAFF))
def test_staff_page_has_no_serious_violation(a11y_page, live_server, dossier, clerk, leader, administrator, name):
    username, path = STAFF[name]
    login(a11y_page, live_server, username, PASSWORD)
    a11y_page.goto(live_server.url + path(dossier))
    assert_accessible(a11y_page, name)


@pytest.mark.django_db(transaction=True)
def test_worklist_with_an_open_menu_has_no_serious_violation(a11y_page, live_server, dossier, leader):
    """The dropdowns of the menu, opened, are checked too (their items are hidden until then)."""
    login(a11y_page, live_server, "leader1", PASSWORD)
    a11y_page.goto(live_server.url + "/ho-so/")
    toggles = a11y_page.locator("#mainnav .dropdown-toggle")
    for i in range(toggles.count()):
        toggles.nth(i).click()
        assert_accessible(a11y_page, f"worklist, menu {i + 1} open")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ["clerk1", "officer1"])
def test_dossier_page_has_no_serious_violation(a11y_page, live_server, dossier, late, clerk, officer, username):
    """The dossier page, then with every folded action form (<details>) and every tab opened."""
    login(a11y_page, live_server, username, PASSWORD)
    code = dossier.code if username == "clerk1" else late.code
    a11y_page.goto(f"{live_server.url}/ho-so/{code}/")
    assert_accessible(a11y_page, f"dossier ({username})")
    a11y_page.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")
    assert_accessible(a11y_page, f"dossier ({username}), action forms open")
    tabs = a11y_page.locator("[data-bs-toggle=tab]")
    for i in range(tabs.count()):
        tabs.nth(i).click()
        assert_accessible(a11y_page, f"dossier ({username}), tab {i + 1}")


@pytest.mark.django_db(transaction=True)
def test_board_refreshes_its_figures_without_reloading(a11y_page, live_server, dossier, receive):
    """The board has no meta refresh (axe: meta-refresh); it fetches its figures again every minute."""
    page = a11y_page
    page.clock.install()
    page.goto(f"{live_server.url}/bang-tin/")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    before = int(page.get_by_test_id("board-received").inner_text())
    page.evaluate("window.sameDocument = true")

    receive("1.000656", id_number="001099000003")
    cache.clear()  # the board caches its figures for a minute
    page.clock.run_for(61_000)

    expect(page.get_by_test_id("board-received")).to_have_text(str(before + 1))
    assert page.evaluate("window.sameDocument") is True


@pytest.mark.django_db(transaction=True)
def test_intake_returning_citizen_is_accessible_and_fills_in(a11y_page, live_server, dossier, clerk):
    """The applicant lookup's answer (an htmx fragment) passes axe, and "Fill in" works without inline script."""
    page = a11y_page
    login(page, live_server, "clerk1", PASSWORD)
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/?procedure={PROCEDURE}")
    page.locator("#id_id_number").press_sequentially(dossier.applicant_id_number)
    expect(page.get_by_test_id("applicant-found")).to_be_visible()
    assert_accessible(page, "intake, returning citizen")
    page.get_by_test_id("applicant-found").get_by_role("button").click()
    expect(page.locator("#id_full_name")).to_have_value(dossier.applicant_name)
    expect(page.get_by_test_id("applicant-found")).to_have_count(0)
