"""The province-scale benchmark (issues 8 and 17), one command:

    eval "$(TEST_PG_DURABLE=1 TEST_PG_PORT=55432 TEST_REDIS_PORT=63832 TEST_SERVICES_DIR=/tmp/bench-services \\
            scripts/test-services.sh start)"          # a private, durable PostgreSQL + Redis
    python bench/run.py --dossiers 1000000             # generate the data, then measure
    python bench/run.py --reuse                        # measure again on the data already there
    python bench/run.py --dossiers 100000,1000000      # both sizes, and how each figure's cost grows
    python bench/run.py --reuse --only status --compare bench/results/run-100000.json
    python bench/run.py --dossiers 100000 --duration 10 --repeat 1   # a quick look (not a result)

It refuses a PostgreSQL that is not durable (fsync, synchronous_commit, full_page_writes on, as
production runs it; --allow-non-durable measures anyway and marks it FAIL) and prints the settings
it ran with (SHOW ...). It generates the data (manage.py generate_load_data), starts gunicorn on
127.0.0.1 with production settings (DEBUG off, the cache in Redis as docker-compose has it) plus the
baseline view (bench/baseline.py), and drives it with wrk (Lua scripts in bench/). Each load figure
is run --repeat times (3) and reported as the median with its minimum and maximum; the baseline is
measured beside the status page in each repetition and every throughput is also given as a ratio
to it. The register export and the deadline sweep are measured in-process. It prints a table
(figure, target, measured, pass/fail), the EXPLAIN plans of the hot queries, and saves
bench/results/run-<dossiers>.json, latest.json and latest.md; with two sizes (or --compare), a table
of each figure's growth (growth.md). bench/RESULTS.md is the curated history: copy the table there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
PYTHON = sys.executable
INTAKE_PROCEDURES = ["1.001193", "2.000815", "2.000635", "1.004859"]  # birth, certified copies, change of civil status


def log(text):
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


# ----- environment -----------------------------------------------------------------------------------


def server_env(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        PUBLIC_LOOKUP_RATE="1000000000/m",
        BENCH_BASELINE="1",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=str(ROOT),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        # Production's defaults (onestop/gunicorn.conf.py): 2 × cores + 1 workers of 2 threads.
        GUNICORN_WORKERS=os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) * 2 + 1)),
        GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "2"),
        GUNICORN_MAX_REQUESTS="0",
    )
    # The cache production runs (docker-compose: Redis, database 1), unless the caller chose one:
    # the rate limits, the dashboard's figures and the sessions' cache are shared by the workers.
    if not env.get("CACHE_URL") and env.get("CELERY_BROKER_URL", "").startswith("redis://"):
        env["CACHE_URL"] = "rediscache://" + env["CELERY_BROKER_URL"].removeprefix("redis://").rsplit("/", 1)[0] + "/1"
    return env


def require_services():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL. Start a private one with:\n"
            '  eval "$(TEST_PG_PORT=55432 TEST_REDIS_PORT=63832 TEST_SERVICES_DIR=/tmp/bench-services '
            'scripts/test-services.sh start)"'
        )
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        sys.exit("CELERY_BROKER_URL must point at Redis (scripts/test-services.sh start prints it).")
    if shutil.which("wrk") is None:
        log("wrk is missing: installing it (apt-get install -y wrk)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def manage(*args, env=None, capture=False):
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    if capture:
        return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    subprocess.run(command, env=env, check=True)
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env, port):
    workers, threads = env["GUNICORN_WORKERS"], env["GUNICORN_THREADS"]
    log(f"Starting gunicorn on 127.0.0.1:{port} ({workers} workers × {threads} threads)")
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "onestop.wsgi",
            "-c",
            str(ROOT / "onestop" / "gunicorn.conf.py"),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(RESULTS / "gunicorn.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    process.terminate()
    sys.exit(f"gunicorn did not start: see {RESULTS / 'gunicorn.log'}")


def stop(process):
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wrk(script, port, *, connections, duration, threads=2, extra_env=None, path="/"):
    env = dict(os.environ, BENCH_DIR=str(BENCH), **(extra_env or {}))
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / script),
        f"http://127.0.0.1:{port}{path}",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    match = re.search(r"BENCH_JSON (\{.*\})", done.stdout)
    if not match:
        raise RuntimeError(f"wrk gave no summary:\n{done.stdout}\n{done.stderr}")
    result = json.loads(match.group(1))
    if done.stderr.strip():
        result["stderr"] = done.stderr.strip()[:500]
    return result


# ----- the Django side (in this process: data checks, tokens, sessions, EXPLAIN, sweep) ----------------


def django_setup(env):
    for key in ("DJANGO_ENV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "PUBLIC_LOOKUP_RATE"):
        os.environ[key] = env[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def dossier_count():
    from dossiers.models import Dossier

    return Dossier.objects.count()


def prepare_inputs(sample=20000, sets=4):
    """URL lists, tokens and a leader's session cookie. The status page's URLs come in ``sets``
    disjoint sets of ``sample`` random dossiers (lookup_urls_<n>.txt, baseline_urls_<n>.txt): set 0
    warms up, each repetition measures a set of its own, so that no repetition is served pages kept
    by an earlier one (each process keeps the pages it rendered: dossiers.public.PageMemo)."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from dossiers.models import Dossier

    rows = list(Dossier.objects.order_by("?").values_list("code", "lookup_key")[: sample * sets])
    for n in range(sets):
        chunk = rows[n::sets]
        (RESULTS / f"lookup_urls_{n}.txt").write_text("".join(f"/tra-cuu/{c}/?key={k}\n" for c, k in chunk))
        (RESULTS / f"baseline_urls_{n}.txt").write_text("".join(f"/bench/baseline/{c}/\n" for c, _k in chunk))
    clerks = list(User.objects.filter(username__regex=r"^lt_clerk\d{3}_1$").order_by("username")[:8])
    tokens = [Token.objects.get_or_create(user=u)[0].key for u in clerks]
    leader = User.objects.get(username="lt_pleader")
    client = Client()
    client.force_login(leader, backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return {"tokens": tokens, "cookie": cookie, "urls": len(rows)}


def explain_plans():
    """EXPLAIN of the hot queries: the officer's queue, the public lookup, overdue now, the report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from dossiers.choices import DossierStatus
    from dossiers.models import Dossier
    from dossiers.selectors import dossier_get_public, dossier_list
    from reports.definitions import report_year
    from reports.selectors import handling_counts, overdue_now, scoped_dossiers

    officer = User.objects.select_related("agency").get(username="lt_vhxh001_1")
    leader = User.objects.select_related("agency").get(username="lt_pleader")
    queue = dossier_list(officer).filter(status__in=[DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS])
    queue = queue.filter(assignee=officer) | queue.filter(assignee__isnull=True)  # as dossiers.views.worklist
    plans = {"worklist queue (officer)": queue.order_by("due_at", "pk")[:50].explain()}
    code, key = Dossier.objects.values_list("code", "lookup_key").order_by("-pk").first()
    with CaptureQueriesContext(connection) as captured:
        dossier_get_public(code, key)
    plans["public lookup by code"] = _explain_sql(captured.captured_queries[-1]["sql"])
    ids = leader.agency.descendant_ids()
    with CaptureQueriesContext(connection) as captured:
        overdue_now(scoped_dossiers(ids), limit=30)
    plans["overdue now (dashboard list)"] = _explain_sql(captured.captured_queries[-1]["sql"])
    date_from, date_to = report_year(timezone.localdate().year)
    with CaptureQueriesContext(connection) as captured:
        handling_counts(ids, date_from=date_from, date_to=date_to, group_by="agency")
    main = max(captured.captured_queries, key=lambda q: len(q["sql"]))
    plans["report II.06a by commune (longest query)"] = _explain_sql(main["sql"])
    from dossiers.deadlines import candidates
    from dossiers.models import AlertKind

    sql, params = candidates(timezone.now())[AlertKind.DUE_SOON].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plans["deadline sweep, due soon"] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def _explain_sql(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def time_sweep():
    """The deadline sweep: drained first, then timed twice with nothing changed, then after 100 and
    1,000 open dossiers became overdue."""
    from django.db import connection
    from django.utils import timezone

    from dossiers.choices import CLOCK_STATUSES, OPEN_STATUSES
    from dossiers.deadlines import deadline_sweep
    from dossiers.models import Dossier

    open_count = Dossier.objects.filter(status__in=OPEN_STATUSES).count()
    drained = 0
    for _ in range(30):
        report = deadline_sweep()
        done = sum(report.counts().values())
        drained += done
        if not done:
            break
    runs = []
    for _ in range(2):
        started = time.monotonic()
        report = deadline_sweep()
        runs.append({"seconds": round(time.monotonic() - started, 3), "acted": report.counts()})
    changed = []
    for n in (100, 1000):
        now = timezone.now()
        ids = list(
            Dossier.objects.filter(status__in=CLOCK_STATUSES, due_at__gt=now + timedelta(days=2))
            .order_by("?")
            .values_list("pk", flat=True)[:n]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE dossiers_dossier SET due_at = %s WHERE id = ANY(%s)", [now - timedelta(seconds=1), ids]
            )
        started = time.monotonic()
        report = deadline_sweep()
        changed.append({"changed": len(ids), "seconds": round(time.monotonic() - started, 3), "acted": report.counts()})
    return {"open_dossiers": open_count, "drained_first": drained, "unchanged": runs, "changed": changed}


def report_latency(port, cookie, runs=20):
    """II.06a for the last closed report year, by commune, through the API: ``runs`` requests, their
    median and p95 (a closed period is read from the summary only, reports.summaries)."""
    from django.utils import timezone

    from reports.definitions import report_year

    today = timezone.localdate()
    year = today.year if report_year(today.year)[1] < today else today.year - 1
    date_from, date_to = report_year(year)
    url = f"http://127.0.0.1:{port}/api/v1/reports/handling?from={date_from}&to={date_to}&group_by=agency"
    times, rows = [], 0
    for _ in range(runs):
        request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept": "application/json"})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        times.append(time.monotonic() - started)
        rows = len(body["rows"])
    times.sort()
    return {
        "median_s": round(times[len(times) // 2], 4),
        "p95_s": round(times[min(len(times) - 1, int(len(times) * 0.95))], 4),
        "max_s": round(times[-1], 4),
        "rows": rows,
        "year": year,
        "url": url,
    }


def intake_checks(since_id):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dossiers_dossier WHERE id > %s", [since_id])
        created = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM (SELECT code FROM dossiers_dossier GROUP BY code HAVING COUNT(*) > 1) dup")
        duplicates = cursor.fetchone()[0]
        # Every new code's number is within its agency's daily counter, and the numbers are unique.
        cursor.execute(
            """
            SELECT COUNT(*) FROM dossiers_dossier d
            JOIN dossiers_dailycounter c ON c.agency_id = d.receiving_agency_id
              AND c.day = (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
            WHERE d.id > %s AND CAST(right(d.code, 4) AS integer) > c.last
            """,
            [since_id],
        )
        beyond_counter = cursor.fetchone()[0]
    return {"created": created, "duplicate_codes": duplicates, "codes_beyond_counter": beyond_counter}


def machine():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    cpu = ""
    with contextlib.suppress(OSError, AttributeError):
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "postgresql": pg,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# ----- the database and the cache it ran with -----------------------------------------------------------

PG_SETTINGS = (
    "fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers", "effective_cache_size",
    "work_mem", "maintenance_work_mem", "checkpoint_timeout", "max_wal_size", "random_page_cost", "jit",
    "max_connections",
)  # fmt: skip
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def pg_settings() -> dict:
    from django.db import connection

    values = {}
    with connection.cursor() as cursor:
        for name in PG_SETTINGS:
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    return values


def durable(settings: dict) -> bool:
    return all(settings.get(name) == value for name, value in DURABLE.items())


def flush_cache(env):
    """Empty the shared cache (Redis) so that each repetition starts alike: cold figures, fresh limits."""
    url = env.get("CACHE_URL", "")
    if not url.startswith(("redis", "rediscache")):
        return
    import redis

    redis.Redis.from_url(url.replace("rediscache://", "redis://", 1)).flushdb()


# ----- the table ------------------------------------------------------------------------------------------


def figure(name, target, measured, passed, note="", *, value=None, cost=None):
    """A row of the table. ``value``: the figure as a number; ``cost``: "up" when a bigger value costs
    more (a latency), "down" when it costs less (a throughput) — how the growth between sizes is read."""
    return {"figure": name, "target": target, "measured": measured, "pass": passed, "note": note,
            "value": value, "cost": cost}  # fmt: skip


def spread(values, fmt="{:.0f}"):
    """'median (min–max)' of a figure measured several times."""
    ordered = sorted(values)
    middle = (
        ordered[len(ordered) // 2]
        if len(ordered) % 2
        else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2
    )
    text = fmt.format(middle)
    if len(ordered) > 1:
        text += f" ({fmt.format(ordered[0])}–{fmt.format(ordered[-1])})"
    return middle, text


def render_table(rows):
    head = ("Figure", "Target", "Measured: median (min–max)", "Result")
    lines = [head] + [(r["figure"], r["target"], r["measured"], "PASS" if r["pass"] else "FAIL") for r in rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(4)]
    out = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


# The figures whose cost must stay within ``limit`` between the two sizes (issue 17, item 6); the
# others are shown for the record (the sweep's cost follows the open dossiers, by design).
FLAT = ("Status page", "Intake API", "Leader dashboard", "Report II.06a")


def render_growth(small, large, limit=1.5):
    """Each figure's cost at the larger size over its cost at the smaller one (throughputs inverted)."""
    rows = [("Figure", f"{small['dossiers']:,}", f"{large['dossiers']:,}", "Cost ×", f"≤ {limit} ×")]
    by_name = {r["figure"]: r for r in small["table"]}
    for row in large["table"]:
        before = by_name.get(row["figure"])
        if not before or row.get("value") in (None, 0) or before.get("value") in (None, 0) or not row.get("cost"):
            continue
        ratio = row["value"] / before["value"] if row["cost"] == "up" else before["value"] / row["value"]
        verdict = ("PASS" if ratio <= limit else "FAIL") if row["figure"].startswith(FLAT) else "(not a target)"
        rows.append((row["figure"], before["measured"], row["measured"], f"{ratio:.2f}", verdict))
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    out = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def settings_text(results, env):
    m, pg = results["machine"], results["pg_settings"]
    return (
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}, PostgreSQL {m['postgresql']}, Python {m['python']}; "
        f"gunicorn {env['GUNICORN_WORKERS']} workers × {env['GUNICORN_THREADS']} threads, wrk on the same machine; "
        f"cache {results['cache']}.\nPostgreSQL: " + ", ".join(f"{k}={v}" for k, v in pg.items())
    )


# ----- one size ---------------------------------------------------------------------------------------------


def run_size(args, parts, dossiers, env, port):
    """Generate (or reuse) ``dossiers`` dossiers and measure ``parts``; returns the results."""
    started = time.monotonic()
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "args": vars(args),
        "cache": env.get("CACHE_URL") or "locmem",
    }
    existing = dossier_count()
    if args.reuse and existing:
        log(f"Reusing {existing:,} dossiers")
        results["load"] = {"reused": existing}
    else:
        log(f"Generating {dossiers:,} dossiers (generate_load_data)")
        t = time.monotonic()
        manage(
            "generate_load_data",
            f"--dossiers={dossiers}",
            f"--agencies={args.agencies}",
            f"--years={args.years}",
            # 10% open: 100,000 open dossiers at a million, for the sweep figure.
            "--open-share=0.10",
            "--reset",
            env=env,
        )
        results["load"] = {"seconds": round(time.monotonic() - t, 1), "dossiers": dossiers}
    total = dossier_count()
    results["dossiers"] = total
    results["machine"] = machine()
    results["pg_settings"] = pg_settings()
    log("PostgreSQL: " + ", ".join(f"{k}={v}" for k, v in results["pg_settings"].items()))
    log(f"Cache: {results['cache']}")
    inputs = prepare_inputs(sets=args.repeat + 1)
    table = []
    repeat = args.repeat
    server = start_gunicorn(env, port) if parts & {"status", "intake", "dashboard", "report"} else None
    try:
        if "status" in parts:

            def urls(kind, n):
                return {"BENCH_URLS": str(RESULTS / f"{kind}_urls_{n}.txt")}

            wrk("urls.lua", port, connections=4, duration=3, extra_env=urls("baseline", 0))  # warm-up of both
            wrk("urls.lua", port, connections=4, duration=3, extra_env=urls("lookup", 0))
            bases, lookups = [], []
            for i in range(repeat):
                base_urls, lookup_urls = urls("baseline", i + 1), urls("lookup", i + 1)
                # Baseline and page side by side, each time: the ratio of a pair sees the same noise.
                flush_cache(env)
                log(f"1. baseline, bare view (16 connections), run {i + 1}/{repeat}")
                base = wrk("urls.lua", port, connections=16, duration=args.duration, extra_env=base_urls)
                log(f"   {base['rps']:.0f} req/s, p95 {base['p95_ms']:.1f} ms")
                log(f"2. citizen status page /tra-cuu/<code>/?key=… (16 connections), run {i + 1}/{repeat}")
                lookup = wrk("urls.lua", port, connections=16, duration=args.duration, extra_env=lookup_urls)
                ratio = lookup["rps"] / base["rps"] if base["rps"] else 0
                log(f"   {lookup['rps']:.0f} req/s ({ratio:.2f} × baseline), p95 {lookup['p95_ms']:.1f} ms")
                bases.append(base)
                lookups.append(lookup)
            results["baseline"], results["public_lookup"] = bases, lookups
            ratios = [lk["rps"] / b["rps"] if b["rps"] else 0 for b, lk in zip(bases, lookups, strict=True)]
            errors = sum(r["errors_status"] + r["errors_timeout"] for r in bases + lookups)
            base_rps, base_text = spread([b["rps"] for b in bases])
            rps, rps_text = spread([lk["rps"] for lk in lookups])
            ratio, ratio_text = spread(ratios, "{:.2f}")
            p95, p95_text = spread([lk["p95_ms"] for lk in lookups], "{:.1f}")
            table.append(
                figure("Baseline (bare view) req/s", "(yardstick)", base_text, True, value=base_rps, cost="down")
            )
            table.append(
                figure("Status page throughput vs baseline", "≥ 0.60 × baseline", f"{ratio_text} × ({rps_text} req/s)",
                       ratio >= 0.6 and errors == 0, value=ratio, cost="down")
            )  # fmt: skip
            table.append(
                figure("Status page p95 (16 conn.)", "≤ 50 ms", f"{p95_text} ms", p95 <= 50, value=p95, cost="up")
            )

        if "intake" in parts:
            from django.db import connection

            runs = []
            for i in range(repeat):
                log(f"3. intake through the API, 8 concurrent clients, run {i + 1}/{repeat}")
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM dossiers_dossier")
                    since = cursor.fetchone()[0]
                tokens, procedures = ",".join(inputs["tokens"]), ",".join(INTAKE_PROCEDURES)
                intake = wrk(
                    "intake.lua", port, connections=8, threads=8, duration=args.duration,
                    extra_env={"BENCH_TOKENS": tokens, "BENCH_PROCEDURES": procedures},
                )  # fmt: skip
                intake.update(intake_checks(since))
                intake["per_s"] = intake["created"] / intake["seconds"]
                intake["errors"] = sum(intake[k] for k in intake if k.startswith("errors_"))
                runs.append(intake)
                log(f"   {intake['created']:,} created, {intake['per_s']:.0f}/s, p95 {intake['p95_ms']:.1f} ms, "
                    f"errors {intake['errors']}")  # fmt: skip
            results["intake"] = runs
            per_s, per_s_text = spread([r["per_s"] for r in runs])
            p95, p95_text = spread([r["p95_ms"] for r in runs], "{:.1f}")
            errors = sum(r["errors"] for r in runs)
            duplicates = max(r["duplicate_codes"] for r in runs)
            beyond = max(r["codes_beyond_counter"] for r in runs)
            created = sum(r["created"] for r in runs)
            base_note = ""
            if results.get("baseline"):
                base_rps = spread([b["rps"] for b in results["baseline"]])[0]
                base_note = f", {per_s / base_rps:.2f} × baseline req/s"
            table.append(figure("Intake API dossiers/s (8 clients)", "≥ 100/s", f"{per_s_text}/s{base_note}",
                                per_s >= 100, value=per_s, cost="down"))  # fmt: skip
            table.append(figure("Intake API p95", "≤ 150 ms", f"{p95_text} ms", p95 <= 150, value=p95, cost="up"))
            table.append(
                figure("Intake errors / duplicate codes", "0 / 0",
                       f"{errors} / {duplicates} ({created:,} created; {beyond} beyond counter)",
                       errors == 0 and duplicates == 0 and beyond == 0)
            )  # fmt: skip

        if "dashboard" in parts:
            (RESULTS / "dashboard_urls.txt").write_text("/bao-cao/?period=year&group_by=field\n")
            runs = []
            for i in range(repeat):
                flush_cache(env)  # each run includes the cold start
                log(f"4. leader dashboard, province, whole year (4 connections), run {i + 1}/{repeat}")
                dash = wrk(
                    "urls.lua", port, connections=4, duration=args.duration,
                    extra_env={"BENCH_URLS": str(RESULTS / "dashboard_urls.txt"), "BENCH_COOKIE": inputs["cookie"]},
                )  # fmt: skip
                runs.append(dash)
                log(f"   p95 {dash['p95_ms']:.0f} ms, {dash['rps']:.1f} req/s, status errors {dash['errors_status']}")
            results["dashboard"] = runs
            p95, p95_text = spread([r["p95_ms"] for r in runs])
            table.append(
                figure("Leader dashboard p95 (year, province)", "≤ 100 ms", f"{p95_text} ms",
                       p95 <= 100 and all(r["errors_status"] == 0 for r in runs), value=p95, cost="up")
            )  # fmt: skip

        if "report" in parts:
            log(f"5. periodic report II.06a, a closed year by commune (API), 20 requests × {repeat}")
            runs = [report_latency(port, inputs["cookie"]) for _ in range(repeat)]
            results["report"] = runs
            p95, p95_text = spread([r["p95_s"] * 1000 for r in runs])
            median = spread([r["median_s"] * 1000 for r in runs])[0]
            measured = f"{p95_text} ms (median {median:.0f} ms, year {runs[0]['year']}, {runs[0]['rows']} rows)"
            table.append(
                figure("Report II.06a p95, closed year by commune", "≤ 200 ms", measured, p95 <= 200, value=p95,
                       cost="up")
            )  # fmt: skip
            log(f"   p95 {p95:.0f} ms, median {median:.0f} ms")
    finally:
        stop(server)

    if not args.skip_register and "register" in parts:
        log("6. register Mẫu 07 export of every dossier (separate process)")
        probe_env = dict(env, DJANGO_SETTINGS_MODULE="onestop.settings")
        out = subprocess.run(
            [PYTHON, str(BENCH / "register_probe.py"), "--user", "lt_pleader"],
            env=probe_env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        register = json.loads(out.strip().splitlines()[-1])
        results["register"] = register
        table.append(
            figure("Register Mẫu 07 peak memory", "≤ 300 MB", f"{register['peak_rss_mb']:.0f} MB "
                   f"({register['rows']:,} rows)", register["peak_rss_mb"] <= 300)
        )  # fmt: skip
        table.append(
            figure("Register Mẫu 07 speed", "≥ 20,000 rows/s", f"{register['rows_per_s']:,} rows/s",
                   register["rows_per_s"] >= 20000, value=register["rows_per_s"], cost="down")
        )  # fmt: skip
        log(f"   {register}")

    if "sweep" in parts:
        log("7. deadline sweep")
        sweep = time_sweep()
        results["sweep"] = sweep
        second = sweep["unchanged"][-1]["seconds"]
        table.append(
            figure("Deadline sweep, nothing changed", "≤ 2 s", f"{second:.2f} s ({sweep['open_dossiers']:,} open)",
                   second <= 2, value=second, cost="up")
        )  # fmt: skip
        c100, c1000 = sweep["changed"]
        grows = c1000["seconds"] > c100["seconds"] and second < c100["seconds"]
        table.append(
            figure(
                "Sweep cost follows what changed",
                "grows with changes",
                f"0: {second:.2f} s, 100: {c100['seconds']:.2f} s, 1,000: {c1000['seconds']:.2f} s",
                grows,
            )
        )

    if "plans" in parts:
        log("Query plans")
        plans = explain_plans()
        results["explain"] = plans
        for name, plan in plans.items():
            print(f"\n--- EXPLAIN {name} ---\n{plan}")
    if not durable(results["pg_settings"]):
        table.insert(0, figure("PostgreSQL durable", "fsync, synchronous_commit, full_page_writes on",
                               ", ".join(f"{k}={results['pg_settings'][k]}" for k in DURABLE), False))  # fmt: skip
    results["table"] = table
    results["seconds"] = round(time.monotonic() - started, 1)
    return results


def save(results, env, partial):
    text = render_table(results["table"])
    print("\n" + settings_text(results, env) + "\n\n" + text + "\n")
    name = f"{'partial' if partial else 'run'}-{results['dossiers']}.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    (RESULTS / ("partial.json" if partial else "latest.json")).write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str)
    )
    md = [
        f"Run {results['started']} on {results['dossiers']:,} dossiers; {results['seconds'] / 60:.1f} min.",
        settings_text(results, env),
        "",
        text,
        "",
    ]
    (RESULTS / "latest.md").write_text("\n".join(md))
    log(
        f"Saved {RESULTS / name} and {RESULTS / 'latest.md'} (copy the table into bench/RESULTS.md with a history line)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", default="1000000",
                        help="Dossiers to generate; two sizes, e.g. 100000,1000000, run the same parts at each "
                             "and print how each figure's cost grows between them.")  # fmt: skip
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--reuse", action="store_true", help="Measure the data already in the database (one size).")
    parser.add_argument("--duration", type=int, default=20, help="Seconds per wrk run.")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each load figure (median, min, max).")
    parser.add_argument("--compare", default="", help="A saved bench/results/run-<n>.json to compare this run with.")
    parser.add_argument(
        "--allow-non-durable", action="store_true",
        help="Measure on a PostgreSQL with fsync, synchronous_commit or full_page_writes off (marked FAIL).",
    )  # fmt: skip
    parser.add_argument("--skip-register", action="store_true")
    parser.add_argument(
        "--only",
        default="",
        help="Comma-separated parts to run: status, intake, dashboard, report, register, sweep, plans "
        "(default: all). A partial run saves bench/results/partial.json.",
    )
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()} or {
        "status", "intake", "dashboard", "report", "register", "sweep", "plans"
    }  # fmt: skip
    sizes = [int(n.replace("_", "")) for n in str(args.dossiers).split(",") if n.strip()]
    if args.reuse and len(sizes) > 1:
        sys.exit("--reuse measures the data already there: give one size.")
    partial = bool(args.only)
    RESULTS.mkdir(exist_ok=True)
    require_services()
    port = free_port()
    env = server_env(port)
    manage("migrate", "--noinput", "-v0", env=env)
    django_setup(env)
    settings = pg_settings()
    log("PostgreSQL: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    if not durable(settings) and not args.allow_non_durable:
        sys.exit(
            "PostgreSQL is not durable (fsync, synchronous_commit and full_page_writes must be on, as production "
            "runs it). Start the services with TEST_PG_DURABLE=1 scripts/test-services.sh start, or pass "
            "--allow-non-durable to measure anyway (the table says so)."
        )
    manage("collectstatic", "--noinput", "-v0", env=env)
    runs = []
    for dossiers in sizes:
        results = run_size(args, parts, dossiers, env, port)
        save(results, env, partial)
        runs.append(results)
    if args.compare:
        runs.insert(0, json.loads(Path(args.compare).read_text()))
    if len(runs) >= 2:
        small, large = sorted(runs[:2], key=lambda r: r["dossiers"])
        text = render_growth(small, large)
        print(f"\nHow each cost grows from {small['dossiers']:,} to {large['dossiers']:,} dossiers "
              "(latencies: large / small; throughputs: small / large):\n\n" + text + "\n")  # fmt: skip
        (RESULTS / "growth.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
