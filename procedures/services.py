"""Writes to the catalogue. Every way in (Excel import, demo seed, admin) goes through
``catalog_apply``: records are validated first, then applied in one transaction, all or nothing.

A record is a dict shaped like ``procedures/seed/commune_procedures.json``'s procedures, plus
``field_name`` and ``effective_from``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.calendar import MAX_AMOUNT, TimeUnit
from common.text import search_key

from .choices import OnlineLevel, ProcedureLevel, StepRole
from .models import AgencyProcedure, Field, Procedure, ProcedureVersion, RequiredDocument, WorkflowStep
from .selectors import normalize_procedure_code

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{2,39}$")
_NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
VERSION_FIELDS = (
    "name",
    "level",
    "processing_time_text",
    "fee",
    "result",
    "legal_basis",
    "competent_authority",
    "online_level",
    "interagency",
    "verified",
    "unconfirmed",
    "source",
    "decision",
)


class CatalogError(Exception):
    """The records cannot be applied; ``errors`` lists every problem with where it was found."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class CatalogReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.created or self.new_versions or self.updated)


# ----- validation --------------------------------------------------------------------------------


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def clean_record(raw: dict, where: str) -> tuple[dict, list[str]]:
    """Normalise one record; return it with the list of its errors (each prefixed by ``where``)."""
    errors: list[str] = []

    def err(message):
        errors.append(f"{where}: {message}")

    record = dict(raw)
    code = normalize_procedure_code(str(raw.get("code") or ""))
    if not code:
        err(_("the procedure code is missing."))
    elif not _CODE.match(code):
        err(_("the procedure code “%(code)s” is not valid.") % {"code": code})
    record["code"] = code
    record["name"] = str(raw.get("name") or "").strip()
    if not record["name"]:
        err(_("the procedure name is missing."))
    if len(record["name"]) > 500:
        err(_("the procedure name is longer than 500 characters."))
    record["field"] = str(raw.get("field") or "").strip()
    record["field_name"] = str(raw.get("field_name") or "").strip()
    if not record["field"] and not record["field_name"]:
        err(_("the field is missing."))
    record["level"] = raw.get("level") or ProcedureLevel.COMMUNE
    if record["level"] not in ProcedureLevel.values:
        err(_("the level “%(value)s” is not valid.") % {"value": record["level"]})

    time = raw.get("processing_time") or {}
    amount, unit = time.get("amount"), time.get("unit") or ""
    try:
        amount = _decimal(amount)
    except ValueError:
        err(_("the processing time “%(value)s” is not a number.") % {"value": time.get("amount")})
        amount = None
    if unit and unit not in TimeUnit.ALL:
        err(_("the time unit “%(value)s” is not valid.") % {"value": unit})
    elif (amount is None) != (not unit):
        if unit == TimeUnit.SAME_DAY and amount is None:
            amount = Decimal(0)
        else:
            err(_("give both the processing time and its unit, or neither."))
    elif amount is not None and (amount < 0 or amount > MAX_AMOUNT.get(unit, 1000)):
        err(
            _("the processing time %(value)s is out of range (0 to %(max)s).")
            % {"value": amount, "max": MAX_AMOUNT.get(unit, 1000)}
        )
    record["processing_amount"], record["processing_unit"] = amount, unit if amount is not None else ""

    record["online_level"] = raw.get("online_level") or ""
    if record["online_level"] not in OnlineLevel.values:
        err(_("the online service level “%(value)s” is not valid.") % {"value": record["online_level"]})
    for name in ("processing_time_text", "fee", "result", "legal_basis", "source", "decision"):
        record[name] = str(raw.get(name) or "").strip()
    record["competent_authority"] = str(raw.get("competent_authority") or "Ủy ban nhân dân cấp xã").strip()
    record["interagency"] = bool(raw.get("interagency"))
    record["verified"] = bool(raw.get("verified"))
    # Codes outside the national shape (e.g. LT.KHAISINH) are the province's own.
    record["code_is_local"] = not _NATIONAL_CODE.match(code)
    unconfirmed = raw.get("unconfirmed") or []
    record["unconfirmed"] = sorted({str(item).strip() for item in unconfirmed if str(item).strip()})

    effective_from = raw.get("effective_from") or timezone.localdate()
    if not isinstance(effective_from, date):
        err(_("the effective date “%(value)s” is not a date.") % {"value": effective_from})
    record["effective_from"] = effective_from

    def item_err(item, message):
        # A paper or step read from its own sheet is reported where it stands.
        if item.get("where"):
            errors.append(f"{item['where']}: {message}")
        else:
            err(message)

    documents = []
    for position, doc in enumerate(raw.get("documents") or [], start=1):
        name = str(doc.get("name") or "").strip()
        if not name:
            item_err(doc, _("document %(n)s has no name.") % {"n": position})
        counts = {}
        for key in ("original_count", "copy_count"):
            value = doc.get(key, 1 if key == "original_count" else 0)
            try:
                value = int(value if value not in (None, "") else 0)
                if value < 0 or value > 100:
                    raise ValueError
            except (TypeError, ValueError):
                item_err(
                    doc,
                    _("document %(n)s: the number of originals or copies must be a whole number from 0 to 100.")
                    % {"n": position},
                )
                value = 0
            counts[key] = value
        documents.append({"name": name, "mandatory": bool(doc.get("mandatory", True)), **counts})
    record["documents"] = documents

    steps = []
    for position, step in enumerate(raw.get("workflow") or [], start=1):
        name, role = str(step.get("name") or "").strip(), step.get("role") or ""
        if not name:
            item_err(step, _("workflow step %(n)s has no name.") % {"n": position})
        if role not in StepRole.values:
            item_err(step, _("workflow step %(n)s: the role “%(role)s” is not valid.") % {"n": position, "role": role})
        try:
            share = int(step.get("share") or 0)
            if share < 0 or share > 100:
                raise ValueError
        except (TypeError, ValueError):
            item_err(step, _("workflow step %(n)s: the share is not a percentage.") % {"n": position})
            share = 0
        steps.append({"name": name, "role": role, "share": share})
    if steps and sum(s["share"] for s in steps) != 100:
        err(_("the workflow shares add up to %(total)s%%, not 100%%.") % {"total": sum(s["share"] for s in steps)})
    record["workflow"] = steps
    return record, errors


