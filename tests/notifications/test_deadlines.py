"""The deadline watch with a frozen clock: each trigger, acting exactly once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from dossiers.deadlines import deadline_sweep
from dossiers.models import DeadlineAlert, LateApology
from dossiers.services import dossier_assign, dossier_extend, dossier_request_supplement
from notifications.models import Message, Notification
from tests.factories import UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return deadline_sweep()


@pytest.fixture
def staff(office, center, commune, officer):
    officer.email = "officer@example.vn"
    officer.save()
    return {
        "officer": officer,
        "head": UserFactory(username="head1", role="leader", agency=office, email="head@example.vn"),
        "director": UserFactory(username="director1", role="leader", agency=center),
    }


@pytest.fixture
def dossier(receive, staff, office):
    """Received Monday 9 March 2026 at 09:00, 3 working days: due Thursday 12 March at 09:00."""
    d = receive("1.000689", at=at(2026, 3, 9, 9))
    with time_machine.travel(at(2026, 3, 9, 10), tick=False):
        return dossier_assign(dossier=d, officer=staff["officer"], by=staff["officer"])


@pytest.mark.django_db
def test_nothing_before_the_last_working_day(dossier):
    report = sweep(at(2026, 3, 10, 10))
    assert report.counts() == {"due_soon": 0, "overdue": 0, "supplement_overdue": 0, "acceptance_overdue": 0}
    assert not DeadlineAlert.objects.exists()


@pytest.mark.django_db
def test_due_soon_one_working_day_before_alerts_officer_and_head_once(dossier, staff):
    # Wednesday 09:30 → Thursday 09:00 is exactly 7.5 working hours away.
    report = sweep(at(2026, 3, 11, 9, 30))
    assert report.due_soon == [dossier.code]
    notified = set(Notification.objects.filter(kind="due_soon").values_list("user__username", flat=True))
    assert notified == {"officer1", "head1"}
    assert set(Message.objects.filter(reason="due_soon").values_list("recipient", flat=True)) == {
        "officer@example.vn",
        "head@example.vn",
    }
    # Running it again (or later the same day) changes nothing.
    assert sweep(at(2026, 3, 11, 9, 31)).counts()["due_soon"] == 0
    assert sweep(at(2026, 3, 11, 16)).counts()["due_soon"] == 0
    assert Notification.objects.filter(kind="due_soon").count() == 2


@pytest.mark.django_db
def test_overdue_alerts_head_and_director_drafts_the_apology_and_marks_the_dossier(dossier, staff):
    sweep(at(2026, 3, 11, 9, 30))
    report = sweep(at(2026, 3, 12, 9, 1))
    assert report.overdue == [dossier.code]
    notified = set(Notification.objects.filter(kind="overdue").values_list("user__username", flat=True))
    assert notified == {"officer1", "head1", "director1"}
    apology = LateApology.objects.get(dossier=dossier)
    assert apology.is_draft
    note = dossier.events.order_by("-pk").first()
    assert note.action == "note" and note.actor is None and "12/03/2026" in note.note
    assert sweep(at(2026, 3, 12, 10)).counts()["overdue"] == 0
    assert DeadlineAlert.objects.filter(kind="overdue").count() == 1


@pytest.mark.django_db
def test_an_extension_is_a_new_deadline(dossier, staff):
    sweep(at(2026, 3, 11, 9, 30))
    with time_machine.travel(at(2026, 3, 11, 10), tick=False):
        dossier_extend(dossier=dossier, by=staff["officer"], reason="Chờ xác minh", new_due_at=at(2026, 3, 16, 17))
    assert sweep(at(2026, 3, 12, 9, 1)).counts()["overdue"] == 0
    assert sweep(at(2026, 3, 16, 9, 30)).due_soon == [dossier.code]
    assert DeadlineAlert.objects.filter(kind="due_soon").count() == 2


@pytest.mark.django_db
def test_supplement_not_brought_in_time_proposes_closing_to_the_clerks(dossier, staff, clerk):
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        dossier_request_supplement(dossier=dossier, by=staff["officer"], reason="Thiếu", missing="Giấy chứng sinh")
    assert sweep(at(2026, 3, 25, 9)).counts()["supplement_overdue"] == 0
    report = sweep(at(2026, 3, 25, 10, 5))
    assert report.supplement_overdue == [dossier.code]
    assert list(Notification.objects.filter(kind="supplement_overdue").values_list("user", flat=True)) == [clerk.pk]
    assert sweep(at(2026, 3, 26, 10)).counts()["supplement_overdue"] == 0


@pytest.mark.django_db
def test_a_crash_half_way_loses_nothing_and_duplicates_nothing(receive, staff, monkeypatch):
    first = receive("1.000689", at=at(2026, 3, 9, 9))
    second = receive("1.000689", at=at(2026, 3, 9, 9), id_number="001099000777")
    import notifications.services as services

    real = services.notify_staff
    calls = {"n": 0}

    def crash_on_second(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "notify_staff", crash_on_second)
    with pytest.raises(RuntimeError):
        sweep(at(2026, 3, 12, 9, 1))
    assert DeadlineAlert.objects.count() == 1  # the first committed, the second rolled back
    monkeypatch.setattr(services, "notify_staff", real)
    report = sweep(at(2026, 3, 12, 9, 2))
    assert len(report.overdue) == 1
    assert set(DeadlineAlert.objects.values_list("dossier__code", flat=True)) == {first.code, second.code}
    assert LateApology.objects.count() == 2


@pytest.mark.django_db
def test_management_command_runs_the_same_sweep(dossier, capsys):
    with time_machine.travel(at(2026, 3, 12, 9, 1), tick=False):
        call_command("check_deadlines")
    out = capsys.readouterr().out
    assert "overdue: 1" in out and dossier.code in out


@pytest.mark.django_db
def test_finished_or_waiting_dossiers_are_never_late(dossier, staff):
    with time_machine.travel(at(2026, 3, 10, 10), tick=False):
        dossier_request_supplement(dossier=dossier, by=staff["officer"], reason="a", missing="b")
    assert sweep(at(2026, 3, 12, 9, 1)).counts()["overdue"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_act_once(receive, staff):
    from tests.dossiers.test_concurrency import run_together

    dossiers = [receive("1.000689", at=at(2026, 3, 9, 9), id_number=f"00109900{n:04d}") for n in range(10)]
    with time_machine.travel(at(2026, 3, 12, 9, 1), tick=False):
        reports = run_together([deadline_sweep for _ in range(4)])
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sum(len(r.overdue) for r in reports) == 10
    assert DeadlineAlert.objects.filter(kind="overdue").count() == 10
    assert LateApology.objects.count() == 10
    assert Notification.objects.filter(kind="overdue").count() == 10  # the director, once per dossier
    assert {d.code for d in dossiers} == set(DeadlineAlert.objects.values_list("dossier__code", flat=True))
