"""The touch screen at the desk: status lookup by scanning the receipt's QR code (or typing the code
and the key) and the rating tablet. A kiosk is logged in with a staff account of any role; it sees
only dossiers of its agency. After 60 s without a touch it returns to its start screen."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.scoping import can_see_agency
from dossiers.choices import DossierStatus
from dossiers.codes import normalize_lookup_key
from dossiers.models import Dossier
from dossiers.public import parse_scanned, public_view
from dossiers.rules import kiosk_rating_open
from dossiers.selectors import dossier_events, dossier_get_public

from .choices import EvaluationChannel
from .forms import EvaluationForm, KioskScanForm
from .services import EvaluationNotAllowed, evaluation_submit

IDLE_SECONDS = 60


def kiosk_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.agency_id is None and not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def kiosk_can_see(user, dossier) -> bool:
    return can_see_agency(user, dossier.receiving_agency_id) or can_see_agency(user, dossier.competent_agency_id)


def _context(**extra):
    return {"idle_seconds": IDLE_SECONDS, **extra}


@kiosk_required
def kiosk_home(request):
    """/kiosk/: start screen; with ?scan= (or ?code=&key=) the status of the dossier."""
    form = KioskScanForm(request.GET or None)
    not_found = False
    if form.is_valid() and any(form.cleaned_data.values()):
        code, key = parse_scanned(form.cleaned_data["scan"])
        if not code:
            code = "".join(form.cleaned_data["code"].split()).upper()
            key = normalize_lookup_key(form.cleaned_data["key"])
        dossier = dossier_get_public(code, key)
        if dossier is not None and kiosk_can_see(request.user, dossier):
            view = public_view(dossier, dossier_events(dossier))
            return render(request, "kiosk/status.html", _context(view=view))
        not_found = True
    return render(request, "kiosk/home.html", _context(form=KioskScanForm(), not_found=not_found))


@kiosk_required
def kiosk_rate(request, code):
    """/kiosk/danh-gia/<code>/: the rating tablet for a dossier just returned at this desk."""
    dossier = Dossier.objects.select_related("receiving_agency", "procedure_version").filter(code=code).first()
    if dossier is None or not kiosk_can_see(request.user, dossier):
        raise Http404
    form = EvaluationForm(request.POST or None)
    error = ""
    if dossier.evaluations.exists():
        return render(request, "kiosk/thanks.html", _context(already=True))
    # The citizen's one rating: with the key of their receipt, or for a dossier just returned at
    # this desk (dossiers.rules): a logged-in tablet cannot rate someone else's dossier.
    key = normalize_lookup_key(request.POST.get("key") or request.GET.get("key") or "")
    verdict = kiosk_rating_open(request.user, dossier, key=key or None)
    if not verdict.allowed and verdict.status_code == 403:
        return render(
            request, "kiosk/rate.html", _context(dossier=dossier, form=None, error=verdict.reason, key=""), status=403
        )
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_submit(
                dossier=dossier,
                overall=form.cleaned_data["overall"],
                criteria=form.criteria(),
                comment=form.cleaned_data["comment"],
                channel=EvaluationChannel.KIOSK,
            )
        except EvaluationNotAllowed as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("surveys:kiosk_thanks")
    if dossier.status != DossierStatus.RETURNED and not error:
        error = _("The dossier can be rated once its result has been returned.")
    return render(request, "kiosk/rate.html", _context(dossier=dossier, form=form, error=error, key=key))


@kiosk_required
def kiosk_thanks(request):
    return render(request, "kiosk/thanks.html", _context(already=False))
