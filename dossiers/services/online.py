"""Online dossiers: filed on the national or provincial portal, registered here once.

One dossier, one code, whatever the channel: a dossier is found by the portal's code (its
``external_code``); receiving the same code again updates what the citizen may still change while
it waits for the desk, and never makes a second dossier. The desk then accepts it (its receipt and
its clock start), asks for corrections (Mẫu 02) or refuses it (Mẫu 03) — the rule table's
``accept`` / ``request_supplement`` / ``refuse`` — and the decision goes back to the portal through
the outbox (interop). Staff are alerted at once (the law allows 2 hours) and again when the 8
working hours to decide have passed (dossiers.deadlines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from agencies.choices import AgencyKind
from agencies.models import Agency

from ..choices import Channel, DossierStatus, ReturnMethod
from ..models import Dossier
from .intake import ApplicantData, OnlineFiling, ReceivedDocument, dossier_receive
from .records import record_event


@dataclass
class OnlineSubmission:
    """What the portal tells about a dossier filed online (interop.online.OnlineDossier fits)."""

    external_code: str
    procedure_code: str
    agency_code: str
    applicant_name: str
    applicant_id_number: str
    applicant_email: str = ""
    applicant_phone: str = ""
    applicant_address: str = ""
    filed_at: datetime | None = None
    return_method: str = ReturnMethod.DESK
    summary: str = ""
    documents: list = field(default_factory=list)


def receiving_desk_for(agency_code: str) -> Agency:
    """The desk that receives a commune's online dossiers: its service centre, else the commune."""
    agency = Agency.objects.filter(code=(agency_code or "").strip()).first()
    if agency is None:
        raise ValidationError({"agency_code": [_("No agency has the code %(code)s.") % {"code": agency_code}]})
    if agency.kind in (AgencyKind.COMMUNE, AgencyKind.PROVINCE):
        centre = agency.children.filter(kind=AgencyKind.SERVICE_CENTER).order_by("code").first()
        return centre or agency
    return agency


def dossier_register_online(submission) -> tuple[Dossier, bool]:
    """Register (or update) the dossier of one online submission. Returns (dossier, created).

    Raises ValidationError with the reasons (unknown procedure or agency, bad applicant data)."""
    from procedures.selectors import procedure_get

    code = (submission.external_code or "").strip()
    if not code:
        raise ValidationError({"external_code": [_("The portal sent a dossier without its code.")]})
    existing = Dossier.objects.filter(external_code=code).first()
    if existing is not None:
        return _update_waiting(existing, submission), False
    procedure = procedure_get(submission.procedure_code)
    if procedure is None:
        raise ValidationError(
            {"procedure": [_("No procedure has the code %(code)s.") % {"code": submission.procedure_code}]}
        )
    desk = receiving_desk_for(submission.agency_code)
    documents = [
        ReceivedDocument(name=str(getattr(doc, "name", doc) or "")[:2000] or _("Paper filed online"), original_count=1)
        for doc in submission.documents or []
    ]
    try:
        with transaction.atomic():
            dossier = dossier_receive(
                procedure=procedure,
                applicant=ApplicantData(
                    full_name=submission.applicant_name,
                    id_number=submission.applicant_id_number,
                    phone=submission.applicant_phone,
                    email=submission.applicant_email,
                    address=submission.applicant_address,
                ),
                received_by=None,
                channel=Channel.ONLINE,
                return_method=submission.return_method
                if submission.return_method in ReturnMethod.values
                else ReturnMethod.DESK,
                return_address=submission.applicant_address,
                documents=documents,
                note=submission.summary[:2000],
                online=OnlineFiling(
                    external_code=code,
                    receiving_agency=desk,
                    filed_at=submission.filed_at or timezone.now(),
                ),
            )
            _alert_desk(dossier.pk)  # in-app notifications: written with the dossier, or not at all
            return dossier, True
    except IntegrityError:
        # The same code arrived twice at once (the pull and the push): the other one won.
        existing = Dossier.objects.filter(external_code=code).first()
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _update_waiting(dossier: Dossier, submission) -> Dossier:
    """The portal sent a dossier it already sent: while the desk has not decided, the citizen's
    contacts may change; after that, nothing changes here (the desk's record wins)."""
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    if dossier.status != DossierStatus.AWAITING_ACCEPTANCE:
        return dossier
    changes = {
        "applicant_phone": (submission.applicant_phone or "").strip()[:20],
        "applicant_email": (submission.applicant_email or "").strip()[:254],
        "applicant_address": " ".join((submission.applicant_address or "").split())[:255],
    }
    changed = {name: value for name, value in changes.items() if value and value != getattr(dossier, name)}
    if changed:
        for name, value in changed.items():
            setattr(dossier, name, value)
        dossier.version += 1
        dossier.save(update_fields=[*changed, "version", "updated_at"])
        record_event(
            dossier,
            action="note",
            actor=None,
            from_status=dossier.status,
            note=_("Updated from the portal: %(fields)s.") % {"fields": ", ".join(sorted(changed))},
        )
    return dossier


def _alert_desk(dossier_id: int) -> None:
    from accounts.models import User
    from notifications.models import NotificationKind
    from notifications.services import notify_staff

    dossier = Dossier.objects.select_related("receiving_agency", "procedure_version").get(pk=dossier_id)
    clerks = User.objects.filter(role=Role.CLERK, agency=dossier.receiving_agency, is_active=True)
    when = timezone.localtime(dossier.acceptance_due_at).strftime("%H:%M %d/%m/%Y")
    notify_staff(
        users=list(clerks),
        kind=NotificationKind.INFO,
        title=_("Online dossier %(code)s to accept") % {"code": dossier.external_code},
        body=_("%(procedure)s. Accept it or ask for corrections by %(when)s.")
        % {"procedure": dossier.procedure_version.name, "when": when},
        url=f"/ho-so/{dossier.code}/",
        dossier=dossier,
        dedupe=f"online:{dossier.pk}",
        email=False,
    )
