"""A stand-in national portal for development, demos and tests: a small real HTTP server.

Run it::

    python -m interop.standin --port 8765 --data-dir var/portal-standin
    python manage.py portal_standin --port 8765            # the same

then point the desk at it (these are the defaults)::

    PORTAL_ENABLED=1 PORTAL_BASE_URL=http://127.0.0.1:8765/api PORTAL_TOKEN_URL=http://127.0.0.1:8765/token

It speaks the protocol of interop/portal.py (the names come from there) and needs only the standard
library. What it stores lives in ``<data-dir>/standin.sqlite3`` (in memory without a data dir).

Endpoints
---------
``POST /token``
    Form or JSON credentials (``client_id``/``client_secret``, or ``username``/``password``) →
    ``{"access_token", "token_type": "Bearer", "expires_in"}``. Wrong credentials → 401.
``POST /api``
    ``{"service": NAME, ...}`` with ``Authorization: Bearer <token>`` (401 without a valid one) →
    ``{"error_code": 0, "message": "Thành công", "result": [...]}``. Services:

    - ``DongBoHoSoMC`` / ``CapNhatTienDoHoSoMC`` (``data``: list): stored once per (service,
      MaHoSo, MaSuKien); a repeat is counted as a duplicate and answered ``"duplicate"``, never
      stored twice. A missing required field → ``error_code`` -1 with the field's name.
    - ``LayDanhSachTTHC`` (optional ``MaLinhVuc``), ``LayThuTuc`` (``MaTTHC``),
      ``LayDanhMucLinhVuc``, ``LayDanhMucCoQuan``: from procedures/seed/commune_procedures.json (or
      what ``/_control/catalogue`` loaded). A procedure: ``MATTHC, TENTTHC, CAPTHUCHIEN,
      LINHVUCTHUCHIEN[{MALINHVUC, TENLINHVUC}], THOIHANGIAIQUYET, PHILEPHI, KETQUATHUCHIEN,
      CANCUPHAPLY, THANHPHANHOSO[{TENGIAYTO, SOBANCHINH, SOBANSAO, BATBUOC}]``. An agency:
      ``MADONVI, TENDONVI, CAPDONVI, MADONVICHA``.
    - ``TraCuuHoSo`` (``MaHoSo``): the last state received, with ``TienDoXuLy`` (the steps).
    - ``LayDanhSachHoSoTrucTuyen`` (optional ``TuNgay``, ``DenNgay`` as yyyyMMddHHmmss,
      ``MaDonVi``): the online dossiers seeded through ``/_control/online-dossiers``.
    - ``CapNhatTrangThaiHoSoTrucTuyen`` (``data``: [{MaHoSo, QuyetDinh, ...}]): a decision on an
      online dossier, recorded once per (MaHoSo, MaSuKien); unknown MaHoSo → ``error_code`` -1.
``POST /_hooks/<name>``
    A webhook receiver for tests and demos: records the headers and the body.

Control API (tests and demos; no token)
---------------------------------------
- ``POST /_control/fail`` ``{"mode": "error_code"|"html"|"timeout"|"outage"|"none", "error_code":
  N, "message": "...", "count": K (default: until told otherwise), "delay": seconds (timeout),
  "scope": "portal" (token and /api, default) | "hooks" (/_hooks/: error_code and html answer HTTP
  500)}``. ``timeout`` handles the request and
  answers late (so a retry shows as a duplicate); ``outage`` drops the connection unanswered.
- ``GET /_control/received[?service=&MaHoSo=]`` → ``{"count", "duplicates", "items": [{"seq",
  "service", "MaHoSo", "event_number", "times", "payload"}]}`` in arrival order.
- ``POST /_control/online-dossiers`` ``{"dossiers": [{...}]}`` (MaHoSo and NgayNopHoSo filled in
  when missing) → ``{"created": [codes]}``; ``GET /_control/decisions``; ``GET /_control/hooks``;
  ``GET /_control/stats``; ``POST /_control/tokens`` ``{"expire": true, "ttl": seconds}``;
  ``POST /_control/catalogue`` ``{"procedures": [...], "fields": [...], "agencies": [...]}``
  (portal-shaped); ``POST /_control/reset``.

In Python (tests): ``StandinPortal(data_dir=...).start()`` gives ``.url``, ``.api_url``,
``.token_url`` and ``.control(action, **body)``; ``.stop()`` ends it. The pytest fixture
``portal_standin`` (interop/testing.py) starts one and points the settings at it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sqlite3
import threading
import time
import urllib.parse
import urllib.request
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from .portal import (
    CATALOGUE,
    DEFAULTS,
    GET_PROCEDURE,
    LIST_AGENCIES,
    LIST_FIELDS,
    LIST_ONLINE_DOSSIERS,
    LIST_PROCEDURES,
    LOOKUP_DOSSIER,
    ONLINE,
    ONLINE_DECISION,
    SYNC_DOSSIER,
    UPDATE_PROGRESS,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SEED = Path(__file__).resolve().parent.parent / "procedures" / "seed" / "commune_procedures.json"
REQUIRED = {
    SYNC_DOSSIER: ("MaHoSo", "MaTTHC", "TenTTHC", "ChuHoSo", "NgayTiepNhan", "TrangThaiHoSo"),
    UPDATE_PROGRESS: ("MaHoSo", "ThoiDiemXuLy", "TrangThai"),
    ONLINE_DECISION: ("MaHoSo", "QuyetDinh"),
}
EVENT_FIELD = DEFAULTS["PORTAL_EVENT_NUMBER_FIELD"]
LEVELS = {"commune": "Cấp Xã", "province": "Cấp Tỉnh", "central": "Cấp Bộ"}
# The demo province of agencies/demo.py (codes are demo values).
DEFAULT_AGENCIES = [
    ("H31", "Ủy ban nhân dân thành phố Hải Phòng", "Cấp Tỉnh", ""),
    ("H31.101", "Ủy ban nhân dân xã Vĩnh Bảo", "Cấp Xã", "H31"),
    ("H31.101.01", "Trung tâm Phục vụ hành chính công xã Vĩnh Bảo", "Cấp Xã", "H31.101"),
    ("H31.102", "Ủy ban nhân dân xã Nguyễn Bỉnh Khiêm", "Cấp Xã", "H31"),
    ("H31.102.01", "Trung tâm Phục vụ hành chính công xã Nguyễn Bỉnh Khiêm", "Cấp Xã", "H31.102"),
]
MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html><head><title>Bảo trì</title></head><body><h1>Hệ thống đang bảo trì</h1>"
    "<p>Cổng Dịch vụ công quốc gia đang nâng cấp, vui lòng quay lại sau.</p></body></html>"
)


def _now_text():
    return datetime.now(VN).strftime("%Y%m%d%H%M%S")


def seed_catalogue(path: Path = SEED) -> dict:
    """The seed file in the portal's shapes: procedures, fields, agencies."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = {f["code"]: f["name"] for f in data["fields"]}
    c = CATALOGUE
    procedures = [
        {
            c["procedure_code"]: p["code"],
            c["procedure_name"]: p["name"],
            c["level"]: LEVELS.get(p.get("level"), p.get("level", "")),
            c["fields"]: [{c["field_code"]: p["field"], c["field_name"]: fields.get(p["field"], "")}],
            c["time_text"]: p.get("processing_time_text", ""),
            c["fee_text"]: p.get("fee", ""),
            c["result"]: p.get("result", ""),
            c["legal_basis"]: p.get("legal_basis", ""),
            c["documents"]: [
                {
                    c["document_name"]: d["name"],
                    c["document_originals"]: d.get("original_count", 1),
                    c["document_copies"]: d.get("copy_count", 0),
                    c["document_mandatory"]: bool(d.get("mandatory", True)),
                }
                for d in p.get("documents", [])
            ],
        }
        for p in data["procedures"]
    ]
    return {
        "procedures": procedures,
        "fields": [{c["field_code"]: code, c["field_name"]: name} for code, name in fields.items()],
        "agencies": [
            {c["agency_code"]: code, c["agency_name"]: name, c["agency_level"]: level, c["agency_parent"]: parent}
            for code, name, level, parent in DEFAULT_AGENCIES
        ],
    }


