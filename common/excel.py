"""Safe Excel cells: text is stored as text, never as a formula (CSV/formula injection).

Every workbook the product writes goes through these helpers, so that a citizen's survey answer,
an applicant's name or a procedure name such as ``=HYPERLINK("http://x","y")`` opens as the very
text that was typed, not as a live formula or link:

- ``set_value(cell, value)`` / ``write(sheet, row, column, value)`` / ``append(sheet, values)`` for
  openpyxl: a string is always a string cell (``data_type`` "s", never "f" or "e"); text that a
  spreadsheet would read as a formula also gets the cell style "quote prefix" (Excel's leading
  apostrophe), so that editing the cell later keeps it text. Characters XML cannot hold are dropped.
- ``needs_quote_prefix(text)`` for writers that produce the sheet XML themselves (the register):
  they write such text as an inline string with a quote-prefix style.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What makes Excel, LibreOffice or Google Sheets read typed text as a formula (OWASP "CSV
# injection"): =, +, -, @, and a leading tab or carriage return that some programs strip first.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def needs_quote_prefix(text: str) -> bool:
    """True for text a spreadsheet would take for a formula."""
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


def clean_text(text: str) -> str:
    """The text without the control characters an .xlsx cannot hold (openpyxl would refuse it)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def set_value(cell, value):
    """Put ``value`` into an openpyxl cell; text always stays text. Returns the cell."""
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        # openpyxl guesses "f" for "=…" and "e" for "#N/A": a string is a string.
        cell.data_type = "s"
        if needs_quote_prefix(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write(sheet, row: int, column: int, value=None):
    """``sheet.cell(row, column, value)`` with ``set_value``'s guarantee. Returns the cell."""
    return set_value(sheet.cell(row=row, column=column), value)


def append(sheet, values) -> int:
    """``sheet.append(values)`` with ``set_value``'s guarantee. Returns the new row's number."""
    values = [clean_text(value) if isinstance(value, str) else value for value in values]
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            set_value(sheet.cell(row=row, column=column), value)
    return row
