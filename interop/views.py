"""The administrators' page of the outbox (/lien-thong/): the queue, its failures, resending."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import OutboxRecord, RecordState, Target
from .services import outbox_resend, outbox_summary


def _administrator(request):
    if not request.user.is_administrator:
        raise PermissionDenied


@login_required
def queue(request):
    _administrator(request)
    summary = outbox_summary()
    failures = list(
        OutboxRecord.objects.filter(state__in=(RecordState.FAILED, RecordState.HELD))
        .select_related("subscriber")
        .order_by("-state", "first_failed_at", "pk")[:200]
    )
    rows = [
        {
            "target": target,
            "label": label,
            "counts": summary["counts"].get(target, dict.fromkeys(RecordState.values, 0)),
            "last_sent": summary["last_sent"].get(target),
        }
        for target, label in Target.choices
    ]
    held = sum(row["counts"][RecordState.HELD] for row in rows)
    return render(
        request,
        "interop/queue.html",
        {"rows": rows, "failures": failures, "held": held, "states": RecordState},
    )


@require_POST
@login_required
def resend(request, pk):
    _administrator(request)
    count = outbox_resend(by=request.user, record_ids=[pk])
    if count:
        messages.success(request, _("The record will be sent again in a moment."))
    else:
        messages.info(request, _("Nothing to resend: the record was already sent or is waiting."))
    return redirect("interop:queue")


@require_POST
@login_required
def resend_held(request):
    _administrator(request)
    count = outbox_resend(by=request.user, all_held=True)
    messages.success(request, _("%(count)s held records will be sent again in a moment.") % {"count": count})
    return redirect("interop:queue")
