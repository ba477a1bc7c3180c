"""The national public service portal (Cổng Dịch vụ công quốc gia, "DVCQG"): the one module that
holds every portal name, service code, field name, status code and URL default, the client that
calls it, its date format and the payloads we send.

**Unconfirmed.** The official specification of the portal's data-sharing services could not be
read. Everything here follows what published integrations do (OpenCPS and other open-source
one-stop systems that call the same services): a ``POST`` of JSON ``{"service": NAME,
"isUpdating": bool, "data": [...]}`` (or service-specific parameters) answered by
``{"error_code": 0, "message": ..., "result": [...]}``, an access token from a token endpoint, and
dates as ``yyyyMMddHHmmss`` in Vietnam time. The URLs, the credentials, the status codes (table
``PortalStatusMapping``, seeded with defaults marked unconfirmed) and the procedure codes
(``PortalProcedureCode``) are settings and admin tables, so a deployment adapts them without code.
The online-dossier services (``LayDanhSachHoSoTrucTuyen``, ``CapNhatTrangThaiHoSoTrucTuyen``) and
the event-number field (``MaSuKien``) are our own names, spoken by the stand-in portal
(``interop.standin``): a real portal's names must be set in settings before use.

Stable interface (other apps call these; keep them):

- ``PortalClient().call(service, *, data=None, is_updating=False, **params) -> list[dict]``:
  one call; raises ``PortalError(message, error_code=None, body="")`` carrying the portal's own
  message on any ``error_code`` other than 0, a non-JSON answer, an HTTP error or a timeout.
- ``portal_datetime(dt) -> "yyyyMMddHHmmss"`` and ``parse_portal_datetime(s) -> aware datetime``.
- Service names: ``SYNC_DOSSIER`` (DongBoHoSoMC), ``UPDATE_PROGRESS`` (CapNhatTienDoHoSoMC),
  ``LIST_PROCEDURES`` (LayDanhSachTTHC), ``GET_PROCEDURE`` (LayThuTuc), ``LIST_FIELDS``
  (LayDanhMucLinhVuc), ``LIST_AGENCIES`` (LayDanhMucCoQuan), ``LOOKUP_DOSSIER`` (TraCuuHoSo),
  ``LIST_ONLINE_DOSSIERS``, ``ONLINE_DECISION``; catalogue field names in ``CATALOGUE``.

Settings (all optional; read at call time): ``PORTAL_ENABLED``, ``PORTAL_BASE_URL`` (the
data-sharing endpoint), ``PORTAL_TOKEN_URL`` (empty: no token), ``PORTAL_CLIENT_ID``,
``PORTAL_CLIENT_SECRET`` or ``PORTAL_USERNAME``, ``PORTAL_PASSWORD``, ``PORTAL_TIMEOUT`` (seconds),
``PORTAL_BATCH_SIZE``, ``PORTAL_MAX_ATTEMPTS``, ``PORTAL_EVENT_NUMBER_FIELD`` and the service-name
overrides ``PORTAL_SERVICE_NAMES`` ({our constant: their name}).
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.utils.translation import gettext as _

# ----- names -------------------------------------------------------------------------------------

SYNC_DOSSIER = "DongBoHoSoMC"  # one object per dossier (its whole state)
UPDATE_PROGRESS = "CapNhatTienDoHoSoMC"  # one step of progress
LIST_PROCEDURES = "LayDanhSachTTHC"
GET_PROCEDURE = "LayThuTuc"
LIST_FIELDS = "LayDanhMucLinhVuc"
LIST_AGENCIES = "LayDanhMucCoQuan"
LOOKUP_DOSSIER = "TraCuuHoSo"
# Online dossiers (unconfirmed names: spoken by the stand-in portal).
LIST_ONLINE_DOSSIERS = "LayDanhSachHoSoTrucTuyen"
ONLINE_DECISION = "CapNhatTrangThaiHoSoTrucTuyen"

DEFAULTS = {
    "PORTAL_ENABLED": False,
    "PORTAL_BASE_URL": "http://127.0.0.1:8765/api",
    "PORTAL_TOKEN_URL": "http://127.0.0.1:8765/token",
    "PORTAL_CLIENT_ID": "motcua-demo",
    "PORTAL_CLIENT_SECRET": "motcua-demo-secret",
    "PORTAL_USERNAME": "",
    "PORTAL_PASSWORD": "",
    "PORTAL_TIMEOUT": 15.0,
    "PORTAL_BATCH_SIZE": 50,
    "PORTAL_MAX_ATTEMPTS": 8,
    # Our own field carrying the event number (the idempotency key with MaHoSo); "" sends none.
    "PORTAL_EVENT_NUMBER_FIELD": "MaSuKien",
    "PORTAL_SERVICE_NAMES": {},
}


def conf(name):
    return getattr(settings, name, DEFAULTS[name])


def service_name(service: str) -> str:
    """The deployment's name for one of our service constants (PORTAL_SERVICE_NAMES overrides)."""
    return (conf("PORTAL_SERVICE_NAMES") or {}).get(service, service)