# ----- applying ----------------------------------------------------------------------------------


def _record_content(record: dict) -> dict:
    return {
        **{name: record[name] for name in VERSION_FIELDS},
        "processing_amount": record["processing_amount"],
        "processing_unit": record["processing_unit"],
        "documents": [(d["name"], d["original_count"], d["copy_count"], d["mandatory"]) for d in record["documents"]],
        "workflow": [(s["name"], s["role"], s["share"]) for s in record["workflow"]],
    }


def version_content(version: ProcedureVersion) -> dict:
    return {
        **{name: getattr(version, name) for name in VERSION_FIELDS},
        "unconfirmed": sorted(version.unconfirmed or []),
        "processing_amount": version.processing_amount,
        "processing_unit": version.processing_unit,
        "documents": [(d.name, d.original_count, d.copy_count, d.mandatory) for d in version.documents.all()],
        "workflow": [(s.name, s.role, s.share) for s in version.workflow_steps.all()],
    }


def version_is_used(version: ProcedureVersion) -> bool:
    """A version that a dossier was received under is frozen."""
    related = getattr(version, "dossiers", None)
    return related is not None and related.exists()


def _write_version_content(version: ProcedureVersion, record: dict) -> None:
    for name in VERSION_FIELDS:
        setattr(version, name, record[name])
    version.processing_amount = record["processing_amount"]
    version.processing_unit = record["processing_unit"]
    version.save()
    version.documents.all().delete()
    version.workflow_steps.all().delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(version=version, order=i, **doc) for i, doc in enumerate(record["documents"], start=1)
    )
    WorkflowStep.objects.bulk_create(
        WorkflowStep(version=version, order=i, **step) for i, step in enumerate(record["workflow"], start=1)
    )


def procedure_refresh_search(procedure: Procedure) -> None:
    """Keep the display name (version in force) and the search text (every version) current."""
    current = procedure.version_on() or procedure.versions.order_by("effective_from").first()
    names = set(procedure.versions.values_list("name", flat=True))
    procedure.name = current.name if current else procedure.name
    procedure.search_text = search_key(" ".join([procedure.code, *sorted(names)]))
    procedure.save(update_fields=["name", "search_text", "updated_at"])


