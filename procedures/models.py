"""The procedure catalogue (thủ tục hành chính).

A Procedure is the identity (its national code); what the law says about it lives in
ProcedureVersion rows, each effective from a date. A dossier points at the version in force when
it was received, so a new fee, new papers or a new time never move an existing dossier. A version
that a dossier uses is never edited: changes make a new version (services enforce it).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.calendar import TimeUnit

from .choices import TIME_UNIT_CHOICES, OnlineLevel, ProcedureLevel, StepRole


class Field(models.Model):
    """Lĩnh vực: the domain a procedure belongs to (hộ tịch, chứng thực, đất đai…)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=255, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Procedure(models.Model):
    code = models.CharField(
        _("procedure code"), max_length=40, unique=True, help_text=_("National code, e.g. 1.001193")
    )
    field = models.ForeignKey(Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="procedures")
    name = models.CharField(_("name"), max_length=500, help_text=_("The name of the version in force"))
    is_active = models.BooleanField(_("active"), default=True)
    code_is_local = models.BooleanField(
        _("local code"), default=False, help_text=_("No national code was found; the code is the province's own.")
    )
    # Accent-free, lower-case code and names of every version, for search.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["field__order", "field__name", "name"]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def version_on(self, day=None):
        """The version in force on a day (today by default), or None before the first one."""
        day = day or timezone.localdate()
        return self.versions.filter(effective_from__lte=day).order_by("-effective_from").first()


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="versions"
    )
    effective_from = models.DateField(_("effective from"))
    decision = models.CharField(
        _("announcing decision"), max_length=255, blank=True, help_text=_("Quyết định công bố, e.g. 658/QĐ-UBND")
    )
    name = models.CharField(_("name"), max_length=500)
    level = models.CharField(_("level"), max_length=20, choices=ProcedureLevel.choices, default=ProcedureLevel.COMMUNE)
    # Legal processing time (thời hạn giải quyết). Empty amount and unit: not confirmed.
    processing_amount = models.DecimalField(_("processing time"), max_digits=7, decimal_places=2, null=True, blank=True)
    processing_unit = models.CharField(_("time unit"), max_length=20, choices=TIME_UNIT_CHOICES, blank=True)
    processing_time_text = models.TextField(_("processing time as published"), blank=True)
    fee = models.TextField(_("fees and charges"), blank=True)
    result = models.TextField(_("result"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    competent_authority = models.CharField(
        _("competent authority"), max_length=255, blank=True, default="Ủy ban nhân dân cấp xã"
    )
    online_level = models.CharField(_("online service"), max_length=10, choices=OnlineLevel.choices, blank=True)
    interagency = models.BooleanField(_("inter-agency (liên thông)"), default=False)
    verified = models.BooleanField(_("verified in an official source"), default=False)
    unconfirmed = models.JSONField(_("unconfirmed values"), default=list, blank=True)
    source = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "effective_from"], name="procedure_version_unique_date"),
            models.CheckConstraint(
                condition=models.Q(processing_amount__isnull=True, processing_unit="")
                | models.Q(processing_amount__isnull=False, processing_unit__in=TimeUnit.ALL),
                name="procedure_version_time_complete",
            ),
        ]

    def __str__(self):
        return f"{self.procedure.code} ({self.effective_from:%d/%m/%Y})"

    @property
    def processing_time(self):
        if self.processing_amount is None:
            return None
        return {"amount": _number(self.processing_amount), "unit": self.processing_unit}

    @property
    def has_processing_time(self):
        return self.processing_amount is not None


def _number(value):
    return int(value) if value == int(value) else float(value)


class RequiredDocument(models.Model):
    """Thành phần hồ sơ: one paper the procedure asks for."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.TextField(_("name"))
    original_count = models.PositiveSmallIntegerField(_("originals"), default=1)
    copy_count = models.PositiveSmallIntegerField(_("copies"), default=0)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    template = models.FileField(_("template file"), upload_to="procedure-templates/", blank=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return self.name


class WorkflowStep(models.Model):
    """One step of the internal workflow (quy trình nội bộ), a line of the control slip (Mẫu 06)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="workflow_steps")
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("step"), max_length=255)
    role = models.CharField(_("responsible role"), max_length=20, choices=StepRole.choices)
    office = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("responsible office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    share = models.PositiveSmallIntegerField(_("share of the time (%)"), default=0)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return self.name


class AgencyProcedure(models.Model):
    """A procedure enabled at an agency (usually a commune), with its own shortened time and the
    office that processes it there."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="procedure_settings"
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="agency_settings"
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    shortened_amount = models.DecimalField(_("shortened time"), max_digits=7, decimal_places=2, null=True, blank=True)
    shortened_unit = models.CharField(_("shortened time unit"), max_length=20, choices=TIME_UNIT_CHOICES, blank=True)
    processing_office = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("processing office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("procedure at an agency")
        verbose_name_plural = _("procedures at agencies")
        constraints = [
            models.UniqueConstraint(fields=["agency", "procedure"], name="agency_procedure_unique"),
            models.CheckConstraint(
                condition=models.Q(shortened_amount__isnull=True, shortened_unit="")
                | models.Q(shortened_amount__isnull=False, shortened_unit__in=TimeUnit.ALL),
                name="agency_procedure_shortened_complete",
            ),
        ]

    def __str__(self):
        return f"{self.agency} · {self.procedure.code}"

    @property
    def shortened_time(self):
        if self.shortened_amount is None:
            return None
        return {"amount": _number(self.shortened_amount), "unit": self.shortened_unit}


class CatalogRevision(models.Model):
    """One row whose stamp changes with every change of the catalogue (procedures, versions, papers,
    steps, fields, the agencies' settings): a new random stamp, written in the same transaction as
    the change (procedures/receivers.py). The intake's per-process copy of the catalogue
    (procedures.revision.procedure_for_intake) reads it, one primary-key read, to know that its copy
    is still exact. Random rather than counted, so that a number is never given twice: not after a
    rolled-back change, nor after the tables are emptied and filled again."""

    stamp = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("catalogue revision")
        verbose_name_plural = _("catalogue revisions")

    def __str__(self):
        return str(self.stamp)
