"""The working calendar: every working-time question is answered here.

Working time is the agency's sessions (default 07:30-11:30 and 13:30-17:00) on its working
weekdays (default Monday-Friday), less Vietnamese public holidays (from the ``holidays``
package, with the government's day swaps it knows), less days off an administrator declares,
plus make-up working days (a Saturday worked in exchange for a weekday off).

Rules (issue "Foundation", Decree 118 Art. 15-23):

* ``working_days`` N: N × the working time of a normal day, counted from the first working
  instant at or after the receipt; ``working_hours`` N: N hours of working time. Lunch, nights,
  weekends and holidays are skipped. A result that lands exactly on the end of a session is that
  end (17:00, not the next morning).
* ``same_day``: received on a working day before the cut-off (15:00) → the end of that day's
  working time; otherwise the end of the next working day's.
* ``calendar_days`` N (some procedures are published so): the end of the working day N calendar
  days after the receipt, moved to the next working day when that day is not one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from time import monotonic
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class TimeUnit:
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    SAME_DAY = "same_day"
    CALENDAR_DAYS = "calendar_days"

    ALL = (WORKING_DAYS, WORKING_HOURS, SAME_DAY, CALENDAR_DAYS)
    CHOICES = [
        (WORKING_DAYS, _("working days")),
        (WORKING_HOURS, _("working hours")),
        (SAME_DAY, _("same day")),
        (CALENDAR_DAYS, _("calendar days")),
    ]


class CalendarError(ValueError):
    """The calendar cannot answer: no working time configured, or an amount out of range."""


# How far ahead we look for working time before deciding the calendar has none.
_MAX_SEARCH_DAYS = 3 * 366
MAX_AMOUNT = {TimeUnit.WORKING_DAYS: 1000, TimeUnit.WORKING_HOURS: 8000, TimeUnit.CALENDAR_DAYS: 1000}


def _parse_hhmm(value) -> time:
    if isinstance(value, time):
        return value
    hour, minute = str(value).split(":")[:2]
    return time(int(hour), int(minute))


def parse_sessions(raw) -> tuple[tuple[time, time], ...]:
    """Validate ``[["07:30", "11:30"], ...]`` into ordered, non-overlapping (start, end) times."""
    try:
        sessions = tuple((_parse_hhmm(start), _parse_hhmm(end)) for start, end in raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(_('Give sessions as [["HH:MM", "HH:MM"], ...].'))) from exc
    if not sessions:
        raise ValueError(str(_("At least one working session is needed.")))
    previous_end = None
    for start, end in sessions:
        if end <= start:
            raise ValueError(str(_("A session must end after it starts.")))
        if previous_end is not None and start < previous_end:
            raise ValueError(str(_("Sessions must be in order and must not overlap.")))
        previous_end = end
    return sessions


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[date, str]:
    """Vietnamese public holidays of a year, with their Vietnamese names."""
    return dict(holidays.country_holidays("VN", years=year, language="vi"))


@lru_cache(maxsize=1)
def package_makeup_working_days() -> frozenset[date]:
    """Make-up working days of the government's day swaps that the ``holidays`` package knows.

    The package lists each swap as (holiday month, day, worked month, day[, worked year]); the
    worked day (usually a Saturday) is a working day.
    """
    days = set()
    try:
        from holidays.countries.vietnam import VietnamStaticHolidays

        for year, entries in VietnamStaticHolidays.special_public_holidays.items():
            if entries and not isinstance(entries[0], tuple):
                entries = (entries,)
            for entry in entries:
                worked_month, worked_day = entry[2], entry[3]
                worked_year = entry[4] if len(entry) > 4 else year
                days.add(date(worked_year, worked_month, worked_day))
    except Exception:  # pragma: no cover - guards against a change of the package's layout
        logger.warning("Could not read the day swaps of the holidays package", exc_info=True)
    return frozenset(days)


@dataclass(frozen=True)
class WorkingCalendar:
    sessions: tuple[tuple[time, time], ...] = field(
        default_factory=lambda: parse_sessions(settings.ONESTOP_DEFAULT_SESSIONS)
    )
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    cutoff: time = field(default_factory=lambda: _parse_hhmm(settings.ONESTOP_SAME_DAY_CUTOFF))
    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    # ----- days -------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        if day in package_makeup_working_days():
            return True
        if day.weekday() not in self.weekdays:
            return False
        return day not in public_holidays(day.year)

    def day_status(self, day: date) -> tuple[bool, str]:
        """Whether a day is worked, and why (for the calendar page)."""
        if day in self.working_days:
            return True, str(_("Make-up working day"))
        if day in self.days_off:
            return False, str(_("Day off"))
        if day in package_makeup_working_days():
            return True, str(_("Make-up working day"))
        holiday = public_holidays(day.year).get(day)
        if day.weekday() not in self.weekdays:
            return False, holiday or ""
        if holiday:
            return False, holiday
        return True, ""

    def next_working_day(self, day: date, *, include_today: bool = False) -> date:
        candidate = day if include_today else day + timedelta(days=1)
        for _step in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise CalendarError(str(_("The calendar has no working day within three years.")))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days ``end`` is after ``start``."""
        if end <= start:
            return -self.working_days_between(end, start) if end < start else 0
        count, day = 0, start + timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count

    # ----- instants -----------------------------------------------------------------------
    @property
    def normal_day_seconds(self) -> int:
        return sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds
            for start, end in self.sessions
        )

    def _at(self, day: date, moment: time) -> datetime:
        # Vietnam has no daylight saving time: a wall time maps to one instant.
        return datetime.combine(day, moment, tzinfo=self.tz)

    def session_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [(self._at(day, start), self._at(day, end)) for start, end in self.sessions]

    def start_of_working_day(self, day: date) -> datetime:
        return self._at(day, self.sessions[0][0])

    def end_of_working_day(self, day: date) -> datetime:
        return self._at(day, self.sessions[-1][1])

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def is_working_time(self, moment: datetime) -> bool:
        moment = self.local(moment)
        return any(start <= moment < end for start, end in self.session_intervals(moment.date()))

    def next_working_instant(self, moment: datetime) -> datetime:
        """The moment itself when it is working time, else the start of the next session."""
        return self.add_working_time(moment, 0)

    def add_working_time(self, start: datetime, seconds: float) -> datetime:
        """The instant after ``seconds`` of working time counted from ``start``."""
        if seconds < 0:
            raise CalendarError(str(_("The amount of time cannot be negative.")))
        cursor = self.local(start)
        remaining = timedelta(seconds=seconds)
        day = cursor.date()
        for _step in range(_MAX_SEARCH_DAYS * 3):
            for session_start, session_end in self.session_intervals(day):
                if cursor >= session_end:
                    continue
                begin = max(cursor, session_start)
                available = session_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
            cursor = self._at(day, time.min)
        raise CalendarError(str(_("The calendar has no working time within the period asked.")))

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in seconds (negative when end is before start)."""
        start, end = self.local(start), self.local(end)
        if end < start:
            return -self.working_seconds_between(end, start)
        total, day = 0.0, start.date()
        while day <= end.date():
            for session_start, session_end in self.session_intervals(day):
                begin, finish = max(start, session_start), min(end, session_end)
                if finish > begin:
                    total += (finish - begin).total_seconds()
            day += timedelta(days=1)
        return total

    # ----- deadlines ----------------------------------------------------------------------
    def due_at(self, received_at: datetime, amount, unit: str) -> datetime:
        """The due time (ngày hẹn trả) of a dossier received at ``received_at``."""
        if unit not in TimeUnit.ALL:
            raise CalendarError(str(_("Unknown time unit.")))
        amount = Decimal(str(amount if amount is not None else 0))
        if unit != TimeUnit.SAME_DAY:
            if amount < 0:
                raise CalendarError(str(_("The amount of time cannot be negative.")))
            if amount > MAX_AMOUNT[unit]:
                raise CalendarError(str(_("The amount of time is too large.")))
        received = self.local(received_at)
        if unit == TimeUnit.SAME_DAY:
            return self.same_day_due_at(received)
        if unit == TimeUnit.WORKING_HOURS:
            return self.add_working_time(received, float(amount * 3600))
        if unit == TimeUnit.WORKING_DAYS:
            return self.add_working_time(received, float(amount * self.normal_day_seconds))
        # Calendar days: the last day, moved to the next working day if it is not one.
        last_day = received.date() + timedelta(days=int(amount.to_integral_value(rounding="ROUND_CEILING")))
        return self.end_of_working_day(self.next_working_day(last_day, include_today=True))

    def same_day_due_at(self, received_at: datetime) -> datetime:
        received = self.local(received_at)
        day = received.date()
        if self.is_working_day(day) and received.time() < self.cutoff:
            return self.end_of_working_day(day)
        return self.end_of_working_day(self.next_working_day(day))

    def handover_due_at(self, received_at: datetime) -> datetime:
        """When the desk must hand a dossier to the processing office (Decree 118 Art. 18):
        the same working day, or the start of the next working day when received after the cut-off.
        """
        received = self.local(received_at)
        day = received.date()
        if self.is_working_day(day) and received.time() < self.cutoff:
            return self.end_of_working_day(day)
        return self.start_of_working_day(self.next_working_day(day))


# ----- the per-process cache of calendars ----------------------------------------------------------
#
# Building a calendar reads the agency's ancestors and the declared days (a few queries); every
# intake, deadline and sweep asks for one. Calendars are kept here for a short while
# (ONESTOP_CALENDAR_CACHE_SECONDS, default 60): saving or deleting an Agency or a CalendarDay
# empties the cache at once in this process and again when the transaction commits (receivers in
# agencies/receivers.py); other processes see the change within the lifetime of an entry. While
# the current transaction has changed the calendar and not committed yet, the cache is neither read
# nor filled, so a rolled-back change is never remembered.

_calendar_cache: dict = {}
_calendar_lock = threading.Lock()
_uncommitted = threading.local()  # .aliases: database aliases with uncommitted calendar changes


def _cache_seconds() -> float:
    return float(getattr(settings, "ONESTOP_CALENDAR_CACHE_SECONDS", 60))


def clear_calendar_cache() -> None:
    with _calendar_lock:
        _calendar_cache.clear()


def calendar_changed(using: str = "default") -> None:
    """Called when an Agency or a CalendarDay is saved or deleted (agencies/receivers.py)."""
    from django.db import transaction

    clear_calendar_cache()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        aliases = _uncommitted.__dict__.setdefault("aliases", set())
        aliases.add(using)

        def committed():
            aliases.discard(using)
            clear_calendar_cache()

        transaction.on_commit(committed, using=using)


def _cache_usable(using: str = "default") -> bool:
    aliases = getattr(_uncommitted, "aliases", None)
    if not aliases or using not in aliases:
        return True
    from django.db import transaction

    if transaction.get_connection(using).in_atomic_block:
        return False
    aliases.discard(using)  # the transaction ended (committed or rolled back)
    clear_calendar_cache()
    return True


def _cache_key(agency):
    if agency is None:
        return None
    return (
        agency.pk,
        agency.parent_id,
        repr(agency.working_sessions),
        repr(agency.working_weekdays),
        agency.same_day_cutoff,
    )


def calendar_for(agency=None) -> WorkingCalendar:
    """The working calendar of an agency: its sessions, and the days declared for it, for any of
    its ancestors, or for everyone (the nearest declaration wins). Without an agency, the default.

    Kept for a short while per process (see above); agencies without a primary key are not kept.
    """
    seconds = _cache_seconds()
    if seconds <= 0 or (agency is not None and agency.pk is None) or not _cache_usable():
        return _build_calendar(agency)
    key = _cache_key(agency)
    now = monotonic()
    hit = _calendar_cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    calendar = _build_calendar(agency)
    with _calendar_lock:
        if len(_calendar_cache) > 4096:
            _calendar_cache.clear()
        _calendar_cache[key] = (now + seconds, calendar)
    return calendar


def _build_calendar(agency=None) -> WorkingCalendar:
    from .models import CalendarDay

    chain = [agency, *agency.ancestors()] if agency is not None else []
    rank = {node.pk: position for position, node in enumerate(chain)}
    declared: dict[date, tuple[int, str]] = {}
    query = CalendarDay.objects.filter(agency__isnull=True)
    if chain:
        query = CalendarDay.objects.filter(agency_id__in=list(rank)) | query
    for day in query.only("date", "kind", "agency_id"):
        position = rank.get(day.agency_id, len(chain))
        if day.date not in declared or position < declared[day.date][0]:
            declared[day.date] = (position, day.kind)
    days_off = frozenset(d for d, (_pos, kind) in declared.items() if kind == "day_off")
    working_days = frozenset(d for d, (_pos, kind) in declared.items() if kind == "working_day")
    if agency is None:
        return WorkingCalendar(days_off=days_off, working_days=working_days)
    return WorkingCalendar(
        sessions=parse_sessions(agency.working_sessions),
        weekdays=frozenset(agency.working_weekdays),
        cutoff=agency.same_day_cutoff,
        days_off=days_off,
        working_days=working_days,
    )


def compute_due_at(*, received_at: datetime, amount, unit: str, agency=None) -> datetime:
    """Shortcut used by services and the API."""
    return calendar_for(agency).due_at(received_at, amount, unit)
