"""Past one server (issue 17, item 7): two gunicorn servers sharing one PostgreSQL and one Redis, as two
web containers behind a load balancer would, tried on the benchmark's data; then the first step to
take when one server is not enough (more web workers), measured.

    eval "$(TEST_PG_DURABLE=1 TEST_PG_PORT=55432 TEST_REDIS_PORT=63832 TEST_SERVICES_DIR=/tmp/bench-services \\
            scripts/test-services.sh start)"
    python bench/run.py --dossiers 100000 --only plans      # the data, once
    python bench/two_servers.py [--duration 10]

It checks, and prints:
1. the leader dashboard (year, province) shows the same figures and the same "as of" minute on both
   servers, computed once (the shared cache);
2. the citizen status page is the same on both (but for each answer's own CSRF token), and a dossier
   registered through server A is on its page at server B on the very next request;
3. a client's lookup budget is one across both servers (the rate limit's counter is in Redis);
4. the status page's and intake's throughput on one server with 1, 2 and 2 × cores + 1 workers.
Saves bench/results/two_servers.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402 - the path above first
    INTAKE_PROCEDURES,
    RESULTS,
    django_setup,
    flush_cache,
    free_port,
    log,
    prepare_inputs,
    require_services,
    server_env,
    start_gunicorn,
    stop,
    wrk,
)

CARD = re.compile(r'data-testid="card-([a-z-]+)".*?<div class="fs-3 fw-bold[^"]*">([^<]*)</div>', re.S)
AS_OF = re.compile(r'data-testid="as-of"[^>]*>([^<]*)<')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def get(port, path, cookie="", accept="text/html"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie, "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def post_json(port, path, body, token):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read())


def dashboard_figures(port, cookie):
    status, html = get(port, "/bao-cao/?period=year&group_by=field", cookie)
    assert status == 200, status
    return {"as_of": AS_OF.search(html).group(1).strip(), **{k: v.strip() for k, v in CARD.findall(html)}}


def check(label, ok, detail=""):
    log(f"{'PASS' if ok else 'FAIL'}  {label}{': ' + detail if detail else ''}")
    return {"check": label, "pass": bool(ok), "detail": detail}


def shared_figures(port_a, port_b, env, inputs):
    results = []
    flush_cache(env)  # cold: the first request computes, the other server reads it
    a, b = dashboard_figures(port_a, inputs["cookie"]), dashboard_figures(port_b, inputs["cookie"])
    results.append(check("dashboard: same figures and 'as of' minute on A and B", a == b, json.dumps(a)))

    line = Path(RESULTS / "lookup_urls_0.txt").read_text().split("\n")[0]
    code, key = line.split("/")[2], line.split("key=")[1]
    page_a, page_b = get(port_a, f"/tra-cuu/{code}/?key={key}"), get(port_b, f"/tra-cuu/{code}/?key={key}")
    same = page_a[0] == page_b[0] == 200 and TOKEN.sub("", page_a[1]) == TOKEN.sub("", page_b[1])
    results.append(check("status page: the same page on A and B", same, code))

    body = {
        "procedure": INTAKE_PROCEDURES[0],
        "applicant": {"full_name": "Nguyễn Văn Hai", "id_number": f"0{int(time.time() * 1000) % 10**11:011d}"},
        "documents": [{"name": "Tờ khai", "original_count": 1}],
    }
    status, created = post_json(port_a, "/api/v1/dossiers/", body, inputs["tokens"][0])
    lookup = f"/tra-cuu/{created['code']}/?key={created['lookup_key']}"
    status_b, page = get(port_b, lookup)
    fresh = status == 201 and status_b == 200 and f'data-code="{created["code"]}"' in page
    results.append(check("a dossier registered through A is on its page at B at once", fresh, created["code"]))
    return results


def shared_budget(env):
    """Both servers with a budget of 10 lookups a minute: the 11th, wherever it lands, is refused."""
    env = {**env, "PUBLIC_LOOKUP_RATE": "10/m"}
    ports = [free_port(), free_port()]
    servers = [start_gunicorn({**env, "GUNICORN_BIND": f"127.0.0.1:{p}", "GUNICORN_WORKERS": "1"}, p) for p in ports]
    try:
        flush_cache(env)
        codes = [get(ports[i % 2], "/tra-cuu/NO-SUCH-CODE/?key=AAAA-BBBB")[0] for i in range(11)]
    finally:
        for server in servers:
            stop(server)
    ok = codes[:10] == [404] * 10 and codes[10] == 429
    return [check("rate limit: one budget of 10 a minute across A and B (the 11th lookup answers 429)", ok,
                  " ".join(map(str, codes)))]  # fmt: skip


def workers_step(env, inputs, duration):
    """The first step past a busy server: more web workers, up to 2 × cores + 1 (production's default)."""
    import os

    rows = []
    tokens, procedures = ",".join(inputs["tokens"]), ",".join(INTAKE_PROCEDURES)
    for workers in (1, 2, (os.cpu_count() or 1) * 2 + 1):
        port = free_port()
        server = start_gunicorn({**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}, port)
        try:
            # Warm-up on other dossiers (each process loads its templates, catalogues and statements).
            warm = {"BENCH_URLS": str(RESULTS / "lookup_urls_0.txt")}
            wrk("urls.lua", port, connections=4, duration=3, extra_env=warm)
            urls = {"BENCH_URLS": str(RESULTS / f"lookup_urls_{len(rows) + 1}.txt")}  # first views, as run.py
            page = wrk("urls.lua", port, connections=16, duration=duration, extra_env=urls)
            intake = wrk("intake.lua", port, connections=8, threads=8, duration=duration,
                         extra_env={"BENCH_TOKENS": tokens, "BENCH_PROCEDURES": procedures})  # fmt: skip
        finally:
            stop(server)
        row = {
            "workers": workers,
            "threads": int(env["GUNICORN_THREADS"]),
            "status_rps": round(page["rps"]),
            "status_p95_ms": round(page["p95_ms"], 1),
            "intake_per_s": round(intake["rps"]),
            "intake_p95_ms": round(intake["p95_ms"], 1),
        }
        log(f"   {row}")
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    require_services()
    port_a, port_b = free_port(), free_port()
    env = server_env(port_a)
    django_setup(env)
    inputs = prepare_inputs(sample=20000, sets=4)  # set 0 warms up, one set per worker count
    log(f"Two servers, A on {port_a} and B on {port_b}, one PostgreSQL, one Redis ({env.get('CACHE_URL')})")
    a = start_gunicorn(env, port_a)
    b = start_gunicorn({**env, "GUNICORN_BIND": f"127.0.0.1:{port_b}"}, port_b)
    try:
        checks = shared_figures(port_a, port_b, env, inputs)
    finally:
        stop(a)
        stop(b)
    checks += shared_budget(env)
    log("More web workers on one server (status page 16 connections, intake 8 clients)")
    steps = workers_step(env, inputs, args.duration)
    out = {"checks": checks, "workers": steps, "threads": env["GUNICORN_THREADS"]}
    (RESULTS / "two_servers.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print("\n| Workers × threads | Status page req/s | p95 ms | Intake /s | p95 ms |")
    print("|---|---|---|---|---|")
    for r in steps:
        print(f"| {r['workers']} × {r['threads']} | {r['status_rps']} | {r['status_p95_ms']} | {r['intake_per_s']} | "
              f"{r['intake_p95_ms']} |")  # fmt: skip
    sys.exit(0 if all(c["pass"] for c in checks) else 1)


if __name__ == "__main__":
    main()
