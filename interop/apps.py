from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interop"
    verbose_name = _("National portal and other systems")

    def ready(self):
        from . import receivers  # noqa: F401 - connects the dossier signal (the outbox)
