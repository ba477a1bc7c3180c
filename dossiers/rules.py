"""Who may do what to a dossier, and when: the one rule table of the dossier lifecycle.

Every action is declared once (django-fsm's pattern, ../shared/style.md "Rules that decide"):

- ``sources``: the statuses it may start from;
- ``target``: where it leads (``None``: the status stays; a callable for a target that depends on
  the dossier);
- ``grants``: who may take it — a *party* (the desk, the processing office, the deciding leader),
  each optionally only at a stage of the dossier ("the desk refuses only before the hand-over");
- ``conditions``: facts about the dossier that must hold now ("no extension yet", "the
  supplement deadline has passed").

``evaluate`` reads the table and answers with a ``Verdict``: allowed, or refused with the HTTP
status and the Vietnamese reason. The order of the questions fixes which failure wins:

1. may the user see the dossier at all, and is the user one of the parties the action names
   (else **403**: "not yours");
2. is the status one the action starts from (else **409**);
3. does a grant of the user's party hold at this stage (else **403**);
4. do the conditions hold now (else **409**).

The services call ``require`` before they change anything; the dossier page's buttons, the API's
``allowed_actions`` and the permission matrix call ``allowed_actions``. Nobody else decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from agencies.choices import AgencyKind

from .choices import Action, DossierStatus
from .exceptions import ActionForbidden, TransitionNotAllowed

S = DossierStatus

# ----- parties -----------------------------------------------------------------------------------
# The relation of a member of staff to one dossier (not a role: a leader of another commune is no
# party to this commune's dossiers).
DESK = "desk"  # a clerk of the receiving desk's commune (cán bộ một cửa)
OFFICE = "office"  # an officer or office head of the competent authority, or the assigned officer
OFFICE_HEAD = "office_head"  # a leader of one of the competent authority's offices (trưởng phòng)
DECIDER = "decider"  # a leader of the competent authority, or one it delegates to (lãnh đạo)

PARTY_LABELS = {
    DESK: gettext_lazy("the one-stop desk that received the dossier"),
    OFFICE: gettext_lazy("the processing office of the competent authority"),
    OFFICE_HEAD: gettext_lazy("the head of the processing office"),
    DECIDER: gettext_lazy("a leader of the competent authority (or a delegate)"),
}


def commune_of(agency):
    """The commune (or province) an agency belongs to (``Agency.commune``); None for none."""
    return agency.commune() if agency is not None else None


class Facts:
    """What the rules ask about one user and one dossier, each computed at most once."""

    def __init__(self, user, dossier, *, now=None):
        self.user = user
        self.dossier = dossier
        self.now = now or timezone.now()

    @cached_property
    def role(self) -> str | None:
        if self.user is None:
            return None
        return Role.ADMIN if self.user.is_superuser else self.user.role

    @cached_property
    def can_see(self) -> bool:
        from .services.access import can_access_dossier

        return self.user is not None and self.user.is_active and can_access_dossier(self.user, self.dossier)

    @cached_property
    def user_commune_id(self):
        agency = getattr(self.user, "agency", None)
        return commune_of(agency).pk if agency is not None else None

    @cached_property
    def parties(self) -> frozenset[str]:
        user, dossier = self.user, self.dossier
        if user is None or not user.is_active or user.agency_id is None or not self.can_see:
            return frozenset()
        parties = set()
        competent_id = dossier.competent_agency_id
        if self.role == Role.CLERK and self.user_commune_id == commune_of(dossier.receiving_agency).pk:
            parties.add(DESK)
        in_competent_office = user.agency.kind == AgencyKind.OFFICE and self.user_commune_id == competent_id
        # An officer works in an office of the competent commune, or for the commune itself.
        officer_of_competent = self.user_commune_id == competent_id and user.agency.kind != AgencyKind.SERVICE_CENTER
        if self.role == Role.OFFICER and (officer_of_competent or dossier.assignee_id == user.pk):
            parties.add(OFFICE)
        if self.role == Role.LEADER:
            if in_competent_office:
                parties.update((OFFICE, OFFICE_HEAD))
            if self._decides():
                parties.add(DECIDER)
        return frozenset(parties)

    def _decides(self) -> bool:
        user, competent_id = self.user, self.dossier.competent_agency_id
        if user.agency_id == competent_id:
            return True
        # A leader above the competent authority sees and reports; acts only where a setting grants it.
        upper = user.agency.kind in (AgencyKind.PROVINCE, AgencyKind.COMMUNE)
        if upper and settings.ONESTOP_UPPER_LEADERS_MAY_ACT and competent_id in user.agency.descendant_ids():
            return True
        from accounts.models import ApprovalDelegation

        return (
            ApprovalDelegation.objects.active(on=timezone.localdate(self.now))
            .filter(agency_id=competent_id, delegate=user)
            .exists()
        )

    # Facts about the dossier.
    @property
    def handed_over(self) -> bool:
        return self.dossier.transferred_at is not None

    @property
    def submitted(self) -> bool:
        return self.dossier.submitted_at is not None


# ----- conditions (409) and stages (403) ---------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A named fact with the reason given when it does not hold."""

    name: str
    test: Callable[[Facts], bool]
    reason: Callable[[Facts], str]


