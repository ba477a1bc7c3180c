"""Who may see which agencies' reports: leaders and administrators, within their tree."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.scoping import ALL, visible_agency_ids
from agencies.models import Agency


def report_scope(user, agency_code: str | None = None):
    """(agency ids or None for all, the chosen agency or None). Raises PermissionDenied/Http404."""
    if not user.is_authenticated or not (user.is_superuser or user.role in (Role.LEADER, Role.ADMIN)):
        raise PermissionDenied(_("Reports are for leaders and administrators."))
    visible = visible_agency_ids(user)
    if agency_code:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise Http404(_("No agency has the code %(code)s.") % {"code": agency_code})
        if visible is not ALL and agency.pk not in visible:
            raise PermissionDenied(_("This agency is outside yours."))
        return _or_all(agency.descendant_ids()), agency
    return (visible if visible is ALL else _or_all(visible)), user.agency


def scope_key(agency_ids) -> str:
    """A short, stable name of a scope for cache keys ("all", or a digest of its agency ids)."""
    if agency_ids is ALL:
        return "all"
    return hashlib.sha1(",".join(map(str, sorted(agency_ids))).encode()).hexdigest()


def _or_all(ids):
    """A scope that covers every agency is no filter at all (cheaper queries for a province)."""
    return ALL if len(ids) >= Agency.objects.count() else ids
