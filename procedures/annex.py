"""The catalogue from outside: a province's published annex workbook, and the published values
(prose) that annexes and the national portal give for a procedure.

An annex (phụ lục kèm quyết định công bố) is a table with one or more title rows above its header;
its columns are found by their Vietnamese names, accents, case and spacing ignored ("Mã TTHC",
"Tên thủ tục hành chính", "Lĩnh vực", "Thời hạn giải quyết", "Phí, lệ phí", "Căn cứ pháp lý"…).
The field (lĩnh vực) is either a column or a section row across the table ("I. Lĩnh vực Hộ tịch").

Published values are prose. What can be read is read ("05 ngày làm việc" → 5 working days, a fee
"8.000 đồng/bản" → 8000 a copy); the published text is always kept beside it; what cannot be read is
marked unconfirmed (``ProcedureVersion.unconfirmed``) instead of refusing the row. A procedure whose
time is unconfirmed has no time, so intake refuses it until an administrator sets one.

Everything goes through the same path: published values → records (merged with the version in
force, so papers and workflow are kept) → ``catalog_preview`` → ``catalog_apply``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from agencies.calendar import TimeUnit
from common.text import search_key

from .choices import ProcedureLevel
from .excel import LEVELS_IN, ONLINE_IN, _text
from .models import Field, Procedure
from .selectors import normalize_procedure_code
from .services import (
    CatalogError,
    CatalogPreview,
    catalog_apply,
    catalog_preview,
    record_differences,
    version_record,
)

# ----- reading published times ---------------------------------------------------------------------

_PARENTHESES = re.compile(r"\([^()]*\)")
_SPACES = re.compile(r"\s+")
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"(?P<number>{_NUMBER})(?P<range>\s*(?:-|–|đến|tới)\s*{_NUMBER})?\s*"
    r"(?P<unit>ngày làm việc|ngày|giờ làm việc|giờ|tháng|tuần|năm)(?!\w)"
)
# A number of hours after these words is a time of day ("nhận hồ sơ sau 15 giờ"), not a duration.
_CLOCK_WORDS = {"sau", "trước", "lúc", "từ", "đến", "tới", "vào", "quá"}
_SAME_DAY = re.compile(
    r"(?:^|\s)(?:ngay\s+)?trong\s+(?:ngày|buổi)(?!\s+thứ)|giải quyết ngay|trả (?:kết quả )?ngay|ngay sau khi|ngay khi"
)
# A clause starting so is an exception to the rule the text states, not another rule.
_EXCEPTION_WORDS = (
    "trường hợp",
    "nếu",
    "có thể",
    "kéo dài",
    "thời gian",
    "không kể",
    "không tính",
    "đối với trường hợp",
)
_NOT_STATED = ("chưa xác nhận", "chưa có", "chưa quy định", "không quy định", "chưa xác định")
_UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "giờ làm việc": TimeUnit.WORKING_HOURS,
    "ngày": TimeUnit.CALENDAR_DAYS,
}


def _prose(text) -> str:
    """Lower-case NFC text with parenthesised remarks removed and single spaces."""
    text = unicodedata.normalize("NFC", _text(text)).lower()
    while True:
        stripped = _PARENTHESES.sub(" ", text)
        if stripped == text:
            break
        text = stripped
    return _SPACES.sub(" ", text).strip(" .;:,")


def _amount(number: str) -> Decimal:
    value = Decimal(number.replace(",", "."))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _rule_part(clause: str) -> str:
    """A clause without its exceptions: cut at ", kéo dài…", " nếu …", ", trường hợp …"."""
    parts = re.split(r",|\bhoặc\b", clause)
    kept = [parts[0]]
    for part in parts[1:]:
        if part.strip().startswith(_EXCEPTION_WORDS):
            break
        kept.append(part)
    text = ",".join(kept)
    for word in (" nếu ", " trường hợp ", " trừ "):
        text = text.split(word)[0]
    return text


def _durations(text: str) -> list[tuple[Decimal, str | None]] | None:
    """Every duration in ``text`` as (amount, unit); the unit is None when it is not ours
    (months, bare hours); None when a range ("3,5-12 ngày") makes the text unreadable."""
    found = []
    for match in _DURATION.finditer(text):
        words = text[: match.start()].split()
        unit_text = match.group("unit")
        if unit_text == "giờ" and words and words[-1] in _CLOCK_WORDS:
            continue  # a time of day
        if match.group("range"):
            return None
        found.append((_amount(match.group("number")), _UNITS.get(unit_text)))
    return found


def parse_processing_time(text, *, unit_hint: str = "") -> dict | None:
    """A published processing time as {amount, unit}, or None when it cannot be read for certain.

    ``unit_hint``: the unit a header gives for bare numbers ("Thời hạn giải quyết (ngày làm việc)").
    """
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        text = _text(text)
    prose = _prose(text)
    if not prose or prose.startswith(_NOT_STATED):
        return None
    if re.fullmatch(_NUMBER, prose):
        amount = _amount(prose)
        return {"amount": amount, "unit": unit_hint} if unit_hint and amount > 0 else None
    clauses = [c.strip() for c in re.split(r"[;\n]", prose) if c.strip()]
    rule, others = clauses[0], clauses[1:]
    considered = [_rule_part(rule)] + [c for c in others if not c.startswith(_EXCEPTION_WORDS)]
    durations = []
    for clause in considered:
        found = _durations(clause)
        if found is None:
            return None
        durations.extend(found)
    if any(unit is None for _amount_, unit in durations):
        return None
    if _SAME_DAY.search(" " + considered[0]):
        return {"amount": Decimal(0), "unit": TimeUnit.SAME_DAY} if not durations else None
    distinct = set(durations)
    if len(distinct) != 1:
        return None  # nothing stated, or different times for different cases
    amount, unit = distinct.pop()
    if amount <= 0:
        return None
    return {"amount": amount, "unit": unit}


# ----- reading published fees ----------------------------------------------------------------------

_MONEY = re.compile(
    r"(?P<number>\d{1,3}(?:[.\s]\d{3})+|\d+)\s*(?:đồng|vnđ|vnd|đ)(?!\w)(?:\s*/\s*(?P<per>[^\s;,.()/]+(?:\s+[^\s;,.()/\d]+)?))?"
)
_FREE = re.compile(
    r"^(?:không|không có|không thu|không thu phí|không thu lệ phí|không thu phí,? lệ phí|"
    r"miễn|miễn phí|miễn lệ phí|miễn phí,? lệ phí|miễn thu|không mất phí|không phải nộp(?: phí| lệ phí)?)$"
)
# A fee decided elsewhere (by the province's council, by a circular): not a figure we can read.
_DECIDED_ELSEWHERE = (
    "hđnd",
    "hội đồng nhân dân",
    "thông tư",
    "nghị quyết",
    "nghị định",
    "quyết định",
    "theo quy định",
    "luật",
)


def parse_fee(text) -> dict | None:
    """A published fee as {amount, per, free}, or None when it cannot be read for certain.

    "Không", "Miễn phí", "Miễn lệ phí" → free; "8.000 đồng/bản" → 8000 a "bản"; a fee "do HĐND
    cấp tỉnh quyết định", several amounts, or a free first clause with a fee referred elsewhere → None.
    """
    prose = _prose(text)
    if not prose or prose.startswith(_NOT_STATED):
        return None
    amounts = list(_MONEY.finditer(prose))
    elsewhere = any(word in prose for word in _DECIDED_ELSEWHERE)
    if elsewhere:
        return None
    first = re.split(r"[;\n]", prose)[0].strip(" .;:,")
    if len(amounts) == 1:
        if re.search(r"\b(?:khi|nếu|đối với|trường hợp)\b", _MONEY.sub(" ", first)):
            return None  # a figure that holds only in some cases ("0 đồng khi nộp trực tuyến")
        match = amounts[0]
        amount = Decimal(re.sub(r"[.\s]", "", match.group("number")))
        return {"amount": amount, "per": (match.group("per") or "").strip(), "free": amount == 0}
    if amounts:
        return None
    if _FREE.match(first) or first in ("0", "0đ"):
        return {"amount": Decimal(0), "per": "", "free": True}
    return None


def fee_label(fee: dict | None) -> str:
    if fee is None:
        return _("Not confirmed")
    if fee["free"]:
        return _("Free")
    amount = f"{fee['amount']:,.0f}".replace(",", ".")
    if fee["per"]:
        return _("%(amount)s đồng per %(per)s") % {"amount": amount, "per": fee["per"]}
    return _("%(amount)s đồng") % {"amount": amount}


# ----- published values → records -------------------------------------------------------------------


@dataclass
class RowError:
    """One problem, where it stands: the sheet (or source) and the row (or item)."""

    sheet: str
    row: int | str | None
    message: str
    place: str = ""  # how the source names where it stands, when not a sheet and a row

    @property
    def where(self) -> str:
        if self.place:
            return self.place
        if self.row in (None, ""):
            return self.sheet
        return _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": self.sheet, "row": self.row}

    def __str__(self):
        return f"{self.where}: {self.message}"


@dataclass
class Published:
    """What a source publishes about one procedure; a value left None was not published."""

    sheet: str
    row: int | str
    code: str = ""
    name: str = ""
    field_code: str = ""
    field_name: str = ""
    time_text: str | None = None
    time_unit_hint: str = ""
    fee: str | None = None
    legal_basis: str | None = None
    competent_authority: str | None = None
    result: str | None = None
    level: str | None = None
    online_level: str | None = None
    documents: list[dict] | None = None
    place: str = ""

    @property
    def where(self) -> str:
        return RowError(self.sheet, self.row, "", self.place).where

    def error(self, message: str) -> RowError:
        return RowError(self.sheet, self.row, message, self.place)


@dataclass
class Reading:
    """How the published prose of one procedure was read, for the preview."""

    code: str
    time: dict | None
    time_text: str
    time_kept: bool  # the published time text is unchanged: the confirmed time stands
    fee: dict | None
    fee_text: str


@dataclass
class ImportPlan:
    """Records ready for ``catalog_apply``, every error found, and the preview of what would change."""

    source: str
    effective_from: date
    records: list[tuple[str, dict]] = field(default_factory=list)
    fields: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    readings: dict[str, Reading] = field(default_factory=dict)
    preview: CatalogPreview | None = None
    notes: list[str] = field(default_factory=list)
    agencies: list[dict] = field(default_factory=list)  # the portal's agencies, beside ours

    @property
    def can_apply(self) -> bool:
        return not self.errors and bool(self.records) and self.preview is not None

    @property
    def fingerprint(self) -> str:
        """Changes when what would be applied changes (the file, the catalogue or the date)."""
        payload = {
            "records": [record for _where, record in self.records],
            "preview": [(i.code, i.status, i.changes) for i in self.preview.items] if self.preview else [],
            "errors": [str(e) for e in self.errors],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


# Keys of ``unconfirmed`` a published value settles (or leaves open when it is missing).
_SETTLED_BY = {
    "legal_basis": "legal_basis",
    "result": "result",
    "online_level": "online_level",
}


def _same_text(a: str, b: str) -> bool:
    return search_key(a).strip(" .;") == search_key(b).strip(" .;")


def published_record(
    item: Published, *, current, procedure: Procedure | None, effective_from: date, source: str, decision: str = ""
) -> tuple[dict, Reading]:
    """A record for ``catalog_apply`` from published values, on top of the version in force
    (``current``): what the source does not publish (papers, workflow, level…) is kept."""
    if current is not None:
        record = version_record(current)
    else:
        record = {
            "level": ProcedureLevel.COMMUNE,
            "processing_time": {},
            "processing_time_text": "",
            "fee": "",
            "result": "",
            "legal_basis": "",
            "competent_authority": "",
            "online_level": "",
            "interagency": False,
            "verified": False,
            "unconfirmed": ["processing_time", "fee", "documents", "online_level", "legal_basis", "result"],
            "source": "",
            "decision": "",
            "documents": [],
            "workflow": [],
        }
    unconfirmed = set(record.get("unconfirmed") or [])
    record["code"] = item.code
    record["name"] = item.name
    record["effective_from"] = effective_from
    if item.field_code or item.field_name:
        record["field"], record["field_name"] = item.field_code, item.field_name
    elif procedure is not None:
        record["field"], record["field_name"] = procedure.field.code, ""
    else:
        record["field"], record["field_name"] = "", ""

    time, time_kept = (record["processing_time"] or None), False
    if item.time_text:
        kept = (
            current is not None
            and current.has_processing_time
            and _same_text(item.time_text, current.processing_time_text)
        )
        if kept:
            time_kept = True
        else:
            time = parse_processing_time(item.time_text, unit_hint=item.time_unit_hint)
            record["processing_time"] = time or {}
            record["processing_time_text"] = item.time_text
            unconfirmed.discard("processing_time") if time else unconfirmed.add("processing_time")

    fee = parse_fee(record["fee"]) if record["fee"] else None
    if item.fee:
        fee = parse_fee(item.fee)
        kept = current is not None and "fee" not in (current.unconfirmed or []) and _same_text(item.fee, current.fee)
        record["fee"] = item.fee
        unconfirmed.discard("fee") if fee or kept else unconfirmed.add("fee")

    if item.documents and (current is None or not record["documents"] or "documents" in unconfirmed):
        # Papers from the source fill an empty or unconfirmed list; a list already kept is not replaced.
        record["documents"] = item.documents
        unconfirmed.discard("documents")
    for name in ("legal_basis", "result", "competent_authority"):
        value = getattr(item, name)
        if value:
            record[name] = value
            if name in _SETTLED_BY:
                unconfirmed.discard(_SETTLED_BY[name])
    if item.level:
        record["level"] = item.level
    if item.online_level:
        record["online_level"] = item.online_level
        unconfirmed.discard("online_level")
    record["unconfirmed"] = sorted(unconfirmed)
    # Provenance only travels with a real change: the same annex loaded twice changes nothing.
    if current is None or record_differences(record, current):
        record["source"] = source
        if decision:
            record["decision"] = decision
    reading = Reading(
        code=item.code,
        time=time if not time_kept else record["processing_time"],
        time_text=item.time_text or record["processing_time_text"],
        time_kept=time_kept,
        fee=fee,
        fee_text=record["fee"],
    )
    return record, reading


def plan_build(
    items: list[Published],
    *,
    source: str,
    effective_from: date,
    decision: str = "",
    errors: list[RowError] | None = None,
    notes: list[str] | None = None,
) -> ImportPlan:
    """Turn published values into records and preview them. Nothing is written."""
    plan = ImportPlan(source=source, effective_from=effective_from, errors=list(errors or []), notes=list(notes or []))
    codes = [item.code for item in items if item.code]
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes).select_related("field")}
    seen: dict[str, Published] = {}
    locations: dict[str, Published] = {}
    known_fields = list(Field.objects.all())
    for item in items:
        item.field_code, item.field_name = _local_field(item.field_code, item.field_name, known_fields)
        if not item.code:
            plan.errors.append(item.error(_("the procedure code is missing.")))
        if not item.name:
            plan.errors.append(item.error(_("the procedure name is missing.")))
        if not item.code or not item.name:
            continue
        if item.code in seen:
            plan.errors.append(
                item.error(
                    _("the procedure code %(code)s appears twice (also %(other)s).")
                    % {"code": item.code, "other": seen[item.code].where}
                )
            )
            continue
        seen[item.code] = item
        procedure = procedures.get(item.code)
        current = procedure.version_on(effective_from) if procedure is not None else None
        record, reading = published_record(
            item, current=current, procedure=procedure, effective_from=effective_from, source=source, decision=decision
        )
        plan.records.append((item.where, record))
        plan.readings[item.code] = reading
        locations[item.where] = item
    fields = {}
    for _where, record in plan.records:
        if record["field"] and record["field_name"]:
            fields[record["field"]] = record["field_name"]
    plan.fields = [{"code": code, "name": name} for code, name in fields.items()]
    if not plan.records and not plan.errors:
        plan.errors.append(RowError(source, None, _("No procedure was found.")))
    try:
        plan.preview = catalog_preview(plan.records, fields=plan.fields)
    except CatalogError as exc:
        plan.errors.extend(_located(message, locations, source) for message in exc.errors)
    else:
        plan.errors.extend(_located(message, locations, source) for message in plan.preview.errors)
    return plan


def _local_field(code: str, name: str, known: list[Field]) -> tuple[str, str]:
    """A source's field as ours: the field of the same name (accents and case ignored) keeps our code;
    else the field of the same code keeps our name; else a new field with the source's code and name."""
    if name:
        key = search_key(name)
        for entry in known:
            if search_key(entry.name) == key:
                return entry.code, ""
    if code:
        for entry in known:
            if entry.code.lower() == code.lower():
                return entry.code, ""
        if not name:
            return code, code
    return code, name


