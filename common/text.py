"""Text helpers for Vietnamese: accent-insensitive search keys and masking."""

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def search_key(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "Đăng ký Khai sinh" → "dang ky khai sinh"."""
    return _SPACES.sub(" ", unidecode(text or "").lower()).strip()


def search_terms(query: str) -> list[str]:
    return [term for term in search_key(query).split(" ") if term]
