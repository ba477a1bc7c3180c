"""The province-scale benchmark (issue 8), one command:

    eval "$(TEST_PG_PORT=55432 TEST_REDIS_PORT=63832 TEST_SERVICES_DIR=/tmp/bench-services \\
            scripts/test-services.sh start)"          # a private PostgreSQL + Redis
    python bench/run.py --dossiers 1000000             # generate the data, then measure
    python bench/run.py --reuse                        # measure again on the data already there
    python bench/run.py --dossiers 100000 --duration 10   # a quick run (a few minutes)

It generates the data (manage.py generate_load_data), starts gunicorn on 127.0.0.1 with production
settings (DEBUG off) plus the baseline view (bench/baseline.py), drives it with wrk (Lua scripts in
bench/), measures the register export and the deadline sweep in-process, prints a table (figure,
target, measured, pass/fail) and the EXPLAIN plans of the hot queries, and saves
bench/results/latest.json and bench/RESULTS.md.
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
        GUNICORN_WORKERS=os.environ.get("GUNICORN_WORKERS", "2"),
        GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "4"),
        GUNICORN_MAX_REQUESTS="0",
    )
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


def prepare_inputs(sample=20000):
    """URL lists, tokens and a leader's session cookie."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from dossiers.models import Dossier

    rows = list(Dossier.objects.order_by("?").values_list("code", "lookup_key")[:sample])
    (RESULTS / "lookup_urls.txt").write_text("".join(f"/tra-cuu/{c}/?key={k}\n" for c, k in rows))
    (RESULTS / "baseline_urls.txt").write_text("".join(f"/bench/baseline/{c}/\n" for c, _k in rows))
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
    from dossiers.views import _awaiting_approval
    from reports.definitions import report_year
    from reports.selectors import handling_counts, overdue_now, scoped_dossiers

    officer = User.objects.select_related("agency").get(username="lt_vhxh001_1")
    leader = User.objects.select_related("agency").get(username="lt_pleader")
    queue = dossier_list(officer).filter(status__in=[DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS])
    queue = (queue.filter(assignee=officer) | queue.filter(assignee__isnull=True)).annotate(
        awaiting_approval=_awaiting_approval()
    )
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


