"""Excel import and export of the catalogue (one documented layout, all or nothing)."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from procedures.excel import DOCUMENT_SHEET, PROCEDURE_SHEET, catalog_export, catalog_import
from procedures.models import Field, Procedure, ProcedureVersion, RequiredDocument, WorkflowStep
from procedures.services import CatalogError


def export_bytes(day=None) -> bytes:
    buffer = BytesIO()
    catalog_export(buffer, day=day)
    return buffer.getvalue()


def sheet_values(content: bytes) -> dict:
    workbook = load_workbook(BytesIO(content), read_only=True)
    return {name: [tuple(row) for row in workbook[name].iter_rows(values_only=True)] for name in workbook.sheetnames}


def db_snapshot():
    return {
        "fields": sorted(Field.objects.values_list("code", "name")),
        "procedures": sorted(Procedure.objects.values_list("code", "field__code", "name", "code_is_local")),
        "versions": sorted(
            ProcedureVersion.objects.values_list(
                "procedure__code", "effective_from", "name", "processing_amount", "processing_unit", "fee", "verified"
            )
        ),
        "documents": sorted(
            RequiredDocument.objects.values_list(
                "version__procedure__code", "order", "name", "original_count", "copy_count", "mandatory"
            )
        ),
        "steps": sorted(WorkflowStep.objects.values_list("version__procedure__code", "order", "name", "role", "share")),
    }


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_gives_the_same_catalog(catalog):
    before = db_snapshot()
    content = export_bytes()
    assert len(before["procedures"]) == 80

    # Wipe the catalogue, then load the export.
    WorkflowStep.objects.all().delete()
    RequiredDocument.objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()
    report = catalog_import(BytesIO(content))

    assert len(report.created) == 80
    assert db_snapshot() == before
    assert sheet_values(export_bytes()) == sheet_values(content)


@pytest.mark.django_db
def test_importing_the_export_again_changes_nothing(catalog):
    before = db_snapshot()
    report = catalog_import(BytesIO(export_bytes()))
    assert not report.changed
    assert len(report.unchanged) == 80
    assert db_snapshot() == before


@pytest.mark.django_db
def test_a_bad_file_changes_nothing_and_lists_every_error_with_its_row(catalog):
    before = db_snapshot()
    workbook = load_workbook(BytesIO(export_bytes()))
    sheet = workbook[PROCEDURE_SHEET]
    sheet["B2"] = "Tên mới hợp lệ"  # a valid change in row 2: must not be applied either
    sheet["F3"] = "ba ngày"  # row 3: not a number
    sheet["G4"] = "tuần"  # row 4: unknown unit
    sheet["A5"] = None  # row 5: no code
    sheet["O6"] = "31/02/2026"  # row 6: not a date
    workbook[DOCUMENT_SHEET]["E2"] = -1  # a negative number of originals
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    with pytest.raises(CatalogError) as caught:
        catalog_import(buffer)

    errors = caught.value.errors
    text = "\n".join(errors)
    for row in ("row 3", "row 4", "row 5", "row 6"):
        assert row in text or row.replace("row", "dòng") in text, (row, text)
    assert any("Thành phần hồ sơ" in e for e in errors)
    assert db_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [b"", b"not an excel file", b"PK\x03\x04garbage", "Mã TTHC;Tên\n1.001193;x".encode()],
)
def test_malformed_files_are_refused_cleanly(catalog, content):
    before = db_snapshot()
    with pytest.raises(CatalogError) as caught:
        catalog_import(BytesIO(content))
    assert caught.value.errors
    assert db_snapshot() == before


@pytest.mark.django_db
def test_a_workbook_without_the_sheets_is_refused(catalog):
    before = db_snapshot()
    workbook = Workbook()
    workbook.active.append(["foo", "bar"])
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(CatalogError):
        catalog_import(buffer)
    assert db_snapshot() == before


@pytest.mark.django_db
def test_a_change_with_a_later_date_is_a_new_version_and_the_old_one_stays(catalog):
    workbook = load_workbook(BytesIO(export_bytes()))
    sheet = workbook[PROCEDURE_SHEET]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "1.000656")
    row[header.index("Phí, lệ phí")].value = "5.000 đồng"
    row[header.index("Hiệu lực từ")].value = "01/01/2027"
    # Keep only that procedure's rows in every sheet.
    for name in workbook.sheetnames:
        ws = workbook[name]
        for r in range(ws.max_row, 1, -1):
            if ws.cell(r, 1).value != "1.000656":
                ws.delete_rows(r)
    for r in workbook[DOCUMENT_SHEET].iter_rows(min_row=2):
        r[1].value = "01/01/2027"
    for r in workbook["Quy trình"].iter_rows(min_row=2):
        r[1].value = "01/01/2027"
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    report = catalog_import(buffer)

    assert report.new_versions == ["1.000656"]
    procedure = Procedure.objects.get(code="1.000656")
    assert procedure.versions.count() == 2
    assert procedure.version_on(date(2026, 12, 31)).fee != "5.000 đồng"
    assert procedure.version_on(date(2027, 1, 1)).fee == "5.000 đồng"
    assert (
        procedure.version_on(date(2027, 1, 1)).documents.count()
        == procedure.version_on(date(2026, 1, 1)).documents.count()
    )


@pytest.mark.django_db
def test_codes_with_a_province_suffix_are_read_as_the_national_code(catalog):
    workbook = load_workbook(BytesIO(export_bytes()))
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows(min_row=2):
            if row[0].value == "1.001193":
                row[0].value = "1.001193.000.00.00.H35"
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    report = catalog_import(buffer)
    assert "1.001193" in report.unchanged
    assert not Procedure.objects.filter(code__contains="H35").exists()


@pytest.mark.django_db
def test_a_field_code_that_contradicts_its_name_is_a_row_error_not_a_crash(catalog):
    before = db_snapshot()
    workbook = load_workbook(BytesIO(export_bytes()))
    sheet = workbook[PROCEDURE_SHEET]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "2.000815")
    row[header.index("Mã lĩnh vực")].value = "XYZ"  # the name still says "Chứng thực" (code CT)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(CatalogError) as caught:
        catalog_import(buffer)
    assert any("XYZ" in error and "CT" in error for error in caught.value.errors), caught.value.errors
    assert db_snapshot() == before


@pytest.mark.django_db
def test_errors_in_the_papers_sheet_are_reported_on_that_sheet(catalog):
    workbook = load_workbook(BytesIO(export_bytes()))
    workbook[DOCUMENT_SHEET]["E3"] = "nhiều"
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(CatalogError) as caught:
        catalog_import(buffer)
    assert len(caught.value.errors) == 1
    assert DOCUMENT_SHEET in caught.value.errors[0] and (
        "row 3" in caught.value.errors[0] or "dòng 3" in caught.value.errors[0]
    )
