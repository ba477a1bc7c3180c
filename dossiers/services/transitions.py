"""Every change of a dossier after intake. Views, the API, admin, commands and tasks call these.

Each function: lock the row, check the expected version, ask the rule table (``dossiers.rules``:
403 for a person who may not, 409 for a state that forbids it now), change the row, append a
history row, commit; side effects are written in the same transaction (outboxes) and sent after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from reports.definitions import classify_resolution

from .. import rules
from ..choices import Action, DossierStatus, ReturnMethod
from ..exceptions import ActionForbidden, ConcurrentChange, TransitionNotAllowed
from ..models import Dossier, DossierEvent, Extension, SupplementRequest
from .records import record_event
from .workflow import clock_calendar, complete_steps, current_cycle, plan_handovers

S = DossierStatus
SUPPLEMENT_WAIT_DAYS = getattr(settings, "ONESTOP_SUPPLEMENT_WAIT_DAYS", 15)


def _begin(dossier: Dossier, *, action: str, by: User | None, expected_version: int | None) -> tuple[Dossier, str]:
    """Lock the dossier, check the version, then ask the rule table. Returns the locked row.

    ``by`` None is the system (the deadline watch): only the state's rules apply."""
    locked = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("receiving_agency", "competent_agency")
        .get(pk=dossier.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentChange(
            _("Dossier %(code)s was changed by someone else a moment ago. Reload it and try again.")
            % {"code": locked.code}
        )
    rules.require(by, locked, action, system=by is None)
    return locked, locked.status


def _finish(dossier: Dossier, *, action: str, by, from_status: str, fields: list[str], note="", data=None, at=None):
    target = rules.target_status(action, dossier) if action in rules.RULES else None
    if target is not None:
        dossier.status = target
    if action in rules.RESOLVING_ACTIONS and dossier.resolved_at is None:
        dossier.resolved_at = at or timezone.now()
        dossier.timeliness = classify_resolution(
            resolved_at=dossier.resolved_at, due_at=dossier.due_at, supplement_count=dossier.supplement_count
        )
        fields = [*fields, "resolved_at", "timeliness"]
    dossier.version += 1
    dossier.save(update_fields=sorted({*fields, "status", "version", "updated_at"}))
    record_event(dossier, action=action, actor=by, from_status=from_status, note=note, data=data, at=at)
    return dossier


def _required_text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: [message]})
    if len(value) > 2000:
        raise ValidationError({field_name: [_("The text is longer than 2000 characters.")]})
    return value


@transaction.atomic
def dossier_transfer(*, dossier: Dossier, by: User, office=None, note: str = "", expected_version=None) -> Dossier:
    """The desk hands the dossier to the processing office (same working day; after 15:00, next
    morning)."""
    dossier, from_status = _begin(dossier, action=Action.TRANSFER, by=by, expected_version=expected_version)
    now = timezone.now()
    if office is not None:
        if office.commune() != dossier.competent_agency:
            raise ValidationError({"office": [_("The office must belong to the competent authority.")]})
        dossier.handling_office = office
    dossier.transferred_at = now
    complete_steps(dossier, stage="handover", by=by, at=now)
    late = now > dossier.handover_due_at
    return _finish(
        dossier,
        action=Action.TRANSFER,
        by=by,
        from_status=from_status,
        fields=["handling_office", "transferred_at"],
        note=note,
        data={"office": dossier.handling_office.code if dossier.handling_office else None, "late": late},
    )


