"""Survey campaigns: answering without an account, exact results, Excel export, who sees results."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import Campaign, Question, Response
from surveys.selectors import campaign_results, percent
from surveys.services import response_submit
from tests.factories import UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def campaign(commune):
    campaign = Campaign.objects.create(
        title="Khảo sát mức độ hài lòng 2026",
        slug="hai-long-2026",
        agency=commune,
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
    )
    q1 = Question.objects.create(
        campaign=campaign, order=1, text="Kênh nộp hồ sơ", kind="single", options="Trực tiếp\nBưu chính\nTrực tuyến"
    )
    q2 = Question.objects.create(
        campaign=campaign, order=2, text="Cần cải thiện", kind="multiple", options="Thời gian\nThái độ\nCơ sở vật chất"
    )
    q3 = Question.objects.create(campaign=campaign, order=3, text="Chấm điểm chung", kind="scale", required=True)
    q4 = Question.objects.create(campaign=campaign, order=4, text="Góp ý khác", kind="text")
    campaign.q = (q1, q2, q3, q4)
    return campaign


@pytest.fixture
def answered(campaign):
    q1, q2, q3, q4 = campaign.q
    rows = [
        {q1.pk: "Trực tiếp", q2.pk: ["Thời gian", "Thái độ"], q3.pk: "5", q4.pk: "Tốt"},
        {q1.pk: "Trực tiếp", q2.pk: ["Thời gian"], q3.pk: "4"},
        {q1.pk: "Bưu chính", q2.pk: ["Cơ sở vật chất"], q3.pk: "4"},
        {q3.pk: "2"},  # answered only the required question
        {q1.pk: "Trực tuyến", q3.pk: "1"},
        {q1.pk: "Trực tiếp", q2.pk: [], q3.pk: "3", q4.pk: "  "},
    ]
    with time_machine.travel(datetime(2026, 3, 9, 10, 0, tzinfo=VN), tick=False):
        for row in rows:
            response_submit(campaign=campaign, answers=row)
    return campaign


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3 (half up, not banker's)
    assert percent(0, 0) == Decimal("0.0")


@pytest.mark.django_db
def test_results_arithmetic(answered):
    with time_machine.travel(datetime(2026, 3, 9, 11, 0, tzinfo=VN), tick=False):
        results = campaign_results(answered)
    assert results.responses == 6
    single, multiple, scale, text = results.questions
    # Percent of the respondents who answered that question: 5 answered q1.
    assert single.respondents == 5
    assert [(o.label, o.count, o.percent) for o in single.options] == [
        ("Trực tiếp", 3, Decimal("60.0")),
        ("Bưu chính", 1, Decimal("20.0")),
        ("Trực tuyến", 1, Decimal("20.0")),
    ]
    # Multiple choice: 3 answered (an empty choice is no answer); percents may add up over 100.
    assert multiple.respondents == 3
    assert [(o.label, o.count, o.percent) for o in multiple.options] == [
        ("Thời gian", 2, Decimal("66.7")),
        ("Thái độ", 1, Decimal("33.3")),
        ("Cơ sở vật chất", 1, Decimal("33.3")),
    ]
    # Scale: 5, 4, 4, 2, 1, 3 → 19 / 6 = 3.1666… → 3.17
    assert scale.respondents == 6
    assert scale.average == Decimal("3.17")
    assert [(o.label, o.count, o.percent) for o in scale.options] == [
        ("1", 1, Decimal("16.7")),
        ("2", 1, Decimal("16.7")),
        ("3", 1, Decimal("16.7")),
        ("4", 2, Decimal("33.3")),
        ("5", 1, Decimal("16.7")),
    ]
    assert (text.respondents, text.texts) == (1, ["Tốt"])


@pytest.mark.django_db
def test_response_validation(campaign):
    q1, q2, q3, q4 = campaign.q
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=VN), tick=False):
        with pytest.raises(ValidationError) as exc:
            response_submit(campaign=campaign, answers={q1.pk: "Không có"})
        assert set(exc.value.message_dict) == {f"q{q1.pk}", f"q{q3.pk}"}
        with pytest.raises(ValidationError):
            response_submit(campaign=campaign, answers={q3.pk: "6"})
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_results_page_and_bar_widths(client, answered, leader):
    client.force_login(leader)
    response = client.get(reverse("surveys:survey_results", args=[answered.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="response-count" data-value="6"' in html
    assert 'data-label="Trực tiếp" data-count="3" data-percent="60.0"' in html
    assert 'style="width:66.7%"' in html
    assert 'data-value="3.17"' in html
    assert "<svg" in html  # QR code of the public link
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db
def test_excel_export_has_every_response(client, answered, leader):
    q1, q2, q3, q4 = answered.q
    client.force_login(leader)
    response = client.get(reverse("surveys:survey_export", args=[answered.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2:] == (q1.text, q2.text, q3.text, q4.text)
    assert len(rows) == 7
    assert rows[1][0] == 1
    assert rows[1][1] == datetime(2026, 3, 9, 10, 0)
    assert rows[1][2:] == ("Trực tiếp", "Thời gian; Thái độ", 5, "Tốt")
    assert rows[4][2:] == (None, None, 2, None)
    assert rows[5][2:] == ("Trực tuyến", None, 1, None)


@pytest.mark.django_db
def test_results_visible_to_leaders_of_the_campaign_tree_only(
    client, campaign, leader, clerk, center, other_commune, province
):
    url = reverse("surveys:survey_results", args=[campaign.slug])
    allowed = [
        leader,
        UserFactory(username="pleader", role="leader", agency=province),
        UserFactory(username="cadmin", role="admin", agency=center),
    ]
    for user in allowed:
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    denied = [clerk, UserFactory(username="oleader", role="leader", agency=other_commune)]
    for user in denied:
        client.force_login(user)
        assert client.get(url).status_code == 403, user
        assert client.get(reverse("surveys:survey_export", args=[campaign.slug])).status_code == 403


@pytest.mark.django_db
def test_citizen_answers_without_account(client, campaign):
    q1, q2, q3, q4 = campaign.q
    url = reverse("surveys:survey", args=[campaign.slug])
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=VN), tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert 'data-testid="survey-form"' in page.content.decode()
        missing = client.post(url, {f"q{q1.pk}": "Trực tiếp"})
        assert 'data-testid="survey-thanks"' not in missing.content.decode()
        done = client.post(url, {f"q{q1.pk}": "Bưu chính", f"q{q2.pk}": ["Thái độ", "Thời gian"], f"q{q3.pk}": "4"})
        assert 'data-testid="survey-thanks"' in done.content.decode()
        bot = client.post(url, {f"q{q3.pk}": "5", "website": "x"})
        assert 'data-testid="survey-thanks"' in bot.content.decode()
    response = Response.objects.get()
    values = {a.question_id: a.value for a in response.answers.all()}
    assert values == {q1.pk: "Bưu chính", q2.pk: ["Thời gian", "Thái độ"], q3.pk: 4}


@pytest.mark.django_db
def test_closed_campaign_takes_no_answers(client, campaign):
    q3 = campaign.q[2]
    url = reverse("surveys:survey", args=[campaign.slug])
    with time_machine.travel(datetime(2027, 1, 1, 9, tzinfo=VN), tick=False):
        response = client.post(url, {f"q{q3.pk}": "5"})
    assert 'data-testid="survey-closed"' in response.content.decode()
    assert not Response.objects.exists()
    assert client.get(reverse("surveys:survey", args=["khong-co"])).status_code == 404


def test_campaign_slug_keeps_vietnamese_letters(db):
    from surveys.admin import unique_slug

    assert unique_slug("Khảo sát mức độ hài lòng quý IV năm 2026") == "khao-sat-muc-do-hai-long-quy-iv-nam-2026"
