"""Writes of electronic results: attach a draft, sign it, correct a signed result.

Each function takes keyword-only arguments, works inside the caller's transaction (the officer's
submit, the leader's approve) and raises django ValidationError with a translated message on bad
input, so the caller's transaction rolls back and nothing is half-done. Rows are only ever added.
Files are written to the private storage before the row; a rolled-back transaction leaves an
unreferenced file under a random name, never served.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ResultKind, ResultState
from .models import ResultDocument, ResultTemplate, SigningCredential
from .pdf import render_pdf
from .signing import SignatureBlock, SigningFailed, credential_signer, sign_pdf, timestamper
from .verification import sha256_hex

logger = logging.getLogger(__name__)

# Administrator-edited template bodies: default tags and filters only, autoescaped, over plain facts.
_ENGINE = Engine(autoescape=True, libraries={}, builtins=[])


# ----- facts and rendering -----------------------------------------------------------------------


def result_facts(dossier, *, number: str) -> dict:
    """What a result template may say: plain values, nothing that reaches the database."""
    today = timezone.localdate()
    received = timezone.localtime(dossier.received_at)
    return {
        "applicant_name": dossier.applicant_name,
        "procedure_name": dossier.procedure_version.name,
        "procedure_code": dossier.procedure.code,
        "dossier_code": dossier.code,
        "agency_name": dossier.competent_agency.name,
        "received_date": f"{received:%d/%m/%Y}",
        "result_date": f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        "number": number,
    }


def _default_number(dossier) -> str:
    return f"{dossier.code}/KQ"


def _document_context(dossier, *, number: str) -> dict:
    from dossiers.views_print import place_date

    agency = dossier.competent_agency
    return {
        "dossier": dossier,
        "agency": agency,
        "parent_name": agency.parent.name if agency.parent_id else "",
        "place_date": place_date(agency),
        "number": number,
        "facts": result_facts(dossier, number=number),
    }


def active_result_template(dossier) -> ResultTemplate | None:
    return ResultTemplate.objects.filter(procedure_id=dossier.procedure_id, active=True).order_by("-version").first()


def generate_result_pdf(dossier, *, number: str) -> tuple[bytes, ResultKind, str]:
    """The procedure's template if the administrator keeps one, else the generic result notice."""
    context = _document_context(dossier, number=number)
    template = active_result_template(dossier)
    if template is not None:
        try:
            body = _ENGINE.from_string(template.body).render(Context(context["facts"]))
        except TemplateSyntaxError as exc:
            raise ValidationError(
                _("The result template of this procedure has an error: %(error)s") % {"error": exc}
            ) from exc
        context.update(title=template.title, body=body)
        pdf = render_pdf("results/result_document.html", context)
        return pdf, ResultKind.TEMPLATE, f"{dossier.procedure.code}@v{template.version}"
    pdf = render_pdf("results/generic_notice.html", context)
    return pdf, ResultKind.GENERIC, settings.RESULTS_GENERIC_TEMPLATE_VERSION


def check_uploaded_pdf(data: bytes) -> None:
    """A PDF made elsewhere (the civil-status software): a readable, unencrypted PDF of sane size."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    limit = getattr(settings, "RESULTS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    if not data:
        raise ValidationError(_("The result file is empty."))
    if len(data) > limit:
        raise ValidationError(_("The result file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)})
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationError(_("The result must be a PDF file."))
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted:
            raise ValidationError(_("The result PDF is password-protected: upload it without a password."))
        reader.root["/Pages"]
    except ValidationError:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        raise ValidationError(_("The result PDF cannot be read: it may be damaged.")) from exc


# ----- reads used by the writes ------------------------------------------------------------------


def current_signed(dossier) -> ResultDocument | None:
    """The signed version in force: the highest version (a correction always has a higher one)."""
    return ResultDocument.objects.filter(dossier=dossier, state=ResultState.SIGNED).order_by("-version").first()


def pending_draft(dossier) -> ResultDocument | None:
    """The latest draft newer than the signed version in force, not signed yet."""
    signed = current_signed(dossier)
    drafts = ResultDocument.objects.filter(dossier=dossier, state=ResultState.DRAFT)
    if signed is not None:
        drafts = drafts.filter(version__gt=signed.version)
    draft = drafts.order_by("-version", "-created_at", "-pk").first()
    if draft is None or ResultDocument.objects.filter(draft=draft, state=ResultState.SIGNED).exists():
        return None
    return draft


def result_needs_signature(*, dossier) -> bool:
    """True when a draft waits for the leader's signature (approve should then call result_sign)."""
    return pending_draft(dossier) is not None


