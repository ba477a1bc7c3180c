"""Reads of the citizens' side: survey results (exact arithmetic), the feedback queue, published
answers, and who may see a campaign's results."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from accounts.scoping import ALL, scope_queryset, visible_agency_ids
from agencies.choices import AgencyKind
from agencies.models import Agency

from .choices import SCALE_VALUES, FeedbackStatus, QuestionKind
from .models import Answer, Campaign, Feedback, Response

ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal:
    """part / whole in percent, rounded half up to one decimal (0 when nobody answered)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class OptionResult:
    label: str
    count: int
    percent: Decimal


@dataclass
class QuestionResult:
    question: object
    respondents: int
    options: list[OptionResult] = field(default_factory=list)
    average: Decimal | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class CampaignResults:
    campaign: Campaign
    responses: int
    questions: list[QuestionResult]


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Counts per option, percent of the respondents who answered that question (1 decimal), the
    average of scales (2 decimals) and the texts. Two queries whatever the number of answers."""
    questions = list(campaign.questions.all())
    values: dict[int, list] = {q.pk: [] for q in questions}
    for question_id, value in Answer.objects.filter(response__campaign=campaign).values_list("question_id", "value"):
        values.setdefault(question_id, []).append(value)
    results = []
    for question in questions:
        answers = values.get(question.pk, [])
        respondents = len(answers)
        result = QuestionResult(question=question, respondents=respondents)
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = dict.fromkeys(question.option_list(), 0)
            for value in answers:
                for chosen in value if isinstance(value, list) else [value]:
                    if chosen in counts:
                        counts[chosen] += 1
            result.options = [OptionResult(label, n, percent(n, respondents)) for label, n in counts.items()]
        elif question.kind == QuestionKind.SCALE:
            counts = dict.fromkeys(SCALE_VALUES, 0)
            for value in answers:
                if value in counts:
                    counts[value] += 1
            result.options = [OptionResult(str(level), n, percent(n, respondents)) for level, n in counts.items()]
            if respondents:
                total = sum(level * n for level, n in counts.items())
                result.average = (Decimal(total) / Decimal(respondents)).quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP)
        else:
            result.texts = [str(value) for value in answers]
        results.append(result)
    return CampaignResults(campaign=campaign, responses=campaign.responses.count(), questions=results)


def campaign_rows(campaign: Campaign):
    """Every response as (number, submitted_at, [cell per question]) for the Excel export."""
    questions = list(campaign.questions.all())
    by_response: dict[int, dict[int, object]] = {}
    for response_id, question_id, value in Answer.objects.filter(response__campaign=campaign).values_list(
        "response_id", "question_id", "value"
    ):
        by_response.setdefault(response_id, {})[question_id] = value
    rows = []
    for number, (response_id, submitted_at) in enumerate(
        Response.objects.filter(campaign=campaign).order_by("submitted_at", "pk").values_list("pk", "submitted_at"),
        start=1,
    ):
        answers = by_response.get(response_id, {})
        cells = []
        for question in questions:
            value = answers.get(question.pk)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            cells.append("" if value is None else value)
        rows.append((number, timezone.localtime(submitted_at), cells))
    return questions, rows


def can_see_campaign_results(user, campaign: Campaign) -> bool:
    """Leaders and administrators of any agency in the campaign's tree: at or above the campaign's
    agency (they see it through their scope) or below it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not (user.is_superuser or user.role in (Role.LEADER, Role.ADMIN)):
        return False
    ids = visible_agency_ids(user)
    if ids is ALL or campaign.agency_id in ids:
        return True
    return user.agency_id is not None and user.agency_id in campaign.agency.descendant_ids()


def campaign_get_public(slug: str):
    return Campaign.objects.select_related("agency").filter(slug=slug).first()


# ----- feedback ----------------------------------------------------------------------------------


def feedback_queue(user, *, state: str = "open"):
    queryset = scope_queryset(Feedback.objects.select_related("agency", "dossier"), user, field="agency")
    if state == "open":
        queryset = queryset.filter(status__in=(FeedbackStatus.RECEIVED, FeedbackStatus.CLASSIFIED))
    elif state == "overdue":
        now = timezone.now()
        queryset = queryset.filter(
            Q(classified_at__isnull=True, classify_due_at__lt=now) | Q(answered_at__isnull=True, answer_due_at__lt=now)
        )
    elif state in FeedbackStatus.values:
        queryset = queryset.filter(status=state)
    return queryset.order_by("answer_due_at", "pk")


def feedback_get(user, pk: int):
    return feedback_queue(user, state="all").filter(pk=pk).first()


def feedback_published():
    return (
        Feedback.objects.filter(status=FeedbackStatus.PUBLISHED)
        .select_related("agency")
        .only(
            "pk", "agency__name", "public_summary", "answer", "received_at", "answered_at", "published_at", "category"
        )
        .order_by("-published_at", "-pk")
    )


def communes_for_feedback():
    """The communes a citizen can address feedback to (current ones only)."""
    today = timezone.localdate()
    return (
        Agency.objects.filter(kind=AgencyKind.COMMUNE)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("name")
    )
