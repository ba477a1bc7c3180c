from io import StringIO

import pytest
from django.core.management import call_command

from dossiers.deadlines import deadline_sweep
from dossiers.models import Dossier, LetterTemplate
from procedures.models import AgencyProcedure, Procedure


@pytest.fixture(scope="session")
def demo_ca_dir(tmp_path_factory):
    """One test CA for the session's seed_demo runs (seed_demo makes it under RESULTS_TEST_CA_DIR)."""
    return tmp_path_factory.mktemp("demo") / "test-ca"


@pytest.fixture(autouse=True)
def demo_signing_files(settings, tmp_path, demo_ca_dir):
    """seed_demo writes the test CA and the leader's key: here, never into the repository's var/."""
    from django.utils.functional import empty

    from results.models import private_storage

    settings.RESULTS_TEST_CA_DIR = demo_ca_dir
    settings.RESULTS_STORAGE_ROOT = tmp_path / "private"
    settings.RESULTS_TRUST_ROOTS = [str(demo_ca_dir / "root.pem")]
    settings.RESULTS_CRLS = [str(demo_ca_dir / "root.crl"), str(demo_ca_dir / "intermediate.crl")]
    settings.RESULTS_REVOCATION_FETCH = False
    settings.RESULTS_TSA_URL = ""
    private_storage._wrapped = empty
    yield demo_ca_dir
    private_storage._wrapped = empty


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_leaves_an_overdue_dossier_for_the_watch():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert "clerk" in out.getvalue() and "motcua@2026" in out.getvalue()
    assert Procedure.objects.count() == 80
    assert AgencyProcedure.objects.filter(agency__code="H31.101").count() == 80
    assert Dossier.objects.count() == 9
    assert {d.status for d in Dossier.objects.all()} >= {"returned", "in_progress", "awaiting_supplement", "received"}
    assert LetterTemplate.objects.count() == 2
    assert deadline_sweep().counts()["overdue"] == 1


@pytest.mark.django_db
def test_letters_print_with_the_result(client):
    call_command("seed_demo", stdout=StringIO())
    from accounts.models import User

    client.force_login(User.objects.get(username="clerk"))
    marriage = Dossier.objects.get(procedure__code="1.000894")
    page = client.get(f"/ho-so/{marriage.code}/").content.decode()
    assert "chuc-mung-ket-hon" in page
    letter = client.get(f"/ho-so/{marriage.code}/in/thu/chuc-mung-ket-hon/").content.decode()
    assert "THƯ CHÚC MỪNG" in letter and marriage.applicant_name in letter
    death = Dossier.objects.get(procedure__code="1.000656")
    assert client.get(f"/ho-so/{death.code}/in/thu/chuc-mung-ket-hon/").status_code == 404
    assert "THƯ CHIA BUỒN" in client.get(f"/ho-so/{death.code}/in/thu/chia-buon/").content.decode()


@pytest.mark.django_db
def test_the_demo_leader_signs_with_the_test_ca_and_a_second_run_changes_nothing(demo_ca_dir):
    from accounts.models import User
    from dossiers.services import dossier_approve
    from results.models import ResultDocument, SigningCredential
    from results.testca import DEFAULT_PASSWORD, MARK
    from results.vault import decrypt_secret
    from results.verification import verify_pdf

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert MARK in out.getvalue()
    root = (demo_ca_dir / "root.pem").read_bytes()
    leader = User.objects.get(username="leader")
    [credential] = SigningCredential.objects.filter(user=leader, active=True)
    assert MARK in credential.subject and "Vũ Đức Thắng" in credential.subject
    assert DEFAULT_PASSWORD not in credential.secret_encrypted  # kept encrypted, never in clear
    assert decrypt_secret(credential.secret_encrypted) == DEFAULT_PASSWORD
    assert not ResultDocument.objects.exists()  # the demo's past approvals stay on paper

    call_command("seed_demo", stdout=StringIO())
    assert (demo_ca_dir / "root.pem").read_bytes() == root
    assert list(SigningCredential.objects.filter(user=leader).values_list("pk", flat=True)) == [credential.pk]

    # Approving in the demo signs: the dossier the officer submitted waits on the leader's home.
    dossier = Dossier.objects.get(status="in_progress", submitted_at__isnull=False)
    dossier = dossier_approve(dossier=dossier, by=leader)
    signed = ResultDocument.objects.get(dossier=dossier, state="signed")
    assert signed.signer_name == "Vũ Đức Thắng" and signed.signer_title == "Phó Chủ tịch UBND xã"
    with signed.file.open("rb") as fh:
        assert verify_pdf(fh.read()).ok


@pytest.mark.django_db
def test_a_test_ca_made_again_replaces_the_demo_leaders_key(tmp_path, settings):
    import shutil

    from accounts.models import User
    from results.models import SigningCredential

    settings.RESULTS_TEST_CA_DIR = tmp_path / "fresh-ca"
    call_command("seed_demo", stdout=StringIO())
    leader = User.objects.get(username="leader")
    first = SigningCredential.objects.get(user=leader, active=True)
    shutil.rmtree(settings.RESULTS_TEST_CA_DIR)

    call_command("seed_demo", stdout=StringIO())
    assert (settings.RESULTS_TEST_CA_DIR / "root.pem").exists()
    current = SigningCredential.objects.get(user=leader, active=True)
    assert current.pk != first.pk and current.certificate_pem != first.certificate_pem
    assert SigningCredential.objects.filter(user=leader).count() == 2  # the old one kept, not in use
