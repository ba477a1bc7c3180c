"""The domain errors of the dossier lifecycle, shared by services, pages and the API.

A rule of the state that fails now is ``TransitionNotAllowed`` (HTTP 409); a person who may not
take the action on this dossier is ``ActionForbidden`` (HTTP 403). Both carry a Vietnamese reason.
"""

from rest_framework import exceptions, status


class TransitionNotAllowed(Exception):
    """The action is not allowed from the dossier's status (or right now): HTTP 409."""


class ConcurrentChange(TransitionNotAllowed):
    """Someone else changed the dossier since the form was opened: HTTP 409."""


class ActionForbidden(PermissionError):
    """The user's role or relation to the dossier does not allow this action: HTTP 403."""


class Conflict(exceptions.APIException):
    """The API's answer to ``TransitionNotAllowed`` (and to any other state conflict)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"
