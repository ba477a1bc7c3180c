"""Leaders' pages: dashboard, periodic report (screen and Excel), and the public board."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from agencies.models import Agency

from .access import report_scope, scope_key
from .excel import handling_xlsx
from .forms import GROUPS, PeriodForm
from .live import dashboard_figures
from .selectors import handling_counts, total_row


def _period(request):
    form = PeriodForm(request.GET or None)
    if not form.is_valid():
        fallback = PeriodForm({})
        fallback.is_valid()
        return form, fallback.cleaned_data
    return form, form.cleaned_data


def _period_form_context(request, agency_ids) -> dict:
    """What templates/reports/_period_form.html needs: the province and communes a leader may report
    on (offices and centres are inside them), and the key the rendered form is kept under. The form
    shows the query's values, the scope's agencies and the current period by default; its
    100-commune list and selects cost a dashboard most of its rendering."""
    agencies = Agency.objects.filter(kind__in=["province", "commune"]).only("code", "name").order_by("code")
    return {
        "agencies": agencies if agency_ids is None else agencies.filter(pk__in=agency_ids),
        "period_form_key": f"{scope_key(agency_ids)}:{timezone.localdate()}:{request.GET.urlencode()}",
    }


def _drill(**params):
    return reverse("dossiers:worklist") + "?" + urlencode({"tab": "all", **{k: v for k, v in params.items() if v}})


@login_required
def dashboard(request):
    form, data = _period(request)
    agency_ids, agency = report_scope(request.user, data.get("agency"))
    date_from, date_to = data["bounds"]
    group_by = data["group_by"]
    figures = dashboard_figures(agency_ids, date_from, date_to, group_by)
    total = figures["total"]
    period = {"received_from": date_from.isoformat(), "received_to": date_to.isoformat()}
    resolved = {"resolved_from": date_from.isoformat(), "resolved_to": date_to.isoformat()}
    scope_param = {"agency": agency.code} if agency and data.get("agency") else {}
    context = {
        "form": form,
        "agency": agency,
        "date_from": date_from,
        "date_to": date_to,
        "group_by": group_by,
        "group_label": dict(GROUPS)[group_by],
        **figures,
        "received": total["received_online"] + total["received_direct"],
        **_period_form_context(request, agency_ids),
        "links": {
            "received": _drill(**period, **scope_param),
            "resolved": _drill(**resolved, **scope_param),
            "on_time": _drill(**resolved, timeliness="early,on_time", **scope_param),
            "late": _drill(**resolved, timeliness="late", **scope_param),
            "overdue": _drill(overdue="true", **scope_param),
            "index766": reverse("reports:index766") + "?" + request.GET.urlencode(),
        },
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def periodic(request):
    form, data = _period(request)
    agency_ids, agency = report_scope(request.user, data.get("agency"))
    date_from, date_to = data["bounds"]
    rows = handling_counts(agency_ids, date_from=date_from, date_to=date_to, group_by=data["group_by"])
    query = {"from": date_from.isoformat(), "to": date_to.isoformat(), "group_by": data["group_by"]}
    if data.get("agency"):
        query["agency"] = data["agency"]
    return render(
        request,
        "reports/periodic.html",
        {
            "form": form,
            "agency": agency,
            "date_from": date_from,
            "date_to": date_to,
            "rows": rows,
            "total": total_row(rows),
            "group_label": dict(GROUPS)[data["group_by"]],
            **_period_form_context(request, agency_ids),
            "xlsx_url": reverse("reports:handling_xlsx") + "?" + urlencode(query),
            "api_url": reverse("api:reports-handling") + "?" + urlencode(query),
        },
    )


@login_required
def satisfaction_view(request):
    """Evaluations by criterion, officer and procedure; the Decision 766 index; survey campaigns."""
    from .satisfaction import satisfaction_report

    form, data = _period(request)
    agency_ids, agency = report_scope(request.user, data.get("agency"))
    date_from, date_to = data["bounds"]
    total = total_row(handling_counts(agency_ids, date_from=date_from, date_to=date_to))
    report = satisfaction_report(
        agency_ids,
        date_from=date_from,
        date_to=date_to,
        resolved_total=total["resolved_total"],
        resolved_late=total["resolved_late"],
    )
    return render(
        request,
        "reports/satisfaction.html",
        {
            "form": form,
            "agency": agency,
            "date_from": date_from,
            "date_to": date_to,
            "report": report,
            **_period_form_context(request, agency_ids),
        },
    )


def _session_or_token(view):
    """Staff with a session, or an API client with ``Authorization: Token`` as the JSON report takes
    (../shared/api.md): a token client gets 401, never the login page."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from rest_framework.authentication import TokenAuthentication, get_authorization_header
    from rest_framework.exceptions import AuthenticationFailed

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if not get_authorization_header(request):
                return redirect_to_login(request.get_full_path())
            try:
                found = TokenAuthentication().authenticate(request)
            except AuthenticationFailed as exc:
                return HttpResponse(str(exc.detail), status=401, content_type="text/plain; charset=utf-8")
            if found is None:
                return HttpResponse(status=401)
            request.user = found[0]
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@_session_or_token
def handling_xlsx_view(request):
    """GET /reports/handling.xlsx with the API's parameters (from, to, agency, group_by)."""
    from .api import HandlingQuery

    query = HandlingQuery(data=request.GET)
    if not query.is_valid():
        return HttpResponse(str(query.errors), status=400, content_type="text/plain; charset=utf-8")
    values = query.validated_data
    agency_ids, agency = report_scope(request.user, values.get("agency"))
    rows = handling_counts(agency_ids, date_from=values["from"], date_to=values["to"], group_by=values.get("group_by"))
    buffer = BytesIO()
    handling_xlsx(
        buffer,
        rows=rows,
        total=total_row(rows),
        title_unit=agency.name if agency else "",
        date_from=values["from"],
        date_to=values["to"],
        group_label=dict(GROUPS).get(values.get("group_by"), ""),
        signer=request.user.display_name,
    )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-II06a-{values["from"]:%Y%m%d}-{values["to"]:%Y%m%d}.xlsx"'
    )
    return response


