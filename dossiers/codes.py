"""Dossier codes and lookup keys.

The code format is configuration (settings.DOSSIER_CODE_FORMAT): the Ministry of Justice now owns
the dossier-code rules (Decree 309/2026), so it may change without a code change. Default:
``{agency identifier}-{yymmdd}-{4-digit daily sequence}``, e.g. ``H15.50.05.13-261008-0975``.
"""

import re
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import DailyCounter

DEFAULT_CODE_FORMAT = "{agency}-{day:%y%m%d}-{seq:04d}"
# Lookup keys: 14 characters from a 31-letter alphabet without look-alikes = 69 random bits.
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KEY_LENGTH = 14


def format_dossier_code(*, agency_code: str, day, seq: int) -> str:
    pattern = getattr(settings, "DOSSIER_CODE_FORMAT", DEFAULT_CODE_FORMAT)
    return pattern.format(agency=agency_code, day=day, seq=seq)


def next_dossier_code(*, agency, day) -> str:
    """The next code of an agency's day. Call inside the intake transaction: the counter row stays
    locked until commit, so concurrent intakes get consecutive, unique numbers and a rolled-back
    intake gives its number back."""
    assert transaction.get_connection().in_atomic_block, "next_dossier_code must run in a transaction"
    counter, _created = DailyCounter.objects.get_or_create(agency=agency, day=day)
    DailyCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter = DailyCounter.objects.select_for_update().get(pk=counter.pk)
    return format_dossier_code(agency_code=agency.code, day=day, seq=counter.last)


def new_lookup_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def format_lookup_key(key: str) -> str:
    """For printing: groups of four, ``K7QX-M2PD-9HTR-WZ``."""
    return "-".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalize_lookup_key(typed: str) -> str:
    """What a citizen types: any case, with or without dashes and spaces."""
    return re.sub(r"[^A-Za-z0-9]", "", typed or "").upper()
