from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    file = forms.FileField(label=_("The PDF file to check"), help_text=_("The file you received or were shown."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = getattr(settings, "RESULTS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)})
        head = upload.read(1024)
        upload.seek(0)
        if b"%PDF-" not in head:
            raise forms.ValidationError(_("This file is not a PDF."))
        return upload


class ResultKeyForm(forms.Form):
    """The lookup key printed on the receipt: the only thing that opens the citizen's signed result."""

    key = forms.CharField(
        label=_("Lookup key"),
        max_length=40,
        help_text=_("Printed on your receipt, under the QR code. Capitals and dashes do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
