"""python manage.py survey_links SLUG --count N: make N one-time links to a campaign and print them
(one per line), to print on receipts or send. Only their digests are stored: print them now."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from surveys.models import Campaign
from surveys.services import invitations_issue


class Command(BaseCommand):
    help = "Make one-time links to a survey campaign and print them."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--count", type=int, default=1)

    def handle(self, *args, slug, count, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign has the link name {slug!r}.")
        try:
            tokens = invitations_issue(campaign=campaign, count=count)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        base = settings.SITE_URL + reverse("surveys:survey", args=[campaign.slug])
        for token in tokens:
            self.stdout.write(f"{base}?t={token}")
