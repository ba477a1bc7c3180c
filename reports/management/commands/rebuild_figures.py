from django.core.management.base import BaseCommand

from reports.summaries import figures_rebuild


class Command(BaseCommand):
    help = "Recompute the report summary from the dossiers (after a bulk load, or to repair it)."

    def handle(self, *args, **options):
        self.stdout.write(f"{figures_rebuild()} summary cells written.")
