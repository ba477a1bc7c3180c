"""The citizen status page in-process, through the production WSGI application (onestop.wsgi: the
light middleware chain for the page, the full one for the baseline view), on the benchmark database:
milliseconds per request of the page and of the baseline measured beside it, their ratio, the page's
queries, and a cProfile top list. No HTTP server, no wrk: the figures of this process alone.

    python bench/profile_status.py [--n 300] [--top 30] [--passes 3]

Each pass requests n random dossiers' pages once each, after emptying the page memo (first views,
as the load test mostly makes), then the baseline for the same codes.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_ENV="production",
    DEBUG="false",
    SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    SECURE_SSL_REDIRECT="false",
    SECURE_HSTS_SECONDS="0",
    PUBLIC_LOOKUP_RATE="1000000000/m",
    LOG_LEVEL="WARNING",
    DJANGO_SETTINGS_MODULE="bench.settings",
)


def request(app, path, query=""):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    status = []
    body = app(environ, lambda s, h, e=None: status.append(s))
    b"".join(body)
    body.close()
    return status[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dossiers.models import Dossier
    from dossiers.public import status_pages
    from onestop.wsgi import application as app

    rows = list(Dossier.objects.order_by("?").values_list("code", "lookup_key")[: args.n])
    pages = [(f"/tra-cuu/{c}/", f"key={k}") for c, k in rows]
    bases = [(f"/bench/baseline/{c}/", "") for c, _k in rows]
    for path, query in pages[:20] + bases[:20]:  # warm up
        assert request(app, path, query).startswith("200"), path
    status_pages.clear()
    with CaptureQueriesContext(connection) as captured:
        request(app, *pages[-1])
    print(f"queries per first view: {len(captured.captured_queries)}")
    for q in captured.captured_queries:
        print("  ", q["sql"].strip()[:140])

    def timed(urls, clear):
        if clear:
            status_pages.clear()
        started = time.perf_counter()
        for path, query in urls:
            request(app, path, query)
        return (time.perf_counter() - started) / len(urls) * 1000

    for i in range(args.passes):
        base = timed(bases, False)
        first = timed(pages, True)
        again = timed(pages, False)
        print(
            f"pass {i + 1}: baseline {base:.2f} ms, page first view {first:.2f} ms ({base / first:.2f} × baseline), "
            f"same state again {again:.2f} ms ({base / again:.2f} ×)"
        )
    status_pages.clear()
    profiler = cProfile.Profile()
    profiler.enable()
    for path, query in pages:
        request(app, path, query)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
