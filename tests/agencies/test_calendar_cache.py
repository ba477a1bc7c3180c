"""The per-process calendar cache (agencies.calendar.calendar_for): a calendar is built once, and
any saved or deleted Agency or CalendarDay is seen at once."""

from datetime import date, time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agencies import calendar as cal_module
from agencies.calendar import calendar_for, clear_calendar_cache
from agencies.models import Agency, CalendarDay

MONDAY = date(2026, 3, 9)


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_calendar_cache()
    cal_module._uncommitted.__dict__.pop("aliases", None)
    yield
    clear_calendar_cache()


def _reloaded(agency):
    return Agency.objects.get(pk=agency.pk)


@pytest.mark.django_db(transaction=True)
def test_second_call_reads_nothing(commune):
    calendar_for(_reloaded(commune))
    with CaptureQueriesContext(connection) as captured:
        again = calendar_for(_reloaded(commune))
    assert len(captured.captured_queries) == 1  # the agency itself, reloaded by the test
    assert again == calendar_for(commune)


@pytest.mark.django_db(transaction=True)
def test_declared_day_off_is_seen_at_once_and_its_removal_too(commune):
    assert calendar_for(commune).is_working_day(MONDAY)
    day = CalendarDay.objects.create(agency=commune, date=MONDAY, kind="day_off")
    assert not calendar_for(commune).is_working_day(MONDAY)
    day.delete()
    assert calendar_for(commune).is_working_day(MONDAY)


@pytest.mark.django_db(transaction=True)
def test_a_day_declared_for_everyone_or_a_parent_is_seen(commune):
    child = Agency.objects.filter(parent=commune).first() or commune
    assert calendar_for(child).is_working_day(MONDAY)
    CalendarDay.objects.create(agency=None, date=MONDAY, kind="day_off")
    assert not calendar_for(child).is_working_day(MONDAY)


@pytest.mark.django_db(transaction=True)
def test_changed_sessions_are_seen(commune):
    assert calendar_for(commune).cutoff == time(15, 0)
    commune.same_day_cutoff = time(16, 0)
    commune.save()
    assert calendar_for(_reloaded(commune)).cutoff == time(16, 0)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_not_remembered(commune):
    assert calendar_for(commune).is_working_day(MONDAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarDay.objects.create(agency=commune, date=MONDAY, kind="day_off")
        assert not calendar_for(commune).is_working_day(MONDAY)  # seen inside the transaction
        raise RuntimeError("roll back")
    assert calendar_for(commune).is_working_day(MONDAY)


@pytest.mark.django_db(transaction=True)
def test_entries_expire(commune, settings):
    settings.ONESTOP_CALENDAR_CACHE_SECONDS = 0  # no cache at all
    calendar_for(commune)
    CalendarDay.objects.bulk_create([CalendarDay(agency=commune, date=MONDAY, kind="day_off")])  # no signal
    assert not calendar_for(commune).is_working_day(MONDAY)