def signing_credential_for(user) -> SigningCredential | None:
    return SigningCredential.objects.filter(user=user, active=True).first()


def signing_passphrase_needed(user) -> bool:
    """Does approving ask the leader for the PIN (a credential whose password is not kept)?"""
    credential = signing_credential_for(user)
    return credential is not None and not credential.has_stored_secret


def seal_credential_for(agency) -> SigningCredential | None:
    return SigningCredential.objects.filter(agency=agency, active=True).first()


def verify_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("results:verify", args=[token])


# ----- writes ------------------------------------------------------------------------------------


def _lock(dossier):
    from dossiers.models import Dossier

    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _check_access(dossier, by) -> None:
    from dossiers.services import can_access_dossier

    if not can_access_dossier(by, dossier):
        raise ValidationError(_("You cannot act on this dossier."))


def _create_draft(*, dossier, by, pdf_bytes, number, version, reason="") -> ResultDocument:
    if pdf_bytes is not None:
        check_uploaded_pdf(pdf_bytes)
        data, kind, template_version = pdf_bytes, ResultKind.UPLOADED, "uploaded"
    else:
        data, kind, template_version = generate_result_pdf(dossier, number=number)
    agency = dossier.competent_agency
    return ResultDocument.objects.create(
        dossier=dossier,
        number=number,
        version=version,
        kind=kind,
        state=ResultState.DRAFT,
        file=ContentFile(data, name="draft.pdf"),
        sha256=sha256_hex(data),
        size=len(data),
        template_version=template_version,
        reason=reason,
        agency=agency,
        agency_name=agency.name,
        created_by=by,
    )


def result_attach_draft(*, dossier, by, pdf_bytes: bytes | None = None, number: str = "") -> ResultDocument:
    """The officer's draft result: the uploaded PDF, else one generated from the procedure's result
    template, else the generic result notice. A later call (re-submission) adds a newer draft."""
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_access(dossier, by)
        signed = current_signed(dossier)
        version = signed.version + 1 if signed else 1
        number = (number or "").strip() or (signed.number if signed else _default_number(dossier))
        return _create_draft(dossier=dossier, by=by, pdf_bytes=pdf_bytes, number=number, version=version)


def _sign_bytes(data: bytes, *, signer, block: SignatureBlock, field_name: str) -> tuple[bytes, bool]:
    """Sign with a trusted timestamp when a TSA is configured; (signed bytes, timestamped)."""
    stamper = timestamper()
    try:
        return sign_pdf(data, signer=signer, block=block, field_name=field_name, timestamper=stamper), bool(stamper)
    except Exception as exc:
        if stamper is None:
            raise
        if getattr(settings, "RESULTS_TSA_REQUIRED", False):
            logger.warning("Time-stamping failed (%s); the result is not signed", exc)
            raise ValidationError(
                _("The time-stamping server did not answer: the result was not signed. Try again later.")
            ) from exc
        logger.warning("Time-stamping failed (%s); signing without a trusted timestamp", exc)
        return sign_pdf(data, signer=signer, block=block, field_name=field_name, timestamper=None), False


def _check_certificate(signer, *, seal: bool) -> dict:
    from .signing import certificate_facts

    facts = certificate_facts(signer.signing_cert)
    now = timezone.now()
    if now > facts["not_after"] or now < facts["not_before"]:
        if seal:
            raise ValidationError(_("The agency's seal certificate has expired or is not yet valid."))
        raise ValidationError(
            _("Your signing certificate has expired (valid until %(date)s).")
            % {"date": f"{timezone.localtime(facts['not_after']):%d/%m/%Y}"}
        )
    return facts


