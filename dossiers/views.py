"""Staff pages: intake, worklists, the dossier page and its actions. Thin: check access, bind the
form, call the service, render or redirect."""

import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.models import User
from agencies.api import parse_instant
from common.limits import MAX_PAPER_COUNT
from common.ratelimit import Limit, hit
from procedures.selectors import (
    attach_current_versions,
    due_if_lodged_now,
    procedure_get,
    procedure_list,
    processing_time_for,
)
from results.selectors import result_list
from results.services import signing_passphrase_needed

from . import rules
from .access_log import (
    looks_like_id_number,
    note_citizen,
    note_dossier,
    note_export,
    note_listed,
    note_search,
    note_what,
    nothing_read,
    records_access,
)
from .choices import Action, DossierStatus, GuidanceKind
from .codes import format_lookup_key
from .forms import IntakeForm, RegisterForm, WorklistFilterForm
from .letters import letters_for
from .models import AccessChannel, Attachment
from .papers import PaperScan, paper_offer_list
from .selectors import dossier_events, dossier_get, dossier_list, due_soon_q, overdue_q
from .services import (
    ACTION_ARGUMENTS,
    SERVICES,
    ActionForbidden,
    ApplicantData,
    ReceivedDocument,
    TransitionNotAllowed,
    Upload,
    allowed_actions,
    dossier_act,
    dossier_receive,
    guidance_record,
)
from .services.intake import INTAKE_ROLES, applicant_details_for_intake
from .services.workflow import clock_calendar
from .uploads import check_upload_request


def _staff_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.agency_id is None and not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(exc.messages)


# ----- intake ------------------------------------------------------------------------------------


def _documents_from_post(post, version):
    """Ticked papers with their counts, plus free-text others (one per line)."""
    received = []
    for doc in version.documents.all():
        if post.get(f"doc_{doc.pk}"):
            received.append(
                ReceivedDocument(
                    name=doc.name,
                    original_count=_int(post.get(f"doc_{doc.pk}_orig"), doc.original_count),
                    copy_count=_int(post.get(f"doc_{doc.pk}_copy"), doc.copy_count),
                    required_document_id=doc.pk,
                )
            )
    for line in (post.get("other_documents") or "").splitlines():
        if line.strip():
            received.append(ReceivedDocument(name=line.strip(), original_count=1))
    return received


def _int(value, default):
    try:
        return max(0, min(int(value), MAX_PAPER_COUNT))
    except (TypeError, ValueError):
        return default


def _scans_from_request(request, data, version):
    """The scans: those put beside a paper of the procedure (which paper they are is kept for the
    citizen's store) and the others."""
    uploads = [Upload.from_django(f) for f in data["scans"]]
    for doc in version.documents.all() if version is not None else []:
        uploads += [
            PaperScan.from_django(f, required_document_id=doc.pk) for f in request.FILES.getlist(f"scan_{doc.pk}")
        ]
    return uploads


def _citizen_papers(request, procedure, id_number):
    """The returning citizen's papers this procedure asks for (dossiers.papers), recorded as one read
    of the citizen; None (and nothing recorded) without a procedure and a valid ID number."""
    if procedure is None or procedure.current is None or not looks_like_id_number(id_number):
        return None
    id_number = "".join(id_number.split()).upper()
    papers = paper_offer_list(user=request.user, id_number=id_number, version=procedure.current)
    note_what(request, "citizen-papers")
    note_citizen(request, id_number, found=bool(papers))
    return papers


