"""The citizen status page kept per state (issue 17): a committed change of anything the page shows
is on the very next request (no stale page), the kept page still carries the request's own CSRF token,
and the page costs one query when it is kept and a fixed few when it is not, at two data sizes."""

import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.public import status_pages
from dossiers.services import ApplicantData, dossier_assign, dossier_return
from tests.factories import approve_result

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.PUBLIC_LOOKUP_RATE = "100000/min"
    cache.clear()
    status_pages.clear()
    yield
    cache.clear()
    status_pages.clear()


def url(dossier):
    return f"/tra-cuu/{dossier.code}/?key={dossier.lookup_key}"


def page(client, dossier):
    response = client.get(url(dossier))
    assert response.status_code == 200
    return response.content.decode()


def history(html):
    return re.findall(
        r"<li><time[^>]*>[^<]*</time>([^<]*)</li>", re.search(r'data-testid="history">(.*?)</ol>', html, re.S).group(1)
    )


def status(html):
    return re.search(r'data-status="([a-z_]+)"', html).group(1)


@pytest.mark.django_db(transaction=True)
def test_each_committed_event_is_shown_on_the_next_request(client, receive, officer, clerk):
    """Transaction=True: each service really commits, as on the server; the page is read right after."""
    dossier = receive("1.001193")
    first = page(client, dossier)
    assert status(first) == "received"
    assert page(client, dossier) == first  # kept: nothing changed
    assert len(status_pages._pages) == 1

    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    second = page(client, dossier)
    assert status(second) == "in_progress"
    assert len(history(second)) == len(history(first)) + 1

    dossier = approve_result(dossier, officer=officer)
    dossier = dossier_return(dossier=dossier, by=clerk)
    returned = page(client, dossier)
    assert status(returned) == "returned"
    assert 'data-testid="evaluation-form"' in returned


@pytest.mark.django_db(transaction=True)
def test_changes_that_do_not_raise_the_version_are_shown_too(client, receive, officer, clerk):
    """A rating, a signed result and the agency's new address leave the dossier's version alone:
    they are in the page's key all the same."""
    from results.models import ResultDocument
    from surveys.services import evaluation_submit

    dossier = approve_result(receive("1.001193"), officer=officer)
    dossier = dossier_return(dossier=dossier, by=clerk)
    before = page(client, dossier)
    assert 'data-testid="electronic-result"' not in before
    version = dossier.version

    ResultDocument.objects.create(
        dossier=dossier, number="12/QĐ", version=1, kind="original", state="signed", file="results/x.pdf",
        sha256="0" * 64, size=1, agency=dossier.receiving_agency, agency_name="UBND", signer_name="Trần Văn Ký",
        signed_at=dossier.finished_at, token="tok-fresh-1", created_by=clerk,
    )  # fmt: skip
    signed = page(client, dossier)
    assert 'data-testid="electronic-result"' in signed and "Trần Văn Ký" in signed

    evaluation_submit(dossier=dossier, overall=5)
    rated = page(client, dossier)
    assert 'data-testid="already-rated"' in rated and 'data-testid="evaluation-form"' not in rated

    agency = dossier.receiving_agency
    agency.address = "Số 9 đường Mới, thôn Đông"
    agency.save()
    moved = page(client, dossier)
    assert "Số 9 đường Mới, thôn Đông" in moved

    dossier.refresh_from_db()
    assert dossier.version == version  # none of these raised the version


@pytest.mark.django_db
def test_the_kept_page_carries_each_clients_own_csrf_token(client, receive, officer, clerk):
    from django.test import Client

    dossier = dossier_return(dossier=approve_result(receive("1.001193"), officer=officer), by=clerk)
    tokens = []
    for browser in (client, Client()):
        html = page(browser, dossier)
        assert "__motcua_csrf_token__" not in html
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
    assert tokens[0] != tokens[1]
    # The rating posted with the token of the kept page is accepted (the CSRF check is on).
    strict = Client(enforce_csrf_checks=True)
    html = page(strict, dossier)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = strict.post(url(dossier), {"csrfmiddlewaretoken": token, "overall": "5"})
    assert response.status_code == 302, response.status_code


@pytest.mark.django_db
def test_status_page_queries_at_two_sizes(client, receive, officer, clerk):
    """Kept: one query (the row). Not kept: the row and the history, plus one for a signed result."""

    def make(n):
        made = []
        for _ in range(n):
            applicant = ApplicantData(full_name="Lê Thị Hoa", id_number=f"0010991{next(_ids):05d}", phone="0912345678")
            made.append(
                dossier_return(
                    dossier=approve_result(receive("1.001193", applicant=applicant), officer=officer), by=clerk
                )
            )
        return made

    def count(dossier):
        with CaptureQueriesContext(connection) as captured:
            page(client, dossier)
        return len(captured)

    made = make(3)
    status_pages.clear()
    cold_small, kept_small = count(made[0]), count(made[0])
    made += make(27)
    status_pages.clear()
    cold_large, kept_large = count(made[0]), count(made[0])
    assert (cold_small, kept_small) == (cold_large, kept_large), (cold_small, kept_small, cold_large, kept_large)
    assert kept_large == 1  # the row
    assert cold_large <= 3  # the row, the history (and the signed result, when there is one)
