"""The catalogue from outside, for administrators: a province's annex workbook
(``/thu-tuc/nhap-phu-luc/``) and the national portal's catalogue (``/thu-tuc/dong-bo-cong-quoc-gia/``).

Both pages work the same way: the first post reads the source and shows the preview (new / changed,
old → new / unchanged, unconfirmed values, every error) and writes nothing; the source is kept
(``_stage_*``: a private file under MEDIA_ROOT keyed by a random token held in the session) so that
"apply" applies exactly what was previewed. Apply reads it again and refuses when the preview it
would show now differs from the one the administrator saw (fingerprint), then applies in one
transaction through ``catalog_apply``.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agencies.calendar import TimeUnit

from .annex import annex_plan, fee_label, plan_apply
from .catalog_sync import catalog_fetch, portal_plan
from .choices import TIME_UNIT_CHOICES
from .forms import CatalogImportForm
from .models import Procedure, ProcedureVersion, RequiredDocument, WorkflowStep
from .selectors import attach_current_versions, procedure_list
from .services import CatalogError, procedure_time_confirm

_SESSION_KEY = "catalog_imports"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_STAGE_SECONDS = 24 * 3600


# ----- forms -------------------------------------------------------------------------------------


class _EffectiveForm(forms.Form):
    effective_from = forms.DateField(
        label=gettext_lazy("New versions take effect from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    decision = forms.CharField(
        label=gettext_lazy("Announcing decision (optional)"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. 658/QĐ-UBND")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()


class AnnexUploadForm(_EffectiveForm, CatalogImportForm):
    field_order = ["file", "effective_from", "decision"]


class PortalSyncForm(_EffectiveForm):
    pass


class ConfirmTimeForm(forms.Form):
    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    amount = forms.DecimalField(label=gettext_lazy("Processing time"), min_value=0, max_digits=7, decimal_places=2)
    unit = forms.ChoiceField(label=gettext_lazy("Time unit"), choices=TIME_UNIT_CHOICES)

    def clean(self):
        data = super().clean()
        if data.get("unit") and data["unit"] != TimeUnit.SAME_DAY and data.get("amount") == 0:
            raise forms.ValidationError(_("Give a time greater than zero, or choose “same day”."))
        return data


# ----- keeping the source between the preview and the apply ----------------------------------------


def _stage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "catalog-imports"


def _stage_save(request, *, kind: str, content: bytes, meta: dict) -> str:
    folder = _stage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.bin"):  # sources nobody applied
        if old.stat().st_mtime < now - _STAGE_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(content)
    staged = request.session.get(_SESSION_KEY, {})
    staged = dict(sorted(staged.items(), key=lambda kv: kv[1].get("at", 0))[-4:])  # the last few only
    staged[token] = {**meta, "kind": kind, "at": now}
    request.session[_SESSION_KEY] = staged
    return token


def _stage_load(request, token: str, kind: str) -> tuple[bytes, dict] | None:
    """The staged source, only for the session that staged it."""
    meta = request.session.get(_SESSION_KEY, {}).get(token or "")
    if not _TOKEN.match(token or "") or meta is None or meta.get("kind") != kind:
        return None
    path = _stage_dir() / f"{token}.bin"
    if not path.exists():
        return None
    return path.read_bytes(), meta


def _stage_drop(request, token: str) -> None:
    staged = dict(request.session.get(_SESSION_KEY, {}))
    if staged.pop(token, None) is not None and _TOKEN.match(token):
        (_stage_dir() / f"{token}.bin").unlink(missing_ok=True)
    request.session[_SESSION_KEY] = staged


# ----- shared steps --------------------------------------------------------------------------------


def _require_administrator(request):
    if not request.user.is_administrator:
        raise PermissionDenied


def _label(key: str) -> str:
    special = {
        "field": _("field"),
        "processing_time": _("processing time"),
        "documents": str(RequiredDocument._meta.verbose_name_plural),
        "workflow": str(WorkflowStep._meta.verbose_name_plural),
        "code": _("procedure code"),
    }
    if key in special:
        return special[key]
    try:
        return str(ProcedureVersion._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _time(value):
    if not value:
        return None
    amount = Decimal(str(value["amount"]))
    return {"amount": int(amount) if amount == amount.to_integral_value() else float(amount), "unit": value["unit"]}


def _preview_context(plan, token):
    readings = plan.readings
    rows = []
    if plan.preview is not None:
        for item in plan.preview.items:
            reading = readings.get(item.code)
            changes = [
                {
                    **change,
                    "label": _label(change["key"]),
                    "old": _time(change["old"]) if change["key"] == "processing_time" else change["old"],
                    "new": _time(change["new"]) if change["key"] == "processing_time" else change["new"],
                }
                for change in item.changes
            ]
            rows.append(
                {
                    "item": item,
                    "changes": changes,
                    "unconfirmed": [_label(key) for key in item.unconfirmed],
                    "reading": reading,
                    "time": _time(reading.time) if reading else None,
                    "fee": fee_label(reading.fee) if reading else "",
                }
            )
    return {
        "plan": plan,
        "rows": rows,
        "token": token,
        "fingerprint": plan.fingerprint,
        "counts": {
            status: (plan.preview.count(status) if plan.preview else 0) for status in ("new", "changed", "unchanged")
        },
    }


def _applied(request, report, plan):
    messages.success(
        request,
        _("Import done: %(created)s new procedures, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "created": len(report.created),
            "changed": len(report.new_versions) + len(report.updated),
            "unchanged": len(report.unchanged),
        },
    )
    waiting = [r for _where, r in plan.records if not r.get("processing_time")]
    if waiting:
        messages.warning(
            request,
            ngettext(
                "%(count)s procedure has no confirmed processing time: it cannot take a dossier until an "
                "administrator confirms it.",
                "%(count)s procedures have no confirmed processing time: they cannot take a dossier until an "
                "administrator confirms it.",
                len(waiting),
            )
            % {"count": len(waiting)},
        )


def _apply_step(request, *, kind, build, template, context):
    """The "apply" post: rebuild the plan from the staged source; apply it when it is still the one
    that was previewed."""
    token = request.POST.get("token", "")
    staged = _stage_load(request, token, kind)
    if staged is None:
        messages.error(request, _("The preview has expired: start again."))
        return None
    content, meta = staged
    if "cancel" in request.POST:
        _stage_drop(request, token)
        return None
    plan = build(content, meta)
    if plan.fingerprint != request.POST.get("fingerprint"):
        messages.warning(request, _("The catalogue or the source changed since the preview: check it again."))
        return render(request, template, {**context, **_preview_context(plan, token)})
    try:
        report = plan_apply(plan)
    except CatalogError as exc:
        return render(request, template, {**context, **_preview_context(plan, token), "apply_errors": exc.errors})
    _stage_drop(request, token)
    _applied(request, report, plan)
    return None


def _meta_date(meta) -> date:
    return date.fromisoformat(meta["effective_from"])


# ----- the annex workbook -----------------------------------------------------------------------------


def _annex_build(content: bytes, meta: dict):
    return annex_plan(
        BytesIO(content),
        effective_from=_meta_date(meta),
        source=_("Annex %(name)s") % {"name": meta["name"]},
        decision=meta.get("decision", ""),
    )


@login_required
def annex_import(request):
    """Administrators load a province's annex workbook: preview, then apply."""
    _require_administrator(request)
    template = "procedures/import/annex.html"
    if request.method == "POST" and "token" in request.POST:
        response = _apply_step(
            request, kind="annex", build=_annex_build, template=template, context={"form": AnnexUploadForm()}
        )
        return response or redirect("procedures:annex_import")
    form = AnnexUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        meta = {
            "name": upload.name[:120],
            "effective_from": form.cleaned_data["effective_from"].isoformat(),
            "decision": form.cleaned_data["decision"],
        }
        try:
            plan = _annex_build(content, meta)
        except CatalogError as exc:
            context["read_errors"] = exc.errors
        else:
            token = _stage_save(request, kind="annex", content=content, meta=meta) if plan.can_apply else ""
            context.update(_preview_context(plan, token))
    return render(request, template, context)


