from django.core.management.base import BaseCommand

from dossiers.retention import retention_sweep


class Command(BaseCommand):
    help = (
        "Remove or blank the personal data whose retention period has passed (the nightly job's code); "
        "what is removed is logged in RetentionRun."
    )

    def handle(self, *args, **options):
        for kind, count in retention_sweep().items():
            self.stdout.write(f"{kind}: {count}")
