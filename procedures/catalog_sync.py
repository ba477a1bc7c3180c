"""The national portal's catalogue (LayDanhSachTTHC, LayThuTuc, LayDanhMucLinhVuc,
LayDanhMucCoQuan) into the catalogue, through the same preview and apply as an annex workbook.

Two halves: ``catalog_fetch`` calls the portal (``interop.portal.PortalClient``) and returns plain
data (dicts, as the portal answered), which the page keeps between the preview and the apply; the
conversion (``portal_published``, ``portal_fields``, ``portal_agencies``, ``portal_plan``) is pure
functions over those dicts. The portal's field names live in ``interop.portal.CATALOGUE``.

The portal's objects are read leniently, as published integrations show them: a time or a fee is
either text or a list of objects ({THOIGIANGIAIQUYET, DONVITINH, MOTA}, {SOTIEN, MOTA}); the legal
basis and the result a text or a list. Papers (THANHPHANHOSO) fill only an empty or unconfirmed
list: a list the province has curated is not replaced. Agencies are listed beside our own agency
tree (matched by code or name) for the administrator to see; they are not created here.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from agencies.models import Agency
from common.text import search_key

from .annex import ImportPlan, Published, RowError, plan_build
from .excel import LEVELS_IN, _text
from .selectors import normalize_procedure_code

PORTAL_SOURCE = "Cổng Dịch vụ công quốc gia"


def _names():
    from interop.portal import CATALOGUE

    return CATALOGUE


def _join(value, *keys: str) -> str:
    """Text from a value that may be a string, a number, a dict or a list of them."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(part for part in (_join(v, *keys) for v in value) if part)
    if isinstance(value, dict):
        parts = [_text(value.get(key)) for key in keys if _text(value.get(key))]
        return " ".join(parts)
    return _text(value)


def _time_text(value) -> str:
    """A time as published: text, or {MOTA} / {THOIGIANGIAIQUYET, DONVITINH} objects."""
    if isinstance(value, (list, tuple)):
        return "; ".join(part for part in (_time_text(v) for v in value) if part)
    if isinstance(value, dict):
        described = _text(value.get("MOTA"))
        amount = _text(value.get("THOIGIANGIAIQUYET") or value.get("THOIGIAN"))
        unit = _text(value.get("DONVITINH"))
        stated = f"{amount} {unit}".strip()
        return described if described and not stated else f"{stated} ({described})" if described else stated
    return _text(value)


def _fee_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(part for part in (_fee_text(v) for v in value) if part)
    if isinstance(value, dict):
        described = _text(value.get("MOTA") or value.get("TENPHILEPHI"))
        amount = _text(value.get("SOTIEN") or value.get("MUCPHI") or value.get("GIA"))
        if amount and described:
            return f"{described}: {amount} đồng"
        return described or (f"{amount} đồng" if amount else "")
    return _text(value)


def _flag(value, default=True) -> bool:
    text = search_key(_text(value))
    if not text:
        return default
    return text in ("1", "true", "co", "x", "yes")


def _count(value, default: int) -> int:
    try:
        return max(0, min(int(float(_text(value) or default)), 100))
    except ValueError:
        return default


def portal_published(obj: dict, *, position: int | str = "") -> Published:
    """One procedure object (LayThuTuc, or a full LayDanhSachTTHC entry) as published values."""
    names = _names()
    code = normalize_procedure_code(_text(obj.get(names["procedure_code"])))
    fields = obj.get(names["fields"]) or []
    if isinstance(fields, dict):
        fields = [fields]
    first_field = fields[0] if fields and isinstance(fields[0], dict) else {}
    item = Published(
        PORTAL_SOURCE,
        code or position,
        code=code,
        name=" ".join(_text(obj.get(names["procedure_name"])).split()),
        field_code=_text(first_field.get(names["field_code"])),
        field_name=_text(first_field.get(names["field_name"])),
        place=_("%(source)s, procedure %(code)s") % {"source": PORTAL_SOURCE, "code": code or f"#{position}"},
    )

    def published(key, reader, *subkeys):
        if names[key] not in obj:
            return None
        return reader(obj.get(names[key]), *subkeys) or None

    item.time_text = published("time_text", _time_text)
    item.fee = published("fee_text", _fee_text)
    item.legal_basis = published("legal_basis", _join, "TENVANBAN", "SOVANBAN", "TRICHYEU")
    item.result = published("result", _join, "TENKETQUA", "TENGIAYTO")
    level = obj.get(names["level"])
    levels = {
        LEVELS_IN.get(search_key(_join(v, "TENCAP", "MACAP"))) for v in (level if isinstance(level, list) else [level])
    }
    levels.discard(None)
    if len(levels) == 1:
        item.level = levels.pop()
    documents = obj.get(names["documents"])
    if isinstance(documents, list) and documents:
        item.documents = [
            {
                "name": _text(doc.get(names["document_name"])),
                "original_count": _count(doc.get(names["document_originals"]), 1),
                "copy_count": _count(doc.get(names["document_copies"]), 0),
                "mandatory": _flag(doc.get(names["document_mandatory"])),
            }
            for doc in documents
            if isinstance(doc, dict) and _text(doc.get(names["document_name"]))
        ] or None
    return item


