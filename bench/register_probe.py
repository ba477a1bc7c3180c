"""Measure the register export (Mẫu 07) in a fresh process: rows, seconds, rows/s and peak RSS.

    python bench/register_probe.py --user lt_pleader

Prints one JSON line. Run by bench/run.py with the benchmark's environment."""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="lt_pleader")
    args = parser.parse_args()
    import django

    django.setup()
    from accounts.models import User
    from dossiers.register import register_export, register_queryset

    user = User.objects.select_related("agency").get(username=args.user)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queryset = register_queryset(user, None, None)
    with tempfile.TemporaryFile() as stream:
        started = time.monotonic()
        rows = register_export(
            queryset=queryset, stream=stream, agency_name=user.agency.name, date_from=None, date_to=None
        )
        seconds = time.monotonic() - started
        size = stream.tell()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds) if seconds else None,
                "peak_rss_mb": round(peak, 1),
                "rss_before_mb": round(rss_before, 1),
                "file_mb": round(size / 1e6, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
