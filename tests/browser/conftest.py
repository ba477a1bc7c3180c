"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server.

They skip when Chromium is absent, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    available = os.path.exists(CHROMIUM) or shutil.which("chromium")
    for item in items:
        if "tests/browser/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.browser)
        if not available:
            if os.environ.get("REQUIRE_BROWSER") == "1":
                raise pytest.UsageError(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
            item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def desk_page(page):
    """A page at desk-screen size (1366×768)."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def phone_page(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_default_timeout(10_000)
    return page


def login(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
