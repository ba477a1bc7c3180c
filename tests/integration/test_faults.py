"""Faults with the real servers: Redis down, a worker killed mid-sweep, PostgreSQL restarted."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from dossiers.models import DeadlineAlert, Dossier
from dossiers.services import ApplicantData, dossier_assign, dossier_receive
from notifications.models import Message, Notification
from procedures.models import Procedure

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://")
        and os.environ.get("REQUIRE_POSTGRES") != "1",
        reason="needs the Redis of make test",
    ),
]


class RedisServer:
    """The Redis of the test run (CELERY_BROKER_URL), stopped and started again by the tests through
    scripts/test-services.sh: a restarted server keeps the run's folder and pid file, so `stop` stops it."""

    def __init__(self, url):
        self.url = url
        self.port = int(url.rsplit(":", 1)[1].split("/")[0])

    def ping(self):
        return subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0

    def _services(self, command):
        env = {**os.environ, "TEST_REDIS_PORT": str(self.port)}
        subprocess.run([ROOT / "scripts" / "test-services.sh", command], env=env, check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self._services("redis-start")
        if not self.ping():
            raise RuntimeError("redis did not start")

    def stop(self):
        self._services("redis-stop")
        assert not self.ping(), "redis did not stop"


@pytest.fixture
def start_worker(tmp_path):
    """start_worker(broker_url) starts a real worker; every one still running is stopped at teardown."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    processes = []

    def start(broker_url):
        log_path = tmp_path / f"worker-{len(processes)}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "onestop", "worker", "--pool=solo", "--loglevel=INFO"]
                + ["-n", f"w{time.time()}@%h"],
                cwd=ROOT,
                env={**env, "CELERY_BROKER_URL": broker_url},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.log_path = log_path
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture
def real_broker():
    """Tasks go to the run's Redis; Redis is running again when the test ends."""
    from onestop.celery import app

    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL=redis://… (make test)")
    server = RedisServer(url)
    app.conf.task_always_eager = False
    yield server
    server.start()
    app.conf.task_always_eager = True


def wait_for(condition, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_redis_down_the_desk_keeps_working_and_messages_go_out_after(
    real_broker, start_worker, catalog, clerk, officer, leader, client
):
    """With the broker stopped, intake, status lookup and the dashboard work; the messages written
    meanwhile wait in the outbox and go out once Redis and a worker are back."""
    real_broker.stop()
    token, _ = Token.objects.get_or_create(user=clerk)
    started = time.monotonic()
    response = client.post(
        "/api/v1/dossiers/",
        json.dumps(
            {
                "procedure": "1.000689",
                "applicant": {"full_name": "Lý Thị Ngọc", "id_number": "001099003001", "email": "ngoc@example.vn"},
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 10
    code, key = response.json()["code"], response.json()["lookup_key"]
    dossier = Dossier.objects.get(code=code)
    from dossiers.services import dossier_approve, dossier_submit, dossier_transfer

    # The workflow's steps: handed over, appraised by the officer, approved by the commune's leader.
    dossier = dossier_transfer(dossier=dossier, by=clerk)
    dossier = dossier_assign(dossier=dossier, officer=officer, by=officer)
    dossier = dossier_submit(dossier=dossier, by=officer)
    dossier_approve(dossier=dossier, by=leader)  # "result ready" → an e-mail to the citizen
    assert client.get(f"/tra-cuu/{code}/?key={key}").status_code == 200
    client.force_login(clerk)
    assert client.get("/ho-so/").status_code == 200
    pending = Message.objects.filter(recipient="ngoc@example.vn")
    assert pending.count() == 1 and pending.get().state == "pending"

    real_broker.start()
    worker = start_worker(real_broker.url)
    try:
        from notifications.tasks import dispatch_messages_task

        sent = wait_for(lambda: _send_when_ready(dispatch_messages_task) and pending.get().state == "sent")
        assert sent, worker.log_path.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def _send_when_ready(task):
    from notifications.services import QUICK_RETRY

    try:
        task.apply_async(retry=True, retry_policy=QUICK_RETRY)
    except Exception:  # broker still starting
        return False
    return True


def test_a_worker_killed_mid_sweep_leaves_no_duplicate_and_no_gap(real_broker, start_worker, catalog, clerk, officer):
    procedure = Procedure.objects.get(code="1.000656")
    received = timezone.now() - timedelta(days=6)
    for n in range(150):
        dossier = dossier_receive(
            procedure=procedure,
            applicant=ApplicantData(full_name=f"Người {n}", id_number=f"0010991{n:05d}"),
            received_by=clerk,
            received_at=received,
            received_at_reason="Hồ sơ giấy nhập sau",
        )
        dossier_assign(dossier=dossier, officer=officer, by=officer)
    from dossiers.tasks import check_deadlines_task

    worker = start_worker(real_broker.url)
    check_deadlines_task.apply_async()
    assert wait_for(lambda: DeadlineAlert.objects.filter(kind="overdue").count() >= 5)
    os.killpg(worker.pid, signal.SIGKILL)  # killed mid-sweep
    worker.wait(timeout=20)
    done = DeadlineAlert.objects.filter(kind="overdue").count()
    assert done < 150, "the sweep finished before the kill: raise the number of dossiers"

    worker = start_worker(real_broker.url)
    try:
        check_deadlines_task.apply_async()
        assert wait_for(lambda: DeadlineAlert.objects.filter(kind="overdue").count() == 150, seconds=90)
        time.sleep(1)
        check_deadlines_task.apply_async()
        time.sleep(3)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert DeadlineAlert.objects.filter(kind="overdue").count() == 150
    per_dossier = Notification.objects.filter(kind="overdue", user=officer).values("dossier").distinct().count()
    assert per_dossier == Notification.objects.filter(kind="overdue", user=officer).count() == 150


def test_postgresql_restarted_under_load_the_app_recovers_without_a_restart(live_server):
    pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    data_dir = Path(os.environ.get("TEST_SERVICES_DIR", "/tmp/motcua-test-services")) / "pg"
    if not pg_ctl or not (data_dir / "PG_VERSION").exists():
        pytest.skip("needs the cluster started by scripts/test-services.sh")

    def get(path):
        try:
            with urllib.request.urlopen(live_server.url + path, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0

    assert get("/healthz") == 200
    # Same cluster, same options (postmaster.opts), same log: scripts/test-services.sh stop stops it.
    command = [
        str(pg_ctl[-1]),
        "-D",
        str(data_dir),
        "-l",
        str(data_dir.parent / "pg.log"),
        "-m",
        "fast",
        "-w",
        "restart",
    ]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    restart = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    statuses = []
    while restart.poll() is None:  # load while the database goes down and comes back
        statuses.append(get("/healthz"))
    assert restart.returncode == 0
    connection.close()
    assert wait_for(lambda: get("/healthz") == 200, seconds=30)
    assert [get("/thu-tuc/") for _ in range(5)] == [200] * 5
    assert [get("/healthz") for _ in range(5)] == [200] * 5
