"""The staff dossier API of ../shared/api.md. Thin: parse, call a service, serialize."""

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.models import User
from agencies.api import agency_from_code, format_instant, parse_instant
from common.limits import MAX_PAPER_COUNT, YEAR_MESSAGE, year_in_range
from common.text import check_search
from procedures.models import RequiredDocument
from procedures.revision import procedure_for_intake

from . import rules
from .access_log import AccessRecordedAPIView, RecordsDossierAccess, note_search, note_what
from .choices import Action, Channel, DossierStatus, ReturnMethod
from .exceptions import Conflict
from .models import Dossier, Extension
from .selectors import dossier_events, dossier_get, dossier_list
from .services import (
    ACTION_ARGUMENTS,
    SERVICES,
    ActionForbidden,
    ApplicantData,
    ReceivedDocument,
    TransitionNotAllowed,
    allowed_actions,
    dossier_act,
    dossier_receive,
)


def lookup_url(dossier: Dossier) -> str:
    return f"{settings.SITE_URL}{reverse('public_lookup', args=[dossier.code])}?key={dossier.lookup_key}"


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """ISO 8601 with offset; reads "+07:00" even when a client forgot to encode the plus."""

    def to_internal_value(self, data):
        try:
            return parse_instant(str(data))
        except ValueError:
            raise serializers.ValidationError(
                _("Give the time in ISO 8601 form, e.g. 2026-03-10T14:00:00+07:00.")
            ) from None

    def to_representation(self, value):
        return format_instant(value)


