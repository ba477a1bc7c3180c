"""Digitisation figures (Decision 766, "digitisation") in the summary and on every page, and each
commune's Decision 766 score with its indicators, their points and the dossiers behind them."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers.services import Upload, dossier_attach
from reports.models import Figure, ManualIndicator
from reports.selectors import handling_counts, handling_counts_live, scoped_dossiers
from reports.summaries import figures_rebuild
from tests.factories import approve_result
from tests.results.conftest import make_credential, test_ca  # noqa: F401 - fixture

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = datetime(2027, 3, 15, 9, tzinfo=VN)
NOW = datetime(2027, 3, 19, 9, tzinfo=VN)
PERIOD = {"period": "range", "date_from": "2027-03-15", "date_to": "2027-03-18"}


def scan():
    return Upload(name="giay-to.pdf", file=BytesIO(PDF), content_type="application/pdf")


@pytest.fixture
def signing(settings, tmp_path, test_ca):  # noqa: F811
    from django.utils.functional import empty

    from results.models import private_storage

    settings.RESULTS_STORAGE_ROOT = tmp_path / "private"
    settings.RESULTS_TRUST_ROOTS = [str(test_ca / "root.pem")]
    settings.RESULTS_CRLS = [str(test_ca / "root.crl"), str(test_ca / "intermediate.crl")]
    settings.RESULTS_REVOCATION_FETCH = False
    settings.RESULTS_TSA_URL = ""
    settings.SITE_URL = "http://testserver"
    private_storage._wrapped = empty
    yield test_ca
    private_storage._wrapped = empty


@pytest.fixture
def digitised(receive, officer, clerk, commune, signing):
    """Four dossiers on 16/03: one with a scan at intake, one scanned two days later, one online, one
    on paper only. Two results: one signed by a leader with a certificate, one on paper."""
    from accounts.choices import Role
    from tests.factories import UserFactory

    with time_machine.travel(DAY, tick=False):
        scanned = receive("1.000689", id_number="001099000101", uploads=[scan()])
        later = receive("1.000689", id_number="001099000102")
        receive("1.000689", id_number="001099000103", channel="online")
        paper = receive("1.000689", id_number="001099000104")
    with time_machine.travel(datetime(2027, 3, 17, 10, tzinfo=VN), tick=False):
        dossier_attach(dossier=later, uploads=[scan(), scan()], by=clerk)
        dossier_attach(dossier=scanned, uploads=[scan()], by=clerk)  # a second scan changes nothing
        approve_result(paper, officer=officer)  # a leader without a certificate: a paper result
        signer = UserFactory(username="signer", role=Role.LEADER, agency=commune, job_title="Chủ tịch")
        make_credential(test_ca=signing, user=signer)
        from dossiers.services import dossier_approve, dossier_assign, dossier_submit

        d = dossier_assign(dossier=scanned, officer=officer, by=officer)
        d = dossier_submit(dossier=d, by=officer)
        dossier_approve(dossier=d, by=signer)


@pytest.mark.django_db
def test_digitised_and_electronic_shares_in_the_summary(digitised, commune):
    with time_machine.travel(NOW, tick=False):
        row = handling_counts({commune.pk}, date_from=date(2027, 3, 15), date_to=date(2027, 3, 18))[0]
        live = handling_counts_live(
            scoped_dossiers({commune.pk}), date_from=date(2027, 3, 15), date_to=date(2027, 3, 18)
        )[0]
        assert (row["received_digitised"], row["digitised_rate"]) == (3, 75.0)
        assert (row["results_issued"], row["results_signed"], row["electronic_result_rate"]) == (2, 1, 50.0)
        assert {k: row[k] for k in row} == {k: live[k] for k in row}
        before = sorted(Figure.objects.values_list("grain", "start", "received_digitised", "results_signed"))
        figures_rebuild()
        assert sorted(Figure.objects.values_list("grain", "start", "received_digitised", "results_signed")) == before
        assert handling_counts({commune.pk}, date_from=date(2027, 3, 15), date_to=date(2027, 3, 18))[0] == row


@pytest.mark.django_db
def test_shares_on_the_dashboard_report_api_and_board(client, digitised, leader, province):
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        client.force_login(leader)
        dashboard = client.get(reverse("reports:dashboard"), PERIOD)
        periodic = client.get(reverse("reports:periodic"), PERIOD)
        api = APIClient()
        api.force_authenticate(leader)
        body = api.get("/api/v1/reports/handling", {"from": "2027-03-15", "to": "2027-03-18"}).json()
        board = client.get(reverse("reports:board"), {"agency": province.code}).content.decode()
    assert dashboard.status_code == 200, dashboard
    html = dashboard.content.decode()
    assert 'data-testid="card-digitised"' in html and "75" in html and "50" in html
    assert dashboard.context["total"]["digitised_rate"] == 75.0
    assert 'data-testid="link-766"' in html
    assert periodic.context["total"]["electronic_result_rate"] == 50.0
    assert 'data-testid="total-digitised-rate">75' in periodic.content.decode().replace(".0", "").replace(",0", "")
    assert body["total"]["digitised_rate"] == 75.0 and body["rows"][0]["results_signed"] == 1
    assert "received_online" in body["rows"][0]  # existing fields kept
    assert 'data-testid="board-digitised">75' in board and 'data-testid="board-electronic">50' in board


@pytest.mark.django_db
def test_766_score_with_formulas_points_and_dossiers(client, digitised, leader, commune):
    ManualIndicator.objects.create(
        agency=commune, code="1.1", date_from=date(2027, 1, 1), date_to=date(2027, 12, 31), value=50
    )
    with time_machine.travel(NOW, tick=False):
        client.force_login(leader)
        page = client.get(reverse("reports:index766"), {**PERIOD, "agency": commune.code})
    assert page.status_code == 200
    chosen = page.context["chosen"]
    lines = {line["code"]: line for line in chosen["lines"]}
    # 2.1: both resolved early (same day as received... due 19/03) → 100% of 20 points.
    assert lines["2.1"]["value"] == 100.0 and lines["2.1"]["points"] == 20
    assert lines["3.1"]["value"] == 75.0 and lines["3.1"]["points"] == 8.25  # 11 × 75%
    assert lines["3.2"]["value"] == 50.0 and lines["3.2"]["points"] == 5.5
    assert lines["4.1"]["value"] == 25.0 and lines["4.1"]["points"] == 2.75  # 11 × 25%
    assert lines["1.1"]["manual"] and lines["1.1"]["points"] == 4.5  # 9 × 50%, entered by hand
    assert lines["1.2"]["value"] is None and lines["1.2"]["points"] == 0
    assert lines["5.1"]["value"] == 100.0 and lines["5.1"]["points"] == 18
    assert chosen["score"] == round(20 + 8.25 + 5.5 + 2.75 + 4.5 + 18, 1)
    assert chosen["max_score"] == 100
    html = page.content.decode()
    assert "entered by hand" in html or "nhập tay" in html
    with time_machine.travel(NOW, tick=False):
        behind = client.get(lines["3.1"]["url"])
    assert behind.status_code == 200
    assert (behind.context["counted"], behind.context["total"]) == (3, 4)


@pytest.mark.django_db
def test_766_groups_are_a_setting(client, digitised, leader, commune, settings):
    settings.REPORTS_766_GROUPS = {
        "publicity": 18,
        "progress": 20,
        "online": 12,
        "online_payment": 10,
        "digitisation": 22,
        "satisfaction": 18,
    }
    with time_machine.travel(NOW, tick=False):
        client.force_login(leader)
        chosen = client.get(reverse("reports:index766"), {**PERIOD, "agency": commune.code}).context["chosen"]
    lines = {line["code"]: line for line in chosen["lines"]}
    assert lines["4.1"]["max_points"] == 12 and lines["4.2"]["max_points"] == 10 and lines["4.2"]["manual"]
    assert chosen["max_score"] == 100


@pytest.mark.django_db
def test_766_page_is_scoped_like_the_reports(client, catalog, clerk, leader, other_commune):
    client.force_login(clerk)
    assert client.get(reverse("reports:index766")).status_code == 403
    client.force_login(leader)
    assert client.get(reverse("reports:index766"), {"agency": other_commune.code}).status_code == 403
    url = reverse("reports:index766_dossiers")
    params = {"indicator": "2.1", "from": "2026-03-01", "to": "2026-03-31", "agency": other_commune.code}
    assert client.get(url, params).status_code == 403