class PortalFailure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class StandinState:
    """Everything the stand-in knows, behind one lock."""

    def __init__(self, *, data_dir=None, client_id, client_secret, username="", password="", seed=SEED):
        self.lock = threading.RLock()
        self.client_id, self.client_secret = client_id, client_secret
        self.username, self.password = username, password
        self.seed = seed
        if data_dir:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            path = str(Path(data_dir) / "standin.sqlite3")
        else:
            path = ":memory:"
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL" if data_dir else "PRAGMA journal_mode=MEMORY")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS received (seq INTEGER PRIMARY KEY AUTOINCREMENT, service TEXT,
                ma_ho_so TEXT, event_number TEXT, payload TEXT, first_at TEXT, times INTEGER DEFAULT 1,
                UNIQUE (service, ma_ho_so, event_number));
            CREATE TABLE IF NOT EXISTS dossiers (ma_ho_so TEXT PRIMARY KEY, payload TEXT, updated_at TEXT);
            CREATE TABLE IF NOT EXISTS online (ma_ho_so TEXT PRIMARY KEY, payload TEXT, filed_at TEXT,
                agency TEXT, decision TEXT DEFAULT '');
            CREATE TABLE IF NOT EXISTS hooks (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT,
                headers TEXT, body TEXT, at TEXT);
            """
        )
        self.reset(keep_data=True)

    def reset(self, *, keep_data=False):
        with self.lock:
            if not keep_data:
                for table in ("received", "dossiers", "online", "hooks"):
                    self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            self.fail = {"portal": None, "hooks": None}
            self.tokens: dict[str, float] = {}
            self.token_ttl = 3600.0
            self.stats = {"tokens_issued": 0, "calls": 0, "failed_on_purpose": 0, "duplicates": 0, "unauthorised": 0}
            self.catalogue = seed_catalogue(self.seed)

    # -- failures on demand --
    def set_fail(self, body: dict):
        mode = body.get("mode", "none")
        if mode not in ("none", "error_code", "html", "timeout", "outage"):
            raise PortalFailure(-1, f"unknown mode {mode!r}")
        scope = body.get("scope", "portal")
        with self.lock:
            self.fail[scope] = (
                None
                if mode == "none"
                else {
                    "mode": mode,
                    "error_code": int(body.get("error_code", 99)),
                    "message": body.get("message") or "Lỗi hệ thống giả lập (stand-in)",
                    "count": body.get("count"),
                    "delay": float(body.get("delay", 5)),
                }
            )
            return {"scope": scope, "fail": self.fail[scope]}

    def take_failure(self, scope: str):
        """The failure to apply to this request, if any (counting it down)."""
        with self.lock:
            fail = self.fail.get(scope)
            if fail is None:
                return None
            if fail["count"] is not None:
                if fail["count"] <= 0:
                    self.fail[scope] = None
                    return None
                fail["count"] -= 1
            self.stats["failed_on_purpose"] += 1
            return dict(fail)

    # -- tokens --
    def issue_token(self, form: dict) -> dict | None:
        ok = (form.get("client_id") == self.client_id and form.get("client_secret") == self.client_secret) or (
            self.username and form.get("username") == self.username and form.get("password") == self.password
        )
        if not ok:
            return None
        token = uuid.uuid4().hex
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
            self.stats["tokens_issued"] += 1
            return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}

    def token_valid(self, header: str) -> bool:
        token = header.removeprefix("Bearer ").strip()
        with self.lock:
            expires = self.tokens.get(token)
            return expires is not None and expires > time.monotonic()

    # -- services --
    def store(self, service: str, items) -> list[dict]:
        if not isinstance(items, list):
            raise PortalFailure(-1, "Trường data phải là một danh sách")
        for item in items:
            missing = [name for name in REQUIRED[service] if not str((item or {}).get(name) or "").strip()]
            if missing:
                raise PortalFailure(-1, f"Thiếu thông tin bắt buộc: {', '.join(missing)}")
        results = []
        with self.lock:
            self.db.execute("BEGIN")
            try:
                for item in items:
                    code = str(item["MaHoSo"])
                    number = item.get(EVENT_FIELD)
                    number = str(number) if number not in (None, "") else f"-{uuid.uuid4().hex}"
                    if service == ONLINE_DECISION:
                        exists = self.db.execute("SELECT 1 FROM online WHERE ma_ho_so = ?", (code,)).fetchone()
                        if not exists:
                            raise PortalFailure(-1, f"Không tìm thấy hồ sơ trực tuyến {code}")
                    cursor = self.db.execute(
                        "INSERT OR IGNORE INTO received (service, ma_ho_so, event_number, payload, first_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (service, code, number, json.dumps(item, ensure_ascii=False), _now_text()),
                    )
                    if cursor.rowcount == 0:
                        self.db.execute(
                            "UPDATE received SET times = times + 1"
                            " WHERE service = ? AND ma_ho_so = ? AND event_number = ?",
                            (service, code, number),
                        )
                        self.stats["duplicates"] += 1
                        results.append({"MaHoSo": code, EVENT_FIELD: item.get(EVENT_FIELD), "status": "duplicate"})
                        continue
                    if service == SYNC_DOSSIER:
                        self.db.execute(
                            "INSERT OR REPLACE INTO dossiers (ma_ho_so, payload, updated_at) VALUES (?, ?, ?)",
                            (code, json.dumps(item, ensure_ascii=False), _now_text()),
                        )
                    elif service == ONLINE_DECISION:
                        self.db.execute(
                            "UPDATE online SET decision = ? WHERE ma_ho_so = ?",
                            (json.dumps(item, ensure_ascii=False), code),
                        )
                    results.append({"MaHoSo": code, EVENT_FIELD: item.get(EVENT_FIELD), "status": "ok"})
                self.db.execute("COMMIT")
            except Exception:
                self.db.execute("ROLLBACK")
                raise
        return results

    def lookup(self, code: str) -> list[dict]:
        with self.lock:
            row = self.db.execute("SELECT payload FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone()
            steps = self.db.execute(
                "SELECT payload FROM received WHERE service = ? AND ma_ho_so = ? ORDER BY seq", (UPDATE_PROGRESS, code)
            ).fetchall()
        if row is None:
            raise PortalFailure(-1, f"Không tìm thấy hồ sơ {code}")
        return [{**json.loads(row[0]), "TienDoXuLy": [json.loads(s[0]) for s in steps]}]

    def online_dossiers(self, params: dict) -> list[dict]:
        query, args = "SELECT payload, decision FROM online WHERE 1 = 1", []
        if params.get(ONLINE["from"]):
            query += " AND filed_at >= ?"
            args.append(str(params[ONLINE["from"]]))
        if params.get(ONLINE["to"]):
            query += " AND filed_at <= ?"
            args.append(str(params[ONLINE["to"]]))
        if params.get(ONLINE["agency_code"]):
            query += " AND agency = ?"
            args.append(str(params[ONLINE["agency_code"]]))
        with self.lock:
            rows = self.db.execute(query + " ORDER BY filed_at, ma_ho_so", args).fetchall()
        items = []
        for payload, decision in rows:
            item = json.loads(payload)
            item["TrangThaiHoSo"] = json.loads(decision).get("TrangThaiHoSo", "2") if decision else "1"
            items.append(item)
        return items

    def add_online(self, dossiers) -> list[str]:
        created = []
        with self.lock:
            for index, item in enumerate(dossiers if isinstance(dossiers, list) else [dossiers]):
                item = dict(item)
                item.setdefault(ONLINE["code"], f"G22.99-{_now_text()[:8]}-{uuid.uuid4().hex[:6].upper()}-{index}")
                item.setdefault(ONLINE["filed_at"], _now_text())
                item.setdefault(ONLINE["documents"], [])
                self.db.execute(
                    "INSERT OR REPLACE INTO online (ma_ho_so, payload, filed_at, agency) VALUES (?, ?, ?, ?)",
                    (
                        item[ONLINE["code"]],
                        json.dumps(item, ensure_ascii=False),
                        item[ONLINE["filed_at"]],
                        item.get(ONLINE["agency_code"], ""),
                    ),
                )
                created.append(item[ONLINE["code"]])
        return created

    def answer(self, body: dict) -> list[dict]:
        service = body.get("service")
        c = CATALOGUE
        if service in (SYNC_DOSSIER, UPDATE_PROGRESS, ONLINE_DECISION):
            return self.store(service, body.get("data"))
        if service == LIST_PROCEDURES:
            field = body.get("MaLinhVuc")
            return [
                p
                for p in self.catalogue["procedures"]
                if not field or any(f[c["field_code"]] == field for f in p[c["fields"]])
            ]
        if service == GET_PROCEDURE:
            code = body.get("MaTTHC") or body.get(c["procedure_code"])
            found = [p for p in self.catalogue["procedures"] if p[c["procedure_code"]] == code]
            if not found:
                raise PortalFailure(-1, f"Không tìm thấy thủ tục {code}")
            return found
        if service == LIST_FIELDS:
            return list(self.catalogue["fields"])
        if service == LIST_AGENCIES:
            return list(self.catalogue["agencies"])
        if service == LOOKUP_DOSSIER:
            return self.lookup(str(body.get("MaHoSo") or ""))
        if service == LIST_ONLINE_DOSSIERS:
            return self.online_dossiers(body)
        raise PortalFailure(-1, f"Dịch vụ không được hỗ trợ: {service}")

    def received(self, params: dict) -> dict:
        query, args = "SELECT seq, service, ma_ho_so, event_number, times, payload FROM received WHERE 1 = 1", []
        if params.get("service"):
            query += " AND service = ?"
            args.append(params["service"])
        if params.get("MaHoSo"):
            query += " AND ma_ho_so = ?"
            args.append(params["MaHoSo"])
        with self.lock:
            rows = self.db.execute(query + " ORDER BY seq", args).fetchall()
        items = [
            {
                "seq": seq,
                "service": service,
                "MaHoSo": code,
                "event_number": None if number.startswith("-") else int(number) if number.isdigit() else number,
                "times": times,
                "payload": json.loads(payload),
            }
            for seq, service, code, number, times, payload in rows
        ]
        return {"count": len(items), "duplicates": sum(i["times"] - 1 for i in items), "items": items}

    def record_hook(self, name, headers, body):
        with self.lock:
            self.db.execute(
                "INSERT INTO hooks (name, headers, body, at) VALUES (?, ?, ?, ?)",
                (name, json.dumps(headers), body.decode("utf-8", "replace"), _now_text()),
            )

    def hooks(self) -> dict:
        with self.lock:
            rows = self.db.execute("SELECT seq, name, headers, body, at FROM hooks ORDER BY seq").fetchall()
        return {
            "count": len(rows),
            "items": [{"seq": s, "name": n, "headers": json.loads(h), "body": b, "at": a} for s, n, h, b, a in rows],
        }


class Handler(BaseHTTPRequestHandler):
    server_version = "PortalStandin/1"
    protocol_version = "HTTP/1.1"

    @property
    def state(self) -> StandinState:
        return self.server.state

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    # -- plumbing --
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, payload, content_type="application/json; charset=utf-8"):
        data = (
            payload
            if isinstance(payload, bytes)
            else (payload.encode() if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False).encode())
        )
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (its timeout): nothing to tell it

    def _drop(self):
        """An outage: the connection closes with no answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _fail_before(self, scope) -> dict | None:
        """Apply a failure that happens before handling; returns a 'timeout' failure to apply after."""
        fail = self.state.take_failure(scope)
        if fail is None:
            return None
        if fail["mode"] == "outage":
            self._drop()
            return {"handled": True}
        if scope == "hooks" and fail["mode"] in ("html", "error_code"):
            self._send(500, {"error": fail["message"]})  # a webhook receiver fails with an HTTP error
            return {"handled": True}
        if fail["mode"] == "html":
            self._send(200, MAINTENANCE_PAGE, "text/html; charset=utf-8")
            return {"handled": True}
        if fail["mode"] == "error_code":
            self._send(200, {"error_code": fail["error_code"], "message": fail["message"], "result": None})
            return {"handled": True}
        return fail  # timeout: handled, then answered late

    # -- routes --
    def do_GET(self):  # noqa: N802 - http.server's name
        parsed = urllib.parse.urlparse(self.path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        routes = {
            "/_control/received": lambda: self.state.received(params),
            "/_control/decisions": lambda: self.state.received({"service": ONLINE_DECISION}),
            "/_control/hooks": self.state.hooks,
            "/_control/stats": lambda: dict(self.state.stats),
            "/healthz": lambda: {"ok": True},
        }
        if parsed.path not in routes:
            self._send(404, {"error_code": 404, "message": "Không tìm thấy"})
            return
        self._send(200, routes[parsed.path]())

    def do_POST(self):  # noqa: N802
        path = urllib.parse.urlparse(self.path).path
        raw = self._body()
        if path.startswith("/_control/"):
            self._control(path.removeprefix("/_control/"), raw)
        elif path.startswith("/_hooks/"):
            if self._fail_before("hooks"):
                return
            self.state.record_hook(path.removeprefix("/_hooks/"), dict(self.headers.items()), raw)
            self._send(200, {"ok": True})
        elif path == self.server.token_path:
            self._token(raw)
        elif path == self.server.api_path:
            self._api(raw)
        else:
            self._send(404, {"error_code": 404, "message": "Không tìm thấy"})

    def _token(self, raw):
        late = self._fail_before("portal")
        if late and late.get("handled"):
            return
        if "json" in (self.headers.get("Content-Type") or ""):
            try:
                form = json.loads(raw or b"{}")
            except ValueError:
                form = {}
        else:
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
        answer = self.state.issue_token(form)
        if late:
            time.sleep(late["delay"])
        if answer is None:
            self._send(401, {"error": "invalid_client", "message": "Sai thông tin xác thực của đơn vị"})
        else:
            self._send(200, answer)

    def _api(self, raw):
        late = self._fail_before("portal")
        if late and late.get("handled"):
            return
        if not self.state.token_valid(self.headers.get("Authorization") or ""):
            with self.state.lock:
                self.state.stats["unauthorised"] += 1
            self._send(401, {"error_code": 401, "message": "Token không hợp lệ hoặc đã hết hạn"})
            return
        with self.state.lock:
            self.state.stats["calls"] += 1
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            self._send(200, {"error_code": -1, "message": "Dữ liệu gửi lên không phải JSON hợp lệ", "result": None})
            return
        try:
            answer = {"error_code": 0, "message": "Thành công", "result": self.state.answer(body)}
        except PortalFailure as exc:
            answer = {"error_code": exc.code, "message": exc.message, "result": None}
        if late:
            time.sleep(late["delay"])
        self._send(200, answer)

    def _control(self, action, raw):
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        try:
            if action == "fail":
                answer = self.state.set_fail(body)
            elif action == "reset":
                self.state.reset()
                answer = {"ok": True}
            elif action == "online-dossiers":
                answer = {"created": self.state.add_online(body.get("dossiers", body))}
            elif action == "tokens":
                with self.state.lock:
                    if body.get("expire"):
                        self.state.tokens.clear()
                    if body.get("ttl") is not None:
                        self.state.token_ttl = float(body["ttl"])
                answer = {"ok": True}
            elif action == "catalogue":
                with self.state.lock:
                    for key in ("procedures", "fields", "agencies"):
                        if key in body:
                            self.state.catalogue[key] = list(body[key])
                answer = {"ok": True}
            else:
                self._send(404, {"error": f"unknown control {action}"})
                return
        except PortalFailure as exc:
            self._send(400, {"error": exc.message})
            return
        self._send(200, answer)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class StandinPortal:
    """The stand-in portal, to start in a thread (tests) or serve in the foreground (the command)."""

    def __init__(
        self,
        *,
        host="127.0.0.1",
        port=0,
        data_dir=None,
        client_id=DEFAULTS["PORTAL_CLIENT_ID"],
        client_secret=DEFAULTS["PORTAL_CLIENT_SECRET"],
        username="",
        password="",
        api_path="/api",
        token_path="/token",
        verbose=False,
    ):
        self.state = StandinState(
            data_dir=data_dir, client_id=client_id, client_secret=client_secret, username=username, password=password
        )
        self.server = _Server((host, port), Handler)
        self.server.state = self.state
        self.server.api_path, self.server.token_path = api_path, token_path
        self.server.verbose = verbose
        self.host, self.port = self.server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.api_url = self.url + api_path
        self.token_url = self.url + token_path
        self.client_id, self.client_secret = client_id, client_secret
        self._thread = None

    def start(self) -> StandinPortal:
        self._thread = threading.Thread(target=self.server.serve_forever, name="portal-standin", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.server.serve_forever()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def control(self, action: str, **body) -> dict:
        """Talk to the control API over HTTP: GET for received/decisions/hooks/stats (body = query),
        POST for the rest: ``control("fail", mode="html", count=2)``."""
        if action in ("received", "decisions", "hooks", "stats"):
            query = urllib.parse.urlencode(body)
            request = urllib.request.Request(f"{self.url}/_control/{action}{'?' + query if query else ''}")
        else:
            request = urllib.request.Request(
                f"{self.url}/_control/{action}",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback server
            return json.loads(response.read())


def main(argv=None):
    parser = argparse.ArgumentParser(description="A stand-in national public service portal (DVCQG).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", default="var/portal-standin")
    parser.add_argument("--client-id", default=DEFAULTS["PORTAL_CLIENT_ID"])
    parser.add_argument("--client-secret", default=DEFAULTS["PORTAL_CLIENT_SECRET"])
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    portal = StandinPortal(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        client_id=args.client_id,
        client_secret=args.client_secret,
        verbose=not args.quiet,
    )
    print(f"Stand-in portal on {portal.url} (API {portal.api_url}, token {portal.token_url}); data in {args.data_dir}")
    try:
        portal.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        portal.server.server_close()


if __name__ == "__main__":
    main()
