"""The dossier register (Mẫu 07, Sổ theo dõi hồ sơ, Circular 03/2025/TT-VPCP) as an Excel workbook.

Streams: openpyxl in write-only mode, rows read from the database in chunks, so memory stays flat
however many dossiers the range holds. Exports of citizens' data are restricted and logged by the
caller (Law 91/2025/QH15): these functions only read and write.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

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


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime(DATE_FORMAT) if value else ""


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "…"


def status_text(status: str, *, due_at, timeliness: str, now: datetime) -> str:
    label = STATUS_LABELS.get(status, status)
    if timeliness:
        return f"{label} ({TIMELINESS_TEXT[timeliness]})"
    if status in CLOCK_STATUSES and now > due_at:
        return f"{label} (quá hạn)"
    return label


def _note(*, status, supplement_count, returned_to, tracking_number, extended) -> str:
    parts = []
    if extended:
        parts.append("Đã xin lỗi, hẹn lại ngày trả (Mẫu 04)")
    if supplement_count:
        parts.append(f"Yêu cầu bổ sung: {supplement_count} lần")
    if status == S.RETURNED and returned_to:
        parts.append(f"Người nhận kết quả: {returned_to}")
    if tracking_number:
        parts.append(f"Mã bưu gửi: {tracking_number}")
    return "; ".join(parts)


def _cells(ws, values, *, font=None, alignment=None, border=None):
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=value)
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        if border is not None:
            cell.border = border
        cells.append(cell)
    return cells


def register_export(*, queryset, stream, agency_name: str, date_from, date_to) -> int:
    """Write the register of ``queryset`` (a queryset of Dossier, already scoped, filtered and
    ordered) as an .xlsx workbook into ``stream``. Returns the number of dossier rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sổ theo dõi hồ sơ")
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C5"
    ws.print_title_rows = "4:4"

    bold = Font(bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)

    title = _cells(ws, [TITLE], font=Font(bold=True, size=14))
    ws.append([*title, *([None] * (len(HEADERS) - 2)), *_cells(ws, [FORM_REF], font=Font(italic=True))])
    ws.append(_cells(ws, [f"{agency_name} - Từ ngày {_day(date_from)} đến ngày {_day(date_to)}"], font=bold))
    ws.append([])
    ws.append(_cells(ws, HEADERS, font=bold, alignment=centred, border=box))

    now = timezone.now()
    rows = (
        queryset.annotate(extended=Exists(Extension.objects.filter(dossier=OuterRef("pk"))))
        .values_list(*FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    count = 0
    for (
        code,
        procedure_name,
        applicant_name,
        address,
        phone,
        office_name,
        competent_name,
        received_at,
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
        values = (
            count,
            code,
            procedure_name,
            applicant_name,
            ", ".join(part for part in (address, phone) if part),
            office_name or competent_name,
            _when(received_at),
            _when(due_at),
            _when(transferred_at),
            _when(finished_at) if status in (S.RETURNED, S.REFUSED, S.WITHDRAWN, S.CLOSED) else "",
            status_text(status, due_at=due_at, timeliness=timeliness, now=now),
            _note(
                status=status,
                supplement_count=supplement_count,
                returned_to=returned_to,
                tracking_number=tracking_number,
                extended=extended,
            ),
        )
        ws.append(_cells(ws, values, alignment=wrap, border=box))
    wb.save(stream)
    return count
