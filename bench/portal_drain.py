"""Benchmark: draining 10,000 queued dossier events to the stand-in national portal (issue 13).

    python bench/portal_drain.py                    # SQLite in a temporary file
    DATABASE_URL=postgres://… python bench/portal_drain.py --events 10000

It migrates the database, seeds the demo province (manage.py seed_demo), queues N events (dossiers
cloned from a real intake, five events each: receive, assign, submit, approve, return; their outbox
rows bulk-created as the receiver would write them), starts the stand-in portal in its own process
(python -m interop.standin) and drains the outbox in this process, as the Celery task does. It
prints the events and records per second, the time to drain, the portal calls, and the cost of
writing the outbox rows in a request (the only cost the outbox adds to intake), then checks that
the portal received every event once.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=50, help="PORTAL_BATCH_SIZE")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    port = free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="onestop.settings",
        PORTAL_ENABLED="1",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}/api",
        PORTAL_TOKEN_URL=f"http://127.0.0.1:{port}/token",
        PORTAL_BATCH_SIZE=str(args.batch),
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL'].split('@')[-1]})", flush=True)
    from django.conf import settings

    call_command("migrate", verbosity=0)
    settings.PORTAL_ENABLED = False  # the demo's own dossiers are not part of the queue
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.PORTAL_ENABLED = True

    from dossiers.models import Dossier, DossierEvent
    from interop.models import OutboxRecord
    from interop.services import outbox_drain, outbox_record_event

    template = Dossier.objects.filter(status="received").select_related("created_by").first()
    if template is None:
        template = Dossier.objects.first()
    officer = type(template.created_by).objects.filter(role="officer").first()
    steps = [
        ("receive", "", "received"),
        ("assign", "received", "in_progress"),
        ("submit", "in_progress", "in_progress"),
        ("approve", "in_progress", "result_ready"),
        ("return", "result_ready", "returned"),
    ]
    n_dossiers = -(-args.events // len(steps))
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]

    # -- what the outbox adds to a request: the rows written with one event --
    with transaction.atomic():
        sample = Dossier.objects.bulk_create(
            [
                Dossier(**{**{f.attname: getattr(template, f.attname) for f in fields}, "code": f"BENCH-W-{i:06d}"})
                for i in range(1)
            ]
        )[0]
        sample = Dossier.objects.select_related("procedure", "procedure_version").get(pk=sample.pk)
        events = DossierEvent.objects.bulk_create(
            [
                DossierEvent(dossier=sample, actor=officer, action="note", from_status="received", to_status="received")
                for _ in range(1000)
            ]
        )
        started = time.perf_counter()
        for event in events:
            outbox_record_event(dossier=sample, event=event)
        per_event_ms = (time.perf_counter() - started) / len(events) * 1000
        transaction.set_rollback(True)

    # -- the queue: N events of cloned dossiers, with their outbox rows --
    started = time.perf_counter()
    with transaction.atomic():
        dossiers = Dossier.objects.bulk_create(
            [
                Dossier(**{**{f.attname: getattr(template, f.attname) for f in fields}, "code": f"BENCH-{i:06d}"})
                for i in range(n_dossiers)
            ],
            batch_size=500,
        )
        if not all(d.pk for d in dossiers):  # backends that do not return ids
            dossiers = list(Dossier.objects.filter(code__startswith="BENCH-0").order_by("pk"))
        queued = 0
        events = []
        for dossier in dossiers:
            for action, before, after in steps:
                if queued == args.events:
                    break
                events.append(
                    DossierEvent(dossier=dossier, actor=officer, action=action, from_status=before, to_status=after)
                )
                queued += 1
        events = DossierEvent.objects.bulk_create(events, batch_size=1000)
        if not all(e.pk for e in events):
            events = list(DossierEvent.objects.filter(dossier__code__startswith="BENCH-0").order_by("pk"))
        by_pk = {d.pk: d for d in dossiers}
        rows = []
        from interop.services import portal_services_for

        for event in events:
            dossier = by_pk[event.dossier_id]
            rows += [
                OutboxRecord(
                    target="portal",
                    stream="portal",
                    dossier=dossier,
                    dossier_code=dossier.code,
                    event=event,
                    event_number=event.pk,
                    service=service,
                )
                for service in portal_services_for(event)
            ]
        OutboxRecord.objects.bulk_create(rows, batch_size=1000)
    print(
        f"queued {len(events):,} events of {len(dossiers):,} dossiers = {len(rows):,} outbox records "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    # -- the stand-in portal, in its own process --
    standin = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "interop.standin",
            "--port",
            str(port),
            "--data-dir",
            str(workdir / "standin"),
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        started = time.perf_counter()
        report = outbox_drain(limit=2000)
        elapsed = time.perf_counter() - started
        left = OutboxRecord.objects.exclude(state="sent").count()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_control/stats", timeout=10) as response:  # noqa: S310
            stats = json.loads(response.read())
        with urllib.request.urlopen(  # noqa: S310
            f"http://127.0.0.1:{port}/_control/received?service=CapNhatTienDoHoSoMC", timeout=60
        ) as response:
            progress = json.loads(response.read())
    finally:
        standin.terminate()
        standin.wait(timeout=10)

    print(f"drained {report.sent:,} records ({len(events):,} events) in {elapsed:.1f} s", flush=True)
    print(f"  {len(events) / elapsed:,.0f} events/s, {report.sent / elapsed:,.0f} records/s")
    print(f"  portal calls: {stats['calls']:,} (batches of up to {args.batch}); failed: {report.failed}, left: {left}")
    print(f"  portal received {progress['count']:,} progress steps, duplicates: {progress['duplicates']}")
    print(f"outbox rows written per event in the request: {per_event_ms:.2f} ms (mean of 1,000, {connection.vendor})")
    ok = left == 0 and progress["count"] == len(events) and progress["duplicates"] == 0
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
