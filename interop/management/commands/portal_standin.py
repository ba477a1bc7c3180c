from django.core.management.base import BaseCommand

from interop.portal import DEFAULTS
from interop.standin import StandinPortal


class Command(BaseCommand):
    help = "Run the stand-in national portal (interop/standin.py) in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--data-dir", default="var/portal-standin")
        parser.add_argument("--client-id", default=DEFAULTS["PORTAL_CLIENT_ID"])
        parser.add_argument("--client-secret", default=DEFAULTS["PORTAL_CLIENT_SECRET"])
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, **options):
        portal = StandinPortal(
            host=options["host"],
            port=options["port"],
            data_dir=options["data_dir"],
            client_id=options["client_id"],
            client_secret=options["client_secret"],
            verbose=not options["quiet"],
        )
        self.stdout.write(f"Stand-in portal on {portal.url} (API {portal.api_url}, token {portal.token_url})")
        try:
            portal.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            portal.server.server_close()
