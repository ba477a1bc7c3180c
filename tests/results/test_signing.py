"""Sign, verify, tamper, correct: the result document's life with the project's test CA."""

import dataclasses

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from results.choices import ResultKind, ResultState
from results.models import ResultDocument, ResultTemplate
from results.selectors import result_api_items, result_list
from results.services import result_attach_draft, result_correct, result_sign
from results.signing import SignatureBlock, load_pkcs12, sign_pdf
from results.testca import DEFAULT_PASSWORD
from results.verification import sha256_hex, verify_pdf
from tests.results.conftest import make_credential, read


def _flip_byte(data: bytes, where: float = 0.4) -> bytes:
    i = int(len(data) * where)
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


def _sign_with(test_ca, name: str, pdf: bytes) -> bytes:
    signer = load_pkcs12((test_ca / f"{name}.p12").read_bytes(), DEFAULT_PASSWORD)
    block = SignatureBlock("Người ký thử", "Chức vụ", "UBND xã Một", timezone.now(), "http://testserver/x/")
    return sign_pdf(pdf, signer=signer, block=block, field_name="Sig")


@pytest.mark.django_db
def test_sign_then_verify_is_valid(dossier, officer, signing_leader):
    # Given a generic draft attached at the officer's submit
    with transaction.atomic():
        draft = result_attach_draft(dossier=dossier, by=officer)
    assert draft.state == ResultState.DRAFT and draft.kind == ResultKind.GENERIC
    # When the leader approves and signs
    with transaction.atomic():
        doc = result_sign(dossier=dossier, by=signing_leader)
    # Then the stored file is what the row says, and it verifies against the test CA
    data = read(doc)
    assert doc.state == ResultState.SIGNED and doc.draft == draft and doc.version == 1
    assert sha256_hex(data) == doc.sha256 and len(data) == doc.size
    assert doc.signer == signing_leader and doc.signer_name == "Nguyễn Thị Lan"
    assert doc.signer_title == "Chủ tịch UBND xã" and doc.signed_at is not None and doc.token
    assert "NOT FOR PRODUCTION" in doc.certificate_subject
    report = verify_pdf(data)
    assert report.ok, report.all_problems
    [sig] = report.signatures
    assert sig.trusted and sig.intact and sig.whole_file and not sig.revoked and not sig.expired
    assert "NOT FOR PRODUCTION" in sig.signer_name


@pytest.mark.django_db
def test_one_changed_byte_is_invalid(signed):
    data = read(signed)
    report = verify_pdf(_flip_byte(data))
    assert not report.ok
    assert any("bị thay đổi sau khi ký" in p for p in report.all_problems), report.all_problems


@pytest.mark.django_db
def test_bytes_appended_after_signing_are_reported(signed):
    report = verify_pdf(read(signed) + b"\n%% appended\n")
    assert not report.ok
    assert any("được thêm vào" in p or "bị thay đổi" in p for p in report.all_problems), report.all_problems


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "reason", "flag"),
    [
        ("other", "không do tổ chức chứng thực tin cậy cấp", None),
        ("expired", "đã hết hạn", "expired"),
        ("revoked", "đã bị thu hồi", "revoked"),
    ],
)
def test_untrusted_expired_and_revoked_certificates_are_invalid_with_the_reason(test_ca, signed, name, reason, flag):
    unsigned = read(signed.draft)
    report = verify_pdf(_sign_with(test_ca, name, unsigned))
    assert not report.ok
    [sig] = report.signatures
    assert sig.intact  # the bytes are fine: the certificate is the problem
    assert any(reason in p for p in report.all_problems), report.all_problems
    if flag:
        assert getattr(sig, flag)


@pytest.mark.django_db
def test_the_same_revoked_signature_is_valid_if_the_crl_is_not_known(test_ca, signed, settings):
    """The revoked verdict comes from the test CA's CRL, not from something else."""
    settings.RESULTS_CRLS = [str(test_ca / "root.crl")]
    report = verify_pdf(_sign_with(test_ca, "revoked", read(signed.draft)))
    assert report.ok, report.all_problems


