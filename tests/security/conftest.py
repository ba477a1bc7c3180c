import pytest
from django.core.cache import cache

# The browser fixtures of tests/browser (Chromium path, viewport) for tests/security/test_csp_browser.py.
from tests.browser.conftest import browser_context_args, browser_type_launch_args, desk_page  # noqa: F401

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def clean_limits(settings):
    """High limits unless a test lowers them, and a clean cache (counters, dedupe digests)."""
    settings.PUBLIC_LOOKUP_RATE = "1000/m"
    settings.PUBLIC_FORM_RATE = "1000/m"
    settings.TRUSTED_PROXIES = []
    cache.clear()
    yield
    cache.clear()
