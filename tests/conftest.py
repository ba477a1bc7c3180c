import pytest

from agencies.choices import AgencyKind
from tests.factories import AgencyFactory, UserFactory


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process unless a test starts a real worker (tests/integration).
    from onestop.celery import app

    app.conf.task_always_eager = True


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


def _load_catalog():
    from procedures.demo import EFFECTIVE_FROM, load_seed
    from procedures.services import catalog_apply

    data = load_seed()
    records = [(f"seed #{i}", {**item, "effective_from": EFFECTIVE_FROM}) for i, item in enumerate(data["procedures"])]
    catalog_apply(records, fields=data["fields"])
    return data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real catalogue once per session; every test's transaction rolls back over it."""
    with django_db_blocker.unblock():
        _load_catalog()


@pytest.fixture
def catalog(db):
    """The 80 real commune procedures of the seed file, in force since 1 July 2025 (reloaded if a
    transactional test flushed the database)."""
    from procedures.demo import load_seed
    from procedures.models import Procedure

    if Procedure.objects.count() < 80:
        return _load_catalog()
    return load_seed()


@pytest.fixture
def receive(catalog, clerk):
    """Receive a dossier through the service: receive("1.001193", at=datetime(...))."""
    import time_machine

    from dossiers.services import ApplicantData, ReceivedDocument, dossier_receive
    from procedures.models import Procedure

    def _receive(code="1.001193", *, at=None, by=None, id_number="001099012345", **kwargs):
        applicant = kwargs.pop(
            "applicant", ApplicantData(full_name="Nguyễn Văn An", id_number=id_number, phone="0912345678")
        )
        kwargs.setdefault("documents", [ReceivedDocument(name="Tờ khai", original_count=1)])
        call = lambda: dossier_receive(  # noqa: E731
            procedure=Procedure.objects.get(code=code), applicant=applicant, received_by=by or clerk, **kwargs
        )
        if at is None:
            return call()
        with time_machine.travel(at, tick=False):
            return call()

    return _receive


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres need PostgreSQL: skipped on SQLite, unless REQUIRE_POSTGRES=1 (make test)."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not on_postgres:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL)"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached figures (dashboard, board, calendars) never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
