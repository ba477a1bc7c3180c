"""Test helpers: the stand-in portal as a pytest fixture.

Use it from any test package's conftest.py::

    from interop.testing import portal_standin  # noqa: F401 - a fixture

``portal_standin`` starts a stand-in portal on a free loopback port in a thread (its data in the
test's tmp_path), points the settings at it (PORTAL_ENABLED on, PORTAL_BASE_URL, PORTAL_TOKEN_URL,
credentials, a 2-second PORTAL_TIMEOUT), forgets any cached token, and yields the
``interop.standin.StandinPortal``: ``.url``, ``.api_url``, ``.token_url`` and
``.control(action, **body)`` (e.g. ``portal_standin.control("fail", mode="outage")``,
``portal_standin.control("received", service="DongBoHoSoMC")``).
"""

import pytest

from . import portal
from .standin import StandinPortal


@pytest.fixture
def portal_standin(settings, tmp_path):
    server = StandinPortal(data_dir=tmp_path / "portal-standin").start()
    settings.PORTAL_ENABLED = True
    settings.PORTAL_BASE_URL = server.api_url
    settings.PORTAL_TOKEN_URL = server.token_url
    settings.PORTAL_CLIENT_ID = server.client_id
    settings.PORTAL_CLIENT_SECRET = server.client_secret
    settings.PORTAL_USERNAME = ""
    settings.PORTAL_TIMEOUT = 2.0
    with portal._tokens_lock:
        portal._tokens.clear()
    try:
        yield server
    finally:
        server.stop()
        with portal._tokens_lock:
            portal._tokens.clear()