class ApplicantIn(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    id_number = serializers.CharField(max_length=20)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "original_count": {"type": "integer", "minimum": 0},
                    "copy_count": {"type": "integer", "minimum": 0},
                    "required_document": {"type": "integer"},
                },
            },
        ]
    }
)
class DocumentIn(serializers.Field):
    """A received paper: its name, or {name, original_count, copy_count[, required_document]}."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = {"name": data}
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Give each document as a name or an object with a name."))
        required_id = data.get("required_document") or data.get("id")
        name = str(data.get("name") or "").strip()
        if required_id and not name:
            required = RequiredDocument.objects.filter(pk=required_id).first() if str(required_id).isdigit() else None
            if required is None:
                raise serializers.ValidationError(_("Unknown required document %(id)s.") % {"id": required_id})
            name = required.name
        if not name:
            raise serializers.ValidationError(_("Each document needs a name."))
        try:
            originals = int(data.get("original_count", 1 if "copy_count" not in data else 0))
            copies = int(data.get("copy_count", 0))
        except (TypeError, ValueError):
            raise serializers.ValidationError(_("The numbers of originals and copies must be whole numbers.")) from None
        if originals < 0 or copies < 0 or originals + copies > MAX_PAPER_COUNT:
            raise serializers.ValidationError(_("The numbers of originals and copies are out of range."))
        return ReceivedDocument(
            name=name[:2000],
            original_count=originals,
            copy_count=copies,
            required_document_id=int(required_id) if str(required_id or "").isdigit() else None,
        )

    def to_representation(self, value):
        return {"name": value.name, "original_count": value.original_count, "copy_count": value.copy_count}


class DossierIn(serializers.Serializer):
    procedure = serializers.CharField(max_length=40)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.DIRECT)
    applicant = ApplicantIn()
    return_method = serializers.ChoiceField(choices=ReturnMethod.choices, default=ReturnMethod.DESK)
    return_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    documents = serializers.ListField(child=DocumentIn(), required=False, default=list, max_length=100)
    received_at = InstantField(required=False)
    competent_agency = serializers.CharField(max_length=40, required=False, allow_blank=True)
    competent_received_at = InstantField(required=False)
    # The citizen's papers already held (dossiers.papers): attached without a new upload.
    reused_papers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=list, max_length=50
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    # Required when received_at differs from now by more than RECEIVED_AT_TOLERANCE_MINUTES.
    received_at_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_procedure(self, value):
        procedure = procedure_for_intake(value)  # the version and its steps, from this process's copy
        if procedure is None:
            raise serializers.ValidationError(_("No procedure has the code %(code)s.") % {"code": value})
        return procedure

    def validate_competent_agency(self, value):
        return agency_from_code(value)


class EventOut(serializers.Serializer):
    at = InstantField()
    actor = serializers.SerializerMethodField()
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None


class DossierListOut(RecordsDossierAccess, serializers.Serializer):
    """Each dossier serialized is a read of its applicant's data: noted on the request's access
    record (dossiers.access_log); serializing outside a recording view is refused."""

    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    procedure = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name")
    applicant_name = serializers.CharField()
    channel = serializers.CharField()
    received_at = InstantField()
    entered_at = InstantField()
    backdated = serializers.BooleanField()
    due_at = InstantField()
    original_due_at = InstantField()
    finished_at = InstantField()
    assignee = serializers.SerializerMethodField()
    receiving_agency = serializers.CharField(source="receiving_agency.code")
    competent_agency = serializers.CharField(source="competent_agency.code")
    handling_office = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue")

    def get_assignee(self, dossier) -> str | None:
        return dossier.assignee.username if dossier.assignee_id else None

    def get_handling_office(self, dossier) -> str | None:
        return dossier.handling_office.code if dossier.handling_office_id else None


class DossierOut(DossierListOut):
    external_code = serializers.CharField(allow_null=True)
    received_at_reason = serializers.CharField()
    filed_at = InstantField()
    acceptance_due_at = InstantField()
    accepted_at = InstantField()
    submitted_at = InstantField()
    lookup_key = serializers.CharField()
    lookup_url = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    processing_time = serializers.SerializerMethodField()
    shortened = serializers.BooleanField()
    competent_received_at = InstantField()
    clock_started_at = InstantField()
    handover_due_at = InstantField()
    transferred_at = InstantField()
    result_ready_at = InstantField()
    supplement_deadline = InstantField()
    supplement_count = serializers.IntegerField()
    extended = serializers.SerializerMethodField()
    return_method = serializers.CharField()
    return_address = serializers.CharField()
    returned_to = serializers.CharField()
    tracking_number = serializers.CharField()
    applicant = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    def get_lookup_url(self, dossier) -> str:
        return lookup_url(dossier)

    def get_processing_time(self, dossier) -> dict:
        amount = dossier.processing_amount
        return {"amount": int(amount) if amount == int(amount) else float(amount), "unit": dossier.processing_unit}

    def get_extended(self, dossier) -> bool:
        return dossier.extended_at is not None

    def get_applicant(self, dossier) -> dict:
        return {
            "full_name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        }

    # A dossier this request registered carries what its intake wrote (``dossier.written``,
    # dossiers.services.intake): its answer is made from that, with no read back.

    def get_documents(self, dossier) -> list:
        written = getattr(dossier, "written", None)
        return [
            {"name": d.name, "original_count": d.original_count, "copy_count": d.copy_count}
            for d in (written.documents if written else dossier.documents.all())
        ]

    def get_events(self, dossier) -> list:
        written = getattr(dossier, "written", None)
        return EventOut(written.events if written else dossier_events(dossier), many=True).data

    def get_allowed_actions(self, dossier) -> list[str]:
        request = self.context.get("request")
        return allowed_actions(request.user, dossier) if request else []

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "number": {"type": "string"},
                    "url": {"type": "string"},
                    "sha256": {"type": "string"},
                    "signer": {"type": "string"},
                    "signed_at": {"type": "string", "format": "date-time"},
                },
            },
        }
    )
    def get_results(self, dossier) -> list:
        """The signed result documents (issue: electronic results), newest version last."""
        from results.selectors import result_api_items

        if getattr(dossier, "written", None):
            return []  # registered by this request: nothing can be signed yet
        items = result_api_items(dossier, request=self.context.get("request"))
        return [{**item, "signed_at": format_instant(item["signed_at"])} for item in items]


class DossierCollection(AccessRecordedAPIView, GenericAPIView):
    serializer_class = DossierOut
    access_what = "api-dossiers"

    @extend_schema(
        operation_id="dossiers_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(DossierStatus.values)),
            OpenApiParameter("overdue", OpenApiTypes.BOOL),
            OpenApiParameter("procedure", OpenApiTypes.STR),
            OpenApiParameter("received_from", OpenApiTypes.DATE),
            OpenApiParameter("received_to", OpenApiTypes.DATE),
            OpenApiParameter("q", OpenApiTypes.STR, description="Code, applicant name or ID number"),
            OpenApiParameter("backdated", OpenApiTypes.BOOL, description="Receipt time stated in the past"),
        ],
        responses=DossierListOut(many=True),
    )
    def get(self, request):
        filters = FilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        queryset = dossier_list(request.user, filters=values).order_by("-received_at", "-pk")
        if values.get("backdated") is not None:
            queryset = queryset.filter(backdated=values["backdated"])
        note_what(request, "api-list")
        if values.get("q"):
            note_search(request, values["q"])  # an ID number searched is a read of that citizen, found or not
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(DossierListOut(page, many=True, context={"request": request}).data)

    @extend_schema(operation_id="dossiers_create", request=DossierIn, responses={201: DossierOut})
    def post(self, request):
        data = DossierIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            dossier = dossier_receive(
                procedure=values["procedure"],
                applicant=ApplicantData(**values["applicant"]),
                received_by=request.user,
                channel=values["channel"],
                return_method=values["return_method"],
                return_address=values["return_address"],
                documents=values["documents"],
                competent_agency=values.get("competent_agency"),
                received_at=values.get("received_at"),
                competent_received_at=values.get("competent_received_at"),
                reused_papers=values["reused_papers"],
                note=values["note"],
                received_at_reason=values["received_at_reason"],
            )
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        # The dossier just created, as it is in memory (no second read): a new dossier has no
        # extension; its papers and history are what the intake wrote (``dossier.written``).
        note_what(request, "api-create")
        if not getattr(dossier, "written", None):
            prefetch_related_objects([dossier], "documents")
        dossier.__dict__.setdefault("_prefetched_objects_cache", {})["extensions"] = Extension.objects.none()
        return Response(DossierOut(dossier, context={"request": request}).data, status=status.HTTP_201_CREATED)


class FilterIn(serializers.Serializer):
    status = serializers.CharField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    backdated = serializers.BooleanField(required=False, allow_null=True, default=None)
    procedure = serializers.CharField(required=False)
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)
    q = serializers.CharField(required=False, validators=[check_search])

    def validate(self, attrs):
        for name in ("received_from", "received_to"):
            if name in attrs and not year_in_range(attrs[name]):
                raise serializers.ValidationError({name: [YEAR_MESSAGE]})
        return attrs

    def validate_status(self, value):
        statuses = [s.strip() for s in value.split(",") if s.strip()]
        unknown = [s for s in statuses if s not in DossierStatus.values]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown status %(status)s. Use one of: %(all)s.")
                % {"status": ", ".join(unknown), "all": ", ".join(DossierStatus.values)}
            )
        return ",".join(statuses)


class DossierItem(AccessRecordedAPIView, GenericAPIView):
    serializer_class = DossierOut
    access_what = "api-detail"

    @extend_schema(operation_id="dossiers_retrieve")
    def get(self, request, code):
        dossier = dossier_get(request.user, code)
        if dossier is None:
            raise NotFound(_("No dossier has this code."))
        return Response(DossierOut(dossier, context={"request": request}).data)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
class MissingField(serializers.Field):
    """What is missing: the text of Mẫu 02, or the papers as a list (one per line of the form)."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            if len(data) > 100 or not all(isinstance(item, str) and len(item) <= 500 for item in data):
                raise serializers.ValidationError(_("Give at most 100 papers, each as a text of at most 500 letters."))
            return [item for item in data if item.strip()]
        if not isinstance(data, str) or len(data) > 2000:
            raise serializers.ValidationError(_("Give the missing papers as a text or a list of texts."))
        return data

    def to_representation(self, value):
        return value


