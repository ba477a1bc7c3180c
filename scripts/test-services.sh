#!/usr/bin/env bash
# Start (or stop) the servers the full test suite needs: a private PostgreSQL cluster and a Redis
# server on loopback, with their data under $TEST_SERVICES_DIR (default /tmp/motcua-test-services).
# Installs them from Debian packages when missing (as root), together with Chromium for the browser
# tests, waiting for the package manager when another install holds its lock.
#
#   scripts/test-services.sh start          # prints the environment to export (eval "$(... start)")
#   scripts/test-services.sh stop           # stops everything start or the tests started, removes the folder
#   scripts/test-services.sh check-stopped  # fails, listing them, if any of those processes is still running
#   scripts/test-services.sh redis-start    # (re)starts the run's Redis only (the fault tests)
#   scripts/test-services.sh redis-stop     # stops the run's Redis only (the fault tests)
#
# PostgreSQL runs with fsync, synchronous_commit and full_page_writes off: fast for the tests, and
# nothing there must survive a power cut. TEST_PG_DURABLE=1 starts it as production runs it instead
# (those three on, the Debian defaults otherwise): the benchmark (bench/run.py) measures on that.
# The choice is made when the cluster starts; stop it first to switch.
#
# What is "ours": the PostgreSQL of $STATE/pg, the redis-server listening on $REDIS_PORT (its pid is
# in $STATE/redis.pid; every start, the fault tests' restarts included, goes through redis_start),
# and the Celery workers and Django servers the tests started (tests/conftest.py puts
# MOTCUA_TEST_RUN=$STATE:<pytest pid> in their environment). Servers on other ports or data folders,
# and processes started outside pytest, are never touched.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${TEST_SERVICES_DIR:-/tmp/motcua-test-services}"
PG_PORT="${TEST_PG_PORT:-54329}"
REDIS_PORT="${TEST_REDIS_PORT:-63799}"
# Written by start: stop removes $STATE only when it finds this file (never a folder it did not make).
MARKER=".motcua-test-services"
APT_LOCK_TIMEOUT="${APT_LOCK_TIMEOUT:-600}"
PG_DURABLE="${TEST_PG_DURABLE:-0}"

log() { echo "[test-services] $*" >&2; }

# apt-get that waits for the package manager's locks instead of failing when another install runs.
# DPkg::Lock::Timeout covers dpkg's locks (install); `apt-get update` does not wait for the lists
# lock, so a lock error is retried until the same deadline.
apt_get() {
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT)) out rc
  while :; do
    out="$(mktemp)"
    rc=0
    apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" "$@" 2> >(tee "$out" >&2) || rc=$?
    wait # the tee above
    if [ "$rc" = 0 ]; then rm -f "$out"; return 0; fi
    if ! grep -qE 'Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock' "$out" ||
      [ "$SECONDS" -ge "$deadline" ]; then
      rm -f "$out"
      return "$rc"
    fi
    rm -f "$out"
    log "another package manager holds the lock; waiting"
    sleep 5
  done
}

install_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  # WeasyPrint (result PDFs) needs Pango; the signing tests use SoftHSM2 and pdftotext when present.
  ldconfig -p | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  command -v softhsm2-util >/dev/null || missing+=(softhsm2)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      log "missing packages: ${missing[*]} (run as root or install them: apt-get install ${missing[*]})"
      exit 1
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_get update -qq >&2
    apt_get install -y -qq "${missing[@]}" >&2
  fi
}

# The durability options of the cluster: off for the tests (fast), on with TEST_PG_DURABLE=1.
pg_durability() {
  case "$PG_DURABLE" in
    1 | true | yes | on) echo "-c fsync=on -c synchronous_commit=on -c full_page_writes=on" ;;
    *) echo "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" ;;
  esac
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

redis_ping() { redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; }

# The one command line of the run's Redis: the first start and every restart write the same pid file.
redis_start() {
  mkdir -p "$STATE"
  if ! redis_ping; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
      --dir "$STATE" --logfile "$STATE/redis.log" --pidfile "$STATE/redis.pid" >/dev/null
    for _ in $(seq 100); do redis_ping && return 0; sleep 0.1; done
    log "Redis did not start on $REDIS_PORT (see $STATE/redis.log)"
    return 1
  fi
}

# Pids of the redis-server processes listening on our port (the process title is "redis-server ADDR:PORT").
redis_pids() {
  local pid
  for pid in $(pgrep -x redis-server 2>/dev/null || true); do
    tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qE "^redis-server [^ ]*:$REDIS_PORT( |$)" && echo "$pid"
  done
  return 0
}