def _located(message: str, locations: dict, source: str) -> RowError:
    """Split "where: message" (as catalog_validate writes) back into sheet, row and message."""
    for where, item in locations.items():
        if message.startswith(where + ": "):
            return item.error(message[len(where) + 2 :])
    return RowError(source, None, message)


def plan_apply(plan: ImportPlan):
    """Apply a plan without errors through ``catalog_apply`` (one transaction, all or nothing)."""
    if plan.errors or not plan.records:
        raise CatalogError([str(e) for e in plan.errors] or [_("No procedure was found.")])
    return catalog_apply(plan.records, fields=plan.fields)


# ----- the annex workbook ----------------------------------------------------------------------------

# Column key → header names (compared as search keys without punctuation and parentheses).
HEADERS = {
    "order": ("stt", "so tt", "so thu tu", "tt"),
    "code": ("ma tthc", "ma thu tuc", "ma thu tuc hanh chinh", "ma so tthc", "ma so thu tuc", "ma so", "ma"),
    "name": ("ten thu tuc hanh chinh", "ten tthc", "ten thu tuc", "thu tuc hanh chinh", "ten"),
    "field_name": ("linh vuc", "ten linh vuc", "linh vuc thuc hien"),
    "field_code": ("ma linh vuc",),
    "time": ("thoi han giai quyet", "thoi gian giai quyet", "thoi han", "thoi han xu ly"),
    "fee": ("phi le phi", "phi va le phi", "le phi", "phi", "muc phi", "muc thu phi le phi", "phi le phi neu co"),
    "legal_basis": (
        "can cu phap ly",
        "can cu phap ly cua tthc",
        "can cu phap ly cua thu tuc hanh chinh",
        "van ban quy dinh",
    ),
    "competent_authority": (
        "co quan thuc hien",
        "co quan co tham quyen",
        "co quan giai quyet",
        "co quan co tham quyen giai quyet",
    ),
    "result": ("ket qua", "ket qua thuc hien", "ket qua giai quyet", "ket qua thuc hien tthc"),
    "level": ("cap thuc hien",),
    "online_level": ("dich vu cong truc tuyen", "muc do dich vu cong truc tuyen", "dvctt", "muc do dvc"),
    # Read so that they are not mistaken for data; the catalogue has no place for them yet.
    "place": ("dia diem thuc hien", "dia diem tiep nhan"),
    "method": ("cach thuc thuc hien", "hinh thuc nop"),
    "note": ("ghi chu",),
}
_STORED = {
    "code",
    "name",
    "field_name",
    "field_code",
    "time",
    "fee",
    "legal_basis",
    "competent_authority",
    "result",
    "level",
    "online_level",
}
_HEADER_SCAN_ROWS = 30
_ROMAN = re.compile(r"^(?:[ivxlc]+|[a-z]|\d+)[.)]\s*")
_PUNCTUATION = re.compile(r"[^\w\s]")


