from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.calendar import TimeUnit


class ProcedureLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune level")
    PROVINCE = "province", _("Province level")
    CENTRAL = "central", _("Central level")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Full online")
    PARTIAL = "partial", _("Partly online")
    NONE = "none", _("In person only")
    UNKNOWN = "", _("Not confirmed")


class StepRole(models.TextChoices):
    CLERK = "clerk", _("Desk clerk")
    OFFICER = "officer", _("Processing officer")
    LEADER = "leader", _("Leader")


TIME_UNIT_CHOICES = TimeUnit.CHOICES
