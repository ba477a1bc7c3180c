"""API plumbing shared by every app: pagination and the error format of ../shared/api.md.

Errors are ``{"detail": "...", "errors": {field: [...]}}``, messages in Vietnamese.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: [str(m) for m in (value if isinstance(value, list) else [value])] for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(detail)
        message = _("The data sent is not valid.")
        if list(errors) == ["non_field_errors"]:
            message = errors["non_field_errors"][0]
        response.data = {"detail": message, "errors": errors}
    else:
        message = detail.get("detail") if isinstance(detail, dict) else detail
        response.data = {"detail": str(message), "errors": {}}
    return response


def error_response(message, *, status_code=400, errors=None):
    return Response({"detail": str(message), "errors": errors or {}}, status=status_code)