def catalog_validate(raw_records: list[tuple[str, dict]], *, fields: list[dict] | None = None) -> list[dict]:
    """Clean every record; raise CatalogError listing every problem if any is bad."""
    records, errors, seen = [], [], {}
    known_fields = {f.code: f for f in Field.objects.all()}
    code_of_name = {search_key(f.name): f.code for f in known_fields.values()}
    name_in_file: dict[str, tuple[str, str]] = {}  # field code → (name key, where)
    code_in_file: dict[str, tuple[str, str]] = {}  # name key → (field code, where)
    entries = [(_("Field list"), {"field": f["code"], "field_name": f["name"]}) for f in fields or []]
    for where, raw in raw_records:
        record, record_errors = clean_record(raw, where)
        errors.extend(record_errors)
        key = (record["code"], record["effective_from"])
        if record["code"] and key in seen:
            errors.append(
                _("%(where)s: procedure %(code)s appears twice with the same effective date (also %(other)s).")
                % {"where": where, "code": record["code"], "other": seen[key]}
            )
        seen[key] = where
        listed = {f["code"] for f in fields or []}
        if (
            record["field"]
            and record["field"] not in known_fields
            and record["field"] not in listed
            and not record["field_name"]
        ):
            errors.append(
                _("%(where)s: the field code %(code)s is unknown.") % {"where": where, "code": record["field"]}
            )
        entries.append((where, record))
        records.append(record)
    for where, entry in entries:
        code, name = entry["field"], entry["field_name"]
        if not (code and name):
            continue
        name_key = search_key(name)
        other = code_of_name.get(name_key)
        if other and other != code:
            errors.append(
                _("%(where)s: the field code %(code)s does not match the field “%(name)s” (code %(other)s).")
                % {"where": where, "code": code, "name": name, "other": other}
            )
        earlier_name = name_in_file.setdefault(code, (name_key, where))
        earlier_code = code_in_file.setdefault(name_key, (code, where))
        if earlier_name[0] != name_key or earlier_code[0] != code:
            errors.append(
                _("%(where)s: the field code %(code)s and the field “%(name)s” disagree with %(other)s.")
                % {
                    "where": where,
                    "code": code,
                    "name": name,
                    "other": (earlier_name if earlier_name[0] != name_key else earlier_code)[1],
                }
            )
    if errors:
        raise CatalogError(errors)
    return records


@transaction.atomic
def catalog_apply(raw_records: list[tuple[str, dict]], *, fields: list[dict] | None = None) -> CatalogReport:
    """Validate then apply records, each as (where, record). All or nothing.

    A record equal to the version in force at its date changes nothing; one with the date of an
    existing unused version replaces its content; otherwise it becomes a new version from that date.
    """
    records = catalog_validate(raw_records, fields=fields)
    for entry in fields or []:
        Field.objects.update_or_create(code=entry["code"], defaults={"name": entry["name"]})
    report = CatalogReport()
    errors = []
    fields_by_code = {f.code: f for f in Field.objects.all()}
    fields_by_name = {search_key(f.name): f for f in fields_by_code.values()}
    touched: set[int] = set()
    for (where, _raw), record in zip(raw_records, records, strict=True):
        field_obj = fields_by_code.get(record["field"]) or fields_by_name.get(search_key(record["field_name"]))
        if field_obj is None:
            code = record["field"] or _field_code_from_name(record["field_name"], fields_by_code)
            field_obj = Field.objects.create(code=code, name=record["field_name"] or code, order=len(fields_by_code))
            fields_by_code[code] = field_obj
            fields_by_name[search_key(field_obj.name)] = field_obj
        elif record["field_name"] and field_obj.name != record["field_name"] and record["field"] == field_obj.code:
            field_obj.name = record["field_name"]
            field_obj.save(update_fields=["name"])
        procedure, created = Procedure.objects.get_or_create(
            code=record["code"],
            defaults={"field": field_obj, "name": record["name"], "code_is_local": record["code_is_local"]},
        )
        if not created and (procedure.field_id != field_obj.pk or procedure.code_is_local != record["code_is_local"]):
            procedure.field, procedure.code_is_local = field_obj, record["code_is_local"]
            procedure.save(update_fields=["field", "code_is_local", "updated_at"])
        effective_from = record["effective_from"]
        in_force = (
            procedure.versions.filter(effective_from__lte=effective_from)
            .order_by("-effective_from")
            .prefetch_related("documents", "workflow_steps")
            .first()
        )
        if in_force is not None and version_content(in_force) == _record_content(record):
            report.unchanged.append(record["code"])
            continue
        if in_force is not None and in_force.effective_from == effective_from:
            if version_is_used(in_force):
                errors.append(
                    _(
                        "%(where)s: the version of %(code)s from %(date)s is used by dossiers and cannot be "
                        "changed; give the change a new effective date."
                    )
                    % {"where": where, "code": record["code"], "date": effective_from.strftime("%d/%m/%Y")}
                )
                continue
            _write_version_content(in_force, record)
            report.updated.append(record["code"])
        else:
            version = ProcedureVersion(procedure=procedure, effective_from=effective_from)
            _write_version_content(version, record)
            (report.created if created else report.new_versions).append(record["code"])
        touched.add(procedure.pk)
    if errors:
        raise CatalogError(errors)
    for procedure in Procedure.objects.filter(pk__in=touched):
        procedure_refresh_search(procedure)
    return report


