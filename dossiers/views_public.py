"""What a citizen sees without an account: the status behind the receipt's QR code."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .selectors import dossier_events, dossier_get_public


def public_lookup(request, code):
    dossier = dossier_get_public(code, request.GET.get("key", ""))
    if dossier is None:
        raise Http404(_("No dossier matches this code and key."))
    events = dossier_events(dossier)
    return render(request, "dossiers/public_status.html", {"dossier": dossier, "events": events})
