from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from results.testca import DEFAULT_PASSWORD, MARK
from results.tsa import make_server


class Command(BaseCommand):
    help = f"Serve a stand-in RFC 3161 time-stamping authority and the test CA's CRLs ({MARK})."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8079)
        parser.add_argument("--ca-dir", default=str(settings.RESULTS_TEST_CA_DIR))
        parser.add_argument("--password", default=DEFAULT_PASSWORD)

    def handle(self, *args, **options):
        ca_dir = Path(options["ca_dir"])
        if not (ca_dir / "tsa.p12").is_file():
            raise CommandError(f"No test CA in {ca_dir}: run `python manage.py make_test_ca` first.")
        server = make_server(options["host"], options["port"], ca_dir=ca_dir, password=options["password"])
        host, port = server.server_address[:2]
        self.stdout.write(self.style.WARNING(f"Stand-in TSA ({MARK}) on http://{host}:{port}/"))
        self.stdout.write(f"Set RESULTS_TSA_URL=http://{host}:{port}/ ; CRLs at http://{host}:{port}/crl/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
