"""Profile the citizen status page in-process (Django test client, production settings) on the
benchmark database: mean milliseconds per request, queries per request, and a cProfile top list.

    python bench/profile_status.py [--n 300] [--top 30] [--baseline]
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--baseline", action="store_true", help="Profile the baseline view instead.")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dossiers.models import Dossier

    rows = list(Dossier.objects.order_by("?").values_list("code", "lookup_key")[: args.n])
    urls = [f"/bench/baseline/{c}/" if args.baseline else f"/tra-cuu/{c}/?key={k}" for c, k in rows]
    client = Client()
    for url in urls[:20]:  # warm up
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        client.get(urls[0])
    print(f"queries per request: {len(captured.captured_queries)}")
    for q in captured.captured_queries:
        print("  ", q["sql"][:160])
    for label in ("first pass, cold pages", "second pass, warm"):
        started = time.perf_counter()
        for url in urls:
            client.get(url)
        elapsed = time.perf_counter() - started
        print(f"{elapsed / len(urls) * 1000:.2f} ms per request ({label}, in-process, {len(urls)} requests)")
    profiler = cProfile.Profile()
    profiler.enable()
    for url in urls:
        client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