def _header_key(title) -> str:
    """ "Phí, lệ phí (nếu có)" → "phi le phi"; keeps the parenthesis for unit hints elsewhere."""
    text = search_key(_PARENTHESES.sub(" ", _text(title)))
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


def _column_of(title) -> str | None:
    key = _header_key(title)
    if not key:
        return None
    best, best_length = None, 0
    for column, names in HEADERS.items():
        for name in names:
            if (key == name or key.startswith(name + " ")) and len(name) > best_length:
                best, best_length = column, len(name)
    return best


def _unit_hint(title) -> str:
    inside = " ".join(re.findall(r"\(([^()]*)\)", _text(title))).lower()
    for words, unit in _UNITS.items():
        if words == inside.strip():
            return unit
    return ""


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """The first row naming at least two known columns: its index, column positions and titles."""
    for index, values in enumerate(rows[:_HEADER_SCAN_ROWS]):
        positions, titles = {}, {}
        for position, title in enumerate(values):
            column = _column_of(title) if isinstance(title, str) else None
            if column and column not in positions:
                positions[column], titles[column] = position, _text(title)
        if len(positions) >= 2 and ({"code", "name", "time", "fee"} & positions.keys()):
            return index, positions, titles
    return None


def _section(values: tuple, positions: dict[str, int]) -> tuple[str, str] | None:
    """A section row across the table: ("field", name) or ("level", level) or ("skip", "")."""
    texts = [_text(v) for v in values if _text(v)]
    if len(set(texts)) != 1 or any(isinstance(v, (int, float)) for v in values if v not in (None, "")):
        return None
    text = texts[0]
    key = search_key(text)
    if key.startswith(("ghi chu", "tong", "*", "(*)", "nguon")):
        return ("skip", "")
    numbered = bool(_ROMAN.match(key))
    body = _ROMAN.sub("", text.strip()).strip()
    body_key = search_key(body)
    if "linh vuc" in body_key:
        name = re.split(r"(?i)lĩnh vực|linh vuc", body, maxsplit=1)[1].strip(" :.-–")
        return ("field", name) if name else None
    if "thu tuc hanh chinh" in body_key or body_key.startswith("danh muc"):
        for words, level in (("cap xa", ProcedureLevel.COMMUNE), ("cap tinh", ProcedureLevel.PROVINCE)):
            if words in body_key:
                return ("level", level)
        return ("skip", "")
    if numbered or text.isupper():
        # "I. Hộ tịch", "CHỨNG THỰC": a section naming the field.
        code_position = positions.get("code")
        if code_position is not None and code_position < len(values) and _text(values[code_position]) == text:
            return None  # the only value is in the code column: a data row
        return ("field", body[:1].upper() + body[1:] if body.isupper() else body)
    return None


