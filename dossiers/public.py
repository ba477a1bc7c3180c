"""What a citizen may see of a dossier without an account.

- ``mask_name``: the applicant's name reduced to initials and asterisks;
- ``public_view``: the one projection of a dossier shown on the status page, the kiosk and the
  public API (never the ID number, phone, address, email or full name);
- ``parse_scanned``: a code and key out of what a scanner types (a full lookup URL or "CODE KEY").

Lookups are rate-limited per client by the one mechanism, common.ratelimit's PUBLIC_LIMITS.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import DossierStatus, ReturnMethod
from .codes import normalize_lookup_key

S = DossierStatus


def mask_name(full_name: str) -> str:
    """ "Nguyễn Văn An" → "N***** V** A*": the first letter of each word, then an asterisk for each
    other letter (at least one, so a one-letter word is not shown whole)."""
    words = unicodedata.normalize("NFC", full_name or "").split()
    return " ".join(word[0] + "*" * max(1, len(word) - 1) for word in words)


# ----- the projection ----------------------------------------------------------------------------


@dataclass
class HistoryLine:
    at: datetime
    status: str
    status_label: str


@dataclass
class Apology:
    reason: str
    new_due_at: datetime | None
    at: datetime | None


@dataclass
class PublicDossier:
    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    status_text: str
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None
    applicant_name_masked: str
    return_method: str
    collect_text: str
    collect_agency_name: str
    collect_agency_address: str
    tracking_number: str
    history: list[HistoryLine] = field(default_factory=list)
    apology: Apology | None = None
    can_rate: bool = False
    rated: bool = False


def _local(value):
    return date_format(timezone.localtime(value), "H:i d/m/Y") if value else ""


def status_text(dossier) -> str:
    """The current step in one plain sentence (what the citizen should know or do)."""
    status, by_post = dossier.status, dossier.return_method == ReturnMethod.POST
    if status == S.RECEIVED:
        if dossier.transferred_at:
            return _("Your dossier has been passed to the processing office and is waiting to be assigned.")
        return _("Your dossier has been received and is waiting to be passed to the processing office.")
    if status == S.IN_PROGRESS:
        return _("Your dossier is being examined by the processing office.")
    if status == S.AWAITING_SUPPLEMENT:
        if dossier.supplement_deadline:
            return _(
                "Your dossier needs more papers: see the request you were given and bring them before %(date)s."
            ) % {"date": _local(dossier.supplement_deadline)}
        return _("Your dossier needs more papers: see the request you were given.")
    if status == S.RESULT_READY:
        if by_post:
            return _("The result is ready and will be sent to you by post.")
        return _("The result is ready: you can collect it at the desk.")
    if status == S.RETURNED:
        if by_post:
            return _("The result has been sent to you by post.")
        return _("The result has been handed over. Thank you for using our services.")
    if status == S.REFUSED:
        return _("Your dossier could not be granted: the reason is in the written notice you were given.")
    if status == S.WITHDRAWN:
        return _("The dossier was withdrawn at your request.")
    if status == S.CLOSED:
        return _("The dossier was closed because the papers asked for were not brought in time.")
    return dossier.get_status_display()


def _history(events) -> list[HistoryLine]:
    """One line per change of status (notes and hand-overs inside a status are staff business)."""
    if hasattr(events, "values_list"):  # a queryset: read two columns, no model instances
        rows = events.values_list("at", "to_status")
    else:
        rows = ((event.at, event.to_status) for event in events)
    labels = dict(DossierStatus.choices)
    lines, last = [], None
    for at, to_status in rows:
        if to_status == last:
            continue
        last = to_status
        lines.append(HistoryLine(at=at, status=to_status, status_label=str(labels.get(to_status, to_status))))
    return lines


def _apology(dossier) -> Apology | None:
    # dossier_get_public tells whether there is an apology letter: most dossiers have none.
    if getattr(dossier, "public_has_extension", True):
        extension = next(iter(dossier.extensions.all()), None)
        if extension is not None:
            return Apology(reason=extension.reason, new_due_at=extension.new_due_at, at=extension.created_at)
    late = getattr(dossier, "late_apology", None)
    if late is not None and late.completed_at is not None:
        return Apology(reason=late.reason, new_due_at=late.expected_at, at=late.completed_at)
    return None


def public_view(dossier, events) -> PublicDossier:
    agency = dossier.receiving_agency.current()
    by_post = dossier.return_method == ReturnMethod.POST
    collect = _("The result is sent by post.") if by_post else _("Collect the result at the desk of:")
    rated = getattr(dossier, "public_rated", None)  # annotated by dossier_get_public
    if rated is None:
        rated = dossier.evaluations.exists()
    return PublicDossier(
        code=dossier.code,
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure_version.name,
        status=dossier.status,
        status_label=dossier.get_status_display(),
        status_text=status_text(dossier),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        applicant_name_masked=mask_name(dossier.applicant_name),
        return_method=dossier.return_method,
        collect_text=collect,
        collect_agency_name="" if by_post else agency.name,
        collect_agency_address="" if by_post else agency.address,
        tracking_number=dossier.tracking_number if by_post else "",
        history=_history(events),
        apology=_apology(dossier),
        can_rate=dossier.status == S.RETURNED and not rated,
        rated=rated,
    )


# ----- scanner input -----------------------------------------------------------------------------

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{3,63}$")


def parse_scanned(text: str) -> tuple[str, str]:
    """A code and a key from a scanned QR (the lookup URL) or typed "CODE KEY". ("", "") if none."""
    text = (text or "").strip()
    if not text:
        return "", ""
    if "/tra-cuu/" in text:
        parts = urlsplit(text if "://" in text else f"http://x/{text.lstrip('/')}")
        path = unquote(parts.path)
        code = path.split("/tra-cuu/", 1)[1].strip("/").split("/")[0]
        key = (parse_qs(parts.query).get("key") or [""])[0]
        return code, normalize_lookup_key(key)
    pieces = text.split()
    if len(pieces) >= 2:
        return pieces[0], normalize_lookup_key("".join(pieces[1:]))
    return (pieces[0], "") if CODE_RE.match(pieces[0]) else ("", "")