@pytest.mark.django_db
def test_signing_refuses_an_expired_certificate(dossier, officer, leader, test_ca):
    make_credential(test_ca=test_ca, name="expired", user=leader)
    result_attach_draft(dossier=dossier, by=officer)
    with pytest.raises(ValidationError, match="đã hết hạn"):
        result_sign(dossier=dossier, by=leader)
    assert not ResultDocument.objects.filter(state=ResultState.SIGNED).exists()


@pytest.mark.django_db
def test_the_agency_seal_signs_too(dossier, officer, signing_leader, test_ca):
    make_credential(test_ca=test_ca, name="seal", agency=dossier.competent_agency)
    result_attach_draft(dossier=dossier, by=officer)
    doc = result_sign(dossier=dossier, by=signing_leader)
    report = verify_pdf(read(doc))
    assert report.ok, report.all_problems
    assert len(report.signatures) == 2 and "SEAL" in report.signatures[1].signer_name
    assert "SEAL" in doc.seal_subject


@pytest.mark.django_db
def test_a_correction_is_a_new_signed_version_and_keeps_both(signed, dossier, signing_leader, client):
    # When the result is corrected
    corrected = result_correct(dossier=dossier, by=signing_leader, reason="Sai ngày sinh")
    # Then both signed versions are kept, the old one superseded
    assert corrected.version == 2 and corrected.replaces == signed and corrected.number == signed.number
    assert corrected.reason == "Sai ngày sinh" and corrected.sha256 != signed.sha256
    versions = list(result_list(dossier))
    assert [(d.version, d.current_state) for d in versions] == [(1, "superseded"), (2, "signed")]
    assert verify_pdf(read(signed)).ok and verify_pdf(read(corrected)).ok
    # The old QR page says it was replaced and points to the version in force
    page = client.get(f"/kiem-tra-ket-qua/{signed.token}/")
    assert page.status_code == 200
    assert page.context["doc"].superseded and page.context["replacement"] == corrected
    # The API items list both
    items = result_api_items(dossier)
    assert [(i["version"], i["superseded"]) for i in items] == [(1, True), (2, False)]
    assert set(items[0]) >= {"number", "url", "sha256", "signer", "signed_at"}


@pytest.mark.django_db
def test_a_correction_needs_a_reason_and_a_signed_result(dossier, signing_leader):
    with pytest.raises(ValidationError):
        result_correct(dossier=dossier, by=signing_leader, reason="  ")
    with pytest.raises(ValidationError, match="chưa có kết quả đã ký"):
        result_correct(dossier=dossier, by=signing_leader, reason="x")


@pytest.mark.django_db
def test_result_rows_are_append_only(signed):
    signed.number = "changed"
    with pytest.raises(PermissionError):
        signed.save()
    with pytest.raises(PermissionError):
        ResultDocument.objects.filter(pk=signed.pk).update(number="x")
    with pytest.raises(PermissionError):
        signed.delete()


@pytest.mark.django_db
def test_no_credential_or_no_draft_is_a_clear_error(dossier, officer, leader, signing_leader):
    with pytest.raises(ValidationError, match="Chưa có dự thảo kết quả"):
        result_sign(dossier=dossier, by=signing_leader)
    result_attach_draft(dossier=dossier, by=officer)
    other = leader.__class__.objects.create(username="leader-no-key", role="leader", agency=leader.agency)
    with pytest.raises(ValidationError, match="chưa có chứng thư ký số"):
        result_sign(dossier=dossier, by=other)


@pytest.mark.django_db
def test_a_draft_is_signed_once(signed, dossier, signing_leader):
    with pytest.raises(ValidationError, match="Chưa có dự thảo kết quả"):
        result_sign(dossier=dossier, by=signing_leader)


