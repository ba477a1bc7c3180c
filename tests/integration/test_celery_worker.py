"""End to end with a real Celery worker and a real Redis broker (started by `make test`)."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from dossiers.models import DeadlineAlert, LateApology
from dossiers.services import dossier_assign
from notifications.models import Message, Notification

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not BROKER.startswith("redis://") and os.environ.get("REQUIRE_POSTGRES") != "1",
        reason="needs a Redis broker (CELERY_BROKER_URL=redis://…)",
    ),
]


@pytest.fixture
def worker(tmp_path):
    """A real worker process on the test database, stopped at teardown (its log in tmp_path: a pipe
    nobody reads would block the worker once full)."""
    from onestop.celery import app

    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "onestop", "worker", "--pool=solo", "--loglevel=INFO"]
            + ["-n", "test@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(timeout=1.0):
                break
            assert process.poll() is None, log_path.read_text()[-3000:]
        else:
            pytest.fail("the Celery worker did not start")
        yield process
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for(condition, seconds=45):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_worker_processes_an_overdue_dossier_end_to_end(worker, receive, officer):
    from dossiers.tasks import check_deadlines_task

    officer.email = "officer@example.vn"
    officer.save()
    # A same-day dossier received five days ago is overdue now.
    dossier = receive(
        "1.000656", received_at=timezone.now() - timedelta(days=5), received_at_reason="Hồ sơ giấy nhập sau"
    )
    dossier_assign(dossier=dossier, officer=officer, by=officer)

    check_deadlines_task.delay()

    assert wait_for(lambda: DeadlineAlert.objects.filter(dossier=dossier, kind="overdue").exists()), (
        worker.log_path.read_text()[-3000:]
    )
    assert LateApology.objects.filter(dossier=dossier).exists()
    assert Notification.objects.filter(user=officer, kind="overdue", dossier=dossier).exists()
    # The officer's e-mail went through the outbox and was sent by the worker.
    assert wait_for(lambda: Message.objects.filter(recipient="officer@example.vn", state="sent").exists())
    # A second sweep changes nothing.
    check_deadlines_task.delay()
    time.sleep(2)
    assert DeadlineAlert.objects.filter(dossier=dossier).count() == 1