# Dossier fields (DongBoHoSoMC), as the published integrations spell them.
F_CODE = "MaHoSo"
F_EVENT = "MaSuKien"  # default of PORTAL_EVENT_NUMBER_FIELD

# Our statuses → the portal's TrangThaiHoSo. Defaults only: the table PortalStatusMapping is what is
# used (seeded from this by a data migration, every row marked unconfirmed).
DEFAULT_STATUS_CODES = {
    "awaiting_acceptance": ("1", "Mới đăng ký"),
    "received": ("2", "Được tiếp nhận"),
    "in_progress": ("4", "Đang xử lý"),
    "awaiting_supplement": ("5", "Yêu cầu bổ sung giấy tờ"),
    "result_ready": ("9", "Đã xử lý xong"),
    "returned": ("10", "Đã trả kết quả"),
    "refused": ("3", "Không được tiếp nhận / từ chối giải quyết"),
    "withdrawn": ("7", "Công dân yêu cầu rút hồ sơ"),
    "closed": ("8", "Dừng xử lý"),
}
# How the dossier came in (HinhThuc / KenhThucHien), unconfirmed.
CHANNEL_CODES = {"direct": "1", "online": "2", "post": "3"}
APPLICANT_CITIZEN, APPLICANT_ORGANISATION = "1", "2"  # LoaiDoiTuong
# Decisions on an online dossier (ONLINE_DECISION's QuyetDinh), unconfirmed.
DECISION_CODES = {"accept": "1", "request_supplement": "2", "refuse": "3"}

# Catalogue answers (LayDanhSachTTHC / LayThuTuc / LayDanhMucLinhVuc / LayDanhMucCoQuan).
CATALOGUE = {
    "procedure_code": "MATTHC",
    "procedure_name": "TENTTHC",
    "level": "CAPTHUCHIEN",
    "fields": "LINHVUCTHUCHIEN",  # [{MALINHVUC, TENLINHVUC}]
    "field_code": "MALINHVUC",
    "field_name": "TENLINHVUC",
    "time_text": "THOIHANGIAIQUYET",  # the published time, as text
    "fee_text": "PHILEPHI",  # the published fees, as text
    "result": "KETQUATHUCHIEN",
    "legal_basis": "CANCUPHAPLY",
    "documents": "THANHPHANHOSO",  # [{TENGIAYTO, SOBANCHINH, SOBANSAO, BATBUOC}]
    "document_name": "TENGIAYTO",
    "document_originals": "SOBANCHINH",
    "document_copies": "SOBANSAO",
    "document_mandatory": "BATBUOC",
    "agency_code": "MADONVI",
    "agency_name": "TENDONVI",
    "agency_level": "CAPDONVI",
    "agency_parent": "MADONVICHA",
}
# Online dossiers as LIST_ONLINE_DOSSIERS answers them (the stand-in's layout).
ONLINE = {
    "code": "MaHoSo",
    "procedure_code": "MaTTHC",
    "procedure_name": "TenTTHC",
    "agency_code": "MaDonVi",
    "applicant_name": "ChuHoSo",
    "applicant_id_number": "SoGiayToChuHoSo",
    "applicant_kind": "LoaiDoiTuong",
    "applicant_email": "Email",
    "applicant_phone": "SoDienThoai",
    "applicant_address": "DiaChiChuHoSo",
    "summary": "TrichYeuHoSo",
    "filed_at": "NgayNopHoSo",
    "documents": "TaiLieuNop",  # [{TenTepDinhKem, DuongDanTaiTepTin, MaThanhPhanHoSo}]
    "document_name": "TenTepDinhKem",
    "document_url": "DuongDanTaiTepTin",
    "return_method": "HinhThucNhanKetQua",
    "from": "TuNgay",  # LIST_ONLINE_DOSSIERS parameters
    "to": "DenNgay",
}

