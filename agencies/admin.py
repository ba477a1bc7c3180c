from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.text import search_key, search_terms

from .models import Agency, CalendarDay


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to", "successor")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent", "successor")

    def get_search_results(self, request, queryset, search_term):
        """Accents optional: "Vinh Bao" finds "Vĩnh Bảo" (agencies are few: filtered in Python)."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        terms = search_terms(search_term)
        if terms:
            matching = [
                a.pk
                for a in queryset.only("pk", "code", "name", "short_name")
                if all(t in search_key(f"{a.code} {a.name} {a.short_name}") for t in terms)
            ]
            results = results | queryset.filter(pk__in=matching)
        return results, duplicates

    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "kind", "parent")}),
        (_("Contact"), {"fields": ("address", "phone", "email")}),
        (_("Validity"), {"fields": ("valid_from", "valid_to", "successor")}),
        (_("Working calendar"), {"fields": ("working_sessions", "working_weekdays", "same_day_cutoff")}),
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "agency", "note")
    list_filter = ("kind", "agency")
    date_hierarchy = "date"
    autocomplete_fields = ("agency",)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["title"] = format_html(
            '{} · <a href="{}">{}</a>', _("Calendar days"), reverse("agencies:calendar"), _("Year view")
        )
        return super().changelist_view(request, extra_context)
