"""Forms of the citizens' side. They bind and check input only; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.codes import normalize_lookup_key
from dossiers.selectors import dossier_get_public

from .choices import CRITERIA, FeedbackCategory, QuestionKind, Rating
from .selectors import communes_for_feedback


class HoneypotMixin(forms.Form):
    """A field hidden from people; bots fill it in. Views thank a bot and store nothing."""

    website = forms.CharField(required=False, label=_("Leave this field empty"))
    is_bot = False

    def clean_website(self):
        value = self.cleaned_data.get("website", "")
        self.is_bot = bool(value)
        return value


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Dossier code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    key = forms.CharField(
        label=_("Lookup key"),
        max_length=40,
        help_text=_("Printed on your receipt, under the QR code. Capitals and dashes do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).upper()

    def clean_key(self):
        return normalize_lookup_key(self.cleaned_data["key"])


class KioskScanForm(forms.Form):
    scan = forms.CharField(
        label=_("Scan the QR code on your receipt, or type the code and the key"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )
    code = forms.CharField(label=_("Dossier code"), max_length=64, required=False)
    key = forms.CharField(label=_("Lookup key"), max_length=40, required=False)


class EvaluationForm(forms.Form):
    overall = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you?"),
        choices=[(value, label) for value, label in reversed(Rating.choices)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            self.fields[f"c_{criterion.code}"] = forms.ChoiceField(
                label=criterion.label, choices=criterion.options, required=False, widget=forms.RadioSelect
            )

    def criteria_fields(self):
        return [self[f"c_{criterion.code}"] for criterion in CRITERIA]

    def criteria(self):
        return {
            criterion.code: self.cleaned_data[f"c_{criterion.code}"]
            for criterion in CRITERIA
            if self.cleaned_data.get(f"c_{criterion.code}")
        }


class FeedbackForm(HoneypotMixin):
    content = forms.CharField(
        label=_("Your feedback"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}), strip=True
    )
    dossier_code = forms.CharField(label=_("Dossier code (if it is about a dossier)"), max_length=64, required=False)
    dossier_key = forms.CharField(
        label=_("Lookup key of that dossier"),
        max_length=40,
        required=False,
        help_text=_("Printed on your receipt, under the QR code. Needed with the code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=communes_for_feedback(),
        required=False,
        empty_label=_("— choose —"),
        help_text=_("Not needed when you give the code of a dossier."),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=150, required=False)
    contact = forms.CharField(label=_("Phone or email for the answer (optional)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes_for_feedback()

    def clean(self):
        """Nothing here depends on whether a code exists: a code needs its key, and a code with a
        wrong key gives the same valid form as a right one (``dossier`` is then None and the view
        stores nothing, answering the same)."""
        data = super().clean()
        code = "".join((data.get("dossier_code") or "").split()).upper()
        key = normalize_lookup_key(data.get("dossier_key") or "")
        data["dossier_code"], data["dossier_key"] = code, key
        data["dossier"], data["agency"] = None, data.get("commune")
        if code and not key:
            self.add_error("dossier_key", _("Give the lookup key printed on the receipt with the dossier code."))
        elif code:
            data["dossier"] = dossier_get_public(code, key)
            if data["dossier"] is not None:
                data["agency"] = data["dossier"].receiving_agency
        elif data.get("commune") is None and "content" in data:
            self.add_error("commune", _("Choose the commune your feedback is about."))
        return data


class FeedbackClassifyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=FeedbackCategory.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))


class FeedbackPublishForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the feedback for the public"),
        help_text=_("Leave out names, phone numbers, addresses and ID numbers."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SurveyForm(HoneypotMixin):
    """One field per question of the campaign, named q<id>; with ``receipt=True`` first the code and
    key of the dossier receipt (one response per dossier); ``token`` carries a one-time link."""

    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, questions, receipt=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.receipt = receipt
        if receipt:
            self.fields["receipt_code"] = forms.CharField(
                label=_("Dossier code"),
                max_length=64,
                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            )
            self.fields["receipt_key"] = forms.CharField(
                label=_("Lookup key"),
                max_length=40,
                help_text=_("Printed on your receipt, under the QR code. Each dossier answers once."),
                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            )
        for question in questions:
            name, label = f"q{question.pk}", question.text
            if question.kind == QuestionKind.SINGLE:
                choices = [(o, o) for o in question.option_list()]
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            elif question.kind == QuestionKind.MULTIPLE:
                choices = [(o, o) for o in question.option_list()]
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
            elif question.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(choices=[(str(n), str(n)) for n in range(1, 6)], widget=forms.RadioSelect)
            else:
                field = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
            field.label, field.required = label, question.required
            field.question = question
            self.fields[name] = field

    def question_fields(self):
        return [self[f"q{question.pk}"] for question in self.questions]

    def receipt_fields(self):
        return [self["receipt_code"], self["receipt_key"]] if self.receipt else []

    def answers(self):
        return {question.pk: self.cleaned_data.get(f"q{question.pk}") for question in self.questions}