def _field_code_from_name(name: str, existing: dict) -> str:
    base = "".join(word[0] for word in search_key(name).split() if word).upper()[:12] or "LV"
    code, n = base, 2
    while code in existing:
        code, n = f"{base}{n}", n + 1
    return code


@transaction.atomic
def agency_procedure_configure(
    *, agency, procedure: Procedure, enabled: bool = True, shortened_time=None, processing_office=None
) -> AgencyProcedure:
    """Enable a procedure at an agency, with its shortened time ({amount, unit}) and office."""
    amount = unit = None
    if shortened_time:
        amount, unit = Decimal(str(shortened_time["amount"])), shortened_time["unit"]
        if unit not in TimeUnit.ALL or amount < 0:
            raise CatalogError([_("The shortened time is not valid.")])
    setting, _created = AgencyProcedure.objects.update_or_create(
        agency=agency,
        procedure=procedure,
        defaults={
            "enabled": enabled,
            "shortened_amount": amount,
            "shortened_unit": unit or "",
            "processing_office": processing_office,
        },
    )
    return setting


# ----- preview (catalogue from outside) ----------------------------------------------------------
#
# Added for the annex workbook and the national portal's catalogue (procedures/annex.py,
# procedures/catalog_sync.py): what ``catalog_apply`` would do, computed without writing.


def version_record(version: ProcedureVersion) -> dict:
    """A record (as ``catalog_apply`` takes) holding a version's content: change some values and
    keep the rest (papers, workflow, level…)."""
    return {
        "code": version.procedure.code,
        "name": version.name,
        "field": version.procedure.field.code,
        "field_name": "",
        "level": version.level,
        "processing_time": version.processing_time or {},
        "processing_time_text": version.processing_time_text,
        "fee": version.fee,
        "result": version.result,
        "legal_basis": version.legal_basis,
        "competent_authority": version.competent_authority,
        "online_level": version.online_level,
        "interagency": version.interagency,
        "verified": version.verified,
        "unconfirmed": sorted(version.unconfirmed or []),
        "source": version.source,
        "decision": version.decision,
        "effective_from": version.effective_from,
        "documents": [
            {"name": d.name, "original_count": d.original_count, "copy_count": d.copy_count, "mandatory": d.mandatory}
            for d in version.documents.all()
        ],
        "workflow": [{"name": s.name, "role": s.role, "share": s.share} for s in version.workflow_steps.all()],
    }


def record_differences(raw: dict, version: ProcedureVersion) -> list[str]:
    """The content keys (VERSION_FIELDS, processing_time, documents, workflow) on which a record
    differs from a version; empty when applying it would change nothing."""
    record, _errors = clean_record(raw, "")
    mine, theirs = _record_content(record), version_content(version)
    keys = []
    for key in mine:
        if mine[key] == theirs[key]:
            continue
        if key == "processing_unit" and "processing_time" in keys:
            continue
        keys.append("processing_time" if key in ("processing_amount", "processing_unit") else key)
    return list(dict.fromkeys(keys))


