"""Citizens' rights over their personal data (Law 91/2025/QH15, Decree 356/2025; issue 16, item 3).

- ``citizen_report``: a copy of the personal data held on a citizen and the list of who accessed
  it and when, for the desk (by ID number: everything held) or for the holder of a receipt (by the
  dossier's code and lookup key: that dossier, and the reads of the citizen by ID number);
  ``report_json`` / ``report_xlsx`` give it as a file (the workbook through common.excel).
- ``correction_request_create`` / ``correction_request_handle``: a request to correct is recorded
  with its deadline (settings.DATA_CORRECTION_WORKING_DAYS working days of the handling agency's
  calendar) and handled by the agency's staff with a note; every step is a CorrectionEvent row and a
  corrected detail is an ApplicantChange row.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.scoping import can_see_agency
from agencies.calendar import calendar_for

from .models import (
    AccessChannel,
    AccessSubjectKind,
    Applicant,
    ApplicantChange,
    ApplicantContact,
    CorrectionEvent,
    CorrectionRequest,
    CorrectionStatus,
    Dossier,
    PersonalDataAccess,
)
from .rules import commune_of

HANDLING_ROLES = (Role.CLERK, Role.LEADER, Role.ADMIN)


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def _who(user) -> dict:
    if user is None:
        return {"name": _("The citizen (lookup key)"), "agency": "", "role": ""}
    return {
        "name": user.get_full_name() or user.username,
        "agency": user.agency.name if user.agency_id else "",
        "role": str(Role(user.role).label) if user.role in Role.values else "",
    }


def _accesses(queryset, *, own_codes: set[str]) -> list[dict]:
    rows = []
    for access in queryset.select_related("user", "user__agency").order_by("at", "pk"):
        about_them = access.subject_kind in (AccessSubjectKind.DOSSIER, AccessSubjectKind.CITIZEN) or (
            access.subject in own_codes
        )
        rows.append(
            {
                "at": _iso(access.at),
                **{f"by_{k}": v for k, v in _who(access.user).items()},
                "channel": access.channel,
                "channel_label": str(AccessChannel(access.channel).label),
                "what": access.what,
                # A list or a search also showed other people: its subject is not theirs to read.
                "subject": access.subject if about_them else str(AccessSubjectKind(access.subject_kind).label),
                "found": access.found,
            }
        )
    return rows


def _exports_covering(dossiers) -> list[int]:
    """Register exports (Mẫu 07, one row per dossier received in a date range) that contained one
    of these dossiers: the export row names its range, not every citizen in it."""
    from datetime import date

    from .services.access import can_access_dossier

    if not dossiers:
        return []
    ids = []
    exports = PersonalDataAccess.objects.filter(what="register-export", subject_kind=AccessSubjectKind.EXPORT)
    for access in exports.select_related("user").order_by("pk"):
        try:
            first, last = (date.fromisoformat(part) for part in access.subject.split(".."))
        except ValueError:
            continue
        if access.user is not None and any(
            first <= timezone.localdate(d.received_at) <= last and can_access_dossier(access.user, d) for d in dossiers
        ):
            ids.append(access.pk)
    return ids


def _dossier_data(dossier) -> dict:
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "status": str(dossier.get_status_display()),
        "receiving_agency": dossier.receiving_agency.name,
        "received_at": _iso(dossier.received_at),
        "entered_at": _iso(dossier.entered_at),
        "finished_at": _iso(dossier.finished_at),
        "applicant": {
            "full_name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        },
        "return_method": dossier.return_method,
        "return_address": dossier.return_address,
        "documents": [d.name for d in dossier.documents.all()],
        "scans": [
            {"name": a.original_name, "uploaded_at": _iso(a.uploaded_at), "removed_at": _iso(a.removed_at)}
            for a in dossier.attachments.all()
        ],
        "messages": [
            {
                "at": _iso(m.created_at),
                "channel": m.channel,
                "recipient": m.recipient,
                "reason": m.reason,
                "state": m.state,
            }
            for m in dossier.messages.all()
        ],
    }


def _corrections(queryset) -> list[dict]:
    return [
        {
            "number": c.number,
            "requested_at": _iso(c.requested_at),
            "due_at": _iso(c.due_at),
            "status": str(c.get_status_display()),
            "details": c.details,
            "handled_at": _iso(c.handled_at),
            "handling_note": c.handling_note,
        }
        for c in queryset.order_by("requested_at", "pk")
    ]


def _dossiers(queryset):
    return queryset.select_related("procedure_version", "receiving_agency").prefetch_related(
        "documents", "attachments", "messages"
    )


def citizen_report(*, id_number: str = "", dossier: Dossier | None = None) -> dict:
    """Everything held on the citizen with this ID number, or (with ``dossier``) what the holder
    of that dossier's receipt may read: the dossier and the reads of the citizen by ID number."""
    now = timezone.now()
    if dossier is not None:
        id_number = dossier.applicant_id_number
        dossiers = list(_dossiers(Dossier.objects.filter(pk=dossier.pk)))
        codes = {dossier.code}
        accesses = PersonalDataAccess.objects.filter(
            Q(dossier=dossier)
            | Q(dossier__isnull=True, citizen_id_number=id_number)
            | Q(subject=dossier.code)
            | Q(pk__in=_exports_covering(dossiers))
        )
        return {
            "generated_at": _iso(now),
            "id_number": id_number,
            "scope": "dossier",
            "dossiers": [_dossier_data(d) for d in dossiers],
            "commune_details": [],
            "changes": [],
            "corrections": _corrections(CorrectionRequest.objects.filter(dossier=dossier)),
            "accesses": _accesses(accesses, own_codes=codes),
        }
    person = Applicant.objects.filter(id_number=id_number).first()
    dossiers = list(_dossiers(Dossier.objects.filter(applicant_id_number=id_number).order_by("received_at", "pk")))
    codes = {d.code for d in dossiers}
    accesses = PersonalDataAccess.objects.filter(
        Q(citizen_id_number=id_number) | Q(listed__contains=f" {id_number} ") | Q(pk__in=_exports_covering(dossiers))
    )
    contacts = (
        ApplicantContact.objects.filter(applicant=person).select_related("agency").order_by("agency__code")
        if person
        else []
    )
    changes = (
        ApplicantChange.objects.filter(applicant=person).select_related("agency", "changed_by", "changed_by__agency")
        if person
        else []
    )
    return {
        "generated_at": _iso(now),
        "id_number": id_number,
        "scope": "citizen",
        "shared_record": {
            "id_number": person.id_number,
            "full_name": person.full_name,
            "created_at": _iso(person.created_at),
        }
        if person
        else None,
        "commune_details": [
            {
                "commune": c.agency.name,
                "full_name": c.full_name,
                "phone": c.phone,
                "email": c.email,
                "address": c.address,
                "updated_at": _iso(c.updated_at),
            }
            for c in contacts
        ],
        "changes": [
            {
                "at": _iso(c.at),
                "commune": c.agency.name if c.agency_id else "",
                **{f"by_{k}": v for k, v in _who(c.changed_by).items()},
                "source": c.source,
                "changes": c.changes,
            }
            for c in changes
        ],
        "dossiers": [_dossier_data(d) for d in dossiers],
        "corrections": _corrections(CorrectionRequest.objects.filter(citizen_id_number=id_number)),
        "accesses": _accesses(accesses, own_codes=codes),
    }


