"""The register (Mẫu 07) is written as XML by hand (issue 8): markup characters in the data are
escaped, characters XML forbids are dropped, and the file stays a workbook openpyxl reads."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from dossiers.register import register_export, register_queryset
from dossiers.services import ApplicantData

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.django_db
def test_markup_and_control_characters_in_the_data(receive, clerk):
    applicant = ApplicantData(
        full_name="Nguyễn <Văn> & An", id_number="001099012399", phone="0912345678", address="Thôn\x01 Đông]]>"
    )
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=VN), tick=False):
        dossier = receive("1.001193", applicant=applicant)
    stream = BytesIO()
    count = register_export(
        queryset=register_queryset(clerk, date(2026, 3, 9), date(2026, 3, 9)),
        stream=stream,
        agency_name="Trung tâm <A> & B",
        date_from=date(2026, 3, 9),
        date_to=date(2026, 3, 9),
    )
    stream.seek(0)
    sheet = load_workbook(stream).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert count == 1
    assert rows[1][0].startswith("Trung tâm <A> & B - Từ ngày 09/03/2026")
    assert rows[4][1] == dossier.code
    assert rows[4][3] == dossier.applicant_name
    assert rows[4][4].startswith("Thôn") and "\x01" not in rows[4][4] and rows[4][4].endswith(", 0912345678")
    assert sheet.freeze_panes == "C5"
    assert sheet.column_dimensions["C"].width == 40


@pytest.mark.django_db
def test_read_only_reader_sees_every_row(receive, clerk):
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=VN), tick=False):
        for n in range(3):
            receive("1.001193", applicant=ApplicantData(full_name="Lê Hoa", id_number=f"00109901230{n}"))
    stream = BytesIO()
    register_export(
        queryset=register_queryset(clerk, None, None), stream=stream, agency_name="X", date_from=None, date_to=None
    )
    stream.seek(0)
    rows = list(load_workbook(stream, read_only=True).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[4:]] == [1, 2, 3]