# ----- dates -------------------------------------------------------------------------------------

PORTAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATETIME_FORMAT = "%Y%m%d%H%M%S"


def portal_datetime(dt: datetime | None) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time; "" for None. A naive datetime is taken as Vietnam time."""
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=PORTAL_TZ)
    return dt.astimezone(PORTAL_TZ).strftime(DATETIME_FORMAT)


def parse_portal_datetime(value: str | None) -> datetime | None:
    """An aware datetime from ``yyyyMMddHHmmss`` (or ``yyyyMMdd``); None for empty. ValueError
    when it is neither."""
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{14}", value):
        return datetime.strptime(value, DATETIME_FORMAT).replace(tzinfo=PORTAL_TZ)
    if re.fullmatch(r"\d{8}", value):
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=PORTAL_TZ)
    raise ValueError(f"not a portal date (yyyyMMddHHmmss): {value!r}")


# ----- the client --------------------------------------------------------------------------------


class PortalError(Exception):
    """The portal refused, failed or did not answer. ``message`` is the portal's own message when
    it gave one; ``error_code`` its code (None for HTTP errors, non-JSON answers, timeouts)."""

    def __init__(self, message, error_code=None, body="", status=None):
        super().__init__(message)
        self.message = str(message)
        self.error_code = error_code
        self.body = (body or "")[:4000]
        self.status = status

    def __str__(self):
        return self.message if self.error_code is None else f"[{self.error_code}] {self.message}"


_tokens: dict[tuple, tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def _snippet(text: str, size: int = 200) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text or "").split())[:size]


class PortalClient:
    """Calls the portal's data-sharing endpoint. Thread-safe; the access token is shared by every
    client of the process with the same credentials and renewed before it expires, or once when
    the portal answers 401."""

    def __init__(self, *, base_url=None, token_url=None, timeout=None, session=None):
        self.base_url = base_url or conf("PORTAL_BASE_URL")
        self.token_url = conf("PORTAL_TOKEN_URL") if token_url is None else token_url
        self.timeout = float(timeout or conf("PORTAL_TIMEOUT"))
        self.session = session or requests.Session()

    # -- token --
    def _credentials(self) -> dict:
        if conf("PORTAL_USERNAME"):
            return {
                "grant_type": "password",
                "username": conf("PORTAL_USERNAME"),
                "password": conf("PORTAL_PASSWORD"),
                "client_id": conf("PORTAL_CLIENT_ID"),
                "client_secret": conf("PORTAL_CLIENT_SECRET"),
            }
        return {
            "grant_type": "client_credentials",
            "client_id": conf("PORTAL_CLIENT_ID"),
            "client_secret": conf("PORTAL_CLIENT_SECRET"),
        }

    def _token_key(self):
        return (self.token_url, conf("PORTAL_CLIENT_ID"), conf("PORTAL_USERNAME"))

    def token(self, *, renew: bool = False) -> str:
        """The current access token ("" when no token endpoint is configured)."""
        if not self.token_url:
            return ""
        key = self._token_key()
        with _tokens_lock:
            cached = _tokens.get(key)
            if cached and not renew and cached[1] > time.monotonic():
                return cached[0]
        try:
            response = self.session.post(self.token_url, data=self._credentials(), timeout=self.timeout)
        except requests.Timeout as exc:
            raise PortalError(_("The portal's token service did not answer in time.")) from exc
        except requests.RequestException as exc:
            raise PortalError(_("The portal's token service cannot be reached: %(error)s") % {"error": exc}) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code != 200 or not isinstance(answer, dict) or not answer.get("access_token"):
            answer = answer if isinstance(answer, dict) else {}
            message = answer.get("message") or answer.get("error_description")
            raise PortalError(
                message
                or _("The portal's token service refused (HTTP %(status)s): %(text)s")
                % {"status": response.status_code, "text": _snippet(response.text)},
                error_code=answer.get("error_code") if message else None,
                body=response.text,
                status=response.status_code,
            )
        lifetime = float(answer.get("expires_in") or 3600)
        with _tokens_lock:
            # Renewed a little before the portal's expiry.
            _tokens[key] = (answer["access_token"], time.monotonic() + max(lifetime - min(30, lifetime / 10), 0))
        return answer["access_token"]

    def forget_token(self):
        with _tokens_lock:
            _tokens.pop(self._token_key(), None)

    # -- calls --
    def _post(self, body: dict, *, renew: bool = False):
        headers = {"Accept": "application/json"}
        token = self.token(renew=renew)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self.session.post(self.base_url, json=body, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            raise PortalError(
                _("The portal did not answer within %(seconds)s seconds.") % {"seconds": f"{self.timeout:g}"}
            ) from exc
        except requests.RequestException as exc:
            raise PortalError(_("The portal cannot be reached: %(error)s") % {"error": exc}) from exc

    def call(self, service: str, *, data: list | None = None, is_updating: bool = False, **params) -> list[dict]:
        """Call one service; the ``result`` list (a single object answer becomes a list of one)."""
        body = {"service": service_name(service)}
        if data is not None:
            body.update(isUpdating=bool(is_updating), data=data)
        body.update(params)
        response = self._post(body)
        if response.status_code == 401 and self.token_url:
            response = self._post(body, renew=True)
        return self._result(response)

    @staticmethod
    def _result(response) -> list[dict]:
        text = response.text
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            if response.status_code >= 400:
                raise PortalError(
                    _("The portal answered HTTP %(status)s: %(text)s")
                    % {"status": response.status_code, "text": _snippet(text)},
                    body=text,
                    status=response.status_code,
                )
            raise PortalError(
                _("The portal's answer is not JSON (HTTP %(status)s): %(text)s")
                % {"status": response.status_code, "text": _snippet(text)},
                body=text,
                status=response.status_code,
            )
        code = answer.get("error_code")
        if response.status_code >= 400 or str(code).strip() != "0":
            message = answer.get("message") or _("The portal answered HTTP %(status)s with error code %(code)s.") % {
                "status": response.status_code,
                "code": code,
            }
            raise PortalError(message, error_code=code, body=text, status=response.status_code)
        result = answer.get("result")
        if result is None:
            return []
        return result if isinstance(result, list) else [result]


# ----- what we send ------------------------------------------------------------------------------


class PortalCodes:
    """The mapping tables, read once per batch."""

    def __init__(self, statuses: dict[str, str], procedures: dict[str, str]):
        self.statuses, self.procedures = statuses, procedures

    @classmethod
    def load(cls) -> PortalCodes:
        from .models import PortalProcedureCode, PortalStatusMapping

        statuses = {code: default for code, (default, _label) in DEFAULT_STATUS_CODES.items()}
        statuses.update(dict(PortalStatusMapping.objects.values_list("status", "portal_code")))
        procedures = dict(PortalProcedureCode.objects.values_list("procedure_code", "portal_code"))
        return cls(statuses, procedures)

    def status(self, status: str) -> str:
        return self.statuses.get(status, "")

    def procedure(self, code: str) -> str:
        return self.procedures.get(code, code)


def dossier_portal_code(dossier) -> str:
    """MaHoSo: the portal's own code for a dossier that came from it, else ours."""
    return getattr(dossier, "external_code", "") or dossier.code


