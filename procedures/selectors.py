"""Reads of the catalogue that several callers need (public pages, API, intake)."""

import re
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from agencies.calendar import calendar_for
from common.text import search_key, search_terms

from .models import AgencyProcedure, Field, Procedure, ProcedureVersion

# "1.001193.000.00.00.H35" → "1.001193": the national code is the part before the province suffix.
_SUFFIXED_CODE = re.compile(r"^(\d\.\d{6})\.[0-9A-Za-z.]+$")


def normalize_procedure_code(code: str) -> str:
    code = (code or "").strip()
    match = _SUFFIXED_CODE.match(code)
    return match.group(1) if match else code


def _current_version_subquery(day):
    return Subquery(
        ProcedureVersion.objects.filter(procedure=OuterRef("pk"), effective_from__lte=day)
        .order_by("-effective_from")
        .values("pk")[:1]
    )


def field_get(value: str) -> Field | None:
    """A field by its code or its name (accents and case ignored)."""
    value = (value or "").strip()
    if not value:
        return None
    field = Field.objects.filter(code__iexact=value).first()
    if field is None:
        key = search_key(value)
        field = next((f for f in Field.objects.all() if search_key(f.name) == key), None)
    return field


def procedure_list(*, search: str = "", field: Field | None = None, agency=None, day=None):
    """Active procedures in force on ``day`` (today), annotated with ``current_version_id``.

    ``search`` matches the code or any version's name, ignoring accents and case, every word;
    with ``agency``, only procedures enabled at its commune.
    """
    day = day or timezone.localdate()
    queryset = (
        Procedure.objects.filter(is_active=True)
        .select_related("field")
        .annotate(current_version_id=_current_version_subquery(day))
        .filter(current_version_id__isnull=False)
    )
    for term in search_terms(search):
        queryset = queryset.filter(search_text__contains=term)
    if field is not None:
        queryset = queryset.filter(field=field)
    if agency is not None:
        commune = agency.commune()
        disabled = AgencyProcedure.objects.filter(agency=commune, enabled=False).values("procedure_id")
        queryset = queryset.exclude(pk__in=disabled)
    return queryset.order_by("field__order", "field__name", "name")


def attach_current_versions(procedures, *, agency=None, documents=True):
    """Load each procedure's current version (with documents and steps) and agency settings in a
    fixed number of queries; sets ``procedure.current`` and ``procedure.setting``. Without
    ``documents``, the version's required documents are not read ahead (intake does not need them)."""
    procedures = list(procedures)
    ids = [p.current_version_id for p in procedures if getattr(p, "current_version_id", None)]
    related = ("documents", "workflow_steps") if documents else ("workflow_steps",)
    versions = ProcedureVersion.objects.filter(pk__in=ids).prefetch_related(*related)
    by_id = {v.pk: v for v in versions}
    settings = agency_settings_for(agency, procedures)
    for procedure in procedures:
        procedure.current = by_id.get(procedure.current_version_id)
        procedure.setting = settings.get(procedure.pk)
    return procedures


def agency_settings_for(agency, procedures) -> dict[int, AgencyProcedure]:
    if agency is None:
        return {}
    commune = agency.commune()
    rows = AgencyProcedure.objects.filter(agency=commune, procedure__in=[p.pk for p in procedures]).select_related(
        "processing_office"
    )
    return {row.procedure_id: row for row in rows}


def procedure_get(code: str, *, day=None, agency=None, documents=True) -> Procedure | None:
    """One active procedure by code (a suffixed code is accepted) with ``current`` and ``setting``
    (``documents``: read the current version's required documents ahead too)."""
    code = normalize_procedure_code(code)
    day = day or timezone.localdate()
    procedure = procedure_list(day=day).filter(code=code).order_by().first()
    if procedure is None:
        return None
    attach_current_versions([procedure], agency=agency, documents=documents)
    procedure.current_on = day  # the day ``current`` is in force on: intake reuses it for that day
    return procedure


@dataclass(frozen=True)
class ProcessingTime:
    """The time a dossier gets: the agency's shortened time if set, else the legal time."""

    amount: float
    unit: str
    shortened: bool


def processing_time_for(version: ProcedureVersion, setting: AgencyProcedure | None) -> ProcessingTime | None:
    if setting is not None and setting.shortened_amount is not None:
        return ProcessingTime(float(setting.shortened_amount), setting.shortened_unit, True)
    if version.processing_amount is None:
        return None
    return ProcessingTime(float(version.processing_amount), version.processing_unit, False)


def due_if_lodged_now(procedure: Procedure, *, agency=None, now=None):
    """ "Lodged now, the result is due on …" for the procedure page; None when the time is unconfirmed."""
    time = processing_time_for(procedure.current, procedure.setting)
    if time is None:
        return None
    now = now or timezone.now()
    return calendar_for(agency).due_at(now, time.amount, time.unit)
