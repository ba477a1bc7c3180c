"""The citizen's papers (issue 14, item 7): scans and signed results are filed under the citizen's
ID number; at intake the desk is offered the papers still valid that the procedure asks for, and a
ticked paper is attached to the new dossier without a new upload; every offer and every reuse is in
the personal data access log; a superseded or withdrawn paper is no longer offered; nothing is
deleted. Real database, real files (under a temporary MEDIA_ROOT), real signatures (the test CA)."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.choices import Role
from agencies.choices import AgencyKind
from dossiers.exceptions import ActionForbidden
from dossiers.models import (
    Attachment,
    CitizenPaper,
    CitizenPaperEvent,
    Dossier,
    DossierPaperReuse,
    PaperSource,
    PaperState,
    PersonalDataAccess,
)
from dossiers.papers import (
    PaperScan,
    paper_file_scans,
    paper_mark_superseded,
    paper_names_match,
    paper_offer_list,
    paper_valid_until,
    paper_withdraw,
)
from dossiers.services import ApplicantData, ReceivedDocument, Upload, dossier_attach, dossier_receive
from procedures.demo import load_seed
from procedures.models import Procedure
from tests.factories import AgencyFactory, UserFactory, approve_result

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CITIZEN = "001099888111"
BIRTH = "1.001193"  # Đăng ký khai sinh: asks for "Giấy chứng sinh; …", gives "Giấy khai sinh"
BIRTH_AND_PARENT = "1.000689"  # Đăng ký khai sinh kết hợp nhận cha, mẹ, con: asks for "Giấy chứng sinh; …" too
ALLOWANCE = "2.000286"  # Tiếp nhận đối tượng bảo trợ xã hội: asks for "Bản sao giấy khai sinh (…)"


# ----- the matcher, on the real names of the seed catalogue -----------------------------------------


def _seed():
    return {p["code"]: p for p in load_seed()["procedures"]}


def _seed_doc(code, prefix):
    return next(d["name"] for d in _seed()[code]["documents"] if d["name"].startswith(prefix))


@pytest.mark.parametrize(
    ("code", "prefix", "paper"),
    [
        ("1.001776", "Giấy khai sinh của trẻ em", "result:1.001193"),  # "Giấy khai sinh"
        ("2.000286", "Bản sao giấy khai sinh", "result:1.001193"),
        ("1.010824", "Bản sao được chứng thực giấy khai sinh", "result:1.001193"),
        ("1.010824", "Bản sao được chứng thực từ giấy báo tử", "result:1.000656"),  # "Trích lục khai tử"
        ("1.001776", "Giấy xác nhận khuyết tật", "result:1.001699"),
        ("2.000286", "Bản sao Giấy xác nhận khuyết tật", "result:1.001699"),
        ("1.004746", "Bản sao Giấy chứng nhận kết hôn", "result:1.000894"),  # "Giấy chứng nhận kết hôn"
        # A scan received as one procedure's paper, asked for by another in other words.
        ("1.000689", "Giấy chứng sinh", "doc:1.001193:Giấy chứng sinh"),
        ("2.000528", "Giấy chứng sinh", "doc:1.001193:Giấy chứng sinh"),
        # A scan known only by its file name, accents and case aside.
        ("1.001193", "Giấy chứng sinh", "GIAY-CHUNG-SINH"),
        ("2.000286", "Bản sao giấy khai sinh", "giấy khai sinh bé Na"),
    ],
)
def test_the_matcher_pairs_real_names(code, prefix, paper):
    seed = _seed()
    if paper.startswith("result:"):
        paper = seed[paper.split(":")[1]]["result"]
    elif paper.startswith("doc:"):
        _kind, other, other_prefix = paper.split(":")
        paper = _seed_doc(other, other_prefix)
    assert paper_names_match(_seed_doc(code, prefix), paper)


@pytest.mark.parametrize(
    ("code", "prefix", "paper"),
    [
        ("1.001193", "Giấy chứng sinh", "Giấy khai sinh"),  # a birth notice is not a birth certificate
        ("1.000656", "Giấy báo tử", "Trích lục khai tử"),
        ("1.001193", "Tờ khai đăng ký khai sinh", "Giấy khai sinh"),
        # A declaration, an application or an authorisation is written for each request.
        ("1.001193", "Tờ khai đăng ký khai sinh", "doc:1.001193:Tờ khai đăng ký khai sinh"),
        ("1.001699", "Đơn đề nghị", "doc:1.001699:Đơn đề nghị"),
        ("1.001193", "Văn bản ủy quyền", "doc:1.001193:Văn bản ủy quyền"),
        # Too short to say anything.
        ("2.000286", "Giấy tờ liên quan khác", "giay to"),
        ("2.000286", "Bản sao giấy khai sinh", "Bản sao"),
        ("1.001193", "Giấy chứng sinh", "scan001"),
    ],
)
def test_the_matcher_refuses_other_papers(code, prefix, paper):
    if paper.startswith("doc:"):
        _kind, other, other_prefix = paper.split(":")
        paper = _seed_doc(other, other_prefix)
    assert not paper_names_match(_seed_doc(code, prefix), paper)


def test_validity_comes_from_the_setting(settings):
    issued = datetime(2026, 3, 2).date()
    assert paper_valid_until("Giấy xác nhận tình trạng hôn nhân", issued) == datetime(2026, 8, 29).date()
    assert paper_valid_until(_seed()["1.001193"]["result"], issued) is None
    settings.CITIZEN_PAPER_VALIDITY_DAYS = {"Giấy chứng sinh": 30}
    assert paper_valid_until("GIẤY CHỨNG SINH; nếu không có…", issued) == datetime(2026, 4, 1).date()


# ----- the world ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.APPLICANT_LOOKUP_RATE = "1000/m"
    return settings.MEDIA_ROOT


def files_on_disk(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def required(code, prefix):
    version = Procedure.objects.get(code=code).version_on()
    return next(d for d in version.documents.all() if d.name.startswith(prefix))


def scan_beside(code, prefix, name="scan.pdf"):
    return PaperScan(
        name=name, file=BytesIO(PDF), content_type="application/pdf", required_document_id=required(code, prefix).pk
    )


@pytest.fixture
def first(receive):
    """The citizen's first dossier: a birth registration with the birth notice scanned beside its paper."""
    return receive(
        BIRTH,
        id_number=CITIZEN,
        documents=[
            ReceivedDocument(
                name=required(BIRTH, "Giấy chứng sinh").name,
                original_count=1,
                required_document_id=required(BIRTH, "Giấy chứng sinh").pk,
            )
        ],
        uploads=[scan_beside(BIRTH, "Giấy chứng sinh", "chung-sinh-be-Na.pdf")],
    )


