"""The demo signs: the test certificate authority and the demo leader's signing key.

NOT FOR PRODUCTION. ``seed_demo_signing`` makes, when they are missing, the project's test CA under
settings.RESULTS_TEST_CA_DIR (``var/test-ca/``, results.testca; the folder the development settings
already trust) and a SigningCredential for the demo ``leader`` from its ``leader.p12``, the password
kept encrypted (results.vault). Approving in ``make run`` then signs the result (PAdES) and the QR
page verifies it. Idempotent: a second run finds both and changes nothing; a CA regenerated since
(the folder was deleted) replaces the leader's credential. Skipped in production.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import User
from results.models import SigningCredential
from results.signing import SigningFailed, certificate_facts, load_pkcs12
from results.testca import DEFAULT_PASSWORD, MARK, make_test_ca
from results.vault import encrypt_secret

LEADER = "leader"
LABEL = f"Demo test CA ({MARK})"
NEEDED = ("root.pem", "root.crl", "intermediate.crl", "leader.p12")


def _leader_facts(folder: Path) -> dict | None:
    """The facts of the CA's leader certificate, or None when it is missing, unreadable or no
    longer valid (then the CA is made again)."""
    if not all((folder / name).exists() for name in NEEDED):
        return None
    try:
        facts = certificate_facts(load_pkcs12((folder / "leader.p12").read_bytes(), DEFAULT_PASSWORD).signing_cert)
    except (SigningFailed, ValueError, OSError):
        return None
    now = dt.datetime.now(dt.UTC)
    if not facts["not_before"] <= now < facts["not_after"] - dt.timedelta(days=1):
        return None
    return facts


def ensure_test_ca(folder: Path | None = None, *, leader_name: str = "") -> tuple[dict, bool]:
    """The test CA's leader certificate facts, and whether the CA was made now. The leader's
    certificate carries ``leader_name`` when it fits a common name (64 bytes with the mark)."""
    folder = Path(folder or settings.RESULTS_TEST_CA_DIR)
    facts = _leader_facts(folder)
    if facts is not None:
        return facts, False
    options = {}
    if leader_name and len(f"{leader_name} (TEST - {MARK})".encode()) <= 64:
        options["leader_name"] = leader_name
    make_test_ca(folder, **options)
    return _leader_facts(folder), True


def seed_demo_signing(*, stdout=None) -> SigningCredential | None:
    """The demo leader signs with the test CA (see the module's docstring)."""
    if getattr(settings, "PRODUCTION", False):
        if stdout is not None:
            stdout.write("Signing: production settings, no test certificate authority made.")
        return None
    leader = User.objects.filter(username=LEADER).first()
    if leader is None:
        return None
    try:  # signing draws its visible block with WeasyPrint, which needs Debian's Pango
        import weasyprint  # noqa: F401
    except OSError:
        if stdout is not None:
            stdout.write(
                "Signing: Pango is missing (apt-get install libpango-1.0-0 libpangoft2-1.0-0); results on paper."
            )
        return None
    folder = Path(settings.RESULTS_TEST_CA_DIR)
    facts, made = ensure_test_ca(folder, leader_name=leader.get_full_name() or leader.username)
    with transaction.atomic():
        current = SigningCredential.objects.select_for_update().filter(user=leader, active=True).first()
        if current is not None and current.certificate_pem == facts["pem"]:
            credential = current
        else:
            if current is not None:
                if current.label != LABEL:  # a real credential set up by an administrator: keep it
                    return current
                current.active = False
                current.save(update_fields=["active"])
            credential = SigningCredential(
                user=leader,
                label=LABEL,
                subject=facts["subject"][:500],
                not_after=facts["not_after"],
                certificate_pem=facts["pem"],
                secret_encrypted=encrypt_secret(DEFAULT_PASSWORD),
            )
            credential.pkcs12_file.save("leader.p12", ContentFile((folder / "leader.p12").read_bytes()), save=False)
            credential.save()
    if stdout is not None:
        stdout.write(
            f"Signing: '{LEADER}' signs results with the test CA in {folder}{' (made now)' if made else ''} - {MARK}."
        )
    return credential
