"""The leader's approval signs the result (issue: electronic results), through the service and the
API: the officer's draft travels with the submission; the signed PDF is listed in the dossier's API
detail and verifies; a leader without a certificate gives a paper result unless signing is required."""

import io

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from dossiers.models import Dossier
from dossiers.services import dossier_approve, dossier_assign, dossier_submit
from results.models import ResultDocument
from results.verification import verify_pdf


def _api(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


@pytest.mark.django_db
def test_submit_with_a_pdf_then_approve_signs_it_and_the_api_lists_it(client, dossier, officer, signing_leader):
    from results.pdf import html_to_pdf

    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    draft = html_to_pdf("<h1>GIẤY KHAI SINH</h1><p>Bản điện tử</p>", base_url="")
    answer = client.post(
        f"/api/v1/dossiers/{dossier.code}/submit/",
        {"result": io.BytesIO(draft), "note": "Trình ký"},
        format="multipart",
        **_api(client, officer),
    )
    assert answer.status_code == 200, answer.content
    approved = client.post(
        f"/api/v1/dossiers/{dossier.code}/approve/", {}, content_type="application/json", **_api(client, signing_leader)
    )
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "result_ready"
    [result] = body["results"]
    assert {"number", "url", "sha256", "signer", "signed_at"} <= set(result)
    assert result["signed_at"].endswith("+07:00")
    signed = ResultDocument.objects.get(sha256=result["sha256"])
    with signed.file.open("rb") as fh:
        assert verify_pdf(fh.read()).ok
    download = client.get(result["url"], **_api(client, officer))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_without_a_draft_the_leader_signs_the_generic_notice(dossier, officer, signing_leader):
    dossier = dossier_submit(dossier=dossier_assign(dossier=dossier, officer=officer, by=officer), by=officer)
    dossier = dossier_approve(dossier=dossier, by=signing_leader)
    assert ResultDocument.objects.filter(dossier=dossier, state="signed").count() == 1
    assert dossier.events.order_by("-pk").first().data["sha256"]


@pytest.mark.django_db
def test_no_certificate_gives_a_paper_result_unless_signing_is_required(dossier, officer, leader, settings):
    dossier = dossier_submit(dossier=dossier_assign(dossier=dossier, officer=officer, by=officer), by=officer)
    settings.RESULTS_SIGNING_REQUIRED = True
    with pytest.raises(ValidationError):
        dossier_approve(dossier=dossier, by=leader)
    assert Dossier.objects.get(pk=dossier.pk).status == "in_progress"
    settings.RESULTS_SIGNING_REQUIRED = False
    assert dossier_approve(dossier=dossier, by=leader).status == "result_ready"
    assert not ResultDocument.objects.filter(dossier=dossier).exists()
