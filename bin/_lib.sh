# Shared by bin/start and bin/test: find Python 3.11, make .venv, install the pinned requirements.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

setup_venv() {  # $1: requirements file
  local requirements="$1" py
  if [ ! -x .venv/bin/python ]; then
    py="$(find_python)" || die "Python 3.11 is required (set PYTHON=/path/to/python3.11)."
    say "Creating .venv with $py"
    "$py" -m venv .venv || die "could not create a virtualenv (on Debian: apt-get install python3-venv)"
  fi
  local stamp=".venv/.installed-$(basename "$requirements")"
  if [ ! -f "$stamp" ] || [ "$requirements" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    say "Installing $requirements"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$requirements"
    touch "$stamp"
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
}

pg_up() { python - <<'PY' 2>/dev/null
import psycopg, sys
try:
    psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

redis_up() { python - <<'PY' 2>/dev/null
import redis, sys
try:
    redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=3).ping()
except Exception:
    sys.exit(1)
PY
}

start_services() {  # Start the machine's PostgreSQL and Redis when they are down.
  if ! pg_up; then
    say "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  if ! redis_up; then
    say "Starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  fi
}

pg_ensure_db() {  # $1: database name; created when missing (the test database is made by pytest-django)
  python - "$1" <<'PY'
import sys, psycopg
name = sys.argv[1]
with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
PY
}

test_services() {  # The database and broker of a test run (bin/test, bin/test-at); see bin/test's header.
  if [ "${CI:-}" = "true" ]; then
    start_services
    pg_up || die "PostgreSQL is not reachable at 127.0.0.1:5432"
    redis_up || die "Redis is not reachable at 127.0.0.1:6379"
  fi
  if [ -z "${DATABASE_URL:-}" ] && pg_up; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/onboarding_portal"
    pg_ensure_db onboarding_portal
  fi
  if [ -z "${CELERY_BROKER_URL:-}" ] && [ -z "${REDIS_URL:-}" ] && redis_up; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
  fi
  export VAR_DIR="${VAR_DIR:-$ROOT/var/test}"
}

# supervise NAME COMMAND...: run COMMAND, its output appended to $SUPERVISE_LOG_DIR/NAME.log (var/log), and start
# it again whenever it exits, after a back-off: 1 s, doubling up to 30 s, back to 1 s once a run lasted a minute.
# Each restart is announced on the terminal and written to the command's log. Run it in the background
# (supervise NAME ... &); TERM (or INT) to the supervisor passes TERM on to the command (a Celery worker then
# finishes its running task), waits for it to end and returns without restarting it.
# Why: a Celery worker can exit when Redis restarts (deploy/README.md), and the rest of the stack must go on.
supervise() {
  local name="$1"; shift
  local log_dir="${SUPERVISE_LOG_DIR:-var/log}"
  local first_delay="${SUPERVISE_BACKOFF_START:-1}" max_delay="${SUPERVISE_BACKOFF_MAX:-30}"
  local steady="${SUPERVISE_STEADY_SECONDS:-60}"
  local log="$log_dir/$name.log" delay child="" stopping="" status started ran message
  delay="$first_delay"
  mkdir -p "$log_dir"
  trap 'stopping=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null' TERM INT
  while [ -z "$stopping" ]; do
    started=$SECONDS
    "$@" >>"$log" 2>&1 &
    child=$!
    wait "$child" && status=0 || status=$?
    # A signal for the supervisor interrupts wait before the command has ended: wait for the command itself.
    while [ -n "$stopping" ] && kill -0 "$child" 2>/dev/null; do wait "$child" || true; done
    child=""
    [ -z "$stopping" ] || break
    ran=$((SECONDS - started))
    [ "$ran" -lt "$steady" ] || delay="$first_delay"
    message="$name exited (status $status) after ${ran}s; restarting it in ${delay}s (log: $log)"
    printf '%s supervise: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$message" >>"$log"
    say "$message"
    sleep "$delay" &
    child=$!
    wait "$child" || true
    [ -z "$stopping" ] || wait "$child" 2>/dev/null || true  # interrupted: reap the sleep the trap ended
    child=""
    delay=$((delay * 2 > max_delay ? max_delay : delay * 2))
  done
  trap - TERM INT
}
