from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.choices import AgencyKind
from agencies.models import Agency
from common.forms import BootstrapFormMixin
from common.limits import YEAR_MESSAGE, year_in_range
from common.text import check_search

from .choices import Channel, DossierStatus, ReturnMethod
from .uploads import ACCEPT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class IntakeForm(BootstrapFormMixin, forms.Form):
    """The clerk's intake screen. Papers are read from the POST by the view (one row per
    required document of the procedure)."""

    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.DIRECT, widget=forms.RadioSelect
    )
    return_method = forms.ChoiceField(
        label=_("Return of the result"),
        choices=ReturnMethod.choices,
        initial=ReturnMethod.DESK,
        widget=forms.RadioSelect,
    )
    return_address = forms.CharField(label=_("Post the result to"), max_length=255, required=False)
    competent_agency = forms.ModelChoiceField(
        label=_("Competent authority"),
        queryset=Agency.objects.filter(kind=AgencyKind.COMMUNE),
        required=False,
        help_text=_("Another commune of the province, for a dossier lodged here on its behalf."),
    )
    scans = MultipleFileField(
        label=_("Scans of the papers (PDF, JPEG, PNG)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
    )
    other_documents = forms.CharField(
        label=_("Other papers received"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # Incomplete or refused at intake.
    missing = forms.CharField(
        label=_("What is missing or must be corrected"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("Reason for refusing"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WorklistFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        validators=[check_search],
        widget=forms.TextInput(attrs={"placeholder": _("Code, name or ID number"), "type": "search"}),
    )
    procedure = forms.CharField(label=_("Procedure code"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DossierStatus.choices]
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Set by the links from the reports (drill-down), kept as hidden fields.
    resolved_from = forms.DateField(required=False, widget=forms.HiddenInput)
    resolved_to = forms.DateField(required=False, widget=forms.HiddenInput)
    timeliness = forms.RegexField(
        regex=r"^(early|on_time|late)(,(early|on_time|late))*$", required=False, widget=forms.HiddenInput
    )
    agency = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    overdue = forms.ChoiceField(choices=[("", ""), ("true", "true")], required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        for name in ("received_from", "received_to", "resolved_from", "resolved_to"):
            if data.get(name) and not year_in_range(data[name]):
                self.add_error(name, YEAR_MESSAGE)
        if data.get("received_from") and data.get("received_to") and data["received_from"] > data["received_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class RegisterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            if data.get(name) and not year_in_range(data[name]):
                self.add_error(name, YEAR_MESSAGE)
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