@_staff_required
@records_access("citizen-papers")
def intake(request):
    """The clerk's intake screen: pick the procedure, the applicant, the papers; save. With an ID
    number, the citizen's papers already held that this procedure asks for are offered with a tick
    (htmx asks for that list alone as the number is typed)."""
    if request.user.role not in (Role.CLERK,) and not request.user.is_superuser:
        raise PermissionDenied
    agency = request.user.agency
    code = request.POST.get("procedure") or request.GET.get("procedure", "")
    procedure = procedure_get(code, agency=agency) if code else None
    if request.method == "GET" and request.htmx and request.htmx.target == "citizen-papers":
        # A probe by ID number, like the applicant lookup: counted against the same budget.
        refused = _too_many_lookups(request) if request.GET.get("id_number") else None
        if refused is not None:
            return refused
        papers = _citizen_papers(request, procedure, request.GET.get("id_number", ""))
        if papers is None:
            nothing_read(request)
        return render(request, "dossiers/partials/citizen_papers.html", {"papers": papers, "reused_ticked": set()})
    form = IntakeForm(
        request.POST or None, request.FILES or None, initial={"id_number": request.GET.get("id_number", "")}
    )
    if request.method == "POST":
        try:
            check_upload_request(request)
        except ValidationError as exc:
            form.add_error("scans", exc)
    if request.method == "POST" and procedure is not None and form.is_valid():
        data = form.cleaned_data
        decision = request.POST.get("decision", "receive")
        try:
            if decision == "receive":
                dossier = dossier_receive(
                    procedure=procedure,
                    applicant=ApplicantData(
                        full_name=data["full_name"],
                        id_number=data["id_number"],
                        phone=data["phone"],
                        email=data["email"],
                        address=data["address"],
                    ),
                    received_by=request.user,
                    channel=data["channel"],
                    return_method=data["return_method"],
                    return_address=data["return_address"],
                    documents=_documents_from_post(request.POST, procedure.current),
                    uploads=_scans_from_request(request, data, procedure.current),
                    competent_agency=data["competent_agency"],
                    note=data["note"],
                    reused_papers=request.POST.getlist("reused_papers"),
                )
                messages.success(
                    request,
                    _("Dossier %(code)s received. Print the receipt and give it to the citizen.")
                    % {"code": dossier.code},
                )
                return redirect(reverse("dossiers:detail", args=[dossier.code]) + "?new=1")
            kind = GuidanceKind.INCOMPLETE if decision == "incomplete" else GuidanceKind.REFUSED
            guidance = guidance_record(
                procedure=procedure,
                kind=kind,
                given_by=request.user,
                applicant_name=data["full_name"],
                applicant_phone=data["phone"],
                applicant_address=data["address"],
                missing=data["missing"],
                reason=data["reason"],
            )
            return redirect("dossiers:print_guidance", number=guidance.number)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                name = field.split(".")[-1]
                target = name if name in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
    elif request.method == "POST" and procedure is None:
        messages.error(request, _("Choose the procedure first."))
    context = {"form": form, "procedure": procedure, "agency": agency}
    if procedure is not None:
        time = processing_time_for(procedure.current, procedure.setting)
        context.update(
            version=procedure.current,
            time=time,
            due_preview=due_if_lodged_now(procedure, agency=agency),
            ticked={d.pk for d in procedure.current.documents.all() if request.POST.get(f"doc_{d.pk}")}
            if request.method == "POST"
            else None,
        )
    id_number = request.POST.get("id_number") if request.method == "POST" else request.GET.get("id_number")
    papers = _citizen_papers(request, procedure, id_number or "")
    if papers is None:
        nothing_read(request)
    reused = request.POST.getlist("reused_papers")
    context.update(papers=papers, reused_ticked={int(v) for v in reused if v.isdigit()})
    return render(request, "dossiers/intake.html", context)


@_staff_required
def intake_procedures(request):
    """htmx: procedures matching what the clerk types."""
    agency = request.user.agency
    results = procedure_list(search=request.GET.get("q", ""), agency=agency)[:12]
    attach_current_versions(results, agency=agency)
    return render(request, "dossiers/partials/procedure_choices.html", {"results": results})


# Intake lookups by ID number (the applicant's details, the citizen's papers): a budget per user.
APPLICANT_LOOKUP = Limit("applicant-lookup", "APPLICANT_LOOKUP_RATE", per_user=True)


def _too_many_lookups(request) -> HttpResponse | None:
    """Count one intake lookup against the user's budget (common.ratelimit, the one mechanism);
    a 429 answer when it is spent, None when allowed."""
    allowed, wait = hit(request, APPLICANT_LOOKUP)
    if allowed:
        return None
    nothing_read(request)
    response = HttpResponse(
        _("Too many lookups: wait %(seconds)s seconds and try again.") % {"seconds": wait}, status=429
    )
    response["Retry-After"] = str(wait)
    return response