def _cell(values: tuple, positions: dict[str, int], key: str):
    position = positions.get(key)
    return values[position] if position is not None and position < len(values) else None


def _is_numbering_row(values: tuple) -> bool:
    """The "(1) (2) (3)…" or "1 2 3…" row some annexes put under the header."""
    texts = [_text(v) for v in values if _text(v)]
    return len(texts) >= 3 and all(re.fullmatch(r"\(?\d+\)?", t) for t in texts)


def _open_workbook(stream):
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise CatalogError([_("The file is not a valid Excel workbook (.xlsx).")]) from None


def annex_read(stream) -> tuple[list[Published], list[RowError], list[str]]:
    """Read every sheet of an annex workbook that has a header: the published values per row, the
    errors of its layout, and notes (columns read but not stored)."""
    workbook = _open_workbook(stream)
    items: list[Published] = []
    errors: list[RowError] = []
    ignored: set[str] = set()
    found_any = False
    try:
        for sheet in workbook.worksheets:
            found_any |= _read_sheet(sheet.title, list(sheet.iter_rows(values_only=True)), items, errors, ignored)
    finally:
        workbook.close()
    if not found_any:
        errors.append(
            RowError(
                _("Workbook"),
                None,
                _("no header row was found: the table needs columns such as “Mã TTHC” and “Tên thủ tục hành chính”."),
            )
        )
    notes = []
    if ignored:
        notes.append(_("Columns read but not stored: %(columns)s.") % {"columns": ", ".join(sorted(ignored))})
    return items, errors, notes


