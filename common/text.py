"""Text helpers for Vietnamese: accent-insensitive search keys and masking, and the one cap on
what a search may hold."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from unidecode import unidecode

_SPACES = re.compile(r"\s+")

# A search longer than this answers 400 with a message (never a 500 from a query too deep for the
# database): every search input (catalogue page and API, worklist, API dossier list) calls
# ``check_search``; ``search_terms`` never returns more words, whoever calls it.
DEFAULT_SEARCH_MAX_WORDS = 10
DEFAULT_SEARCH_MAX_CHARS = 200


def search_limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "SEARCH_MAX_WORDS", DEFAULT_SEARCH_MAX_WORDS)),
        int(getattr(settings, "SEARCH_MAX_CHARS", DEFAULT_SEARCH_MAX_CHARS)),
    )


def search_key(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "Đăng ký Khai sinh" → "dang ky khai sinh"."""
    return _SPACES.sub(" ", unidecode(text or "").lower()).strip()


def check_search(query) -> str:
    """The search as typed (trimmed), or ValidationError in Vietnamese when it has more than
    SEARCH_MAX_WORDS words or SEARCH_MAX_CHARS characters. Usable as a form or serializer field
    validator (``validators=[check_search]``) or called on a query parameter."""
    text = str(query or "").strip()
    words, chars = search_limits()
    if len(text) > chars or len(text.split()) > words:
        raise ValidationError(
            _("The search is too long: use at most %(words)s words and %(chars)s characters.")
            % {"words": words, "chars": chars},
            code="search_too_long",
        )
    return text


def search_terms(query: str) -> list[str]:
    """The distinct words of the search key, at most SEARCH_MAX_WORDS (the rest are ignored:
    callers that must tell the user use ``check_search`` first)."""
    words, chars = search_limits()
    terms = []
    for term in search_key(str(query or "")[: chars * 4]).split(" "):
        if term and term not in terms:
            terms.append(term)
            if len(terms) == words:
                break
    return terms
