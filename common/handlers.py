"""The WSGI application: Django's handler, with a lighter middleware chain for the citizens' status page.

The QR on every receipt leads to ``/tra-cuu/<code>/?key=…``: the page most requested by people who
are not signed in, and the one that must stay fast on a phone while the desk works (issue 17). It
never reads a session, a signed-in user, a flash message or an htmx header, so the middleware that
only serve those (sessions, authentication, messages, htmx, django-axes, WhiteNoise's static files)
are left out of its chain: ``settings.PUBLIC_MIDDLEWARE`` is ``MIDDLEWARE`` without
``settings.SIGNED_IN_MIDDLEWARE``, so the two lists cannot drift apart. What every answer needs
stays: the security headers, the CSP, the Host check (CommonMiddleware), the desk language, the NUL
guard, CSRF (the rating form posts to the same URL), ``Cache-Control: no-store``, the per-client rate
limit and the frame guard. ``tests/dossiers/test_public_chain.py`` checks that the page's answer is
the same through either chain.

Paths are matched by ``settings.PUBLIC_LIGHT_PATHS`` (regular expressions, on the whole PATH_INFO); every
other request takes the full chain. The test client and the live server use Django's own handler
(the full chain) unless a test asks for ``application``.
"""

from __future__ import annotations

import re
import threading

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

_settings_lock = threading.Lock()


class LightWSGIHandler(WSGIHandler):
    """Django's WSGI handler running ``settings.PUBLIC_MIDDLEWARE`` instead of ``MIDDLEWARE``."""

    def load_middleware(self, is_async=False):
        # BaseHandler.load_middleware reads settings.MIDDLEWARE: give it the public list while it
        # builds this handler's chain (once, when the process starts), then put the full one back.
        with _settings_lock:
            full = settings.MIDDLEWARE
            settings.MIDDLEWARE = list(settings.PUBLIC_MIDDLEWARE)
            try:
                super().load_middleware(is_async)
            finally:
                settings.MIDDLEWARE = full


class RoutedWSGIHandler:
    """The project's WSGI application: public status pages through the light chain, the rest
    through Django's full one."""

    def __init__(self):
        self.full = WSGIHandler()
        self.light = LightWSGIHandler()
        self.light_paths = [re.compile(pattern) for pattern in settings.PUBLIC_LIGHT_PATHS]

    def handler_for(self, path: str) -> WSGIHandler:
        if any(pattern.fullmatch(path) for pattern in self.light_paths):
            return self.light
        return self.full

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        return self.handler_for(path)(environ, start_response)
