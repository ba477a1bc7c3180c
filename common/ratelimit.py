"""Who is calling and how often: one client address and one rate-limit mechanism for pages and API.

- ``client_ip(request)``: REMOTE_ADDR, unless REMOTE_ADDR is one of our reverse proxies
  (settings.TRUSTED_PROXIES, addresses or networks): then X-Forwarded-For is read from the right,
  skipping our proxies, and the first other address is the client. A forged X-Forwarded-For sent
  straight to the app is ignored. django-axes (AXES_CLIENT_IP_CALLABLE) and django-ratelimit
  (RATELIMIT_IP_META_KEY) both use it, so login throttling and rate limits see the same client.
- ``PUBLIC_LIMITS``: the public endpoints that are limited per client, by URL name; one table read
  by ``common.middleware.PublicRateLimitMiddleware`` for pages and API alike, counted by
  django-ratelimit in the shared cache. A limited page answers 429 with a Vietnamese page, the API
  429 in the usual JSON error format, both with Retry-After.
- ``first_submission(request, kind, payload)``: False when the same client sent the same content in
  the last PUBLIC_DEDUPE_SECONDS (a double click, a reload, a script repeating itself).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import get_usage

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


def _rate(limit: Limit) -> str:
    rate = getattr(settings, limit.rate_setting, None) or DEFAULT_RATES.get(limit.rate_setting, "30/m")
    # "30/min" as DRF writes it → "30/m" as django-ratelimit reads it.
    number, _slash, period = str(rate).partition("/")
    period = period.strip()
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(digits) :][:1].lower() or "m"
    return f"{number.strip()}/{digits}{unit}"


def _key(group, request) -> str:
    return client_ip(request)


def hit(request, limit: Limit) -> tuple[bool, int]:
    """Count one request against ``limit``. Returns (allowed, seconds until the window ends)."""
    if limit.methods and request.method not in limit.methods:
        return True, 0
    try:
        key = "user" if limit.per_user else _key
        usage = get_usage(request, group=limit.group, key=key, rate=_rate(limit), increment=True)
    except Exception:  # the cache is down: serve rather than shut everyone out (RATELIMIT_FAIL_OPEN)
        if not getattr(settings, "RATELIMIT_FAIL_OPEN", True):
            raise
        logger.warning("rate limit %s not counted: the cache does not answer", limit.group, exc_info=True)
        return True, 0
    if usage is None:  # RATELIMIT_ENABLE = False, or the cache failed with RATELIMIT_FAIL_OPEN
        return True, 0
    return not usage["should_limit"], max(1, int(usage["time_left"]))


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
