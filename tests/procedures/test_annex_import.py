"""A province's annex workbook: prose read where it can be, preview before apply, every error listed
and nothing changed on error; an unreadable time blocks intake until an administrator confirms it."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from agencies.calendar import TimeUnit
from procedures.annex import annex_plan, parse_fee, parse_processing_time, plan_apply
from procedures.models import Field, Procedure, ProcedureVersion
from procedures.services import procedure_time_confirm

VN = ZoneInfo("Asia/Ho_Chi_Minh")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EFFECTIVE = date(2026, 1, 5)
WD, WH, SD, CD = TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.SAME_DAY, TimeUnit.CALENDAR_DAYS

HEADER = [
    "STT",
    "Mã TTHC",
    "Tên thủ tục hành chính",
    "Thời hạn giải quyết",
    "Địa điểm thực hiện",
    "Phí, lệ phí",
    "Căn cứ pháp lý",
]
SAME_DAY_TEXT = "Trong ngày làm việc; trường hợp nhận hồ sơ sau 15 giờ thì trả trong ngày làm việc tiếp theo"
UNREADABLE_TIME = "10 ngày làm việc với cơ sở do UBND xã quản lý; 15 ngày làm việc với cơ sở do UBND cấp tỉnh quản lý"
ROWS = [
    ["ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"],
    ["PHỤ LỤC", None, "DANH MỤC THỦ TỤC HÀNH CHÍNH ĐƯỢC CHUẨN HÓA THUỘC THẨM QUYỀN GIẢI QUYẾT CỦA UBND CẤP XÃ"],
    [None, None, "(Kèm theo Quyết định số 658/QĐ-UBND ngày 05/01/2026 của Chủ tịch UBND thành phố)"],
    [],
    HEADER,
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
    ["A. THỦ TỤC HÀNH CHÍNH CẤP XÃ"],
    ["I. Lĩnh vực Hộ tịch"],
    [
        1,
        "1.001193.000.00.00.H35",
        "Đăng ký khai sinh",
        SAME_DAY_TEXT,
        "UBND xã",
        "Miễn lệ phí",
        "Luật Hộ tịch 60/2014/QH13",
    ],
    [
        2,
        "9.900001.000.00.00.H35",
        "Đăng ký khai sinh lưu động (thử)",
        UNREADABLE_TIME,
        "UBND xã",
        "do HĐND cấp tỉnh quyết định",
        "Luật Hộ tịch 60/2014/QH13",
    ],
    ["II. Lĩnh vực Chứng thực"],
    [
        1,
        "9.900002.000.00.00.H35",
        "Chứng thực bản sao (thử)",
        "03 ngày làm việc",
        "UBND xã",
        "8.000 đồng/bản",
        "Nghị định 23/2015/NĐ-CP",
    ],
    [
        2,
        "9.900003.000.00.00.H35",
        "Chứng thực chữ ký (thử)",
        "5 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        None,
        "Không",
        None,
    ],
    ["III. Lĩnh vực Hòa giải ở cơ sở (thử)"],
    [
        1,
        "9.900004.000.00.00.H35",
        "Công nhận hòa giải viên (thử)",
        "Không quá 20 ngày",
        "UBND xã",
        "Miễn phí",
        "Luật Hòa giải ở cơ sở 2013",
    ],
    [
        2,
        "9.900005.000.00.00.H35",
        "Thôi làm hòa giải viên (thử)",
        "04 giờ làm việc",
        "UBND xã",
        "Không",
        "Luật Hòa giải ở cơ sở 2013",
    ],
    ["Ghi chú: phần chữ in nghiêng là nội dung sửa đổi."],
]


def workbook_bytes(rows, *, title="Phụ lục I") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:G1")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts():
    return Procedure.objects.count(), ProcedureVersion.objects.count(), Field.objects.count()


# ----- the parsers, on real published phrases --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", (5, WD)),
        ("03 ngày làm việc", (3, WD)),
        ("Không quá 20 ngày", (20, CD)),
        ("Không quá 02 ngày làm việc kể từ ngày nhận đủ hồ sơ; có thể kéo dài theo thỏa thuận bằng văn bản.", (2, WD)),
        (SAME_DAY_TEXT, (0, SD)),
        ("Trong ngày tiếp nhận yêu cầu hoặc ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ.", (0, SD)),
        (
            "Giải quyết ngay trong ngày tiếp nhận hồ sơ; nếu nhận hồ sơ sau 15 giờ mà không giải quyết được ngay "
            "thì trả kết quả trong ngày làm việc tiếp theo (DVCQG).",
            (0, SD),
        ),
        (
            "Ngay sau khi nhận đủ giấy tờ; trường hợp cần xác minh điều kiện kết hôn thì không quá 05 ngày làm việc.",
            (0, SD),
        ),
        (
            "03 ngày làm việc kể từ ngày nhận đủ giấy tờ, kéo dài thêm không quá 05 ngày làm việc nếu cần xác minh "
            "(Điều 25 Luật Hộ tịch 60/2014/QH13).",
            (3, WD),
        ),
        ("30 ngày làm việc theo quy định của Hải Phòng (DVCQG ghi: trực tiếp 40 ngày, bưu chính 30 ngày).", (30, WD)),
        ("15 ngày (DVCQG ghi đơn vị 'ngày', không phải ngày làm việc).", (15, CD)),
        ("2,5 ngày làm việc sau cắt giảm (QĐ 3453/QĐ-UBND Hải Phòng)", (Decimal("2.5"), WD)),
        ("04 giờ làm việc", (4, WH)),
        # Not readable for certain: unconfirmed.
        (UNREADABLE_TIME, None),
        ("Nộp trực tiếp 27 ngày làm việc; qua bưu chính 20 ngày làm việc; trực tuyến 17 ngày làm việc (DVCQG).", None),
        ("Cấp đổi: 03 ngày làm việc; cấp lại do mất, cháy, rách: 01 ngày làm việc (QĐ 2831/QĐ-UBND Hải Phòng).", None),
        ("Nhiều giai đoạn: xác minh 3,5-12 ngày; kiểm tra, lấy ý kiến 10 ngày", None),
        ("Chưa xác nhận: DVCQG ghi 5 với đơn vị 'Khác'.", None),
        ("01 tháng", None),
        ("trong 4 giờ", None),
        ("5", None),
        ("", None),
        ("Theo quy định", None),
    ],
)
def test_published_times(text, expected):
    reading = parse_processing_time(text)
    if expected is None:
        assert reading is None
    else:
        assert reading == {"amount": Decimal(expected[0]), "unit": expected[1]}


def test_a_bare_number_takes_the_unit_its_header_gives():
    assert parse_processing_time(5, unit_hint=WD) == {"amount": Decimal(5), "unit": WD}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Không", (0, "", True)),
        ("Miễn phí", (0, "", True)),
        ("Miễn lệ phí (DVCQG ghi 0)", (0, "", True)),
        ("Không thu phí, lệ phí", (0, "", True)),
        ("8.000 đồng/bản", (8000, "bản", False)),
        ("50.000 đồng/văn bản", (50000, "văn bản", False)),
        ("8.000 đồng", (8000, "", False)),
        (
            "400.000 đồng/trường hợp; miễn khi cha dượng, mẹ kế nhận con riêng của vợ, chồng",
            (400000, "trường hợp", False),
        ),
        ("do HĐND cấp tỉnh quyết định", None),
        ("Lệ phí do HĐND cấp tỉnh quyết định (DVCQG ghi 0); miễn cho người thuộc hộ nghèo", None),
        ("2.000 đồng/trang; từ trang thứ 3 trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản", None),
        ("Phí chứng thực theo Thông tư 226/2016/TT-BTC", None),
        ("0 đồng khi nộp trực tuyến", None),
        ("Chưa quy định", None),
        ("", None),
    ],
)
def test_published_fees(text, expected):
    reading = parse_fee(text)
    if expected is None:
        assert reading is None
    else:
        assert reading == {"amount": Decimal(expected[0]), "per": expected[1], "free": expected[2]}


# ----- the workbook ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_annex_imports_every_procedure_with_its_name_field_and_published_texts(catalog):
    before = counts()
    plan = annex_plan(BytesIO(workbook_bytes(ROWS)), effective_from=EFFECTIVE, source="Phụ lục 658")
    assert plan.errors == []
    assert counts() == before  # the preview writes nothing
    status = {item.code: item.status for item in plan.preview.items}
    assert status == {
        "1.001193": "changed",
        "9.900001": "new",
        "9.900002": "new",
        "9.900003": "new",
        "9.900004": "new",
        "9.900005": "new",
    }
    changed = {c["key"]: c for c in next(i for i in plan.preview.items if i.code == "1.001193").changes}
    assert changed["processing_time_text"]["new"] == SAME_DAY_TEXT
    assert changed["legal_basis"]["new"] == "Luật Hộ tịch 60/2014/QH13"
    assert "processing_time" not in changed  # same day before and after
    assert any("Địa điểm thực hiện" in note for note in plan.notes)

    report = plan_apply(plan)

    assert sorted(report.created) == ["9.900001", "9.900002", "9.900003", "9.900004", "9.900005"]
    assert report.new_versions == ["1.001193"]
    expected = {
        "9.900001": (
            "Đăng ký khai sinh lưu động (thử)",
            "Hộ tịch",
            None,
            UNREADABLE_TIME,
            "do HĐND cấp tỉnh quyết định",
        ),
        "9.900002": (
            "Chứng thực bản sao (thử)",
            "Chứng thực",
            {"amount": 3, "unit": WD},
            "03 ngày làm việc",
            "8.000 đồng/bản",
        ),
        "9.900003": (
            "Chứng thực chữ ký (thử)",
            "Chứng thực",
            {"amount": 5, "unit": WD},
            "5 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
            "Không",
        ),
        "9.900004": (
            "Công nhận hòa giải viên (thử)",
            "Hòa giải ở cơ sở (thử)",
            {"amount": 20, "unit": CD},
            "Không quá 20 ngày",
            "Miễn phí",
        ),
        "9.900005": (
            "Thôi làm hòa giải viên (thử)",
            "Hòa giải ở cơ sở (thử)",
            {"amount": 4, "unit": WH},
            "04 giờ làm việc",
            "Không",
        ),
    }
    for code, (name, field, time, time_text, fee) in expected.items():
        procedure = Procedure.objects.select_related("field").get(code=code)
        version = procedure.version_on(EFFECTIVE)
        assert (procedure.name, procedure.field.name) == (name, field)
        assert version.effective_from == EFFECTIVE
        assert (version.processing_time, version.processing_time_text, version.fee) == (time, time_text, fee)
        assert version.source == "Phụ lục 658"
    unconfirmed = Procedure.objects.get(code="9.900001").version_on(EFFECTIVE).unconfirmed
    assert {"processing_time", "fee"} <= set(unconfirmed)
    assert "fee" not in Procedure.objects.get(code="9.900002").version_on(EFFECTIVE).unconfirmed
    assert "legal_basis" in Procedure.objects.get(code="9.900003").version_on(EFFECTIVE).unconfirmed
    # An existing procedure keeps what the annex does not publish: its papers and its workflow.
    birth = Procedure.objects.get(code="1.001193")
    old, new = birth.version_on(date(2025, 7, 1)), birth.version_on(EFFECTIVE)
    assert new.pk != old.pk
    assert new.documents.count() == old.documents.count() == 5
    assert new.workflow_steps.count() == old.workflow_steps.count()
    assert new.processing_time == {"amount": 0, "unit": SD}
    assert new.fee == "Miễn lệ phí"

    # The same annex again changes nothing.
    again = annex_plan(BytesIO(workbook_bytes(ROWS)), effective_from=EFFECTIVE, source="Phụ lục 658 (lần 2)")
    assert {item.status for item in again.preview.items} == {"unchanged"}
    after = counts()
    assert plan_apply(again).changed is False
    assert counts() == after


@pytest.mark.django_db
def test_a_confirmed_time_survives_the_same_annex_loaded_again(catalog):
    plan_apply(annex_plan(BytesIO(workbook_bytes(ROWS)), effective_from=EFFECTIVE, source="Phụ lục"))
    procedure = Procedure.objects.get(code="9.900001")
    procedure_time_confirm(procedure=procedure, amount=10, unit=WD)
    again = annex_plan(BytesIO(workbook_bytes(ROWS)), effective_from=EFFECTIVE, source="Phụ lục")
    assert next(i for i in again.preview.items if i.code == "9.900001").status == "unchanged"
    assert again.readings["9.900001"].time_kept


def test_header_names_are_matched_without_accents_case_or_spacing():
    from procedures.annex import _column_of

    assert _column_of("MÃ  TTHC") == "code"
    assert _column_of("Ma thu tuc") == "code"
    assert _column_of("Tên TTHC") == "name"
    assert _column_of("Tên thủ tục hành chính") == "name"
    assert _column_of("Phí lệ phí") == "fee"
    assert _column_of("Phí, lệ phí (nếu có)") == "fee"
    assert _column_of("Thời hạn giải quyết (ngày làm việc)") == "time"
    assert _column_of("Cơ quan thực hiện") == "competent_authority"
    assert _column_of("Lĩnh vực") == "field_name"
    assert _column_of("Ghi chú") == "note"


@pytest.mark.django_db
def test_a_field_column_and_other_header_names(catalog):
    rows = [
        ["DANH MỤC THỦ TỤC HÀNH CHÍNH CẤP XÃ"],
        [
            "Số TT",
            "Mã thủ tục",
            "Tên TTHC",
            "Lĩnh vực",
            "Thời gian giải quyết (ngày làm việc)",
            "Phí lệ phí",
            "Cơ quan thực hiện",
        ],
        [1, "9.900011.000.00.00.H35", "Thủ tục cột lĩnh vực (thử)", "Chứng thực", 7, "Không", "UBND cấp xã"],
    ]
    plan = annex_plan(BytesIO(workbook_bytes(rows)), effective_from=EFFECTIVE, source="Phụ lục")
    assert plan.errors == []
    plan_apply(plan)
    version = Procedure.objects.get(code="9.900011").version_on(EFFECTIVE)
    assert version.procedure.field.code == "CT"  # the seeded field of that name
    assert version.processing_time == {"amount": 7, "unit": WD}
    assert version.competent_authority == "UBND cấp xã"


@pytest.mark.django_db
def test_real_errors_are_each_listed_and_nothing_changes(catalog):
    no_code = [
        ["PHỤ LỤC"],
        ["STT", "Tên thủ tục hành chính", "Thời hạn giải quyết", "Phí, lệ phí"],
        [1, "Thủ tục A", "03 ngày làm việc", "Không"],
    ]
    errors = annex_plan(BytesIO(workbook_bytes(no_code)), effective_from=EFFECTIVE, source="x").errors
    assert [(e.sheet, e.row) for e in errors] == [("Phụ lục I", 2)]
    assert "Mã TTHC" in errors[0].message

    rows = ROWS[:9] + [
        [2, "1.001193.000.00.00.H35", "Đăng ký khai sinh (lặp)", "03 ngày làm việc", None, "Không", None],
        [3, None, "Thủ tục không mã", "03 ngày làm việc", None, "Không", None],
        [4, "9.900009", None, "03 ngày làm việc", None, "Không", None],
    ]
    before = counts()
    plan = annex_plan(BytesIO(workbook_bytes(rows)), effective_from=EFFECTIVE, source="x")
    found = [(e.row, e.message) for e in plan.errors]
    assert len(found) == 3
    assert found[0][0] == 10 and "1.001193" in found[0][1] and "9)" in found[0][1]
    assert found[1][0] == 11
    assert found[2][0] == 12
    assert not plan.can_apply
    with pytest.raises(Exception):  # noqa: B017 - CatalogError: nothing is applied
        plan_apply(plan)
    assert counts() == before


@pytest.mark.django_db
def test_a_procedure_with_an_unread_time_takes_no_dossier_until_confirmed(catalog, receive):
    plan_apply(annex_plan(BytesIO(workbook_bytes(ROWS)), effective_from=EFFECTIVE, source="Phụ lục"))
    when = datetime(2026, 3, 10, 9, 0, tzinfo=VN)
    with pytest.raises(ValidationError) as caught:
        receive("9.900001", at=when)
    assert "procedure" in caught.value.message_dict
    assert receive("9.900002", at=when).due_at is not None  # a read time takes dossiers

    procedure_time_confirm(
        procedure=Procedure.objects.get(code="9.900001"), amount=10, unit=WD, effective_from=EFFECTIVE
    )

    dossier = receive("9.900001", at=when)
    assert dossier.procedure_version.processing_time == {"amount": 10, "unit": WD}
    assert "processing_time" not in dossier.procedure_version.unconfirmed


# ----- the page --------------------------------------------------------------------------------------


def upload(content, name="phu-luc.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


@pytest.mark.django_db
def test_only_administrators_reach_the_import_pages(client, catalog, clerk, administrator):
    for name in ("procedures:annex_import", "procedures:portal_sync", "procedures:confirm_times"):
        url = reverse(name)
        client.logout()
        assert client.get(url).status_code == 302
        client.force_login(clerk)
        assert client.get(url).status_code == 403
        assert client.post(url, {"token": "x" * 30, "apply": "1"}).status_code == 403
        client.force_login(administrator)
        assert client.get(url).status_code == 200
    assert reverse("procedures:annex_import") == "/thu-tuc/nhap-phu-luc/"
    assert reverse("procedures:portal_sync") == "/thu-tuc/dong-bo-cong-quoc-gia/"


@pytest.mark.django_db
def test_upload_previews_then_applies_from_the_chosen_date(client, catalog, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    url = reverse("procedures:annex_import")
    before = counts()
    response = client.post(
        url,
        {"file": upload(workbook_bytes(ROWS)), "effective_from": "2026-01-05", "decision": "658/QĐ-UBND"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert counts() == before
    assert html.count('data-testid="preview-row"') == 6
    assert 'data-code="9.900001" data-status="new"' in html
    assert 'data-code="1.001193" data-status="changed"' in html
    assert "Chưa xác nhận" in html
    assert "8.000 đồng/bản" in html
    token = response.context["token"]
    fingerprint = response.context["fingerprint"]

    # A stale preview is not applied: the fingerprint must match.
    response = client.post(url, {"token": token, "fingerprint": "0" * 32, "apply": "1"})
    assert counts() == before and response.status_code == 200

    response = client.post(url, {"token": token, "fingerprint": fingerprint, "apply": "1"})
    assert response.status_code == 302
    assert Procedure.objects.filter(code__startswith="9.9000").count() == 5
    version = Procedure.objects.get(code="9.900002").versions.get()
    assert (version.effective_from, version.decision) == (EFFECTIVE, "658/QĐ-UBND")
    assert not list((tmp_path / "catalog-imports").glob("*.bin"))  # the kept file is gone
    # The token is spent.
    response = client.post(url, {"token": token, "fingerprint": fingerprint, "apply": "1"}, follow=True)
    assert ProcedureVersion.objects.filter(procedure__code="9.900002").count() == 1


@pytest.mark.django_db
def test_upload_with_errors_lists_each_and_offers_no_apply(client, catalog, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    rows = ROWS[:9] + [
        [2, "1.001193.000.00.00.H35", "Đăng ký khai sinh (lặp)", "03 ngày làm việc", None, "Không", None]
    ]
    before = counts()
    response = client.post(
        reverse("procedures:annex_import"),
        {"file": upload(workbook_bytes(rows)), "effective_from": "2026-01-05"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    html = response.content.decode()
    assert html.count('data-testid="import-error"') == 1
    assert "1.001193" in html
    assert 'data-testid="apply-form"' not in html
    assert counts() == before
    response = client.post(
        reverse("procedures:annex_import"),
        {"file": upload(b"not a workbook"), "effective_from": "2026-01-05"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert "không phải bảng tính Excel" in response.content.decode()


@pytest.mark.django_db
def test_an_administrator_confirms_a_time_on_the_page(client, catalog, administrator):
    plan_apply(annex_plan(BytesIO(workbook_bytes(ROWS)), effective_from=date(2025, 8, 1), source="Phụ lục"))
    client.force_login(administrator)
    url = reverse("procedures:confirm_times")
    assert 'data-code="9.900001"' in client.get(url).content.decode()
    response = client.post(url, {"code": "9.900001", "amount": "10", "unit": WD})
    assert response.status_code == 302
    assert Procedure.objects.get(code="9.900001").version_on().processing_time == {"amount": 10, "unit": WD}
    assert 'data-code="9.900001"' not in client.get(url).content.decode()
