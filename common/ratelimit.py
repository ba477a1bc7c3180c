"""Who is calling and how often: one client address and one rate-limit mechanism for pages and API.

- ``client_ip(request)``: REMOTE_ADDR, unless REMOTE_ADDR is one of our reverse proxies
  (settings.TRUSTED_PROXIES, addresses or networks): then X-Forwarded-For is read from the right,
  skipping our proxies, and the first other address is the client. A forged X-Forwarded-For sent
  straight to the app is ignored. django-axes (AXES_CLIENT_IP_CALLABLE) and the rate limits
  below both use it, so login throttling and rate limits see the same client.
- ``PUBLIC_LIMITS``: the public endpoints that are limited per client, by URL name; one table read
  by ``common.middleware.PublicRateLimitMiddleware`` for pages and API alike, counted in fixed
  windows in the shared cache (``hit``: one round trip to Redis; RATELIMIT_ENABLE,
  RATELIMIT_FAIL_OPEN and RATELIMIT_USE_CACHE keep the names django-ratelimit gave them). A limited
  page answers 429 with a Vietnamese page, the API
  429 in the usual JSON error format, both with Retry-After.
- ``first_submission(request, kind, payload)``: False when the same client sent the same content in
  the last PUBLIC_DEDUPE_SECONDS (a double click, a reload, a script repeating itself).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

UNKNOWN = "0.0.0.0"
logger = logging.getLogger(__name__)


# ----- the client's address ------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]):
    networks = []
    for entry in entries:
        entry = entry.strip()
        if entry:
            networks.append(ipaddress.ip_network(entry, strict=False))
    return tuple(networks)


def _address(text: str):
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:5123"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def trusted_proxies():
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _is_proxy(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The address of the client, as our own reverse proxies saw it (see the module's docstring)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return UNKNOWN
    networks = trusted_proxies()
    if not networks or not _is_proxy(remote, networks):
        return str(remote)
    client = remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage in the header: stop at the last hop we can vouch for
            break
        client = address
        if not _is_proxy(address, networks):
            break
    return str(client)


# ----- rate limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    group: str  # one counter per group and client: endpoints sharing a group share the budget
    rate_setting: str  # the settings name holding the rate, e.g. "30/m", "10/10m"
    methods: tuple[str, ...] = ()  # empty: every method
    per_user: bool = False  # counted per signed-in user instead of per client address


LOOKUP = Limit("public-lookup", "PUBLIC_LOOKUP_RATE")
WRITE = ("POST", "PUT", "PATCH")
# URL name → the limits it counts against. The status page and the public API share the lookup
# budget (the key is the only secret: no guessing); each public form has its own budget of writes.
PUBLIC_LIMITS: dict[str, tuple[Limit, ...]] = {
    "public_lookup": (LOOKUP, Limit("public-evaluation", "PUBLIC_FORM_RATE", WRITE)),
    "api:public-dossier": (LOOKUP,),
    "api:public-dossier-evaluation": (LOOKUP, Limit("public-evaluation", "PUBLIC_FORM_RATE", WRITE)),
    "surveys:feedback_new": (Limit("public-feedback", "PUBLIC_FORM_RATE", WRITE),),
    "surveys:survey": (Limit("public-survey", "PUBLIC_FORM_RATE", WRITE),),
    # A result's QR page and the upload check, and the signed result downloaded with the key.
    "results:verify": (LOOKUP,),
    "results:verify_upload": (LOOKUP,),
    "results:citizen_download": (LOOKUP,),
}
DEFAULT_RATES = {"PUBLIC_LOOKUP_RATE": "30/m", "PUBLIC_FORM_RATE": "10/10m", "APPLICANT_LOOKUP_RATE": "20/m"}


def _rate(limit: Limit) -> tuple[int, int]:
    """(requests allowed, window in seconds) of a limit's setting: "30/m" → (30, 60), "10/10m" →
    (10, 600); "30/min" as DRF writes it is read alike."""
    rate = getattr(settings, limit.rate_setting, None) or DEFAULT_RATES.get(limit.rate_setting, "30/m")
    number, _slash, period = str(rate).partition("/")
    period = period.strip()
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(digits) :][:1].lower() or "m"
    return int(number.strip()), int(digits or 1) * {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit, 60)


def _count(name: str, period: int) -> tuple[int, int]:
    """Count one request in the fixed window of ``period`` seconds that ``name`` is in now: (requests
    counted in the window so far, seconds until it ends). Each name's windows start at an offset of
    their own (a crc of the name), so that the clients' budgets do not all renew in the same second.

    On Redis: INCR and EXPIRE sent together, one round trip (django-ratelimit's add-then-incr took
    two, each with a client built anew: as much as the status page's own query, issue 17). On
    another cache (the embedded run's memory): add, then incr."""
    from django.core.cache import caches

    from common.cache import RedisCache

    now = time.time()
    offset = zlib.crc32(name.encode()) % period
    window = int((now - offset) // period)
    left = max(1, int(offset + (window + 1) * period - now))
    store = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    key = store.make_and_validate_key(f"rl:{name}:{window}")
    if isinstance(store, RedisCache):
        pipe = store._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, period + 1)
        used, _ok = pipe.execute()
        return int(used), left
    if store.add(key, 1, period + 1):
        return 1, left
    try:
        return int(store.incr(key)), left
    except ValueError:  # expired between add and incr
        store.add(key, 1, period + 1)
        return 1, left


def hit(request, limit: Limit) -> tuple[bool, int]:
    """Count one request against ``limit``. Returns (allowed, seconds until the window ends)."""
    if limit.methods and request.method not in limit.methods:
        return True, 0
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return True, 0
    allowed, period = _rate(limit)
    user = getattr(request, "user", None)
    who = f"u{user.pk}" if limit.per_user and user is not None and user.is_authenticated else client_ip(request)
    try:
        used, left = _count(f"{limit.group}:{who}", period)
    except Exception:  # the cache is down: serve rather than shut everyone out (RATELIMIT_FAIL_OPEN)
        if not getattr(settings, "RATELIMIT_FAIL_OPEN", True):
            raise
        logger.warning("rate limit %s not counted: the cache does not answer", limit.group, exc_info=True)
        return True, 0
    return used <= allowed, left


def check_limits(request, url_name: str) -> tuple[bool, int]:
    """Count the request against every limit of its URL name. (allowed, seconds to wait)."""
    wait = 0
    for limit in PUBLIC_LIMITS.get(url_name, ()):
        allowed, seconds = hit(request, limit)
        if not allowed:
            wait = max(wait, seconds)
    return wait == 0, wait


# ----- repeated submissions ------------------------------------------------------------------------


def _fingerprint(request, kind: str, payload) -> str:
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    normalised = " ".join(data.lower().split())
    digest = hashlib.sha256(f"{kind}\x1f{client_ip(request)}\x1f{normalised}".encode()).hexdigest()
    return f"dedupe:{kind}:{digest}"


def first_submission(request, kind: str, payload) -> bool:
    """True the first time this client sends this content (``payload``, compared without case and
    extra spaces) within PUBLIC_DEDUPE_SECONDS; False for a repeat. Only a digest is kept, in the cache."""
    seconds = int(getattr(settings, "PUBLIC_DEDUPE_SECONDS", 600))
    return cache.add(_fingerprint(request, kind, payload), 1, timeout=seconds)


def forget_submission(request, kind: str, payload) -> None:
    """Undo ``first_submission`` when the submission was refused after all (a validation error)."""
    cache.delete(_fingerprint(request, kind, payload))
