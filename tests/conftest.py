import contextlib
import os
import signal
import time
from pathlib import Path

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
    # Every process a test starts inherits this mark: pytest_sessionfinish below finds what is
    # still running at the end, and scripts/test-services.sh stop stops it.
    os.environ["MOTCUA_TEST_RUN"] = f"{_services_dir()}:{os.getpid()}"


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


def _services_dir():
    """The folder of the run's PostgreSQL and Redis (scripts/test-services.sh, same default)."""
    return Path(os.environ.get("TEST_SERVICES_DIR", "/tmp/motcua-test-services"))


def _processes_left_by_the_tests():
    """{pid: command line} of the processes the tests started that still run: Celery workers, Django
    servers, browsers... (their environment carries MOTCUA_TEST_RUN) and, on the services of
    scripts/test-services.sh, any Redis besides the run's own on its port or in its folder (Redis
    overwrites its environment with its process title). The run's own PostgreSQL and Redis, which the
    fault tests restart, are left to `scripts/test-services.sh stop`."""
    mark = f"MOTCUA_TEST_RUN={os.environ.get('MOTCUA_TEST_RUN')}".encode()
    state = _services_dir()
    on_services = "TEST_SERVICES_DIR" in os.environ
    redis_port = os.environ.get("TEST_REDIS_PORT", "")
    try:
        run_redis = int((state / "redis.pid").read_text())
    except (OSError, ValueError):
        run_redis = None
    left = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        try:
            command = b" ".join((entry / "cmdline").read_bytes().split(b"\0")).decode(errors="replace").strip()
            if not command:  # a zombie or a kernel thread
                continue
            if command.startswith("redis-server "):
                on_our_port = bool(redis_port) and command.split()[1].endswith(f":{redis_port}")
                in_our_folder = (os.readlink(entry / "cwd") + "/").startswith(f"{state}/")
                if on_services and pid != run_redis and (on_our_port or in_our_folder):
                    left[pid] = command  # the pid file names the run's own Redis
                continue
            if mark not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if pid == run_redis or os.readlink(entry / "cwd") == str(state / "pg"):
                continue
        except OSError:  # gone meanwhile, or not ours to read
            continue
        left[pid] = " ".join(command.split())
    return left


def _stop(pids, seconds=10):
    def send(sig, targets):
        for pid in targets:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)

    send(signal.SIGTERM, pids)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _processes_left_by_the_tests().keys() & pids:
        time.sleep(0.2)
    send(signal.SIGKILL, _processes_left_by_the_tests().keys() & pids)


@pytest.hookimpl(trylast=True)  # after pytest's own session teardown (session fixtures, live server, browser)
def pytest_sessionfinish(session, exitstatus):
    """Nothing a test started may outlive the run. Under REQUIRE_POSTGRES=1 (make test) a leftover
    fails the run; elsewhere it is a loud warning. Either way the leftovers are stopped."""
    if not Path("/proc/self/environ").exists() or hasattr(session.config, "workerinput"):
        return
    deadline = time.monotonic() + 5  # processes being stopped by the last teardown
    while (left := _processes_left_by_the_tests()) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not left:
        return
    strict = os.environ.get("REQUIRE_POSTGRES") == "1"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"  {pid} {command[:200]}" for pid, command in sorted(left.items())]
    title = "processes started by the tests are still running (now stopped)"
    if reporter is not None:
        reporter.write_line("")
        reporter.write_sep("=", title, red=True, bold=True)
        for line in lines:
            reporter.write_line(line, red=True)
    else:
        print("\n".join([title, *lines]))
    _stop(set(left))
    if strict and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