@transaction.atomic
def dossier_assign(*, dossier: Dossier, officer: User, by: User, note: str = "", expected_version=None) -> Dossier:
    dossier, from_status = _begin(dossier, action=Action.ASSIGN, by=by, expected_version=expected_version)
    if by.role == Role.OFFICER and officer.pk != by.pk:
        raise ActionForbidden(_("An officer may only take a dossier for themself; the office head assigns others."))
    if not officer.is_active or officer.role not in (Role.OFFICER, Role.LEADER) or officer.agency_id is None:
        raise ValidationError(
            {"officer": [_("%(user)s is not an active processing officer.") % {"user": officer.username}]}
        )
    if officer.agency.commune() != dossier.competent_agency:
        raise ValidationError({"officer": [_("The officer must work for the competent authority of this dossier.")]})
    now = timezone.now()
    dossier.assignee = officer
    if officer.agency.kind == "office":
        dossier.handling_office = officer.agency
    fields = ["assignee", "handling_office"]
    if dossier.transferred_at is None:
        dossier.transferred_at = now
        fields.append("transferred_at")
        complete_steps(dossier, stage="handover", by=by, at=now)
    return _finish(
        dossier,
        action=Action.ASSIGN,
        by=by,
        from_status=from_status,
        fields=fields,
        note=note,
        data={"officer": officer.username},
    )


@transaction.atomic
def dossier_submit(
    *, dossier: Dossier, by: User, note: str = "", result_pdf: bytes | None = None, expected_version=None
) -> Dossier:
    """The officer has appraised and drafted the result: it goes to a leader for approval.

    The draft result travels with it: a PDF made elsewhere (``result_pdf``, e.g. the civil-status
    software's birth certificate) or one generated from the procedure's result template. Without
    either, the leader's signature will sign a generic result notice built from the dossier."""
    from results.services import active_result_template, result_attach_draft

    dossier, from_status = _begin(dossier, action=Action.SUBMIT, by=by, expected_version=expected_version)
    now = timezone.now()
    if result_pdf is not None or active_result_template(dossier) is not None:
        result_attach_draft(dossier=dossier, by=by, pdf_bytes=result_pdf)
    dossier.submitted_at = now
    complete_steps(dossier, stage="submit", by=by, at=now)
    return _finish(dossier, action=Action.SUBMIT, by=by, from_status=from_status, fields=["submitted_at"], note=note)


@transaction.atomic
def dossier_accept(*, dossier: Dossier, by: User, note: str = "", expected_version=None) -> Dossier:
    """The desk accepts an online dossier (Decree 118 Art. 17): it gets its receipt, and its clock
    starts now, on the competent authority's calendar."""
    dossier, from_status = _begin(dossier, action=Action.ACCEPT, by=by, expected_version=expected_version)
    now = timezone.now()
    dossier.accepted_at = dossier.received_at = dossier.competent_received_at = dossier.clock_started_at = now
    calendar = clock_calendar(dossier)
    dossier.due_at = dossier.original_due_at = calendar.due_at(now, dossier.processing_amount, dossier.processing_unit)
    dossier.handover_due_at = calendar.handover_due_at(now)
    plan_handovers(dossier, dossier.procedure_version, cycle=current_cycle(dossier), start=now, calendar=calendar)
    return _finish(
        dossier,
        action=Action.ACCEPT,
        by=by,
        from_status=from_status,
        fields=[
            "accepted_at",
            "received_at",
            "competent_received_at",
            "clock_started_at",
            "due_at",
            "original_due_at",
            "handover_due_at",
        ],
        note=note,
        data={"due_at": dossier.due_at.isoformat(), "external_code": dossier.external_code},
    )