def _event_number(payload: dict, event) -> dict:
    field = conf("PORTAL_EVENT_NUMBER_FIELD")
    if field and event is not None:
        payload[field] = event.pk
    return payload


def _person(user) -> tuple[str, str, str]:
    """NguoiXuLy, ChucDanh, PhongBanXuLy."""
    if user is None:
        return "Hệ thống Một cửa", "", ""
    title = user.job_title or (user.get_role_display() if hasattr(user, "get_role_display") else "")
    return user.display_name, str(title), user.agency.name if user.agency_id else ""


def _fee_amount(text: str) -> str:
    if not text or "miễn" in text.lower():
        return "0" if text else ""
    match = re.search(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ\b|VNĐ|VND)", text, flags=re.IGNORECASE)
    return re.sub(r"[.,]", "", match.group(1)) if match else ""


def _supplements(dossier) -> list[dict]:
    """DanhSachHoSoBoSung: each request with the appointment before it and the new appointment
    set when the papers came (from the ``supplement`` event's data)."""
    # .all(): the sender prefetches these for a whole batch (interop.services._claim).
    requests_ = sorted(dossier.supplement_requests.all(), key=lambda r: (r.created_at, r.pk))
    if not requests_:
        return []
    answers = sorted((e for e in dossier.events.all() if e.action == "supplement"), key=lambda e: (e.at, e.pk))
    rows = []
    for request in requests_:
        answer = next((event for event in answers if event.at >= request.created_at), None)
        if answer is not None:
            answers.remove(answer)
        data = answer.data if answer is not None else {}
        before = data.get("previous_due_at")
        after = data.get("due_at")
        rows.append(
            {
                "HoSoBoSungId": request.pk,
                "NguoiYeuCauBoSung": request.created_by.display_name,
                "NoiDungBoSung": f"{request.missing} ({request.reason})" if request.reason else request.missing,
                "NgayBoSung": portal_datetime(request.created_at),
                "NguoiTiepNhanBoSung": answer.actor.display_name if answer is not None and answer.actor else "",
                "ThongTinTiepNhan": answer.note if answer is not None else "",
                "NgayTiepNhanBoSung": portal_datetime(answer.at) if answer is not None else "",
                "TrangThaiBoSung": "1" if answer is not None else "0",
                "DanhSachGiayToBoSung": [],
                "DanhSachLePhiBoSung": [],
                "NgayHenTraTruoc": portal_datetime(datetime.fromisoformat(before))
                if before
                else portal_datetime(dossier.due_at),
                "NgayHenTraMoi": portal_datetime(datetime.fromisoformat(after)) if after else "",
            }
        )
    return rows


