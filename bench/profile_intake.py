"""Profile the intake API (POST /api/v1/dossiers/) in-process on the benchmark database: mean
milliseconds and queries per request, and a cProfile top list. It creates real dossiers.

    python bench/profile_intake.py [--n 100] [--top 40]
"""

import argparse
import cProfile
import json
import os
import pstats
import random
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
    LOG_LEVEL="WARNING",
    DJANGO_SETTINGS_MODULE="bench.settings",
)
PROCEDURES = ["1.001193", "2.000815", "2.000635", "1.004859"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--callees", default="", help="Also list what this function calls (a pstats pattern).")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    clerk = User.objects.get(username="lt_clerk001_1")
    token = Token.objects.get_or_create(user=clerk)[0].key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def post():
        body = {
            "procedure": random.choice(PROCEDURES),
            "channel": "direct",
            "applicant": {"full_name": "Nguyễn Văn Tải", "id_number": f"099{random.randrange(10**9):09d}",
                          "phone": "0912345678"},
            "documents": [{"name": "Tờ khai", "original_count": 1},
                          {"name": "Giấy tờ chứng minh nội dung yêu cầu", "original_count": 1},
                          {"name": "Căn cước của người yêu cầu", "copy_count": 1}],
        }  # fmt: skip
        response = client.post("/api/v1/dossiers/", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content[:300]
        return response

    for _ in range(5):
        post()
    with CaptureQueriesContext(connection) as captured:
        post()
    print(f"queries per request: {len(captured.captured_queries)}")
    for q in captured.captured_queries:
        print(f"  {q['time']}  {q['sql'][:150]}")
    started = time.perf_counter()
    for _ in range(args.n):
        post()
    print(f"{(time.perf_counter() - started) / args.n * 1000:.2f} ms per request (in-process, {args.n} requests)")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.n):
        post()
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(args.top)
    if args.callees:
        stats.print_callees(args.callees)


if __name__ == "__main__":
    main()
