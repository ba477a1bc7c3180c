import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
def test_citizen_searches_the_catalog_without_accents_and_opens_a_procedure(phone_page, live_server, catalog):
    page = phone_page
    page.goto(f"{live_server.url}/thu-tuc/")
    expect(page.get_by_role("heading", name="Thủ tục hành chính")).to_be_visible()

    # Typing without accents filters the list as you type (htmx), no button press needed.
    page.get_by_placeholder("Tên hoặc mã thủ tục").fill("dang ky khai tu")
    items = page.get_by_test_id("procedure-item")
    expect(items.first).to_contain_text("Đăng ký khai tử")
    expect(page.get_by_test_id("result-count")).to_contain_text("dang ky khai tu")
    expect(page.get_by_text("Đăng ký khai sinh", exact=True)).to_have_count(0)

    items.filter(has_text="1.000656").first.click()
    expect(page.get_by_role("heading", name="Đăng ký khai tử")).to_be_visible()
    expect(page.get_by_test_id("due-now")).to_contain_text("hẹn trả kết quả lúc")
    expect(page.get_by_test_id("procedure-qr").locator("svg")).to_be_visible()
    assert page.get_by_test_id("procedure-qr").get_attribute("data-url").endswith("/thu-tuc/1.000656/")
    expect(page.get_by_text("Giấy báo tử", exact=False).first).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_filter_by_field_on_a_desk_screen(desk_page, live_server, catalog):
    page = desk_page
    page.goto(f"{live_server.url}/thu-tuc/")
    page.locator("#id_field").select_option(label="Chứng thực")
    expect(page.get_by_test_id("result-count")).to_contain_text("10 thủ tục")
    expect(page.get_by_test_id("procedure-item").first).to_contain_text("Chứng thực")