@transaction.atomic
def dossier_request_supplement(
    *, dossier: Dossier, by: User, reason: str, missing: str | list[str], expected_version=None
) -> Dossier:
    """Request to supplement after appraisal (Mẫu 02). The first is normal; later ones are flagged
    (they count as late, Decision 766). ``missing`` is the text of the request or the list of
    papers, one per line of the form."""
    dossier, from_status = _begin(dossier, action=Action.REQUEST_SUPPLEMENT, by=by, expected_version=expected_version)
    reason = _required_text(reason, "reason", _("Give the reason for the request."))
    if isinstance(missing, list | tuple):
        missing = "\n".join(" ".join(str(item).split()) for item in missing if str(item).strip())
    missing = _required_text(
        missing, "missing", _("List every paper that is missing or must be corrected, all at once.")
    )
    now = timezone.now()
    deadline = now + timedelta(days=SUPPLEMENT_WAIT_DAYS)
    flagged = dossier.supplement_count >= 1
    SupplementRequest.objects.create(
        dossier=dossier,
        reason=reason,
        missing=missing,
        deadline=deadline,
        created_by=by,
        created_at=now,
        flagged=flagged,
    )
    dossier.supplement_count += 1
    dossier.supplement_requested_at, dossier.supplement_deadline = now, deadline
    return _finish(
        dossier,
        action=Action.REQUEST_SUPPLEMENT,
        by=by,
        from_status=from_status,
        fields=["supplement_count", "supplement_requested_at", "supplement_deadline"],
        note=reason,
        data={"missing": missing, "deadline": deadline.isoformat(), "flagged": flagged},
    )


@transaction.atomic
def dossier_supplement(*, dossier: Dossier, by: User, note: str = "", expected_version=None) -> Dossier:
    """The citizen brought the papers: the deadline restarts from zero (not a pause)."""
    dossier, from_status = _begin(dossier, action=Action.SUPPLEMENT, by=by, expected_version=expected_version)
    now = timezone.now()
    previous_due = dossier.due_at
    dossier.clock_started_at = now
    dossier.due_at = clock_calendar(dossier).due_at(now, dossier.processing_amount, dossier.processing_unit)
    dossier.original_due_at = dossier.due_at
    dossier.supplement_deadline = None
    dossier.submitted_at = None  # a new cycle: the appraisal starts again
    fields = ["clock_started_at", "due_at", "original_due_at", "supplement_deadline", "submitted_at"]
    if dossier.filed_at is not None and dossier.accepted_at is None:
        # An online dossier completed after the desk asked for corrections: accepted now.
        dossier.accepted_at = dossier.received_at = dossier.competent_received_at = now
        fields += ["accepted_at", "received_at", "competent_received_at"]
    plan_handovers(dossier, dossier.procedure_version, cycle=current_cycle(dossier) + 1, start=now)
    if dossier.transferred_at is not None:
        complete_steps(dossier, stage="handover", by=by, at=now)
    return _finish(
        dossier,
        action=Action.SUPPLEMENT,
        by=by,
        from_status=from_status,
        fields=fields,
        note=note,
        data={"previous_due_at": previous_due.isoformat(), "due_at": dossier.due_at.isoformat()},
    )


@transaction.atomic
def dossier_extend(*, dossier: Dossier, by: User, reason: str, new_due_at: datetime, expected_version=None) -> Dossier:
    """Apology letter with a new appointment (Mẫu 04): once only, and only before the due time."""
    dossier, from_status = _begin(dossier, action=Action.EXTEND, by=by, expected_version=expected_version)
    reason = _required_text(reason, "reason", _("Give the reason for the delay."))
    now = timezone.now()
    if new_due_at is None or new_due_at <= dossier.due_at:
        raise ValidationError({"new_due_at": [_("The new appointment must be later than the current one.")]})
    if new_due_at > dossier.due_at + timedelta(days=366):
        raise ValidationError({"new_due_at": [_("The new appointment is more than a year away.")]})
    previous = dossier.due_at
    try:
        with transaction.atomic():
            Extension.objects.create(
                dossier=dossier,
                reason=reason,
                previous_due_at=previous,
                new_due_at=new_due_at,
                created_by=by,
                created_at=now,
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("This dossier was already extended once; the new date may be set only once.")
        ) from None
    dossier.due_at, dossier.extended_at = new_due_at, now
    return _finish(
        dossier,
        action=Action.EXTEND,
        by=by,
        from_status=from_status,
        fields=["due_at", "extended_at"],
        note=reason,
        data={"previous_due_at": previous.isoformat(), "new_due_at": new_due_at.isoformat()},
    )


