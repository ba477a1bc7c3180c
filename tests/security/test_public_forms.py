"""Item 5: public forms resist abuse — rate limits per client (pages and API, one mechanism), no
oracle on dossier codes, repeated submissions kept once, surveys counted once per dossier or link."""

import re
from datetime import date

import pytest
from django.urls import reverse

from dossiers.codes import format_lookup_key
from dossiers.services import ApplicantData
from surveys.choices import CampaignAccess, QuestionKind
from surveys.models import Campaign, Feedback, Invitation, Question, Response
from surveys.services import invitations_issue

FEEDBACK = reverse("surveys:feedback_new")


@pytest.fixture
def dossier(receive):
    return receive("1.001193", applicant=ApplicantData(full_name="Lê Văn Bình", id_number="001099000111"))


def page_text(response) -> str:
    """The page without what differs on every request (CSRF token, CSP nonce)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


# ----- feedback: no oracle -----------------------------------------------------------------------


def test_feedback_answers_the_same_for_unknown_code_wrong_key_and_right_key(client, dossier, commune):
    form = {"content": "Cán bộ hướng dẫn chưa rõ", "commune": commune.pk}
    unknown = client.post(FEEDBACK, {**form, "dossier_code": "H99.01.01-990101-0001", "dossier_key": "AAAA-BBBB"})
    wrong = client.post(FEEDBACK, {**form, "dossier_code": dossier.code, "dossier_key": "AAAA-BBBB"})
    assert Feedback.objects.count() == 0  # no staff item for a guess
    right = client.post(
        FEEDBACK, {**form, "dossier_code": dossier.code.lower(), "dossier_key": format_lookup_key(dossier.lookup_key)}
    )
    assert unknown.status_code == wrong.status_code == right.status_code == 200
    assert page_text(unknown) == page_text(wrong) == page_text(right)
    item = Feedback.objects.get()
    assert (item.dossier, item.agency) == (dossier, dossier.receiving_agency)


def test_a_code_without_its_key_is_refused_alike_whether_it_exists_or_not(client, dossier):
    unknown = client.post(FEEDBACK, {"content": "Hỏi", "dossier_code": "H99.01.01-990101-0001"})
    known = client.post(FEEDBACK, {"content": "Hỏi", "dossier_code": dossier.code})
    assert unknown.status_code == known.status_code == 200
    assert page_text(unknown).replace("H99.01.01-990101-0001", dossier.code) == page_text(known)
    assert 'data-testid="feedback-form"' in known.content.decode()
    assert Feedback.objects.count() == 0


# ----- repeated submissions ----------------------------------------------------------------------


def test_the_same_feedback_from_the_same_client_is_kept_once(client, commune):
    form = {"content": "Đèn  hành lang hỏng", "commune": commune.pk}
    for _ in range(3):
        assert client.post(FEEDBACK, form, REMOTE_ADDR="198.51.100.7").status_code == 200
    client.post(FEEDBACK, {**form, "content": "đèn hành lang HỎNG"}, REMOTE_ADDR="198.51.100.7")
    assert Feedback.objects.count() == 1
    client.post(FEEDBACK, form, REMOTE_ADDR="198.51.100.8")  # another citizen, same words
    client.post(FEEDBACK, {**form, "content": "Ghế chờ không đủ"}, REMOTE_ADDR="198.51.100.7")
    assert Feedback.objects.count() == 3


def test_a_refused_submission_is_not_remembered_as_sent(client, commune, settings):
    form = {"content": "x" * 10, "commune": commune.pk}
    from surveys import services

    original, services.MAX_FEEDBACK = services.MAX_FEEDBACK, 5
    try:
        client.post(FEEDBACK, form)
    finally:
        services.MAX_FEEDBACK = original
    assert Feedback.objects.count() == 0
    client.post(FEEDBACK, form)
    assert Feedback.objects.count() == 1


@pytest.fixture
def campaign(commune):
    campaign = Campaign.objects.create(
        title="Khảo sát", slug="ks", agency=commune, opens_on=date(2020, 1, 1), closes_on=date(2099, 1, 1)
    )
    Question.objects.create(campaign=campaign, text="Mức độ", kind=QuestionKind.SCALE, required=True)
    return campaign


def answer(campaign):
    return {f"q{campaign.questions.get().pk}": "5"}


def test_the_same_survey_answers_from_the_same_client_count_once(client, campaign):
    url = reverse("surveys:survey", args=[campaign.slug])
    for _ in range(5):
        assert client.post(url, answer(campaign)).status_code == 200
    assert campaign.responses.count() == 1
    client.post(url, answer(campaign), REMOTE_ADDR="198.51.100.9")
    assert campaign.responses.count() == 2


# ----- rate limits: one mechanism for pages and API ----------------------------------------------


def test_feedback_form_rate_limited_per_client(client, commune, settings):
    settings.PUBLIC_FORM_RATE = "3/10m"
    for n in range(3):
        response = client.post(FEEDBACK, {"content": f"Ý kiến {n}", "commune": commune.pk})
        assert response.status_code == 200
    response = client.post(FEEDBACK, {"content": "Ý kiến 4", "commune": commune.pk})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert 'data-testid="form-throttled"' in response.content.decode()
    assert "<h1>Gửi quá nhiều lần</h1>" in response.content.decode()
    assert "Vui lòng chờ vài phút rồi thử lại" in response.content.decode()
    assert Feedback.objects.count() == 3
    # Reading the form is not a submission; another client is not held back.
    assert client.get(FEEDBACK).status_code == 200
    assert (
        client.post(FEEDBACK, {"content": "Ý kiến 5", "commune": commune.pk}, REMOTE_ADDR="10.1.1.1").status_code == 200
    )


def test_survey_answers_rate_limited_per_client(client, campaign, settings):
    settings.PUBLIC_FORM_RATE = "2/10m"
    url = reverse("surveys:survey", args=[campaign.slug])
    question = campaign.questions.get()
    statuses = [client.post(url, {f"q{question.pk}": str(n)}).status_code for n in (1, 2, 3, 4)]
    assert statuses == [200, 200, 429, 429]
    assert campaign.responses.count() == 2


def test_api_evaluation_and_lookup_are_limited_by_the_same_mechanism(client, settings, db):
    settings.PUBLIC_LOOKUP_RATE = "3/m"
    lookup = reverse("api:public-dossier", args=["H99-1"])
    evaluate = reverse("api:public-dossier-evaluation", args=["H99-1"])
    assert client.get(lookup, {"key": "x"}).status_code == 404
    assert client.post(evaluate + "?key=x", {"overall": 5}, content_type="application/json").status_code == 404
    assert client.get(lookup, {"key": "x"}).status_code == 404
    response = client.post(evaluate + "?key=x", {"overall": 5}, content_type="application/json")
    assert response.status_code == 429
    assert set(response.json()) == {"detail", "errors"} and response["Retry-After"]


def test_api_evaluation_writes_have_their_own_limit(client, settings, db):
    settings.PUBLIC_FORM_RATE = "2/10m"
    evaluate = reverse("api:public-dossier-evaluation", args=["H99-1"])
    statuses = [
        client.post(evaluate + "?key=x", {"overall": 5}, content_type="application/json").status_code for _ in range(3)
    ]
    assert statuses == [404, 404, 429]


# ----- surveys counted once per dossier or link --------------------------------------------------


def test_receipt_campaign_counts_each_dossier_once_without_linking_the_answer(client, campaign, dossier):
    campaign.access = CampaignAccess.RECEIPT
    campaign.save()
    url = reverse("surveys:survey", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert 'data-testid="survey-receipt"' in page
    missing = client.post(url, answer(campaign))
    assert missing.status_code == 200 and campaign.responses.count() == 0
    unknown = client.post(url, {**answer(campaign), "receipt_code": "H99-1", "receipt_key": "AAAA-BBBB"})
    wrong = client.post(url, {**answer(campaign), "receipt_code": dossier.code, "receipt_key": "AAAA-BBBB"})
    assert page_text(unknown).replace("H99-1", dossier.code) == page_text(wrong)
    assert campaign.responses.count() == 0
    good = {**answer(campaign), "receipt_code": dossier.code, "receipt_key": format_lookup_key(dossier.lookup_key)}
    assert 'data-testid="survey-form"' not in client.post(url, good).content.decode()
    again = client.post(url, good, REMOTE_ADDR="203.0.113.50")  # another device, the same receipt
    assert 'data-testid="survey-form"' in again.content.decode()
    assert campaign.responses.count() == 1
    response = Response.objects.get()
    assert len(response.ballot) == 64 and dossier.code not in response.ballot
    assert "dossier" not in {f.name for f in Response._meta.get_fields()}  # no link to the citizen


def test_one_time_links(client, campaign):
    campaign.access = CampaignAccess.INVITATION
    campaign.save()
    token, other = invitations_issue(campaign=campaign, count=2)
    assert Invitation.objects.filter(digest=token).count() == 0  # only digests are stored
    url = reverse("surveys:survey", args=[campaign.slug])
    assert 'data-testid="survey-link-invalid"' in client.get(url).content.decode()
    assert 'data-testid="survey-link-invalid"' in client.get(url, {"t": "forged"}).content.decode()
    assert 'data-testid="survey-form"' in client.get(url, {"t": token}).content.decode()
    client.post(url, {**answer(campaign), "token": token})
    assert campaign.responses.count() == 1
    assert Invitation.objects.filter(used_at__isnull=False).count() == 1
    assert 'data-testid="survey-link-invalid"' in client.get(url, {"t": token}).content.decode()
    client.post(url, {**answer(campaign), "token": token}, REMOTE_ADDR="203.0.113.51")
    assert campaign.responses.count() == 1
    client.post(url, {**answer(campaign), "token": other}, REMOTE_ADDR="203.0.113.51")
    assert campaign.responses.count() == 2


def test_open_campaign_refuses_a_ballot_less_receipt_campaign_in_the_service(campaign):
    from django.core.exceptions import ValidationError

    from surveys.services import response_submit

    campaign.access = CampaignAccess.RECEIPT
    campaign.save()
    with pytest.raises(ValidationError):
        response_submit(campaign=campaign, answers={campaign.questions.get().pk: 5})
