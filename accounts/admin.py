from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApprovalDelegation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "agency", "is_active")
    list_filter = ("role", "agency", "is_active")
    autocomplete_fields = ("agency",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("One-stop desk"), {"fields": ("agency", "role", "job_title", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("One-stop desk"), {"fields": ("agency", "role", "job_title")}),
    )


@admin.register(ApprovalDelegation)
class ApprovalDelegationAdmin(admin.ModelAdmin):
    list_display = ("delegate", "agency", "valid_from", "valid_to", "decision")
    list_filter = ("agency",)
    autocomplete_fields = ("agency", "delegate")
    search_fields = ("delegate__username", "delegate__last_name", "agency__name")
