"""Every state change of a dossier, by seam: who may see it (``access``), intake (``intake``), the
changes after intake (``transitions``), the history (``records``) and the workflow's steps
(``workflow``). What may happen, and who may do it, is ``dossiers.rules``.

Callers import from here: ``from dossiers.services import dossier_receive``.
"""

from ..exceptions import ActionForbidden, ConcurrentChange, TransitionNotAllowed
from ..rules import RESOLVING_ACTIONS, allowed_actions
from ..uploads import Upload
from .access import can_access_dossier
from .intake import (
    ApplicantData,
    OnlineFiling,
    ReceivedDocument,
    clean_id_number,
    clean_phone,
    dossier_attach,
    dossier_receive,
    guidance_record,
)
from .online import OnlineSubmission, dossier_register_online
from .records import dossier_event_recorded, record_event
from .transitions import (
    ACTION_ARGUMENTS,
    SERVICES,
    dossier_accept,
    dossier_act,
    dossier_apologize_late,
    dossier_approve,
    dossier_assign,
    dossier_close,
    dossier_extend,
    dossier_record_note,
    dossier_refuse,
    dossier_request_supplement,
    dossier_return,
    dossier_submit,
    dossier_supplement,
    dossier_transfer,
    dossier_withdraw,
)

__all__ = [
    "ACTION_ARGUMENTS",
    "RESOLVING_ACTIONS",
    "SERVICES",
    "ActionForbidden",
    "ApplicantData",
    "ConcurrentChange",
    "OnlineFiling",
    "OnlineSubmission",
    "ReceivedDocument",
    "TransitionNotAllowed",
    "Upload",
    "allowed_actions",
    "can_access_dossier",
    "clean_id_number",
    "clean_phone",
    "dossier_accept",
    "dossier_act",
    "dossier_apologize_late",
    "dossier_approve",
    "dossier_assign",
    "dossier_attach",
    "dossier_close",
    "dossier_event_recorded",
    "dossier_extend",
    "dossier_receive",
    "dossier_record_note",
    "dossier_register_online",
    "dossier_refuse",
    "dossier_request_supplement",
    "dossier_return",
    "dossier_submit",
    "dossier_supplement",
    "dossier_transfer",
    "dossier_withdraw",
    "guidance_record",
    "record_event",
]