# ----- the national portal ----------------------------------------------------------------------------


def _portal_build(content: bytes, meta: dict):
    return portal_plan(json.loads(content), effective_from=_meta_date(meta), decision=meta.get("decision", ""))


@login_required
def portal_sync(request):
    """Administrators pull the national portal's catalogue: preview, then apply."""
    from interop.portal import PortalError

    _require_administrator(request)
    template = "procedures/import/portal.html"
    if request.method == "POST" and "token" in request.POST:
        response = _apply_step(
            request, kind="portal", build=_portal_build, template=template, context={"form": PortalSyncForm()}
        )
        return response or redirect("procedures:portal_sync")
    form = PortalSyncForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            data = catalog_fetch()
        except PortalError as exc:
            context["portal_error"] = str(exc)
        else:
            meta = {
                "effective_from": form.cleaned_data["effective_from"].isoformat(),
                "decision": form.cleaned_data["decision"],
            }
            content = json.dumps(data, ensure_ascii=False, default=str).encode()
            plan = _portal_build(content, meta)
            token = _stage_save(request, kind="portal", content=content, meta=meta) if plan.can_apply else ""
            context.update(_preview_context(plan, token))
    return render(request, template, context)


# ----- confirming a time that could not be read -----------------------------------------------------


@login_required
def confirm_times(request):
    """Procedures in force whose time is unconfirmed (they cannot take a dossier): an administrator
    reads the published text and sets the time."""
    _require_administrator(request)
    form = ConfirmTimeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        procedure = Procedure.objects.filter(code=form.cleaned_data["code"]).first()
        if procedure is None:
            raise PermissionDenied
        try:
            procedure_time_confirm(
                procedure=procedure, amount=form.cleaned_data["amount"], unit=form.cleaned_data["unit"]
            )
        except CatalogError as exc:
            for error in exc.errors:
                messages.error(request, error)
        else:
            messages.success(request, _("The processing time of %(code)s is confirmed.") % {"code": procedure.code})
            return redirect("procedures:confirm_times")
    procedures = attach_current_versions(procedure_list(), documents=False)
    pending = [p for p in procedures if p.current is not None and not p.current.has_processing_time]
    return render(request, "procedures/import/confirm_times.html", {"pending": pending, "form": form})
