"""Citizens' rights over their personal data (Law 91/2025/QH15, Decree 356/2025; issue 16, item 3):
a copy of what is held and who read it, at the desk (by ID number) and with the receipt's code and
key; requests to correct, recorded with a deadline and handled by the agency's staff. Thin: check
access, call ``dossiers.citizens``, render. Every answer showing data is recorded
(``dossiers.access_log``)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.choices import Role
from common.ratelimit import LOOKUP, WRITE, Limit, first_submission, forget_submission, hit

from .access_log import current_note, note_citizen, note_dossier, note_listed, nothing_read, records_access
from .citizens import (
    CorrectedDetails,
    citizen_report,
    correction_queue,
    correction_request_create,
    correction_request_handle,
    may_handle_corrections,
    report_json,
    report_xlsx,
)
from .models import AccessChannel, CorrectionRequest, CorrectionStatus
from .selectors import dossier_get_public
from .services import clean_id_number
from .services.intake import INTAKE_ROLES

FORMATS = ("json", "xlsx")
CORRECTION_LIMIT = Limit("public-correction", "PUBLIC_FORM_RATE", WRITE)


class CitizenLookupForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=20)
    confirmed = forms.BooleanField(
        label=gettext_lazy(
            "The citizen is at the desk and showed this ID card (or asked through a legal representative)."
        ),
        required=True,
    )

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])


class CorrectionForm(forms.Form):
    details = forms.CharField(
        label=gettext_lazy("What is wrong, and what should it be?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class HandleForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(CorrectionStatus.DONE, gettext_lazy("Done")), (CorrectionStatus.REFUSED, gettext_lazy("Refused"))]
    )
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    full_name = forms.CharField(label=gettext_lazy("Corrected full name"), required=False, max_length=150)
    phone = forms.CharField(label=gettext_lazy("Corrected phone"), required=False, max_length=20)
    email = forms.CharField(label=gettext_lazy("Corrected email"), required=False, max_length=254)
    address = forms.CharField(label=gettext_lazy("Corrected address"), required=False, max_length=255)


def _desk_user(request):
    """Intake roles of a desk (clerks, administrators) only."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    if role not in INTAKE_ROLES or user.agency_id is None:
        raise PermissionDenied
    return user