def offered(user, code, id_number=CITIZEN):
    version = Procedure.objects.get(code=code).version_on()
    return {(o.paper.pk, o.document.pk) for o in paper_offer_list(user=user, id_number=id_number, version=version)}


# ----- filing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_scan_is_filed_under_the_citizen_with_the_paper_it_is(first, commune):
    paper = CitizenPaper.objects.get()
    document = required(BIRTH, "Giấy chứng sinh")
    assert (paper.id_number, paper.source, paper.dossier, paper.agency, paper.state) == (
        CITIZEN,
        PaperSource.SCAN,
        first,
        commune,
        PaperState.VALID,
    )
    assert paper.attachment == first.attachments.get()
    assert (paper.required_document, paper.received_as, paper.name) == (document, document.name, document.name)
    assert paper.issued_on == timezone.localdate(first.received_at) and paper.valid_until is None
    assert list(paper.events.values_list("action", flat=True)) == ["filed"]


@pytest.mark.django_db
def test_a_scan_attached_later_is_filed_by_its_file_name(first, clerk):
    # Matched to the one paper of the dossier its name says; otherwise kept under its file name.
    named, unnamed = dossier_attach(
        dossier=first,
        uploads=[Upload.from_bytes("Giay_chung_sinh (2).pdf", PDF), Upload.from_bytes("IMG_0042.pdf", PDF)],
        by=clerk,
    )
    assert named.paper.required_document == required(BIRTH, "Giấy chứng sinh")
    assert (unnamed.paper.name, unnamed.paper.required_document) == ("IMG_0042", None)
    assert CitizenPaper.objects.filter(id_number=CITIZEN).count() == 3


# ----- the How-we-will-know line: a second dossier reuses a paper of the first --------------------


