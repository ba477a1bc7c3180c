"""The electronic result in a real browser (issue 14): a leader with a signing certificate from the
test CA approves; the citizen's status page (the receipt's QR link with the key) offers the signed
PDF, which downloads; the QR check says genuine; a copy with one byte changed is refused."""

import hashlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils.functional import empty
from playwright.sync_api import expect

from dossiers.models import PersonalDataAccess
from dossiers.services import ApplicantData, dossier_assign, dossier_submit
from results.models import ResultDocument, private_storage
from results.testca import make_test_ca
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.results.conftest import make_credential

APPLICANT = ApplicantData(full_name="Đinh Thị Phương Thảo", id_number="001190007788", phone="0977123456")


@pytest.fixture(scope="session")
def browser_ca(tmp_path_factory):
    """The project's test CA (NOT FOR PRODUCTION), once per session."""
    out = tmp_path_factory.mktemp("browser-test-ca")
    make_test_ca(out)
    return out


@pytest.fixture
def electronic(settings, tmp_path, browser_ca, live_server):
    settings.RESULTS_STORAGE_ROOT = tmp_path / "private"
    settings.RESULTS_TRUST_ROOTS = [str(browser_ca / "root.pem")]
    settings.RESULTS_CRLS = [str(browser_ca / "root.crl"), str(browser_ca / "intermediate.crl")]
    settings.RESULTS_REVOCATION_FETCH = False
    settings.RESULTS_TSA_URL = ""
    settings.SITE_URL = live_server.url  # the QR on the signed result opens this server's check
    private_storage._wrapped = empty
    cache.clear()
    yield browser_ca
    private_storage._wrapped = empty


@pytest.fixture
def submitted(receive, officer):
    dossier = receive("1.000656", applicant=APPLICANT)
    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    return dossier_submit(dossier=dossier, by=officer)


@pytest.mark.django_db(transaction=True)
def test_leader_signs_citizen_downloads_the_qr_check_says_genuine_an_altered_copy_is_refused(
    desk_page, live_server, electronic, submitted, leader, tmp_path
):
    page = desk_page
    leader.job_title = "Chủ tịch UBND xã"
    leader.save(update_fields=["job_title"])
    make_credential(test_ca=electronic, user=leader)  # the password kept encrypted: no PIN asked

    # The leader approves in the desk's UI: the result is signed then and there.
    login(page, live_server, "leader1", PASSWORD)
    page.goto(f"{live_server.url}/ho-so/{submitted.code}/")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("dossier-status")).to_have_text("Đã có kết quả, chờ trả")
    signed = ResultDocument.objects.get(dossier=submitted, state="signed")

    # The citizen opens the receipt's QR link: the page offers the signed PDF.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/tra-cuu/{submitted.code}/?key={submitted.lookup_key}")
    card = page.get_by_test_id("electronic-result")
    expect(card).to_be_visible()
    with page.expect_download() as download_info:
        card.get_by_test_id("result-download-submit").click()
    download = download_info.value
    assert download.suggested_filename == f"ket-qua-{submitted.code}-v1.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == signed.sha256
    assert PersonalDataAccess.objects.filter(dossier=submitted, what="result-download", user=None).count() == 1

    # The QR check of the result says genuine.
    card.get_by_test_id("result-verify").click()
    expect(page.get_by_test_id("verify-document")).to_have_attribute("data-valid", "true")
    expect(page.get_by_test_id("verify-status")).to_contain_text("Văn bản gốc")
    expect(page.get_by_test_id("verify-sha256")).to_have_text(signed.sha256)

    # A copy with one byte changed is refused, in Vietnamese.
    altered = bytearray(data)
    middle = len(altered) // 2
    altered[middle] = (altered[middle] + 1) % 256
    copy = tmp_path / "ban-sao.pdf"
    copy.write_bytes(bytes(altered))
    page.get_by_test_id("verify-upload").locator("input[type=file]").set_input_files(str(copy))
    page.get_by_role("button", name="Kiểm tra tệp này").click()
    verdict = page.get_by_test_id("verify-verdict")
    expect(verdict).to_have_attribute("data-genuine", "false")
    expect(verdict).to_contain_text("Tệp này KHÔNG phải văn bản gốc")

    # The very file downloaded, uploaded back, is the genuine one.
    page.get_by_test_id("verify-upload").locator("input[type=file]").set_input_files(download.path())
    page.get_by_role("button", name="Kiểm tra tệp này").click()
    expect(page.get_by_test_id("verify-verdict")).to_have_attribute("data-genuine", "true")
