import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.limits import year_in_range

from .calendar import MAX_AMOUNT, CalendarError, TimeUnit, calendar_for
from .selectors import agency_get_by_code

# "+07:00" in an unencoded query string arrives as " 07:00".
_SPACE_OFFSET = re.compile(r"^(.*T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant; without an offset it is read in Vietnam's time."""
    value = value.strip()
    match = _SPACE_OFFSET.match(value)
    if match:
        value = f"{match.group(1)}+{match.group(2)}"
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if not year_in_range(parsed):
        raise ValueError("year out of range")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def format_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def agency_from_code(value: str, *, field: str | None = None):
    """The agency of an API parameter (None when empty), or a Vietnamese validation error."""
    if not value:
        return None
    agency = agency_get_by_code(value)
    if agency is None:
        message = _("No agency has the code %(code)s.") % {"code": value}
        raise serializers.ValidationError({field: [message]} if field else message)
    return agency


class DueQuery(serializers.Serializer):
    received_at = serializers.CharField(required=False)
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False, default=0)
    unit = serializers.ChoiceField(choices=TimeUnit.CHOICES)
    agency = serializers.CharField(required=False, allow_blank=True)

    def validate_received_at(self, value):
        try:
            return parse_instant(value)
        except ValueError as exc:
            raise serializers.ValidationError(
                _("Give the time in ISO 8601 form, e.g. 2026-03-10T14:00:00+07:00, between the years 2000 and 2100.")
            ) from exc

    def validate_agency(self, value):
        return agency_from_code(value)

    def validate(self, attrs):
        attrs.setdefault("received_at", timezone.now())
        unit, amount = attrs["unit"], attrs.get("amount") or 0
        if unit != TimeUnit.SAME_DAY and amount > MAX_AMOUNT[unit]:
            raise serializers.ValidationError({"amount": [_("The amount of time is too large.")]})
        return attrs


class CalendarDueView(APIView):
    """When a dossier received at ``received_at`` is due. Public: the portal shows it before filing."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("received_at", OpenApiTypes.DATETIME, required=False, description="Default: now"),
            OpenApiParameter("amount", OpenApiTypes.NUMBER, required=False),
            OpenApiParameter("unit", OpenApiTypes.STR, required=True, enum=list(TimeUnit.ALL)),
            OpenApiParameter("agency", OpenApiTypes.STR, required=False),
        ],
        responses=inline_serializer("DueAt", {"due_at": serializers.DateTimeField()}),
    )
    def get(self, request):
        query = DueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        try:
            due_at = calendar_for(data.get("agency")).due_at(data["received_at"], data["amount"], data["unit"])
        except CalendarError as exc:
            raise serializers.ValidationError({"amount": [str(exc)]}) from exc
        return Response({"due_at": format_instant(due_at)})
