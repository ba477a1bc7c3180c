"""What a citizen sees without an account: the status behind the receipt's QR code, a lookup form,
and the rating of a returned dossier.

A wrong key, a missing key and an unknown code give the very same page (nothing tells a guesser
that a code exists), and every lookup counts against a per-IP limit. Once the result is signed, the
page offers it (downloaded through results.views.citizen_download with the key) and its QR check.

The status page reads one row per request and serves the page rendered for that row's state from the
process's memory (dossiers.public: the key is a digest of everything the page shows, so a committed
change is shown on the next request); the rating form's POST takes the ordinary path."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from surveys.choices import EvaluationChannel
from surveys.forms import EvaluationForm, LookupForm
from surveys.services import EvaluationNotAllowed, evaluation_submit

from .choices import DossierStatus
from .codes import format_lookup_key
from .public import (
    CSRF_MARKER,
    page_cache_key,
    public_view,
    public_view_from_row,
    rating_form_html,
    release,
    status_page_html,
    status_pages,
    status_row,
)
from .selectors import dossier_events, dossier_get_public


def not_found(request):
    """The one answer for an unknown code, a wrong key and a missing key."""
    return render(request, "dossiers/public_not_found.html", {"form": LookupForm()}, status=404)


def signed_result(dossier):
    """The signed result in force, offered on the status page once the result is ready (a result
    exists only from the approval on: no query before)."""
    if dossier.status not in (DossierStatus.RESULT_READY, DossierStatus.RETURNED):
        return None
    from results.services import current_signed

    return current_signed(dossier)


def status_url(code: str, key: str, **extra) -> str:
    return f"{reverse('public_lookup', args=[code])}?{urlencode({'key': key, **extra})}"


@never_cache
@vary_on_headers("Accept-Language")
def public_lookup(request, code):
    # Rate-limited per client by common.ratelimit's middleware (the one mechanism for pages and API).
    if request.method == "POST":
        return _rate(request, code)
    key = request.GET.get("key", "")
    row = status_row(code, key)
    if row is None:
        return not_found(request)
    thanks = request.GET.get("cam_on") == "1" and row.rated
    return HttpResponse(_status_page(request, row, thanks=thanks))


def _status_page(request, row, *, thanks: bool) -> str:
    """The page of the row: kept in this process while nothing it shows changes (its key is a
    digest of everything it shows, dossiers.public.page_cache_key), rendered otherwise."""
    language = get_language()
    cache_key = page_cache_key(row, language=language, thanks=thanks)
    html = status_pages.get(cache_key)
    if html is None:
        view = public_view_from_row(row)
        result = None
        if row.signed_result_id is not None:
            from results.models import ResultDocument

            result = ResultDocument.objects.filter(pk=row.signed_result_id).first()
        context = {
            "view": view,
            "rating_form": rating_form_html(language, release()) if view.can_rate else "",
            "key_display": format_lookup_key(row.lookup_key),
            "thanks": thanks,
            "result": result,
            # The token is the request's, written in after the memo: the kept page holds a marker.
            "csrf_token": CSRF_MARKER,
        }
        html = status_page_html(context)
        status_pages.set(cache_key, html)
    if CSRF_MARKER in html:
        html = html.replace(CSRF_MARKER, get_token(request))
    return html


def _rate(request, code):
    """The rating form posted from the status page (the page itself, with the form's errors, when
    it is not valid)."""
    key = request.GET.get("key", "")
    dossier = dossier_get_public(code, key)
    if dossier is None:
        return not_found(request)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            evaluation_submit(
                dossier=dossier,
                overall=form.cleaned_data["overall"],
                criteria=form.criteria(),
                comment=form.cleaned_data["comment"],
                channel=EvaluationChannel.QR,
            )
        except EvaluationNotAllowed as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(status_url(dossier.code, dossier.lookup_key, cam_on="1") + "#danh-gia")
    view = public_view(dossier, dossier_events(dossier))
    context = {
        "view": view,
        "rating_form": render_to_string(
            "surveys/partials/evaluation_form.html", {"form": form, "action": ""}, request=request
        ),
        "key_display": format_lookup_key(dossier.lookup_key),
        "thanks": request.GET.get("cam_on") == "1" and view.rated,
        "result": signed_result(dossier),
        "csrf_token": get_token(request),
    }
    return HttpResponse(status_page_html(context), status=400 if form.errors else 200)


@never_cache
def lookup_form(request):
    """/tra-cuu/: the code and the key printed on the receipt, typed in any case, dashes or not."""
    form = LookupForm(request.GET or None)
    if form.is_valid():
        return redirect(status_url(form.cleaned_data["code"], form.cleaned_data["key"]))
    return render(request, "dossiers/public_lookup.html", {"form": form})
