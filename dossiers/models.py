"""Dossiers (hồ sơ) and everything recorded about them.

A Dossier is an instance of a ProcedureVersion: the time, unit and papers that applied when it was
received are fixed on it. Its due time is computed once at intake (or at a restart after a
supplement) and stored; only events move it. History rows and extensions are append-only.
Every state change goes through ``dossiers.services``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.calendar import TimeUnit

from .choices import CLOCK_STATUSES, OPEN_STATUSES, Action, Channel, DossierStatus, GuidanceKind, ReturnMethod


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("History is append-only: rows cannot be updated.")

    def delete(self):
        raise PermissionError("History is append-only: rows cannot be deleted.")


class AppendOnlyModel(models.Model):
    """Rows are written once: no update, no delete (the database enforces it too on PostgreSQL)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("History is append-only: rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("History is append-only: rows cannot be deleted.")


class Applicant(models.Model):
    """A citizen who lodged a dossier; found again by ID number at the next visit."""

    id_number = models.CharField(_("ID number"), max_length=20, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")

    def __str__(self):
        return self.full_name


class DailyCounter(models.Model):
    """The last dossier number given by an agency on a day (the 4-digit daily sequence)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="daily_counter_unique")]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last}"


class Dossier(models.Model):
    # Unique through Meta.constraints: one index, not Django's extra LIKE index for a unique column
    # (codes are searched by substring or equality, which that index never serves; issue 17).
    code = models.CharField(_("dossier code"), max_length=64)
    # The national (or provincial) portal's code of a dossier filed online: one dossier, one code,
    # whatever the channel (receiving the same external code again updates it).
    external_code = models.CharField(_("portal code"), max_length=64, null=True, blank=True)
    # Never searched by itself: a lookup finds the dossier by its code, then compares the key.
    lookup_key = models.CharField(_("lookup key"), max_length=32)
    # Foreign keys that lead a composite index below get no index of their own (fewer indexes to
    # update on each intake).
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("procedure version"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    # The time applied, fixed at intake: the agency's shortened time, else the legal time.
    processing_amount = models.DecimalField(_("processing time"), max_digits=7, decimal_places=2)
    processing_unit = models.CharField(_("time unit"), max_length=20, choices=TimeUnit.CHOICES)
    shortened = models.BooleanField(_("shortened time applied"), default=False)
    fee = models.TextField(_("fees and charges"), blank=True)

    # Three roles of an agency (domain.md, "Versions and history").
    helped_at = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("where the citizen was helped"),
        db_index=False,  # never searched by; an agency is retired, not deleted
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("receiving agency"),
        db_index=False,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        help_text=_("Its code and clock are the dossier's."),
    )
    competent_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("competent authority"),
        db_index=False,
        on_delete=models.PROTECT,
        related_name="competent_dossiers",
    )
    handling_office = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("processing office"),
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned officer"),
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.DIRECT)
    return_method = models.CharField(
        _("return method"), max_length=10, choices=ReturnMethod.choices, default=ReturnMethod.DESK
    )
    return_address = models.CharField(_("return address"), max_length=255, blank=True)

    # The applicant as given at intake (a snapshot: later changes of the citizen's details do not
    # rewrite what the receipt said).
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="dossiers")
    applicant_name = models.CharField(_("applicant"), max_length=150)
    applicant_id_number = models.CharField(_("ID number"), max_length=20)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=255, blank=True)

    status = models.CharField(_("status"), max_length=24, choices=DossierStatus.choices, default=DossierStatus.RECEIVED)
    received_at = models.DateTimeField(_("received at"))
    competent_received_at = models.DateTimeField(
        _("received by the competent authority at"),
        help_text=_("Decree 309/2026: the deadline runs from here for dossiers lodged elsewhere."),
    )
    clock_started_at = models.DateTimeField(_("clock started at"))
    # An online dossier: when it was filed on the portal, by when the desk must accept it or ask for
    # corrections (8 working hours), and when it was accepted (its clock starts then).
    filed_at = models.DateTimeField(_("filed online at"), null=True, blank=True)
    acceptance_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("appointment (due) time"))
    original_due_at = models.DateTimeField(_("appointment before any extension"))
    handover_due_at = models.DateTimeField(_("hand over to the office by"))
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    # The workflow of the version asks for an officer's appraisal before a leader approves (false for
    # the shorter paths, such as a certification signed at the desk).
    requires_appraisal = models.BooleanField(_("appraisal by an officer required"), default=True)
    submitted_at = models.DateTimeField(_("appraisal submitted at"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    supplement_requested_at = models.DateTimeField(_("supplement requested at"), null=True, blank=True)
    supplement_deadline = models.DateTimeField(_("supplement deadline"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    result_ready_at = models.DateTimeField(_("result ready at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When handling ended (result ready, refused, withdrawn or closed) and how it compares with the
    # appointment in force: set once by the services (reports.definitions).
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    timeliness = models.CharField(_("timeliness"), max_length=8, blank=True)
    returned_to = models.CharField(_("result received by"), max_length=150, blank=True)
    tracking_number = models.CharField(_("postal tracking number"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1, help_text=_("Raised by every change: detects concurrent edits."))
    # Time cannot be rewritten quietly (issue 16, item 7): ``received_at`` is the receipt time as
    # stated (a paper dossier typed in later), ``entered_at`` when it was really entered; a stated
    # time more than settings.RECEIVED_AT_TOLERANCE_MINUTES before the entry is ``backdated`` and
    # carries its reason.
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    received_at_reason = models.TextField(_("why the receipt time was stated"), blank=True)
    backdated = models.BooleanField(_("receipt time stated in the past"), default=False)
    # Empty for a dossier registered by the portal job (filed online).
    # Never searched by (the history says who received it); staff are deactivated, not deleted.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="dossier_code_unique"),
            models.UniqueConstraint(fields=["external_code"], name="dossier_external_code_unique"),
        ]
        indexes = [
            models.Index(fields=["receiving_agency", "-received_at"], name="dossier_recv_agency_idx"),
            models.Index(fields=["handling_office", "status", "due_at"], name="dossier_office_queue_idx"),
            models.Index(fields=["assignee", "status", "due_at"], name="dossier_assignee_queue_idx"),
            models.Index(fields=["competent_agency", "status", "due_at"], name="dossier_competent_idx"),
            models.Index(fields=["receiving_agency", "status", "due_at"], name="dossier_recv_queue_idx"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due_idx"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_idn_idx"),
            models.Index(fields=["procedure", "-received_at"], name="dossier_procedure_idx"),
            models.Index(fields=["competent_agency", "received_at"], name="dossier_competent_recv_idx"),
            models.Index(fields=["competent_agency", "resolved_at"], name="dossier_competent_res_idx"),
            models.Index(fields=["resolved_at"], name="dossier_resolved_idx"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self):
        """Not finished by the stored due time, while its clock runs (a ready result waiting for the
        citizen, a supplement awaited or an online dossier not yet accepted is not late)."""
        if self.status not in CLOCK_STATUSES:
            return False
        return timezone.now() > self.due_at

    @property
    def extension(self):
        return next(iter(self.extensions.all()), None)


class DossierDocument(models.Model):
    """A paper received with the dossier (ticked at intake, with its counts)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(
        "procedures.RequiredDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.TextField(_("name"))
    original_count = models.PositiveSmallIntegerField(_("originals"), default=0)
    copy_count = models.PositiveSmallIntegerField(_("copies"), default=0)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "order", "pk"]

    def __str__(self):
        return self.name


def attachment_path(instance, filename):
    # Random names under a private root: never served from a guessable public URL.
    import secrets

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"dossiers/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}.{suffix}"


class Attachment(models.Model):
    """A scanned paper. Served only through a view that checks access."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The scan's file was deleted when its retention period ended (dossiers.retention); the row
    # stays, so that the dossier still shows that a paper was scanned.
    removed_at = models.DateTimeField(_("scan removed at"), null=True, blank=True)

    def __str__(self):
        return self.original_name


class DossierEvent(AppendOnlyModel):
    """One line of a dossier's history: who, when, what, from which status to which, why."""

    # Indexed by dossier_event_idx (dossier, at), which serves every read by dossier.
    dossier = models.ForeignKey(Dossier, db_index=False, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the system"),
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=24, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=DossierStatus.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["dossier", "at", "pk"]
        indexes = [models.Index(fields=["dossier", "at"], name="dossier_event_idx")]

    def __str__(self):
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Extension(AppendOnlyModel):
    """The apology letter with a new appointment (Mẫu 04): at most one per dossier, by the database."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField(_("reason"))
    previous_due_at = models.DateTimeField(_("previous appointment"))
    new_due_at = models.DateTimeField(_("new appointment"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("apology and extension")
        verbose_name_plural = _("apologies and extensions")
        constraints = [models.UniqueConstraint(fields=["dossier"], name="one_extension_per_dossier")]

    def __str__(self):
        return f"{self.dossier_id} → {self.new_due_at:%Y-%m-%d %H:%M}"


class SupplementRequest(AppendOnlyModel):
    """A request to supplement after appraisal (Mẫu 02): what is missing, and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="supplement_requests")
    reason = models.TextField(_("reason"))
    missing = models.TextField(_("what is missing"))
    deadline = models.DateTimeField(_("supplement by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    flagged = models.BooleanField(
        _("beyond the first request"), default=False, help_text=_("More than one request counts as late.")
    )

    def __str__(self):
        return f"{self.dossier_id} {self.created_at:%Y-%m-%d}"


class Handover(models.Model):
    """One line of the control slip (Mẫu 06): a step of the internal workflow, its time limit and
    when it was actually done."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    order = models.PositiveIntegerField()
    step_name = models.CharField(_("step"), max_length=255)
    role = models.CharField(_("role"), max_length=20)
    office = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.PositiveSmallIntegerField(default=1, help_text=_("Raised when the clock restarts."))

    class Meta:
        ordering = ["dossier", "cycle", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "cycle", "order"], name="handover_unique_step"),
        ]

    def __str__(self):
        return self.step_name


class Guidance(models.Model):
    """Guidance given at the desk without a dossier code: incomplete papers (Mẫu 02) or a refusal
    at intake (Mẫu 03). Recorded as the law asks, even though no dossier exists."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=GuidanceKind.choices)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="+")
    procedure_version = models.ForeignKey("procedures.ProcedureVersion", on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField(_("applicant"), max_length=150)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_address = models.CharField(_("address"), max_length=255, blank=True)
    missing = models.TextField(_("what is missing"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("guidance at the desk")
        verbose_name_plural = _("guidance at the desk")
        ordering = ["-given_at"]

    def __str__(self):
        return self.number


class AccessChannel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    ADMIN = "admin", _("Administration")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Print")
    CITIZEN = "citizen", _("The citizen (lookup key)")


class AccessSubjectKind(models.TextChoices):
    DOSSIER = "dossier", _("Dossier")
    CITIZEN = "citizen", _("Citizen (ID number)")
    SEARCH = "search", _("Search")
    LIST = "list", _("List")
    EXPORT = "export", _("Export")
    RECORD = "record", _("Other record")


class PersonalDataAccess(AppendOnlyModel):
    """Who viewed or exported citizens' data (Law 91/2025/QH15, Decree 356/2025): one row per read,
    written by ``dossiers.access_log`` (never by hand)."""

    # Empty when the citizen read their own data with the lookup key of a receipt.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    what = models.CharField(max_length=40)
    subject = models.CharField(max_length=255, help_text=_("Dossier code, ID number or export range"))
    channel = models.CharField(_("channel"), max_length=10, choices=AccessChannel.choices, default=AccessChannel.PAGE)
    subject_kind = models.CharField(
        _("kind of subject"), max_length=10, choices=AccessSubjectKind.choices, default=AccessSubjectKind.RECORD
    )
    # The citizen read (an ID-number search or lookup is a read of that citizen, found or not).
    citizen_id_number = models.CharField(_("citizen's ID number"), max_length=20, blank=True)
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    found = models.BooleanField(_("found"), default=True, help_text=_("False for a lookup that found nothing"))
    # A list: the ID numbers of the citizens whose rows it showed (space-separated), so that each of
    # them finds this read in their data report.
    listed = models.TextField(_("citizens listed"), blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [
            models.Index(fields=["user", "at"], name="pd_access_user_idx"),
            models.Index(fields=["citizen_id_number", "at"], name="pd_access_citizen_idx"),
            models.Index(fields=["dossier", "at"], name="pd_access_dossier_idx"),
            models.Index(fields=["at"], name="pd_access_at_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.what} {self.subject}"


class AlertKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    SUPPLEMENT_OVERDUE = "supplement_overdue", _("No supplement in time")
    ACCEPTANCE_OVERDUE = "acceptance_overdue", _("Online dossier not accepted in time")


class DeadlineAlert(models.Model):
    """The deadline sweep acted on this dossier for this deadline. The unique constraint makes the
    sweep act exactly once, however often and however concurrently it runs; a new deadline (after
    an extension or a restart) is a new deadline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="deadline_alerts")
    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    deadline = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind", "deadline"], name="deadline_alert_once"),
        ]
        indexes = [models.Index(fields=["kind", "deadline"], name="deadline_alert_kind_idx")]

    def __str__(self):
        return f"{self.dossier_id} {self.kind} {self.deadline:%Y-%m-%d %H:%M}"


class LateApology(models.Model):
    """The apology letter (Mẫu 04) for a dossier that became late: drafted by the deadline sweep,
    completed by the processing office with the reason and the new expected date, then sent."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="late_apology")
    drafted_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    expected_at = models.DateTimeField(_("new expected date"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("apology for a late dossier")
        verbose_name_plural = _("apologies for late dossiers")

    def __str__(self):
        return str(self.dossier_id)

    @property
    def is_draft(self):
        return self.completed_at is None


class LetterTemplate(models.Model):
    """Letters beyond the law, printed with the result: congratulations on a marriage, condolences
    with a death registration. Administrators edit the text (Django template syntax with
    {{ applicant_name }}, {{ procedure_name }}, {{ agency_name }}, {{ date }})."""

    key = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    procedure_codes = models.CharField(
        _("procedure codes"), max_length=500, help_text=_("Comma-separated codes the letter goes with")
    )
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self):
        return self.name

    def codes(self):
        return [code.strip() for code in self.procedure_codes.split(",") if code.strip()]


# ----- citizens' data (issue 16: items 2 and 3) ---------------------------------------------------


class ApplicantContact(models.Model):
    """What one commune recorded about a citizen (name, contacts, address), as the citizen gave
    them at that commune's desk or on the portal for it. Intake autofill offers only the clerk's own
    commune's row: another agency never overwrites it. Every change is an ApplicantChange row."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="contacts")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("citizen's details at a commune")
        verbose_name_plural = _("citizens' details at communes")
        constraints = [models.UniqueConstraint(fields=["agency", "applicant"], name="applicant_contact_once")]

    def __str__(self):
        return f"{self.applicant_id}@{self.agency_id}"


class ApplicantChange(AppendOnlyModel):
    """One change of a citizen's shared record or of a commune's details: who, when, where, from
    which dossier, and the values before and after ({field: [before, after]})."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="changes")
    agency = models.ForeignKey("agencies.Agency", null=True, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=20)  # intake, online, correction
    changes = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("change of a citizen's details")
        verbose_name_plural = _("changes of citizens' details")
        indexes = [models.Index(fields=["applicant", "at"], name="applicant_change_idx")]

    def __str__(self):
        return f"{self.applicant_id} {self.at:%Y-%m-%d %H:%M}"


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("To handle")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class CorrectionRequest(models.Model):
    """A citizen's request to correct their personal data (Law 91/2025/QH15), at the desk or with
    the lookup key of a receipt; answered by ``due_at`` (settings.DATA_CORRECTION_WORKING_DAYS
    working days of the handling agency's calendar). Its history is CorrectionEvent rows."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("handled by"), on_delete=models.PROTECT, related_name="+"
    )
    citizen_id_number = models.CharField(_("citizen's ID number"), max_length=20, db_index=True)
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=AccessChannel.choices)
    details = models.TextField(_("what is wrong and what it should be"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer by"))
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handling_note = models.TextField(_("handling note"), blank=True)

    class Meta:
        verbose_name = _("request to correct personal data")
        verbose_name_plural = _("requests to correct personal data")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["agency", "status", "due_at"], name="correction_queue_idx")]

    def __str__(self):
        return self.number

    @property
    def is_overdue(self):
        return self.status == CorrectionStatus.OPEN and timezone.now() > self.due_at


class CorrectionEvent(AppendOnlyModel):
    """One line of a correction request's history."""

    request = models.ForeignKey(CorrectionRequest, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "at", "pk"]

    def __str__(self):
        return f"{self.request_id} {self.status}"


class RetentionRun(AppendOnlyModel):
    """What one pass of the retention job removed or anonymised, per kind of data (its log)."""

    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(_("kind of data"), max_length=40)
    cutoff = models.DateTimeField(_("older than"))
    count = models.PositiveIntegerField(_("rows"), default=0)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}: {self.count}"


# ----- the citizen's papers (issue 14, item 7) ----------------------------------------------------


class PaperSource(models.TextChoices):
    SCAN = "scan", _("Scan of a paper received")
    RESULT = "result", _("Signed result")


class PaperState(models.TextChoices):
    VALID = "valid", _("Valid")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn from use")


class PaperAction(models.TextChoices):
    FILED = "filed", _("Filed")
    SUPERSEDED = "superseded", _("Marked superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn from use")


class NoDeleteQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("The citizen's papers are never deleted: mark them superseded or withdrawn.")


class CitizenPaper(models.Model):
    """Kho giấy tờ của công dân: a paper the system already holds for a citizen (by ID number), so
    that a later dossier reuses it instead of asking for it again (Decree 309/2026). Either the scan
    of a paper received with a dossier or a signed result. Written by ``dossiers.papers`` only; its
    state moves only through its services (each move is a CitizenPaperEvent); never deleted."""

    id_number = models.CharField(_("citizen's ID number"), max_length=20)
    name = models.TextField(_("paper"), help_text=_("What the paper is, e.g. Giấy khai sinh"))
    # The procedure's paper it was received as, when known (its name kept as it was then).
    required_document = models.ForeignKey(
        "procedures.RequiredDocument",
        verbose_name=_("received as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_as = models.TextField(_("received as"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=PaperSource.choices)
    attachment = models.OneToOneField(
        Attachment, verbose_name=_("scan"), null=True, blank=True, on_delete=models.PROTECT, related_name="paper"
    )
    result = models.OneToOneField(
        "results.ResultDocument",
        verbose_name=_("signed result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paper",
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("from dossier"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Who filed it: the commune whose desk took the scan, or the agency that issued the result;
    # ``province`` is that agency's province (signed results are reusable across it).
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("filed by agency"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "agencies.Agency", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    issued_on = models.DateField(_("issued or received on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: no expiry"))
    state = models.CharField(_("state"), max_length=12, choices=PaperState.choices, default=PaperState.VALID)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen's paper")
        verbose_name_plural = _("citizens' papers")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["id_number", "state"], name="citizen_paper_idn_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source="scan", attachment__isnull=False, result__isnull=True)
                | models.Q(source="result", result__isnull=False, attachment__isnull=True),
                name="citizen_paper_one_source",
            ),
        ]

    def __str__(self):
        return f"{self.id_number}: {self.name[:60]}"

    def delete(self, *args, **kwargs):
        raise PermissionError("The citizen's papers are never deleted: mark them superseded or withdrawn.")

    @property
    def short_name(self) -> str:
        """The name up to its first ";", "(" or ":" (what follows explains the procedure's paper)."""
        import re

        return re.split(r"[;(:]", self.name, maxsplit=1)[0].strip() or self.name

    @property
    def is_valid(self) -> bool:
        return self.state == PaperState.VALID and (self.valid_until is None or self.valid_until >= timezone.localdate())


class CitizenPaperEvent(AppendOnlyModel):
    """One line of a paper's history: filed, marked superseded, withdrawn (who, when, why)."""

    paper = models.ForeignKey(CitizenPaper, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the system"),
    )
    action = models.CharField(_("action"), max_length=12, choices=PaperAction.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("history of a citizen's paper")
        verbose_name_plural = _("history of citizens' papers")
        ordering = ["paper", "at", "pk"]

    def __str__(self):
        return f"{self.paper_id} {self.action}"


class DossierPaperReuse(AppendOnlyModel):
    """A paper of the citizen's store attached to a later dossier without a new upload (the file
    is not copied): the dossier's paper it stands for, who attached it and when."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="reused_papers")
    paper = models.ForeignKey(CitizenPaper, on_delete=models.PROTECT, related_name="reuses")
    document = models.ForeignKey(
        DossierDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="reused_papers"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("paper reused")
        verbose_name_plural = _("papers reused")
        ordering = ["dossier", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "paper"], name="dossier_paper_reuse_once")]

    def __str__(self):
        return f"{self.dossier_id} ← {self.paper_id}"
