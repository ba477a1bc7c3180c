from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from common.qr import qr_svg
from dossiers.access_log import PersonalDataAdminMixin

from .models import Campaign, Evaluation, Feedback, Question


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1
    fields = [("order", "kind", "required"), "text", "options"]
    ordering = ["order", "pk"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """An administrator builds the questionnaire here, opens it for a period and shares the link."""

    list_display = ["title", "agency", "opens_on", "closes_on", "is_open", "response_count"]
    list_filter = ["agency"]
    search_fields = ["title", "slug"]
    fields = ["title", "slug", "agency", "description", ("opens_on", "closes_on"), "access", "share"]
    readonly_fields = ["share"]
    inlines = [QuestionInline]
    autocomplete_fields = ["agency"]

    @admin.display(boolean=True, description=_("open now"))
    def is_open(self, campaign):
        return campaign.is_open

    @admin.display(description=_("responses"))
    def response_count(self, campaign):
        return campaign.responses.count()

    @admin.display(description=_("public link and QR code"))
    def share(self, campaign):
        if not campaign.pk:
            return _("Save the campaign to get its link.")
        from django.conf import settings

        url = settings.SITE_URL + reverse("surveys:survey", args=[campaign.slug])
        results = reverse("surveys:survey_results", args=[campaign.slug])
        return format_html(
            '<a href="{}">{}</a><br><a href="{}">{}</a><div style="width:160px">{}</div>',
            url,
            url,
            results,
            _("Results"),
            qr_svg(url, box_size=4),
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["slug"].required = False
        form.base_fields["slug"].help_text = _("Leave empty: it is made from the title (without accents).")
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if not obj.slug:
            obj.slug = unique_slug(obj.title)
        super().save_model(request, obj, form, change)


def unique_slug(title: str) -> str:
    """ "Khảo sát mức độ hài lòng 2026" → "khao-sat-muc-do-hai-long-2026" (Django's own slugify drops
    Vietnamese letters), made unique with a number."""
    from django.utils.text import slugify
    from unidecode import unidecode

    base = slugify(unidecode(title or ""))[:70] or "khao-sat"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    """Ratings are the citizens' words: read only."""

    list_display = ["dossier", "agency", "overall", "channel", "created_at"]
    list_filter = ["overall", "channel", "agency"]
    date_hierarchy = "created_at"


@admin.register(Feedback)
class FeedbackAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    """Handled in the staff queue (/phan-anh/xu-ly/): read only here."""

    list_display = ["pk", "agency", "source", "status", "received_at", "answer_due_at"]
    list_filter = ["status", "source", "agency"]
    date_hierarchy = "received_at"
