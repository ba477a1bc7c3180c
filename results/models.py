"""Electronic results: the result documents of a dossier, their templates and the signing keys.

A ResultDocument row is written once and never changed (dossiers.models.AppendOnlyModel; PostgreSQL
triggers too): the draft the officer attached, then the signed PDF made from it, then, for a
correction, a new draft and a new signed version that replaces the old one. Files live in a
private storage (never a public URL) and are served by views that check access.
"""

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from dossiers.models import AppendOnlyModel

from .choices import CredentialKind, ResultKind, ResultState


class PrivateStorage(LazyObject):
    """Files under settings.RESULTS_STORAGE_ROOT, with no URL: served only through access checks."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=str(settings.RESULTS_STORAGE_ROOT), base_url=None)


private_storage = PrivateStorage()


def _private_storage():
    return private_storage


def result_path(instance, filename):
    return f"results/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}.pdf"


def credential_path(instance, filename):
    return f"credentials/{secrets.token_hex(16)}.p12"


class ResultTemplate(models.Model):
    """A procedure's result document (decision, confirmation) as a Django template over the dossier's
    facts. A change is a new version: a signed result records the version it was made from."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="result_templates"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255, help_text=_("Printed in capitals, e.g. QUYẾT ĐỊNH"))
    body = models.TextField(
        _("body"),
        help_text=_(
            "Django template syntax. Available: applicant_name, procedure_name, procedure_code, dossier_code, "
            "agency_name, received_date, result_date, number."
        ),
    )
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("result template")
        verbose_name_plural = _("result templates")
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="result_template_version_unique"),
        ]

    def __str__(self):
        return f"{self.procedure_id} v{self.version}: {self.title}"


class ResultDocument(AppendOnlyModel):
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="results"
    )
    number = models.CharField(_("document number"), max_length=64)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=ResultKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=ResultState.choices)
    # The signed version this correction replaces (both are kept).
    replaces = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a signed row: the draft it was signed from.
    draft = models.ForeignKey(
        "self", verbose_name=_("draft"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), storage=_private_storage, upload_to=result_path, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    template_version = models.CharField(_("template version"), max_length=100, blank=True)
    reason = models.TextField(_("reason for the correction"), blank=True)
    # The issuing agency as it was named when signed (a later rename does not rewrite the result).
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="+"
    )
    agency_name = models.CharField(_("issuing agency"), max_length=255)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    certificate_subject = models.CharField(_("certificate"), max_length=500, blank=True)
    certificate_serial = models.CharField(_("certificate serial"), max_length=80, blank=True)
    seal_subject = models.CharField(_("agency seal certificate"), max_length=500, blank=True)
    timestamped = models.BooleanField(_("trusted timestamp"), default=False)
    # The QR's token: the public verification page of this signed version.
    token = models.CharField(max_length=40, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("result document")
        verbose_name_plural = _("result documents")
        ordering = ["dossier", "version", "created_at"]
        indexes = [models.Index(fields=["dossier", "state", "version"], name="result_dossier_state_idx")]
        constraints = [
            # One correction per signed version, one signature per draft: two leaders at once cannot
            # both sign (the second fails on the constraint and its transaction rolls back).
            models.UniqueConstraint(
                fields=["replaces"], condition=Q(state="signed"), name="result_one_correction_per_version"
            ),
            models.UniqueConstraint(
                fields=["draft"], condition=Q(state="signed"), name="result_one_signature_per_draft"
            ),
            models.UniqueConstraint(
                fields=["dossier", "version"], condition=Q(state="signed"), name="result_signed_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.number} v{self.version} ({self.get_state_display()})"

    @property
    def is_superseded(self) -> bool:
        if self.state != ResultState.SIGNED:
            return False
        superseded = getattr(self, "superseded", None)  # annotated by selectors
        if superseded is not None:
            return bool(superseded)
        return ResultDocument.objects.filter(replaces=self, state=ResultState.SIGNED).exists()

    @property
    def current_state(self) -> str:
        return ResultState.SUPERSEDED if self.is_superseded else self.state


class SigningCredential(models.Model):
    """A signing key: a leader's (user) or an agency's seal (agency). The private key stays in the
    PKCS#12 file (private storage) or on the PKCS#11 token; the password or PIN is never stored in
    clear: either encrypted (Fernet, key derived from RESULTS_CREDENTIAL_KEY or SECRET_KEY) or
    typed at signing time."""

    kind = models.CharField(_("kind"), max_length=10, choices=CredentialKind.choices, default=CredentialKind.PKCS12)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_credentials",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency (seal)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seal_credentials",
    )
    label = models.CharField(_("label"), max_length=150, blank=True)
    pkcs12_file = models.FileField(
        _("PKCS#12 file"), storage=_private_storage, upload_to=credential_path, blank=True, max_length=255
    )
    secret_encrypted = models.TextField(_("password or PIN (encrypted)"), blank=True, editable=False)
    pkcs11_module = models.CharField(_("PKCS#11 module path"), max_length=255, blank=True)
    pkcs11_token_label = models.CharField(_("token label"), max_length=64, blank=True)
    pkcs11_key_label = models.CharField(_("key label"), max_length=64, blank=True)
    pkcs11_cert_label = models.CharField(_("certificate label"), max_length=64, blank=True)
    certificate_pem = models.TextField(_("certificate (PEM)"), blank=True)
    ca_chain_pem = models.TextField(
        _("CA chain (PEM)"),
        blank=True,
        help_text=_("The issuing CA's certificates, embedded in each signature (a token often holds only its own)."),
    )
    subject = models.CharField(_("certificate subject"), max_length=500, blank=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signing credential")
        verbose_name_plural = _("signing credentials")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, agency__isnull=True) | Q(user__isnull=True, agency__isnull=False),
                name="credential_user_xor_agency",
            ),
            models.UniqueConstraint(fields=["user"], condition=Q(active=True), name="credential_one_active_per_user"),
            models.UniqueConstraint(
                fields=["agency"], condition=Q(active=True), name="credential_one_active_per_agency"
            ),
        ]

    def __str__(self):
        owner = self.user or self.agency
        return f"{owner}: {self.label or self.subject or self.get_kind_display()}"

    @property
    def has_stored_secret(self) -> bool:
        return bool(self.secret_encrypted)