def _fmt(instant) -> str:
    return timezone.localtime(instant).strftime("%H:%M %d/%m/%Y")


NOT_HANDED_OVER = Check(
    "not_handed_over",
    lambda f: not f.handed_over,
    lambda f: _("After the hand-over to the processing office, only the office or a leader may do this."),
)
HANDED_OVER = Check(
    "handed_over",
    lambda f: f.handed_over,
    lambda f: _("The dossier has not been handed over to the processing office yet: the desk does this."),
)
DESK_REFUSES_BEFORE_HANDOVER = Check(
    "desk_refuses_before_handover",
    lambda f: not f.handed_over,
    lambda f: _("After the hand-over, only a leader of the competent authority may refuse the dossier."),
)
OWN_OR_UNASSIGNED = Check(
    "own_or_unassigned",
    lambda f: f.dossier.assignee_id in (None, f.user.pk) or OFFICE_HEAD in f.parties,
    lambda f: _("This dossier is assigned to another officer."),
)
NOT_SUBMITTED = Check(
    "not_submitted",
    lambda f: not f.submitted,
    lambda f: _("The appraisal was already submitted for approval."),
)
APPRAISED = Check(
    "appraised",
    lambda f: f.submitted or not f.dossier.requires_appraisal,
    lambda f: _("The processing officer has not submitted the appraisal yet: it cannot be approved before."),
)
NOT_ALREADY_HELD = Check(
    "not_already_held",
    # An officer can only take a dossier for themself: nothing to do when they already hold it.
    lambda f: not (f.dossier.assignee_id == f.user.pk and f.parties & {DESK, OFFICE_HEAD, DECIDER} == set()),
    lambda f: _("You already hold this dossier."),
)
NO_EXTENSION_YET = Check(
    "no_extension_yet",
    lambda f: f.dossier.extended_at is None,
    lambda f: _("This dossier was already extended once; the new date may be set only once."),
)
BEFORE_DUE = Check(
    "before_due",
    lambda f: f.now < f.dossier.due_at,
    lambda f: (
        _("The due time has passed: an extension must be asked before %(due)s.") % {"due": _fmt(f.dossier.due_at)}
    ),
)
SUPPLEMENT_WAIT_OVER = Check(
    "supplement_wait_over",
    lambda f: f.dossier.supplement_deadline is None or f.now >= f.dossier.supplement_deadline,
    lambda f: (
        _("The citizen has until %(deadline)s to bring the papers; the dossier cannot be closed before.")
        % {"deadline": _fmt(f.dossier.supplement_deadline)}
    ),
)
OVERDUE = Check(
    "overdue",
    lambda f: f.now > f.dossier.due_at,
    lambda f: _("Only an open dossier past its due time needs a late apology."),
)
APOLOGY_NOT_SENT = Check(
    "apology_not_sent",
    lambda f: getattr(getattr(f.dossier, "late_apology", None), "completed_at", None) is None,
    lambda f: _("The apology letter of this dossier was already sent."),
)


