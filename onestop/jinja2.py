"""The Jinja2 environment of the few pages rendered on the citizens' hot path (settings.TEMPLATES,
engine "jinja2"; today the status page's body). Django's own translations, URLs and time zone:

- ``_`` / ``gettext`` / ``ngettext``: Django's, so makemessages and the .po files serve both engines
  (write ``{{ _("text") }}``, and ``{{ _("… %(name)s …")|format(name=…) }}`` for a text with a value);
- ``url(name, *args)``: ``django.urls.reverse``;
- filters ``moment`` (local "HH:MM, dd/mm/yyyy", as the desk writes times) and ``iso`` (local ISO 8601).
"""

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from jinja2 import Environment


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def moment(value) -> str:
    return timezone.localtime(value).strftime("%H:%M, %d/%m/%Y") if value else ""


def iso(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def environment(**options) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.globals.update(url=url, static=static)
    env.filters.update(moment=moment, iso=iso)
    return env
