"""Rating a dossier: once, only after return, anonymous; a dissatisfied rating opens a feedback."""

import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from surveys.choices import EvaluationChannel, FeedbackSource
from surveys.models import Evaluation, Feedback
from surveys.services import EvaluationNotAllowed, evaluation_submit


def eval_url(dossier, key=None):
    return f"/api/v1/public/dossiers/{dossier.code}/evaluation?key={key or dossier.lookup_key}"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_api_rating_once_after_return(client, returned):
    body = {"overall": 5, "criteria": {"time": "on_time", "attitude": "courteous"}, "comment": "Nhanh gọn"}
    first = post(client, eval_url(returned), body)
    assert first.status_code == 201, first.content
    assert first.json()["overall"] == 5
    evaluation = Evaluation.objects.get(dossier=returned)
    assert evaluation.criteria == {"time": "on_time", "attitude": "courteous"}
    assert evaluation.channel == EvaluationChannel.API
    second = post(client, eval_url(returned), body)
    assert second.status_code == 409
    assert set(second.json()) == {"detail", "errors"}
    assert Evaluation.objects.count() == 1
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_api_rating_before_return_is_409(client, open_dossier):
    response = post(client, eval_url(open_dossier), {"overall": 4})
    assert response.status_code == 409
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"overall": "tốt"}, "overall"),
        ({}, "overall"),
        ({"overall": 4, "criteria": {"speed": "fast"}}, "criteria"),
        ({"overall": 4, "criteria": {"time": "yesterday"}}, "criteria"),
        ({"overall": 4, "criteria": ["time"]}, "criteria"),
    ],
)
def test_api_rating_bad_input_is_400(client, returned, body, field):
    response = post(client, eval_url(returned), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_api_rating_wrong_key_is_404(client, returned):
    assert post(client, eval_url(returned, "AAAABBBBCCCCDD"), {"overall": 5}).status_code == 404


@pytest.mark.django_db
def test_database_allows_one_evaluation_per_dossier(returned):
    evaluation_submit(dossier=returned, overall=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(dossier=returned, agency=returned.receiving_agency, overall=3, channel="qr")
    with pytest.raises(EvaluationNotAllowed):
        evaluation_submit(dossier=returned, overall=3)


@pytest.mark.django_db
def test_evaluation_stores_no_user_or_ip():
    names = {f.name for f in Evaluation._meta.get_fields()}
    assert not names & {"user", "ip", "ip_address", "created_by", "remote_addr"}


@pytest.mark.django_db(transaction=False)
def test_dissatisfied_rating_creates_feedback_for_the_director(returned, leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation = evaluation_submit(dossier=returned, overall=2, comment="Phải đi lại ba lần")
    feedback = Feedback.objects.get()
    assert feedback.evaluation == evaluation
    assert feedback.source == FeedbackSource.EVALUATION
    assert feedback.dossier == returned
    assert feedback.agency == returned.receiving_agency
    assert "Phải đi lại ba lần" in feedback.content
    assert feedback.name == "" and feedback.contact == ""
    assert leader.notifications.filter(url=reverse("surveys:feedback_detail", args=[feedback.pk])).exists()


@pytest.mark.django_db
def test_satisfied_rating_creates_no_feedback(returned):
    evaluation_submit(dossier=returned, overall=3)
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_status_page_rating_form(client, returned):
    url = reverse("public_lookup", args=[returned.code]) + f"?key={returned.lookup_key}"
    response = client.post(url, {"overall": "1", "c_time": "late", "c_visits": "3_plus", "comment": "Chậm"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="thanks"' in page
    assert 'data-testid="evaluation-form"' not in page
    evaluation = Evaluation.objects.get(dossier=returned)
    assert (evaluation.overall, evaluation.criteria) == (1, {"time": "late", "visits": "3_plus"})
    assert evaluation.channel == EvaluationChannel.QR
    assert Feedback.objects.filter(evaluation=evaluation).exists()
    again = client.post(url, {"overall": "5"})
    assert again.status_code == 400
    assert Evaluation.objects.count() == 1


@pytest.mark.django_db
def test_status_page_of_open_dossier_has_no_rating_form(client, open_dossier):
    url = reverse("public_lookup", args=[open_dossier.code]) + f"?key={open_dossier.lookup_key}"
    assert 'data-testid="evaluation-form"' not in client.get(url).content.decode()
    assert client.post(url, {"overall": "5"}).status_code == 400
    assert not Evaluation.objects.exists()