@dataclass(frozen=True)
class Grant:
    """A party may take the action, at the stages where every check holds."""

    party: str
    when: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Rule:
    action: str
    sources: tuple[str, ...]
    target: str | None | Callable[[object], str]
    grants: tuple[Grant, ...]
    conditions: tuple[Check, ...] = ()

    @property
    def parties(self) -> set[str]:
        return {grant.party for grant in self.grants}


def _after_supplement(dossier) -> str:
    """Papers brought in: back to the office, or (an online dossier never accepted) to the desk."""
    return S.IN_PROGRESS if dossier.transferred_at is not None else S.RECEIVED


OPEN_BEFORE_RESULT = (S.RECEIVED, S.IN_PROGRESS, S.AWAITING_SUPPLEMENT)

# The table. Its order is the order the page shows the actions in.
RULES: dict[str, Rule] = {
    rule.action: rule
    for rule in (
        Rule(Action.ACCEPT, (S.AWAITING_ACCEPTANCE,), S.RECEIVED, (Grant(DESK),)),
        Rule(Action.TRANSFER, (S.RECEIVED,), S.IN_PROGRESS, (Grant(DESK),)),
        Rule(
            Action.ASSIGN,
            (S.RECEIVED, S.IN_PROGRESS),
            S.IN_PROGRESS,
            (Grant(DESK, (NOT_HANDED_OVER,)), Grant(OFFICE_HEAD), Grant(DECIDER), Grant(OFFICE, (OWN_OR_UNASSIGNED,))),
            (NOT_SUBMITTED, NOT_ALREADY_HELD),
        ),
        Rule(
            Action.SUBMIT,
            (S.IN_PROGRESS,),
            None,
            (Grant(OFFICE, (OWN_OR_UNASSIGNED,)),),
            (NOT_SUBMITTED,),
        ),
        Rule(
            Action.APPROVE,
            (S.RECEIVED, S.IN_PROGRESS),
            S.RESULT_READY,
            (Grant(DECIDER),),
            (APPRAISED,),
        ),
        Rule(Action.RETURN, (S.RESULT_READY,), S.RETURNED, (Grant(DESK),)),
        Rule(
            Action.SUPPLEMENT,
            (S.AWAITING_SUPPLEMENT,),
            _after_supplement,
            (Grant(DESK), Grant(OFFICE)),
        ),
        Rule(
            Action.REQUEST_SUPPLEMENT,
            (S.AWAITING_ACCEPTANCE, S.RECEIVED, S.IN_PROGRESS),
            S.AWAITING_SUPPLEMENT,
            (Grant(DESK, (NOT_HANDED_OVER,)), Grant(OFFICE, (HANDED_OVER,)), Grant(DECIDER, (HANDED_OVER,))),
        ),
        Rule(
            Action.EXTEND,
            (S.RECEIVED, S.IN_PROGRESS),
            None,
            (Grant(OFFICE), Grant(DECIDER)),
            (NO_EXTENSION_YET, BEFORE_DUE),
        ),
        Rule(
            Action.APOLOGY,
            (S.RECEIVED, S.IN_PROGRESS),
            None,
            (Grant(OFFICE), Grant(DECIDER)),
            (OVERDUE, APOLOGY_NOT_SENT),
        ),
        Rule(
            Action.REFUSE,
            (S.AWAITING_ACCEPTANCE, *OPEN_BEFORE_RESULT),
            S.REFUSED,
            (Grant(DESK, (DESK_REFUSES_BEFORE_HANDOVER,)), Grant(DECIDER)),
        ),
        Rule(
            Action.WITHDRAW,
            (S.AWAITING_ACCEPTANCE, *OPEN_BEFORE_RESULT),
            S.WITHDRAWN,
            (Grant(DESK), Grant(DECIDER)),
        ),
        Rule(
            Action.CLOSE,
            (S.AWAITING_SUPPLEMENT,),
            S.CLOSED,
            (Grant(DESK),),
            (SUPPLEMENT_WAIT_OVER,),
        ),
    )
}

# Actions that end the handling of a dossier (reports count them as resolved).
RESOLVING_ACTIONS = (Action.APPROVE, Action.REFUSE, Action.WITHDRAW, Action.CLOSE)


