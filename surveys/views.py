"""Pages of surveys and feedback: public forms without an account, staff queue and results.
Thin: check access, bind the form, call the service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from common.qr import qr_svg
from common.ratelimit import first_submission, forget_submission
from dossiers.access_log import note_subject, records_access

from .choices import CampaignAccess, FeedbackStatus
from .excel import campaign_xlsx
from .forms import FeedbackAnswerForm, FeedbackClassifyForm, FeedbackForm, FeedbackPublishForm, SurveyForm
from .rules import feedback_allowed_steps
from .selectors import (
    campaign_get_public,
    campaign_results,
    can_see_campaign_results,
    feedback_get,
    feedback_published,
    feedback_queue,
)
from .services import (
    FeedbackStepNotAllowed,
    feedback_answer,
    feedback_classify,
    feedback_publish,
    feedback_submit,
    invitation_ballot,
    receipt_ballot,
    response_already_counted,
    response_submit,
)

QUEUE_ROLES = (Role.CLERK, Role.LEADER, Role.ADMIN)


# ----- surveys -------------------------------------------------------------------------------------


def survey_answer(request, slug):
    """/khao-sat/<slug>/: a questionnaire answered without an account, one response per submit; a
    campaign may ask for the receipt's code and key, or come by a one-time link (?t=…), so that each
    dossier or link counts once. The same answers sent again by the same client are kept once."""
    campaign = campaign_get_public(slug)
    if campaign is None:
        raise Http404(_("No survey has this link."))
    if not campaign.is_open:
        return render(request, "surveys/survey_closed.html", {"campaign": campaign})
    token = (request.POST.get("token") or request.GET.get("t") or "")[:64]
    if campaign.access == CampaignAccess.INVITATION:
        try:
            ballot = invitation_ballot(campaign=campaign, token=token)
        except ValidationError:
            ballot = ""
        if not ballot or response_already_counted(campaign=campaign, ballot=ballot):
            return render(request, "surveys/survey_closed.html", {"campaign": campaign, "link_invalid": True})
    questions = list(campaign.questions.all())
    receipt = campaign.access == CampaignAccess.RECEIPT
    form = SurveyForm(request.POST or None, questions=questions, receipt=receipt, initial={"token": token})
    thanks = lambda: render(request, "surveys/survey_thanks.html", {"campaign": campaign})  # noqa: E731
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return thanks()
        answers = form.answers()
        try:
            if receipt:
                ballot = receipt_ballot(
                    campaign=campaign, code=form.cleaned_data["receipt_code"], key=form.cleaned_data["receipt_key"]
                )
            elif campaign.access == CampaignAccess.OPEN:
                ballot = ""
            payload = {"campaign": campaign.pk, "ballot": ballot, "answers": answers}
            if not first_submission(request, "survey", payload):
                return thanks()
            try:
                response_submit(campaign=campaign, answers=answers, ballot=ballot)
            except ValidationError:
                forget_submission(request, "survey", payload)
                raise
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                form.add_error(field if field in form.fields else None, errors)
        else:
            return thanks()
    return render(request, "surveys/survey_answer.html", {"campaign": campaign, "form": form})


def _campaign_for_results(request, slug):
    campaign = campaign_get_public(slug)
    if campaign is None:
        raise Http404
    if not can_see_campaign_results(request.user, campaign):
        raise PermissionDenied
    return campaign


@login_required
def survey_results(request, slug):
    campaign = _campaign_for_results(request, slug)
    public_url = request.build_absolute_uri(reverse("surveys:survey", args=[campaign.slug]))
    return render(
        request,
        "surveys/survey_results.html",
        {
            "campaign": campaign,
            "results": campaign_results(campaign),
            "public_url": public_url,
            "qr": qr_svg(public_url, box_size=6),
        },
    )


@login_required
def survey_export(request, slug):
    """All responses as Excel: one row per response, one column per question."""
    campaign = _campaign_for_results(request, slug)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="khao-sat-{campaign.slug}.xlsx"'
    campaign_xlsx(response, campaign)
    return response


# ----- feedback: public ----------------------------------------------------------------------------


def feedback_new(request):
    """/phan-anh/: anyone may send feedback; name and contact are optional. About a dossier, the code
    needs its lookup key; an unknown code or a wrong key gets the very same answer as a right one, and
    nothing is stored (nobody learns which codes exist, no staff item is made for a guess). The same
    feedback sent again by the same client within PUBLIC_DEDUPE_SECONDS is kept once."""
    form = FeedbackForm(request.POST or None, initial={"dossier_code": request.GET.get("ma", "")[:64]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        about_dossier = bool(data["dossier_code"])
        thanks = lambda feedback=None: render(  # noqa: E731
            request, "surveys/feedback_thanks.html", {"feedback": feedback, "about_dossier": about_dossier}
        )
        if form.is_bot or (about_dossier and data["dossier"] is None):
            return thanks()
        payload = {
            "agency": data["agency"].pk,
            "dossier": data["dossier"].pk if data["dossier"] else None,
            "content": data["content"],
        }
        if not first_submission(request, "feedback", payload):
            return thanks()
        try:
            feedback = feedback_submit(
                agency=data["agency"],
                content=data["content"],
                name=data["name"],
                contact=data["contact"],
                dossier=data["dossier"],
                given_dossier_code=data["dossier_code"],
            )
        except ValidationError as exc:
            forget_submission(request, "feedback", payload)
            form.add_error(None, exc)
        else:
            return thanks(feedback)
    return render(request, "surveys/feedback_form.html", {"form": form})


def feedback_public_list(request):
    """/phan-anh/cong-khai/: published answers (the public summary, never the sender)."""
    page = Paginator(feedback_published(), 20).get_page(request.GET.get("trang"))
    return render(request, "surveys/feedback_public.html", {"page": page})


# ----- feedback: staff -----------------------------------------------------------------------------


def _queue_user(request):
    user = request.user
    if not (user.is_superuser or (user.agency_id is not None and user.role in QUEUE_ROLES)):
        raise PermissionDenied
    return user


@login_required
def feedback_queue_view(request):
    user = _queue_user(request)
    state = request.GET.get("trang-thai", "open")
    if state not in ("open", "overdue", "all", *FeedbackStatus.values):
        state = "open"
    page = Paginator(feedback_queue(user, state=state), 50).get_page(request.GET.get("trang"))
    now = timezone.now()
    for item in page:
        item.classify_late = item.classify_overdue(now)
        item.answer_late = item.answer_overdue(now)
    states = [
        ("open", _("To handle")),
        ("overdue", _("Overdue")),
        (FeedbackStatus.ANSWERED, _("Answered")),
        (FeedbackStatus.PUBLISHED, _("Published")),
        ("all", _("All")),
    ]
    return render(request, "surveys/feedback_queue.html", {"page": page, "state": state, "states": states})


@login_required
@records_access("feedback")
def feedback_detail(request, pk):
    """One feedback item: the sender's name and contact, and the dossier it is about, are personal
    data (the read is recorded by dossiers.access_log)."""
    user = _queue_user(request)
    feedback = feedback_get(user, pk)
    if feedback is None:
        raise Http404
    note_subject(request, f"feedback #{feedback.pk}", dossier=feedback.dossier)
    now = timezone.now()
    context = {
        "feedback": feedback,
        "classify_late": feedback.classify_overdue(now),
        "answer_late": feedback.answer_overdue(now),
        "steps": feedback_allowed_steps(user, feedback),
        "classify_form": FeedbackClassifyForm(),
        "answer_form": FeedbackAnswerForm(),
        "publish_form": FeedbackPublishForm(),
    }
    return render(request, "surveys/feedback_detail.html", context)


STEPS = {
    "phan-loai": (FeedbackClassifyForm, lambda f, by, d: feedback_classify(feedback=f, by=by, **d)),
    "tra-loi": (FeedbackAnswerForm, lambda f, by, d: feedback_answer(feedback=f, by=by, **d)),
    "cong-khai": (FeedbackPublishForm, lambda f, by, d: feedback_publish(feedback=f, by=by, **d)),
}


@login_required
@require_POST
def feedback_step(request, pk, step):
    user = _queue_user(request)
    feedback = feedback_get(user, pk)
    if feedback is None or step not in STEPS:
        raise Http404
    form_class, service = STEPS[step]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("surveys:feedback_detail", pk=pk)
    try:
        service(feedback, user, form.cleaned_data)
    except (FeedbackStepNotAllowed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("surveys:feedback_detail", pk=pk)
