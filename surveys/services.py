"""Writes of the citizens' side: ratings, survey responses, feedback and its handling.

Each function takes keyword-only arguments, checks its rule, writes inside a transaction and
records who and when. Rule breaks raise ``EvaluationNotAllowed`` / ``FeedbackStepNotAllowed``
(views show a message, the API answers 409) or ``ValidationError`` (400)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from agencies.calendar import calendar_for
from dossiers.choices import DossierStatus

from .choices import (
    CRITERIA_BY_CODE,
    DISSATISFIED_MAX,
    SCALE_VALUES,
    CampaignAccess,
    EvaluationChannel,
    FeedbackCategory,
    FeedbackSource,
    QuestionKind,
    Rating,
)
from .models import Answer, Evaluation, Feedback, Invitation, Response

MAX_COMMENT = 2000
MAX_FEEDBACK = 5000


class EvaluationNotAllowed(Exception):
    """Rated already, or the result is not returned yet."""


class FeedbackStepNotAllowed(Exception):
    """A feedback step out of order (answer before classification, publish before answer)."""


# ----- evaluation ----------------------------------------------------------------------------------


def clean_criteria(criteria) -> dict[str, str]:
    """Known criterion codes with one of their answer codes; unanswered criteria are left out."""
    if criteria in (None, ""):
        return {}
    if not isinstance(criteria, dict):
        raise ValidationError({"criteria": [_("Give the criteria as an object of criterion → answer.")]})
    cleaned, errors = {}, []
    for code, value in criteria.items():
        criterion = CRITERIA_BY_CODE.get(str(code))
        if criterion is None:
            errors.append(_("Unknown criterion %(code)s.") % {"code": code})
            continue
        if value in (None, ""):
            continue
        if str(value) not in criterion.values:
            errors.append(
                _("%(value)s is not an answer to %(code)s. Use one of: %(all)s.")
                % {"value": value, "code": code, "all": ", ".join(criterion.values)}
            )
            continue
        cleaned[criterion.code] = str(value)
    if errors:
        raise ValidationError({"criteria": errors})
    return cleaned


def clean_overall(overall) -> int:
    try:
        value = int(overall)
    except (TypeError, ValueError):
        value = None
    if value not in Rating.values or isinstance(overall, bool):
        raise ValidationError({"overall": [_("Choose a rating from 1 (very dissatisfied) to 5 (very satisfied).")]})
    return value


def evaluation_submit(
    *, dossier, overall, criteria=None, comment: str = "", channel=EvaluationChannel.QR
) -> Evaluation:
    """Record the citizen's rating: once per dossier (a database rule too), only after the result
    was returned. A dissatisfied rating opens a feedback item for the director to answer."""
    overall = clean_overall(overall)
    criteria = clean_criteria(criteria)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": [_("The comment is too long (at most 2000 characters).")]})
    from dossiers.models import Dossier

    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().select_related("receiving_agency").get(pk=dossier.pk)
        if dossier.status != DossierStatus.RETURNED:
            raise EvaluationNotAllowed(_("The dossier can be rated once its result has been returned."))
        if Evaluation.objects.filter(dossier=dossier).exists():
            raise EvaluationNotAllowed(_("This dossier has already been rated. Thank you."))
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    dossier=dossier,
                    agency=dossier.receiving_agency,
                    overall=overall,
                    criteria=criteria,
                    comment=comment,
                    channel=channel,
                )
        except IntegrityError as exc:  # a concurrent rating won the race
            raise EvaluationNotAllowed(_("This dossier has already been rated. Thank you.")) from exc
        if overall <= DISSATISFIED_MAX:
            _feedback_from_evaluation(evaluation)
    return evaluation


def _feedback_from_evaluation(evaluation: Evaluation) -> Feedback:
    dossier = evaluation.dossier
    rating = Rating(evaluation.overall).label
    content = _("Rating of dossier %(code)s: %(rating)s.") % {"code": dossier.code, "rating": rating}
    if evaluation.comment:
        content = f"{content}\n{evaluation.comment}"
    return feedback_submit(
        agency=dossier.receiving_agency,
        content=content,
        dossier=dossier,
        source=FeedbackSource.EVALUATION,
        evaluation=evaluation,
        given_dossier_code=dossier.code,
    )


# ----- feedback ------------------------------------------------------------------------------------


def feedback_deadlines(agency, received_at: datetime) -> tuple[datetime, datetime]:
    calendar = calendar_for(agency)
    return (
        calendar.due_at(received_at, settings.FEEDBACK_CLASSIFY_WORKING_DAYS, "working_days"),
        calendar.due_at(received_at, settings.FEEDBACK_ANSWER_WORKING_DAYS, "working_days"),
    )


def _leaders_of(agency):
    from accounts.models import User

    commune = agency.commune()
    ids = {agency.pk, commune.pk}
    return User.objects.filter(is_active=True, role=Role.LEADER, agency_id__in=ids)


def feedback_submit(
    *,
    agency,
    content: str,
    name: str = "",
    contact: str = "",
    dossier=None,
    source=FeedbackSource.FORM,
    evaluation=None,
    given_dossier_code: str = "",
) -> Feedback:
    """Receive a feedback item: its deadlines are fixed now from the agency's working calendar."""
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": [_("Write your feedback.")]})
    if len(content) > MAX_FEEDBACK:
        raise ValidationError({"content": [_("The feedback is too long (at most 5000 characters).")]})
    now = timezone.now()
    classify_due, answer_due = feedback_deadlines(agency, now)
    with transaction.atomic():
        feedback = Feedback.objects.create(
            agency=agency,
            dossier=dossier,
            evaluation=evaluation,
            source=source,
            name=" ".join((name or "").split())[:150],
            contact=(contact or "").strip()[:200],
            content=content,
            given_dossier_code=(given_dossier_code or "").strip()[:64],
            received_at=now,
            classify_due_at=classify_due,
            answer_due_at=answer_due,
        )
        transaction.on_commit(lambda: _notify_new_feedback(feedback.pk))
    return feedback


