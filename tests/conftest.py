import pytest

from agencies.choices import AgencyKind
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def province(db):
    return AgencyFactory(code="H99", name="Tỉnh Thử Nghiệm", kind=AgencyKind.PROVINCE)


@pytest.fixture
def commune(province):
    return AgencyFactory(code="H99.01", name="Xã Một", kind=AgencyKind.COMMUNE, parent=province)


@pytest.fixture
def other_commune(province):
    return AgencyFactory(code="H99.02", name="Xã Hai", kind=AgencyKind.COMMUNE, parent=province)


@pytest.fixture
def center(commune):
    return AgencyFactory(
        code="H99.01.01", name="Trung tâm Phục vụ HCC xã Một", kind=AgencyKind.SERVICE_CENTER, parent=commune
    )


@pytest.fixture
def office(commune):
    return AgencyFactory(code="H99.01.03", name="Phòng Văn hóa - Xã hội", kind=AgencyKind.OFFICE, parent=commune)


@pytest.fixture
def clerk(center):
    return UserFactory(username="clerk1", role="clerk", agency=center)


@pytest.fixture
def officer(office):
    return UserFactory(username="officer1", role="officer", agency=office)


@pytest.fixture
def leader(commune):
    return UserFactory(username="leader1", role="leader", agency=commune)


@pytest.fixture
def administrator(province):
    return UserFactory(username="admin1", role="admin", agency=province, is_staff=True, is_superuser=True)


@pytest.fixture
def catalog(db):
    """The 80 real commune procedures of the seed file, in force since 1 July 2025."""
    from procedures.demo import EFFECTIVE_FROM, load_seed
    from procedures.services import catalog_apply

    data = load_seed()
    records = [(f"seed #{i}", {**item, "effective_from": EFFECTIVE_FROM}) for i, item in enumerate(data["procedures"])]
    catalog_apply(records, fields=data["fields"])
    return data
