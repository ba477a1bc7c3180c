"""The dossier register (Mẫu 07, Sổ theo dõi hồ sơ, Circular 03/2025/TT-VPCP) as an Excel workbook.

Streams: the worksheet XML is written directly (a minimal .xlsx: one sheet of inline strings, five
cell styles, column widths, a frozen header), row by row into a zip entry, while rows are read from
the database in chunks; memory stays flat however many dossiers the range holds, and a million rows
take about a minute (issue 8; openpyxl's styled cells managed 2,000 rows a second). Exports of
citizens' data are restricted and logged by the caller (Law 91/2025/QH15): these functions only read
and write. Text is always an inline string (never a formula); text a spreadsheet would take for a
formula (``common.excel.FORMULA_TRIGGERS``: =, +, -, @, tab, CR) also gets a quote-prefix style, so
that an applicant named ``=HYPERLINK(…)`` stays text even when the cell is edited.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from common.excel import FORMULA_TRIGGERS

from .choices import CLOCK_STATUSES, DossierStatus
from .models import Extension
from .selectors import dossier_list

S = DossierStatus

TITLE = "SỔ THEO DÕI HỒ SƠ"
FORM_REF = "Mẫu số 07"
HEADERS = (
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Tên tổ chức, cá nhân",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ (ngày giờ)",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Trả kết quả (ngày giờ)",
    "Trạng thái",
    "Ghi chú",
)
WIDTHS = (6, 26, 40, 24, 34, 28, 17, 17, 17, 17, 26, 34)
DATE_FORMAT = "%d/%m/%Y %H:%M"
CHUNK_SIZE = 2000

# The statuses in Vietnamese, as printed (the register is an official form, whatever the UI language).
STATUS_LABELS = {
    S.AWAITING_ACCEPTANCE: "Nộp trực tuyến, chờ tiếp nhận",
    S.RECEIVED: "Đã tiếp nhận",
    S.IN_PROGRESS: "Đang giải quyết",
    S.AWAITING_SUPPLEMENT: "Chờ bổ sung hồ sơ",
    S.RESULT_READY: "Đã có kết quả, chờ trả",
    S.RETURNED: "Đã trả kết quả",
    S.REFUSED: "Từ chối giải quyết",
    S.WITHDRAWN: "Dừng xử lý theo đề nghị",
    S.CLOSED: "Kết thúc do không bổ sung",
}
# The timeliness stored at resolution (reports.definitions), as printed on the register.
TIMELINESS_TEXT = {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn"}

# The columns read from the database, in this order (one tuple per dossier, no model instances).
FIELDS = (
    "code",
    "procedure_version__name",
    "applicant_name",
    "applicant_address",
    "applicant_phone",
    "handling_office__name",
    "competent_agency__name",
    "received_at",
    "competent_received_at",
    "due_at",
    "transferred_at",
    "finished_at",
    "status",
    "supplement_count",
    "returned_to",
    "tracking_number",
    "extended",
    "timeliness",
)


def register_queryset(user, date_from: date | None, date_to: date | None):
    """The dossiers the user may see, received between the two dates (inclusive, local dates),
    oldest first."""
    filters = {"received_from": date_from, "received_to": date_to}
    return dossier_list(user, filters=filters).order_by("received_at", "pk")


def _when(value: datetime | None, tz=None) -> str:
    """DATE_FORMAT ("%d/%m/%Y %H:%M") in local time, without strftime (it is the hot path)."""
    if not value:
        return ""
    v = value.astimezone(tz or ZoneInfo(settings.TIME_ZONE))
    return f"{v.day:02d}/{v.month:02d}/{v.year} {v.hour:02d}:{v.minute:02d}"


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "…"


def status_text(status: str, *, due_at, timeliness: str, now: datetime) -> str:
    label = STATUS_LABELS.get(status, status)
    if timeliness:
        return f"{label} ({TIMELINESS_TEXT[timeliness]})"
    if status in CLOCK_STATUSES and now > due_at:
        return f"{label} (quá hạn)"
    return label


def _note(*, status, supplement_count, returned_to, tracking_number, extended, competent_received="") -> str:
    parts = []
    if competent_received:
        # Decree 309/2026: the clock of a dossier lodged at another desk runs from this receipt.
        parts.append(f"Cơ quan có thẩm quyền nhận hồ sơ: {competent_received}")
    if extended:
        parts.append("Đã xin lỗi, hẹn lại ngày trả (Mẫu 04)")
    if supplement_count:
        parts.append(f"Yêu cầu bổ sung: {supplement_count} lần")
    if status == S.RETURNED and returned_to:
        parts.append(f"Người nhận kết quả: {returned_to}")
    if tracking_number:
        parts.append(f"Mã bưu gửi: {tracking_number}")
    return "; ".join(parts)


# ----- the workbook, written directly ---------------------------------------------------------------

SHEET_NAME = "Sổ theo dõi hồ sơ"
# Cell styles (indexes into cellXfs of STYLES below).
ST_TITLE, ST_FORM_REF, ST_SUBTITLE, ST_HEADER, ST_DATA = 1, 2, 3, 4, 5
# Each style has a twin with "quote prefix" (6-10) for text that starts like a formula.
QUOTED = 5
ST_DATA_QUOTED = ST_DATA + QUOTED
COLUMNS = [chr(ord("A") + i) for i in range(len(HEADERS))]  # 12 columns: A … L
# Characters XML 1.0 does not allow (a stray control character in a name must not break the file).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<bookViews><workbookView activeTab="0"/></bookViews>'
    f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets>'
    # The header row is printed on every page.
    f'<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">\'{SHEET_NAME}\'!$4:$4'
    "</definedName></definedNames></workbook>"
)
_XFS = (
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"{q}/>',
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"{q}/>',
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"{q}/>',
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" '
    'applyAlignment="1"{q}><alignment horizontal="center" vertical="center" wrapText="1"/></xf>',
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"{q}>'
    '<alignment vertical="top" wrapText="1"/></xf>',
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="4">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
    '<font><i/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/>'
    "</border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{1 + 2 * len(_XFS)}">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + "".join(xf.format(q="") for xf in _XFS)
    + "".join(xf.format(q=' quotePrefix="1"') for xf in _XFS)
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _xml_text(value: str) -> str:
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:  # a bare CR would be read back as a line feed
        value = value.replace("\r", "&#13;")
    return value


_TEXT_OPEN = f'<c s="{ST_DATA}" t="inlineStr"><is><t xml:space="preserve">'
_QUOTED_OPEN = f'<c s="{ST_DATA_QUOTED}" t="inlineStr"><is><t xml:space="preserve">'
_TEXT_CLOSE = "</t></is></c>"
_EMPTY_DATA = f'<c s="{ST_DATA}"/>'


def _cell(ref: str, value, style: int) -> str:
    """One cell: an inline string, a number, or (None or "") a styled empty cell."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        style += QUOTED
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'