def _sign_draft(
    *, dossier, by, draft: ResultDocument, replaces=None, reason="", passphrase=None, seal_passphrase=None
) -> ResultDocument:
    credential = signing_credential_for(by)
    if credential is None:
        raise ValidationError(_("You have no signing certificate. Ask the administrator to set one up."))
    seal_credential = seal_credential_for(dossier.competent_agency)
    if seal_credential is not None and not (seal_passphrase or seal_credential.has_stored_secret):
        raise ValidationError(_("The agency's seal needs its password or PIN."))
    with draft.file.open("rb") as fh:
        data = fh.read()
    if sha256_hex(data) != draft.sha256:
        raise ValidationError(_("The draft result file does not match its fingerprint: it cannot be signed."))

    signed_at = timezone.now()
    token = secrets.token_urlsafe(18)
    block = SignatureBlock(
        signer_name=by.get_full_name() or by.username,
        signer_title=by.job_title,
        agency_name=dossier.competent_agency.name,
        signed_at=signed_at,
        verify_url=verify_url(token),
        number=draft.number,
    )
    try:
        with credential_signer(credential, passphrase) as signer:
            cert = _check_certificate(signer, seal=False)
            data, timestamped = _sign_bytes(data, signer=signer, block=block, field_name="ChuKyLanhDao")
        seal_subject = ""
        if seal_credential is not None:
            with credential_signer(seal_credential, seal_passphrase) as seal_signer:
                seal_subject = _check_certificate(seal_signer, seal=True)["subject"]
                seal_block = dataclasses.replace(block, seal=True, verify_url="")
                data, seal_ts = _sign_bytes(data, signer=seal_signer, block=seal_block, field_name="DauCoQuan")
                timestamped = timestamped and seal_ts
    except SigningFailed as exc:
        logger.warning("Signing failed for %s: %s", dossier.code, exc)
        raise ValidationError(_("The result could not be signed: %(error)s") % {"error": exc}) from exc

    agency = dossier.competent_agency
    try:
        with transaction.atomic():
            signed = ResultDocument.objects.create(
                dossier=dossier,
                number=draft.number,
                version=draft.version,
                kind=draft.kind,
                state=ResultState.SIGNED,
                replaces=replaces,
                draft=draft,
                file=ContentFile(data, name="signed.pdf"),
                sha256=sha256_hex(data),
                size=len(data),
                template_version=draft.template_version,
                reason=reason or draft.reason,
                agency=agency,
                agency_name=agency.name,
                signer=by,
                signer_name=block.signer_name,
                signer_title=block.signer_title,
                signed_at=signed_at,
                certificate_subject=cert["subject"][:500],
                certificate_serial=cert["serial"],
                seal_subject=seal_subject[:500],
                timestamped=timestamped,
                token=token,
                created_by=by,
            )
            # The citizen's store of papers (dossiers.papers): later dossiers reuse the result.
            from dossiers.papers import paper_file_result

            paper_file_result(result=signed, replaces=replaces)
            return signed
    except IntegrityError as exc:
        raise ValidationError(_("This result has just been signed by someone else.")) from exc


def result_sign(*, dossier, by, passphrase: str | None = None, seal_passphrase: str | None = None) -> ResultDocument:
    """Sign the latest draft with the signer's certificate (and the agency's seal where configured).
    ``passphrase`` is needed only when the credential's password/PIN is not stored."""
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_access(dossier, by)
        draft = pending_draft(dossier)
        if draft is None:
            raise ValidationError(_("There is no draft result to sign."))
        replaces = current_signed(dossier)
        return _sign_draft(
            dossier=dossier,
            by=by,
            draft=draft,
            replaces=replaces,
            passphrase=passphrase,
            seal_passphrase=seal_passphrase,
        )


def result_correct(
    *,
    dossier,
    by,
    reason: str,
    pdf_bytes: bytes | None = None,
    passphrase: str | None = None,
    seal_passphrase: str | None = None,
) -> ResultDocument:
    """A corrected result (the law allows correcting an erroneous result): a new signed version that
    replaces the one in force for the citizen; both stay in the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the correction.")]})
    with transaction.atomic():
        dossier = _lock(dossier)
        _check_access(dossier, by)
        signed = current_signed(dossier)
        if signed is None:
            raise ValidationError(_("This dossier has no signed result to correct."))
        version = (
            ResultDocument.objects.filter(dossier=dossier).aggregate(v=Max("version"))["v"] or signed.version
        ) + 1
        draft = _create_draft(
            dossier=dossier, by=by, pdf_bytes=pdf_bytes, number=signed.number, version=version, reason=reason
        )
        return _sign_draft(
            dossier=dossier,
            by=by,
            draft=draft,
            replaces=signed,
            reason=reason,
            passphrase=passphrase,
            seal_passphrase=seal_passphrase,
        )
