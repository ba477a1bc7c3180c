"""python manage.py generate_load_data --dossiers 1000000 --agencies 100 [--years 2] [--seed 1] [--reset]

Fills the database with a province of N communes and realistic dossiers for the benchmark (bench/).
PostgreSQL: COPY in batches; SQLite: bulk inserts, at most 20,000 dossiers. See demo/loadgen.py."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.loadgen import LoadError, Options, generate


class Command(BaseCommand):
    help = "Generate load data: a province, its communes, staff, the catalogue and many dossiers (benchmark)."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=1_000_000)
        parser.add_argument("--agencies", type=int, default=100, help="Number of communes.")
        parser.add_argument("--years", type=float, default=2.0, help="How far back the dossiers go.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--open-share", type=float, default=0.07, help="Share of dossiers still open now (default 0.07)."
        )
        parser.add_argument("--batch", type=int, default=50_000, help="Dossiers per COPY batch.")
        parser.add_argument("--reset", action="store_true", help="Empty the dossier tables first.")

    def handle(self, *args, dossiers, agencies, years, seed, open_share, batch, reset, **options):
        if dossiers < 1 or agencies < 1 or not 0 <= open_share <= 0.5:
            raise CommandError("Give --dossiers ≥ 1, --agencies ≥ 1 and 0 ≤ --open-share ≤ 0.5.")
        started = time.monotonic()
        try:
            result = generate(
                Options(
                    dossiers=dossiers,
                    agencies=agencies,
                    years=years,
                    seed=seed,
                    open_share=open_share,
                    batch=batch,
                    reset=reset,
                ),
                stdout=self.stdout,
            )
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        from reports.summaries import figures_rebuild

        figures_started = time.monotonic()
        cells = figures_rebuild()  # the report summary of the bulk-loaded dossiers
        self.stdout.write(f"Report summary: {cells:,} cells in {time.monotonic() - figures_started:.1f}s.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Load data ready: {dossiers:,} dossiers in {time.monotonic() - started:.1f}s "
                f"({result['written']['event']:,} history rows)."
            )
        )
