from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.choices import AgencyKind
from agencies.models import Agency
from common.text import check_search

from .models import Field


class CatalogSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        validators=[check_search],
        widget=forms.TextInput(
            attrs={"placeholder": _("Name or code, e.g. khai sinh"), "type": "search", "autocomplete": "off"}
        ),
    )
    field = forms.ModelChoiceField(
        label=_("Field"),
        queryset=Field.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All fields"),
    )
    agency = forms.ModelChoiceField(
        label=_("Where you lodge it"),
        queryset=Agency.objects.filter(kind=AgencyKind.COMMUNE),
        required=False,
        to_field_name="code",
        empty_label=_("Any commune"),
    )


class CatalogImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel file ending in .xlsx."))
        return upload