def _read_sheet(title: str, rows: list[tuple], items: list, errors: list, ignored: set) -> bool:
    """Read one sheet into ``items`` and ``errors``; False when it has no header row."""
    header = _find_header(rows)
    if header is None:
        return False
    index, positions, titles = header
    missing = [
        label for key, label in (("code", "Mã TTHC"), ("name", "Tên thủ tục hành chính")) if key not in positions
    ]
    for label in missing:
        errors.append(
            RowError(title, index + 1, _("there is no column “%(column)s” in the header row.") % {"column": label})
        )
    if missing:
        return True
    ignored.update(titles[key] for key in positions if key not in _STORED and key != "order")
    hint = _unit_hint(titles.get("time", ""))
    field_name, level = "", None
    for number, values in enumerate(rows[index + 1 :], start=index + 2):
        if values is None or all(_text(v) == "" for v in values) or _is_numbering_row(values):
            continue
        section = _section(values, positions)
        if section is not None:
            kind, value = section
            if kind == "field":
                field_name = value
            elif kind == "level":
                level = value
            continue
        items.append(_published_row(title, number, values, positions, hint, field_name, level, errors))
    return True


def _published_row(title, number, values, positions, hint, field_name, level, errors) -> Published:
    def cell(key):
        return _cell(values, positions, key)

    def published(key):
        return _text(cell(key)) if key in positions else None

    item = Published(
        title,
        number,
        code=normalize_procedure_code(_text(cell("code")).replace(" ", "")),
        name=_SPACES.sub(" ", _text(cell("name"))),
        field_code=_text(cell("field_code")),
        field_name=_text(cell("field_name")) or field_name,
        time_text=published("time"),
        time_unit_hint=hint,
        fee=published("fee"),
        legal_basis=published("legal_basis"),
        competent_authority=published("competent_authority"),
        result=published("result"),
        level=level,
    )
    row_errors: list[str] = []
    if _text(cell("level")):
        item.level = _choice(LEVELS_IN, cell("level"), row_errors, _("level"))
    if _text(cell("online_level")):
        item.online_level = _choice(ONLINE_IN, cell("online_level"), row_errors, _("online service level"))
    errors.extend(RowError(title, number, message) for message in row_errors)
    return item


def _choice(table: dict, value, errors: list[str], label: str):
    key = search_key(_text(value))
    if key in table:
        return table[key]
    errors.append(_("“%(value)s” is not a valid %(label)s.") % {"value": _text(value), "label": label})
    return None


def annex_plan(stream, *, effective_from: date, source: str, decision: str = "") -> ImportPlan:
    """Read an annex workbook and preview it against the catalogue. Nothing is written."""
    items, errors, notes = annex_read(stream)
    return plan_build(
        items, source=source, effective_from=effective_from, decision=decision, errors=errors, notes=notes
    )
