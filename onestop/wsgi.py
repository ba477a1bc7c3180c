"""
WSGI config for onestop project.

It exposes the WSGI callable as a module-level variable named ``application``: Django's handler,
with the citizens' status page on a lighter middleware chain (common/handlers.py).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
django.setup(set_prefix=False)

from common.handlers import RoutedWSGIHandler  # noqa: E402 - needs the settings above

application = RoutedWSGIHandler()