@_staff_required
@records_access("applicant-lookup")
def applicant_lookup(request):
    """htmx: a returning citizen's details, found by ID number. Only the intake roles of a desk may
    ask, a limited number of times a minute each; only what the clerk's own commune recorded is
    offered; every lookup of a valid number is recorded, found or not."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    if role not in INTAKE_ROLES or user.agency_id is None:
        raise PermissionDenied
    refused = _too_many_lookups(request)
    if refused is not None:
        return refused
    id_number = "".join((request.GET.get("id_number") or "").split()).upper()
    if len(id_number) < 9:
        nothing_read(request)
        return HttpResponse(status=204)
    try:
        details = applicant_details_for_intake(user=user, id_number=id_number)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    note_citizen(request, id_number, found=details is not None)
    if details is None:
        return HttpResponse(status=204)
    return render(request, "dossiers/partials/applicant_found.html", {"applicant": details})


# ----- worklists ---------------------------------------------------------------------------------

TABS = {
    Role.CLERK: [
        ("to_transfer", _("To transfer")),
        ("to_accept", _("Online: to accept")),
        ("to_return", _("To return")),
        ("supplement", _("Awaiting supplement")),
        ("all", _("All")),
    ],
    Role.OFFICER: [("queue", _("My queue")), ("supplement", _("Awaiting supplement")), ("all", _("All"))],
    Role.LEADER: [
        ("approval", _("Awaiting approval")),
        ("overdue", _("Overdue")),
        ("queue", _("Open")),
        ("all", _("All")),
    ],
    Role.ADMIN: [("queue", _("Open")), ("overdue", _("Overdue")), ("all", _("All"))],
}


def _report_filters(values, params):
    """The drill-down filters set by a report link, as labels with a link that removes each."""
    labels = {
        "resolved_from": _("resolved from %(value)s"),
        "resolved_to": _("resolved to %(value)s"),
        "timeliness": _("timeliness: %(value)s"),
        "agency": _("agency %(value)s"),
        "overdue": _("overdue now"),
    }
    names = {"early": _("early"), "on_time": _("on time"), "late": _("late")}
    result = []
    for name, label in labels.items():
        value = values.get(name)
        if not value:
            continue
        if name == "timeliness":
            value = ", ".join(str(names.get(v, v)) for v in value.split(","))
        elif hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        remaining = params.copy()
        remaining.pop(name, None)
        remaining.pop("page", None)
        result.append({"label": label % {"value": value}, "remove": "?" + remaining.urlencode()})
    return result


@_staff_required
@records_access("worklist")
def worklist(request):
    """The role's worklists. A search is recorded (an ID number is a read of that citizen), and so
    is every page that lists anybody, with the ID numbers it showed."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    tabs = TABS[role]
    tab = request.GET.get("tab") or tabs[0][0]
    filters = WorklistFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    queryset = dossier_list(user, filters={k: v for k, v in values.items() if v})
    if request.GET.get("backdated") == "1":  # dossiers whose receipt time was stated in the past
        queryset = queryset.filter(backdated=True)
    order = ["due_at", "pk"]
    if tab == "to_accept":
        queryset = queryset.filter(status=DossierStatus.AWAITING_ACCEPTANCE, receiving_agency=user.agency)
        order = ["acceptance_due_at", "pk"]
    elif tab == "to_transfer":
        queryset = queryset.filter(
            status=DossierStatus.RECEIVED, receiving_agency=user.agency, transferred_at__isnull=True
        )
        order = ["handover_due_at", "received_at"]
    elif tab == "to_return":
        queryset = queryset.filter(status=DossierStatus.RESULT_READY)
    elif tab == "supplement":
        queryset = queryset.filter(status=DossierStatus.AWAITING_SUPPLEMENT)
        order = ["supplement_deadline", "pk"]
    elif tab == "queue":
        queryset = queryset.filter(status__in=[DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS])
        if role == Role.OFFICER:
            queryset = queryset.filter(assignee=user) | queryset.filter(assignee__isnull=True)
    elif tab == "approval":
        queryset = queryset.filter(status=DossierStatus.IN_PROGRESS, submitted_at__isnull=False)
    elif tab == "overdue":
        queryset = queryset.filter(overdue_q())
    else:
        order = ["-received_at", "-pk"]
    now = timezone.now()
    queryset = queryset.order_by(*order)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    soon = set(
        queryset.filter(due_soon_q(now)).filter(pk__in=[d.pk for d in page.object_list]).values_list("pk", flat=True)
    )
    search = values.get("q") or ""
    if search:
        note_search(request, search)
    note_listed(request, [d.applicant_id_number for d in page.object_list])
    if not search and not page.object_list:
        nothing_read(request)
    for dossier in page.object_list:
        dossier.row_class = "overdue" if dossier.is_overdue else ("due-soon" if dossier.pk in soon else "")
        dossier.handover_late = dossier.status == DossierStatus.RECEIVED and now > dossier.handover_due_at
        dossier.handover_next_day = (
            timezone.localtime(dossier.handover_due_at).date() > timezone.localtime(dossier.received_at).date()
        )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tab", None)
    context = {
        "tabs": tabs,
        "tab": tab,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "now": now,
        "report_filters": _report_filters(values, request.GET),
        "can_receive": role in INTAKE_ROLES,
        "can_keep_register": role in REGISTER_ROLES,
    }
    template = "dossiers/partials/worklist_table.html" if request.htmx else "dossiers/worklist.html"
    return render(request, template, context)


