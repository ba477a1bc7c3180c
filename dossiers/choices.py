from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    """The statuses of ../shared/api.md (the contract: never rename)."""

    # An online dossier received from the portal, not yet accepted by the desk (its clock has not
    # started).
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("Awaiting acceptance")
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Awaiting supplement")
    RESULT_READY = "result_ready", _("Result ready")
    RETURNED = "returned", _("Returned")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    DossierStatus.AWAITING_ACCEPTANCE,
    DossierStatus.RECEIVED,
    DossierStatus.IN_PROGRESS,
    DossierStatus.AWAITING_SUPPLEMENT,
    DossierStatus.RESULT_READY,
)
FINISHED_STATUSES = (DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.CLOSED)
# Statuses in which the handling clock runs (the due time can be missed).
CLOCK_STATUSES = (DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS)


class Channel(models.TextChoices):
    DIRECT = "direct", _("At the desk")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class ReturnMethod(models.TextChoices):
    DESK = "desk", _("At the desk")
    POST = "post", _("By post")


class Action(models.TextChoices):
    """What happened to a dossier (one history row each)."""

    RECEIVE = "receive", _("Received")
    RECEIVE_ONLINE = "receive_online", _("Filed online: awaiting acceptance")
    ACCEPT = "accept", _("Online dossier accepted")
    TRANSFER = "transfer", _("Transferred to the processing office")
    ASSIGN = "assign", _("Assigned to an officer")
    SUBMIT = "submit", _("Submitted for approval")
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplement requested")
    SUPPLEMENT = "supplement", _("Supplement received; deadline restarted")
    EXTEND = "extend", _("Extended with an apology letter")
    REFUSE = "refuse", _("Refused")
    APPROVE = "approve", _("Result approved")
    RETURN = "return", _("Result returned")
    WITHDRAW = "withdraw", _("Withdrawn at the citizen's request")
    CLOSE = "close", _("Closed: no supplement in time")
    APOLOGY = "apology", _("Apology letter for a late dossier")
    NOTE = "note", _("Note")


class GuidanceKind(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance only")
    INCOMPLETE = "incomplete", _("Incomplete: request to supplement (Mẫu 02)")
    REFUSED = "refused", _("Refused at intake (Mẫu 03)")
