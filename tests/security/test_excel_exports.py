"""Item 4: every workbook the product writes stores formula-like text as text.

Each export is run with ``=HYPERLINK("http://x","y")`` (and +, -, @, tab, CR variants) where a
citizen or an administrator can type text: survey answers, applicant names and addresses,
procedure names. openpyxl must read no formula cell and the very text typed."""

import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from common.excel import FORMULA_TRIGGERS, append, needs_quote_prefix, write
from dossiers.services import ApplicantData
from procedures.models import Procedure, ProcedureVersion
from surveys.choices import QuestionKind
from surveys.models import Campaign, Question
from tests.security.conftest import FORMULA

NASTY = [FORMULA, "+84912345678", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1", "#N/A"]


def cells(content: bytes):
    workbook = load_workbook(BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(content: bytes, *expected_texts):
    found = cells(content)
    formulas = [(c.coordinate, c.value) for c in found if c.data_type == "f"]
    assert formulas == []
    values = [c.value for c in found if isinstance(c.value, str)]
    for text in expected_texts:
        assert any(text in value for value in values), f"{text!r} not kept as text"
    for cell in found:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


# ----- the helper --------------------------------------------------------------------------------


def test_helper_keeps_text_as_text_and_numbers_as_numbers():
    workbook = Workbook()
    sheet = workbook.active
    append(sheet, [*NASTY, 12, None, "x\x01y"])
    write(sheet, 3, 1, "=1+1")
    buffer = BytesIO()
    workbook.save(buffer)
    found = {c.coordinate: c for c in cells(buffer.getvalue())}
    assert [found[f"{col}1"].value for col in "ABCDEFG"] == NASTY
    assert all(found[f"{col}1"].data_type == "s" for col in "ABCDEFG")
    assert found["H1"].value == 12 and found["H1"].data_type == "n"
    assert found["J1"].value == "xy"  # a control character an .xlsx cannot hold is dropped
    assert found["A3"].value == "=1+1" and found["A3"].data_type == "s" and found["A3"].quotePrefix
    assert not found["G1"].quotePrefix  # "#N/A": text, not an error, and no prefix needed
    assert needs_quote_prefix("=x") and not needs_quote_prefix("Nguyễn =") and not needs_quote_prefix("")


def test_every_workbook_writer_uses_the_helper():
    """A new export cannot forget: any module that builds a workbook must import common.excel."""
    root = Path(settings.BASE_DIR)
    writers = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in (".venv", "tests", "bench", "node_modules") or "migrations" in parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(|xl/worksheets/", text):
            writers.append(str(path.relative_to(root)))
    assert writers, "the scan found no workbook writer at all"
    missing = [
        name
        for name in writers
        if name != "common/excel.py" and "common.excel" not in (root / name).read_text(encoding="utf-8")
    ]
    assert missing == []


# ----- every export ------------------------------------------------------------------------------


@pytest.fixture
def formula_procedure(catalog):
    """The birth registration, renamed by a careless (or hostile) catalogue import."""
    procedure = Procedure.objects.get(code="1.001193")
    ProcedureVersion.objects.filter(procedure=procedure).update(name=FORMULA)
    return procedure


@pytest.fixture
def formula_dossier(receive, formula_procedure):
    applicant = ApplicantData(full_name=FORMULA, id_number="001099012345", phone="0912345678", address="@SUM(1,2)")
    return receive("1.001193", applicant=applicant)


def test_register_mau_07(client, clerk, formula_dossier):
    from dossiers.register import register_export, register_queryset

    today = timezone.localdate()
    buffer = BytesIO()
    count = register_export(
        queryset=register_queryset(clerk, today - timedelta(days=1), today + timedelta(days=1)),
        stream=buffer,
        agency_name="=cmd|' /C calc'!A0",
        date_from=today,
        date_to=today,
    )
    assert count == 1
    assert_no_formula(buffer.getvalue(), FORMULA, "@SUM(1,2), 0912345678")
    # Through the page the clerk uses.
    client.force_login(clerk)
    response = client.get(
        reverse("dossiers:register"), {"date_from": today.strftime("%d/%m/%Y"), "date_to": today.strftime("%d/%m/%Y")}
    )
    if response.status_code == 200 and response.get("Content-Type", "").startswith("application/vnd"):
        assert_no_formula(b"".join(response.streaming_content), FORMULA)


def test_register_keeps_every_trigger_as_text(receive, clerk, catalog):
    from dossiers.register import register_export, register_queryset

    names = NASTY[:4]  # intake trims leading tabs and line breaks from a name
    for index, name in enumerate(names):
        receive("1.001193", applicant=ApplicantData(full_name=name, id_number=f"00109901234{index}"))
    today = timezone.localdate()
    buffer = BytesIO()
    register_export(
        queryset=register_queryset(clerk, today, today), stream=buffer, agency_name="", date_from=today, date_to=today
    )
    found = [c.value for c in cells(buffer.getvalue()) if c.column == 4 and c.row > 4]
    assert sorted(found) == sorted(names)
    assert_no_formula(buffer.getvalue(), *names)


def test_register_cells_with_tab_and_carriage_return():
    """The streamed XML keeps a leading tab or CR (as &#13;) and marks the cell quote-prefixed."""
    import zipfile

    from dossiers.register import CONTENT_TYPES, ROOT_RELS, ST_DATA, STYLES, WORKBOOK, WORKBOOK_RELS, _cell, _sheet_head

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ):
            archive.writestr(name, text)
        row = "".join(
            _cell(f"{col}5", value, ST_DATA) for col, value in zip("ABC", ("\t=1+1", "\r=1+1", "=1+1"), strict=True)
        )
        archive.writestr("xl/worksheets/sheet1.xml", _sheet_head() + f'<row r="5">{row}</row></sheetData></worksheet>')
    found = {c.coordinate: c for c in cells(buffer.getvalue())}
    assert [found[f"{col}5"].value for col in "ABC"] == ["\t=1+1", "\r=1+1", "=1+1"]
    assert all(found[f"{col}5"].data_type == "s" and found[f"{col}5"].quotePrefix for col in "ABC")


def test_periodic_report_ii06a(client, leader, formula_dossier):
    from reports.excel import VALUE_COLUMNS, handling_xlsx

    def workbook(*, key, label, title_unit, group_label):
        row = {"key": key, "label": label, "on_time_rate": 100, **dict.fromkeys(VALUE_COLUMNS, 1)}
        buffer = BytesIO()
        handling_xlsx(
            buffer,
            rows=[row],
            total={**row, "key": None, "label": ""},
            title_unit=title_unit,
            date_from=date(2026, 1, 1),
            date_to=date(2026, 1, 31),
            group_label=group_label,
            signer="+Lan",
        )
        return buffer.getvalue()

    # Grouped: a row's label (a procedure, field, officer name) stays text.
    content = workbook(key="7", label=FORMULA, title_unit="-Xã Một", group_label="@x")
    assert_no_formula(content, FORMULA, "+Lan", "-XÃ MỘT", "@x")
    # Not grouped: the one row is the reporting unit, named by the agency (stays text too), and the
    # title line has no empty segment for the missing grouping.
    content = workbook(key=None, label="—", title_unit=FORMULA, group_label="")
    assert_no_formula(content, FORMULA, "+Lan")
    sheet = load_workbook(BytesIO(content))["II.06a"]
    assert sheet.cell(10, 2).value == FORMULA and sheet.cell(10, 2).data_type == "s"
    assert sheet.cell(5, 1).value == "Kỳ báo cáo: từ ngày 01/01/2026 đến ngày 31/01/2026 · Biểu II.06a"
    # Through the page, grouped by procedure: the renamed procedure is a row label.
    client.force_login(leader)
    today = timezone.localdate()
    response = client.get(
        reverse("reports:handling_xlsx"),
        {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat(), "group_by": "procedure"},
    )
    assert response.status_code == 200
    assert_no_formula(response.content)


def test_survey_results_with_a_formula_answer(client, leader, commune):
    campaign = Campaign.objects.create(
        title="Khảo sát", slug="khao-sat-thu", agency=commune, opens_on=date(2020, 1, 1), closes_on=date(2099, 1, 1)
    )
    question = Question.objects.create(campaign=campaign, text="Góp ý", kind=QuestionKind.TEXT)
    # The attacker's journey: an anonymous answer through the public form.
    response = client.post(reverse("surveys:survey", args=[campaign.slug]), {f"q{question.pk}": FORMULA})
    assert response.status_code == 200
    assert campaign.responses.count() == 1
    client.force_login(leader)
    response = client.get(reverse("surveys:survey_export", args=[campaign.slug]))
    assert response.status_code == 200
    assert_no_formula(response.content, FORMULA)


def test_catalogue_export(formula_procedure):
    from procedures.excel import catalog_export

    buffer = BytesIO()
    catalog_export(buffer)
    assert_no_formula(buffer.getvalue(), FORMULA)
