"""Printable official forms (Circular 03/2025/TT-VPCP, Appendix I), A4, from versioned templates.

The Ministry of Justice now issues the forms (Decree 309/2026): the template set in force is
configuration (settings.ONESTOP_FORMS_VERSION), so a new set is a new folder of templates.
"""

import re
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import can_see_agency
from common.qr import qr_svg

from .access_log import note_dossier, note_subject, records_access
from .api import lookup_url
from .choices import Action
from .codes import format_lookup_key
from .models import AccessChannel, Guidance
from .selectors import dossier_events, dossier_get

FORMS = {
    "01": _("Receipt and appointment"),
    "02": _("Request to supplement"),
    "03": _("Refusal"),
    "04": _("Apology and request to extend the handling time"),
    "05": _("Notice of stopping the handling of the dossier"),
    "06": _("Control slip of the handling process"),
}


def forms_version():
    return getattr(settings, "ONESTOP_FORMS_VERSION", "tt03-2025")


def place_date(agency, moment=None):
    """'Vĩnh Bảo, ngày 27 tháng 11 năm 2026': the place is the commune's short name."""
    moment = timezone.localtime(moment or timezone.now())
    commune = agency.commune()
    place = (
        commune.short_name
        or re.sub(r"(?i)^(ủy ban nhân dân|ubnd)\s+|^(xã|phường|đặc khu)\s+", "", commune.name).strip()
    )
    place = re.sub(r"(?i)^(xã|phường|đặc khu)\s+", "", place)
    return f"{place}, ngày {moment.day:02d} tháng {moment.month:02d} năm {moment.year}"


def _late_apology_letter(dossier):
    """A completed late apology, shaped like an extension for Mẫu 04 (the appointment itself stays)."""
    from types import SimpleNamespace

    apology = getattr(dossier, "late_apology", None)
    if apology is None or apology.completed_at is None:
        return None
    return SimpleNamespace(
        reason=apology.reason,
        previous_due_at=dossier.due_at,
        new_due_at=apology.expected_at,
        created_at=apology.completed_at,
        created_by=apology.completed_by,
    )


def _last_event(events, action):
    return next((e for e in reversed(events) if e.action == action), None)


@login_required
@records_access("print-{form}", channel=AccessChannel.PRINT)
def print_form(request, code, form):
    if form not in FORMS:
        raise Http404
    dossier = dossier_get(request.user, code)
    if dossier is None:
        raise Http404(_("No dossier has this code."))
    events = list(dossier_events(dossier))
    receiving = dossier.receiving_agency
    extension = dossier.extension or _late_apology_letter(dossier)
    supplement = dossier.supplement_requests.order_by("-created_at").first()
    refusal, withdrawal = _last_event(events, Action.REFUSE), _last_event(events, Action.WITHDRAW)
    # Each letter is dated when it was issued; the receipt when the dossier was received.
    dated = {
        "01": dossier.received_at,
        "02": supplement.created_at if supplement else None,
        "03": refusal.at if refusal else None,
        "04": extension.created_at if extension else None,
        "05": withdrawal.at if withdrawal else None,
    }.get(form)
    note_dossier(request, dossier)
    # The receipt is a document already handed over: a reprint shows the appointment given then.
    received = next((e for e in events if e.action == Action.RECEIVE), None)
    receipt_due_at = (
        datetime.fromisoformat(received.data["due_at"]) if received and received.data.get("due_at") else dossier.due_at
    )
    context = {
        "dossier": dossier,
        "receipt_due_at": receipt_due_at,
        "form": form,
        "form_title": FORMS[form],
        "agency": receiving,
        "commune": dossier.competent_agency,
        "parent_name": receiving.parent.name if receiving.parent_id else "",
        "place_date": place_date(receiving, dated),
        "events": events,
        "documents": list(dossier.documents.all()),
        "handovers": list(dossier.handovers.select_related("user", "completed_by", "office")),
        "extension": extension,
        "supplement": supplement,
        "refusal": refusal,
        "withdrawal": withdrawal,
        "lookup_url": lookup_url(dossier),
        "lookup_key": format_lookup_key(dossier.lookup_key),
        "qr": qr_svg(lookup_url(dossier)),
        "clerk": dossier.created_by,
        "printed_by": request.user,
    }
    return render(request, f"dossiers/print/{forms_version()}/mau-{form}.html", context)


@login_required
@records_access("print-guidance", channel=AccessChannel.PRINT)
def print_guidance(request, number):
    """Mẫu 02 (incomplete) or Mẫu 03 (refused) given at the desk without a dossier code."""
    guidance = get_object_or_404(
        Guidance.objects.select_related("agency", "procedure_version", "given_by"), number=number
    )
    if not can_see_agency(request.user, guidance.agency_id):
        raise Http404
    note_subject(request, guidance.number)
    form = "03" if guidance.kind == "refused" else "02"
    context = {
        "guidance": guidance,
        "form": form,
        "form_title": FORMS[form],
        "agency": guidance.agency,
        "parent_name": guidance.agency.parent.name if guidance.agency.parent_id else "",
        "place_date": place_date(guidance.agency, guidance.given_at),
    }
    return render(request, f"dossiers/print/{forms_version()}/guidance-{form}.html", context)


@login_required
@records_access("letter-{key}", channel=AccessChannel.PRINT)
def print_letter(request, code, key):
    """A letter beyond the law, printed with the result (congratulations, condolences)."""
    from .letters import letters_for, render_letter

    dossier = dossier_get(request.user, code)
    if dossier is None:
        raise Http404(_("No dossier has this code."))
    template = next((t for t in letters_for(dossier) if t.key == key), None)
    if template is None:
        raise Http404
    note_dossier(request, dossier)
    return render(
        request,
        "dossiers/print/letter.html",
        {
            "dossier": dossier,
            "letter": template,
            "text": render_letter(template, dossier),
            "agency": dossier.competent_agency,
            "place_date": place_date(dossier.competent_agency),
        },
    )
