from django.contrib import admin

from .models import ManualIndicator


@admin.register(ManualIndicator)
class ManualIndicatorAdmin(admin.ModelAdmin):
    """Decision 766 indicators the system cannot measure, entered per commune and period."""

    list_display = ("agency", "code", "date_from", "date_to", "value", "entered_by", "entered_at")
    list_filter = ("code", "agency")
    search_fields = ("agency__name", "agency__code", "note")
    autocomplete_fields = ("agency",)
    readonly_fields = ("entered_by", "entered_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "code":
            from django import forms

            from .index766 import indicators_in_use

            choices = [(i.code, f"{i.code} {i.label}") for i, _group, _points in indicators_in_use() if i.manual]
            return forms.ChoiceField(choices=choices, label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        obj.entered_by, obj.entered_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
