"""The citizens' voice: ratings of a dossier's handling, survey campaigns, feedback (phản ánh,
kiến nghị). Raters stay anonymous: no user, no IP address is stored with a rating or an answer.
Every write goes through ``surveys.services``."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    CampaignAccess,
    EvaluationChannel,
    FeedbackCategory,
    FeedbackSource,
    FeedbackStatus,
    QuestionKind,
    Rating,
)


class Evaluation(models.Model):
    """A citizen's rating of one dossier after its result was returned (Decree 118, Art. 33)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="evaluations"
    )
    # Copied from the dossier so that reports group without joins (the dossier's agency never changes).
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="+"
    )
    overall = models.PositiveSmallIntegerField(_("overall rating"), choices=Rating.choices)
    criteria = models.JSONField(_("criteria"), default=dict, blank=True, help_text=_("Criterion code → answer code"))
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=EvaluationChannel.choices)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], name="one_evaluation_per_dossier"),
            models.CheckConstraint(condition=models.Q(overall__gte=1, overall__lte=5), name="evaluation_overall_1_5"),
        ]
        indexes = [models.Index(fields=["agency", "created_at"], name="evaluation_agency_idx")]

    def __str__(self):
        return f"{self.dossier_id}: {self.overall}/5"

    @property
    def is_dissatisfied(self):
        from .choices import DISSATISFIED_MAX

        return self.overall <= DISSATISFIED_MAX


class Campaign(models.Model):
    """A questionnaire open for a period, shared by a public link and a QR code."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("link name"), max_length=80, unique=True, help_text=_("The public link: /khao-sat/<slug>/")
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="survey_campaigns",
        help_text=_("Leaders and administrators of this agency's tree see the results."),
    )
    description = models.TextField(_("introduction"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    access = models.CharField(
        _("who may answer"),
        max_length=12,
        choices=CampaignAccess.choices,
        default=CampaignAccess.OPEN,
        help_text=_("With a receipt or a one-time link, each dossier (or link) counts once; responses stay anonymous."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="campaign_period"),
        ]

    def __str__(self):
        return self.title

    def is_open_on(self, day=None):
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    @property
    def is_open(self):
        return self.is_open_on()


class Question(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    options = models.TextField(_("options"), blank=True, help_text=_("For choice questions: one option per line."))
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["campaign", "order", "pk"]

    def __str__(self):
        return self.text

    def option_list(self):
        seen, options = set(), []
        for line in self.options.splitlines():
            line = " ".join(line.split())
            if line and line not in seen:
                seen.add(line)
                options.append(line)
        return options

    @property
    def has_options(self):
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Response(models.Model):
    """One submitted questionnaire. Anonymous: no user, no IP. ``ballot`` is a one-way digest of the
    dossier or the one-time link it was given under (empty for open campaigns): it makes "one response
    per dossier" a database rule without storing which dossier answered."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    ballot = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["campaign", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ballot"], condition=~models.Q(ballot=""), name="one_response_per_ballot"
            )
        ]

    def __str__(self):
        return f"{self.campaign_id} #{self.pk}"


class Invitation(models.Model):
    """A one-time link to a campaign. Only the SHA-256 of its token is kept: the link itself is
    shown once, when it is made (printed or sent), and cannot be rebuilt from the database."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time survey link")
        verbose_name_plural = _("one-time survey links")

    def __str__(self):
        return f"{self.campaign_id}: {self.digest[:8]}"


class Answer(models.Model):
    """The answer to one question: the option text (single), a list of option texts (multiple), an
    integer 1-5 (scale) or a text. Unanswered questions have no row."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"


class Feedback(models.Model):
    """A citizen's feedback (phản ánh, kiến nghị): classified within 2 working days, answered
    within 15 working days of receipt, then the answer may be published."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="feedback"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    evaluation = models.OneToOneField(
        Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    source = models.CharField(_("source"), max_length=12, choices=FeedbackSource.choices, default=FeedbackSource.FORM)
    name = models.CharField(_("name"), max_length=150, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    content = models.TextField(_("content"))
    given_dossier_code = models.CharField(_("dossier code given"), max_length=64, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    classify_due_at = models.DateTimeField(_("classify by"))
    answer_due_at = models.DateTimeField(_("answer by"))

    category = models.CharField(_("category"), max_length=20, choices=FeedbackCategory.choices, blank=True)
    classification_note = models.TextField(_("classification note"), blank=True)
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_summary = models.TextField(
        _("published summary"), blank=True, help_text=_("What the public sees of the feedback: no personal data.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status", "received_at"], name="feedback_queue_idx"),
            models.Index(fields=["published_at"], name="feedback_published_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.received_at:%d/%m/%Y}"

    def classify_overdue(self, now=None):
        now = now or timezone.now()
        return self.classified_at is None and now > self.classify_due_at

    def answer_overdue(self, now=None):
        now = now or timezone.now()
        return self.answered_at is None and now > self.answer_due_at

    @property
    def is_overdue(self):
        return self.classify_overdue() or self.answer_overdue()