def _board_context(request):
    code = request.GET.get("agency", "")
    agency = get_object_or_404(Agency, code=code) if code else Agency.objects.filter(parent__isnull=True).first()
    return cache.get_or_set(f"board:{agency.pk if agency else 0}", lambda: _board_figures(agency), 60)


def _board_figures(agency):
    ids = agency.descendant_ids() if agency else None
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    year = total_row(handling_counts(ids, date_from=year_start, date_to=today))
    month = total_row(handling_counts(ids, date_from=today.replace(day=1), date_to=today))
    return {
        "agency": agency,
        "year": year,
        "month": month,
        "updated_at": timezone.now(),
        "refresh_seconds": 60,
    }


@require_GET
def board(request):
    """The TV in the hall: received, resolved, on-time %, refreshed every minute. No personal data."""
    return render(request, "reports/board.html", _board_context(request))


@require_GET
@xframe_options_exempt
def board_widget(request):
    """The same figures for a commune's website (may be embedded in an iframe)."""
    return render(request, "reports/widget.html", _board_context(request))


@login_required
def index766(request):
    """Each commune's Decision 766 score out of 100: every indicator with its formula, its points and
    the dossiers behind it; the ones entered by hand say so."""
    from .index766 import group_points, scores

    form, data = _period(request)
    agency_ids, agency = report_scope(request.user, data.get("agency"))
    date_from, date_to = data["bounds"]
    communes = scores(agency_ids, date_from=date_from, date_to=date_to)
    chosen = next((c for c in communes if agency and c["agency"].pk == agency.pk), None)
    if chosen is None and len(communes) == 1:
        chosen = communes[0]
    period = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    for commune in communes:
        for line in commune["lines"]:
            line["url"] = (
                None
                if line["manual"]
                else reverse("reports:index766_dossiers")
                + "?"
                + urlencode({"indicator": line["code"], "agency": commune["agency"].code, **period})
            )
    points = group_points()
    return render(
        request,
        "reports/index766.html",
        {
            "form": form,
            "agency": agency,
            "date_from": date_from,
            "date_to": date_to,
            "communes": communes,
            "chosen": chosen,
            "group_total": sum(points.values()),
            **_period_form_context(request, agency_ids),
            "computed_at": timezone.now(),
        },
    )


@login_required
def index766_dossiers(request):
    """The dossiers behind one indicator: its denominator, each marked when in its numerator."""
    from django.core.paginator import Paginator
    from django.http import Http404

    from .api import HandlingQuery
    from .index766 import dossiers_behind, indicator_by_code

    report_scope(request.user)  # leaders and administrators only: 403 before anything else
    query = HandlingQuery(data=request.GET)
    if not query.is_valid():
        return HttpResponse(str(query.errors), status=400, content_type="text/plain; charset=utf-8")
    values = query.validated_data
    agency_ids, agency = report_scope(request.user, values.get("agency"))
    code = request.GET.get("indicator", "")
    indicator = indicator_by_code(code)
    dossiers = dossiers_behind(code, agency_ids, date_from=values["from"], date_to=values["to"])
    if indicator is None or dossiers is None:
        raise Http404
    dossiers = dossiers.select_related("procedure").only(
        "code", "procedure__name", "received_at", "resolved_at", "status", "channel", "timeliness"
    )
    page = Paginator(dossiers.order_by("counted", "received_at", "pk"), 50).get_page(request.GET.get("page"))
    counted = dossiers.filter(counted=True).count()
    return render(
        request,
        "reports/index766_dossiers.html",
        {
            "indicator": indicator,
            "agency": agency,
            "date_from": values["from"],
            "date_to": values["to"],
            "page": page,
            "counted": counted,
            "total": page.paginator.count,
            "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
        },
    )
