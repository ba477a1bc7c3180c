"""The desk's main journey in a real browser: receive, print the receipt, the officer submits, the
leader approves from the home page's "awaiting approval", the clerk returns."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_clerk_receives_officer_submits_leader_approves_clerk_returns(
    desk_page, live_server, catalog, clerk, officer, leader
):
    page = desk_page

    # The clerk registers a death registration (khai tử) in under a minute.
    login(page, live_server, "clerk1", PASSWORD)
    page.get_by_role("link", name="Tiếp nhận hồ sơ").first.click()
    page.get_by_placeholder("Tên hoặc mã thủ tục").fill("khai tu")
    page.get_by_test_id("procedure-choice").filter(has_text="1.000656").first.click()
    expect(page.get_by_test_id("chosen-procedure")).to_contain_text("Đăng ký khai tử")
    page.get_by_label("Số định danh cá nhân").fill("001099012345")
    page.get_by_label("Họ và tên").fill("Phạm Thị Hoa")
    page.get_by_label("Điện thoại").fill("0912 345 678")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()

    code_text = page.get_by_test_id("dossier-code")
    expect(code_text).to_have_text(re.compile(r"^H99\.01\.01-\d{6}-0001$"))
    code = code_text.inner_text()
    expect(page.get_by_test_id("dossier-status")).to_have_text("Đã tiếp nhận")
    due = page.get_by_test_id("due-at").inner_text()

    # The receipt (Mẫu 01) opens in a new tab with the code, the due time and the QR code.
    with page.expect_popup() as popup_info:
        page.get_by_test_id("print-receipt").click()
    receipt = popup_info.value
    expect(receipt.get_by_test_id("dossier-code")).to_contain_text(code)
    expect(receipt.get_by_test_id("due-at")).to_be_visible()
    assert due.split()[1] in receipt.get_by_test_id("due-at").inner_text()
    expect(receipt.locator("svg").first).to_be_visible()
    expect(receipt.get_by_text("/tra-cuu/" + code, exact=False).first).to_be_visible()
    receipt.close()

    # The clerk's home shows it to transfer; the panel's link leads to the list.
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("home-count-to_transfer")).to_have_text("1")
    page.get_by_test_id("home-panel-to_transfer").get_by_role("link", name="Chờ chuyển").click()
    expect(page.get_by_test_id("tab-to_transfer")).to_have_class("nav-link active")
    expect(page.get_by_role("link", name=code)).to_be_visible()

    # The officer takes it from the queue, appraises it and submits it; approving is not offered.
    page.context.clear_cookies()
    login(page, live_server, "officer1", PASSWORD)
    expect(page.get_by_test_id("home-count-queue")).to_have_text("1")
    page.get_by_role("link", name="Hồ sơ", exact=True).first.click()
    page.get_by_role("link", name=code).click()
    page.get_by_role("button", name="Nhận xử lý").click()
    expect(page.get_by_test_id("dossier-status")).to_have_text("Đang giải quyết")
    expect(page.get_by_test_id("approve")).to_have_count(0)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submit")).to_have_count(0)

    # The leader's home shows it awaiting approval; its link leads to the list, then the dossier.
    page.context.clear_cookies()
    login(page, live_server, "leader1", PASSWORD)
    expect(page.get_by_test_id("home-count-approval")).to_have_text("1")
    page.get_by_test_id("home-panel-approval").get_by_role("link", name="Chờ phê duyệt").click()
    expect(page.get_by_test_id("tab-approval")).to_have_class("nav-link active")
    page.get_by_role("link", name=code).first.click()
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("dossier-status")).to_have_text("Đã có kết quả, chờ trả")

    # The clerk finds it under "to return" and hands the result over.
    page.context.clear_cookies()
    login(page, live_server, "clerk1", PASSWORD)
    page.get_by_role("link", name="Hồ sơ", exact=True).first.click()
    page.get_by_test_id("tab-to_return").click()
    page.get_by_role("link", name=code).click()
    page.get_by_role("button", name="Trả kết quả").click()
    expect(page.get_by_test_id("dossier-status")).to_have_text("Đã trả kết quả")
    history = page.get_by_test_id("history")
    for label in (
        "Đã tiếp nhận",
        "Phân công công chức xử lý",
        "Trình lãnh đạo phê duyệt",
        "Phê duyệt kết quả",
        "Trả kết quả",
    ):
        expect(history).to_contain_text(label)