@transaction.atomic
def dossier_refuse(*, dossier: Dossier, by: User, reason: str, expected_version=None) -> Dossier:
    """Refusal with reason (Mẫu 03)."""
    dossier, from_status = _begin(dossier, action=Action.REFUSE, by=by, expected_version=expected_version)
    reason = _required_text(reason, "reason", _("Give the reason for refusing."))
    dossier.finished_at = timezone.now()
    return _finish(dossier, action=Action.REFUSE, by=by, from_status=from_status, fields=["finished_at"], note=reason)


@transaction.atomic
def dossier_approve(
    *, dossier: Dossier, by: User, note: str = "", passphrase: str | None = None, expected_version=None
) -> Dossier:
    """The leader approves: the result is signed and ready for return.

    A leader with a signing certificate (results.SigningCredential) signs the draft result in the
    same transaction (PAdES; the generic result notice when no draft came with the submission): a
    key that fails means the dossier is not approved. Without a certificate the result is on paper,
    unless settings.RESULTS_SIGNING_REQUIRED asks for an electronic one."""
    from results.services import result_attach_draft, result_needs_signature, result_sign, signing_credential_for

    dossier, from_status = _begin(dossier, action=Action.APPROVE, by=by, expected_version=expected_version)
    now = timezone.now()
    data = {}
    if signing_credential_for(by) is not None:
        if not result_needs_signature(dossier=dossier):
            result_attach_draft(dossier=dossier, by=by)
        signed = result_sign(dossier=dossier, by=by, passphrase=passphrase)
        data = {"result": signed.number, "sha256": signed.sha256}
    elif settings.RESULTS_SIGNING_REQUIRED:
        raise ValidationError(_("You have no signing certificate. Ask the administrator to set one up."))
    dossier.result_ready_at = now
    fields = ["result_ready_at"]
    if dossier.transferred_at is None:
        dossier.transferred_at = now
        fields.append("transferred_at")
    complete_steps(dossier, stage="approve", by=by, at=now)
    return _finish(dossier, action=Action.APPROVE, by=by, from_status=from_status, fields=fields, note=note, data=data)


@transaction.atomic
def dossier_return(
    *,
    dossier: Dossier,
    by: User,
    received_by_name: str = "",
    tracking_number: str = "",
    note: str = "",
    expected_version=None,
) -> Dossier:
    """The result is handed over at the desk (to whom) or posted (with a tracking number)."""
    dossier, from_status = _begin(dossier, action=Action.RETURN, by=by, expected_version=expected_version)
    received_by_name = " ".join((received_by_name or "").split())[:150]
    tracking_number = (tracking_number or "").strip()[:64]
    if dossier.return_method == ReturnMethod.POST and not tracking_number:
        raise ValidationError({"tracking_number": [_("Give the postal tracking number of the result.")]})
    if dossier.return_method == ReturnMethod.DESK and not received_by_name:
        received_by_name = dossier.applicant_name
    now = timezone.now()
    dossier.finished_at = now
    dossier.returned_to, dossier.tracking_number = received_by_name, tracking_number
    complete_steps(dossier, stage="return", by=by, at=now)
    return _finish(
        dossier,
        action=Action.RETURN,
        by=by,
        from_status=from_status,
        fields=["finished_at", "returned_to", "tracking_number"],
        note=note,
        data={"received_by": received_by_name, "tracking_number": tracking_number},
    )


@transaction.atomic
def dossier_withdraw(*, dossier: Dossier, by: User, reason: str, expected_version=None) -> Dossier:
    """The citizen stops the dossier before the result is issued (Mẫu 05)."""
    dossier, from_status = _begin(dossier, action=Action.WITHDRAW, by=by, expected_version=expected_version)
    reason = _required_text(reason, "reason", _("Give the citizen's reason for withdrawing."))
    dossier.finished_at = timezone.now()
    return _finish(dossier, action=Action.WITHDRAW, by=by, from_status=from_status, fields=["finished_at"], note=reason)