def _sheet_head() -> str:
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(WIDTHS, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        # Frozen: the first two columns (number, code) and the four title and header rows.
        '<sheetViews><sheetView workbookViewId="0"><pane xSplit="2" ySplit="4" topLeftCell="C5" '
        'activePane="bottomRight" state="frozen"/><selection pane="bottomRight" activeCell="C5" sqref="C5"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols><sheetData>"
    )


def register_export(*, queryset, stream, agency_name: str, date_from, date_to) -> int:
    """Write the register of ``queryset`` (a queryset of Dossier, already scoped, filtered and
    ordered) as an .xlsx workbook into ``stream``. Returns the number of dossier rows."""
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    rows = (
        queryset.annotate(extended=Exists(Extension.objects.filter(dossier=OuterRef("pk"))))
        .values_list(*FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    finished_statuses = (S.RETURNED, S.REFUSED, S.WITHDRAWN, S.CLOSED)
    last = COLUMNS[-1]
    count = 0
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            subtitle = f"{agency_name} - Từ ngày {_day(date_from)} đến ngày {_day(date_to)}"
            head = [
                _sheet_head(),
                f'<row r="1">{_cell("A1", TITLE, ST_TITLE)}{_cell(f"{last}1", FORM_REF, ST_FORM_REF)}</row>',
                f'<row r="2">{_cell("A2", subtitle, ST_SUBTITLE)}</row>',
                '<row r="3"/>',
                '<row r="4">'
                + "".join(_cell(f"{col}4", header, ST_HEADER) for col, header in zip(COLUMNS, HEADERS, strict=True))
                + "</row>",
            ]
            sheet.write("".join(head).encode())
            buffer = []
            for (
                code,
                procedure_name,
                applicant_name,
                address,
                phone,
                office_name,
                competent_name,
                received_at,
                competent_received_at,
                due_at,
                transferred_at,
                finished_at,
                status,
                supplement_count,
                returned_to,
                tracking_number,
                extended,
                timeliness,
            ) in rows:
                count += 1
                r = count + 4
                values = (
                    count,
                    code,
                    procedure_name,
                    applicant_name,
                    ", ".join(part for part in (address, phone) if part),
                    office_name or competent_name,
                    _when(received_at, tz),
                    _when(due_at, tz),
                    _when(transferred_at, tz),
                    _when(finished_at, tz) if status in finished_statuses else "",
                    status_text(status, due_at=due_at, timeliness=timeliness, now=now),
                    _note(
                        status=status,
                        supplement_count=supplement_count,
                        returned_to=returned_to,
                        tracking_number=tracking_number,
                        extended=extended,
                        competent_received=_when(competent_received_at, tz)
                        if competent_received_at != received_at
                        else "",
                    ),
                )
                # Data cells carry no reference (optional in SpreadsheetML: they follow one another).
                buffer.append(
                    f'<row r="{r}"><c s="{ST_DATA}"><v>{count}</v></c>'
                    + "".join(
                        (
                            f"{_QUOTED_OPEN if value.startswith(FORMULA_TRIGGERS) else _TEXT_OPEN}"
                            f"{_xml_text(value)}{_TEXT_CLOSE}"
                        )
                        if value
                        else _EMPTY_DATA
                        for value in values[1:]
                    )
                    + "</row>"
                )
                if len(buffer) >= 500:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
            buffer.append(
                "</sheetData>"
                '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
            )
            sheet.write("".join(buffer).encode())
    return count
