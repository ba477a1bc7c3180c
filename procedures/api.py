from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from agencies.selectors import agency_get_by_code
from common.text import check_search

from .selectors import attach_current_versions, field_get, procedure_get, procedure_list


class TimeSerializer(serializers.Serializer):
    amount = serializers.FloatField()
    unit = serializers.CharField()


class DocumentSerializer(serializers.Serializer):
    name = serializers.CharField()
    original_count = serializers.IntegerField()
    copy_count = serializers.IntegerField()
    mandatory = serializers.BooleanField()


class StepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    share = serializers.IntegerField()


class ProcedureSerializer(serializers.Serializer):
    """A procedure as in force today (its current version), with the agency's shortened time."""

    code = serializers.CharField()
    name = serializers.CharField(source="current.name")
    field = serializers.CharField(source="field.name")
    field_code = serializers.CharField(source="field.code")
    level = serializers.CharField(source="current.level")
    processing_time = serializers.SerializerMethodField()
    processing_time_text = serializers.CharField(source="current.processing_time_text")
    shortened_time = serializers.SerializerMethodField()
    fee = serializers.CharField(source="current.fee")
    result = serializers.CharField(source="current.result")
    legal_basis = serializers.CharField(source="current.legal_basis")
    competent_authority = serializers.CharField(source="current.competent_authority")
    online_level = serializers.CharField(source="current.online_level")
    interagency = serializers.BooleanField(source="current.interagency")
    effective_from = serializers.DateField(source="current.effective_from")
    verified = serializers.BooleanField(source="current.verified")
    unconfirmed = serializers.ListField(source="current.unconfirmed", child=serializers.CharField())
    documents = DocumentSerializer(source="current.documents.all", many=True)
    workflow = StepSerializer(source="current.workflow_steps.all", many=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(TimeSerializer(allow_null=True))
    def get_processing_time(self, procedure):
        return procedure.current.processing_time

    @extend_schema_field(TimeSerializer(allow_null=True))
    def get_shortened_time(self, procedure):
        return procedure.setting.shortened_time if procedure.setting else None

    def get_url(self, procedure) -> str:
        request = self.context.get("request")
        path = f"/thu-tuc/{procedure.code}/"
        return request.build_absolute_uri(path) if request else path


AGENCY_PARAM = OpenApiParameter(
    "agency", OpenApiTypes.STR, description="Agency code: its enabled procedures and shortened times"
)


class _CatalogView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProcedureSerializer

    def agency(self):
        code = self.request.query_params.get("agency", "").strip()
        if code:
            agency = agency_get_by_code(code)
            if agency is None:
                raise serializers.ValidationError({"agency": [_("No agency has the code %(code)s.") % {"code": code}]})
            return agency
        user = self.request.user
        return user.agency if user.is_authenticated and getattr(user, "agency_id", None) else None


class ProcedureListView(_CatalogView):
    """The public catalogue: search by name or code (accents ignored), filter by field (code or name)."""

    def get_queryset(self):
        params = self.request.query_params
        field = None
        if params.get("field"):
            field = field_get(params["field"])
            if field is None:
                return procedure_list().none()
        try:
            search = check_search(params.get("search", ""))
        except ValidationError as exc:
            raise ValidationError({"search": exc.messages}) from exc
        return procedure_list(search=search, field=field, agency=self.agency())

    @extend_schema(
        operation_id="procedures_list",
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR),
            OpenApiParameter("field", OpenApiTypes.STR, description="Field code or name"),
            AGENCY_PARAM,
        ],
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        attach_current_versions(page, agency=self.agency())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProcedureDetailView(_CatalogView):
    @extend_schema(operation_id="procedures_retrieve", parameters=[AGENCY_PARAM])
    def get(self, request, code):
        procedure = procedure_get(code, agency=self.agency())
        if procedure is None:
            raise NotFound(_("No procedure has this code."))
        return Response(self.get_serializer(procedure).data)
