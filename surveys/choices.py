"""Fixed lists of the citizens' side: rating levels, the Decree 118 Art. 33 criteria, survey question
kinds and the states of a feedback item."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.IntegerChoices):
    """The overall rating of a dossier's handling (mức độ hài lòng)."""

    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


# An overall rating at or below this creates a feedback item for the director to answer.
DISSATISFIED_MAX = Rating.DISSATISFIED


class EvaluationChannel(models.TextChoices):
    QR = "qr", _("QR code on the receipt")
    KIOSK = "kiosk", _("Rating tablet at the desk")
    API = "api", _("API")


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    options: tuple[tuple[str, str], ...]

    @property
    def values(self):
        return [value for value, _label in self.options]

    def label_of(self, value):
        return dict(self.options).get(value, value)


# Decree 118/2025, Art. 33: what citizens rate. The codes are stored in Evaluation.criteria.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "time",
        _("Time taken against the rules"),
        (("early", _("Earlier than the appointment")), ("on_time", _("On time")), ("late", _("Late"))),
    ),
    Criterion(
        "visits",
        _("Number of visits to the desk"),
        (("1", _("Once")), ("2", _("Twice")), ("3_plus", _("Three times or more"))),
    ),
    Criterion(
        "attitude",
        _("Staff attitude"),
        (
            ("courteous", _("Courteous and helpful")),
            ("normal", _("Normal")),
            ("discourteous", _("Discourteous or obstructive")),
        ),
    ),
    Criterion(
        "extra_costs",
        _("Costs beyond the published fees"),
        (("none", _("None asked")), ("asked", _("Extra costs were asked"))),
    ),
    Criterion(
        "published_info",
        _("Accuracy of the published information"),
        (("accurate", _("Complete and accurate")), ("inaccurate", _("Incomplete or inaccurate"))),
    ),
    Criterion(
        "bodies",
        _("Number of bodies contacted"),
        (("1", _("One")), ("2", _("Two")), ("3_plus", _("Three or more"))),
    ),
    Criterion(
        "online_service",
        _("Quality of the online service"),
        (
            ("good", _("Good")),
            ("average", _("Average")),
            ("poor", _("Poor")),
            ("not_used", _("Not used")),
        ),
    ),
)
CRITERIA_BY_CODE = {criterion.code: criterion for criterion in CRITERIA}


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale 1-5")
    TEXT = "text", _("Text")


SCALE_VALUES = (1, 2, 3, 4, 5)


class FeedbackSource(models.TextChoices):
    FORM = "form", _("Public form")
    EVALUATION = "evaluation", _("Dissatisfied rating")
    KIOSK = "kiosk", _("Desk kiosk")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Published")


class FeedbackCategory(models.TextChoices):
    """How the desk classifies a feedback item (phân loại)."""

    BEHAVIOUR = "behaviour", _("Staff behaviour")
    HANDLING = "handling", _("Handling of a dossier")
    REGULATION = "regulation", _("Administrative regulations")
    SUGGESTION = "suggestion", _("Suggestion")
    OUT_OF_SCOPE = "out_of_scope", _("Outside our competence")
    OTHER = "other", _("Other")


# Deadlines in working days from receipt: settings FEEDBACK_CLASSIFY_WORKING_DAYS, FEEDBACK_ANSWER_WORKING_DAYS.


class CampaignAccess(models.TextChoices):
    """Who may answer a survey campaign: anyone with the link, or one response per dossier receipt
    (its code and lookup key) or per one-time link, so that nobody counts twice."""

    OPEN = "open", _("Anyone with the link")
    RECEIPT = "receipt", _("The code and key of a dossier receipt (one response per dossier)")
    INVITATION = "invitation", _("A one-time link (one response per link)")
