"""Is this PDF a genuine signed result? pyHanko's validation against the configured trust roots.

Trust roots are settings.RESULTS_TRUST_ROOTS (PEM files, several certificates each allowed); CRLs
are read from settings.RESULTS_CRLS (DER or PEM files: desks are offline) and, with
RESULTS_REVOCATION_FETCH, fetched from the certificates' distribution points. The answer for a
citizen is plain: every signature intact, covering the whole file, by a trusted, unexpired and
unrevoked certificate.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass
class SignatureCheck:
    field_name: str
    signer_name: str
    signer_subject: str
    signed_at: datetime | None
    timestamp_at: datetime | None
    intact: bool
    trusted: bool
    revoked: bool
    expired: bool
    whole_file: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class VerificationReport:
    sha256: str
    size: int
    signatures: list[SignatureCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems and all(s.ok for s in self.signatures)

    @property
    def all_problems(self) -> list[str]:
        seen, out = set(), []
        for problem in [*self.problems, *(p for s in self.signatures for p in s.problems)]:
            if problem not in seen:
                seen.add(problem)
                out.append(problem)
        return out


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_certs(paths) -> list:
    from pyhanko.keys import load_certs_from_pemder_data

    certs = []
    for path in paths or ():
        try:
            certs.extend(load_certs_from_pemder_data(Path(path).read_bytes()))
        except OSError:
            logger.warning("Trust root %s cannot be read", path)
    return certs


def _load_crls(paths) -> list[bytes]:
    from asn1crypto import pem

    crls = []
    for path in paths or ():
        try:
            data = Path(path).read_bytes()
        except OSError:
            logger.warning("CRL %s cannot be read", path)
            continue
        if pem.detect(data):
            crls.extend(der for _type, _headers, der in pem.unarmor(data, multiple=True))
        else:
            crls.append(data)
    return crls


def validation_context():
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=_load_certs(getattr(settings, "RESULTS_TRUST_ROOTS", [])),
        crls=_load_crls(getattr(settings, "RESULTS_CRLS", [])),
        allow_fetching=getattr(settings, "RESULTS_REVOCATION_FETCH", False),
        revocation_mode=getattr(settings, "RESULTS_REVOCATION_MODE", "soft-fail"),
    )


def _signer_name(cert) -> str:
    try:
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    except Exception:  # noqa: BLE001 - a malformed name is shown as unknown
        return ""


def _check(embedded, vc) -> SignatureCheck:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    key_usage = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False)
    status = validate_pdf_signature(embedded, signer_validation_context=vc, key_usage_settings=key_usage)
    cert = status.signing_cert
    indic = getattr(status.trust_problem_indic, "name", "") if status.trust_problem_indic else ""
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    moment = status.validation_time or datetime.now(tz=not_after.tzinfo)
    expired = "EXPIRED" in indic or moment > not_after or moment < not_before
    ts = status.timestamp_validity
    check = SignatureCheck(
        field_name=embedded.field_name,
        signer_name=_signer_name(cert),
        signer_subject=cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
        timestamp_at=ts.timestamp if ts is not None else None,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        revoked=bool(status.revoked),
        expired=expired,
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )
    if not check.intact:
        check.problems.append(_("The document was changed after it was signed: the signature does not match."))
    if not check.intact:
        pass  # nothing else can be trusted about a signature that does not match
    elif check.revoked:
        check.problems.append(_("The signer's certificate has been revoked."))
    elif check.expired:
        check.problems.append(_("The signer's certificate has expired or is not yet valid."))
    elif not check.trusted:
        if indic == "NO_CERTIFICATE_CHAIN_FOUND" or status.validation_path is None:
            check.problems.append(_("The signer's certificate was not issued by a trusted certification authority."))
        else:
            check.problems.append(_("The signer's certificate could not be verified."))
    if ts is not None and not (ts.valid and ts.intact and ts.trusted):
        check.problems.append(_("The trusted timestamp could not be verified."))
    if check.intact and not check.whole_file and not status.bottom_line:
        check.problems.append(_("The document was changed after it was signed."))
    return check


def verify_pdf(data: bytes) -> VerificationReport:
    """Check every signature of a PDF. Never raises on bad input: the report says what is wrong."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    report = VerificationReport(sha256=sha256_hex(data), size=len(data))
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        logger.info("Unreadable PDF in verification: %s", exc)
        report.problems.append(_("This file is not a readable PDF."))
        return report
    if not embedded:
        report.problems.append(_("This file carries no digital signature."))
        return report
    vc = validation_context()
    for sig in embedded:
        try:
            report.signatures.append(_check(sig, vc))
        except Exception as exc:  # noqa: BLE001 - a broken signature is reported, not raised
            logger.info("Signature %s cannot be validated: %s", sig.field_name, exc)
            report.problems.append(_("A signature in this file is damaged and cannot be checked."))
    last = embedded[-1]
    try:
        if last.coverage is not None and last.coverage.name != "ENTIRE_FILE":
            report.problems.append(_("Something was added to the document after its last signature."))
    except Exception:  # noqa: BLE001
        pass
    return report
