"""The top menu fits: at a desk (1280 px) and on a phone (390 px) every item reads on one line, the
items sit in one row on the desk, nothing is wider than the screen, and each role keeps its items.

Screenshots go to the test's tmp_path (and to SCREENSHOT_DIR when it is set).
"""

import os
import re
import shutil

import pytest
from playwright.sync_api import expect

from accounts.menu import menu_for
from tests.browser.conftest import login
from tests.factories import PASSWORD, UserFactory

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# A label's box, less its padding and border, is one line high when under 1.6 line-heights.
LINE_BOXES = """
(els) => els.filter((el) => el.offsetParent !== null).map((el) => {
  const cs = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const lineHeight = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5;
  const height = box.height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)
    - parseFloat(cs.borderTopWidth) - parseFloat(cs.borderBottomWidth);
  return {label: el.innerText.trim(), height, lineHeight, top: Math.round(box.top), right: box.right};
})
"""
# Labels cut short (text-overflow: ellipsis). On a phone a very long label may be cut; on a desk none is.
CUT = "(els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.innerText.trim())"
SHOWN = re.compile(r"\bcollapse\b.*\bshow\b")
ITEMS = "#mainnav .nav-link, #mainnav .dropdown-item"


@pytest.fixture
def head(office):
    """The leader of an office."""
    return UserFactory(username="head1", role="leader", agency=office)


@pytest.fixture
def province_leader(province):
    return UserFactory(username="leader_province1", role="leader", agency=province)


ROLES = ["clerk", "officer", "head", "leader", "province_leader", "administrator"]


def _shot(page, tmp_path, name):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        shutil.copy(path, os.path.join(folder, name))


def _assert_one_line(page, where):
    boxes = page.locator(ITEMS).evaluate_all(LINE_BOXES)
    assert boxes, f"{where}: no menu item visible"
    wrapped = [b for b in boxes if b["height"] >= 1.6 * b["lineHeight"]]
    assert not wrapped, f"{where}: items on more than one line: {wrapped}"
    return boxes


def _open_each_dropdown(page, where, shot=None):
    """Open every dropdown of the menu in turn; every item in it reads on one line too."""
    labels = []
    toggles = page.locator("#mainnav .dropdown-toggle")
    for i in range(toggles.count()):
        toggles.nth(i).click()
        menu = page.locator("#mainnav .dropdown-menu.show")
        expect(menu).to_be_visible()
        labels += [b["label"] for b in _assert_one_line(page, f"{where}, dropdown {i + 1}")]
        width = page.viewport_size["width"]
        right = menu.evaluate("(el) => el.getBoundingClientRect().right")
        assert right <= width, f"{where}: dropdown {i + 1} overflows"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{where}: dropdown {i + 1} overflows"
        if width >= DESK["width"]:
            cut = menu.locator(".dropdown-item").evaluate_all(CUT)
            assert not cut, f"{where}: labels cut short in dropdown {i + 1}: {cut}"
        if shot:
            shot(i + 1)
        page.keyboard.press("Escape")
        expect(menu).to_have_count(0)
    return labels


MENU_LINKS = '#mainnav [data-testid=menu] a[href]:not([href="#"])'


def _menu_hrefs(page):
    return set(page.locator(MENU_LINKS).evaluate_all("(els) => els.map(e => e.pathname)"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_menu_fits_a_desk_screen(page, live_server, request, tmp_path, role):
    user = request.getfixturevalue(role)
    page.set_viewport_size(DESK)
    page.set_default_timeout(10_000)
    login(page, live_server, user.username, PASSWORD)
    expect(page.get_by_test_id("menu")).to_be_visible()
    _shot(page, tmp_path, f"menu-{role}-1280.png")

    boxes = _assert_one_line(page, f"{role} at 1280 px")
    top_level = page.locator("#mainnav > ul > li > .nav-link").evaluate_all(LINE_BOXES)
    tops = {b["top"] for b in top_level}
    assert max(tops) - min(tops) <= 4, f"{role} at 1280 px: the menu wraps into rows: {top_level}"
    assert max(b["right"] for b in boxes) <= DESK["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    expect(page.locator(".navbar-toggler")).to_be_hidden()

    # Grouping keeps the role's items, no more, no fewer.
    assert _menu_hrefs(page) == {item["url"] for item in menu_for(user)}
    _open_each_dropdown(page, f"{role} at 1280 px", lambda n: _shot(page, tmp_path, f"menu-{role}-1280-open{n}.png"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_menu_fits_a_phone(page, live_server, request, tmp_path, role):
    user = request.getfixturevalue(role)
    page.set_viewport_size(PHONE)
    page.set_default_timeout(10_000)
    login(page, live_server, user.username, PASSWORD)

    expect(page.locator("#mainnav")).to_be_hidden()
    brand = page.locator(".navbar-brand").evaluate("(el) => el.getBoundingClientRect().right")
    assert brand <= PHONE["width"]
    page.locator(".navbar-toggler").click()
    expect(page.locator("#mainnav")).to_have_class(SHOWN)
    _assert_one_line(page, f"{role} at 390 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _menu_hrefs(page) == {item["url"] for item in menu_for(user)}
    _shot(page, tmp_path, f"menu-{role}-390.png")
    _open_each_dropdown(page, f"{role} at 390 px", lambda n: _shot(page, tmp_path, f"menu-{role}-390-open{n}.png"))


@pytest.mark.django_db(transaction=True)
def test_visitor_menu_fits(page, live_server, tmp_path):
    """A citizen on the public catalogue sees the bar with the staff login, on a desk and on a phone."""
    for size in (DESK, PHONE):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/thu-tuc/")
        if page.locator(".navbar-toggler").is_visible():
            page.locator(".navbar-toggler").click()
            expect(page.locator("#mainnav")).to_have_class(SHOWN)
        _assert_one_line(page, f"visitor at {size['width']} px")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        _shot(page, tmp_path, f"menu-visitor-{size['width']}.png")


@pytest.mark.django_db(transaction=True)
def test_menu_fits_in_english(page, live_server, tmp_path, administrator):
    """The longest menu (the administrator's) in the other language of the menu's switch."""
    page.set_viewport_size(DESK)
    page.set_default_timeout(10_000)
    login(page, live_server, administrator.username, PASSWORD)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _shot(page, tmp_path, "menu-administrator-1280-en.png")
    _assert_one_line(page, "administrator at 1280 px, English")
    tops = {b["top"] for b in page.locator("#mainnav > ul > li > .nav-link").evaluate_all(LINE_BOXES)}
    assert max(tops) - min(tops) <= 4
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
