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
"$PY" -m interop.standin --port "$PORTAL_PORT" --data-dir var/portal-standin --quiet >var/log/portal-standin.log 2>&1 &
PORTAL_PID=$!
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
