"""Settings for the benchmark server: the project's own (DJANGO_ENV=production from the
environment), with the bare baseline view added to the URLs (bench/urls.py)."""

from onestop.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
BENCH_BASELINE = True
