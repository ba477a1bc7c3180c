import calendar as pycal
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import scope_queryset

from .calendar import calendar_for, package_makeup_working_days, public_holidays
from .choices import CalendarDayKind
from .forms import AgencyChoiceForm, CalendarDayForm
from .models import Agency, CalendarDay
from .services import calendar_day_declare, calendar_day_remove


def _year_grid(working_calendar, year, declared):
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                working, reason = working_calendar.day_status(day)
                if day in declared:
                    css = "makeup" if working else "declared-off"
                elif not working and day in public_holidays(year):
                    css = "holiday"
                elif working and day.weekday() >= 5:
                    css = "makeup"
                else:
                    css = "" if working else "off"
                cells.append({"day": day, "working": working, "reason": reason, "css": css})
            weeks.append(cells)
        months.append({"number": month, "weeks": weeks})
    return months


@login_required
def calendar_year(request):
    """A year of the working calendar; administrators add days off and make-up working days here."""
    user = request.user
    agencies = scope_queryset(Agency.objects.all(), user, field="pk")
    today = timezone.localdate()
    chooser = AgencyChoiceForm(
        request.GET or None, agencies=agencies, initial={"year": today.year, "agency": user.agency}
    )
    agency, year = user.agency, today.year
    if chooser.is_valid():
        agency = chooser.cleaned_data["agency"] or agency
        year = chooser.cleaned_data["year"]
    can_edit = user.is_administrator
    form = CalendarDayForm(request.POST or None) if can_edit else None

    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if "remove" in request.POST:
            remove_id = request.POST["remove"]
            entries = (
                CalendarDay.objects.filter(pk=int(remove_id)) if remove_id.isdigit() else CalendarDay.objects.none()
            )
            entry = entries.first() if user.is_superuser else scope_queryset(entries, user).first()
            if entry is not None:
                calendar_day_remove(entry=entry)
                messages.success(request, _("The declared day was removed."))
            return redirect(request.get_full_path())
        if form.is_valid():
            data = form.cleaned_data
            if data["applies_to_all"] and not user.is_superuser:
                form.add_error("applies_to_all", _("Only a system administrator can declare a day for every agency."))
            else:
                target = None if data["applies_to_all"] else agency
                calendar_day_declare(agency=target, day=data["date"], kind=data["kind"], note=data["note"])
                messages.success(
                    request,
                    _("%(date)s saved as: %(kind)s.")
                    % {"date": data["date"].strftime("%d/%m/%Y"), "kind": CalendarDayKind(data["kind"]).label},
                )
                return redirect(request.get_full_path())

    working_calendar = calendar_for(agency)
    declared_entries = CalendarDay.objects.filter(date__year=year).select_related("agency")
    chain_ids = [a.pk for a in ([agency, *agency.ancestors()] if agency else [])]
    declared_entries = [e for e in declared_entries if e.agency_id is None or e.agency_id in chain_ids]
    context = {
        "agency": agency,
        "year": year,
        "months": _year_grid(working_calendar, year, {e.date for e in declared_entries}),
        "holidays": sorted(public_holidays(year).items()),
        "makeup_days": sorted(d for d in package_makeup_working_days() if d.year == year),
        "declared": declared_entries,
        "chooser": chooser,
        "form": form,
        "can_edit": can_edit,
        "weekday_names": [_("Mo"), _("Tu"), _("We"), _("Th"), _("Fr"), _("Sa"), _("Su")],
        "sessions": working_calendar.sessions,
        "cutoff": working_calendar.cutoff,
        "prev_year": year - 1,
        "next_year": year + 1,
        "today": date.today(),
    }
    return render(request, "agencies/calendar_year.html", context)
