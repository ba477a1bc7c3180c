from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Desk clerk")
    OFFICER = "officer", _("Processing officer")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")
