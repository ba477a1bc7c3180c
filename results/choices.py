from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultKind(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded draft")
    TEMPLATE = "template", _("Generated from the procedure's template")
    GENERIC = "generic", _("Generic result notice")


class ResultState(models.TextChoices):
    """What a row is when written. Rows are never rewritten: "superseded" is not stored but derived
    (a later signed version replaces this one), see ResultDocument.current_state."""

    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    SUPERSEDED = "superseded", _("Superseded")


class CredentialKind(models.TextChoices):
    PKCS12 = "pkcs12", _("PKCS#12 file")
    PKCS11 = "pkcs11", _("PKCS#11 token (USB)")