class ActionIn(serializers.Serializer):
    officer = serializers.CharField(required=False, max_length=150)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    missing = MissingField(required=False, default="")
    new_due_at = InstantField(required=False)
    expected_at = InstantField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    office = serializers.CharField(required=False, max_length=40)
    received_by = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    tracking_number = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    version = serializers.IntegerField(required=False, min_value=1)
    result = serializers.FileField(required=False, help_text="submit: the draft result as a PDF (multipart)")
    passphrase = serializers.CharField(
        required=False, max_length=200, help_text="approve: the signing PIN, if not kept"
    )


API_ACTIONS = list(SERVICES)


class DossierActionView(AccessRecordedAPIView, GenericAPIView):
    """POST /api/v1/dossiers/{code}/{action}/ — 409 when the transition is not allowed now. The
    answer (the dossier after the action) is recorded as a read."""

    serializer_class = ActionIn
    access_what = "api-action:{action}"

    @extend_schema(
        operation_id="dossiers_action",
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=API_ACTIONS)],
        request=ActionIn,
        responses={200: DossierOut, 409: inline_serializer("Error", {"detail": serializers.CharField()})},
    )
    def post(self, request, code, action):
        if action not in SERVICES:
            raise NotFound(_("Unknown action %(action)s.") % {"action": action})
        dossier = dossier_get(request.user, code)
        if dossier is None:
            raise NotFound(_("No dossier has this code."))
        # Who may, and whether the state allows it now, before the body is read: a role that may
        # never take the action gets 403 whatever it sent, a state that forbids it 409.
        verdict = rules.evaluate(request.user, dossier, action)
        if not verdict.allowed:
            raise (Conflict if verdict.status_code == 409 else PermissionDenied)(verdict.reason)
        data = ActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        inputs = {
            "reason": values["reason"],
            "missing": values["missing"] or values["reason"],
            "note": values["note"],
            "received_by_name": values["received_by"],
            "tracking_number": values["tracking_number"],
        }
        if action == Action.ASSIGN:
            if not values.get("officer"):
                raise serializers.ValidationError({"officer": [_("Name the officer (username).")]})
            inputs["officer"] = User.objects.filter(username=values["officer"]).select_related("agency").first()
            if inputs["officer"] is None:
                raise serializers.ValidationError(
                    {"officer": [_("No user is named %(name)s.") % {"name": values["officer"]}]}
                )
        for name in ("new_due_at", "expected_at"):
            if name in ACTION_ARGUMENTS[action]:
                if name not in values:
                    raise serializers.ValidationError({name: [_("Give the new appointment time.")]})
                inputs[name] = values[name]
        if values.get("result") is not None:
            inputs["result_pdf"] = values["result"].read(settings.RESULTS_MAX_UPLOAD_BYTES + 1)
        if values.get("passphrase"):
            inputs["passphrase"] = values["passphrase"]
        if action == Action.TRANSFER and values.get("office"):
            inputs["office"] = agency_from_code(values["office"], field="office")
        try:
            dossier_act(
                dossier=dossier, action=action, by=request.user, expected_version=values.get("version"), **inputs
            )
        except TransitionNotAllowed as exc:
            raise Conflict(str(exc)) from exc
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        dossier = dossier_get(request.user, code) or Dossier.objects.get(pk=dossier.pk)
        return Response(DossierOut(dossier, context={"request": request}).data)
