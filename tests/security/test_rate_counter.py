"""The rate-limit counter (common.ratelimit.hit) on the cache production runs, Redis, and on the
embedded run's memory: the same budget, windows that end, one budget per client, and a budget
shared by every process using the same Redis (issue 17: one round trip per request)."""

import os

import pytest
from django.core.cache import caches
from django.test import RequestFactory

from common.cache import RedisCache
from common.ratelimit import LOOKUP, Limit, _count, hit

REDIS = os.environ.get("CELERY_BROKER_URL", "")
needs_redis = pytest.mark.skipif(not REDIS.startswith("redis://"), reason="needs Redis (make test)")


def _redis_caches():
    location = REDIS.rsplit("/", 1)[0] + "/3"
    return {
        "default": {"BACKEND": "common.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": "ratecounter"},
        "other": {"BACKEND": "common.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": "ratecounter"},
    }


def client(address):
    return RequestFactory().get("/tra-cuu/X/", REMOTE_ADDR=address)


def _budget(settings, rate="3/min"):
    settings.PUBLIC_LOOKUP_RATE = rate
    return [hit(client("203.0.113.7"), LOOKUP)[0] for _ in range(4)]


def test_memory_cache_counts_the_budget(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches["default"].clear()
    assert _budget(settings) == [True, True, True, False]
    assert hit(client("198.51.100.2"), LOOKUP)[0]  # another client has its own budget


@needs_redis
def test_redis_counts_in_one_round_trip_and_windows_expire(settings):
    settings.CACHES = _redis_caches()
    store = caches["default"]
    assert isinstance(store, RedisCache)
    store.clear()
    assert _budget(settings) == [True, True, True, False]
    allowed, wait = hit(client("203.0.113.7"), LOOKUP)
    assert not allowed and 1 <= wait <= 60
    assert hit(client("198.51.100.2"), LOOKUP)[0]
    # The window's key carries an expiry (never a counter that lives for ever).
    redis = store._cache.get_client(write=True)
    keys = redis.keys("ratecounter:*rl:public-lookup:*")
    assert keys and all(0 < redis.ttl(key) <= 61 for key in keys)
    # One client object per pool, reused by every call (not built anew per call).
    assert store._cache.get_client(write=True) is redis
    store.clear()


@needs_redis
def test_two_processes_share_one_budget(settings):
    """Two cache objects on the same Redis stand for two gunicorn processes: the budget is one."""
    settings.CACHES = _redis_caches()
    settings.RATELIMIT_USE_CACHE = "default"
    caches["default"].clear()
    first = [_count("public-lookup:203.0.113.9", 60)[0] for _ in range(2)]
    settings.RATELIMIT_USE_CACHE = "other"
    second = [_count("public-lookup:203.0.113.9", 60)[0] for _ in range(2)]
    assert first + second == [1, 2, 3, 4]
    caches["default"].clear()


def test_per_user_limit_counts_the_user_not_the_address(settings, clerk):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches["default"].clear()
    settings.APPLICANT_LOOKUP_RATE = "2/min"
    limit = Limit("applicant-lookup", "APPLICANT_LOOKUP_RATE", per_user=True)
    results = []
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        request = client(address)
        request.user = clerk
        results.append(hit(request, limit)[0])
    assert results == [True, True, False]