def report_json(report: dict) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str).encode()


def report_xlsx(report: dict) -> bytes:
    """The report as a workbook (every cell through common.excel: text stays text)."""
    from openpyxl import Workbook

    from common import excel

    book = Workbook()
    sheet = book.active
    sheet.title = _("Data")[:31]
    excel.append(sheet, [_("ID number"), report["id_number"]])
    excel.append(sheet, [_("Generated at"), report["generated_at"]])
    if report.get("shared_record"):
        excel.append(sheet, [_("Full name"), report["shared_record"]["full_name"]])
    for detail in report.get("commune_details", []):
        excel.append(
            sheet,
            [
                detail["commune"],
                detail["full_name"],
                detail["phone"],
                detail["email"],
                detail["address"],
                detail["updated_at"],
            ],
        )
    dossiers = book.create_sheet(_("Dossiers")[:31])
    excel.append(
        dossiers,
        [
            _("Dossier code"),
            _("Procedure"),
            _("Status"),
            _("Received at"),
            _("Entered at"),
            _("Full name"),
            _("ID number"),
            _("Phone"),
            _("Email"),
            _("Address"),
            _("Scans"),
        ],
    )
    for d in report["dossiers"]:
        a = d["applicant"]
        excel.append(
            dossiers,
            [
                d["code"],
                d["procedure"],
                d["status"],
                d["received_at"],
                d["entered_at"],
                a["full_name"],
                a["id_number"],
                a["phone"],
                a["email"],
                a["address"],
                len(d["scans"]),
            ],
        )
    accesses = book.create_sheet(_("Accesses")[:31])
    excel.append(accesses, [_("Time"), _("By"), _("Agency"), _("Channel"), _("What"), _("Subject")])
    for row in report["accesses"]:
        excel.append(
            accesses, [row["at"], row["by_name"], row["by_agency"], row["channel_label"], row["what"], row["subject"]]
        )
    corrections = book.create_sheet(_("Corrections")[:31])
    excel.append(corrections, [_("Number"), _("Requested at"), _("Answer by"), _("Status"), _("Request"), _("Note")])
    for c in report["corrections"]:
        excel.append(
            corrections,
            [c["number"], c["requested_at"], c["due_at"], c["status"], c["details"], c["handling_note"]],
        )
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# ----- requests to correct -----------------------------------------------------------------------