# ----- one dossier -------------------------------------------------------------------------------


def _get_or_404(request, code):
    dossier = dossier_get(request.user, code)
    if dossier is None:
        raise Http404(_("No dossier has this code."))
    return dossier


def printable_forms(dossier, *, supplements, late_apology) -> list[tuple[str, str]]:
    """The official forms this dossier has reached (the receipt and control slip always)."""
    from .views_print import FORMS

    reached = {
        "01": dossier.status != DossierStatus.AWAITING_ACCEPTANCE,
        "02": bool(supplements),
        "03": dossier.status == DossierStatus.REFUSED,
        "04": dossier.extended_at is not None or getattr(late_apology, "completed_at", None) is not None,
        "05": dossier.status == DossierStatus.WITHDRAWN,
        "06": True,
    }
    return [(number, label) for number, label in FORMS.items() if reached[number]]


@_staff_required
@records_access("view")
def detail(request, code):
    dossier = _get_or_404(request, code)
    note_dossier(request, dossier)
    actions = allowed_actions(request.user, dossier)
    competent = dossier.competent_agency
    officers = []
    if Action.ASSIGN in actions:
        # Whom the user may assign: an officer takes it for themself; the desk and heads choose.
        officers = (
            [request.user]
            if request.user.role == Role.OFFICER
            else User.objects.filter(
                is_active=True, role__in=[Role.OFFICER, Role.LEADER], agency__in=competent.descendant_ids()
            )
            .select_related("agency")
            .order_by("agency__code", "last_name", "first_name")
        )
    late_apology = getattr(dossier, "late_apology", None)
    supplements = list(dossier.supplement_requests.order_by("created_at"))
    context = {
        "dossier": dossier,
        "events": dossier_events(dossier),
        "handovers": dossier.handovers.select_related("user", "completed_by", "office").order_by("cycle", "order"),
        "documents": dossier.documents.all(),
        "attachments": dossier.attachments.all(),
        "actions": actions,
        "officers": officers,
        "offices": competent.children.filter(kind="office") if Action.TRANSFER in actions else [],
        "extension": dossier.extension,
        "late_apology": late_apology,
        "letters": letters_for(dossier),
        "forms": printable_forms(dossier, supplements=supplements, late_apology=late_apology),
        "supplements": supplements,
        "suggested_new_due": clock_calendar(dossier).due_at(dossier.due_at, 2, "working_days")
        if Action.EXTEND in actions
        else None,
        "rating_open": rules.kiosk_rating_open(request.user, dossier).allowed,
        "results": result_list(dossier),
        "needs_passphrase": Action.APPROVE in actions and signing_passphrase_needed(request.user),
        "is_new": request.GET.get("new") == "1",
        "applied_time": {"amount": float(dossier.processing_amount), "unit": dossier.processing_unit},
        "lookup_key": format_lookup_key(dossier.lookup_key),
        "now": timezone.now(),
    }
    return render(request, "dossiers/detail.html", context)