def build_dossier_sync(dossier, event=None, *, codes: PortalCodes | None = None) -> dict:
    """The DongBoHoSoMC object of a dossier: its state now, with the status the event left it in."""
    from django.utils import translation

    codes = codes or PortalCodes.load()
    version = dossier.procedure_version
    field = dossier.procedure.field
    status = event.to_status if event is not None else dossier.status
    organisation = getattr(dossier, "applicant_kind", "") == "organisation"
    with translation.override(settings.LANGUAGE_CODE):
        payload = {
            F_CODE: dossier_portal_code(dossier),
            "MaHoSoMotCua": dossier.code,
            "MaTTHC": codes.procedure(dossier.procedure.code),
            "TenTTHC": version.name,
            "MaLinhVuc": field.code,
            "TenLinhVuc": field.name,
            "KenhThucHien": CHANNEL_CODES.get(dossier.channel, ""),
            "ChuHoSo": dossier.applicant_name,
            "SoGiayToChuHoSo": dossier.applicant_id_number,
            "LoaiDoiTuong": APPLICANT_ORGANISATION if organisation else APPLICANT_CITIZEN,
            "Email": dossier.applicant_email,
            "SoDienThoai": dossier.applicant_phone,
            "TrichYeuHoSo": f"{version.name}: {dossier.applicant_name}"[:500],
            "NgayNopHoSo": portal_datetime(dossier.received_at),
            "NgayTiepNhan": portal_datetime(dossier.received_at),
            "NgayTiepNhanCoQuanThamQuyen": portal_datetime(dossier.competent_received_at),
            "NgayHenTra": portal_datetime(dossier.due_at),
            "TrangThaiHoSo": codes.status(status),
            "NgayTra": portal_datetime(dossier.finished_at) if status == "returned" else "",
            "ThongTinTra": dossier.tracking_number or dossier.returned_to,
            "HinhThuc": CHANNEL_CODES.get(dossier.channel, ""),
            "NgayKetThucXuLy": portal_datetime(dossier.result_ready_at or dossier.resolved_at),
            "NgayTuChoi": portal_datetime(dossier.finished_at) if status == "refused" else "",
            "DonViXuLy": dossier.competent_agency.name,
            "MaDonViXuLy": dossier.competent_agency.code,
            "TaiLieuNop": [
                {
                    "TepDinhKemId": "",
                    "TenTepDinhKem": document.name,
                    "IsDeleted": "0",
                    "MaThanhPhanHoSo": str(document.required_document_id or ""),
                    "DuongDanTaiTepTin": "",
                    "SoBanChinh": document.original_count,
                    "SoBanSao": document.copy_count,
                }
                for document in dossier.documents.all()
            ],
            "DanhSachLePhi": [
                {
                    "TenPhiLePhi": dossier.fee,
                    "MaPhiLePhi": "",
                    "HinhThucThu": "",
                    "Gia": _fee_amount(dossier.fee),
                    "LoaiPhiLePhi": "",
                }
            ]
            if dossier.fee
            else [],
            "DanhSachHoSoBoSung": _supplements(dossier),
            "DanhSachGiayToKetQua": [
                {
                    "TenGiayTo": version.result,
                    "MaThanhPhanHoSo": "",
                    "GiayToId": "",
                    "DuongDanTepTinKetQua": "",
                }
            ]
            if version.result and status in ("result_ready", "returned")
            else [],
        }
    return _event_number(payload, event)


