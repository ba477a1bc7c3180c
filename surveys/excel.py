"""A campaign's responses as an Excel workbook: one row per response, one column per question.

Answers are the citizens' own text: every cell goes through ``common.excel`` (text stays text)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from common.excel import append

from .selectors import campaign_rows


def campaign_xlsx(stream, campaign) -> None:
    questions, rows = campaign_rows(campaign)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Responses")[:31]
    append(sheet, [_("No."), _("Submitted at"), *[q.text for q in questions]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, submitted_at, cells in rows:
        row = append(sheet, [number, submitted_at.replace(tzinfo=None), *cells])
        sheet.cell(row=row, column=2).number_format = "DD/MM/YYYY HH:MM"
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["B"].width = 18
    workbook.save(stream)
