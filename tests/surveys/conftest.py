import pytest
from django.core.cache import cache

from dossiers.services import ApplicantData, dossier_assign, dossier_return
from tests.factories import approve_result

APPLICANT = ApplicantData(
    full_name="Trần Thị Bích Ngọc",
    id_number="001199004321",
    phone="0987654321",
    email="ngoc.tran@example.vn",
    address="Số 12 ngõ 34 đường Hoa Sữa",
)


@pytest.fixture(autouse=True)
def citizen_urls(settings):
    """A clean rate-limit cache and a high limit (the limit itself has its own test)."""
    settings.PUBLIC_LOOKUP_RATE = "1000/min"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_dossier(receive):
    return receive("1.000656", applicant=APPLICANT)


@pytest.fixture
def returned(receive, clerk, officer):
    """A dossier driven to "returned" through the services, with full personal data."""
    dossier = receive("1.000656", applicant=APPLICANT)
    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    dossier = approve_result(dossier, officer=officer)
    return dossier_return(dossier=dossier, by=clerk)