@pytest.mark.django_db
def test_a_second_dossier_reuses_a_paper_of_the_first_without_a_new_upload(first, receive, clerk, media):
    paper = CitizenPaper.objects.get()
    stored_name = paper.attachment.file.name
    on_disk = files_on_disk(media)
    assert on_disk == [stored_name]
    target = required(BIRTH_AND_PARENT, "Giấy chứng sinh")
    assert offered(clerk, BIRTH_AND_PARENT) == {(paper.pk, target.pk)}

    second = receive(BIRTH_AND_PARENT, id_number=CITIZEN, documents=[], reused_papers=[paper.pk])

    # No new file, no new scan: the same stored file serves both dossiers.
    assert files_on_disk(media) == on_disk
    assert not Attachment.objects.filter(dossier=second).exists()
    reuse = DossierPaperReuse.objects.get(dossier=second)
    assert (reuse.paper, reuse.by) == (paper, clerk)
    assert reuse.paper.attachment.file.name == stored_name
    # The paper it stands for is ticked on the new dossier: nothing was brought.
    ticked = second.documents.get(required_document=target)
    assert (ticked.original_count, ticked.copy_count, reuse.document) == (0, 0, ticked)
    # The access log shows the reuse, as a read of this citizen through the new dossier.
    (row,) = PersonalDataAccess.objects.filter(what="paper-reuse")
    assert (row.user, row.dossier, row.citizen_id_number, row.subject_kind) == (clerk, second, CITIZEN, "dossier")
    assert first.code in row.subject
    # Filing adds no paper for a reuse.
    assert CitizenPaper.objects.count() == 1


@pytest.mark.django_db
def test_a_paper_the_clerk_ticked_too_is_linked_to_that_row(first, receive):
    paper = CitizenPaper.objects.get()
    target = required(BIRTH_AND_PARENT, "Giấy chứng sinh")
    second = receive(
        BIRTH_AND_PARENT,
        id_number=CITIZEN,
        documents=[ReceivedDocument(name=target.name, copy_count=1, required_document_id=target.pk)],
        reused_papers=[paper.pk],
    )
    assert second.documents.count() == 1
    assert DossierPaperReuse.objects.get(dossier=second).document.copy_count == 1


@pytest.mark.django_db
def test_reuse_is_refused_for_another_citizen_or_a_paper_not_asked_for(first, receive):
    paper = CitizenPaper.objects.get()
    with pytest.raises(ValidationError) as other_citizen:
        receive(BIRTH_AND_PARENT, id_number="001099888222", reused_papers=[paper.pk])
    assert "reused_papers" in other_citizen.value.message_dict
    with pytest.raises(ValidationError):
        receive("1.000656", id_number=CITIZEN, reused_papers=[paper.pk])  # a death registration
    for bad in (["x"], [0], [str(2**70)]):
        with pytest.raises(ValidationError):
            receive(BIRTH_AND_PARENT, id_number=CITIZEN, reused_papers=bad)
    assert Dossier.objects.count() == 1 and not DossierPaperReuse.objects.exists()
    assert not PersonalDataAccess.objects.filter(what="paper-reuse").exists()


# ----- scope: scans stay in their commune, signed results travel across the province --------------


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory):
    from results.testca import make_test_ca

    ca = tmp_path_factory.mktemp("test-ca")
    make_test_ca(ca)
    return ca


@pytest.fixture
def signing(settings, tmp_path_factory, test_ca, commune):
    """The commune's leader signs with a certificate of the test CA (NOT FOR PRODUCTION)."""
    from django.utils.functional import empty

    from results.models import private_storage
    from tests.results.conftest import make_credential

    ca = test_ca
    settings.RESULTS_STORAGE_ROOT = tmp_path_factory.mktemp("private")
    settings.RESULTS_TRUST_ROOTS = [str(ca / "root.pem")]
    settings.RESULTS_CRLS = [str(ca / "root.crl"), str(ca / "intermediate.crl")]
    settings.RESULTS_REVOCATION_FETCH = False
    settings.RESULTS_TSA_URL = ""
    settings.SITE_URL = "http://testserver"
    private_storage._wrapped = empty
    leader = UserFactory(username=f"leader-{commune.code}", role=Role.LEADER, agency=commune)
    make_credential(test_ca=ca, user=leader)
    yield leader
    private_storage._wrapped = empty


@pytest.fixture
def certificate(first, officer, signing):
    """The first dossier approved: its birth certificate ("Giấy khai sinh") signed and filed."""
    approve_result(first, officer=officer)
    return CitizenPaper.objects.get(source=PaperSource.RESULT)


@pytest.mark.django_db
def test_a_signed_result_is_filed_with_the_procedures_result_name(certificate, first, signing, commune, province):
    assert (certificate.name, certificate.id_number, certificate.dossier) == ("Giấy khai sinh", CITIZEN, first)
    assert certificate.result.state == "signed" and certificate.result.signer == signing
    assert (certificate.agency, certificate.province) == (commune, province)
    assert certificate.issued_on == timezone.localdate(certificate.result.signed_at)


