from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo_users
from agencies.demo import seed_demo_agencies
from demo.signing import seed_demo_signing
from dossiers.demo import seed_demo_dossiers
from procedures.demo import seed_demo_procedures


class Command(BaseCommand):
    help = "Create (or refresh) the demo province, communes, offices, users, catalogue and dossiers. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password of every demo user.")

    def handle(self, *args, password, **options):
        with transaction.atomic():
            agencies = seed_demo_agencies()
            seed_demo_users(agencies, password=password)
            seed_demo_procedures(agencies=agencies, stdout=self.stdout)
            seed_demo_dossiers(stdout=self.stdout)
            # After the dossiers: their approvals lie in the past, before the test CA's certificates.
            seed_demo_signing(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(agencies)} agencies."))
        self.stdout.write(f"Demo logins (password for all: {password}):")
        for username, _full_name, role, agency_code, _title in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {role.label:<22} {agencies[agency_code].name}")