def portal_fields(objs: list[dict]) -> list[dict]:
    """LayDanhMucLinhVuc → [{code, name}]."""
    names = _names()
    result = []
    for obj in objs or []:
        code, name = _text(obj.get(names["field_code"])), _text(obj.get(names["field_name"]))
        if code and name:
            result.append({"code": code, "name": name})
    return result


def portal_agencies(objs: list[dict]) -> list[dict]:
    """LayDanhMucCoQuan → [{code, name, level, parent, local}] where ``local`` is our agency of the
    same code or name (None when we have none)."""
    names = _names()
    ours = list(Agency.objects.only("pk", "code", "name"))
    by_code = {a.code.lower(): a for a in ours}
    by_name = {search_key(a.name): a for a in ours}
    result = []
    for obj in objs or []:
        code, name = _text(obj.get(names["agency_code"])), _text(obj.get(names["agency_name"]))
        if not code and not name:
            continue
        local = by_code.get(code.lower()) or by_name.get(search_key(name))
        result.append(
            {
                "code": code,
                "name": name,
                "level": _text(obj.get(names["agency_level"])),
                "parent": _text(obj.get(names["agency_parent"])),
                "local": local.name if local else None,
            }
        )
    return result


def portal_plan(data: dict, *, effective_from: date, decision: str = "") -> ImportPlan:
    """Preview what the fetched catalogue (``catalog_fetch``'s dict) would change. Nothing is written.

    A field the procedures name only by code takes its name from LayDanhMucLinhVuc."""
    field_names = {entry["code"]: entry["name"] for entry in portal_fields(data.get("fields") or [])}
    items, errors = [], [RowError(PORTAL_SOURCE, None, message) for message in data.get("errors") or []]
    for position, obj in enumerate(data.get("procedures") or [], start=1):
        if not isinstance(obj, dict):
            errors.append(RowError(PORTAL_SOURCE, position, _("the portal's answer is not a procedure object.")))
            continue
        item = portal_published(obj, position=position)
        if item.field_code and not item.field_name:
            item.field_name = field_names.get(item.field_code, "")
        items.append(item)
    plan = plan_build(items, source=PORTAL_SOURCE, effective_from=effective_from, decision=decision, errors=errors)
    plan.agencies = portal_agencies(data.get("agencies") or [])
    return plan


# ----- calling the portal ---------------------------------------------------------------------------


def catalog_fetch(*, client=None, codes: list[str] | None = None) -> dict:
    """Pull the catalogue from the portal: {"procedures": [...], "fields": [...], "agencies": [...],
    "errors": [...]} as plain data. A summary entry of LayDanhSachTTHC without the time is completed
    by LayThuTuc; a procedure that fails alone is listed in ``errors`` (the rest can be previewed).
    Raises ``interop.portal.PortalError`` when the list itself cannot be had."""
    from interop.portal import GET_PROCEDURE, LIST_AGENCIES, LIST_FIELDS, LIST_PROCEDURES, PortalClient, PortalError

    client = client or PortalClient()
    names = _names()
    fields = client.call(LIST_FIELDS)
    agencies = client.call(LIST_AGENCIES)
    summaries = [{names["procedure_code"]: code} for code in codes] if codes else client.call(LIST_PROCEDURES)
    procedures, errors = [], []
    for summary in summaries:
        if not isinstance(summary, dict):
            continue
        if names["time_text"] in summary and names["procedure_name"] in summary:
            procedures.append(summary)
            continue
        code = _text(summary.get(names["procedure_code"]))
        try:
            detail = client.call(GET_PROCEDURE, MaTTHC=code)
        except PortalError as exc:
            errors.append(_("Procedure %(code)s: %(error)s") % {"code": code, "error": exc})
            continue
        procedures.append({**summary, **(detail[0] if detail else {})})
    return {"procedures": procedures, "fields": fields, "agencies": agencies, "errors": errors}
