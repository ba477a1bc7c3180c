from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from results.testca import DEFAULT_CRL_BASE_URL, DEFAULT_PASSWORD, MARK, make_test_ca


class Command(BaseCommand):
    help = f"Generate the test certificate authority under var/test-ca/ ({MARK})."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.RESULTS_TEST_CA_DIR))
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--crl-base-url", default=DEFAULT_CRL_BASE_URL)
        parser.add_argument("--agency-name", default="UBND xã Vĩnh Bảo")
        parser.add_argument("--leader-name", default="Trần Văn Lãnh")

    def handle(self, *args, **options):
        out = Path(options["output"])
        files = make_test_ca(
            out,
            password=options["password"],
            crl_base_url=options["crl_base_url"],
            agency_name=options["agency_name"],
            leader_name=options["leader_name"],
        )
        self.stdout.write(self.style.WARNING(f"TEST CERTIFICATE AUTHORITY - {MARK}"))
        for name in sorted(files):
            self.stdout.write(f"  {files[name]}")
        self.stdout.write(f"PKCS#12 password: {options['password']}")
        self.stdout.write(
            "Trust it for the demo only: RESULTS_TRUST_ROOTS="
            f"{out / 'root.pem'}  RESULTS_CRLS={out / 'root.crl'},{out / 'intermediate.crl'}"
        )
