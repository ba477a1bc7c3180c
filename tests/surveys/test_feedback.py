"""Feedback (phản ánh, kiến nghị): public form, deadlines in working days, the staff queue and its
steps classify → answer → publish."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from surveys.choices import FeedbackStatus
from surveys.models import Feedback
from surveys.services import FeedbackStepNotAllowed, feedback_answer, feedback_classify, feedback_submit
from tests.factories import UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.mark.django_db
def test_public_form_with_dossier_code_goes_to_its_receiving_agency(client, open_dossier):
    response = client.post(
        reverse("surveys:feedback_new"),
        {
            "content": "Thái độ chưa tốt",
            "dossier_code": open_dossier.code.lower(),
            "dossier_key": open_dossier.lookup_key,
            "name": "",
            "contact": "",
        },
    )
    assert response.status_code == 200
    assert 'data-testid="feedback-thanks"' in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.agency, feedback.dossier) == (open_dossier.receiving_agency, open_dossier)


@pytest.mark.django_db
def test_public_form_without_dossier_needs_a_commune(client, commune):
    url = reverse("surveys:feedback_new")
    response = client.post(url, {"content": "Đường vào bộ phận một cửa khó tìm"})
    assert response.status_code == 200
    assert not Feedback.objects.exists()
    response = client.post(
        url, {"content": "Đường vào bộ phận một cửa khó tìm", "commune": commune.pk, "name": "Lê B", "contact": "0901"}
    )
    feedback = Feedback.objects.get()
    assert (feedback.agency, feedback.dossier, feedback.name, feedback.contact) == (commune, None, "Lê B", "0901")


@pytest.mark.django_db
def test_an_unknown_dossier_code_creates_no_item_and_tells_nothing(client, commune, open_dossier):
    """A guessed code (or a right code with a wrong key) creates no staff item, and the answer is
    the same page a real submission gets: the form is no oracle of which codes exist."""
    url = reverse("surveys:feedback_new")
    unknown = client.post(
        url, {"content": "Hỏi về hồ sơ", "dossier_code": "X-1", "dossier_key": "abc", "commune": commune.pk}
    )
    wrong_key = client.post(
        url, {"content": "Hỏi lại", "dossier_code": open_dossier.code, "dossier_key": "abc", "commune": commune.pk}
    )
    assert not Feedback.objects.exists()
    assert unknown.status_code == wrong_key.status_code == 200


@pytest.mark.django_db
def test_honeypot_stores_nothing(client, commune):
    response = client.post(
        reverse("surveys:feedback_new"), {"content": "spam", "commune": commune.pk, "website": "http://spam"}
    )
    assert 'data-testid="feedback-thanks"' in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_deadlines_in_working_days_across_weekend_and_holidays(center, clerk, client):
    # Friday 24/4/2026; 25-26 weekend, 27/4 Hùng Kings (observed), 30/4 and 1/5 holidays.
    with time_machine.travel(at(2026, 4, 24, 10), tick=False):
        feedback = feedback_submit(agency=center, content="Chờ lâu")
    assert feedback.received_at == at(2026, 4, 24, 10)
    assert feedback.classify_due_at == at(2026, 4, 29, 10)  # Tue 28, Wed 29
    assert feedback.answer_due_at == at(2026, 5, 20, 10)  # 28-29/4, 4-8/5, 11-15/5, 18-20/5

    queue = reverse("surveys:feedback_queue")
    with time_machine.travel(at(2026, 4, 29, 9, 59), tick=False):
        client.force_login(clerk)
        html = client.get(queue).content.decode()
        assert f'data-pk="{feedback.pk}" data-overdue="0"' in html
    with time_machine.travel(at(2026, 4, 29, 10, 1), tick=False):
        html = client.get(queue).content.decode()
        assert f'data-pk="{feedback.pk}" data-overdue="1"' in html
        assert 'class="overdue"' in html
        assert feedback.pk in [f.pk for f in _overdue(clerk)]
        feedback_classify(feedback=feedback, by=clerk, category="handling")
        html = client.get(queue).content.decode()
        assert f'data-pk="{feedback.pk}" data-overdue="0"' in html
    with time_machine.travel(at(2026, 5, 20, 10, 1), tick=False):
        client.force_login(clerk)  # sessions end after 8 idle hours
        html = client.get(queue).content.decode()
        assert f'data-pk="{feedback.pk}" data-overdue="1"' in html


def _overdue(user):
    from surveys.selectors import feedback_queue

    return list(feedback_queue(user, state="overdue"))


@pytest.mark.django_db
def test_steps_in_order_with_who_and_when(center, clerk, leader):
    feedback = feedback_submit(agency=center, content="Đề nghị thêm ghế chờ", name="Ông C", contact="0911")
    with pytest.raises(FeedbackStepNotAllowed):
        feedback_answer(feedback=feedback, by=leader, answer="Đã bổ sung")
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        feedback = feedback_classify(feedback=feedback, by=clerk, category="suggestion", note="Cơ sở vật chất")
    assert (feedback.status, feedback.classified_by, feedback.classified_at) == (
        FeedbackStatus.CLASSIFIED,
        clerk,
        at(2026, 3, 10, 9),
    )
    with pytest.raises(PermissionDenied):  # the director answers, not the desk clerk
        feedback_answer(feedback=feedback, by=clerk, answer="Đã bổ sung")
    feedback = feedback_answer(feedback=feedback, by=leader, answer="Đã bổ sung 10 ghế")
    assert (feedback.status, feedback.answered_by) == (FeedbackStatus.ANSWERED, leader)
    from surveys.services import feedback_publish

    feedback = feedback_publish(feedback=feedback, by=leader, summary="Đề nghị bổ sung ghế chờ")
    assert (feedback.status, feedback.published_by) == (FeedbackStatus.PUBLISHED, leader)
    assert feedback.published_at is not None


@pytest.mark.django_db
def test_staff_pages_drive_the_steps_and_publish(client, center, clerk, leader):
    feedback = feedback_submit(agency=center, content="Nội dung gốc", name="Phạm Văn D", contact="0977000111")
    client.force_login(clerk)
    detail = reverse("surveys:feedback_detail", args=[feedback.pk])
    assert 'data-testid="classify-form"' in client.get(detail).content.decode()
    client.post(reverse("surveys:feedback_step", args=[feedback.pk, "phan-loai"]), {"category": "behaviour"})
    client.force_login(leader)
    client.post(reverse("surveys:feedback_step", args=[feedback.pk, "tra-loi"]), {"answer": "Đã nhắc nhở cán bộ"})
    client.post(reverse("surveys:feedback_step", args=[feedback.pk, "cong-khai"]), {"summary": "Phản ánh thái độ"})
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.PUBLISHED
    client.logout()
    html = client.get(reverse("surveys:feedback_public")).content.decode()
    assert "Phản ánh thái độ" in html and "Đã nhắc nhở cán bộ" in html
    for private in ("Nội dung gốc", "Phạm Văn D", "0977000111"):
        assert private not in html


@pytest.mark.django_db
def test_queue_is_scoped_and_closed_to_officers(client, center, other_commune, clerk, officer):
    mine = feedback_submit(agency=center, content="Của xã Một")
    theirs = feedback_submit(agency=other_commune, content="Của xã Hai")
    client.force_login(clerk)
    html = client.get(reverse("surveys:feedback_queue")).content.decode()
    assert f'data-pk="{mine.pk}"' in html and f'data-pk="{theirs.pk}"' not in html
    assert client.get(reverse("surveys:feedback_detail", args=[theirs.pk])).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("surveys:feedback_queue")).status_code == 403
    other_clerk = UserFactory(username="clerk2", role="clerk", agency=other_commune)
    client.force_login(other_clerk)
    assert client.get(reverse("surveys:feedback_detail", args=[mine.pk])).status_code == 404


@pytest.mark.django_db
def test_queue_needs_login(client):
    response = client.get(reverse("surveys:feedback_queue"))
    assert response.status_code == 302
