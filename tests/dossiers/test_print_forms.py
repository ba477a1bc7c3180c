"""The official forms of Circular 03/2025/TT-VPCP, Appendix I (Mẫu 01-06), printed from real dossiers.

Dossiers are made through the services only; time is frozen so due times are exact.
Set PRINT_DUMP_DIR=/some/dir to keep the rendered pages (for looking at them in a browser).
"""

import os
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from agencies.choices import AgencyKind
from dossiers.api import lookup_url
from dossiers.models import PersonalDataAccess
from dossiers.services import (
    ApplicantData,
    ReceivedDocument,
    dossier_approve,
    dossier_assign,
    dossier_extend,
    dossier_receive,
    dossier_refuse,
    dossier_request_supplement,
    dossier_return,
    dossier_submit,
    dossier_supplement,
    dossier_withdraw,
    guidance_record,
)
from procedures.models import Procedure
from tests.factories import AgencyFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SAME_DAY = "1.001193"  # Đăng ký khai sinh: same day
THREE_DAYS = "1.000689"  # Đăng ký khai sinh kết hợp nhận cha, mẹ, con: 3 working days


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def receive(clerk, code=SAME_DAY, *, when, applicant=None, **kwargs):
    applicant = applicant or ApplicantData(
        full_name="Nguyễn Văn An",
        id_number="001099012345",
        phone="0912345678",
        email="an@example.vn",
        address="Thôn Đông, xã Một",
    )
    kwargs.setdefault(
        "documents",
        [
            ReceivedDocument(name="Tờ khai đăng ký khai sinh", original_count=1),
            ReceivedDocument(name="Giấy chứng sinh", original_count=1, copy_count=2),
        ],
    )
    with time_machine.travel(when, tick=False):
        return dossier_receive(
            procedure=Procedure.objects.get(code=code), applicant=applicant, received_by=clerk, **kwargs
        )


def step(when, service, **kwargs):
    """Run a service at a frozen time and return the dossier."""
    with time_machine.travel(when, tick=False):
        return service(**kwargs)


class Desk:
    """A logged-in browser at a given time (sessions last a working day, so log in at that time)."""

    def __init__(self, client, user):
        self.client, self.user = client, user

    def get(self, url, *, when):
        with time_machine.travel(when, tick=False):
            self.client.force_login(self.user)
            return self.client.get(url)


def printed(desk, dossier, form, *, when=None):
    response = desk.get(reverse("dossiers:print", args=[dossier.code, form]), when=when or at(2026, 3, 20, 9))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    _dump(f"mau-{form}", html)
    return Page(html)


