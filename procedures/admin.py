from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import AgencyProcedure, Field, Procedure, ProcedureVersion, RequiredDocument, WorkflowStep
from .services import procedure_refresh_search, version_is_used


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")
    search_fields = ("code", "name")


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class WorkflowStepInline(admin.TabularInline):
    model = WorkflowStep
    extra = 0
    autocomplete_fields = ("office",)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "is_active")
    list_filter = ("field", "is_active")
    search_fields = ("code", "search_text")
    readonly_fields = ("name",)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    """Versions used by a dossier are read-only: a change of the law is a new version."""

    list_display = ("procedure", "effective_from", "name", "processing_amount", "processing_unit", "verified")
    list_filter = ("procedure__field", "verified", "processing_unit")
    search_fields = ("procedure__code", "name")
    autocomplete_fields = ("procedure",)
    inlines = [RequiredDocumentInline, WorkflowStepInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and version_is_used(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and version_is_used(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        procedure_refresh_search(form.instance.procedure)
        if sum(step.share for step in form.instance.workflow_steps.all()) not in (0, 100):
            messages.warning(request, _("The workflow shares do not add up to 100%."))


@admin.register(AgencyProcedure)
class AgencyProcedureAdmin(admin.ModelAdmin):
    list_display = ("agency", "procedure", "enabled", "shortened_amount", "shortened_unit", "processing_office")
    list_filter = ("agency", "enabled")
    search_fields = ("procedure__code", "procedure__name")
    autocomplete_fields = ("agency", "procedure", "processing_office")
