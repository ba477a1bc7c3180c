"""Dossier codes and lookup keys.

The code format is configuration (settings.DOSSIER_CODE_FORMAT): the Ministry of Justice now owns
the dossier-code rules (Decree 309/2026), so it may change without a code change. Default:
``{agency identifier}-{yymmdd}-{4-digit daily sequence}``, e.g. ``H15.50.05.13-261008-0975``.
"""

import re
import secrets

from django.conf import settings
from django.db import transaction

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
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "next_dossier_code must run in a transaction"
    # One statement: insert the day's counter at 1, or add one to it (the row stays locked).
    table = DailyCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [agency.pk, day],
        )
        (seq,) = cursor.fetchone()
    return format_dossier_code(agency_code=agency.code, day=day, seq=seq)


def new_lookup_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def format_lookup_key(key: str) -> str:
    """For printing: groups of four, ``K7QX-M2PD-9HTR-WZ``."""
    return "-".join(key[i : i + 4] for i in range(0, len(key), 4))


def normalize_lookup_key(typed: str) -> str:
    """What a citizen types: any case, with or without dashes and spaces."""
    return re.sub(r"[^A-Za-z0-9]", "", typed or "").upper()