@pytest.mark.django_db
def test_another_communes_desk_is_offered_the_signed_result_not_the_scan(certificate, other_commune, clerk):
    scan = CitizenPaper.objects.get(source=PaperSource.SCAN)
    at_home = offered(clerk, ALLOWANCE) | offered(clerk, BIRTH_AND_PARENT)
    assert {pk for pk, _doc in at_home} == {scan.pk, certificate.pk}
    stranger = UserFactory(username="clerk-hai", role=Role.CLERK, agency=other_commune)
    assert offered(stranger, ALLOWANCE) == {(certificate.pk, required(ALLOWANCE, "Bản sao giấy khai sinh").pk)}
    assert offered(stranger, BIRTH_AND_PARENT) == set()  # the scan of the birth notice stays at Xã Một
    # Nor can it be reused there by its number.
    with pytest.raises(ValidationError):
        dossier_receive(
            procedure=Procedure.objects.get(code=BIRTH_AND_PARENT),
            applicant=ApplicantData(full_name="Nguyễn Văn An", id_number=CITIZEN),
            received_by=stranger,
            reused_papers=[scan.pk],
        )
    # Another province sees neither.
    elsewhere = AgencyFactory(
        code="H98.01",
        name="Xã Ngoài",
        kind=AgencyKind.COMMUNE,
        parent=AgencyFactory(code="H98", kind=AgencyKind.PROVINCE),
    )
    outsider = UserFactory(username="clerk-ngoai", role=Role.CLERK, agency=elsewhere)
    assert offered(outsider, ALLOWANCE) == set()


@pytest.mark.django_db
def test_a_corrected_result_supersedes_the_paper_of_the_earlier_version(certificate, first, signing):
    from results.services import result_correct

    corrected = result_correct(dossier=first, by=signing, reason="Sai ngày sinh")
    certificate.refresh_from_db()
    assert certificate.state == PaperState.SUPERSEDED
    event = certificate.events.get(action="superseded")
    assert event.by == signing and "Sai ngày sinh" in event.reason
    assert CitizenPaper.objects.get(result=corrected).state == PaperState.VALID


# ----- state: superseded, withdrawn, expired, removed: no longer offered; nothing deleted ---------


@pytest.mark.django_db
def test_a_superseded_or_withdrawn_paper_is_no_longer_offered_and_its_history_is_kept(
    first, receive, clerk, leader, other_commune
):
    scan = CitizenPaper.objects.get()
    second_scan = receive(BIRTH, id_number=CITIZEN, uploads=[scan_beside(BIRTH, "Giấy chứng sinh")])
    newer = CitizenPaper.objects.get(dossier=second_scan)
    assert {pk for pk, _doc in offered(clerk, BIRTH_AND_PARENT)} == {scan.pk, newer.pk}

    with pytest.raises(ValidationError):
        paper_mark_superseded(paper=scan, by=clerk, reason="  ")
    stranger = UserFactory(username="clerk-hai", role=Role.CLERK, agency=other_commune)
    with pytest.raises(ActionForbidden):
        paper_withdraw(paper=scan, by=stranger, reason="Không phải giấy của mình")
    paper_mark_superseded(paper=scan, by=clerk, reason="Đã có bản chụp mới")
    assert {pk for pk, _doc in offered(clerk, BIRTH_AND_PARENT)} == {newer.pk}
    paper_withdraw(paper=newer, by=leader, reason="Chụp nhầm giấy của người khác")
    assert offered(clerk, BIRTH_AND_PARENT) == set()
    with pytest.raises(ValidationError):
        paper_withdraw(paper=scan, by=clerk, reason="again")  # the state moves once

    history = list(CitizenPaperEvent.objects.filter(paper=scan).values_list("action", "by__username", "reason"))
    assert history == [("filed", clerk.username, ""), ("superseded", clerk.username, "Đã có bản chụp mới")]
    assert CitizenPaper.objects.get(pk=newer.pk).state == PaperState.WITHDRAWN
    with pytest.raises(PermissionError):
        scan.delete()
    with pytest.raises(PermissionError):
        CitizenPaper.objects.all().delete()
    with pytest.raises(PermissionError):
        CitizenPaperEvent.objects.filter(paper=scan).delete()
    # A superseded paper cannot be reused by its number either.
    with pytest.raises(ValidationError):
        receive(BIRTH_AND_PARENT, id_number=CITIZEN, reused_papers=[scan.pk])


