from django.core.management.base import BaseCommand

from dossiers.deadlines import deadline_sweep


class Command(BaseCommand):
    help = "Run the deadline watch once: due-soon, overdue and supplement-overdue alerts (the beat task's code)."

    def handle(self, *args, **options):
        report = deadline_sweep()
        counts = report.counts()
        self.stdout.write(
            f"due soon: {counts['due_soon']}, overdue: {counts['overdue']}, "
            f"supplement overdue: {counts['supplement_overdue']}"
        )
        for kind in ("due_soon", "overdue", "supplement_overdue"):
            for code in getattr(report, kind):
                self.stdout.write(f"  {kind}: {code}")