def _file_response(report, fmt, stem):
    if fmt == "json":
        response = HttpResponse(report_json(report), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    else:
        response = HttpResponse(
            report_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def _holds_anything(report) -> bool:
    return bool(report.get("shared_record") or report["dossiers"] or report["corrections"])


# ----- at the desk -------------------------------------------------------------------------------


@login_required
@records_access("citizen-report")
def citizen_data(request):
    """/ho-so/cong-dan/du-lieu/tra-cuu/?id_number=…&confirmed=on[&dinh-dang=json|xlsx]: the copy of
    a citizen's data and the reads of it, printable, or as a file."""
    _desk_user(request)
    form = CitizenLookupForm(request.GET or None)
    if not request.GET or not form.is_valid():
        nothing_read(request)
        return render(request, "dossiers/privacy/citizen_data.html", {"form": form})
    id_number = form.cleaned_data["id_number"]
    report = citizen_report(id_number=id_number)
    note_citizen(request, id_number, found=_holds_anything(report))
    fmt = request.GET.get("dinh-dang", "")
    if fmt in FORMATS:
        note = current_note(request)
        note.channel, note.what = AccessChannel.EXPORT, f"citizen-report-{fmt}"
        return _file_response(report, fmt, f"du-lieu-ca-nhan-{id_number}-{timezone.localdate():%Y%m%d}")
    context = {
        "form": form,
        "report": report,
        "correction_form": CorrectionForm(),
        "query": request.GET.urlencode(),
        "printed_at": timezone.now(),
    }
    return render(request, "dossiers/privacy/citizen_data.html", context)


@require_POST
@login_required
def correction_new(request):
    """The desk records a citizen's request to correct (the citizen is present)."""
    user = _desk_user(request)
    try:
        id_number = clean_id_number(request.POST.get("id_number", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dossiers:citizen_data")
    form = CorrectionForm(request.POST)
    back = reverse("dossiers:citizen_data") + f"?id_number={id_number}&confirmed=on"
    if not form.is_valid():
        messages.error(request, _("Say what is wrong and what it should be."))
        return redirect(back)
    correction = correction_request_create(
        agency=user.agency,
        citizen_id_number=id_number,
        details=form.cleaned_data["details"],
        channel=AccessChannel.PAGE,
        by=user,
    )
    messages.success(
        request,
        _("Request %(number)s recorded; answer by %(due)s.")
        % {"number": correction.number, "due": timezone.localtime(correction.due_at).strftime("%H:%M %d/%m/%Y")},
    )
    return redirect(back)


def _queue_user(request):
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    if role not in (Role.CLERK, Role.LEADER, Role.ADMIN) or (user.agency_id is None and not user.is_superuser):
        raise PermissionDenied
    return user


@login_required
@records_access("corrections")
def corrections(request):
    """Requests to correct of the agencies the user sees, by deadline; overdue ones first."""
    user = _queue_user(request)
    state = "all" if request.GET.get("trang-thai") == "all" else "open"
    rows = list(correction_queue(user, state=state)[:200])
    note_listed(request, [r.citizen_id_number for r in rows])
    if not rows:
        nothing_read(request)
    return render(
        request,
        "dossiers/privacy/corrections.html",
        {"rows": rows, "state": state, "handle_form": HandleForm(), "now": timezone.now()},
    )


@require_POST
@login_required
def correction_handle(request, pk):
    user = _queue_user(request)
    correction = get_object_or_404(CorrectionRequest, pk=pk)
    if not may_handle_corrections(user, correction.agency_id):
        raise Http404
    form = HandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("dossiers:corrections")
    data = form.cleaned_data
    try:
        correction_request_handle(
            request=correction,
            by=user,
            status=data["status"],
            note=data["note"],
            corrected=CorrectedDetails(
                full_name=data["full_name"], phone=data["phone"], email=data["email"], address=data["address"]
            ),
        )
    except ValidationError as exc:
        text = exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
        messages.error(request, " ".join(m for group in text for m in group))
    else:
        messages.success(request, _("Request %(number)s handled.") % {"number": correction.number})
    return redirect("dossiers:corrections")


# ----- the citizen, with the receipt's code and key ----------------------------------------------


def _too_many(request, wait):
    response = render(request, "dossiers/public_too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@never_cache
@records_access("citizen-report-public", channel=AccessChannel.CITIZEN)
def citizen_data_public(request, code):
    """/ho-so/<code>/du-lieu-ca-nhan/xem/?key=…: the holder of a receipt reads the data held in that
    dossier and who read it, as a page or a file (?dinh-dang=json|xlsx), and may ask for a correction.
    A wrong key answers as an unknown code does; lookups count against the status page's limit."""
    from .views_public import not_found

    allowed, wait = hit(request, LOOKUP)
    if request.method == "POST":
        posted, post_wait = hit(request, CORRECTION_LIMIT)
        allowed, wait = allowed and posted, max(wait, post_wait)
    if not allowed:
        nothing_read(request)
        return _too_many(request, wait)
    key = request.GET.get("key", "") or request.POST.get("key", "")
    dossier = dossier_get_public(code, key)
    if dossier is None:
        nothing_read(request)
        return not_found(request)
    form = CorrectionForm(request.POST or None)
    sent = None
    if request.method == "POST" and form.is_valid():
        payload = {"dossier": dossier.pk, "details": form.cleaned_data["details"]}
        if first_submission(request, "correction", payload):
            try:
                sent = correction_request_create(
                    agency=dossier.receiving_agency,
                    citizen_id_number=dossier.applicant_id_number,
                    details=form.cleaned_data["details"],
                    channel=AccessChannel.CITIZEN,
                    dossier=dossier,
                )
            except ValidationError as exc:
                forget_submission(request, "correction", payload)
                form.add_error(None, exc)
        else:
            sent = True
        if sent:
            form = CorrectionForm()
    report = citizen_report(dossier=dossier)
    note_dossier(request, dossier)
    fmt = request.GET.get("dinh-dang", "")
    if fmt in FORMATS and request.method == "GET":
        current_note(request).what = f"citizen-report-public-{fmt}"
        return _file_response(report, fmt, f"du-lieu-ca-nhan-{dossier.code}")
    context = {"report": report, "form": form, "sent": sent, "code": dossier.code, "key": dossier.lookup_key}
    return render(request, "dossiers/privacy/public_data.html", context)
