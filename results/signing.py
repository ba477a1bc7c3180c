"""PAdES signatures with pyHanko: keys from a PKCS#12 file or a PKCS#11 token, a visible block.

The visible block (name, title, agency, time, and the QR of the public verification page) is a
small page rendered by WeasyPrint from templates/results/signature_block.html with the vendored
Vietnamese font, imported as the signature's appearance: pyHanko's own text stamps only know the
PDF base-14 fonts (no Vietnamese) unless uharfbuzz is installed.
"""

from __future__ import annotations

import binascii
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle

from common.qr import qr_svg

from .pdf import html_to_pdf

logger = logging.getLogger(__name__)

BLOCK_WIDTH_PT = 241  # 85 mm
BLOCK_HEIGHT_PT = 91  # 32 mm
MARGIN_PT = 42  # 15 mm from the page's edges


class SigningFailed(Exception):
    """The key could not be opened or the signature could not be made (message is for staff)."""


@dataclass
class SignatureBlock:
    signer_name: str
    signer_title: str
    agency_name: str
    signed_at: datetime
    verify_url: str = ""
    number: str = ""
    seal: bool = False


class BytesPdfPage(content.ImportedPdfPage):
    """pyHanko's ImportedPdfPage, from bytes in memory instead of a file."""

    def __init__(self, data: bytes, page_ix: int = 0):
        self.data = data
        super().__init__(file_name=None, page_ix=page_ix)

    def render(self) -> bytes:
        w = self._ensure_writer
        xobj = w.import_page_as_xobject(PdfFileReader(BytesIO(self.data)), page_ix=self.page_ix)
        name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


def appearance_pdf(block: SignatureBlock) -> bytes:
    from django.template.loader import render_to_string

    html = render_to_string(
        "results/signature_block.html",
        {
            "block": block,
            "signed_at": timezone.localtime(block.signed_at),
            "qr": qr_svg(block.verify_url, box_size=4) if block.verify_url else "",
        },
    )
    return html_to_pdf(html, base_url="http://localhost/", variant=None)


def _signature_box(writer: IncrementalPdfFileWriter, slot: str) -> tuple[int, int, int, int]:
    """Bottom right of the last page for the signer, bottom left for the agency's seal."""
    page_ref, _resources = writer.prev.find_page_for_modification(-1)
    page = page_ref.get_object()
    box = page.get("/CropBox") or page.get("/MediaBox") or [0, 0, 595, 842]
    x0, y0, x1, _y1 = (float(v) for v in box)
    bottom = y0 + MARGIN_PT
    left = x0 + MARGIN_PT if slot == "seal" else x1 - MARGIN_PT - BLOCK_WIDTH_PT
    return (int(left), int(bottom), int(left + BLOCK_WIDTH_PT), int(bottom + BLOCK_HEIGHT_PT))


def sign_pdf(pdf_bytes: bytes, *, signer, block: SignatureBlock, field_name: str, timestamper=None) -> bytes:
    """An incremental PAdES signature (B-B, or B-T with a timestamper) with a visible block."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    slot = "seal" if block.seal else "signer"
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Đóng dấu" if block.seal else "Phê duyệt kết quả giải quyết hồ sơ",
        location=block.agency_name,
        name=block.signer_name,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=StaticStampStyle(background=BytesPdfPage(appearance_pdf(block)), border_width=0),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=-1, box=_signature_box(writer, slot)),
    )
    out = BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


# ----- keys --------------------------------------------------------------------------------------


def load_pkcs12(data: bytes, passphrase: str | None):
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=passphrase.encode() if passphrase else None
        )
    except ValueError as exc:
        raise SigningFailed("The PKCS#12 file cannot be opened with this password.") from exc


def certificate_facts(cert) -> dict:
    """Subject, serial, expiry and PEM of an asn1crypto certificate."""
    from asn1crypto import pem

    return {
        "subject": cert.subject.human_friendly,
        "serial": format(cert.serial_number, "X"),
        "not_after": cert["tbs_certificate"]["validity"]["not_after"].native,
        "not_before": cert["tbs_certificate"]["validity"]["not_before"].native,
        "pem": pem.armor("CERTIFICATE", cert.dump()).decode(),
    }


def credential_secret(credential, secret: str | None) -> str | None:
    """The password/PIN typed now, else the stored (encrypted) one."""
    if secret:
        return secret
    if credential.secret_encrypted:
        from .vault import SecretUnreadable, decrypt_secret

        try:
            return decrypt_secret(credential.secret_encrypted)
        except SecretUnreadable as exc:
            raise SigningFailed(str(exc)) from exc
    return None


def _pem_certs(text: str) -> list:
    if not (text or "").strip():
        return []
    from pyhanko.keys import load_certs_from_pemder_data

    return list(load_certs_from_pemder_data(text.encode()))


@contextmanager
def credential_signer(credential, secret: str | None = None) -> Iterator:
    """A pyHanko signer for a SigningCredential; a PKCS#11 session is closed afterwards."""
    secret = credential_secret(credential, secret)
    if credential.kind == "pkcs11":
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as p11

        if secret is None:
            raise SigningFailed("The token's PIN is required.")
        try:
            session = p11.open_pkcs11_session(
                credential.pkcs11_module,
                token_criteria=TokenCriteria(label=credential.pkcs11_token_label or None),
                user_pin=secret,
            )
        except Exception as exc:  # python-pkcs11 raises many kinds
            raise SigningFailed(f"The PKCS#11 token cannot be opened: {exc}") from exc
        try:
            yield p11.PKCS11Signer(
                session,
                key_label=credential.pkcs11_key_label or None,
                cert_label=credential.pkcs11_cert_label or credential.pkcs11_key_label or None,
                ca_chain=_pem_certs(credential.ca_chain_pem),
            )
        finally:
            session.close()
        return
    if not credential.pkcs12_file:
        raise SigningFailed("The credential has no PKCS#12 file.")
    with credential.pkcs12_file.open("rb") as fh:
        data = fh.read()
    yield load_pkcs12(data, secret)


def timestamper():
    """The trusted timestamp client when RESULTS_TSA_URL is set, else None."""
    url = getattr(settings, "RESULTS_TSA_URL", "")
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=getattr(settings, "RESULTS_TSA_TIMEOUT", 5))
