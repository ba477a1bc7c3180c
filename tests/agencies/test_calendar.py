"""The working calendar rules (issue "Foundation", Decree 118).

Default working time: 07:30-11:30 and 13:30-17:00, Monday to Friday; same-day cut-off 15:00.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from agencies.calendar import CalendarError, WorkingCalendar, calendar_for, compute_due_at
from agencies.choices import CalendarDayKind
from agencies.services import calendar_day_declare
from tests.factories import AgencyFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


@pytest.fixture
def cal():
    return WorkingCalendar()


# ----- working days and hours ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "amount", "unit", "due"),
    [
        # One working day = 7.5 working hours: Mon 10:00 → Tue 10:00.
        (at(2026, 3, 9, 10), 1, "working_days", at(2026, 3, 10, 10)),
        # Received at opening, one day: ends exactly at 17:00 the same day, not 07:30 the next.
        (at(2026, 3, 9, 7, 30), 1, "working_days", at(2026, 3, 9, 17)),
        # Three days from Wednesday 08:00 skip the weekend.
        (at(2026, 3, 11, 8), 3, "working_days", at(2026, 3, 16, 8)),
        # Received during lunch: the clock starts at 13:30.
        (at(2026, 3, 9, 11, 45), 1, "working_hours", at(2026, 3, 9, 14, 30)),
        # Hours that cross lunch: 11:00 + 1h = 30 min before lunch + 30 min after.
        (at(2026, 3, 9, 11), 1, "working_hours", at(2026, 3, 9, 14)),
        # Hours that cross the night.
        (at(2026, 3, 9, 16, 30), 1, "working_hours", at(2026, 3, 10, 8)),
        # Friday evening hours land on Monday.
        (at(2026, 3, 13, 16), 2, "working_hours", at(2026, 3, 16, 8, 30)),
        # End of a session is that end: 07:30 + 4h = 11:30, 13:30 + 3.5h = 17:00.
        (at(2026, 3, 9, 7, 30), 4, "working_hours", at(2026, 3, 9, 11, 30)),
        (at(2026, 3, 9, 13, 30), 3.5, "working_hours", at(2026, 3, 9, 17)),
        # Received on a Sunday: counts from Monday 07:30.
        (at(2026, 3, 8, 10), 1, "working_days", at(2026, 3, 9, 17)),
        # Received after hours: counts from the next morning.
        (at(2026, 3, 9, 18), 2, "working_days", at(2026, 3, 11, 17)),
        # Received exactly at 11:30 (end of the morning): counts from 13:30.
        (at(2026, 3, 9, 11, 30), 1, "working_hours", at(2026, 3, 9, 14, 30)),
    ],
)
def test_working_time(cal, received, amount, unit, due):
    assert cal.due_at(received, amount, unit) == due


def test_lunar_new_year_2026_is_skipped(cal):
    # Tết Bính Ngọ: Mon 16 – Fri 20 February 2026 are public holidays.
    assert not any(cal.is_working_day(date(2026, 2, d)) for d in range(16, 21))
    assert cal.due_at(at(2026, 2, 13, 10), 1, "working_days") == at(2026, 2, 23, 10)
    assert cal.due_at(at(2026, 2, 12, 9), 5, "working_days") == at(2026, 2, 26, 9)


def test_lunar_new_year_2027_is_skipped(cal):
    # Tết Đinh Mùi: 4 – 10 February 2027 (the holidays package's lunar calendar).
    assert cal.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)


def test_hung_kings_day_falling_on_sunday_is_observed_on_monday(cal):
    # 10/3 lunar = Sunday 26 April 2026, observed on Monday 27; then 30/4 and 1/5.
    assert not cal.is_working_day(date(2026, 4, 27))
    assert cal.due_at(at(2026, 4, 24, 10), 1, "working_days") == at(2026, 4, 28, 10)
    assert cal.due_at(at(2026, 4, 29, 10), 1, "working_days") == at(2026, 5, 4, 10)


def test_make_up_saturday_of_a_government_day_swap_is_worked(cal):
    # 2026: Monday 31 August off, made up on Saturday 22 August.
    assert cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_working_day(date(2026, 8, 31))
    assert cal.due_at(at(2026, 8, 21, 14), 1, "working_days") == at(2026, 8, 22, 14)
    # 31/8, 1/9 and 2/9 are off: Friday 28 → Thursday 3 September.
    assert cal.due_at(at(2026, 8, 28, 10), 1, "working_days") == at(2026, 9, 3, 10)
    # 2025: Friday 2 May off, made up on Saturday 26 April.
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2025, 5, 2))


def test_vietnam_culture_day_from_2026(cal):
    assert not cal.is_working_day(date(2026, 11, 24))
    assert cal.is_working_day(date(2025, 11, 24))
    assert cal.due_at(at(2026, 11, 23, 9), 1, "working_days") == at(2026, 11, 25, 9)


def test_new_year_and_national_day(cal):
    assert not cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2026, 9, 2))


# ----- same day ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 3, 9, 8), at(2026, 3, 9, 17)),
        (at(2026, 3, 9, 14, 59, 59), at(2026, 3, 9, 17)),
        # At or after the 15:00 cut-off: the end of the next working day.
        (at(2026, 3, 9, 15), at(2026, 3, 10, 17)),
        (at(2026, 3, 9, 16, 30), at(2026, 3, 10, 17)),
        # Friday afternoon → Monday.
        (at(2026, 3, 13, 15, 30), at(2026, 3, 16, 17)),
        # Before opening on a working day still counts as that day.
        (at(2026, 3, 9, 6, 45), at(2026, 3, 9, 17)),
        # Saturday (not a make-up day) → Monday.
        (at(2026, 3, 14, 9), at(2026, 3, 16, 17)),
        # Holidays 30/4 and 1/5/2026 → Monday 4 May.
        (at(2026, 4, 30, 9), at(2026, 5, 4, 17)),
        # A make-up Saturday is a working day.
        (at(2026, 8, 22, 9), at(2026, 8, 22, 17)),
        # Wednesday before Tết, after the cut-off → the first working day after Tết.
        (at(2026, 2, 13, 16), at(2026, 2, 23, 17)),
    ],
)
def test_same_day(cal, received, due):
    assert cal.due_at(received, 0, "same_day") == due


def test_calendar_days_end_on_a_working_day(cal):
    # 30 calendar days from 1 April 2026 = 1 May (holiday) → Monday 4 May, end of day.
    assert cal.due_at(at(2026, 4, 1, 9), 30, "calendar_days") == at(2026, 5, 4, 17)


def test_times_in_another_offset_are_converted(cal):
    received_utc = datetime(2026, 3, 9, 3, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Hà Nội
    assert cal.due_at(received_utc, 1, "working_days") == at(2026, 3, 10, 10)


def test_bad_amounts_are_refused(cal):
    with pytest.raises(CalendarError):
        cal.due_at(at(2026, 3, 9, 9), -1, "working_days")
    with pytest.raises(CalendarError):
        cal.due_at(at(2026, 3, 9, 9), 1, "fortnights")
    with pytest.raises(CalendarError):
        cal.due_at(at(2026, 3, 9, 9), 10**6, "working_days")


def test_a_calendar_without_working_days_fails_loudly():
    with pytest.raises(CalendarError):
        WorkingCalendar(weekdays=frozenset()).due_at(at(2040, 3, 9, 9), 1, "working_days")


def test_working_seconds_between_skips_lunch_and_nights(cal):
    assert cal.working_seconds_between(at(2026, 3, 9, 11), at(2026, 3, 9, 14)) == 3600
    assert cal.working_seconds_between(at(2026, 3, 9, 16), at(2026, 3, 10, 8)) == 5400
    assert cal.working_seconds_between(at(2026, 3, 10, 8), at(2026, 3, 9, 16)) == -5400
    assert cal.working_seconds_between(at(2026, 2, 13, 8), at(2026, 2, 23, 8)) == 7.5 * 3600


def test_handover_deadline(cal):
    assert cal.handover_due_at(at(2026, 3, 9, 10)) == at(2026, 3, 9, 17)
    assert cal.handover_due_at(at(2026, 3, 9, 15, 30)) == at(2026, 3, 10, 7, 30)
    assert cal.handover_due_at(at(2026, 3, 13, 16)) == at(2026, 3, 16, 7, 30)


# ----- per agency ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_declared_days_apply_to_the_agency_and_below_nearest_wins():
    province = AgencyFactory(code="P1", kind="province")
    commune = AgencyFactory(code="P1.01", parent=province)
    other = AgencyFactory(code="P1.02", parent=province)
    # The province gives Monday 9 March 2026 off; commune P1.01 works that day anyway.
    calendar_day_declare(agency=province, day=date(2026, 3, 9), kind=CalendarDayKind.DAY_OFF, note="Lễ hội")
    calendar_day_declare(agency=commune, day=date(2026, 3, 9), kind=CalendarDayKind.WORKING_DAY)
    # Everyone works Saturday 14 March 2026 (a national decision).
    calendar_day_declare(agency=None, day=date(2026, 3, 14), kind=CalendarDayKind.WORKING_DAY)

    assert calendar_for(commune).is_working_day(date(2026, 3, 9))
    assert not calendar_for(other).is_working_day(date(2026, 3, 9))
    assert calendar_for(other).is_working_day(date(2026, 3, 14))
    assert compute_due_at(received_at=at(2026, 3, 6, 10), amount=1, unit="working_days", agency=other) == at(
        2026, 3, 10, 10
    )
    # A make-up Saturday counts in same-day and day arithmetic.
    assert calendar_for(other).due_at(at(2026, 3, 13, 16), 0, "same_day") == at(2026, 3, 14, 17)


@pytest.mark.django_db
def test_declaring_a_holiday_worked_overrides_the_package():
    agency = AgencyFactory(code="P2")
    assert not calendar_for(agency).is_working_day(date(2026, 9, 1))
    calendar_day_declare(agency=agency, day=date(2026, 9, 1), kind=CalendarDayKind.WORKING_DAY)
    assert calendar_for(agency).is_working_day(date(2026, 9, 1))


@pytest.mark.django_db
def test_agency_sessions_and_cutoff():
    agency = AgencyFactory(
        code="P3",
        working_sessions=[["08:00", "12:00"], ["13:00", "17:00"]],
        working_weekdays=[0, 1, 2, 3, 4, 5],
        same_day_cutoff=time(16, 0),
    )
    cal = calendar_for(agency)
    assert cal.normal_day_seconds == 8 * 3600
    # Saturday is a working day here: Friday 10:00 + 1 day = Saturday 10:00.
    assert cal.due_at(at(2026, 3, 13, 10), 1, "working_days") == at(2026, 3, 14, 10)
    assert cal.due_at(at(2026, 3, 9, 15, 30), 0, "same_day") == at(2026, 3, 9, 17)
    assert cal.due_at(at(2026, 3, 9, 12, 30), 1, "working_hours") == at(2026, 3, 9, 14)


# ----- frozen clock ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_from_now_with_a_frozen_clock():
    with time_machine.travel(at(2026, 2, 13, 15, 30), tick=False):
        now = timezone.now()
        assert compute_due_at(received_at=now, amount=0, unit="same_day") == at(2026, 2, 23, 17)
        assert compute_due_at(received_at=now, amount=2, unit="working_hours") == at(2026, 2, 23, 8)
