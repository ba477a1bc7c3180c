"""Read-only admin for dossiers: state changes go through the dossier page and its services. Every
page showing citizens' data records the read (dossiers.access_log.PersonalDataAdminMixin)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin

from .access_log import PersonalDataAdminMixin
from .exceptions import ActionForbidden
from .models import (
    CitizenPaper,
    CitizenPaperEvent,
    CorrectionRequest,
    Dossier,
    DossierEvent,
    DossierPaperReuse,
    Guidance,
    LetterTemplate,
    PaperState,
    PersonalDataAccess,
    RetentionRun,
)
from .papers import paper_mark_superseded, paper_withdraw


class EventInline(admin.TabularInline):
    model = DossierEvent
    fields = ("at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ("code", "procedure", "status", "received_at", "due_at", "receiving_agency", "assignee")
    list_filter = ("status", "channel", "backdated", "receiving_agency")
    search_fields = ("code", "applicant_id_number")
    date_hierarchy = "received_at"
    inlines = [EventInline]
    list_select_related = ("procedure", "receiving_agency", "assignee")


@admin.register(Guidance)
class GuidanceAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    list_display = ("number", "kind", "agency", "procedure", "given_by", "given_at")
    list_filter = ("kind", "agency")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    """The log holds ID numbers: reading it is a read too."""

    list_display = ("at", "user", "channel", "what", "subject", "citizen_id_number", "found")
    list_filter = ("channel", "subject_kind", "what")
    search_fields = ("subject", "citizen_id_number", "user__username")
    list_select_related = ("user",)

    def access_dossier(self, obj):
        return None

    def access_citizen(self, obj):
        return obj.citizen_id_number


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    """Handled on the staff pages (history kept); read-only here."""

    list_display = ("number", "agency", "status", "requested_at", "due_at", "handled_at")
    list_filter = ("status", "agency")
    search_fields = ("number", "citizen_id_number")
    list_select_related = ("agency", "dossier")

    def access_citizen(self, obj):
        return obj.citizen_id_number


@admin.register(RetentionRun)
class RetentionRunAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    """What the retention job removed (its detail names dossiers and ID numbers)."""

    list_display = ("at", "kind", "count", "cutoff")
    list_filter = ("kind",)

    def access_dossier(self, obj):
        return None

    def access_citizen(self, obj):
        return ""


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """Administrators edit the text of the letters printed with results."""

    list_display = ("key", "name", "procedure_codes", "active")
    list_filter = ("active",)


# ----- the citizen's papers (dossiers.papers) ------------------------------------------------------


class PaperEventInline(admin.TabularInline):
    model = CitizenPaperEvent
    fields = ("at", "by", "action", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PaperReuseInline(admin.TabularInline):
    model = DossierPaperReuse
    fields = ("dossier", "at", "by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("reused by dossiers")

    def has_add_permission(self, request, obj=None):
        return False


class PaperStateForm(forms.ModelForm):
    """Every field of the paper is read-only; the only change is its state, with a reason, through
    dossiers.papers (the history keeps who, when and why)."""

    change = forms.ChoiceField(
        label=_("Change the state"),
        required=False,
        choices=[
            ("", "—"),
            (PaperState.SUPERSEDED, _("Mark superseded")),
            (PaperState.WITHDRAWN, _("Withdraw from use")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = CitizenPaper
        fields = []

    def clean(self):
        data = super().clean()
        if data.get("change") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason."))
        return data


@admin.register(CitizenPaper)
class CitizenPaperAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """The citizen's papers: read-only; marked superseded or withdrawn through the services."""

    form = PaperStateForm
    list_display = ("id_number", "name_short", "source", "state", "issued_on", "valid_until", "agency")
    list_filter = ("source", "state", "agency")
    search_fields = ("id_number",)
    list_select_related = ("agency",)
    readonly_fields = (
        "id_number",
        "name",
        "received_as",
        "source",
        "attachment",
        "result",
        "dossier",
        "agency",
        "province",
        "issued_on",
        "valid_until",
        "state",
        "filed_at",
        "filed_by",
    )
    fields = (*readonly_fields, "change", "reason")
    inlines = [PaperEventInline, PaperReuseInline]

    @admin.display(description=_("paper"))
    def name_short(self, obj):
        return obj.name[:80]

    def access_citizen(self, obj):
        return obj.id_number

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.state == PaperState.VALID)

    def save_model(self, request, obj, form, change):
        action = form.cleaned_data.get("change")
        if not action:
            return
        service = paper_mark_superseded if action == PaperState.SUPERSEDED else paper_withdraw
        try:
            service(paper=obj, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, ActionForbidden) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
