import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_clerk_logs_in_sees_role_and_calendar(desk_page, live_server, clerk):
    page = desk_page
    login(page, live_server, "clerk1", "wrong")
    expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu")).to_be_visible()
    login(page, live_server, "clerk1", PASSWORD)
    expect(page.get_by_test_id("user-role")).to_have_text("Cán bộ một cửa")
    expect(page.get_by_text("Trung tâm Phục vụ HCC xã Một").first).to_be_visible()
    page.get_by_role("link", name="Lịch làm việc").first.click()
    page.get_by_label("Năm").fill("2026")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator('td[data-date="2026-02-17"]')).to_have_class("holiday")
    expect(page.locator('td[data-date="2026-08-22"]')).to_have_class("makeup")
