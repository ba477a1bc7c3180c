from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from dossiers.access_log import PersonalDataAdminMixin

from .models import OutboxAttempt, OutboxRecord, PortalProcedureCode, PortalStatusMapping, WebhookSubscriber
from .services import outbox_resend


@admin.register(PortalStatusMapping)
class PortalStatusMappingAdmin(admin.ModelAdmin):
    list_display = ("status", "portal_code", "label", "unconfirmed")
    list_editable = ("portal_code", "unconfirmed")
    list_filter = ("unconfirmed",)


@admin.register(PortalProcedureCode)
class PortalProcedureCodeAdmin(admin.ModelAdmin):
    list_display = ("procedure_code", "portal_code", "note")
    search_fields = ("procedure_code", "portal_code")


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "event_types", "active", "include_personal_data")
    list_filter = ("active",)


class AttemptInline(admin.TabularInline):
    model = OutboxAttempt
    fields = ("at", "ok", "error_code", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Resend the selected records"))
def resend(modeladmin, request, queryset):
    count = outbox_resend(by=request.user, record_ids=list(queryset.values_list("pk", flat=True)))
    messages.success(request, _("%(count)s records will be sent again.") % {"count": count})


@admin.register(OutboxRecord)
class OutboxRecordAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "dossier_code", "event_number", "service", "stream", "state", "attempts", "sent_at")
    list_filter = ("target", "state", "service")
    search_fields = ("dossier_code",)
    readonly_fields = [f.name for f in OutboxRecord._meta.fields]
    inlines = [AttemptInline]
    actions = [resend]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxAttempt)
class OutboxAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "record", "ok", "error_code", "detail")
    list_filter = ("ok",)
    readonly_fields = ("record", "at", "ok", "error_code", "detail")