# Ours only: among the redis-servers on our port, the pid file's and any whose folder is $STATE
# (Redis overwrites its environment with its process title: the run's mark cannot be read there).
redis_stop() {
  local pids=() pid own=""
  if [ -f "$STATE/redis.pid" ]; then own="$(cat "$STATE/redis.pid")"; fi
  for pid in $(redis_pids); do
    if [ "$pid" = "$own" ] || [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$STATE" ]; then
      pids+=("$pid")
      kill -TERM "$pid" 2>/dev/null || true # redis shuts down cleanly on SIGTERM (nothing to save)
    fi
  done
  for pid in "${pids[@]}"; do wait_gone "$pid"; done
  rm -f "$STATE/redis.pid"
}

# True if the process was started by a pytest session on this run's services (tests/conftest.py).
started_by_this_run() {
  local line
  while IFS= read -r -d '' line; do
    [[ "$line" == "MOTCUA_TEST_RUN=$STATE:"* ]] && return 0
  done 2>/dev/null <"/proc/$1/environ"
  return 1
}

# Celery workers and Django servers (runserver, live servers) the tests of this run started.
app_pids() {
  local pid args
  for pid in $(pgrep -f 'celery|manage.py|runserver' 2>/dev/null || true); do
    [ "$pid" = "$$" ] && continue
    args="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" || continue
    case "$args" in
      *celery*onestop* | *manage.py*) started_by_this_run "$pid" && echo "$pid" ;;
    esac
  done
  return 0
}

wait_gone() { # a zombie counts as gone (its parent, often init here, reaps it)
  local pid="$1"
  for _ in $(seq 100); do
    case "$(ps -o stat= -p "$pid" 2>/dev/null)" in "" | Z*) return 0 ;; esac
    sleep 0.1
  done
  log "pid $pid ignored SIGTERM for 10 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# postgres processes of our data folder (the postmaster and its backends run in $STATE/pg).
pg_pids() {
  local pid
  for pid in $(pgrep -x postgres 2>/dev/null || true); do
    [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$STATE/pg" ] && echo "$pid"
  done
  return 0
}

start() {
  install_packages
  mkdir -p "$STATE"
  touch "$STATE/$MARKER"
  local bin; bin="$(pg_bin)"
  if [ "$(id -u)" = 0 ]; then chown postgres "$STATE"; fi
  if [ ! -f "$STATE/pg/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$STATE/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$STATE/pg" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$STATE/pg" -l "$STATE/pg.log" -w \
      -o "-p $PG_PORT -k $STATE -c listen_addresses=127.0.0.1 $(pg_durability) -c max_connections=200" \
      start >/dev/null
  fi
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname='motcua'" | grep -q 1 ||
    as_postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc \
      "CREATE ROLE motcua LOGIN SUPERUSER PASSWORD 'motcua'"
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='motcua'" | grep -q 1 ||
    as_postgres "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres -O motcua motcua
  redis_start
  log "PostgreSQL on 127.0.0.1:$PG_PORT ($(as_postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
     WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")), Redis on 127.0.0.1:$REDIS_PORT, files in $STATE"
  echo "export DATABASE_URL=postgres://motcua:motcua@127.0.0.1:$PG_PORT/motcua"
  echo "export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "export TEST_REDIS_PORT=$REDIS_PORT"
  echo "export TEST_PG_PORT=$PG_PORT"
  echo "export TEST_SERVICES_DIR=$STATE"
  echo "export TEST_PG_DURABLE=$PG_DURABLE"
}

stop() {
  local pid bin
  # First what the tests left (they should have stopped it: tests/conftest.py reports it), then the servers.
  for pid in $(app_pids); do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $(app_pids); do wait_gone "$pid"; done
  bin="$(pg_bin 2>/dev/null || true)"
  if [ -n "$bin" ] && [ -f "$STATE/pg/PG_VERSION" ]; then
    as_postgres "$bin/pg_ctl" -D "$STATE/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  for pid in $(pg_pids); do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $(pg_pids); do wait_gone "$pid"; done
  redis_stop
  if [ -f "$STATE/$MARKER" ] && [ -z "$(leftovers)" ]; then
    rm -rf "$STATE"
  fi
}

# Every process of ours still running, one "pid command line" a line.
leftovers() {
  local pid
  for pid in $( (redis_pids; pg_pids; app_pids) | sort -un); do
    echo "$pid $(tr -s '\0 ' ' ' 2>/dev/null <"/proc/$pid/cmdline" | sed 's/ *$//')"
  done
}

check_stopped() {
  local left; left="$(leftovers)"
  if [ -n "$left" ]; then
    log "still running after the test run (Redis on $REDIS_PORT, PostgreSQL of $STATE/pg, Celery/Django of this run):"
    echo "$left" | sed 's/^/[test-services]   /' >&2
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  check-stopped) check_stopped ;;
  redis-start) redis_start ;;
  redis-stop) redis_stop ;;
  *) echo "usage: $0 start|stop|check-stopped|redis-start|redis-stop" >&2; exit 2 ;;
esac
