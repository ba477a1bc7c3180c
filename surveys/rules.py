"""Who may take which step of a feedback item (phản ánh, kiến nghị), and when: the one table of the
feedback lifecycle, read by its services, its page and the permission matrix alike (as
``dossiers.rules`` is for dossiers: a missing permission is 403, a state that forbids it 409)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.scoping import can_see_agency
from dossiers.rules import ALLOWED, Verdict

from .choices import FeedbackStatus

F = FeedbackStatus


@dataclass(frozen=True)
class Step:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    not_now: object  # why it cannot be taken from another status


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        # The desk (or a leader) classifies; the director answers and publishes.
        Step(
            "classify",
            (F.RECEIVED,),
            F.CLASSIFIED,
            frozenset({Role.CLERK, Role.LEADER, Role.ADMIN}),
            gettext_lazy("This feedback has already been classified."),
        ),
        Step(
            "answer",
            (F.CLASSIFIED,),
            F.ANSWERED,
            frozenset({Role.LEADER, Role.ADMIN}),
            gettext_lazy("Classify the feedback before answering it, once."),
        ),
        Step(
            "publish",
            (F.ANSWERED,),
            F.PUBLISHED,
            frozenset({Role.LEADER, Role.ADMIN}),
            gettext_lazy("Only an answered feedback can be published."),
        ),
    )
}


def feedback_evaluate(user, feedback, step: str) -> Verdict:
    rule = STEPS[step]
    if not user.is_authenticated or not user.is_active or not can_see_agency(user, feedback.agency_id):
        return Verdict(False, 403, _("You may not do this with this feedback."))
    role = Role.ADMIN if user.is_superuser else user.role
    if role not in rule.roles:
        return Verdict(False, 403, _("You may not do this with this feedback."))
    if feedback.status not in rule.sources:
        return Verdict(False, 409, str(rule.not_now))
    return ALLOWED


def feedback_allowed_steps(user, feedback) -> list[str]:
    return [name for name in STEPS if feedback_evaluate(user, feedback, name).allowed]