def _dump(name, html):
    folder = os.environ.get("PRINT_DUMP_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        Path(folder, f"{name}.html").write_text(html, encoding="utf-8")


class Page(HTMLParser):
    """The rendered page: text of the elements carrying data-testid, and the cells of such rows."""

    VOID = {"area", "base", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, html):
        super().__init__()
        self.html = html
        self.stack, self.found = [], {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self._gap()
        if tag not in self.VOID:
            self.stack.append({"tag": tag, "testid": dict(attrs).get("data-testid"), "text": [], "cells": []})

    def handle_startendtag(self, tag, attrs):
        self._gap()

    def handle_endtag(self, tag):
        self._gap()
        while self.stack:
            node = self.stack.pop()
            text = " ".join("".join(node["text"]).split())
            if node["testid"]:
                self.found.setdefault(node["testid"], []).append({"text": text, "cells": node["cells"]})
            if node["tag"] in ("td", "th"):
                row = next((n for n in reversed(self.stack) if n["tag"] == "tr"), None)
                if row is not None:
                    row["cells"].append(text)
            if node["tag"] == tag:
                break

    def handle_data(self, data):
        for node in self.stack:
            node["text"].append(data)

    def _gap(self):
        for node in self.stack:
            node["text"].append(" ")

    def text(self, testid):
        assert testid in self.found, f"no element with data-testid={testid}"
        return self.found[testid][0]["text"]

    def rows(self, testid):
        return [item["cells"] for item in self.found.get(testid, [])]


@pytest.fixture
def desk(client, clerk):
    return Desk(client, clerk)


# ----- Mẫu 01 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_receipt_shows_code_applicant_documents_times_and_qr(desk, catalog, clerk, center):
    dossier = receive(clerk, when=at(2026, 3, 9, 10))  # Monday 10:00, same-day procedure
    page = printed(desk, dossier, "01", when=at(2026, 3, 9, 10, 5))

    assert "Mẫu số 01" in page.html
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in page.html and "Độc lập - Tự do - Hạnh phúc" in page.html
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page.html
    assert page.text("dossier-code") == dossier.code == "H99.01.01-260309-0001"
    assert page.text("received-at") == "10 giờ 00 phút, ngày 09/03/2026"
    assert page.text("due-at") == "17 giờ 00 phút, ngày 09/03/2026"
    assert "ngày 09 tháng 03 năm 2026" in page.html  # place and date of the heading
    assert center.name in page.html and "Xã Một" in page.html  # the agency under its parent
    applicant = page.text("applicant")
    for part in ("Nguyễn Văn An", "Thôn Đông, xã Một", "0912345678", "an@example.vn", "Đăng ký khai sinh", "1.001193"):
        assert part in applicant
    assert page.text("procedure-name") == dossier.procedure_version.name == "Đăng ký khai sinh"
    documents = page.rows("document-row")
    assert documents == [["1", "Tờ khai đăng ký khai sinh", "1", "0"], ["2", "Giấy chứng sinh", "1", "2"]]
    assert page.text("return-method") == f"Tại Bộ phận Một cửa {center.name}"
    assert page.text("fee") == "Miễn lệ phí"
    assert "<svg" in page.html and "Quét mã QR để tra cứu tình trạng hồ sơ" in page.html
    key = dossier.lookup_key
    assert page.text("lookup-key") == f"{key[:4]}-{key[4:8]}-{key[8:12]}-{key[12:]}"
    assert lookup_url(dossier) == f"{settings.SITE_URL}/tra-cuu/{dossier.code}/?key={key}"
    assert lookup_url(dossier) in page.html
    assert "NGƯỜI NỘP HỒ SƠ" in page.html and "NGƯỜI TIẾP NHẬN HỒ SƠ" in page.html
    assert clerk.get_full_name() in page.html
    assert PersonalDataAccess.objects.filter(user=clerk, what="print-01", subject=dossier.code).exists()


@pytest.mark.django_db
def test_receipt_of_a_working_days_dossier_returned_by_post(desk, catalog, clerk):
    dossier = receive(
        clerk, THREE_DAYS, when=at(2026, 3, 9, 10), return_method="post", return_address="Số 5 đường Hoa, xã Một"
    )
    page = printed(desk, dossier, "01")
    assert page.text("due-at") == "10 giờ 00 phút, ngày 12/03/2026"  # 3 working days later
    assert page.text("processing-time") == "3 ngày làm việc"
    assert page.text("return-method") == "Qua dịch vụ bưu chính đến địa chỉ: Số 5 đường Hoa, xã Một"


# ----- Mẫu 02 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_to_supplement_lists_what_is_missing_and_the_deadline(desk, catalog, clerk, officer, leader):
    dossier = receive(clerk, THREE_DAYS, when=at(2026, 3, 9, 10))
    step(at(2026, 3, 9, 10, 30), dossier_assign, dossier=dossier, officer=officer, by=leader)
    step(
        at(2026, 3, 10, 9),
        dossier_request_supplement,
        dossier=dossier,
        by=officer,
        reason="Giấy chứng sinh là bản sao không có chứng thực",
        missing="Bản chính Giấy chứng sinh\n\n  Văn bản ủy quyền có chứng thực  \n",
    )
    page = printed(desk, dossier, "02", when=at(2026, 3, 10, 9, 5))

    assert "Mẫu số 02" in page.html and "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page.html
    assert "Cộng hòa xã hội chủ nghĩa Việt Nam" in page.html
    assert page.text("dossier-code") == dossier.code
    assert "Nguyễn Văn An" in page.text("applicant")
    assert re.findall(r"<li>(.*?)</li>", page.html) == ["Bản chính Giấy chứng sinh", "Văn bản ủy quyền có chứng thực"]
    assert page.text("reason") == "Giấy chứng sinh là bản sao không có chứng thực"
    assert page.text("supplement-deadline") == "09 giờ 00 phút, ngày 25/03/2026"  # 15 days after the notice
    assert "tính lại từ đầu" in page.text("restart-note")
    assert "NGƯỜI HƯỚNG DẪN" in page.html and officer.get_full_name() in page.html


@pytest.mark.django_db
def test_form_without_its_event_says_so(desk, catalog, clerk):
    dossier = receive(clerk, when=at(2026, 3, 9, 10))
    for form, message in (
        ("02", "chưa có yêu cầu bổ sung"),
        ("03", "không bị từ chối"),
        ("04", "chưa được hẹn lại"),
        ("05", "không có đề nghị dừng"),
    ):
        page = printed(desk, dossier, form)
        assert message in page.text("no-event"), form
    assert desk.get(reverse("dossiers:print", args=[dossier.code, "07"]), when=at(2026, 3, 20, 9)).status_code == 404


# ----- Mẫu 03 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refusal_gives_the_reason_and_time(desk, catalog, clerk):
    dossier = receive(clerk, when=at(2026, 3, 9, 10))
    step(
        at(2026, 3, 9, 10, 20),
        dossier_refuse,
        dossier=dossier,
        by=clerk,
        reason="Việc khai sinh đã được đăng ký tại xã Hai",
    )
    page = printed(desk, dossier, "03")

    assert "Mẫu số 03" in page.html and "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in page.html
    assert page.text("dossier-code") == dossier.code
    assert page.text("reason") == "Việc khai sinh đã được đăng ký tại xã Hai"
    assert page.text("refused-at") == "10 giờ 20 phút, ngày 09/03/2026"
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in page.html


# ----- Mẫu 04 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_apology_gives_the_reason_and_the_new_date_signed_by_the_office(desk, catalog, clerk, officer, leader, office):
    dossier = receive(clerk, THREE_DAYS, when=at(2026, 3, 9, 10))  # due Thursday 12/03 10:00
    step(at(2026, 3, 9, 10, 30), dossier_assign, dossier=dossier, officer=officer, by=leader)
    step(
        at(2026, 3, 11, 9),
        dossier_extend,
        dossier=dossier,
        by=officer,
        reason="Phải xác minh tại Bệnh viện huyện",
        new_due_at=at(2026, 3, 16, 10),
    )
    page = printed(desk, dossier, "04")

    assert "Mẫu số 04" in page.html and "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in page.html
    assert "Kính gửi: Ông/Bà Nguyễn Văn An" in page.text("addressee")
    assert page.text("dossier-code") == dossier.code
    assert page.text("previous-due-at") == "10 giờ 00 phút, ngày 12/03/2026"
    assert page.text("new-due-at") == "10 giờ 00 phút, ngày 16/03/2026"
    assert page.text("reason") == "Phải xác minh tại Bệnh viện huyện"
    assert "Mong ông/bà thông cảm vì sự chậm trễ này" in page.html
    heading = Page(page.html.split("<h1")[0]).html
    assert office.name in heading and "THỦ TRƯỞNG CƠ QUAN" in page.html


# ----- Mẫu 05 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notice_of_stopping_gives_the_citizens_reason(desk, catalog, clerk):
    dossier = receive(clerk, THREE_DAYS, when=at(2026, 3, 9, 10))
    step(at(2026, 3, 10, 14, 15), dossier_withdraw, dossier=dossier, by=clerk, reason="Gia đình chuyển nơi cư trú")
    page = printed(desk, dossier, "05")

    assert "Mẫu số 05" in page.html and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in page.html
    assert page.text("dossier-code") == dossier.code
    assert page.text("reason") == "Gia đình chuyển nơi cư trú"
    assert page.text("stopped-at") == "14 giờ 15 phút, ngày 10/03/2026"


# ----- Mẫu 06 ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_control_slip_rates_each_step_against_its_time_limit(desk, catalog, clerk, officer, leader, office):
    dossier = receive(clerk, when=at(2026, 3, 9, 10))  # same day: 5 working hours to 17:00
    step(at(2026, 3, 9, 10, 30), dossier_assign, dossier=dossier, officer=officer, by=leader)
    step(at(2026, 3, 9, 16, 45), dossier_submit, dossier=dossier, by=officer)
    step(at(2026, 3, 9, 16, 45), dossier_approve, dossier=dossier, by=leader)
    step(at(2026, 3, 9, 16, 50), dossier_return, dossier=dossier, by=clerk)
    page = printed(desk, dossier, "06")

    assert "Mẫu số 06" in page.html and "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in page.html
    assert page.text("dossier-code") == dossier.code
    assert page.text("received-at") == "10 giờ 00 phút, ngày 09/03/2026"
    assert page.text("due-at") == "17 giờ 00 phút, ngày 09/03/2026"
    assert "Nguyễn Văn An" in page.text("header") and "Đăng ký khai sinh" in page.text("header")
    assert page.rows("handover-head") == [
        [
            "TT",
            "Tên cơ quan/bộ phận giao, nhận",
            "Thời gian giao, nhận hồ sơ",
            "Thời hạn",
            "Kết quả giải quyết (trước hạn/đúng hạn/quá hạn)",
            "Ghi chú",
        ]
    ]
    rows = page.rows("handover-row")
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    limits = [row[3] for row in rows]
    assert limits == [
        "11 giờ 00 phút, ngày 09/03/2026",  # 20 % of the time
        "15 giờ 30 phút, ngày 09/03/2026",  # 70 %
        "16 giờ 30 phút, ngày 09/03/2026",  # 90 %
        "17 giờ 00 phút, ngày 09/03/2026",
    ]
    assert [row[4] for row in rows][:3] == ["Đúng hạn", "Quá hạn", "Quá hạn"]
    assert "Giao: 10 giờ 30 phút, ngày 09/03/2026" in rows[0][2]
    assert "Giao: 16 giờ 45 phút, ngày 09/03/2026" in rows[1][2]
    assert office.name in rows[1][1] and officer.get_full_name() in rows[1][1]
    assert "restart-note" not in page.found


@pytest.mark.django_db
def test_control_slip_early_and_in_progress_steps(desk, catalog, clerk, officer, leader):
    dossier = receive(clerk, THREE_DAYS, when=at(2026, 3, 9, 10))  # due Thursday 12/03 10:00
    step(at(2026, 3, 9, 10, 30), dossier_assign, dossier=dossier, officer=officer, by=leader)
    page = printed(desk, dossier, "06", when=at(2026, 3, 9, 11))
    # (Step 4, the return, is not looked at: the services close every open clerk step at the
    # hand-over, the return step included.)
    assert [row[4] for row in page.rows("handover-row")][:3] == ["Đúng hạn", "Đang xử lý", "Chưa thực hiện"]
    step(at(2026, 3, 9, 15), dossier_submit, dossier=dossier, by=officer)
    step(at(2026, 3, 9, 15), dossier_approve, dossier=dossier, by=leader)
    rows = printed(desk, dossier, "06").rows("handover-row")
    assert rows[1][3] == "10 giờ 45 phút, ngày 11/03/2026"  # 70 % of 3 working days
    assert [row[4] for row in rows][:3] == ["Đúng hạn", "Trước hạn", "Trước hạn"]


@pytest.mark.django_db
def test_control_slip_prints_only_the_cycle_after_the_supplement(desk, catalog, clerk, officer, leader):
    dossier = receive(clerk, THREE_DAYS, when=at(2026, 3, 9, 10))
    step(at(2026, 3, 9, 10, 30), dossier_assign, dossier=dossier, officer=officer, by=leader)
    step(at(2026, 3, 10, 9), dossier_request_supplement, dossier=dossier, by=officer, reason="Thiếu", missing="Tờ khai")
    dossier = step(at(2026, 3, 16, 8), dossier_supplement, dossier=dossier, by=clerk)
    assert dossier.handovers.filter(cycle=1).count() == dossier.handovers.filter(cycle=2).count() == 4
    page = printed(desk, dossier, "06")

    assert page.text("due-at") == "08 giờ 00 phút, ngày 19/03/2026"  # restarted: 3 working days from 16/03 08:00
    assert "lần thứ 2" in page.text("restart-note")
    assert "08 giờ 00 phút, ngày 16/03/2026" in page.text("restart-note")
    rows = page.rows("handover-row")
    assert len(rows) == 4
    assert "Nhận: 08 giờ 00 phút, ngày 16/03/2026" in rows[0][2]
    assert "10 giờ 30 phút, ngày 09/03/2026" not in page.html  # the first cycle's hand-over is not printed


# ----- guidance at intake (no dossier code) ------------------------------------------------------


def print_guidance(user, guidance):
    """The guidance URL pattern takes no "/" while guidance numbers have one: call the view itself."""
    from django.test import RequestFactory

    from dossiers.views_print import print_guidance as view

    request = RequestFactory().get("/")
    request.user = user
    response = view(request, number=guidance.number)
    html = response.content.decode()
    _dump(f"guidance-{guidance.kind}", html)
    return Page(html)


@pytest.mark.django_db
def test_guidance_forms_02_and_03_without_a_dossier(catalog, clerk):
    procedure = Procedure.objects.get(code=SAME_DAY)
    with time_machine.travel(at(2026, 3, 9, 9, 40), tick=False):
        incomplete = guidance_record(
            procedure=procedure,
            kind="incomplete",
            given_by=clerk,
            applicant_name="Trần Thị Bình",
            applicant_phone="0987654321",
            applicant_address="Thôn Tây",
            missing="Giấy chứng sinh\nTờ khai",
        )
        refused = guidance_record(
            procedure=procedure,
            kind="refused",
            given_by=clerk,
            applicant_name="Trần Thị Bình",
            reason="Trẻ đã được đăng ký khai sinh",
        )
    page = print_guidance(clerk, incomplete)
    assert "Mẫu số 02" in page.html and "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page.html
    assert f"Số: {incomplete.number}" in page.html and "Cộng hòa xã hội chủ nghĩa Việt Nam" in page.html
    assert re.findall(r"<li>(.*?)</li>", page.html) == ["Giấy chứng sinh", "Tờ khai"]
    assert page.text("procedure-name") == "Đăng ký khai sinh"
    assert "Trần Thị Bình" in page.text("applicant") and "0987654321" in page.text("applicant")
    assert page.text("given-at") == "09 giờ 40 phút, ngày 09/03/2026"
    assert "Mã hồ sơ" not in page.html

    page = print_guidance(clerk, refused)
    assert "Mẫu số 03" in page.html and "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in page.html
    assert page.text("reason") == "Trẻ đã được đăng ký khai sinh"
    assert f"Số: {refused.number}" in page.html


# ----- escaping and scoping ----------------------------------------------------------------------


@pytest.mark.django_db
def test_user_input_is_escaped_in_every_form(desk, catalog, clerk, officer, leader):
    applicant = ApplicantData(full_name=SCRIPT, id_number="001099012399", address=SCRIPT, email="x@example.vn")
    first = receive(
        clerk,
        THREE_DAYS,
        when=at(2026, 3, 9, 10),
        applicant=applicant,
        documents=[ReceivedDocument(name=SCRIPT, original_count=1)],
        return_method="post",
        return_address=SCRIPT,
    )
    step(at(2026, 3, 9, 10, 30), dossier_assign, dossier=first, officer=officer, by=leader)
    step(at(2026, 3, 10, 9), dossier_request_supplement, dossier=first, by=officer, reason=SCRIPT, missing=SCRIPT)
    step(at(2026, 3, 11, 9), dossier_supplement, dossier=first, by=clerk)
    step(at(2026, 3, 12, 9), dossier_extend, dossier=first, by=officer, reason=SCRIPT, new_due_at=at(2026, 3, 20, 10))
    step(at(2026, 3, 13, 9), dossier_withdraw, dossier=first, by=clerk, reason=SCRIPT)
    second = receive(clerk, when=at(2026, 3, 9, 11), applicant=applicant)
    step(at(2026, 3, 9, 11, 5), dossier_refuse, dossier=second, by=clerk, reason=SCRIPT)

    pages = {form: printed(desk, first, form) for form in ("01", "02", "04", "05", "06")}
    pages["03"] = printed(desk, second, "03")
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):
        for kind in ("incomplete", "refused"):
            guidance = guidance_record(
                procedure=Procedure.objects.get(code=SAME_DAY),
                kind=kind,
                given_by=clerk,
                applicant_name=SCRIPT,
                applicant_address=SCRIPT,
                missing=SCRIPT,
                reason=SCRIPT,
            )
            pages[kind] = print_guidance(clerk, guidance)
    for name, page in pages.items():
        # The only script is the toolbar's desk.js (a file: no inline script, no user input).
        assert "<script>" not in page.html and SCRIPT not in page.html, name
        assert page.html.count("<script") == 1 and '<script src="/static/js/desk.js" defer>' in page.html, name
        assert ESCAPED in page.html, name
    assert "<svg" in pages["01"].html  # the QR code is markup on purpose
    assert pages["01"].text("return-method") == f"Qua dịch vụ bưu chính đến địa chỉ: {SCRIPT}"


@pytest.mark.django_db
def test_staff_of_another_commune_get_404(client, catalog, clerk, other_commune):
    dossier = receive(clerk, when=at(2026, 3, 9, 10))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        guidance = guidance_record(
            procedure=Procedure.objects.get(code=SAME_DAY),
            kind="incomplete",
            given_by=clerk,
            applicant_name="Trần Thị Bình",
            missing="Tờ khai",
        )
    center = AgencyFactory(
        code="H99.02.01", name="Trung tâm Phục vụ HCC xã Hai", kind=AgencyKind.SERVICE_CENTER, parent=other_commune
    )
    outsider = UserFactory(username="clerk2", role="clerk", agency=center)
    outside = Desk(client, outsider)
    for form in ("01", "02", "03", "04", "05", "06"):
        url = reverse("dossiers:print", args=[dossier.code, form])
        assert outside.get(url, when=at(2026, 3, 9, 11)).status_code == 404, form
    from django.http import Http404

    with pytest.raises(Http404):
        print_guidance(outsider, guidance)
    assert not PersonalDataAccess.objects.filter(user=outsider).exists()


@pytest.mark.django_db
def test_print_needs_a_login(client, catalog, clerk):
    dossier = receive(clerk, when=at(2026, 3, 9, 10))
    response = client.get(reverse("dossiers:print", args=[dossier.code, "01"]))
    assert response.status_code == 302 and "login" in response["Location"]
