"""The citizens' API (no login): a dossier's status for the holder of its receipt, and its rating.

Wrong, missing key and unknown code answer the same 404; every call counts against the per-client
lookup limit shared with the status page, and a rating also against the limit of public forms
(``common.ratelimit.PUBLIC_LIMITS``, applied by ``common.middleware.PublicRateLimitMiddleware``:
429 in the usual error format)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dossiers.api import InstantField
from dossiers.choices import DossierStatus
from dossiers.exceptions import Conflict
from dossiers.public import public_view
from dossiers.selectors import dossier_events, dossier_get_public

from .choices import CRITERIA, EvaluationChannel, Rating
from .services import EvaluationNotAllowed, evaluation_submit


class PublicAPIView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []  # limited per client by common.middleware.PublicRateLimitMiddleware

    def get_dossier(self, request, code):
        dossier = dossier_get_public(code, request.query_params.get("key", ""))
        if dossier is None:
            raise NotFound(_("No dossier matches this code and key."))
        return dossier


KEY_PARAMETER = OpenApiParameter(
    "key", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="The lookup key on the receipt"
)
ERROR = inline_serializer(
    "PublicError", {"detail": serializers.CharField(), "errors": serializers.DictField(child=serializers.ListField())}
)


class HistoryOut(serializers.Serializer):
    at = InstantField()
    status = serializers.CharField()
    status_label = serializers.CharField()


class ApologyOut(serializers.Serializer):
    reason = serializers.CharField()
    new_due_at = InstantField(allow_null=True)


class PublicDossierOut(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField(source="procedure_code")
    procedure_name = serializers.CharField()
    status = serializers.ChoiceField(choices=DossierStatus.choices)
    status_label = serializers.CharField()
    status_text = serializers.CharField(help_text="The current step in one plain sentence")
    received_at = InstantField()
    due_at = InstantField()
    finished_at = InstantField(allow_null=True)
    applicant_name_masked = serializers.CharField()
    return_method = serializers.CharField()
    collect_agency_name = serializers.CharField()
    collect_agency_address = serializers.CharField()
    apology = ApologyOut(allow_null=True)
    can_rate = serializers.BooleanField()
    history = HistoryOut(many=True)


class PublicDossierView(PublicAPIView):
    """GET /api/v1/public/dossiers/{code}?key=LOOKUP_KEY"""

    @extend_schema(
        operation_id="public_dossier_retrieve",
        parameters=[KEY_PARAMETER],
        responses={200: PublicDossierOut, 404: ERROR, 429: ERROR},
        auth=[],
    )
    def get(self, request, code):
        dossier = self.get_dossier(request, code)
        return Response(PublicDossierOut(public_view(dossier, dossier_events(dossier))).data)


CRITERIA_SCHEMA = {
    "type": "object",
    "properties": {c.code: {"type": "string", "enum": c.values, "description": str(c.label)} for c in CRITERIA},
    "additionalProperties": False,
}


RATING_MESSAGE = gettext_lazy("Choose a rating from 1 (very dissatisfied) to 5 (very satisfied).")


@extend_schema_field(CRITERIA_SCHEMA)
class CriteriaField(serializers.JSONField):
    """Criterion code → answer code (Decree 118, Art. 33); checked by the service."""


class EvaluationIn(serializers.Serializer):
    overall = serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value", "required", "null"), RATING_MESSAGE),
    )
    criteria = CriteriaField(required=False, default=dict)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EvaluationOut(serializers.Serializer):
    code = serializers.CharField(source="dossier.code")
    overall = serializers.ChoiceField(choices=Rating.choices)
    criteria = serializers.DictField(child=serializers.CharField())
    comment = serializers.CharField()
    created_at = InstantField()


class PublicEvaluationView(PublicAPIView):
    """POST /api/v1/public/dossiers/{code}/evaluation?key=LOOKUP_KEY"""

    @extend_schema(
        operation_id="public_dossier_evaluate",
        parameters=[KEY_PARAMETER],
        request=EvaluationIn,
        responses={201: EvaluationOut, 400: ERROR, 404: ERROR, 409: ERROR, 429: ERROR},
        auth=[],
        description="Criteria: "
        + "; ".join(f"{c.code} ∈ {{{', '.join(c.values)}}}" for c in CRITERIA)
        + ". Once per dossier, after the result was returned (else 409).",
    )
    def post(self, request, code):
        dossier = self.get_dossier(request, code)
        data = EvaluationIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            evaluation = evaluation_submit(
                dossier=dossier,
                overall=values["overall"],
                criteria=values["criteria"],
                comment=values["comment"],
                channel=EvaluationChannel.API,
            )
        except EvaluationNotAllowed as exc:
            raise Conflict(str(exc)) from exc
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(EvaluationOut(evaluation).data, status=status.HTTP_201_CREATED)
