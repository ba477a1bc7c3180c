import pytest
from django.core.files.base import ContentFile

from results.testca import DEFAULT_PASSWORD, make_test_ca


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """The project's test CA (NOT FOR PRODUCTION), generated once per session."""
    out = tmp_path_factory.mktemp("test-ca")
    make_test_ca(out)
    return out


@pytest.fixture(autouse=True)
def results_settings(settings, tmp_path, test_ca):
    settings.RESULTS_STORAGE_ROOT = tmp_path / "private"
    settings.RESULTS_TRUST_ROOTS = [str(test_ca / "root.pem")]
    settings.RESULTS_CRLS = [str(test_ca / "root.crl"), str(test_ca / "intermediate.crl")]
    settings.RESULTS_REVOCATION_FETCH = False
    settings.RESULTS_TSA_URL = ""
    settings.RESULTS_TSA_REQUIRED = False
    settings.SITE_URL = "http://testserver"
    from django.utils.functional import empty

    from results.models import private_storage

    private_storage._wrapped = empty
    yield settings
    private_storage._wrapped = empty


def make_credential(*, test_ca, name="leader", user=None, agency=None, store=True):
    from results.models import SigningCredential
    from results.signing import certificate_facts, load_pkcs12
    from results.vault import encrypt_secret

    data = (test_ca / f"{name}.p12").read_bytes()
    facts = certificate_facts(load_pkcs12(data, DEFAULT_PASSWORD).signing_cert)
    credential = SigningCredential(
        user=user,
        agency=agency,
        label=name,
        subject=facts["subject"],
        not_after=facts["not_after"],
        certificate_pem=facts["pem"],
        secret_encrypted=encrypt_secret(DEFAULT_PASSWORD) if store else "",
    )
    credential.pkcs12_file.save("x.p12", ContentFile(data), save=False)
    credential.save()
    return credential


@pytest.fixture
def signing_leader(leader, test_ca):
    leader.job_title = "Chủ tịch UBND xã"
    leader.save(update_fields=["job_title"])
    make_credential(test_ca=test_ca, user=leader)
    return leader


@pytest.fixture
def dossier(receive):
    return receive()


@pytest.fixture
def signed(dossier, officer, signing_leader):
    from results.services import result_attach_draft, result_sign

    result_attach_draft(dossier=dossier, by=officer)
    return result_sign(dossier=dossier, by=signing_leader)


def read(doc) -> bytes:
    with doc.file.open("rb") as fh:
        return fh.read()
