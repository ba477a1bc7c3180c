from django import forms
from django.utils.translation import gettext_lazy as _

from common.limits import YEAR_MAX, YEAR_MIN

from .choices import CalendarDayKind
from .models import Agency


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDayKind.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    applies_to_all = forms.BooleanField(label=_("Applies to every agency (a national decision)"), required=False)


class AgencyChoiceForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
