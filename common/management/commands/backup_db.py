from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the whole database (pg_dump custom format on PostgreSQL; a copy on SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: var/backups/motcua-YYYYmmdd-HHMMSS.dump)")

    def handle(self, *args, output=None, **options):
        path = Path(output or f"var/backups/motcua-{datetime.now():%Y%m%d-%H%M%S}.dump")
        try:
            backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path} ({path.stat().st_size} bytes)")
