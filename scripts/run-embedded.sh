#!/usr/bin/env bash
# The embedded run: Django's server plus a real Celery worker with beat, over a file-system broker
# (no Redis or PostgreSQL needed). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
mkdir -p var/log
# QR codes, SMS and e-mails must point at this server.
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
# The stand-in national portal (interop/standin.py): the demo's dossiers flow to it, over real HTTP.
PORTAL_PORT="${PORTAL_PORT:-8765}"
export PORTAL_ENABLED="${PORTAL_ENABLED:-1}"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:$PORTAL_PORT/api}"
export PORTAL_TOKEN_URL="${PORTAL_TOKEN_URL:-http://127.0.0.1:$PORTAL_PORT/token}"
export PORTAL_ONLINE_PULL_EVERY_SECONDS="${PORTAL_ONLINE_PULL_EVERY_SECONDS:-60}"
"$PY" -m interop.standin --port "$PORTAL_PORT" --data-dir var/portal-standin --quiet >var/log/portal-standin.log 2>&1 &
PORTAL_PID=$!
# Two citizens file online on the (stand-in) portal: the pull job brings them to the clerk's
# "to accept" list within a few minutes.
"$PY" - "$PORTAL_PORT" <<'PY' >>var/log/portal-standin.log 2>&1 || true
import json, sys, time, urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo
port = sys.argv[1]
now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y%m%d%H%M%S")
dossiers = [
    {"MaHoSo": f"G22.31-{now}-01", "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh", "MaDonVi": "H31.101",
     "ChuHoSo": "Đỗ Thị Mai", "SoGiayToChuHoSo": "031190004512", "LoaiDoiTuong": "1", "SoDienThoai": "0904123456",
     "NgayNopHoSo": now, "TaiLieuNop": [{"TenTepDinhKem": "Tờ khai đăng ký khai sinh"}]},
    {"MaHoSo": f"G22.31-{now}-02", "MaTTHC": "2.000815", "TenTTHC": "Chứng thực bản sao từ bản chính", "MaDonVi": "H31.101",
     "ChuHoSo": "Phạm Văn Long", "SoGiayToChuHoSo": "031089007731", "LoaiDoiTuong": "1", "SoDienThoai": "0912765432",
     "NgayNopHoSo": now, "TaiLieuNop": [{"TenTepDinhKem": "Bản chính bằng tốt nghiệp"}]},
]
body = json.dumps({"dossiers": dossiers}).encode()
for _ in range(50):
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/_control/online-dossiers", data=body,
                                         headers={"Content-Type": "application/json"})
        print(urllib.request.urlopen(request, timeout=2).read().decode())
        break
    except OSError:
        time.sleep(0.2)
PY
"$PY" -m celery -A onestop worker -B --loglevel=INFO --concurrency=1 --pool=solo \
  --schedule=var/celerybeat-schedule >var/log/celery.log 2>&1 &
CELERY_PID=$!
trap 'kill $CELERY_PID $PORTAL_PID 2>/dev/null || true; wait $CELERY_PID $PORTAL_PID 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  Một Cửa is running at http://$HOST:$PORT/
  Public catalogue: http://$HOST:$PORT/   Staff login: http://$HOST:$PORT/accounts/login/
  Demo logins (password motcua@2026): clerk, officer, head, leader, leader_province, admin
  Celery worker + beat log: var/log/celery.log        Stop: Ctrl-C
  Stand-in national portal: http://127.0.0.1:$PORTAL_PORT/_control/received (what it has received)
  The queue to the portal (admin): http://$HOST:$PORT/lien-thong/

MSG
"$PY" manage.py runserver "$HOST:$PORT"
