from django.contrib import admin

from dossiers.access_log import PersonalDataAdminMixin

from .models import Message, MessageAttempt, Notification


class AttemptInline(admin.TabularInline):
    model = MessageAttempt
    fields = ("at", "ok", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Citizens' messages carry their phone or e-mail: every page records the read."""

    list_display = ("created_at", "channel", "recipient", "reason", "state", "attempts", "dossier")
    list_filter = ("state", "channel", "reason")
    search_fields = ("recipient", "dossier__code")
    list_select_related = ("dossier",)
    readonly_fields = [f.name for f in Message._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username")
