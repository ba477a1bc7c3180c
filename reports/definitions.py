"""What the numbers mean: the one home of the report definitions (Circular 01/2020 form II.06a,
Decision 766/QĐ-TTg). Dashboards, the periodic report, its Excel file, the API, the register
and the weekly e-mail all use these.

* A dossier **enters the report** when it is received complete: at the desk (its receipt, Mẫu 01),
  or — filed online — when the desk accepts it (or when the corrections the desk asked for are
  completed: it is accepted then). Its ``received_at`` is that moment. An online dossier the desk
  has not accepted is not counted anywhere (refused or withdrawn before acceptance, it never was).
* A dossier is **resolved** when its handling ends: the result is ready (approved; returning it to
  the citizen later does not change when it was resolved), or it is refused, withdrawn at the
  citizen's request, or closed for want of a supplement. The time is stored on the dossier
  (``resolved_at``) with its **timeliness**, measured against the appointment in force (the
  original, or the one extension):
    - early: resolved on a calendar day before the appointment's day;
    - on time: otherwise no later than the appointment (exactly at the due time is on time);
    - late: after it — and also whenever more than one supplement was requested (Decision 766).
* In a period [start, end): **carried over** = received before start and not resolved before start;
  **received** = received in the period, online or direct/post; **resolved** = resolved in the period;
  **in progress** at the end = carried over + received − resolved, of which **overdue** = its clock
  running at the end and its due time, as it stood then, before the end (for a period not over yet:
  now, as it stands now); the rest **within time** (dossiers waiting for a supplement count within
  time: their clock restarts).
* **Open dossiers at a past date** (a closed period's end) come from the summary alone, exactly:
  each stretch of a dossier's running clock [start, end) with due time d is overdue on [d, end); at
  00:00 of day t it counts iff d < t ≤ end, so the summary adds +1 on d's day when the stretch
  starts and −1 on the later of end's day and d's day when it ends (a stretch ended before its due
  day cancels itself). The overdue count at 00:00 of day t is the sum of these signed changes over
  every day before t; waiting for a supplement likewise (+1 on the request's day, −1 on the day it
  ends). Events change the stretches (receipt, acceptance, supplement request and restart,
  extension, resolution); time passing needs no writer, since the due day is known in advance.
  ``rebuild_figures`` replays the history (DossierEvent) to write the same changes.
* **On-time rate** = (early + on time) / resolved. **Online rate** = received online / received.
* **Digitised** (Decision 766, digitisation): a dossier received online, or with at least one scan
  of its papers (dossiers.Attachment) — at intake or attached later; a scan whose file was later
  removed under the retention rules still counts. **Digitised share** = digitised / received, over
  the dossiers received in the period (a scan attached after the period still counts for it).
* **Results issued electronically**: of the dossiers resolved with a result in the period
  (approved; refusals, withdrawals and closures have no result), those whose result was signed
  digitally at approval (results.ResultDocument, the approval's ``{"result", "sha256"}``).
  **Electronic results share** = signed / results issued.
* **Satisfaction** = evaluations rating 4 or 5 / evaluations. Decision 766 indicator 5.4 = 100% −
  (share resolved late + share with complaints).
* **Decision 766 score**: reports.index766 (its indicators, formulas and points).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Timeliness(models.TextChoices):
    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


def classify_resolution(*, resolved_at: datetime, due_at: datetime, supplement_count: int = 0) -> str:
    if supplement_count > 1 or resolved_at > due_at:
        return Timeliness.LATE
    if timezone.localtime(resolved_at).date() < timezone.localtime(due_at).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def in_report_q() -> Q:
    """The dossiers the reports count: every desk dossier, and online dossiers once accepted."""
    return Q(filed_at__isnull=True) | Q(accepted_at__isnull=False)


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start of date_from, start of the day after date_to) in Vietnam's time."""
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
    return start, end


# ----- the standard periods of the periodic report --------------------------------------------


def report_month(year: int, month: int) -> tuple[date, date]:
    """Month M runs from the 15th of M-1 to the 14th of M (Circular 01/2020)."""
    previous = date(year - 1, 12, 15) if month == 1 else date(year, month - 1, 15)
    return previous, date(year, month, 14)


def report_quarter(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    return report_month(year, first_month)[0], report_month(year, first_month + 2)[1]


def report_half_year(year: int, half: int) -> tuple[date, date]:
    """15/12 of the previous year to 14/6, and 15/6 to 14/12."""
    return (date(year - 1, 12, 15), date(year, 6, 14)) if half == 1 else (date(year, 6, 15), date(year, 12, 14))


def report_year(year: int) -> tuple[date, date]:
    return date(year - 1, 12, 15), date(year, 12, 14)
