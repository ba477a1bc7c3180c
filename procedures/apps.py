from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "procedures"
    verbose_name = _("Procedures")

    def ready(self):
        from . import receivers  # noqa: F401 - raises the catalogue's revision on each change
