"""A test certificate authority for the demo and the tests. NOT FOR PRODUCTION.

Writes under one folder (var/test-ca/ by default):

- ``root.pem`` / ``intermediate.pem``: the trust root and the issuing CA (RESULTS_TRUST_ROOTS);
- ``root.crl`` / ``intermediate.crl``: DER CRLs (RESULTS_CRLS); the intermediate's lists ``revoked``;
- ``leader.p12``, ``seal.p12``: a leader's and an agency seal's signing certificates;
- ``expired.p12`` (expired yesterday), ``revoked.p12`` (listed in the CRL);
- ``tsa.p12``: the stand-in time-stamping authority (extended key usage timeStamping, critical);
- ``other-root.pem`` and ``other.p12``: a second CA nobody trusts.

Every subject says NOT FOR PRODUCTION. Every PKCS#12 file has the same password (``password``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MARK = "NOT FOR PRODUCTION"
DEFAULT_PASSWORD = "motcua-test-ca"
DEFAULT_CRL_BASE_URL = "http://127.0.0.1:8079/crl/"


@dataclass
class Issued:
    name: str
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _name(common_name: str, organization: str = "Một Cửa TEST") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key(key_size: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def _cdp(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)], relative_name=None, reasons=None, crl_issuer=None
            )
        ]
    )


def _issue(
    *,
    subject: x509.Name,
    key,
    issuer: Issued | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    ca: bool = False,
    path_length: int | None = None,
    crl_url: str | None = None,
    tsa: bool = False,
) -> x509.Certificate:
    issuer_name = issuer.cert.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if ca:
        usage = {"key_cert_sign": True, "crl_sign": True}
    elif tsa:
        usage = {"digital_signature": True}
    else:
        usage = {"digital_signature": True, "content_commitment": True}
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags.update(usage)
    builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if crl_url:
        builder = builder.add_extension(_cdp(crl_url), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _crl(issuer: Issued, revoked: list[x509.Certificate], now: dt.datetime) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=365))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(now - dt.timedelta(minutes=1))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256())


def _write_p12(path: Path, item: Issued, chain: list[x509.Certificate], password: str) -> None:
    data = pkcs12.serialize_key_and_certificates(
        name=item.name.encode(),
        key=item.key,
        cert=item.cert,
        cas=chain,
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
    )
    path.write_bytes(data)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_test_ca(
    out_dir: Path,
    *,
    password: str = DEFAULT_PASSWORD,
    crl_base_url: str = DEFAULT_CRL_BASE_URL,
    agency_name: str = "UBND xã Vĩnh Bảo",
    leader_name: str = "Trần Văn Lãnh",
    key_size: int = 2048,
    now: dt.datetime | None = None,
) -> dict[str, Path]:
    """Generate the whole test PKI under out_dir; returns the written files by name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.UTC)
    year = dt.timedelta(days=365)

    root_key = _key(key_size)
    root = Issued(
        "root",
        _issue(
            subject=_name(f"Một Cửa TEST Root CA - {MARK}"),
            key=root_key,
            issuer=None,
            not_before=now - dt.timedelta(days=1),
            not_after=now + 10 * year,
            ca=True,
        ),
        root_key,
    )
    inter_key = _key(key_size)
    inter = Issued(
        "intermediate",
        _issue(
            subject=_name(f"Một Cửa TEST Issuing CA - {MARK}"),
            key=inter_key,
            issuer=root,
            not_before=now - dt.timedelta(days=1),
            not_after=now + 5 * year,
            ca=True,
            path_length=0,
            crl_url=crl_base_url + "root.crl",
        ),
        inter_key,
    )

    def leaf(name, common_name, *, organization="Một Cửa TEST", not_before=None, not_after=None, tsa=False, by=inter):
        key = _key(key_size)
        cert = _issue(
            subject=_name(common_name, organization),
            key=key,
            issuer=by,
            not_before=not_before or now - dt.timedelta(days=1),
            not_after=not_after or now + 2 * year,
            crl_url=crl_base_url + "intermediate.crl" if by is inter else None,
            tsa=tsa,
        )
        return Issued(name, cert, key)

    leader = leaf("leader", f"{leader_name} (TEST - {MARK})", organization=agency_name)
    seal = leaf("seal", f"{agency_name} (TEST SEAL - {MARK})", organization=agency_name)
    expired = leaf(
        "expired",
        f"Chứng thư đã hết hạn (TEST - {MARK})",
        not_before=now - 2 * year,
        not_after=now - dt.timedelta(days=1),
    )
    revoked = leaf("revoked", f"Chứng thư đã bị thu hồi (TEST - {MARK})")
    tsa = leaf("tsa", f"Một Cửa TEST Time-Stamping Authority - {MARK}", tsa=True)

    other_key = _key(key_size)
    other_root = Issued(
        "other-root",
        _issue(
            subject=_name(f"Another TEST CA nobody trusts - {MARK}", "Untrusted TEST"),
            key=other_key,
            issuer=None,
            not_before=now - dt.timedelta(days=1),
            not_after=now + 10 * year,
            ca=True,
        ),
        other_key,
    )
    other = leaf("other", f"Người ký CA lạ (TEST - {MARK})", organization="Untrusted TEST", by=other_root)

    files: dict[str, Path] = {}

    def write(name: str, data: bytes) -> None:
        path = out_dir / name
        path.write_bytes(data)
        files[name] = path

    write("root.pem", _pem(root.cert))
    write("intermediate.pem", _pem(inter.cert))
    write("other-root.pem", _pem(other_root.cert))
    write("root.crl", _crl(root, [], now).public_bytes(serialization.Encoding.DER))
    write("intermediate.crl", _crl(inter, [revoked.cert], now).public_bytes(serialization.Encoding.DER))
    for item in (leader, seal, expired, revoked, tsa):
        _write_p12(out_dir / f"{item.name}.p12", item, [inter.cert, root.cert], password)
        files[f"{item.name}.p12"] = out_dir / f"{item.name}.p12"
    _write_p12(out_dir / "other.p12", other, [other_root.cert], password)
    files["other.p12"] = out_dir / "other.p12"
    write(
        "README.txt",
        (
            f"TEST CERTIFICATE AUTHORITY - {MARK}.\n"
            "Generated by `python manage.py make_test_ca` for the demo and the tests.\n"
            f"Every .p12 file's password: {password}\n"
            "Never trust root.pem outside a test or demo machine.\n"
        ).encode(),
    )
    return files
