"""The citizens' side in a real browser: the receipt's QR link on a phone, and the desk kiosk."""

import os

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from dossiers.services import ApplicantData, dossier_assign, dossier_return
from surveys.models import Evaluation
from tests.browser.conftest import login
from tests.factories import PASSWORD, approve_result

APPLICANT = ApplicantData(full_name="Trần Thị Bích Ngọc", id_number="001199004321", phone="0987654321")


def _shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


@pytest.fixture
def citizen_side(settings):
    cache.clear()


@pytest.fixture
def returned(receive, clerk, officer):
    dossier = receive("1.000656", applicant=APPLICANT)
    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    dossier = approve_result(dossier, officer=officer)
    return dossier_return(dossier=dossier, by=clerk)


@pytest.mark.django_db(transaction=True)
def test_citizen_opens_qr_link_on_a_phone_and_rates(phone_page, live_server, citizen_side, returned):
    page = phone_page
    page.goto(f"{live_server.url}/tra-cuu/{returned.code}/?key={returned.lookup_key}")

    expect(page.get_by_test_id("public-status")).to_have_text("Đã trả kết quả")
    expect(page.get_by_test_id("masked-name")).to_have_text("T*** T** B*** N***")
    assert APPLICANT.full_name not in page.content()
    # Fits a 390 px screen: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "phone-status.png")

    page.get_by_test_id("rating-5").click()
    page.get_by_test_id("criteria-toggle").click()
    page.get_by_test_id("attitude-courteous").click()
    page.locator("textarea[name=comment]").fill("Cán bộ hướng dẫn tận tình")
    page.get_by_test_id("evaluation-submit").click()

    expect(page.get_by_test_id("thanks")).to_be_visible()
    _shot(page, "phone-thanks.png")
    evaluation = Evaluation.objects.get(dossier=returned)
    assert (evaluation.overall, evaluation.criteria, evaluation.comment) == (
        5,
        {"attitude": "courteous"},
        "Cán bộ hướng dẫn tận tình",
    )


@pytest.mark.django_db(transaction=True)
def test_kiosk_scans_a_receipt_and_rates(page, live_server, citizen_side, returned):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.set_default_timeout(10_000)
    login(page, live_server, "clerk1", PASSWORD)
    page.goto(f"{live_server.url}/kiosk/")
    _shot(page, "kiosk-home.png")
    # A scanner types the QR code's URL into the focused field and presses Enter.
    page.keyboard.type(f"{live_server.url}/tra-cuu/{returned.code}/?key={returned.lookup_key}\n")
    expect(page.get_by_test_id("kiosk-status")).to_have_attribute("data-status", "returned")
    _shot(page, "kiosk-status.png")
    page.get_by_test_id("kiosk-rate-link").click()
    _shot(page, "kiosk-rate.png")
    page.get_by_test_id("rating-2").click()
    page.get_by_test_id("evaluation-submit").click()
    expect(page.get_by_test_id("kiosk-thanks")).to_be_visible()
    assert Evaluation.objects.get(dossier=returned).overall == 2
