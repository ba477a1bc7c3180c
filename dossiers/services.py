"""Every state change of a dossier. Views, the API, admin, commands and tasks call these.

Each function: lock the row, check the transition against ``ALLOWED_TRANSITIONS`` and the actor's
role, change it, append a history row, commit; side effects run after commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.scoping import can_see_agency
from agencies.calendar import calendar_for
from agencies.choices import AgencyKind
from procedures.models import Procedure
from procedures.selectors import agency_settings_for, processing_time_for
from reports.definitions import classify_resolution

from .choices import Action, Channel, DossierStatus, GuidanceKind, ReturnMethod
from .codes import new_lookup_key, next_dossier_code
from .models import (
    Applicant,
    Attachment,
    Dossier,
    DossierDocument,
    DossierEvent,
    Extension,
    Guidance,
    Handover,
    SupplementRequest,
)

S = DossierStatus

# The one table of allowed transitions: action → statuses it may start from.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Action.TRANSFER: (S.RECEIVED,),
    Action.ASSIGN: (S.RECEIVED, S.IN_PROGRESS),
    Action.SUBMIT: (S.IN_PROGRESS,),
    Action.REQUEST_SUPPLEMENT: (S.RECEIVED, S.IN_PROGRESS),
    Action.SUPPLEMENT: (S.AWAITING_SUPPLEMENT,),
    Action.EXTEND: (S.RECEIVED, S.IN_PROGRESS),
    Action.REFUSE: (S.RECEIVED, S.IN_PROGRESS, S.AWAITING_SUPPLEMENT),
    Action.APPROVE: (S.RECEIVED, S.IN_PROGRESS),
    Action.RETURN: (S.RESULT_READY,),
    Action.WITHDRAW: (S.RECEIVED, S.IN_PROGRESS, S.AWAITING_SUPPLEMENT),
    Action.CLOSE: (S.AWAITING_SUPPLEMENT,),
}
# Where each action leads (None: the status stays).
TARGET_STATUS: dict[str, str | None] = {
    Action.TRANSFER: S.IN_PROGRESS,
    Action.ASSIGN: S.IN_PROGRESS,
    Action.SUBMIT: None,
    Action.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
    Action.SUPPLEMENT: S.IN_PROGRESS,
    Action.EXTEND: None,
    Action.REFUSE: S.REFUSED,
    Action.APPROVE: S.RESULT_READY,
    Action.RETURN: S.RETURNED,
    Action.WITHDRAW: S.WITHDRAWN,
    Action.CLOSE: S.CLOSED,
}
# Which roles may take each action (administrators may take all).
ACTION_ROLES: dict[str, set[str]] = {
    Action.RECEIVE: {Role.CLERK},
    Action.TRANSFER: {Role.CLERK, Role.LEADER},
    # The desk hands the dossier to a processing officer; an office head assigns; an officer takes it.
    Action.ASSIGN: {Role.CLERK, Role.LEADER, Role.OFFICER},
    Action.SUBMIT: {Role.OFFICER, Role.LEADER},
    Action.REQUEST_SUPPLEMENT: {Role.CLERK, Role.OFFICER, Role.LEADER},
    Action.SUPPLEMENT: {Role.CLERK, Role.OFFICER, Role.LEADER},
    Action.EXTEND: {Role.OFFICER, Role.LEADER},
    Action.REFUSE: {Role.CLERK, Role.OFFICER, Role.LEADER},
    Action.APPROVE: {Role.OFFICER, Role.LEADER},
    Action.RETURN: {Role.CLERK, Role.LEADER},
    Action.WITHDRAW: {Role.CLERK, Role.OFFICER, Role.LEADER},
    Action.CLOSE: {Role.CLERK, Role.LEADER},
}

SUPPLEMENT_WAIT_DAYS = getattr(settings, "ONESTOP_SUPPLEMENT_WAIT_DAYS", 15)
ALLOWED_UPLOAD_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_UPLOAD_BYTES = getattr(settings, "ONESTOP_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# Sent after commit with the dossier id and the action: notifications and summaries listen.
dossier_changed = Signal()
# Sent inside the transaction with each history row: the outbox and summaries are written with it,
# so they commit or roll back together with the change.
dossier_event_recorded = Signal()


class TransitionNotAllowed(Exception):
    """The action is not allowed from the dossier's status (or right now): HTTP 409."""


