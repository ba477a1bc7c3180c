"""The catalogue as an Excel workbook: one documented layout, for export and import.

Sheet "Thủ tục" — one row per procedure version:
    Mã TTHC | Tên thủ tục | Mã lĩnh vực | Lĩnh vực | Cấp thực hiện | Thời hạn giải quyết |
    Đơn vị thời hạn | Thời hạn (văn bản công bố) | Phí, lệ phí | Kết quả | Căn cứ pháp lý |
    Cơ quan có thẩm quyền | Dịch vụ công trực tuyến | Liên thông | Hiệu lực từ | Quyết định công bố |
    Đã xác minh | Chưa xác nhận | Nguồn
Sheet "Thành phần hồ sơ" — one row per paper:
    Mã TTHC | Hiệu lực từ | STT | Tên giấy tờ | Bản chính | Bản sao | Bắt buộc
Sheet "Quy trình" — one row per internal step:
    Mã TTHC | Hiệu lực từ | Bước | Tên bước | Vai trò | Tỷ lệ thời gian (%)

Units: "ngày làm việc", "giờ làm việc", "trong ngày", "ngày" (or working_days, working_hours,
same_day, calendar_days). Yes/no cells: "Có"/"Không". Dates: dd/mm/yyyy or an Excel date. Codes
with a province suffix (1.001193.000.00.00.H35) are read as the national code.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from agencies.calendar import TimeUnit
from common.excel import append
from common.text import search_key

from .choices import OnlineLevel, ProcedureLevel, StepRole
from .models import Procedure
from .selectors import normalize_procedure_code
from .services import CatalogError, CatalogReport, catalog_apply, catalog_validate

PROCEDURE_SHEET, DOCUMENT_SHEET, STEP_SHEET = "Thủ tục", "Thành phần hồ sơ", "Quy trình"
PROCEDURE_COLUMNS = [
    ("code", "Mã TTHC"),
    ("name", "Tên thủ tục"),
    ("field", "Mã lĩnh vực"),
    ("field_name", "Lĩnh vực"),
    ("level", "Cấp thực hiện"),
    ("amount", "Thời hạn giải quyết"),
    ("unit", "Đơn vị thời hạn"),
    ("processing_time_text", "Thời hạn (văn bản công bố)"),
    ("fee", "Phí, lệ phí"),
    ("result", "Kết quả"),
    ("legal_basis", "Căn cứ pháp lý"),
    ("competent_authority", "Cơ quan có thẩm quyền"),
    ("online_level", "Dịch vụ công trực tuyến"),
    ("interagency", "Liên thông"),
    ("effective_from", "Hiệu lực từ"),
    ("decision", "Quyết định công bố"),
    ("verified", "Đã xác minh"),
    ("unconfirmed", "Chưa xác nhận"),
    ("source", "Nguồn"),
]
DOCUMENT_COLUMNS = [
    ("code", "Mã TTHC"),
    ("effective_from", "Hiệu lực từ"),
    ("order", "STT"),
    ("name", "Tên giấy tờ"),
    ("original_count", "Bản chính"),
    ("copy_count", "Bản sao"),
    ("mandatory", "Bắt buộc"),
]
STEP_COLUMNS = [
    ("code", "Mã TTHC"),
    ("effective_from", "Hiệu lực từ"),
    ("order", "Bước"),
    ("name", "Tên bước"),
    ("role", "Vai trò"),
    ("share", "Tỷ lệ thời gian (%)"),
]

UNIT_LABELS = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.WORKING_HOURS: "giờ làm việc",
    TimeUnit.SAME_DAY: "trong ngày",
    TimeUnit.CALENDAR_DAYS: "ngày",
}
LEVEL_LABELS = {
    ProcedureLevel.COMMUNE: "Cấp xã",
    ProcedureLevel.PROVINCE: "Cấp tỉnh",
    ProcedureLevel.CENTRAL: "Trung ương",
}
ONLINE_LABELS = {OnlineLevel.FULL: "Toàn trình", OnlineLevel.PARTIAL: "Một phần", OnlineLevel.NONE: "Không", "": ""}
ROLE_LABELS = {StepRole.CLERK: "Một cửa", StepRole.OFFICER: "Chuyên môn", StepRole.LEADER: "Lãnh đạo"}


def _reverse(labels: dict) -> dict:
    table = {search_key(label): value for value, label in labels.items() if label}
    table.update({search_key(str(value)): value for value in labels if value})
    return table


UNITS_IN, LEVELS_IN, ONLINE_IN, ROLES_IN = map(_reverse, (UNIT_LABELS, LEVEL_LABELS, ONLINE_LABELS, ROLE_LABELS))
LEVELS_IN.update({"xa": ProcedureLevel.COMMUNE, "tinh": ProcedureLevel.PROVINCE})
ONLINE_IN.update({"toan trinh": OnlineLevel.FULL, "mot phan": OnlineLevel.PARTIAL, "khong": OnlineLevel.NONE})
YES, NO = {"co", "x", "yes", "true", "1"}, {"khong", "no", "false", "0", ""}


# ----- export ------------------------------------------------------------------------------------


def _header(sheet, columns):
    append(sheet, [label for _key, label in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = "A2"


def _yes(value: bool) -> str:
    return "Có" if value else "Không"


def catalog_export(stream, *, day=None) -> None:
    """Write the catalogue (versions in force on ``day`` and every later one) to ``stream``."""
    day = day or timezone.localdate()
    workbook = Workbook()
    procedures_sheet = workbook.active
    procedures_sheet.title = PROCEDURE_SHEET
    documents_sheet = workbook.create_sheet(DOCUMENT_SHEET)
    steps_sheet = workbook.create_sheet(STEP_SHEET)
    _header(procedures_sheet, PROCEDURE_COLUMNS)
    _header(documents_sheet, DOCUMENT_COLUMNS)
    _header(steps_sheet, STEP_COLUMNS)
    procedures = (
        Procedure.objects.filter(is_active=True)
        .select_related("field")
        .prefetch_related("versions__documents", "versions__workflow_steps")
        .order_by("field__order", "field__name", "code")
    )
    for procedure in procedures:
        versions = sorted(procedure.versions.all(), key=lambda v: v.effective_from)
        in_force = [v for v in versions if v.effective_from <= day]
        start = in_force[-1].effective_from if in_force else date.min
        for version in (v for v in versions if v.effective_from >= start):
            effective = version.effective_from.strftime("%d/%m/%Y")
            append(
                procedures_sheet,
                [
                    procedure.code,
                    version.name,
                    procedure.field.code,
                    procedure.field.name,
                    LEVEL_LABELS.get(version.level, version.level),
                    float(version.processing_amount) if version.processing_amount is not None else None,
                    UNIT_LABELS.get(version.processing_unit, ""),
                    version.processing_time_text,
                    version.fee,
                    version.result,
                    version.legal_basis,
                    version.competent_authority,
                    ONLINE_LABELS.get(version.online_level, ""),
                    _yes(version.interagency),
                    effective,
                    version.decision,
                    _yes(version.verified),
                    ", ".join(version.unconfirmed or []),
                    version.source,
                ],
            )
            for position, doc in enumerate(version.documents.all(), start=1):
                append(
                    documents_sheet,
                    [
                        procedure.code,
                        effective,
                        position,
                        doc.name,
                        doc.original_count,
                        doc.copy_count,
                        _yes(doc.mandatory),
                    ],
                )
            for position, step in enumerate(version.workflow_steps.all(), start=1):
                append(
                    steps_sheet,
                    [procedure.code, effective, position, step.name, ROLE_LABELS.get(step.role, step.role), step.share],
                )
    for sheet, widths in (
        (procedures_sheet, [12, 60, 10, 24, 10, 10, 14, 40, 40, 30, 40, 24, 14, 10, 12, 20, 10, 24, 40]),
        (documents_sheet, [12, 12, 6, 80, 10, 10, 10]),
        (steps_sheet, [12, 12, 6, 40, 14, 12]),
    ):
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
    workbook.save(stream)


# ----- import ------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text  # left as text: validation reports it


def _rows(workbook, sheet_name, columns, errors, *, required=True):
    if sheet_name not in workbook.sheetnames:
        if required:
            errors.append(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet_name})
        return []
    sheet = workbook[sheet_name]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    wanted = {search_key(label): key for key, label in columns}
    positions = {}
    for index, title in enumerate(header):
        key = wanted.get(search_key(_text(title)))
        if key:
            positions[key] = index
    missing = [label for key, label in columns if key not in positions and key in ("code", "name")]
    if missing:
        errors.append(
            _("Sheet “%(sheet)s”: the columns %(columns)s are missing from the first row.")
            % {"sheet": sheet_name, "columns": ", ".join(missing)}
        )
        return []
    result = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        row = {key: (values[index] if index < len(values) else None) for key, index in positions.items()}
        result.append((number, row))
    return result


def _choice(table, value, where, label, errors, *, default=""):
    text = search_key(_text(value))
    if not text:
        return default
    if text in table:
        return table[text]
    errors.append(
        _("%(where)s: “%(value)s” is not a valid %(label)s.") % {"where": where, "value": value, "label": label}
    )
    return default


def _flag(value, where, label, errors, *, default=False):
    text = search_key(_text(value))
    if text == "" and default is not None:
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    errors.append(
        _("%(where)s: “%(value)s” is not Có or Không (%(label)s).") % {"where": where, "value": value, "label": label}
    )
    return default


def catalog_read(stream) -> tuple[list[tuple[str, dict]], list[dict], list[str]]:
    """Read a workbook into records for ``catalog_apply``, the fields it names, and the problems of
    its layout. Raises CatalogError only when the file cannot be read at all."""
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise CatalogError([_("The file is not a valid Excel workbook (.xlsx).")]) from None
    errors: list[str] = []
    records: dict[tuple, tuple[str, dict]] = {}
    fields: dict[str, str] = {}
    for number, row in _rows(workbook, PROCEDURE_SHEET, PROCEDURE_COLUMNS, errors):
        where = _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": PROCEDURE_SHEET, "row": number}
        code = normalize_procedure_code(_text(row.get("code")))
        effective_from = _date(row.get("effective_from")) or timezone.localdate()
        amount = row.get("amount")
        # An unknown unit is passed on as written: validation names it.
        unit = UNITS_IN.get(search_key(_text(row.get("unit"))), _text(row.get("unit")))
        unconfirmed = [item.strip() for item in _text(row.get("unconfirmed")).split(",") if item.strip()]
        field_code, field_name = _text(row.get("field")), _text(row.get("field_name"))
        if field_code and field_name:
            fields[field_code] = field_name
        record = {
            "code": code,
            "name": _text(row.get("name")),
            "field": field_code,
            "field_name": field_name,
            "level": _choice(LEVELS_IN, row.get("level"), where, _("level"), errors, default=ProcedureLevel.COMMUNE),
            "processing_time": {"amount": None if amount in (None, "") else _text(amount), "unit": unit},
            "processing_time_text": _text(row.get("processing_time_text")),
            "fee": _text(row.get("fee")),
            "result": _text(row.get("result")),
            "legal_basis": _text(row.get("legal_basis")),
            "competent_authority": _text(row.get("competent_authority")),
            "online_level": _choice(ONLINE_IN, row.get("online_level"), where, _("online service level"), errors),
            "interagency": _flag(row.get("interagency"), where, "Liên thông", errors),
            "effective_from": effective_from,
            "decision": _text(row.get("decision")),
            "verified": _flag(row.get("verified"), where, "Đã xác minh", errors),
            "unconfirmed": unconfirmed,
            "source": _text(row.get("source")),
            "documents": [],
            "workflow": [],
        }
        records[(code, effective_from if isinstance(effective_from, date) else str(effective_from))] = (where, record)

    def attach(sheet_name, columns, target, build):
        for number, row in _rows(workbook, sheet_name, columns, errors, required=False):
            where = _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": sheet_name, "row": number}
            code = normalize_procedure_code(_text(row.get("code")))
            effective_from = _date(row.get("effective_from"))
            key = (code, effective_from)
            if effective_from is None:
                matches = [k for k in records if k[0] == code]
                key = matches[-1] if len(matches) == 1 else key
            if key not in records:
                errors.append(
                    _("%(where)s: no procedure %(code)s with that effective date in sheet “%(sheet)s”.")
                    % {"where": where, "code": code, "sheet": PROCEDURE_SHEET}
                )
                continue
            records[key][1][target].append(build(row, where))

    attach(
        DOCUMENT_SHEET,
        DOCUMENT_COLUMNS,
        "documents",
        lambda row, where: {
            "where": where,
            "name": _text(row.get("name")),
            "original_count": _text(row.get("original_count")) or 0,
            "copy_count": _text(row.get("copy_count")) or 0,
            "mandatory": _flag(row.get("mandatory"), where, "Bắt buộc", errors, default=True),
        },
    )
    attach(
        STEP_SHEET,
        STEP_COLUMNS,
        "workflow",
        lambda row, where: {
            "where": where,
            "name": _text(row.get("name")),
            "role": _choice(ROLES_IN, row.get("role"), where, _("role"), errors),
            "share": _text(row.get("share")) or 0,
        },
    )
    workbook.close()
    if not records and not errors:
        errors.append(_("The workbook lists no procedure."))
    return list(records.values()), [{"code": code, "name": name} for code, name in fields.items()], errors


def catalog_import(stream) -> CatalogReport:
    """Read and apply a workbook: every row is checked first; any error changes nothing."""
    records, fields, errors = catalog_read(stream)
    try:
        catalog_validate(records, fields=fields)
    except CatalogError as exc:
        errors = exc.errors + errors
    if errors:
        raise CatalogError(errors)
    return catalog_apply(records, fields=fields)