def correction_due_at(agency, start):
    # DATA_CORRECTION_WORKING_DAYS: unconfirmed (the decree's time limit was not at hand).
    days = Decimal(str(getattr(settings, "DATA_CORRECTION_WORKING_DAYS", 5)))
    return calendar_for(agency).due_at(start, days, "working_days")


def correction_request_create(
    *, agency, citizen_id_number: str, details: str, channel: str, by=None, dossier=None
) -> CorrectionRequest:
    details = (details or "").strip()
    if not details:
        raise ValidationError({"details": [_("Say what is wrong and what it should be.")]})
    if len(details) > 4000:
        raise ValidationError({"details": [_("The request is longer than 4000 characters.")]})
    now = timezone.now()
    due_at = correction_due_at(agency, now)
    year = timezone.localdate(now).year
    sequence = CorrectionRequest.objects.filter(agency=agency, requested_at__year=year).count() + 1
    for attempt in range(5):
        try:
            with transaction.atomic():
                request = CorrectionRequest.objects.create(
                    number=f"DC-{agency.code}-{year}-{sequence + attempt:04d}",
                    agency=agency,
                    citizen_id_number=citizen_id_number,
                    dossier=dossier,
                    channel=channel,
                    details=details,
                    requested_by=by,
                    requested_at=now,
                    due_at=due_at,
                )
                CorrectionEvent.objects.create(
                    request=request, at=now, actor=by, status=CorrectionStatus.OPEN, note=details
                )
                return request
        except IntegrityError:
            continue
    raise ValidationError(_("Could not number the request: try again."))


def may_handle_corrections(user, agency_id) -> bool:
    role = Role.ADMIN if user.is_superuser else user.role
    return user.is_active and role in HANDLING_ROLES and can_see_agency(user, agency_id)


@dataclass
class CorrectedDetails:
    full_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def correction_request_handle(
    *, request: CorrectionRequest, by, status: str, note: str, corrected: CorrectedDetails | None = None
) -> CorrectionRequest:
    """Mark a request done (optionally correcting the commune's details of the citizen) or refused,
    with a note. Each step is kept (CorrectionEvent); a corrected detail is an ApplicantChange."""
    from .services.intake import ApplicantData, applicant_record_details

    if not may_handle_corrections(by, request.agency_id):
        raise PermissionDenied(_("Only the staff of the agency that received the request may handle it."))
    note = (note or "").strip()
    errors = {}
    if status not in (CorrectionStatus.DONE, CorrectionStatus.REFUSED):
        errors["status"] = [_("Choose done or refused.")]
    if not note:
        errors["note"] = [_("Say what was done (or why it was refused).")]
    values = corrected or CorrectedDetails()
    if any((values.phone, values.email, values.address, values.full_name)):
        try:
            cleaned = ApplicantData(
                full_name=values.full_name or "-",
                id_number=request.citizen_id_number,
                phone=values.phone,
                email=values.email,
                address=values.address,
            ).cleaned()
        except ValidationError as exc:
            errors.update(exc.message_dict)
            cleaned = None
    else:
        cleaned = None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != CorrectionStatus.OPEN:
            raise ValidationError(_("This request was already handled."))
        now = timezone.now()
        if cleaned is not None and status == CorrectionStatus.DONE:
            person = Applicant.objects.filter(id_number=locked.citizen_id_number).first()
            if person is not None:
                if not values.full_name:
                    cleaned.full_name = ""
                applicant_record_details(
                    person=person,
                    details=cleaned,
                    commune=commune_of(locked.agency),
                    by=by,
                    dossier=locked.dossier,
                    source="correction",
                )
        locked.status = status
        locked.handled_by = by
        locked.handled_at = now
        locked.handling_note = note
        locked.save(update_fields=["status", "handled_by", "handled_at", "handling_note"])
        CorrectionEvent.objects.create(request=locked, at=now, actor=by, status=status, note=note)
    return locked


def correction_queue(user, *, state: str = "open"):
    from accounts.scoping import scope_queryset

    queryset = scope_queryset(CorrectionRequest.objects.select_related("agency", "dossier"), user)
    if state == "open":
        queryset = queryset.filter(status=CorrectionStatus.OPEN)
    return queryset.order_by("due_at", "pk")
