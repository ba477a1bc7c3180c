"""The periodic report (Circular 01/2020, form II.06a) as a formatted Excel file.

Every cell is written through ``common.excel.write``: names of agencies, fields, procedures and
officers stay text, never formulas."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from common.excel import write

from .selectors import COLUMNS

HEADER_TOP = [
    ("STT", 1, 2),
    ("Đơn vị / Lĩnh vực", 1, 2),
    ("Số hồ sơ nhận giải quyết", 4, 1),
    ("Số hồ sơ đã giải quyết", 4, 1),
    ("Số hồ sơ đang giải quyết", 3, 1),
    ("Tỷ lệ giải quyết đúng hạn (%)", 1, 2),
]
HEADER_SUB = [
    "Tổng số",
    "Từ kỳ trước chuyển qua",
    "Mới tiếp nhận trực tuyến",
    "Mới tiếp nhận trực tiếp, bưu chính",
    "Tổng số",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Tổng số",
    "Trong hạn",
    "Quá hạn",
]
VALUE_COLUMNS = [c for c in COLUMNS if c != "in_progress_awaiting_supplement"]


def handling_xlsx(stream, *, rows, total, title_unit: str, date_from, date_to, group_label: str, signer: str = ""):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "II.06a"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    width = 2 + len(VALUE_COLUMNS) + 1

    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    write(sheet, 1, 1, title_unit.upper()).font = bold
    sheet.merge_cells(start_row=1, start_column=7, end_row=1, end_column=width)
    write(sheet, 1, 7, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = bold
    sheet.merge_cells(start_row=2, start_column=7, end_row=2, end_column=width)
    write(sheet, 2, 7, "Độc lập - Tự do - Hạnh phúc").font = bold
    for row in (1, 2):
        sheet.cell(row, 7).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    write(sheet, 4, 1, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH").font = Font(bold=True, size=13)
    sheet.cell(4, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    write(
        sheet,
        5,
        1,
        " · ".join(
            part
            for part in (
                f"Kỳ báo cáo: từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}",
                str(group_label or ""),
                "Biểu II.06a",
            )
            if part
        ),
    )
    sheet.cell(5, 1).alignment = Alignment(horizontal="center")

    column = 1
    for label, span, height in HEADER_TOP:
        sheet.merge_cells(start_row=7, start_column=column, end_row=7 + height - 1, end_column=column + span - 1)
        cell = write(sheet, 7, column, label)
        cell.font, cell.alignment = bold, centre
        column += span
    for offset, label in enumerate(HEADER_SUB):
        cell = write(sheet, 8, 3 + offset, label)
        cell.font, cell.alignment = bold, centre
    for number in range(1, width + 1):  # the column numbers (1), (2)… of the official form
        cell = write(sheet, 9, number, f"({number})")
        cell.alignment, cell.font = centre, Font(italic=True)
    for row in range(7, 10):
        for col in range(1, width + 1):
            sheet.cell(row, col).border = box

    first = 10
    for index, data in enumerate(rows, start=1):
        line = first + index - 1
        write(sheet, line, 1, index)
        # Without a grouping the one row is the reporting unit itself, named (not "—").
        write(sheet, line, 2, title_unit if not group_label and title_unit else data["label"])
        for offset, name in enumerate(VALUE_COLUMNS):
            write(sheet, line, 3 + offset, data[name])
        write(sheet, line, width, data["on_time_rate"])
        for col in range(1, width + 1):
            sheet.cell(line, col).border = box
    total_line = first + len(rows)
    write(sheet, total_line, 2, "Tổng cộng").font = bold
    for offset, name in enumerate(VALUE_COLUMNS):
        # Values, not formulas: the file reads the same in every program and in tests.
        write(sheet, total_line, 3 + offset, total[name]).font = bold
    write(sheet, total_line, width, total["on_time_rate"]).font = bold
    for col in range(1, width + 1):
        sheet.cell(total_line, col).border = box

    sign = total_line + 2
    sheet.merge_cells(start_row=sign, start_column=width - 4, end_row=sign, end_column=width)
    write(sheet, sign, width - 4, "THỦ TRƯỞNG CƠ QUAN").font = bold
    sheet.cell(sign, width - 4).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=sign + 1, start_column=width - 4, end_row=sign + 1, end_column=width)
    write(sheet, sign + 1, width - 4, "(Ký, ghi rõ họ tên, đóng dấu)").font = Font(italic=True)
    sheet.cell(sign + 1, width - 4).alignment = Alignment(horizontal="center")
    if signer:
        sheet.merge_cells(start_row=sign + 5, start_column=width - 4, end_row=sign + 5, end_column=width)
        write(sheet, sign + 5, width - 4, signer).alignment = Alignment(horizontal="center")

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 38
    for col in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 12
    sheet.row_dimensions[7].height = 30
    sheet.row_dimensions[8].height = 45
    sheet.freeze_panes = "C10"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    workbook.save(stream)