@require_POST
@_staff_required
def act(request, code, action):
    """Take one action on a dossier from its page; refusals come back as messages."""
    if action not in SERVICES:
        raise Http404
    dossier = _get_or_404(request, code)
    post = request.POST
    expected_version = int(post["version"]) if post.get("version", "").isdigit() else None
    inputs = {
        name: post.get(field, "")
        for name, field in (
            ("reason", "reason"),
            ("missing", "missing"),
            ("note", "note"),
            ("received_by_name", "received_by"),
            ("tracking_number", "tracking_number"),
        )
    }
    try:
        if action == Action.ASSIGN:
            inputs["officer"] = (
                User.objects.filter(pk=post["officer"]).first() if post.get("officer", "").isdigit() else None
            )
            if inputs["officer"] is None:
                raise ValidationError(_("Choose the officer."))
        for name, message in (
            ("new_due_at", _("Give the new appointment date and time.")),
            ("expected_at", _("Give the new expected date and time.")),
        ):
            if name in ACTION_ARGUMENTS[action]:
                try:
                    inputs[name] = parse_instant(post.get(name, ""))
                except ValueError:
                    raise ValidationError(message) from None
        if action == Action.SUBMIT and request.FILES.get("result"):
            inputs["result_pdf"] = request.FILES["result"].read(settings.RESULTS_MAX_UPLOAD_BYTES + 1)
        if action == Action.APPROVE and post.get("passphrase"):
            inputs["passphrase"] = post["passphrase"]
        dossier_act(dossier=dossier, action=action, by=request.user, expected_version=expected_version, **inputs)
    except (TransitionNotAllowed, ActionForbidden) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("%(action)s: done.") % {"action": Action(action).label})
        if action in (Action.EXTEND, Action.REQUEST_SUPPLEMENT, Action.REFUSE, Action.WITHDRAW, Action.APOLOGY):
            messages.info(request, _("Print the form for the citizen: see “Print” on this page."))
    return redirect("dossiers:detail", code=code)


@_staff_required
@records_access("attachment")
def attachment(request, code, pk):
    """A scan, only for staff who may see the dossier (never a public URL)."""
    dossier = _get_or_404(request, code)
    item = Attachment.objects.filter(dossier=dossier, pk=pk).first()
    if item is None or item.removed_at is not None:  # removed when its retention period ended
        raise Http404
    note_dossier(request, dossier)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-{pk}.{item.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ----- register (Mẫu 07) -------------------------------------------------------------------------

REGISTER_ROLES = (Role.CLERK, Role.LEADER, Role.ADMIN)


@_staff_required
@records_access("register-export", channel=AccessChannel.EXPORT)
def register_xlsx(request):
    """The dossier register (Mẫu 07) for a date range, as Excel; only for the roles that keep it."""
    from .register import register_export, register_queryset

    if request.user.role not in REGISTER_ROLES and not request.user.is_superuser:
        raise PermissionDenied
    today = timezone.localdate()
    form = RegisterForm(request.GET or None, initial={"date_from": today.replace(day=1), "date_to": today})
    if not request.GET or not form.is_valid():
        nothing_read(request)
        return render(request, "dossiers/register.html", {"form": form})
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    if (date_to - date_from) > timedelta(days=3660):
        form.add_error(None, _("Choose a range of at most ten years."))
        nothing_read(request)
        return render(request, "dossiers/register.html", {"form": form})
    note_export(request, f"{date_from}..{date_to}")
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
    register_export(
        queryset=register_queryset(request.user, date_from, date_to),
        stream=spool,
        agency_name=request.user.agency.name if request.user.agency_id else "",
        date_from=date_from,
        date_to=date_to,
    )
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"so-theo-doi-ho-so-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
