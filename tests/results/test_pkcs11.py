"""Signing with a PKCS#11 token: SoftHSM2 stands in for the USB token (skipped without it).
The private key is imported once into the soft token and never read back: pyHanko asks the token
to sign."""

import shutil
import subprocess
from pathlib import Path

import pytest

from results.testca import DEFAULT_PASSWORD
from results.verification import verify_pdf
from tests.results.conftest import read

SOFTHSM_MODULE = next(
    (
        p
        for p in ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
        if Path(p).exists()
    ),
    None,
)
PIN = "123456"
pytestmark = pytest.mark.skipif(
    SOFTHSM_MODULE is None or shutil.which("softhsm2-util") is None, reason="needs SoftHSM2 (apt-get install softhsm2)"
)


@pytest.fixture(scope="module")
def soft_token(tmp_path_factory, test_ca, monkeypatch_module):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch_module.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "motcua-test", "--pin", PIN, "--so-pin", "654321"],
        check=True,
        capture_output=True,
    )
    key, cert, _chain = pkcs12.load_key_and_certificates(
        (test_ca / "leader.p12").read_bytes(), DEFAULT_PASSWORD.encode()
    )

    import pkcs11
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    lib = pkcs11.lib(SOFTHSM_MODULE)
    token = lib.get_token(token_label="motcua-test")
    traditional = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    with token.open(rw=True, user_pin=PIN) as session:
        attrs = decode_rsa_private_key(traditional)
        attrs.update({pkcs11.Attribute.LABEL: "leader", pkcs11.Attribute.ID: b"\x01", pkcs11.Attribute.TOKEN: True})
        session.create_object(attrs)
        cert_attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
        cert_attrs.update(
            {pkcs11.Attribute.LABEL: "leader", pkcs11.Attribute.ID: b"\x01", pkcs11.Attribute.TOKEN: True}
        )
        session.create_object(cert_attrs)
    chain = (test_ca / "intermediate.pem").read_text()
    return {"module": SOFTHSM_MODULE, "token": "motcua-test", "chain": chain}


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.mark.django_db
def test_a_result_signed_on_a_pkcs11_token_verifies(soft_token, dossier, officer, leader):
    from results.models import SigningCredential
    from results.services import result_attach_draft, result_sign
    from results.vault import encrypt_secret

    SigningCredential.objects.create(
        kind="pkcs11",
        user=leader,
        pkcs11_module=soft_token["module"],
        pkcs11_token_label=soft_token["token"],
        pkcs11_key_label="leader",
        ca_chain_pem=soft_token["chain"],
        secret_encrypted=encrypt_secret(PIN),
    )
    result_attach_draft(dossier=dossier, by=officer)
    doc = result_sign(dossier=dossier, by=leader)
    report = verify_pdf(read(doc))
    assert report.ok, report.all_problems
    assert "NOT FOR PRODUCTION" in doc.certificate_subject


@pytest.mark.django_db
def test_a_wrong_pin_is_a_clear_error(soft_token, dossier, officer, leader):
    from django.core.exceptions import ValidationError

    from results.models import SigningCredential
    from results.services import result_attach_draft, result_sign

    SigningCredential.objects.create(
        kind="pkcs11",
        user=leader,
        pkcs11_module=soft_token["module"],
        pkcs11_token_label=soft_token["token"],
        pkcs11_key_label="leader",
    )
    result_attach_draft(dossier=dossier, by=officer)
    with pytest.raises(ValidationError):
        result_sign(dossier=dossier, by=leader, passphrase="000000")
