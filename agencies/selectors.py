from django.utils.translation import gettext as _

from .models import Agency


def agency_get_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()


def agency_require_by_code(code: str) -> Agency:
    from django.core.exceptions import ValidationError

    agency = agency_get_by_code(code)
    if agency is None:
        raise ValidationError({"agency": [_("No agency has the code %(code)s.") % {"code": code}]})
    return agency