@pytest.mark.django_db
def test_an_expired_paper_is_no_longer_offered(receive, clerk, settings):
    settings.CITIZEN_PAPER_VALIDITY_DAYS = {"giay chung sinh": 30}
    receive(
        BIRTH,
        id_number=CITIZEN,
        uploads=[scan_beside(BIRTH, "Giấy chứng sinh")],
        at=datetime(2026, 3, 2, 9, 0, tzinfo=VN),
    )
    paper = CitizenPaper.objects.get()
    assert paper.valid_until == datetime(2026, 4, 1).date()
    with time_machine.travel(datetime(2026, 4, 1, 16, 0, tzinfo=VN), tick=False):
        assert len(offered(clerk, BIRTH_AND_PARENT)) == 1
    with time_machine.travel(datetime(2026, 4, 2, 8, 0, tzinfo=VN), tick=False):
        assert offered(clerk, BIRTH_AND_PARENT) == set()


@pytest.mark.django_db
def test_a_scan_removed_by_retention_is_no_longer_offered(first, clerk):
    paper = CitizenPaper.objects.get()
    assert offered(clerk, BIRTH_AND_PARENT)
    # What dossiers.retention does when the scan's period ends: the file goes, the row stays.
    Attachment.objects.filter(pk=paper.attachment_id).update(file="", removed_at=timezone.now())
    assert offered(clerk, BIRTH_AND_PARENT) == set()
    assert CitizenPaper.objects.filter(pk=paper.pk, state=PaperState.VALID).exists()


# ----- the intake page ---------------------------------------------------------------------------


def intake_post(code, **extra):
    version = Procedure.objects.get(code=code).version_on()
    data = {
        "procedure": code,
        "id_number": CITIZEN,
        "full_name": "Trần Thị Bình",
        "phone": "0987654321",
        "channel": "direct",
        "return_method": "desk",
        "decision": "receive",
    }
    for doc in version.documents.all():
        if doc.mandatory:
            data[f"doc_{doc.pk}"] = "1"
            data[f"doc_{doc.pk}_orig"] = str(doc.original_count)
            data[f"doc_{doc.pk}_copy"] = str(doc.copy_count)
    data.update(extra)
    return data


HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "citizen-papers"}


