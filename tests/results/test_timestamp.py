"""A trusted timestamp from the stand-in RFC 3161 authority, over real HTTP."""

import socket
import urllib.request

import pytest
from django.core.exceptions import ValidationError

from results.services import result_attach_draft, result_sign
from results.testca import DEFAULT_PASSWORD
from results.tsa import RunningTSA
from results.verification import verify_pdf
from tests.results.conftest import read


@pytest.fixture
def tsa_url(test_ca, settings):
    with RunningTSA(test_ca, DEFAULT_PASSWORD) as url:
        settings.RESULTS_TSA_URL = url
        yield url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_the_result_carries_a_timestamp_from_the_stand_in_tsa(tsa_url, dossier, officer, signing_leader):
    result_attach_draft(dossier=dossier, by=officer)
    doc = result_sign(dossier=dossier, by=signing_leader)
    assert doc.timestamped
    report = verify_pdf(read(doc))
    assert report.ok, report.all_problems
    [sig] = report.signatures
    assert sig.timestamp_at is not None
    assert abs((sig.timestamp_at - doc.signed_at).total_seconds()) < 60


@pytest.mark.django_db
def test_a_tsa_that_does_not_answer(settings, dossier, officer, signing_leader):
    settings.RESULTS_TSA_URL = f"http://127.0.0.1:{_free_port()}/"
    settings.RESULTS_TSA_TIMEOUT = 2
    result_attach_draft(dossier=dossier, by=officer)
    # Required: the signature (and so the approval) fails, nothing is written
    settings.RESULTS_TSA_REQUIRED = True
    with pytest.raises(ValidationError, match="Máy chủ cấp dấu thời gian không trả lời"):
        result_sign(dossier=dossier, by=signing_leader)
    # Not required: signed without the timestamp, and said so
    settings.RESULTS_TSA_REQUIRED = False
    doc = result_sign(dossier=dossier, by=signing_leader)
    assert not doc.timestamped and verify_pdf(read(doc)).ok


def test_the_stand_in_serves_the_crls_and_refuses_garbage(test_ca):
    with RunningTSA(test_ca, DEFAULT_PASSWORD) as url:
        crl = urllib.request.urlopen(url + "crl/intermediate.crl", timeout=5).read()
        assert crl == (test_ca / "intermediate.crl").read_bytes()
        request = urllib.request.Request(
            url, data=b"not a request", headers={"Content-Type": "application/timestamp-query"}
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=5)
        assert err.value.code == 400