@dataclass
class PreviewItem:
    where: str
    code: str
    name: str
    status: str  # "new", "changed" or "unchanged"
    changes: list[dict] = field(default_factory=list)  # {"key", "old", "new"}
    unconfirmed: list[str] = field(default_factory=list)


@dataclass
class CatalogPreview:
    items: list[PreviewItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, status):
        return sum(1 for item in self.items if item.status == status)


def _shown(key: str, record: dict | None, version: ProcedureVersion | None):
    """A value as the preview shows it (times as {amount, unit}, lists as their length)."""
    if key == "processing_time":
        if record is not None:
            amount = record["processing_amount"]
            return None if amount is None else {"amount": float(amount), "unit": record["processing_unit"]}
        return version.processing_time
    if key in ("documents", "workflow"):
        if record is not None:
            return len(record[key])
        return (version.documents if key == "documents" else version.workflow_steps).count()
    return record[key] if record is not None else getattr(version, key)


def catalog_preview(raw_records: list[tuple[str, dict]], *, fields: list[dict] | None = None) -> CatalogPreview:
    """What ``catalog_apply`` would do with these records, without writing: per record new /
    changed (which values, old → new) / unchanged, and its unconfirmed values. Raises CatalogError
    as ``catalog_validate`` does; ``errors`` lists what applying would refuse."""
    records = catalog_validate(raw_records, fields=fields)
    preview = CatalogPreview()
    known = {f.code: f for f in Field.objects.all()}
    by_name = {search_key(f.name): f for f in known.values()}
    listed = {entry["code"]: entry["name"] for entry in fields or []}
    procedures = {
        p.code: p for p in Procedure.objects.filter(code__in=[r["code"] for r in records]).select_related("field")
    }
    for (where, _raw), record in zip(raw_records, records, strict=True):
        procedure = procedures.get(record["code"])
        item = PreviewItem(where=where, code=record["code"], name=record["name"], status="new")
        item.unconfirmed = record["unconfirmed"]
        preview.items.append(item)
        if procedure is None:
            continue
        field_obj = known.get(record["field"]) or by_name.get(search_key(record["field_name"]))
        field_name = field_obj.name if field_obj else record["field_name"] or listed.get(record["field"], "")
        if record["field"] in listed and field_obj is not None and field_obj.code == record["field"]:
            field_name = listed[record["field"]]
        if field_obj is None or field_obj.pk != procedure.field_id or field_name != procedure.field.name:
            item.changes.append({"key": "field", "old": procedure.field.name, "new": field_name})
        in_force = (
            procedure.versions.filter(effective_from__lte=record["effective_from"])
            .order_by("-effective_from")
            .prefetch_related("documents", "workflow_steps")
            .first()
        )
        if in_force is None:
            item.status = "changed" if item.changes else "new"
            continue
        keys = record_differences(record, in_force)
        item.changes += [
            {"key": key, "old": _shown(key, None, in_force), "new": _shown(key, record, None)} for key in keys
        ]
        item.status = "changed" if item.changes else "unchanged"
        if keys and in_force.effective_from == record["effective_from"] and version_is_used(in_force):
            preview.errors.append(
                _(
                    "%(where)s: the version of %(code)s from %(date)s is used by dossiers and cannot be "
                    "changed; give the change a new effective date."
                )
                % {"where": where, "code": record["code"], "date": record["effective_from"].strftime("%d/%m/%Y")}
            )
    return preview


@transaction.atomic
def procedure_time_confirm(
    *, procedure: Procedure, amount, unit: str, effective_from: date | None = None
) -> ProcedureVersion:
    """An administrator confirms the processing time of a procedure whose time is unconfirmed:
    the version in force gets it (a new version from ``effective_from`` when that one is used by
    dossiers), and "processing_time" leaves its unconfirmed values."""
    version = procedure.version_on(effective_from)
    if version is None:
        raise CatalogError([_("The procedure has no version in force.")])
    record = {**version_record(version), "processing_time": {"amount": amount, "unit": unit}}
    record["unconfirmed"] = [key for key in record["unconfirmed"] if key != "processing_time"]
    if version_is_used(version) or (effective_from and effective_from != version.effective_from):
        record["effective_from"] = effective_from or timezone.localdate()
    catalog_apply([(procedure.code, record)])
    return procedure.version_on(record["effective_from"])
