"""Staff: the printed forms as PDF, signed results to download. Public: is this result genuine? And
the citizen's own signed result, downloaded with the lookup key of the receipt.

The public pages are rate-limited per client by common.ratelimit's PUBLIC_LIMITS (the lookup budget
the status page uses), through common.middleware.PublicRateLimitMiddleware: no counter here.

The PDFs of forms 01-06, the guidance slips and the letters are the very pages the print views
render (dossiers.views_print), turned into PDF: one template for screen, printer and PDF.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from dossiers.access_log import note_subject, nothing_read, records_access
from dossiers.models import AccessChannel

from .forms import ResultKeyForm, VerifyUploadForm
from .models import ResultDocument
from .pdf import html_to_pdf
from .selectors import result_get_by_sha256, result_get_by_token
from .verification import verify_pdf

logger = logging.getLogger(__name__)


def _pdf_response(data: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _html_to_pdf_response(request, html_response, filename: str) -> HttpResponse:
    if html_response.status_code != 200:
        return html_response
    html = html_response.content.decode(html_response.charset or "utf-8")
    return _pdf_response(html_to_pdf(html, base_url=request.build_absolute_uri("/")), filename)


@login_required
def form_pdf(request, code, form):
    """Mẫu 01-06 of a dossier as PDF (the print view's page, logged as a print)."""
    from dossiers.views_print import print_form

    return _html_to_pdf_response(request, print_form(request, code, form), f"mau-{form}-{code}.pdf")


@login_required
def guidance_pdf(request, number):
    from dossiers.views_print import print_guidance

    return _html_to_pdf_response(request, print_guidance(request, number), f"huong-dan-{number}.pdf")


@login_required
def letter_pdf(request, code, key):
    from dossiers.views_print import print_letter

    return _html_to_pdf_response(request, print_letter(request, code, key), f"thu-{key}-{code}.pdf")


def _staff_user(request):
    """The session's user, else the API token's (``Authorization: Token <key>``)."""
    if request.user.is_authenticated:
        return request.user
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return found[0] if found else None


@never_cache
def download(request, pk):
    """A result PDF for staff who may see its dossier (session or API token); logged."""
    from django.contrib.auth.views import redirect_to_login

    from dossiers.access_log import record_access
    from dossiers.models import AccessChannel
    from dossiers.services import can_access_dossier

    user = _staff_user(request)
    if user is None:
        if request.headers.get("Authorization"):
            return HttpResponse(status=401)
        return redirect_to_login(request.get_full_path())
    doc = get_object_or_404(ResultDocument.objects.select_related("dossier"), pk=pk)
    if not can_access_dossier(user, doc.dossier):
        raise Http404
    record_access(
        user=user,
        what=f"result-{doc.pk}",
        channel=AccessChannel.API if request.headers.get("Authorization") else AccessChannel.PAGE,
        dossier=doc.dossier,
    )
    name = f"ket-qua-{doc.dossier.code}-v{doc.version}{'' if doc.state == 'signed' else '-du-thao'}.pdf"
    response = FileResponse(doc.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


# ----- public verification -----------------------------------------------------------------------


def stored_report(doc):
    """The verification of a stored signed result, cached by fingerprint for ten minutes."""
    key = f"results:verify:{doc.sha256}"
    report = cache.get(key)
    if report is None:
        with doc.file.open("rb") as fh:
            report = verify_pdf(fh.read())
        cache.set(key, report, 600)
    return report


def _upload_verdict(data: bytes, doc=None) -> dict:
    """What the citizen's upload is: that genuine document, another known result, or neither."""
    report = verify_pdf(data)
    known = result_get_by_sha256(report.sha256)
    if doc is not None:
        genuine = report.sha256 == doc.sha256 and report.ok
        if report.sha256 != doc.sha256:
            summary = _("This file is NOT the genuine document: its fingerprint differs from the issued result.")
        elif not report.ok:
            summary = _("This file is the issued document, but its signature does not verify now.")
        else:
            summary = _("This file is the genuine document: identical to the issued result, signature valid.")
    else:
        genuine = known is not None and report.ok
        if known is None:
            summary = _("This document is unknown: no result issued by this system has this fingerprint.")
        elif not report.ok:
            summary = _("This file matches an issued result, but its signature does not verify now.")
        else:
            summary = _("This file is a genuine result issued by this system.")
    return {"genuine": genuine, "summary": summary, "report": report, "known": known}


def _read_upload(form) -> bytes | None:
    upload = form.cleaned_data["file"]
    return b"".join(upload.chunks())


@never_cache
@vary_on_headers("Accept-Language")
def verify(request, token=None):
    """The QR's page: what the result states, whether it is genuine; an upload checks a copy."""
    doc = result_get_by_token(token) if token else None
    if token and doc is None:
        return render(request, "results/verify_not_found.html", {"form": VerifyUploadForm()}, status=404)
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    verdict = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            verdict = _upload_verdict(_read_upload(form), doc)
        else:
            status = 400
    context = {"doc": doc, "form": form, "verdict": verdict}
    if doc is not None:
        context["report"] = stored_report(doc)
        context["replacement"] = (
            ResultDocument.objects.filter(replaces=doc, state="signed").only("token", "version").first()
            if doc.superseded
            else None
        )
    return render(request, "results/verify.html", context, status=status)


# ----- the citizen's signed result ---------------------------------------------------------------


@never_cache
@vary_on_headers("Accept-Language")
@records_access("result-download", channel=AccessChannel.CITIZEN)
def citizen_download(request, code):
    """The link in the "result ready" message: the citizen types the lookup key of the receipt and
    gets the signed result in force (the latest version). An unknown code and a wrong key give the
    very same 404; the key is compared in constant time (dossiers.selectors.dossier_get_public).
    Each download is one access record (channel "citizen", no user)."""
    from dossiers.selectors import dossier_get_public

    from .services import current_signed

    form = ResultKeyForm(request.POST or None)
    if request.method != "POST":
        nothing_read(request)
        return render(request, "results/citizen_download.html", {"form": form, "code": code})
    dossier = dossier_get_public(code, form.cleaned_data["key"]) if form.is_valid() else None
    if dossier is None:
        nothing_read(request)
        context = {"form": ResultKeyForm(), "code": code, "refused": True}
        return render(request, "results/citizen_download.html", context, status=404)
    doc = current_signed(dossier)
    if doc is None:
        nothing_read(request)
        context = {"form": ResultKeyForm(), "code": code, "not_yet": True}
        return render(request, "results/citizen_download.html", context, status=404)
    note_subject(request, f"{doc.number} v{doc.version}", dossier=dossier)
    name = f"ket-qua-{dossier.code}-v{doc.version}.pdf"
    response = FileResponse(doc.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
