from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the whole database from a backup_db file. Everything written since is lost."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path, yes, **options):
        if not yes:
            answer = input(f"Replace the whole database with {path}? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled.")
        try:
            restore(Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored from {path}.")