@pytest.mark.django_db
def test_the_intake_page_offers_a_returning_citizens_papers_and_reuses_the_ticked_one(client, catalog, clerk, media):
    client.force_login(clerk)
    # First visit: the birth notice is scanned beside its paper on the intake screen.
    notice = required(BIRTH, "Giấy chứng sinh")
    scan = SimpleUploadedFile("IMG_2211.pdf", PDF, content_type="application/pdf")
    answer = client.post(reverse("dossiers:intake"), {**intake_post(BIRTH), f"scan_{notice.pk}": [scan]})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    paper = CitizenPaper.objects.get()
    assert (paper.required_document, paper.attachment.original_name) == (notice, "IMG_2211.pdf")
    on_disk = files_on_disk(media)

    # Second visit: the clerk picks the procedure and types the ID number; htmx asks for the list.
    before = PersonalDataAccess.objects.count()
    fragment = client.get(reverse("dossiers:intake"), {"procedure": BIRTH_AND_PARENT, "id_number": CITIZEN}, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert f'name="reused_papers" value="{paper.pk}"' in html
    assert "use this paper" in html or "dùng giấy tờ này" in html.lower()
    (offer,) = PersonalDataAccess.objects.all()[before:]
    assert (offer.what, offer.user, offer.citizen_id_number, offer.found, offer.subject_kind) == (
        "citizen-papers",
        clerk,
        CITIZEN,
        True,
        "citizen",
    )
    # An unknown citizen: an answer with nothing to tick, still one record (found or not).
    nobody = client.get(
        reverse("dossiers:intake"), {"procedure": BIRTH_AND_PARENT, "id_number": "001099000999"}, **HTMX
    )
    assert "reused_papers" not in nobody.content.decode()
    assert (
        PersonalDataAccess.objects.filter(what="citizen-papers", citizen_id_number="001099000999", found=False).count()
        == 1
    )
    # The full page, opened with the number, shows the same list; without a number, nothing is read.
    page = client.get(reverse("dossiers:intake"), {"procedure": BIRTH_AND_PARENT, "id_number": CITIZEN})
    assert f'value="{paper.pk}"' in page.content.decode()
    count = PersonalDataAccess.objects.count()
    client.get(reverse("dossiers:intake"), {"procedure": BIRTH_AND_PARENT})
    assert PersonalDataAccess.objects.count() == count

    # The clerk ticks it and saves, without ticking the paper row nor uploading anything.
    target = required(BIRTH_AND_PARENT, "Giấy chứng sinh")
    post = intake_post(BIRTH_AND_PARENT, reused_papers=[str(paper.pk)])
    post.pop(f"doc_{target.pk}")
    saved = client.post(reverse("dossiers:intake"), post)
    assert saved.status_code == 302
    second = Dossier.objects.get(procedure__code=BIRTH_AND_PARENT)
    assert DossierPaperReuse.objects.get(dossier=second).paper == paper
    assert second.documents.get(required_document=target).original_count == 0
    assert files_on_disk(media) == on_disk
    assert PersonalDataAccess.objects.filter(what="paper-reuse", dossier=second, user=clerk).count() == 1


@pytest.mark.django_db
def test_a_paper_that_cannot_be_reused_is_an_error_on_the_page_and_nothing_is_saved(client, first, clerk):
    paper = CitizenPaper.objects.get()
    paper_withdraw(paper=paper, by=clerk, reason="Giấy sai")
    client.force_login(clerk)
    answer = client.post(reverse("dossiers:intake"), intake_post(BIRTH_AND_PARENT, reused_papers=[str(paper.pk)]))
    assert answer.status_code == 200
    errors = " ".join(answer.context["form"].non_field_errors())
    assert f" {paper.pk}" in errors and escape(errors) in answer.content.decode()
    assert Dossier.objects.count() == 1


@pytest.mark.django_db
def test_the_papers_lookup_shares_the_applicant_lookup_budget(client, first, clerk, settings):
    settings.APPLICANT_LOOKUP_RATE = "2/m"
    client.force_login(clerk)
    query = {"procedure": BIRTH_AND_PARENT, "id_number": CITIZEN}
    codes = [client.get(reverse("dossiers:intake"), query, **HTMX).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert PersonalDataAccess.objects.filter(what="citizen-papers").count() == 2


@pytest.mark.django_db
def test_filing_ignores_a_hint_from_another_procedure(first, clerk):
    other = required(BIRTH_AND_PARENT, "Giấy chứng sinh")
    (attachment,) = dossier_attach(dossier=first, uploads=[Upload.from_bytes("x.pdf", PDF)], by=clerk)
    attachment.paper  # noqa: B018 - filed once by dossier_attach
    # Hinting a paper of another version files it by its name only (the hint is not trusted).
    extra = Attachment.objects.create(
        dossier=first,
        file=attachment.file.name,
        original_name="y.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=clerk,
    )
    (paper,) = paper_file_scans(dossier=first, scans=[(extra, other.pk)], by=clerk)
    assert paper.required_document is None and paper.name == "y"


@pytest.mark.django_db
def test_the_admin_shows_papers_read_only_and_withdraws_through_the_service(client, first, administrator):
    paper = CitizenPaper.objects.get()
    (filed,) = paper.events.all()
    client.force_login(administrator)
    url = reverse("admin:dossiers_citizenpaper_change", args=[paper.pk])
    before = PersonalDataAccess.objects.count()
    page = client.get(url)
    assert page.status_code == 200 and CITIZEN in page.content.decode()
    assert PersonalDataAccess.objects.filter(pk__gt=before, citizen_id_number=CITIZEN, channel="admin").count() == 1
    management = {
        "events-TOTAL_FORMS": "1",
        "events-INITIAL_FORMS": "1",
        "events-0-id": str(filed.pk),
        "events-0-paper": str(paper.pk),
        "reuses-TOTAL_FORMS": "0",
        "reuses-INITIAL_FORMS": "0",
    }
    refused = client.post(url, {**management, "change": "withdrawn", "reason": ""})
    assert refused.status_code == 200 and CitizenPaper.objects.get().state == PaperState.VALID
    done = client.post(url, {**management, "change": "withdrawn", "reason": "Nộp nhầm giấy của người khác"})
    assert done.status_code == 302, done.content.decode()[:3000]
    paper.refresh_from_db()
    assert paper.state == PaperState.WITHDRAWN and paper.id_number == CITIZEN
    assert paper.events.get(action="withdrawn").by == administrator
    assert client.get(reverse("admin:dossiers_citizenpaper_delete", args=[paper.pk])).status_code == 403
