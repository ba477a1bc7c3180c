"""Read-only admin for dossiers: state changes go through the dossier page and its services."""

from django.contrib import admin

from .models import Dossier, DossierEvent, Guidance, LetterTemplate, PersonalDataAccess


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
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("code", "procedure", "status", "received_at", "due_at", "receiving_agency", "assignee")
    list_filter = ("status", "channel", "receiving_agency")
    search_fields = ("code", "applicant_id_number")
    date_hierarchy = "received_at"
    inlines = [EventInline]
    list_select_related = ("procedure", "receiving_agency", "assignee")


@admin.register(Guidance)
class GuidanceAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "agency", "procedure", "given_by", "given_at")
    list_filter = ("kind", "agency")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "what", "subject")
    list_filter = ("what",)
    search_fields = ("subject", "user__username")


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """Administrators edit the text of the letters printed with results."""

    list_display = ("key", "name", "procedure_codes", "active")
    list_filter = ("active",)