def build_progress(dossier, event, *, codes: PortalCodes | None = None) -> dict:
    """The CapNhatTienDoHoSoMC object of one event (one step of progress)."""
    from django.utils import translation

    codes = codes or PortalCodes.load()
    earlier = [e.at for e in dossier.events.all() if (e.at, e.pk) < (event.at, event.pk)]
    previous = max(earlier) if earlier else None
    name, title, office = _person(event.actor)
    with translation.override(settings.LANGUAGE_CODE):
        content = str(event.get_action_display())
        payload = {
            F_CODE: dossier_portal_code(dossier),
            "NguoiXuLy": name,
            "ChucDanh": title,
            "ThoiDiemXuLy": portal_datetime(event.at),
            "PhongBanXuLy": office,
            "NoiDungXuLy": f"{content}: {event.note}" if event.note else content,
            "TrangThai": codes.status(event.to_status),
            "NgayBatDau": portal_datetime(previous or event.at),
            "NgayKetThucTheoQuyDinh": portal_datetime(dossier.due_at),
        }
    return _event_number(payload, event)


def decision_of(event) -> str | None:
    """The decision an event takes on an online dossier waiting for acceptance, if any."""
    if event.from_status != "awaiting_acceptance":
        return None
    return {"accept": "accept", "request_supplement": "request_supplement", "refuse": "refuse"}.get(event.action)


def build_online_decision(dossier, event, *, codes: PortalCodes | None = None) -> dict:
    """Accept, ask for corrections (Mẫu 02) or refuse (Mẫu 03) an online dossier: goes back to the
    portal under the portal's code, with our code, the receipt and the appointment."""
    codes = codes or PortalCodes.load()
    decision = decision_of(event) or event.action
    name, title, office = _person(event.actor)
    payload = {
        F_CODE: dossier_portal_code(dossier),
        "MaHoSoMotCua": dossier.code,
        "QuyetDinh": DECISION_CODES.get(decision, ""),
        "TrangThaiHoSo": codes.status(event.to_status),
        "LyDo": event.note,
        "NoiDungYeuCauBoSung": event.data.get("missing", "") if isinstance(event.data, dict) else "",
        "NgayTiepNhan": portal_datetime(dossier.received_at) if decision == "accept" else "",
        "NgayHenTra": portal_datetime(dossier.due_at) if decision == "accept" else "",
        "NguoiXuLy": name,
        "ChucDanh": title,
        "ThoiDiemXuLy": portal_datetime(event.at),
    }
    if not isinstance(payload["NoiDungYeuCauBoSung"], str):
        payload["NoiDungYeuCauBoSung"] = "; ".join(map(str, payload["NoiDungYeuCauBoSung"]))
    return _event_number(payload, event)
