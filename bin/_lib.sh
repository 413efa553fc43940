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
