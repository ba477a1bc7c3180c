"""Online dossiers filed on the portal: read them, and tell the portal what the desk decided.

Creating dossiers from them belongs to the desk (dossiers/): this module only speaks to the portal.

- ``online_dossiers_fetch(since=None, until=None, agency_code=None) -> list[OnlineDossier]``
  (LayDanhSachHoSoTrucTuyen): what was filed, parsed; ``raw`` keeps the portal's object.
- ``online_decision_send(...)`` sends one decision straight away (CapNhatTrangThaiHoSoTrucTuyen).
  The desk does not need it in the normal flow: an ``accept`` / ``request_supplement`` /
  ``refuse`` event on a dossier in ``awaiting_acceptance`` puts the decision in the outbox
  (interop.services.portal_services_for), sent in order and retried like every record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .portal import (
    DECISION_CODES,
    LIST_ONLINE_DOSSIERS,
    ONLINE,
    ONLINE_DECISION,
    PortalClient,
    parse_portal_datetime,
    portal_datetime,
)


@dataclass
class OnlineDocument:
    name: str
    url: str = ""
    code: str = ""


@dataclass
class OnlineDossier:
    external_code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    applicant_name: str
    applicant_id_number: str
    applicant_is_organisation: bool
    applicant_email: str
    applicant_phone: str
    applicant_address: str
    summary: str
    filed_at: datetime | None
    return_method: str
    documents: list[OnlineDocument] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


def _text(item, key) -> str:
    value = item.get(ONLINE[key])
    return "" if value is None else str(value).strip()


def parse_online_dossier(item: dict) -> OnlineDossier:
    return OnlineDossier(
        external_code=_text(item, "code"),
        procedure_code=_text(item, "procedure_code"),
        procedure_name=_text(item, "procedure_name"),
        agency_code=_text(item, "agency_code"),
        applicant_name=_text(item, "applicant_name"),
        applicant_id_number=_text(item, "applicant_id_number"),
        applicant_is_organisation=_text(item, "applicant_kind") == "2",
        applicant_email=_text(item, "applicant_email"),
        applicant_phone=_text(item, "applicant_phone"),
        applicant_address=_text(item, "applicant_address"),
        summary=_text(item, "summary"),
        filed_at=parse_portal_datetime(_text(item, "filed_at")),
        return_method="post" if _text(item, "return_method") in ("2", "post") else "desk",
        documents=[
            OnlineDocument(
                name=str(doc.get(ONLINE["document_name"]) or ""),
                url=str(doc.get(ONLINE["document_url"]) or ""),
                code=str(doc.get("MaThanhPhanHoSo") or ""),
            )
            for doc in item.get(ONLINE["documents"]) or []
        ],
        raw=item,
    )


def online_dossiers_fetch(
    *, since: datetime | None = None, until: datetime | None = None, agency_code: str | None = None, client=None
) -> list[OnlineDossier]:
    """The dossiers filed online (for the agency, in the period). Raises PortalError."""
    params = {}
    if since is not None:
        params[ONLINE["from"]] = portal_datetime(since)
    if until is not None:
        params[ONLINE["to"]] = portal_datetime(until)
    if agency_code:
        params[ONLINE["agency_code"]] = agency_code
    items = (client or PortalClient()).call(LIST_ONLINE_DOSSIERS, **params)
    return [parse_online_dossier(item) for item in items if isinstance(item, dict)]


def online_decision_send(
    *,
    external_code: str,
    decision: str,
    at: datetime,
    reason: str = "",
    dossier_code: str = "",
    received_at: datetime | None = None,
    due_at: datetime | None = None,
    by_name: str = "",
    client=None,
) -> list[dict]:
    """Send one decision (accept / request_supplement / refuse) now. Raises PortalError."""
    if decision not in DECISION_CODES:
        raise ValueError(f"unknown decision {decision!r}")
    item = {
        ONLINE["code"]: external_code,
        "MaHoSoMotCua": dossier_code,
        "QuyetDinh": DECISION_CODES[decision],
        "LyDo": reason,
        "NgayTiepNhan": portal_datetime(received_at),
        "NgayHenTra": portal_datetime(due_at),
        "NguoiXuLy": by_name,
        "ThoiDiemXuLy": portal_datetime(at),
    }
    return (client or PortalClient()).call(ONLINE_DECISION, data=[item], is_updating=True)


# ----- into the desk ------------------------------------------------------------------------------


@dataclass
class IntakeReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # portal code → why


def online_dossiers_register(items) -> IntakeReport:
    """Register each online dossier at the desk (dossiers.services.dossier_register_online): one
    dossier per portal code, however often it arrives. A dossier that cannot be registered (unknown
    procedure or agency, bad data) is reported with the reason and does not stop the others."""
    import logging

    from django.core.exceptions import ValidationError

    from dossiers.services import dossier_register_online

    report = IntakeReport()
    for item in items:
        online = item if isinstance(item, OnlineDossier) else parse_online_dossier(item)
        try:
            dossier, created = dossier_register_online(online)
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            report.refused[online.external_code or "?"] = "; ".join(m for ms in messages.values() for m in ms)
            continue
        (report.created if created else report.updated).append(dossier.code)
    if report.refused:
        logging.getLogger(__name__).warning("Online dossiers refused: %s", report.refused)
    return report


def online_dossiers_pull(*, now: datetime | None = None, client=None) -> IntakeReport:
    """The pull job: what was filed over the look-back window, registered once each."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    now = now or timezone.now()
    since = now - timedelta(hours=settings.PORTAL_ONLINE_LOOKBACK_HOURS)
    return online_dossiers_register(online_dossiers_fetch(since=since, until=now, client=client))