def target_status(action: str, dossier) -> str | None:
    target = RULES[action].target
    return target(dossier) if callable(target) else target


# ----- evaluation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    status_code: int = 200  # 403 or 409 when refused
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = Verdict(True)


def evaluate(user, dossier, action: str, *, facts: Facts | None = None, system: bool = False) -> Verdict:
    """May ``user`` take ``action`` on ``dossier`` now? ``system`` (the deadline watch) skips the
    questions about people and asks only the state's."""
    rule = RULES.get(action)
    if rule is None:
        return Verdict(False, 404, _("Unknown action %(action)s.") % {"action": action})
    facts = facts or Facts(user, dossier)
    label = Action(action).label
    if not system:
        if user is None or not user.is_active:
            return Verdict(False, 403, _("This account is disabled."))
        if not facts.can_see:
            return Verdict(False, 403, _("This dossier belongs to another agency."))
        mine = [grant for grant in rule.grants if grant.party in facts.parties]
        if not mine:
            who = "; ".join(str(PARTY_LABELS[p]) for p in sorted(rule.parties))
            return Verdict(
                False,
                403,
                _("You may not do this on this dossier: %(action)s. Only %(who)s may.") % {"action": label, "who": who},
            )
    if dossier.status not in rule.sources:
        return Verdict(
            False,
            409,
            _("“%(action)s” is not allowed while the dossier is “%(status)s”.")
            % {"action": label, "status": S(dossier.status).label},
        )
    if not system:
        failed = None
        for grant in mine:
            failed = next((check for check in grant.when if not check.test(facts)), None)
            if failed is None:
                break
        if failed is not None:
            return Verdict(False, 403, failed.reason(facts))
    for check in rule.conditions:
        if not check.test(facts):
            return Verdict(False, 409, check.reason(facts))
    return ALLOWED


def require(user, dossier, action: str, *, system: bool = False) -> None:
    """Raise the verdict's error unless the action is allowed now (the services' guard)."""
    verdict = evaluate(user, dossier, action, system=system)
    if verdict.allowed:
        return
    if verdict.status_code == 409:
        raise TransitionNotAllowed(verdict.reason)
    raise ActionForbidden(verdict.reason)


def allowed_actions(user, dossier, *, now=None) -> list[str]:
    """The actions the user may take on the dossier now: for buttons, the API and the matrix."""
    facts = Facts(user, dossier, now=now)
    if not facts.can_see or not facts.parties:
        return []
    return [action for action in RULES if evaluate(user, dossier, action, facts=facts).allowed]


def may_ever(user, action: str) -> bool:
    """Could the user's role take this action on some dossier (menus, worklist tabs)?"""
    role = Role.ADMIN if user.is_superuser else user.role
    parties_of_role = {
        Role.CLERK: {DESK},
        Role.OFFICER: {OFFICE},
        Role.LEADER: {OFFICE, OFFICE_HEAD, DECIDER},
    }.get(role, set())
    return bool(parties_of_role & RULES[action].parties)


def kiosk_rating_open(user, dossier, *, key: str | None = None, now=None) -> Verdict:
    """May the desk's rating tablet take the citizen's one rating of this dossier? With the
    citizen's lookup key, yes once returned; without it, only for a dossier returned at this desk
    within the window (settings.KIOSK_RATING_WINDOW_MINUTES): a logged-in tablet cannot use up
    another citizen's rating."""
    import hmac
    from datetime import timedelta

    if dossier.status != S.RETURNED:
        return Verdict(False, 409, _("The dossier can be rated once its result has been returned."))
    if key and hmac.compare_digest(str(key), dossier.lookup_key):
        return ALLOWED
    facts = Facts(user, dossier, now=now)
    window = timedelta(minutes=settings.KIOSK_RATING_WINDOW_MINUTES)
    if DESK in facts.parties and dossier.finished_at is not None and facts.now - dossier.finished_at <= window:
        return ALLOWED
    return Verdict(
        False,
        403,
        _(
            "Enter the lookup key on the citizen's receipt: without it, only a dossier just returned "
            "at this desk can be rated."
        ),
    )
