from django.db import transaction

from .models import Agency, CalendarDay


@transaction.atomic
def calendar_day_declare(*, agency: Agency | None, day, kind: str, note: str = "") -> CalendarDay:
    """Declare a day off or a make-up working day (replacing an earlier declaration of that day).

    Existing dossiers keep their stored due times: deadlines move only by events.
    """
    entry, _created = CalendarDay.objects.update_or_create(
        agency=agency, date=day, defaults={"kind": kind, "note": note}
    )
    return entry


@transaction.atomic
def calendar_day_remove(*, entry: CalendarDay) -> None:
    entry.delete()
