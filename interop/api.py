"""The portal pushes online dossiers here: POST /api/v1/portal/online-dossiers.

The body is the portal's own shape (``{"service": ..., "data": [...]}`` or a list or one object,
each as LayDanhSachHoSoTrucTuyen returns them), the answer is the portal protocol's
``{"error_code": 0, "message": ..., "result": [...]}``. The caller proves itself with
``Authorization: Bearer <PORTAL_PUSH_TOKEN>`` (compared in constant time); with no token set, the
endpoint is closed. Receiving the same portal code twice updates, never duplicates.
"""

import hmac

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .online import online_dossiers_register


def _authorised(request) -> bool:
    expected = settings.PORTAL_PUSH_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(expected) and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())


class OnlineDossierPush(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="portal_online_dossiers_push",
        request={"application/json": {"type": "object"}},
        responses={200: {"type": "object"}},
        description="The national or provincial portal pushes dossiers filed online (Bearer PORTAL_PUSH_TOKEN).",
    )
    def post(self, request):
        if not _authorised(request):
            return Response(
                {"error_code": 401, "message": "Unauthorised", "result": []}, status=status.HTTP_401_UNAUTHORIZED
            )
        body = request.data
        items = body.get("data") if isinstance(body, dict) and "data" in body else body
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items) or len(items) > 500:
            return Response(
                {"error_code": 400, "message": "data must be a list of at most 500 dossiers", "result": []},
                status=status.HTTP_400_BAD_REQUEST,
            )
        report = online_dossiers_register(items)
        result = [{"MaHoSo": code, "TrangThai": "refused", "LyDo": why} for code, why in report.refused.items()]
        result += [{"MaHoSoMotCua": code, "TrangThai": "created"} for code in report.created]
        result += [{"MaHoSoMotCua": code, "TrangThai": "updated"} for code in report.updated]
        return Response(
            {
                "error_code": 0 if not report.refused else 1,
                "message": "OK" if not report.refused else "partial",
                "result": result,
            }
        )
