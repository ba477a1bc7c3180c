"""The leader dashboard's figures in the shared cache, never computed cold by more than one request
per scope at a time (issue 17, item 4).

* The standard periods (the current report month, quarter and year, rows by agency) of the province
  and of every commune are computed ahead by a Celery beat task (``warm_dashboards_task``, every
  settings.REPORTS_DASHBOARD_WARM_EVERY_SECONDS) into the cache that every web process shares.
* Any other scope is computed on demand, single-flight: the request that wins the key's lock
  (``cache.add``) computes it; the others get the last value with its "as of" time, or — nothing
  computed yet — wait for it (at most settings.REPORTS_DASHBOARD_WAIT_SECONDS, then compute).
* A value is fresh for settings.REPORTS_DASHBOARD_MAX_AGE_SECONDS. Its "as of" time is taken
  before the computation starts, so the figures are never older than the minute the page shows.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

LOCK_SECONDS = 120  # longer than any computation: a crashed one frees its key after this
KEEP_SECONDS = 24 * 3600  # a value stays (stale) for the requests that arrive while it is recomputed


def max_age() -> int:
    return getattr(settings, "REPORTS_DASHBOARD_MAX_AGE_SECONDS", 60)


def dashboard_key(agency_ids, date_from, date_to, group_by) -> str:
    from .access import scope_key

    return f"dashboard:v3:{scope_key(agency_ids)}:{date_from}:{date_to}:{group_by}"


def _compute(key: str, compute) -> dict:
    as_of = timezone.now()  # before reading: the figures are at least this recent
    entry = {"figures": compute(), "as_of": as_of}
    cache.set(key, entry, KEEP_SECONDS)
    return entry


def cached(key: str, compute, *, force: bool = False) -> dict | None:
    """{"figures", "as_of"} for ``key``. ``force`` (the beat task): recompute unless another
    process is computing it now (then None)."""
    entry = None if force else cache.get(key)
    if entry is not None and entry["as_of"] > timezone.now() - timedelta(seconds=max_age()):
        return entry
    lock = f"{key}:lock"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            return _compute(key, compute)
        finally:
            cache.delete(lock)
    if force:
        return None
    if entry is not None:  # another request is refreshing it: the last value, with its time
        return entry
    deadline = time.monotonic() + getattr(settings, "REPORTS_DASHBOARD_WAIT_SECONDS", 5)
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(key)
        if entry is not None:
            return entry
    return _compute(key, compute)  # the other computation is lost or very slow


def dashboard_compute(agency_ids, date_from, date_to, group_by) -> dict:
    """Every figure of the dashboard for one scope and period."""
    from .selectors import (
        handling_counts,
        lateness_ranking,
        monthly_trend,
        overdue_now,
        overdue_now_count,
        satisfaction,
        scoped_dossiers,
        total_row,
    )

    rows = handling_counts(agency_ids, date_from=date_from, date_to=date_to, group_by=group_by)

    def grouped(by):
        return (
            rows if group_by == by else handling_counts(agency_ids, date_from=date_from, date_to=date_to, group_by=by)
        )

    dossiers = scoped_dossiers(agency_ids)
    return {
        "rows": rows,
        "total": total_row(rows),
        "overdue_count": overdue_now_count(dossiers),
        # Plain values, not model instances: the entry is unpickled on every dashboard request.
        "overdue": [
            {
                "code": d.code,
                "procedure": {"name": d.procedure.name},
                "assignee": {"display_name": d.assignee.display_name} if d.assignee_id else None,
                "days_late": d.days_late,
            }
            for d in overdue_now(dossiers, limit=30)
        ],
        "trend": monthly_trend(agency_ids, date_from=date_from, date_to=date_to),
        "agency_ranking": lateness_ranking(grouped("agency")),
        "procedure_ranking": lateness_ranking(grouped("procedure")),
        "satisfaction": satisfaction(agency_ids, date_from=date_from, date_to=date_to),
    }


def dashboard_figures(agency_ids, date_from, date_to, group_by) -> dict:
    key = dashboard_key(agency_ids, date_from, date_to, group_by)
    entry = cached(key, lambda: dashboard_compute(agency_ids, date_from, date_to, group_by))
    return {**entry["figures"], "computed_at": entry["as_of"], "cache_key": f"{key}:{entry['as_of'].timestamp()}"}


STANDARD_PERIODS = ("month", "quarter", "year")


def standard_scopes():
    """(agency ids, agency) of the province(s) and every commune, as leaders' pages compute them."""
    from agencies.choices import AgencyKind
    from agencies.models import Agency

    from .access import _or_all

    for agency in Agency.objects.filter(kind__in=[AgencyKind.PROVINCE, AgencyKind.COMMUNE]).order_by("code"):
        yield _or_all(agency.descendant_ids()), agency


def warm_dashboards() -> int:
    """Compute the standard periods of every commune and the province ahead (the beat task)."""
    from .forms import PeriodForm

    periods = []
    for period in STANDARD_PERIODS:
        form = PeriodForm({"period": period})
        form.is_valid()
        periods.append((form.cleaned_data["bounds"], form.cleaned_data["group_by"]))
    done = 0
    for agency_ids, _agency in standard_scopes():
        for (date_from, date_to), group_by in periods:
            key = dashboard_key(agency_ids, date_from, date_to, group_by)
            entry = cached(
                key,
                lambda a=agency_ids, f=date_from, t=date_to, g=group_by: dashboard_compute(a, f, t, g),
                force=True,
            )
            done += entry is not None
    return done
