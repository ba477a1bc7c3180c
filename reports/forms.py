from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import BootstrapFormMixin
from common.limits import YEAR_MESSAGE, year_in_range

from .definitions import report_half_year, report_month, report_quarter, report_year

PERIODS = [
    ("month", _("Report month (15th → 14th)")),
    ("quarter", _("Quarter")),
    ("half", _("Half-year")),
    ("year", _("Year")),
    ("calendar_month", _("This calendar month")),
    ("range", _("Date range")),
]
GROUPS = [
    ("agency", _("By agency")),
    ("field", _("By field")),
    ("procedure", _("By procedure")),
    ("officer", _("By officer")),
]


class PeriodForm(BootstrapFormMixin, forms.Form):
    """A standard report period (Circular 01/2020) or any date range."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial="month")
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100, required=False)
    number = forms.IntegerField(label=_("No."), min_value=1, max_value=12, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.CharField(label=_("Agency"), required=False, max_length=40)
    group_by = forms.ChoiceField(label=_("Rows"), choices=GROUPS, required=False, initial="agency")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        period = data.get("period") or "month"
        year = data.get("year") or today.year
        number = data.get("number")
        if period == "range":
            if not data.get("date_from") or not data.get("date_to"):
                raise forms.ValidationError(_("Give both dates of the range."))
            if not all(year_in_range(d) for d in (data["date_from"], data["date_to"])):
                raise forms.ValidationError(YEAR_MESSAGE)
            if data["date_from"] > data["date_to"]:
                raise forms.ValidationError(_("The start date is after the end date."))
            if (data["date_to"] - data["date_from"]).days > 3660:
                raise forms.ValidationError(_("Choose a range of at most ten years."))
            bounds = (data["date_from"], data["date_to"])
        elif period == "calendar_month":
            bounds = (today.replace(day=1), today)
        elif period == "quarter":
            quarter = number if number and number <= 4 else (_report_month_of(today) - 1) // 3 + 1
            bounds = report_quarter(year, quarter)
        elif period == "half":
            half = number if number in (1, 2) else (1 if _report_month_of(today) <= 6 else 2)
            bounds = report_half_year(year, half)
        elif period == "year":
            bounds = report_year(year if data.get("year") else _report_year_of(today))
        else:
            month = number or _report_month_of(today)
            bounds = report_month(year if data.get("year") else _report_year_of(today), month)
        data["bounds"] = bounds
        data["period"] = period
        data["group_by"] = data.get("group_by") or "agency"
        return data


def _report_month_of(day: date) -> int:
    """The report month a day belongs to (the 15th starts the next month)."""
    if day.day >= 15:
        return 1 if day.month == 12 else day.month + 1
    return day.month


def _report_year_of(day: date) -> int:
    return day.year + 1 if (day.month == 12 and day.day >= 15) else day.year