def _notify_new_feedback(feedback_id: int):
    from notifications.models import NotificationKind
    from notifications.services import notify_staff

    feedback = Feedback.objects.select_related("agency", "dossier").get(pk=feedback_id)
    if feedback.source == FeedbackSource.EVALUATION:
        title = _("Dissatisfied rating of dossier %(code)s") % {"code": feedback.dossier.code}
    else:
        title = _("New feedback from a citizen")
    notify_staff(
        users=_leaders_of(feedback.agency),
        kind=NotificationKind.INFO,
        title=title,
        body=_("To answer by %(date)s.") % {"date": timezone.localtime(feedback.answer_due_at).strftime("%d/%m/%Y")},
        url=reverse("surveys:feedback_detail", args=[feedback.pk]),
        dossier=feedback.dossier,
        dedupe=f"feedback:{feedback.pk}",
    )


def _lock(feedback: Feedback, user, step: str) -> Feedback:
    """Lock the item and ask the feedback rule table (surveys.rules) whether this step may run."""
    from .rules import STEPS, feedback_evaluate

    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    verdict = feedback_evaluate(user, feedback, step)
    if not verdict.allowed:
        raise (FeedbackStepNotAllowed if verdict.status_code == 409 else PermissionDenied)(verdict.reason)
    feedback.status = STEPS[step].target  # saved by the step with its own fields
    return feedback


@transaction.atomic
def feedback_classify(*, feedback: Feedback, by, category: str, note: str = "") -> Feedback:
    feedback = _lock(feedback, by, "classify")
    if category not in FeedbackCategory.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    feedback.category, feedback.classification_note = category, (note or "").strip()
    feedback.classified_at, feedback.classified_by = timezone.now(), by
    feedback.save(update_fields=["category", "classification_note", "classified_at", "classified_by", "status"])
    return feedback


@transaction.atomic
def feedback_answer(*, feedback: Feedback, by, answer: str) -> Feedback:
    feedback = _lock(feedback, by, "answer")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer.")]})
    feedback.answer, feedback.answered_at, feedback.answered_by = answer, timezone.now(), by
    feedback.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    return feedback


@transaction.atomic
def feedback_publish(*, feedback: Feedback, by, summary: str) -> Feedback:
    """Publish the answer with a summary of the feedback written for the public (no personal data)."""
    feedback = _lock(feedback, by, "publish")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [_("Write a summary of the feedback for the public.")]})
    feedback.public_summary, feedback.published_at, feedback.published_by = summary, timezone.now(), by
    feedback.save(update_fields=["public_summary", "published_at", "published_by", "status"])
    return feedback


# ----- survey responses ----------------------------------------------------------------------------