@pytest.mark.django_db
def test_someone_outside_the_dossier_cannot_attach_or_sign(dossier, test_ca, other_commune):
    from tests.factories import UserFactory

    stranger = UserFactory(username="leader-elsewhere", role="leader", agency=other_commune)
    make_credential(test_ca=test_ca, user=stranger)
    with pytest.raises(ValidationError):
        result_attach_draft(dossier=dossier, by=stranger)


@pytest.mark.django_db
def test_uploaded_draft_is_checked_and_signed_as_is(dossier, officer, signing_leader, signed):
    for bad in (b"", b"GIF89a not a pdf", b"%PDF-1.7\n garbage"):
        with pytest.raises(ValidationError):
            result_attach_draft(dossier=dossier, by=officer, pdf_bytes=bad)
    made_elsewhere = read(signed.draft)  # any real PDF
    draft = result_attach_draft(dossier=dossier, by=officer, pdf_bytes=made_elsewhere, number="12/GKS")
    assert draft.kind == ResultKind.UPLOADED and draft.sha256 == sha256_hex(made_elsewhere)
    assert draft.number == "12/GKS" and draft.version == 2
    doc = result_sign(dossier=dossier, by=signing_leader)
    data = read(doc)
    assert data.startswith(made_elsewhere)  # an incremental signature: the original bytes are kept
    assert verify_pdf(data).ok


@pytest.mark.django_db
def test_generated_from_the_procedures_template_records_its_version(dossier, officer, signing_leader):
    ResultTemplate.objects.create(
        procedure=dossier.procedure,
        version=3,
        title="GIẤY XÁC NHẬN",
        body="Xác nhận ông/bà {{ applicant_name }} đã hoàn thành {{ procedure_name }}. <b>không in đậm</b>",
    )
    draft = result_attach_draft(dossier=dossier, by=officer)
    assert draft.kind == ResultKind.TEMPLATE
    assert draft.template_version == f"{dossier.procedure.code}@v3"
    doc = result_sign(dossier=dossier, by=signing_leader)
    assert doc.template_version == draft.template_version


@pytest.mark.django_db
def test_a_broken_template_is_a_clear_error(dossier, officer):
    ResultTemplate.objects.create(procedure=dossier.procedure, title="X", body="{% if %}")
    with pytest.raises(ValidationError, match="Mẫu kết quả của thủ tục này có lỗi"):
        result_attach_draft(dossier=dossier, by=officer)


@pytest.mark.django_db
def test_the_password_is_stored_encrypted_or_asked_at_signing(dossier, officer, leader, test_ca):
    credential = make_credential(test_ca=test_ca, user=leader, store=False)
    assert DEFAULT_PASSWORD not in credential.secret_encrypted
    result_attach_draft(dossier=dossier, by=officer)
    with pytest.raises(ValidationError):
        result_sign(dossier=dossier, by=leader)  # no password stored, none given
    with pytest.raises(ValidationError):
        result_sign(dossier=dossier, by=leader, passphrase="wrong")
    doc = result_sign(dossier=dossier, by=leader, passphrase=DEFAULT_PASSWORD)
    assert verify_pdf(read(doc)).ok


def test_the_vault_round_trips_and_never_keeps_clear_text(settings):
    from results.vault import SecretUnreadable, decrypt_secret, encrypt_secret

    token = encrypt_secret("mật khẩu 123")
    assert "mật khẩu" not in token and decrypt_secret(token) == "mật khẩu 123"
    settings.RESULTS_CREDENTIAL_KEY = "another key"
    with pytest.raises(SecretUnreadable):
        decrypt_secret(token)


@pytest.mark.django_db
def test_the_block_shows_who_signed(signed):
    """The visible block is there: a widget annotation with an appearance on the last page."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(read(signed)))
    [sig] = reader.embedded_signatures
    widget = sig.sig_field
    assert widget["/Rect"][2] > widget["/Rect"][0]  # a visible box, not an invisible signature
    assert "/AP" in widget
    assert dataclasses.is_dataclass(SignatureBlock)
