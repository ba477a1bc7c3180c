from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.qr import qr_svg

from .excel import catalog_export, catalog_import
from .forms import CatalogImportForm, CatalogSearchForm
from .models import Field
from .selectors import attach_current_versions, due_if_lodged_now, procedure_get, procedure_list
from .services import CatalogError


def _public_url(request, procedure):
    return request.build_absolute_uri(reverse("procedures:detail", args=[procedure.code]))


def catalog(request):
    """The public catalogue: search (accent-insensitive) and filter by field. htmx swaps the list."""
    form = CatalogSearchForm(request.GET or None)
    search, field, agency = "", None, None
    if form.is_valid():
        search = form.cleaned_data["q"] or ""
        field = form.cleaned_data["field"]
        agency = form.cleaned_data["agency"]
    if agency is None and request.user.is_authenticated and request.user.agency_id:
        agency = request.user.agency
    page = Paginator(procedure_list(search=search, field=field, agency=agency), 25).get_page(request.GET.get("page"))
    attach_current_versions(page.object_list, agency=agency)
    context = {"form": form, "page": page, "search": search, "field": field, "agency": agency}
    template = "procedures/partials/results.html" if request.htmx else "procedures/catalog.html"
    # A search the form refuses (thousands of words) is the client's error, shown in Vietnamese.
    # htmx swaps only 2xx answers: the partial with the message is a 200 for it, a 400 for the rest.
    refused = form.is_bound and form.errors.get("q") and not request.htmx
    return render(request, template, context, status=400 if refused else 200)


def detail(request, code):
    agency = _agency_param(request)
    procedure = procedure_get(code, agency=agency)
    if procedure is None:
        raise Http404(_("No procedure has this code."))
    if procedure.code != code:
        return redirect("procedures:detail", code=procedure.code)
    context = {
        "procedure": procedure,
        "version": procedure.current,
        "setting": procedure.setting,
        "agency": agency,
        "now": timezone.now(),
        "due_now": due_if_lodged_now(procedure, agency=agency),
        "qr": qr_svg(_public_url(request, procedure)),
        "public_url": _public_url(request, procedure),
    }
    return render(request, "procedures/detail.html", context)


def _agency_param(request):
    form = CatalogSearchForm({"agency": request.GET.get("agency", "")})
    agency = form.cleaned_data.get("agency") if form.is_valid() else None
    if agency is None and request.user.is_authenticated and request.user.agency_id:
        agency = request.user.agency
    return agency


def poster(request, code):
    """The A4 poster for the desk's public notice board (niêm yết công khai)."""
    agency = _agency_param(request)
    procedure = procedure_get(code, agency=agency)
    if procedure is None:
        raise Http404(_("No procedure has this code."))
    return render(
        request,
        "procedures/print/posters.html",
        {"items": [_poster_item(request, procedure)], "agency": agency, "title": procedure.name},
    )


def field_posters(request, field_code):
    field = get_object_or_404(Field, code=field_code)
    agency = _agency_param(request)
    procedures = attach_current_versions(procedure_list(field=field, agency=agency), agency=agency)
    return render(
        request,
        "procedures/print/posters.html",
        {"items": [_poster_item(request, p) for p in procedures], "agency": agency, "title": field.name},
    )


def _poster_item(request, procedure):
    return {
        "procedure": procedure,
        "version": procedure.current,
        "setting": procedure.setting,
        "qr": qr_svg(_public_url(request, procedure)),
    }


def qr_code(request, code):
    procedure = procedure_get(code)
    if procedure is None:
        raise Http404
    return HttpResponse(qr_svg(_public_url(request, procedure)), content_type="image/svg+xml")


@login_required
def catalog_excel(request):
    """Administrators export and import the catalogue as Excel."""
    if not request.user.is_administrator:
        raise PermissionDenied
    if request.GET.get("download"):
        buffer = BytesIO()
        catalog_export(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="danh-muc-tthc-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    form = CatalogImportForm(request.POST or None, request.FILES or None)
    errors, report = [], None
    if request.method == "POST" and form.is_valid():
        try:
            report = catalog_import(form.cleaned_data["file"])
        except CatalogError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("Import done: %(created)s new procedures, %(changed)s changed, %(unchanged)s unchanged.")
                % {
                    "created": len(report.created),
                    "changed": len(report.new_versions) + len(report.updated),
                    "unchanged": len(report.unchanged),
                },
            )
            return redirect("procedures:excel")
    return render(request, "procedures/excel.html", {"form": form, "errors": errors, "report": report})