def clean_answer(question, raw):
    """The stored value of one answer, or None when left empty. Raises ValidationError."""
    if question.kind == QuestionKind.TEXT:
        text = (raw or "").strip() if isinstance(raw, str) else ""
        return text[:MAX_COMMENT] or None
    if question.kind == QuestionKind.SCALE:
        if raw in (None, ""):
            return None
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value not in SCALE_VALUES:
            raise ValidationError(_("Choose a value from 1 to 5."))
        return value
    options = question.option_list()
    if question.kind == QuestionKind.SINGLE:
        if raw in (None, ""):
            return None
        if raw not in options:
            raise ValidationError(_("Choose one of the options."))
        return raw
    values = [v for v in (raw or []) if v]
    if any(v not in options for v in values):
        raise ValidationError(_("Choose among the options."))
    return [option for option in options if option in values] or None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def receipt_ballot(*, campaign, code: str, key: str) -> str:
    """The ballot of a dossier receipt for ``campaign``: the code and key must match a dossier of the
    campaign's agency (or below it). The same message for an unknown code and a wrong key. The ballot
    is an HMAC: the database holds no link from a response to its dossier."""
    from dossiers.selectors import dossier_get_public

    dossier = dossier_get_public("".join((code or "").split()).upper(), key or "")
    if dossier is None or dossier.receiving_agency_id not in campaign.agency.descendant_ids():
        raise ValidationError({"receipt_code": [_("No dossier matches this code and key.")]})
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"survey:{campaign.pk}:dossier:{dossier.pk}".encode(), hashlib.sha256).hexdigest()


def invitation_ballot(*, campaign, token: str) -> str:
    """The ballot of a one-time link: its token's digest, if the link was made for this campaign."""
    digest = _digest(token or "")
    if not token or not Invitation.objects.filter(campaign=campaign, digest=digest).exists():
        raise ValidationError(_("This link is not valid or has already been used."))
    return digest


def invitations_issue(*, campaign, count: int, by=None) -> list[str]:
    """Make ``count`` one-time links' tokens (128 random bits each). Only their digests are stored:
    the tokens are returned once, to be printed or sent."""
    if not 1 <= count <= 5000:
        raise ValidationError(_("Make between 1 and 5000 links at a time."))
    tokens = [secrets.token_urlsafe(16) for _i in range(count)]
    Invitation.objects.bulk_create(
        [Invitation(campaign=campaign, digest=_digest(token), created_by=by) for token in tokens]
    )
    return tokens


def response_already_counted(*, campaign, ballot: str) -> bool:
    return bool(ballot) and Response.objects.filter(campaign=campaign, ballot=ballot).exists()


@transaction.atomic
def response_submit(*, campaign, answers: dict, ballot: str = "") -> Response:
    """Record one submitted questionnaire. ``answers`` maps question id → raw value. A campaign open
    only to receipts or one-time links needs the ``ballot`` from ``receipt_ballot`` /
    ``invitation_ballot``, and counts each ballot once (a database rule too)."""
    if not campaign.is_open:
        raise ValidationError(_("This survey is not open."))
    if campaign.access != CampaignAccess.OPEN and not ballot:
        raise ValidationError(_("This survey is answered with the code and key of your receipt or a one-time link."))
    if response_already_counted(campaign=campaign, ballot=ballot):
        raise ValidationError(_("This survey has already been answered for this dossier or link. Thank you."))
    questions = list(campaign.questions.all())
    cleaned, errors = {}, {}
    for question in questions:
        try:
            value = clean_answer(question, answers.get(question.pk))
        except ValidationError as exc:
            errors[f"q{question.pk}"] = exc.messages
            continue
        if value is None:
            if question.required:
                errors[f"q{question.pk}"] = [_("Please answer this question.")]
            continue
        cleaned[question.pk] = value
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(campaign=campaign, ballot=ballot)
    except IntegrityError as exc:  # a concurrent response with the same ballot won
        raise ValidationError(_("This survey has already been answered for this dossier or link. Thank you.")) from exc
    if campaign.access == CampaignAccess.INVITATION:
        Invitation.objects.filter(campaign=campaign, digest=ballot, used_at__isnull=True).update(
            used_at=response.submitted_at
        )
    Answer.objects.bulk_create([Answer(response=response, question_id=qid, value=v) for qid, v in cleaned.items()])
    return response
