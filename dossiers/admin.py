"""Read-only admin for dossiers: state changes go through the dossier page and its services. Every
page showing citizens' data records the read (dossiers.access_log.PersonalDataAdminMixin)."""

from django.contrib import admin

from .access_log import PersonalDataAdminMixin
from .models import (
    CorrectionRequest,
    Dossier,
    DossierEvent,
    Guidance,
    LetterTemplate,
    PersonalDataAccess,
    RetentionRun,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