def report_latency(port, cookie, runs=5):
    from django.utils import timezone

    from reports.definitions import report_year

    date_from, date_to = report_year(timezone.localdate().year)
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
    return {"median_s": round(times[len(times) // 2], 3), "max_s": round(times[-1], 3), "rows": rows, "url": url}


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


# ----- the table ------------------------------------------------------------------------------------------


def figure(name, target, measured, passed, note=""):
    return {"figure": name, "target": target, "measured": measured, "pass": passed, "note": note}


def render_table(rows):
    head = ("Figure", "Target", "Measured", "Result")
    lines = [head] + [(r["figure"], r["target"], r["measured"], "PASS" if r["pass"] else "FAIL") for r in rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(4)]
    out = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |" for line in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--reuse", action="store_true", help="Measure the data already in the database.")
    parser.add_argument("--duration", type=int, default=20, help="Seconds per wrk run.")
    parser.add_argument("--skip-register", action="store_true")
    parser.add_argument(
        "--only",
        default="",
        help="Comma-separated parts to run: status, intake, dashboard, report, register, sweep, plans "
        "(default: all). A partial run saves bench/results/partial.json and leaves RESULTS.md alone.",
    )
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()} or {
        "status", "intake", "dashboard", "report", "register", "sweep", "plans"
    }  # fmt: skip
    partial = bool(args.only)
    RESULTS.mkdir(exist_ok=True)
    require_services()
    started = time.monotonic()
    port = free_port()
    env = server_env(port)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "args": vars(args)}

    manage("migrate", "--noinput", "-v0", env=env)
    django_setup(env)
    existing = dossier_count()
    if args.reuse and existing:
        log(f"Reusing {existing:,} dossiers")
        results["load"] = {"reused": existing}
    else:
        log(f"Generating {args.dossiers:,} dossiers (generate_load_data)")
        t = time.monotonic()
        manage(
            "generate_load_data",
            f"--dossiers={args.dossiers}",
            f"--agencies={args.agencies}",
            f"--years={args.years}",
            # 10% open: 100,000 open dossiers at a million, for the sweep figure.
            "--open-share=0.10",
            "--reset",
            env=env,
        )
        results["load"] = {"seconds": round(time.monotonic() - t, 1), "dossiers": args.dossiers}
    total = dossier_count()
    results["dossiers"] = total
    results["machine"] = machine()
    manage("collectstatic", "--noinput", "-v0", env=env)
    inputs = prepare_inputs()
    table = []
    server = start_gunicorn(env, port) if parts & {"status", "intake", "dashboard", "report"} else None
    try:
        if "status" in parts:
            wrk("urls.lua", port, connections=4, duration=3, extra_env={"BENCH_URLS": str(RESULTS / "lookup_urls.txt")})
            log("1. baseline: bare view, one indexed lookup, tiny template (16 connections)")
            base = wrk(
                "urls.lua", port, connections=16, duration=args.duration,
                extra_env={"BENCH_URLS": str(RESULTS / "baseline_urls.txt")},
            )  # fmt: skip
            results["baseline"] = base
            log(f"   {base['rps']:.0f} req/s, p95 {base['p95_ms']:.1f} ms")
            log("2. citizen status page /tra-cuu/<code>/?key=… (16 connections)")
            lookup = wrk(
                "urls.lua", port, connections=16, duration=args.duration,
                extra_env={"BENCH_URLS": str(RESULTS / "lookup_urls.txt")},
            )  # fmt: skip
            results["public_lookup"] = lookup
            ratio = lookup["rps"] / base["rps"] if base["rps"] else 0
            ok_errors = lookup["errors_status"] == 0 and base["errors_status"] == 0
            table.append(
                figure(
                    "Status page throughput vs baseline",
                    "≥ 0.60 × baseline",
                    f"{ratio:.2f} × ({lookup['rps']:.0f} vs {base['rps']:.0f} req/s)",
                    ratio >= 0.6 and ok_errors,
                )
            )
            table.append(
                figure("Status page p95 (16 conn.)", "≤ 50 ms", f"{lookup['p95_ms']:.1f} ms", lookup["p95_ms"] <= 50)
            )
            log(f"   {lookup['rps']:.0f} req/s ({ratio:.2f} × baseline), p95 {lookup['p95_ms']:.1f} ms")

        if "intake" in parts:
            log("3. intake through the API, 8 concurrent clients")
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT COALESCE(MAX(id), 0) FROM dossiers_dossier")
                since = cursor.fetchone()[0]
            intake = wrk(
                "intake.lua", port, connections=8, threads=8, duration=args.duration,
                extra_env={"BENCH_TOKENS": ",".join(inputs["tokens"]), "BENCH_PROCEDURES": ",".join(INTAKE_PROCEDURES)},
            )  # fmt: skip
            intake.update(intake_checks(since))
            results["intake"] = intake
            errors = sum(intake[k] for k in intake if k.startswith("errors_"))
            table.append(
                figure("Intake API dossiers/s (8 clients)", "≥ 100/s", f"{intake['created'] / intake['seconds']:.0f}/s",
                       intake["created"] / intake["seconds"] >= 100)
            )  # fmt: skip
            table.append(figure("Intake API p95", "≤ 150 ms", f"{intake['p95_ms']:.1f} ms", intake["p95_ms"] <= 150))
            table.append(
                figure(
                    "Intake errors / duplicate codes",
                    "0 / 0",
                    f"{errors} / {intake['duplicate_codes']} ({intake['created']:,} created; "
                    f"{intake['codes_beyond_counter']} beyond counter)",
                    errors == 0 and intake["duplicate_codes"] == 0 and intake["codes_beyond_counter"] == 0,
                )
            )
            log(
                f"   {intake['created']:,} created, {intake['rps']:.0f}/s, p95 {intake['p95_ms']:.1f} ms, "
                f"errors {errors}"
            )

        if "dashboard" in parts:
            log("4. leader dashboard, province, whole year, every breakdown (4 connections)")
            (RESULTS / "dashboard_urls.txt").write_text("/bao-cao/?period=year&group_by=field\n")
            dash = wrk(
                "urls.lua", port, connections=4, duration=args.duration,
                extra_env={"BENCH_URLS": str(RESULTS / "dashboard_urls.txt"), "BENCH_COOKIE": inputs["cookie"]},
            )  # fmt: skip
            results["dashboard"] = dash
            table.append(
                figure("Leader dashboard p95 (year, province)", "≤ 100 ms", f"{dash['p95_ms']:.0f} ms",
                       dash["p95_ms"] <= 100 and dash["errors_status"] == 0)
            )  # fmt: skip
            log(f"   p95 {dash['p95_ms']:.0f} ms, {dash['rps']:.1f} req/s, status errors {dash['errors_status']}")

        if "report" in parts:
            log("5. periodic report II.06a, a year by commune (API)")
            report = report_latency(port, inputs["cookie"])
            results["report"] = report
            table.append(
                figure("Report II.06a, year by commune", "≤ 1 s", f"{report['median_s'] * 1000:.0f} ms (max "
                       f"{report['max_s'] * 1000:.0f} ms, {report['rows']} rows)", report["max_s"] <= 1)
            )  # fmt: skip
            log(f"   median {report['median_s']:.3f}s, max {report['max_s']:.3f}s")
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
                   register["rows_per_s"] >= 20000)
        )  # fmt: skip
        log(f"   {register}")

    if "sweep" in parts:
        log("7. deadline sweep")
        sweep = time_sweep()
        results["sweep"] = sweep
        second = sweep["unchanged"][-1]["seconds"]
        table.append(
            figure(
                "Deadline sweep, nothing changed",
                "≤ 2 s",
                f"{second:.2f} s ({sweep['open_dossiers']:,} open)",
                second <= 2,
            )
        )
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
    results["table"] = table
    results["seconds"] = round(time.monotonic() - started, 1)
    text = render_table(table)
    print("\n" + text + "\n")
    if partial:
        (RESULTS / "partial.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
        log(f"Saved {RESULTS / 'partial.json'} (a partial run: RESULTS.md left alone)")
        return
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    m = results["machine"]
    md = [
        "# Benchmark results (issue 8)",
        "",
        f"Run {results['started']} on {total:,} dossiers; the whole run took {results['seconds'] / 60:.1f} min.",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}; gunicorn {env['GUNICORN_WORKERS']} workers × {env['GUNICORN_THREADS']} threads, "
        "wrk on the same machine.",
        "",
        text,
        "",
        "Rerun: see the header of bench/run.py. Raw figures: bench/results/latest.json (not committed).",
        "",
    ]
    (BENCH / "RESULTS.md").write_text("\n".join(md))
    log(f"Saved {RESULTS / 'latest.json'} and {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
