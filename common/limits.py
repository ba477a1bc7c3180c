"""The bounds every form, API and service checks input against, in one place."""

from django.utils.translation import gettext_lazy as _

# Dates and times outside these years are a typing error (and break some databases' date maths).
YEAR_MIN, YEAR_MAX = 2000, 2100
YEAR_MESSAGE = _("Give a date between the years 2000 and 2100.")

# Originals plus copies of one paper received at the desk.
MAX_PAPER_COUNT = 200


def year_in_range(value) -> bool:
    """Is this date or datetime within YEAR_MIN..YEAR_MAX?"""
    return YEAR_MIN <= value.year <= YEAR_MAX
