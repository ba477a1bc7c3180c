"""Demo catalogue: the 80 real commune procedures of procedures/seed/commune_procedures.json."""

import json
from datetime import date
from pathlib import Path

from .models import Procedure
from .services import agency_procedure_configure, catalog_apply

SEED_FILE = Path(__file__).resolve().parent / "seed" / "commune_procedures.json"
# Decree 118/2025 and the two-level local government: the catalogue as published from 1 July 2025.
EFFECTIVE_FROM = date(2025, 7, 1)
# Which office of the demo communes processes each field (office code suffix).
OFFICE_BY_FIELD = dict.fromkeys(("DD", "DKBD", "XD", "HKD", "TSKN", "TNN", "TS", "TT", "PCTT", "LTHH", "THT"), ".04")
DEFAULT_OFFICE = ".03"


def load_seed():
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def seed_demo_procedures(*, agencies, stdout=None):
    data = load_seed()
    records = []
    for position, item in enumerate(data["procedures"], start=1):
        record = {**item, "effective_from": EFFECTIVE_FROM}
        records.append((f"seed #{position}", record))
    report = catalog_apply(records, fields=data["fields"])
    communes = [a for a in agencies.values() if a.kind == "commune"]
    for commune in communes:
        for procedure in Procedure.objects.select_related("field"):
            office_code = commune.code + OFFICE_BY_FIELD.get(procedure.field.code, DEFAULT_OFFICE)
            # A demo commitment: Vĩnh Bảo promises one working day less than the law where it gives 3+.
            shortened = None
            version = procedure.version_on()
            if (
                commune.code == "H31.101"
                and version is not None
                and version.processing_unit == "working_days"
                and version.processing_amount is not None
                and version.processing_amount >= 3
            ):
                shortened = {"amount": int(version.processing_amount) - 1, "unit": "working_days"}
            agency_procedure_configure(
                agency=commune,
                procedure=procedure,
                shortened_time=shortened,
                processing_office=agencies.get(office_code),
            )
    if stdout is not None:
        stdout.write(
            f"Catalogue: {len(report.created)} new, {len(report.new_versions) + len(report.updated)} changed, "
            f"{len(report.unchanged)} unchanged procedures."
        )
    return report
