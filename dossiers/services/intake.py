"""Intake: a complete dossier registered at the desk (Mẫu 01), guidance and refusals at intake
(Mẫu 02, 03) without a dossier, and scans attached later."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from common.limits import MAX_PAPER_COUNT
from procedures.models import Procedure
from procedures.revision import setting_for_intake
from procedures.selectors import processing_time_for

from ..choices import Action, Channel, DossierStatus, GuidanceKind, ReturnMethod
from ..codes import new_lookup_key, next_dossier_code
from ..exceptions import ActionForbidden, TransitionNotAllowed
from ..models import Applicant, ApplicantChange, ApplicantContact, Attachment, Dossier, DossierDocument, Guidance
from ..papers import paper_file_scans, paper_reuse_attach, paper_reuse_plan
from ..rules import commune_of
from ..uploads import CleanUpload, Upload, clean_uploads, dossier_upload_bytes
from .records import record_event
from .workflow import clock_calendar_for, plan_handovers

S = DossierStatus
INTAKE_ROLES = (Role.CLERK, Role.ADMIN)


def check_intake_role(user) -> None:
    """Only the desk registers dossiers and gives guidance at intake (administrators too, to help)."""
    if not user.is_active:
        raise ActionForbidden(_("This account is disabled."))
    role = Role.ADMIN if user.is_superuser else user.role
    if role not in INTAKE_ROLES:
        raise ActionForbidden(
            _("Your role (%(role)s) may not do this: %(action)s.")
            % {"role": Role(role).label, "action": Action.RECEIVE.label}
        )


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


# ----- intake ------------------------------------------------------------------------------------


@dataclass
class OnlineFiling:
    """A dossier filed on the national or provincial portal, as the portal job registers it."""

    external_code: str
    receiving_agency: object
    filed_at: datetime


# Decree 118 Art. 17: staff accept an online dossier or ask for corrections within 8 working hours.
ONLINE_ACCEPT_WORKING_SECONDS = 8 * 3600


def requires_appraisal(version) -> bool:
    """Does the version's workflow have an officer's appraisal before a leader approves? A workflow
    without an officer step (a certification signed at the desk) is the shorter path."""
    roles = [step.role for step in version.workflow_steps.all()]
    return not roles or Role.OFFICER in roles


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
    competent_received_at: datetime | None = None,
    note: str = "",
    online: OnlineFiling | None = None,
    received_at_reason: str = "",
    reused_papers: list[int] | None = None,
) -> Dossier:
    """Register a complete dossier (Mẫu 01): code, received time, due time, lookup key.

    The receiving agency is the clerk's; the competent authority is the clerk's commune unless
    another agency of the province is named (inter-agency). The time applied is the competent
    commune's shortened time if set, else the legal time of the version in force.

    Two receipt times (Decree 309/2026): ``received_at`` at the desk and
    ``competent_received_at`` by the competent authority (the same moment unless given: the desk
    sends the electronic copy at once). The due time runs from the competent authority's receipt,
    on its calendar when the dossier was lodged at another commune's desk.

    ``online``: a dossier filed on the portal, registered by the portal job (``received_by`` is
    None) and waiting for the desk to accept it; its clock starts at acceptance.

    Time cannot be rewritten quietly: a ``received_at`` given instead of now is the *stated* time;
    the dossier also keeps when it was entered (``entered_at``). A stated time further from now than
    settings.RECEIVED_AT_TOLERANCE_MINUTES needs ``received_at_reason``; a stated time in the past
    (``backdated``) may not precede the latest receipt the desk has already numbered (its daily
    counter numbers dossiers in the order they were received), and the history shows both times.

    The citizen: the dossier keeps the details as given (its snapshot); the shared record of the ID
    number is created once and never overwritten; the receiving commune's details
    (ApplicantContact) are updated with a history row (ApplicantChange) for every change.

    The citizen's papers (dossiers.papers): each scan is filed under the applicant's ID number (an
    upload that is a ``PaperScan`` says which required paper it is); ``reused_papers`` are ids of
    papers the store already holds for this citizen, attached without a new upload (each must be
    offered to this desk for this procedure: its scope, state and validity are checked).
    """
    if online is None:
        check_intake_role(received_by)
        receiving_agency = received_by.agency
    else:
        receiving_agency = online.receiving_agency
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
    stated = received_at is not None
    received_at = received_at or now
    if received_at > now + timedelta(minutes=1):
        errors["received_at"] = [_("The received time cannot be in the future.")]
    if received_at < now - timedelta(days=60):
        errors["received_at"] = [_("The received time is more than 60 days ago.")]
    received_at_reason = " ".join((received_at_reason or "").split())
    backdated, time_errors = _check_stated_time(
        stated=stated, received_at=received_at, now=now, reason=received_at_reason, agency=receiving_agency
    )
    for name, messages in time_errors.items():
        errors.setdefault(name, messages)
    competent_received_at = competent_received_at or received_at
    if competent_received_at < received_at or competent_received_at > now + timedelta(minutes=1):
        errors["competent_received_at"] = [
            _("The competent authority's receipt must be between the desk's receipt and now.")
        ]
    competent = commune_of(competent_agency or receiving_agency)
    if not procedure.is_active:
        errors["procedure"] = [_("This procedure is no longer in use.")]
    received_day = timezone.localdate(received_at)
    if getattr(procedure, "current_on", None) == received_day and procedure.current is not None:
        version = procedure.current  # already read by procedures.selectors.procedure_get, with its steps
    else:
        version = procedure.version_on(received_day)
    if version is None:
        errors["procedure"] = [_("This procedure has no version in force on the received date.")]
    setting = setting_for_intake(competent, procedure)
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
            or doc.original_count + doc.copy_count > MAX_PAPER_COUNT
        ):
            errors.setdefault("documents", []).append(_("Document %(n)s is not valid.") % {"n": index + 1})
    cleaned_uploads = []
    uploads = list(uploads or [])  # read twice: checked, then filed with their paper
    try:
        cleaned_uploads = clean_uploads(uploads)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    reuse_plan = []
    if reused_papers:
        if online is not None:
            errors["reused_papers"] = [_("Papers are reused at the desk only.")]
        elif version is not None and "applicant.id_number" not in errors:
            try:
                reuse_plan = paper_reuse_plan(
                    agency=receiving_agency, id_number=applicant.id_number, version=version, paper_ids=reused_papers
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    cal = clock_calendar_for(receiving_agency=receiving_agency, competent_agency=competent)
    due_at = cal.due_at(competent_received_at, Decimal(str(time.amount)), time.unit)
    status = S.RECEIVED if online is None else S.AWAITING_ACCEPTANCE
    with transaction.atomic():
        person, person_created = _applicant_record(applicant.id_number, applicant.full_name, now)
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
            status=status,
            external_code=online.external_code if online else None,
            filed_at=online.filed_at if online else None,
            acceptance_due_at=cal.add_working_time(received_at, ONLINE_ACCEPT_WORKING_SECONDS) if online else None,
            requires_appraisal=requires_appraisal(version),
            received_at=received_at,
            competent_received_at=competent_received_at,
            clock_started_at=competent_received_at,
            due_at=due_at,
            original_due_at=due_at,
            handover_due_at=cal.handover_due_at(received_at),
            created_by=received_by,
            entered_at=now,
            received_at_reason=received_at_reason,
            backdated=backdated,
        )
        applicant_record_details(
            person=person,
            details=applicant,
            commune=competent if competent_agency is None else commune_of(receiving_agency),
            by=received_by,
            dossier=dossier,
            source="intake" if online is None else "online",
            created=person_created,
        )
        written_documents = DossierDocument.objects.bulk_create(
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
        # clean_uploads keeps the order of what it was given (or refuses the whole batch).
        scans = [
            (_store_upload(dossier, upload, received_by), getattr(original, "required_document_id", None))
            for original, upload in zip(uploads, cleaned_uploads, strict=True)
        ]
        paper_file_scans(dossier=dossier, scans=scans, by=received_by)
        paper_reuse_attach(dossier=dossier, plan=reuse_plan, by=received_by)
        if online is None:  # an online dossier's steps are planned when the desk accepts it
            plan_handovers(dossier, version, calendar=cal)
        data = {"due_at": due_at.isoformat(), "time": {"amount": time.amount, "unit": time.unit}}
        if stated:
            data.update(
                stated_received_at=timezone.localtime(received_at).isoformat(),
                entered_at=timezone.localtime(now).isoformat(),
                received_at_reason=received_at_reason,
            )
        if backdated:
            line = _("Receipt time stated: %(stated)s; entered at %(entered)s. Reason: %(reason)s") % {
                "stated": _local(received_at),
                "entered": _local(now),
                "reason": received_at_reason,
            }
            note = f"{note}\n{line}" if note else line
        event = record_event(
            dossier,
            action=Action.RECEIVE if online is None else Action.RECEIVE_ONLINE,
            actor=received_by,
            from_status="",
            note=note,
            at=received_at,
            data=data,
        )
    if not uploads and not reuse_plan:
        # Exactly what this intake wrote, so that its answer needs no read back (papers filed or
        # reused write more rows: their answer reads them).
        dossier.written = WrittenAtIntake(documents=written_documents, events=[event])
    return dossier


@dataclass(frozen=True)
class WrittenAtIntake:
    """The rows a plain intake wrote beside the dossier (``dossier.written``): its papers, in order,
    and its history (the one "received" event)."""

    documents: list
    events: list


def _applicant_record(id_number: str, full_name: str, now) -> tuple[Applicant, bool]:
    """The shared record of an ID number, created once and never overwritten by an intake: (record,
    created). One statement for a citizen seen for the first time (INSERT … ON CONFLICT DO NOTHING
    RETURNING, PostgreSQL and SQLite alike), a read more for a returning one; two desks registering
    the same new citizen at once get the same record."""
    from django.db import connection

    table = Applicant._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id_number, full_name, phone, email, address, created_at, updated_at) "
            "VALUES (%s, %s, '', '', '', %s, %s) ON CONFLICT (id_number) DO NOTHING RETURNING id",
            [id_number, full_name, *[connection.ops.adapt_datetimefield_value(now)] * 2],
        )
        row = cursor.fetchone()
    if row is None:
        return Applicant.objects.get(id_number=id_number), False
    names = ("id", "id_number", "full_name", "phone", "email", "address", "created_at", "updated_at")
    return Applicant.from_db(connection.alias, names, (row[0], id_number, full_name, "", "", "", now, now)), True


# ----- stated receipt times (issue 16, item 7) ---------------------------------------------------


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def received_at_tolerance() -> timedelta:
    return timedelta(minutes=getattr(settings, "RECEIVED_AT_TOLERANCE_MINUTES", 5))


def _check_stated_time(*, stated, received_at, now, reason, agency) -> tuple[bool, dict]:
    """(backdated, errors) of a stated receipt time."""
    if not stated:
        return False, {}
    errors = {}
    tolerance = received_at_tolerance()
    if abs(now - received_at) > tolerance and not reason:
        errors["received_at_reason"] = [
            _(
                "The receipt time differs from now by more than %(minutes)s minutes: give the reason "
                "(for example, a paper dossier received earlier and entered now)."
            )
            % {"minutes": int(tolerance.total_seconds() // 60)}
        ]
    if len(reason) > 2000:
        errors["received_at_reason"] = [_("The reason is longer than 2000 characters.")]
    backdated = now - received_at > tolerance
    if backdated:
        # The desk's dossiers are numbered by a daily counter in the order they were received: a
        # stated time before the latest receipt already numbered would slip in behind it.
        latest = (
            Dossier.objects.filter(receiving_agency=agency)
            .order_by("-received_at")
            .values_list("received_at", flat=True)
            .first()
        )
        if latest is not None and received_at < latest:
            errors["received_at"] = [
                _(
                    "The stated receipt time %(stated)s is before %(latest)s, the latest receipt this "
                    "desk has already numbered: enter dossiers in the order they were received."
                )
                % {"stated": _local(received_at), "latest": _local(latest)}
            ]
    return backdated, errors


# ----- the citizen's details (issue 16, item 2) --------------------------------------------------

DETAIL_FIELDS = ("full_name", "phone", "email", "address")


def applicant_record_details(
    *, person, details, commune, by, dossier=None, source="intake", created=False
) -> ApplicantContact:
    """The commune's details of a citizen, as the citizen gave them there. Creates or updates the
    commune's ApplicantContact (never another commune's) and appends one ApplicantChange row with
    the values before and after when anything changed (or the shared record was created)."""
    now = timezone.now()
    values = {name: getattr(details, name) or "" for name in DETAIL_FIELDS}
    first_details = {name: ["", value] for name, value in values.items() if value}

    def new_contact():
        return ApplicantContact.objects.create(
            applicant=person, agency=commune, recorded_at=now, updated_at=now, **values
        )

    changes = None
    if created:
        # The shared record was created by this very transaction: no commune has details of it yet,
        # and none can until this transaction commits (no lock, no savepoint).
        contact, changes = new_contact(), first_details
    else:
        contact = ApplicantContact.objects.select_for_update().filter(applicant=person, agency=commune).first()
        if contact is None:
            try:
                with transaction.atomic():
                    contact, changes = new_contact(), first_details
            except IntegrityError:  # the same citizen at the same commune's other counter, at once
                contact = ApplicantContact.objects.select_for_update().get(applicant=person, agency=commune)
    if changes is None:
        # Blank values at a later intake do not erase what the commune already knew.
        changes = {
            name: [getattr(contact, name), value]
            for name, value in values.items()
            if value and value != getattr(contact, name)
        }
        if changes:
            for name, (_before, after) in changes.items():
                setattr(contact, name, after)
            contact.updated_at = now
            contact.save(update_fields=[*changes, "updated_at"])
    if created:
        changes = {"created": True, **changes}
    if changes:
        ApplicantChange.objects.create(
            applicant=person, agency=commune, changed_by=by, at=now, dossier=dossier, source=source, changes=changes
        )
    return contact


def applicant_details_for_intake(*, user, id_number: str) -> ApplicantContact | None:
    """What the clerk's own commune recorded about this ID number (the intake autofill), or None.
    Only intake roles with an agency may ask; another commune's details are never offered."""
    check_intake_role(user)
    if user.agency_id is None:
        raise ActionForbidden(_("Your account belongs to no agency: ask an administrator."))
    commune = commune_of(user.agency)
    return (
        ApplicantContact.objects.filter(applicant__id_number=id_number, agency=commune)
        .select_related("applicant")
        .first()
    )


def _store_upload(dossier, upload: CleanUpload, user):
    attachment = Attachment(
        dossier=dossier,
        original_name=upload.name[:255],
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    scan = upload.as_file()
    attachment.file.save(scan.name, scan, save=False)
    attachment.save()
    return attachment


def dossier_attach(*, dossier: Dossier, uploads: list[Upload], by: User) -> list[Attachment]:
    with transaction.atomic():
        # Under the row lock: two requests at once cannot both pass the per-dossier limit.
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        uploads = list(uploads or [])
        cleaned = clean_uploads(uploads, existing_bytes=dossier_upload_bytes(dossier))
        attachments = [_store_upload(dossier, upload, by) for upload in cleaned]
        paper_file_scans(
            dossier=dossier,
            scans=[
                (attachment, getattr(original, "required_document_id", None))
                for original, attachment in zip(uploads, attachments, strict=True)
            ],
            by=by,
            received_on=timezone.localdate(),
        )
        record_event(
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
    check_intake_role(given_by)
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