class ConcurrentChange(TransitionNotAllowed):
    """Someone else changed the dossier since the form was opened: HTTP 409."""


class ActionForbidden(PermissionError):
    """The user's role or agency may not take this action: HTTP 403."""


# ----- checks ------------------------------------------------------------------------------------

_ID_NUMBER = re.compile(r"^(\d{12}|\d{9}|[A-Z]\d{7,8})$")
_PHONE = re.compile(r"^(0\d{9,10}|\+84\d{9,10})$")


def clean_id_number(value: str) -> str:
    value = re.sub(r"\s", "", value or "").upper()
    if not _ID_NUMBER.match(value):
        raise ValidationError(
            _("The ID number must be the 12 digits of a citizen identity card (or 9 digits, or a passport number).")
        )
    return value


def clean_phone(value: str) -> str:
    value = re.sub(r"[\s.\-()]", "", value or "")
    if value and not _PHONE.match(value):
        raise ValidationError(_("The phone number must have 10 or 11 digits and start with 0 or +84."))
    return value


@dataclass
class ApplicantData:
    full_name: str
    id_number: str
    phone: str = ""
    email: str = ""
    address: str = ""

    def cleaned(self) -> ApplicantData:
        errors = {}
        full_name = " ".join((self.full_name or "").split())
        if not full_name:
            errors["full_name"] = [_("Enter the applicant's full name.")]
        elif len(full_name) > 150:
            errors["full_name"] = [_("The name is longer than 150 characters.")]
        cleaned = {"full_name": full_name}
        for name, check in (("id_number", clean_id_number), ("phone", clean_phone)):
            try:
                cleaned[name] = check(getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        email = (self.email or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = [_("Enter a valid email address.")]
        address = " ".join((self.address or "").split())
        if len(address) > 255:
            errors["address"] = [_("The address is longer than 255 characters.")]
        if errors:
            raise ValidationError({f"applicant.{k}": v for k, v in errors.items()})
        return ApplicantData(email=email, address=address, **cleaned)


@dataclass
class ReceivedDocument:
    name: str
    original_count: int = 0
    copy_count: int = 0
    required_document_id: int | None = None


@dataclass
class Upload:
    name: str
    content_type: str
    content: bytes = field(repr=False)


def _role(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def _check_role(user, action):
    if not user.is_active:
        raise ActionForbidden(_("This account is disabled."))
    role = _role(user)
    if role != Role.ADMIN and role not in ACTION_ROLES[action]:
        raise ActionForbidden(
            _("Your role (%(role)s) may not do this: %(action)s.")
            % {"role": Role(role).label, "action": Action(action).label}
        )


def can_access_dossier(user, dossier) -> bool:
    """The same rule as ``selectors.dossier_scope_q``, for one dossier in memory."""
    if any(
        agency_id is not None and can_see_agency(user, agency_id)
        for agency_id in (dossier.receiving_agency_id, dossier.competent_agency_id, dossier.handling_office_id)
    ):
        return True
    if dossier.assignee_id is not None and dossier.assignee_id == user.pk:
        return True
    return (
        dossier.handling_office_id is None
        and user.agency_id is not None
        and user.agency.commune().pk == dossier.competent_agency_id
    )


def allowed_actions(user, dossier) -> list[str]:
    """The actions the user could take on the dossier now (for buttons and the API)."""
    if not can_access_dossier(user, dossier):
        return []
    role = _role(user)
    return [
        action
        for action, statuses in ALLOWED_TRANSITIONS.items()
        if dossier.status in statuses and (role == Role.ADMIN or role in ACTION_ROLES[action])
    ]


# ----- intake ------------------------------------------------------------------------------------


def _commune_of(agency):
    """Agency.commune(), reading parents only until the commune (or province) is found."""
    node = agency
    while node is not None:
        if node.kind in (AgencyKind.COMMUNE, AgencyKind.PROVINCE):
            return node
        node = node.parent
    return agency


def _calendar(dossier_or_agency):
    agency = getattr(dossier_or_agency, "receiving_agency", dossier_or_agency)
    return calendar_for(agency)


def _plan_handovers(dossier, version, cycle=1, *, start=None, calendar=None):
    """Split the working time between the clock start and the due time by the workflow shares."""
    cal = calendar or _calendar(dossier)
    start = start or dossier.clock_started_at
    total = max(cal.working_seconds_between(start, dossier.due_at), 0)
    steps = list(version.workflow_steps.all()) or []  # prefetched by procedure_get at intake
    handovers, cumulative = [], 0
    for order, step in enumerate(steps, start=1):
        cumulative += step.share
        due = cal.add_working_time(start, total * min(cumulative, 100) / 100) if total else dossier.due_at
        # Ids, not instances: reading step.office would cost a query per step.
        office_id = step.office_id or (
            dossier.handling_office_id if step.role != Role.CLERK else dossier.receiving_agency_id
        )
        handovers.append(
            Handover(
                dossier=dossier,
                order=order,
                step_name=step.name,
                role=step.role,
                office_id=office_id,
                due_at=min(due, dossier.due_at),
                cycle=cycle,
            )
        )
    if handovers:
        handovers[0].started_at = start
    Handover.objects.bulk_create(handovers)


def _complete_steps(dossier, *, stage, by, at):
    """Mark the steps of the current cycle done up to a stage of the workflow, and start the next.

    handover: the leading desk steps; submit: up to the first leader step; approve: up to the last
    officer or leader step (the return step stays open); return: every step.
    """
    steps = list(dossier.handovers.filter(cycle=_current_cycle(dossier)).order_by("order"))
    roles = [step.role for step in steps]
    if stage == "handover":
        end = next((i for i, role in enumerate(roles) if role != Role.CLERK), len(steps))
    elif stage == "submit":
        end = next((i for i, role in enumerate(roles) if role == Role.LEADER), len(steps))
    elif stage == "approve":
        end = max((i + 1 for i, role in enumerate(roles) if role != Role.CLERK), default=len(steps))
    else:
        end = len(steps)
    for step in steps[:end]:
        if step.completed_at is None:
            step.completed_at, step.completed_by = at, by
            step.user = step.user or by
            step.started_at = step.started_at or at
            step.save(update_fields=["completed_at", "completed_by", "user", "started_at"])
    following = next((s for s in steps if s.completed_at is None), None)
    if following is not None and following.started_at is None:
        following.started_at = at
        following.save(update_fields=["started_at"])


def _current_cycle(dossier):
    return dossier.handovers.aggregate(cycle=Max("cycle"))["cycle"] or 1


def _record(dossier, *, action, actor, from_status, note="", data=None, at=None):
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at or timezone.now(),
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        note=note,
        data=data or {},
    )
    dossier_event_recorded.send(sender=Dossier, dossier=dossier, event=event)
    return event


def _on_commit(dossier, action):
    dossier_id = dossier.pk
    transaction.on_commit(lambda: dossier_changed.send(sender=Dossier, dossier_id=dossier_id, action=action))


def _clean_uploads(uploads):
    errors = []
    for upload in uploads:
        if upload.content_type not in ALLOWED_UPLOAD_TYPES:
            errors.append(_("%(name)s: only PDF, JPEG or PNG scans are accepted.") % {"name": upload.name})
        elif len(upload.content) > MAX_UPLOAD_BYTES:
            errors.append(
                _("%(name)s is larger than %(mb)s MB.") % {"name": upload.name, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        elif not _looks_like(upload):
            errors.append(
                _("%(name)s is not really a %(kind)s file.")
                % {"name": upload.name, "kind": ALLOWED_UPLOAD_TYPES[upload.content_type].upper()}
            )
    if errors:
        raise ValidationError({"attachments": errors})


def _looks_like(upload) -> bool:
    head = upload.content[:8]
    return {
        "application/pdf": head.startswith(b"%PDF"),
        "image/jpeg": head.startswith(b"\xff\xd8\xff"),
        "image/png": head.startswith(b"\x89PNG\r\n\x1a\n"),
    }[upload.content_type]


def dossier_receive(
    *,
    procedure: Procedure,
    applicant: ApplicantData,
    received_by: User,
    channel: str = Channel.DIRECT,
    return_method: str = ReturnMethod.DESK,
    return_address: str = "",
    documents: list[ReceivedDocument] | None = None,
    uploads: list[Upload] | None = None,
    competent_agency=None,
    received_at: datetime | None = None,
    note: str = "",
) -> Dossier:
    """Register a complete dossier (Mẫu 01): code, received time, due time, lookup key.

    The receiving agency is the clerk's; the competent authority is the clerk's commune unless
    another agency of the province is named (inter-agency). The time applied is the competent
    commune's shortened time if set, else the legal time of the version in force.
    """
    _check_role(received_by, Action.RECEIVE)
    receiving_agency = received_by.agency
    if receiving_agency is None:
        raise ActionForbidden(_("Your account belongs to no agency: ask an administrator."))
    errors: dict[str, list[str]] = {}
    try:
        applicant = applicant.cleaned()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a channel: direct, post or online.")]
    if return_method not in ReturnMethod.values:
        errors["return_method"] = [_("Choose a return method: desk or post.")]
    return_address = " ".join((return_address or "").split()) or (applicant.address if not errors else "")
    if return_method == ReturnMethod.POST and not return_address:
        errors["return_address"] = [_("Give the address the result is posted to.")]
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timedelta(minutes=1):
        errors["received_at"] = [_("The received time cannot be in the future.")]
    if received_at < now - timedelta(days=60):
        errors["received_at"] = [_("The received time is more than 60 days ago.")]
    competent = _commune_of(competent_agency or receiving_agency)
    if not procedure.is_active:
        errors["procedure"] = [_("This procedure is no longer in use.")]
    received_day = timezone.localdate(received_at)
    if getattr(procedure, "current_on", None) == received_day and procedure.current is not None:
        version = procedure.current  # already read by procedures.selectors.procedure_get, with its steps
    else:
        version = procedure.version_on(received_day)
    if version is None:
        errors["procedure"] = [_("This procedure has no version in force on the received date.")]
    setting = agency_settings_for(competent, [procedure]).get(procedure.pk)
    if setting is not None and not setting.enabled:
        errors["procedure"] = [_("This procedure is not handled by %(agency)s.") % {"agency": competent.name}]
    time = processing_time_for(version, setting) if version else None
    if version is not None and time is None:
        errors["procedure"] = [
            _("The processing time of this procedure is not confirmed: an administrator must set it first.")
        ]
    docs = documents or []
    for index, doc in enumerate(docs):
        if (
            not doc.name.strip()
            or doc.original_count < 0
            or doc.copy_count < 0
            or doc.original_count + doc.copy_count > 200
        ):
            errors.setdefault("documents", []).append(_("Document %(n)s is not valid.") % {"n": index + 1})
    try:
        _clean_uploads(uploads or [])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    cal = calendar_for(receiving_agency)
    due_at = cal.due_at(received_at, Decimal(str(time.amount)), time.unit)
    with transaction.atomic():
        person, _created = Applicant.objects.update_or_create(
            id_number=applicant.id_number,
            defaults={
                "full_name": applicant.full_name,
                **{k: getattr(applicant, k) for k in ("phone", "email", "address") if getattr(applicant, k)},
            },
        )
        dossier = Dossier.objects.create(
            code=next_dossier_code(agency=receiving_agency, day=timezone.localdate(received_at)),
            lookup_key=new_lookup_key(),
            procedure=procedure,
            procedure_version=version,
            processing_amount=Decimal(str(time.amount)),
            processing_unit=time.unit,
            shortened=time.shortened,
            fee=version.fee,
            helped_at=receiving_agency,
            receiving_agency=receiving_agency,
            competent_agency=competent,
            handling_office=setting.processing_office if setting else None,
            channel=channel,
            return_method=return_method,
            return_address=return_address if return_method == ReturnMethod.POST else "",
            applicant=person,
            applicant_name=applicant.full_name,
            applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_address=applicant.address,
            status=S.RECEIVED,
            received_at=received_at,
            competent_received_at=received_at,
            clock_started_at=received_at,
            due_at=due_at,
            original_due_at=due_at,
            handover_due_at=cal.handover_due_at(received_at),
            created_by=received_by,
        )
        DossierDocument.objects.bulk_create(
            DossierDocument(
                dossier=dossier,
                required_document_id=doc.required_document_id,
                name=doc.name.strip(),
                original_count=doc.original_count,
                copy_count=doc.copy_count,
                order=index,
            )
            for index, doc in enumerate(docs, start=1)
        )
        for upload in uploads or []:
            _store_upload(dossier, upload, received_by)
        _plan_handovers(dossier, version, calendar=cal)
        _record(
            dossier,
            action=Action.RECEIVE,
            actor=received_by,
            from_status="",
            note=note,
            at=received_at,
            data={"due_at": due_at.isoformat(), "time": {"amount": time.amount, "unit": time.unit}},
        )
        _on_commit(dossier, Action.RECEIVE)
    return dossier


def _store_upload(dossier, upload, user):
    from django.core.files.base import ContentFile

    attachment = Attachment(
        dossier=dossier,
        original_name=upload.name[:255],
        content_type=upload.content_type,
        size=len(upload.content),
        uploaded_by=user,
    )
    attachment.file.save(upload.name, ContentFile(upload.content), save=False)
    attachment.save()
    return attachment


def dossier_attach(*, dossier: Dossier, uploads: list[Upload], by: User) -> list[Attachment]:
    _clean_uploads(uploads)
    with transaction.atomic():
        attachments = [_store_upload(dossier, upload, by) for upload in uploads]
        _record(
            dossier,
            action=Action.NOTE,
            actor=by,
            from_status=dossier.status,
            note=_("%(n)s scan(s) attached.") % {"n": len(uploads)},
        )
    return attachments


@transaction.atomic
def guidance_record(
    *,
    procedure: Procedure,
    kind: str,
    given_by: User,
    applicant_name: str,
    applicant_phone: str = "",
    applicant_address: str = "",
    missing: str = "",
    reason: str = "",
) -> Guidance:
    """Record guidance at intake without a dossier: incomplete papers (Mẫu 02) or refusal (Mẫu 03)."""
    _check_role(given_by, Action.RECEIVE)
    errors = {}
    if kind not in GuidanceKind.values:
        errors["kind"] = [_("Unknown kind of guidance.")]
    if not applicant_name.strip():
        errors["applicant_name"] = [_("Enter the applicant's full name.")]
    if kind == GuidanceKind.INCOMPLETE and not missing.strip():
        errors["missing"] = [_("List every paper that is missing or must be corrected, all at once.")]
    if kind == GuidanceKind.REFUSED and not reason.strip():
        errors["reason"] = [_("Give the reason for refusing.")]
    try:
        applicant_phone = clean_phone(applicant_phone)
    except ValidationError as exc:
        errors["applicant_phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    agency = given_by.agency
    now = timezone.now()
    prefix = {"guidance": "HD", "incomplete": "BS", "refused": "TC"}[kind]
    year = timezone.localdate().year
    sequence = Guidance.objects.filter(agency=agency, given_at__year=timezone.localdate().year, kind=kind).count() + 1
    for attempt in range(5):
        number = f"{prefix}-{agency.code}-{year}-{sequence + attempt:04d}"
        try:
            with transaction.atomic():
                return Guidance.objects.create(
                    number=number,
                    kind=kind,
                    agency=agency,
                    procedure=procedure,
                    procedure_version=procedure.version_on() or procedure.versions.first(),
                    applicant_name=" ".join(applicant_name.split()),
                    applicant_phone=applicant_phone,
                    applicant_address=applicant_address.strip(),
                    missing=missing.strip(),
                    reason=reason.strip(),
                    given_by=given_by,
                    given_at=now,
                )
        except IntegrityError:
            continue
    raise TransitionNotAllowed(_("Could not number the guidance: try again."))


# ----- transitions --------------------------------------------------------------------------------


def _begin(dossier: Dossier, *, action: str, by: User, expected_version: int | None) -> tuple[Dossier, str]:
    """Lock the dossier, check role, access, version and transition. Returns the locked row."""
    _check_role(by, action)
    locked = Dossier.objects.select_for_update().select_related("receiving_agency").get(pk=dossier.pk)
    if not can_access_dossier(by, locked):
        raise ActionForbidden(_("This dossier belongs to another agency."))
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentChange(
            _("Dossier %(code)s was changed by someone else a moment ago. Reload it and try again.")
            % {"code": locked.code}
        )
    if locked.status not in ALLOWED_TRANSITIONS[action]:
        raise TransitionNotAllowed(
            _("“%(action)s” is not allowed while the dossier is “%(status)s”.")
            % {"action": Action(action).label, "status": S(locked.status).label}
        )
    return locked, locked.status


RESOLVING_ACTIONS = (Action.APPROVE, Action.REFUSE, Action.WITHDRAW, Action.CLOSE)


def _finish(dossier: Dossier, *, action: str, by, from_status: str, fields: list[str], note="", data=None, at=None):
    target = TARGET_STATUS.get(action)
    if target is not None:
        dossier.status = target
    if action in RESOLVING_ACTIONS and dossier.resolved_at is None:
        dossier.resolved_at = at or timezone.now()
        dossier.timeliness = classify_resolution(
            resolved_at=dossier.resolved_at, due_at=dossier.due_at, supplement_count=dossier.supplement_count
        )
        fields = [*fields, "resolved_at", "timeliness"]
    dossier.version += 1
    dossier.save(update_fields=sorted({*fields, "status", "version", "updated_at"}))
    _record(dossier, action=action, actor=by, from_status=from_status, note=note, data=data, at=at)
    _on_commit(dossier, action)
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
    _complete_steps(dossier, stage="handover", by=by, at=now)
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
    if _role(by) == Role.OFFICER and officer.pk != by.pk:
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
        _complete_steps(dossier, stage="handover", by=by, at=now)
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
def dossier_submit(*, dossier: Dossier, by: User, note: str = "", expected_version=None) -> Dossier:
    """The officer has appraised and drafted the result: it goes to a leader for approval."""
    dossier, from_status = _begin(dossier, action=Action.SUBMIT, by=by, expected_version=expected_version)
    _complete_steps(dossier, stage="submit", by=by, at=timezone.now())
    return _finish(dossier, action=Action.SUBMIT, by=by, from_status=from_status, fields=[], note=note)


@transaction.atomic
def dossier_request_supplement(
    *, dossier: Dossier, by: User, reason: str, missing: str, expected_version=None
) -> Dossier:
    """Request to supplement after appraisal (Mẫu 02). The first is normal; later ones are flagged
    (they count as late, Decision 766)."""
    dossier, from_status = _begin(dossier, action=Action.REQUEST_SUPPLEMENT, by=by, expected_version=expected_version)
    reason = _required_text(reason, "reason", _("Give the reason for the request."))
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
    cal = calendar_for(dossier.receiving_agency)
    previous_due = dossier.due_at
    dossier.clock_started_at = now
    dossier.due_at = cal.due_at(now, dossier.processing_amount, dossier.processing_unit)
    dossier.original_due_at = dossier.due_at
    dossier.supplement_deadline = None
    _plan_handovers(dossier, dossier.procedure_version, cycle=dossier.supplement_count + 1, start=now)
    _complete_steps(dossier, stage="handover", by=by, at=now)
    return _finish(
        dossier,
        action=Action.SUPPLEMENT,
        by=by,
        from_status=from_status,
        fields=["clock_started_at", "due_at", "original_due_at", "supplement_deadline"],
        note=note,
        data={"previous_due_at": previous_due.isoformat(), "due_at": dossier.due_at.isoformat()},
    )


@transaction.atomic
def dossier_extend(*, dossier: Dossier, by: User, reason: str, new_due_at: datetime, expected_version=None) -> Dossier:
    """Apology letter with a new appointment (Mẫu 04): once only, and only before the due time."""
    dossier, from_status = _begin(dossier, action=Action.EXTEND, by=by, expected_version=expected_version)
    reason = _required_text(reason, "reason", _("Give the reason for the delay."))
    now = timezone.now()
    if dossier.extensions.exists():
        raise TransitionNotAllowed(_("This dossier was already extended once; the new date may be set only once."))
    if now >= dossier.due_at:
        raise TransitionNotAllowed(
            _("The due time has passed: an extension must be asked before %(due)s.")
            % {"due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")}
        )
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
    dossier.due_at = new_due_at
    return _finish(
        dossier,
        action=Action.EXTEND,
        by=by,
        from_status=from_status,
        fields=["due_at"],
        note=reason,
        data={"previous_due_at": previous.isoformat(), "new_due_at": new_due_at.isoformat()},
    )


@transaction.atomic
def dossier_refuse(*, dossier: Dossier, by: User, reason: str, expected_version=None) -> Dossier:
    """Refusal with reason (Mẫu 03)."""
    dossier, from_status = _begin(dossier, action=Action.REFUSE, by=by, expected_version=expected_version)
    if _role(by) == Role.CLERK and from_status != S.RECEIVED:
        raise ActionForbidden(_("After the hand-over, only the processing office may refuse."))
    reason = _required_text(reason, "reason", _("Give the reason for refusing."))
    dossier.finished_at = timezone.now()
    return _finish(dossier, action=Action.REFUSE, by=by, from_status=from_status, fields=["finished_at"], note=reason)


@transaction.atomic
def dossier_approve(*, dossier: Dossier, by: User, note: str = "", expected_version=None) -> Dossier:
    """The result is signed and ready for return."""
    dossier, from_status = _begin(dossier, action=Action.APPROVE, by=by, expected_version=expected_version)
    now = timezone.now()
    dossier.result_ready_at = now
    fields = ["result_ready_at"]
    if dossier.transferred_at is None:
        dossier.transferred_at = now
        fields.append("transferred_at")
    _complete_steps(dossier, stage="approve", by=by, at=now)
    return _finish(dossier, action=Action.APPROVE, by=by, from_status=from_status, fields=fields, note=note)


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
    _complete_steps(dossier, stage="return", by=by, at=now)
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
    if by is not None:
        dossier, from_status = _begin(dossier, action=Action.CLOSE, by=by, expected_version=expected_version)
    else:  # the system (a task) closes it
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        from_status = dossier.status
        if from_status not in ALLOWED_TRANSITIONS[Action.CLOSE]:
            raise TransitionNotAllowed(_("Only a dossier awaiting a supplement can be closed."))
    now = timezone.now()
    if dossier.supplement_deadline and now < dossier.supplement_deadline:
        raise TransitionNotAllowed(
            _("The citizen has until %(deadline)s to bring the papers; the dossier cannot be closed before.")
            % {"deadline": timezone.localtime(dossier.supplement_deadline).strftime("%H:%M %d/%m/%Y")}
        )
    dossier.finished_at = now
    return _finish(dossier, action=Action.CLOSE, by=by, from_status=from_status, fields=["finished_at"], note=note)


def dossier_record_note(*, dossier: Dossier, note: str, by: User | None = None, at=None, data=None) -> DossierEvent:
    """A line in the history that changes no state (e.g. the deadline watch marking a late dossier)."""
    return _record(dossier, action=Action.NOTE, actor=by, from_status=dossier.status, note=note, at=at, data=data)


@transaction.atomic
def dossier_apologize_late(*, dossier: Dossier, by: User, reason: str, expected_at: datetime) -> Dossier:
    """Complete and send the apology letter (Mẫu 04) of a dossier that became late. The appointment
    in force does not move: the dossier stays late in the reports; the citizen is told why and when."""
    from .models import LateApology

    _check_role(by, Action.EXTEND)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not can_access_dossier(by, dossier):
        raise ActionForbidden(_("This dossier belongs to another agency."))
    if dossier.status not in (S.RECEIVED, S.IN_PROGRESS) or not dossier.is_overdue:
        raise TransitionNotAllowed(_("Only an open dossier past its due time needs a late apology."))
    reason = _required_text(reason, "reason", _("Give the reason for the delay."))
    now = timezone.now()
    if expected_at is None or expected_at <= now:
        raise ValidationError({"expected_at": [_("The new expected date must be in the future.")]})
    apology, _created = LateApology.objects.get_or_create(dossier=dossier, defaults={"drafted_at": now})
    if apology.completed_at is not None:
        raise TransitionNotAllowed(_("The apology letter of this dossier was already sent."))
    apology.reason, apology.expected_at, apology.completed_by, apology.completed_at = reason, expected_at, by, now
    apology.save()
    _record(
        dossier,
        action=Action.APOLOGY,
        actor=by,
        from_status=dossier.status,
        note=reason,
        data={"expected_at": expected_at.isoformat()},
    )
    _on_commit(dossier, Action.APOLOGY)
    return dossier


SERVICES = {
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
}

# What each action takes besides the dossier, the actor and the expected version.
ACTION_ARGUMENTS = {
    Action.TRANSFER: ("office", "note"),
    Action.ASSIGN: ("officer", "note"),
    Action.SUBMIT: ("note",),
    Action.REQUEST_SUPPLEMENT: ("reason", "missing"),
    Action.SUPPLEMENT: ("note",),
    Action.EXTEND: ("reason", "new_due_at"),
    Action.REFUSE: ("reason",),
    Action.APPROVE: ("note",),
    Action.RETURN: ("received_by_name", "tracking_number", "note"),
    Action.WITHDRAW: ("reason",),
    Action.CLOSE: ("note",),
}


def dossier_act(*, dossier: Dossier, action: str, by: User, expected_version: int | None = None, **inputs) -> Dossier:
    """Take an action by its name with whatever the caller collected (the page's form, the API's
    body): each service gets the arguments it takes, and only those."""
    arguments = {name: inputs[name] for name in ACTION_ARGUMENTS[action] if inputs.get(name) is not None}
    return SERVICES[action](dossier=dossier, by=by, expected_version=expected_version, **arguments)