@transaction.atomic
def dossier_close(*, dossier: Dossier, by: User | None, note: str = "", expected_version=None) -> Dossier:
    """No supplement came within the waiting period after the notice: the desk closes the dossier."""
    dossier, from_status = _begin(dossier, action=Action.CLOSE, by=by, expected_version=expected_version)
    now = timezone.now()
    dossier.finished_at = now
    return _finish(dossier, action=Action.CLOSE, by=by, from_status=from_status, fields=["finished_at"], note=note)


def dossier_record_note(*, dossier: Dossier, note: str, by: User | None = None, at=None, data=None) -> DossierEvent:
    """A line in the history that changes no state (e.g. the deadline watch marking a late dossier)."""
    return record_event(dossier, action=Action.NOTE, actor=by, from_status=dossier.status, note=note, at=at, data=data)


@transaction.atomic
def dossier_apologize_late(
    *, dossier: Dossier, by: User, reason: str, expected_at: datetime, expected_version=None
) -> Dossier:
    """Complete and send the apology letter (Mẫu 04) of a dossier that became late. The appointment
    in force does not move: the dossier stays late in the reports; the citizen is told why and when."""
    from ..models import LateApology

    dossier, from_status = _begin(dossier, action=Action.APOLOGY, by=by, expected_version=expected_version)
    reason = _required_text(reason, "reason", _("Give the reason for the delay."))
    now = timezone.now()
    if expected_at is None or expected_at <= now:
        raise ValidationError({"expected_at": [_("The new expected date must be in the future.")]})
    apology, _created = LateApology.objects.get_or_create(dossier=dossier, defaults={"drafted_at": now})
    apology.reason, apology.expected_at, apology.completed_by, apology.completed_at = reason, expected_at, by, now
    apology.save()
    return _finish(
        dossier,
        action=Action.APOLOGY,
        by=by,
        from_status=from_status,
        fields=[],
        note=reason,
        data={"expected_at": expected_at.isoformat()},
    )


SERVICES = {
    Action.ACCEPT: dossier_accept,
    Action.TRANSFER: dossier_transfer,
    Action.ASSIGN: dossier_assign,
    Action.SUBMIT: dossier_submit,
    Action.REQUEST_SUPPLEMENT: dossier_request_supplement,
    Action.SUPPLEMENT: dossier_supplement,
    Action.EXTEND: dossier_extend,
    Action.REFUSE: dossier_refuse,
    Action.APPROVE: dossier_approve,
    Action.RETURN: dossier_return,
    Action.WITHDRAW: dossier_withdraw,
    Action.CLOSE: dossier_close,
    Action.APOLOGY: dossier_apologize_late,
}

# What each action takes besides the dossier, the actor and the expected version.
ACTION_ARGUMENTS = {
    Action.ACCEPT: ("note",),
    Action.TRANSFER: ("office", "note"),
    Action.ASSIGN: ("officer", "note"),
    Action.SUBMIT: ("note", "result_pdf"),
    Action.REQUEST_SUPPLEMENT: ("reason", "missing"),
    Action.SUPPLEMENT: ("note",),
    Action.EXTEND: ("reason", "new_due_at"),
    Action.REFUSE: ("reason",),
    Action.APPROVE: ("note", "passphrase"),
    Action.RETURN: ("received_by_name", "tracking_number", "note"),
    Action.WITHDRAW: ("reason",),
    Action.CLOSE: ("note",),
    Action.APOLOGY: ("reason", "expected_at"),
}


def dossier_act(*, dossier: Dossier, action: str, by: User, expected_version: int | None = None, **inputs) -> Dossier:
    """Take an action by its name with whatever the caller collected (the page's form, the API's
    body): each service gets the arguments it takes, and only those."""
    arguments = {name: inputs[name] for name in ACTION_ARGUMENTS[action] if inputs.get(name) is not None}
    return SERVICES[action](dossier=dossier, by=by, expected_version=expected_version, **arguments)
