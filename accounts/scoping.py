"""Which agencies' data a member of staff may see.

Clerks and officers see their own agency; leaders and administrators see their agency and every
agency below it; a superuser with no agency sees everything. Every list, detail page and API
endpoint filters through ``visible_agency_ids``.
"""

from .choices import Role

ALL = None  # sentinel: no restriction


def visible_agency_ids(user):
    """A set of agency ids, or ``None`` meaning every agency."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser and user.agency_id is None:
        return ALL
    if user.agency_id is None:
        return set()
    if user.role in (Role.LEADER, Role.ADMIN):
        cached = getattr(user, "_visible_agency_ids", None)
        if cached is None:
            cached = user.agency.descendant_ids()
            user._visible_agency_ids = cached
        return cached
    return {user.agency_id}


def can_see_agency(user, agency_id):
    ids = visible_agency_ids(user)
    return ids is ALL or agency_id in ids


def scope_queryset(queryset, user, *, field="agency"):
    """Limit a queryset to rows whose ``field`` agency the user may see."""
    ids = visible_agency_ids(user)
    if ids is ALL:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})
