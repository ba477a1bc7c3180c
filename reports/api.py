from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from common.limits import YEAR_MESSAGE, year_in_range

from .access import report_scope
from .forms import GROUPS
from .selectors import COLUMNS, DIGITISATION_COLUMNS, handling_counts, total_row


class HandlingQuery(serializers.Serializer):
    # "from" is a Python keyword: declared below.
    to = serializers.DateField()
    agency = serializers.CharField(required=False, allow_blank=True, max_length=40)
    group_by = serializers.ChoiceField(choices=[g for g, _label in GROUPS], required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields

    def validate(self, attrs):
        for name in ("from", "to"):
            if not year_in_range(attrs[name]):
                raise serializers.ValidationError({name: [YEAR_MESSAGE]})
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("The start date is after the end date.")]})
        if (attrs["to"] - attrs["from"]).days > 3660:
            raise serializers.ValidationError({"to": [_("Choose a range of at most ten years.")]})
        attrs["group_by"] = attrs.get("group_by") or None
        return attrs


ROW = inline_serializer(
    "HandlingRow",
    {
        "key": serializers.CharField(allow_null=True),
        "label": serializers.CharField(),
        **{name: serializers.IntegerField() for name in COLUMNS},
        "on_time_rate": serializers.FloatField(allow_null=True),
        # Decision 766, digitisation (reports.definitions).
        **{name: serializers.IntegerField() for name in DIGITISATION_COLUMNS},
        "digitised_rate": serializers.FloatField(allow_null=True),
        "electronic_result_rate": serializers.FloatField(allow_null=True),
    },
)


class HandlingReportView(APIView):
    """The periodic report II.06a (Circular 01/2020) for leaders: rows per agency, field, procedure or
    officer, and the total."""

    @extend_schema(
        operation_id="reports_handling",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("agency", OpenApiTypes.STR),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=[g for g, _label in GROUPS]),
        ],
        responses=inline_serializer(
            "HandlingReport",
            {
                "from": serializers.DateField(),
                "to": serializers.DateField(),
                "agency": serializers.CharField(allow_null=True),
                "group_by": serializers.CharField(allow_null=True),
                "rows": ROW.__class__(many=True),
                "total": ROW.__class__(),
            },
        ),
    )
    def get(self, request):
        query = HandlingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        try:
            agency_ids, agency = report_scope(request.user, values.get("agency"))
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        rows = handling_counts(agency_ids, date_from=values["from"], date_to=values["to"], group_by=values["group_by"])
        return Response(
            {
                "from": values["from"].isoformat(),
                "to": values["to"].isoformat(),
                "agency": agency.code if agency else None,
                "group_by": values["group_by"],
                "rows": rows,
                "total": total_row(rows),
            }
        )
