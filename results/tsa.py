"""A stand-in RFC 3161 time-stamping authority over real HTTP, for the demo and the tests.
NOT FOR PRODUCTION: it stamps whatever it is sent with the test CA's TSA certificate.

POST / with ``application/timestamp-query`` answers ``application/timestamp-reply``; GET
/crl/<name>.crl serves the test CA's CRLs (the URLs written in its certificates).
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import tsp
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.timestamps import DummyTimeStamper

logger = logging.getLogger(__name__)
MAX_REQUEST = 64 * 1024


def load_stamper(ca_dir: Path, password: str) -> DummyTimeStamper:
    signer = SimpleSigner.load_pkcs12_data(
        (Path(ca_dir) / "tsa.p12").read_bytes(), other_certs=[], passphrase=password.encode()
    )
    chain = [c for c in signer.cert_registry if c != signer.signing_cert]
    return DummyTimeStamper(tsa_cert=signer.signing_cert, tsa_key=signer.signing_key, certs_to_embed=chain)


def make_server(host: str, port: int, *, ca_dir: Path, password: str) -> ThreadingHTTPServer:
    stamper = load_stamper(ca_dir, password)
    crl_dir = Path(ca_dir)

    class Handler(BaseHTTPRequestHandler):
        server_version = "MotCuaTestTSA/1 (NOT FOR PRODUCTION)"

        def log_message(self, fmt, *args):
            logger.info("tsa %s - %s", self.address_string(), fmt % args)

        def _send(self, status: int, body: bytes, content_type: str):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_REQUEST:
                return self._send(400, b"bad length", "text/plain")
            body = self.rfile.read(length)
            try:
                request = tsp.TimeStampReq.load(body)
                _parsed = request.native  # parse it all now: a malformed request is a 400, not a crash later
                response = stamper.request_tsa_response(request)
            except Exception as exc:  # noqa: BLE001 - any malformed request
                logger.info("tsa: bad request: %s", exc)
                return self._send(400, b"bad request", "text/plain")
            return self._send(200, response.dump(), "application/timestamp-reply")

        def do_GET(self):  # noqa: N802
            name = self.path.rsplit("/", 1)[-1]
            if self.path.startswith("/crl/") and name in ("root.crl", "intermediate.crl"):
                path = crl_dir / name
                if path.is_file():
                    return self._send(200, path.read_bytes(), "application/pkix-crl")
            return self._send(404, b"not found", "text/plain")

    return ThreadingHTTPServer((host, port), Handler)


class RunningTSA:
    """A stand-in TSA in a background thread (tests): ``with RunningTSA(ca_dir, pw) as url: ...``."""

    def __init__(self, ca_dir: Path, password: str, host: str = "127.0.0.1", port: int = 0):
        self.server = make_server(host, port, ca_dir=ca_dir, password=password)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> str:
        self.thread.start()
        return self.url

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
