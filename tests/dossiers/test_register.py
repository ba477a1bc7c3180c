"""The dossier register (Mẫu 07, Sổ theo dõi hồ sơ) as Excel: columns, cells, date range, scope."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from agencies.choices import AgencyKind
from dossiers.register import HEADERS, register_export, register_queryset
from dossiers.services import (
    ApplicantData,
    ReceivedDocument,
    dossier_approve,
    dossier_assign,
    dossier_extend,
    dossier_receive,
    dossier_refuse,
    dossier_return,
    dossier_submit,
)
from procedures.models import Procedure
from tests.factories import AgencyFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SAME_DAY = "1.001193"  # Đăng ký khai sinh
THREE_DAYS = "1.000689"  # 3 working days


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def receive(clerk, code=SAME_DAY, *, when, name="Nguyễn Văn An", id_number="001099012345", **kwargs):
    applicant = ApplicantData(full_name=name, id_number=id_number, phone="0912345678", address="Thôn Đông, xã Một")
    with time_machine.travel(when, tick=False):
        return dossier_receive(
            procedure=Procedure.objects.get(code=code),
            applicant=applicant,
            received_by=clerk,
            documents=[ReceivedDocument(name="Tờ khai", original_count=1)],
            **kwargs,
        )


def step(when, service, **kwargs):
    with time_machine.travel(when, tick=False):
        return service(**kwargs)


def export(user, date_from, date_to, *, agency_name="Trung tâm Phục vụ HCC xã Một", when=None):
    stream = BytesIO()
    with time_machine.travel(when or at(2026, 3, 20, 9), tick=False):
        count = register_export(
            queryset=register_queryset(user, date_from, date_to),
            stream=stream,
            agency_name=agency_name,
            date_from=date_from,
            date_to=date_to,
        )
    stream.seek(0)
    sheet = load_workbook(stream).active
    return count, sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def week(catalog, clerk, officer, leader):
    """Four dossiers of the week of 9 March 2026, each at a different stage."""
    on_time = receive(clerk, when=at(2026, 3, 9, 10))
    step(at(2026, 3, 9, 10, 30), dossier_assign, dossier=on_time, officer=officer, by=leader)
    step(at(2026, 3, 9, 15), dossier_submit, dossier=on_time, by=officer)
    step(at(2026, 3, 9, 15), dossier_approve, dossier=on_time, by=leader)
    step(at(2026, 3, 9, 16), dossier_return, dossier=on_time, by=clerk, received_by_name="Nguyễn Thị Cúc")

    late = receive(clerk, when=at(2026, 3, 9, 14), name="Lê Văn Bảo", id_number="001099000002")
    step(at(2026, 3, 10, 9), dossier_assign, dossier=late, officer=officer, by=leader)
    step(at(2026, 3, 10, 9), dossier_submit, dossier=late, by=officer)
    step(at(2026, 3, 10, 9), dossier_approve, dossier=late, by=leader)
    step(at(2026, 3, 10, 9, 30), dossier_return, dossier=late, by=clerk)

    extended = receive(clerk, THREE_DAYS, when=at(2026, 3, 10, 8), name="Phạm Thu", id_number="001099000003")
    step(at(2026, 3, 10, 9), dossier_assign, dossier=extended, officer=officer, by=leader)
    step(
        at(2026, 3, 11, 9),
        dossier_extend,
        dossier=extended,
        by=officer,
        reason="Xác minh",
        new_due_at=at(2026, 3, 25, 10),
    )

    refused = receive(clerk, when=at(2026, 3, 12, 9), name="Đỗ Hà", id_number="001099000004")
    step(at(2026, 3, 12, 9, 10), dossier_refuse, dossier=refused, by=clerk, reason="Không thuộc thẩm quyền")
    return {"on_time": on_time, "late": late, "extended": extended, "refused": refused}


@pytest.mark.django_db
def test_register_has_the_columns_of_form_07_and_one_row_per_dossier(week, clerk, office):
    count, sheet, rows = export(clerk, date(2026, 3, 9), date(2026, 3, 13))

    assert count == 4
    assert sheet.title == "Sổ theo dõi hồ sơ"
    assert rows[0][0] == "SỔ THEO DÕI HỒ SƠ" and rows[0][-1] == "Mẫu số 07"
    assert rows[1][0] == "Trung tâm Phục vụ HCC xã Một - Từ ngày 09/03/2026 đến ngày 13/03/2026"
    assert (
        tuple(rows[3])
        == HEADERS
        == (
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
    )
    assert all(cell.font.b for cell in sheet[4])
    data = rows[4:]
    assert len(data) == count
    assert [row[0] for row in data] == [1, 2, 3, 4]
    assert [row[1] for row in data] == [week[k].code for k in ("on_time", "late", "extended", "refused")]

    on_time = data[0]
    assert on_time == [
        1,
        "H99.01.01-260309-0001",
        "Đăng ký khai sinh",
        "Nguyễn Văn An",
        "Thôn Đông, xã Một, 0912345678",
        office.name,
        "09/03/2026 10:00",
        "09/03/2026 17:00",
        "09/03/2026 10:30",
        "09/03/2026 16:00",
        "Đã trả kết quả (đúng hạn)",
        "Người nhận kết quả: Nguyễn Thị Cúc",
    ]
    late = data[1]
    assert late[5] == "Phòng Văn hóa - Xã hội"  # the office the officer works in
    assert (late[6], late[7], late[9]) == ("09/03/2026 14:00", "09/03/2026 17:00", "10/03/2026 09:30")
    assert late[10] == "Đã trả kết quả (quá hạn)"
    extended = data[2]
    assert extended[2] == "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con"
    assert extended[7] == "25/03/2026 10:00"  # the appointment after the apology letter
    assert extended[9] is None
    assert extended[10] == "Đang giải quyết"
    assert "Mẫu 04" in extended[11]
    refused = data[3]
    assert (refused[9], refused[10]) == ("12/03/2026 09:10", "Từ chối giải quyết (đúng hạn)")


@pytest.mark.django_db
def test_date_range_keeps_only_dossiers_received_in_it_by_local_date(week, clerk):
    # 00:30 on 11 March in Hà Nội is still 10 March in UTC: it belongs to the 11th.
    night = receive(clerk, when=at(2026, 3, 11, 0, 30), name="Vũ Đêm", id_number="001099000005")
    count, _sheet, rows = export(clerk, date(2026, 3, 10), date(2026, 3, 10))
    assert count == 1
    assert [row[1] for row in rows[4:]] == [week["extended"].code]
    assert rows[1][0].endswith("Từ ngày 10/03/2026 đến ngày 10/03/2026")

    count, _sheet, rows = export(clerk, date(2026, 3, 11), date(2026, 3, 12))
    assert [row[1] for row in rows[4:]] == [night.code, week["refused"].code]
    assert count == 2

    count, _sheet, rows = export(clerk, date(2026, 4, 1), date(2026, 4, 30))
    assert count == 0 and len(rows) == 4  # title, subtitle, blank, header


@pytest.mark.django_db
def test_open_dossier_past_its_appointment_shows_overdue(catalog, clerk):
    dossier = receive(clerk, when=at(2026, 3, 9, 10))
    _count, _sheet, rows = export(clerk, date(2026, 3, 9), date(2026, 3, 9), when=at(2026, 3, 10, 8))
    assert rows[4][1] == dossier.code
    assert rows[4][10] == "Đã tiếp nhận (quá hạn)"
    assert rows[4][8] is None  # not yet handed to the office


@pytest.mark.django_db
def test_register_holds_only_the_dossiers_the_user_may_see(week, clerk, other_commune):
    center = AgencyFactory(
        code="H99.02.01", name="Trung tâm xã Hai", kind=AgencyKind.SERVICE_CENTER, parent=other_commune
    )
    outsider = UserFactory(username="clerk2", role="clerk", agency=center)
    theirs = receive(outsider, when=at(2026, 3, 10, 9), name="Hoàng Lan", id_number="001099000009")

    count, _sheet, rows = export(clerk, date(2026, 3, 9), date(2026, 3, 13))
    assert count == 4 and theirs.code not in [row[1] for row in rows[4:]]
    count, _sheet, rows = export(outsider, date(2026, 3, 9), date(2026, 3, 13), agency_name=center.name)
    assert count == 1 and rows[4][1] == theirs.code == "H99.02.01-260310-0001"
