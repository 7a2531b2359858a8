#!/usr/bin/env bash
# The production topology on one machine: nginx (TLS, HTTP/2) -> two gunicorn app servers -> the
# PostgreSQL primary (the machine's cluster) and a streaming replica; two task workers; Redis.
#
#   deploy/stack.sh up       start everything (idempotent: a second run keeps data, fixes what is down)
#   deploy/stack.sh down     stop everything; CLEAN=1 also removes the replica, the state and the database
#   deploy/stack.sh status   what runs, and /readyz
#
# Everything it writes lives in the state directory (PILOTS_PROD_STATE, default deploy/state/,
# gitignored), except one line in the primary's pg_hba.conf that allows replication from 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${PILOTS_PROD_STATE:-$ROOT/deploy/state}"
PORT="${PILOTS_PROD_PORT:-8443}"
APP1_PORT="${PILOTS_APP1_PORT:-8101}"
APP2_PORT="${PILOTS_APP2_PORT:-8102}"
PG_HOST=127.0.0.1
PG_PORT="${PILOTS_PG_PORT:-5432}"
REPLICA_PORT="${PILOTS_REPLICA_PORT:-5433}"
DB="${PILOTS_PROD_DB:-pilots_prod}"
REDIS_URL="${PILOTS_PROD_REDIS_URL:-redis://127.0.0.1:6379/7}"
PG_BIN="${PILOTS_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_CONF_DIR="${PILOTS_PG_CONF_DIR:-/etc/postgresql/15/main}"
REPLICA_DIR="$STATE/pg-replica"
PY="$ROOT/.venv/bin/python"
SUPERVISORCTL=("$ROOT/.venv/bin/supervisorctl" -c "$STATE/supervisord.conf")
export PILOTS_PROD_STATE="$STATE"

log() { printf '[stack] %s\n' "$*"; }
as_postgres() { runuser -u postgres -- "$@"; }
psql_primary() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -X -q -At "$@"; }

render() {  # template -> file, replacing @NAMES@
  sed -e "s|@STATE@|$STATE|g" -e "s|@ROOT@|$ROOT|g" -e "s|@PORT@|$PORT|g" \
      -e "s|@APP1_PORT@|$APP1_PORT|g" -e "s|@APP2_PORT@|$APP2_PORT|g" \
      -e "s|@STATIC_ROOT@|$ROOT/staticfiles|g" "$1" > "$2"
}

write_env() {
  [ -s "$STATE/secret_key" ] || (umask 077; "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" > "$STATE/secret_key")
  (umask 077; cat > "$STATE/env" <<EOF
# Written by deploy/stack.sh up; the app servers and workers read it through deploy/with-env.
DEBUG=false
SECRET_KEY=$(cat "$STATE/secret_key")
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$PORT,https://localhost:$PORT
PILOTS_SITE_URL=https://127.0.0.1:$PORT
DATABASE_URL=postgres://postgres@$PG_HOST:$PG_PORT/$DB
DATABASE_REPLICA_URL=postgres://postgres@$PG_HOST:$REPLICA_PORT/$DB
CONN_MAX_AGE=60
REDIS_URL=$REDIS_URL
SESSION_ENGINE=django.contrib.sessions.backends.cache
TASKS_BACKEND=pilots.tasks_backend.DatabaseBackend
PILOTS_PROXY_COUNT=1
PILOTS_WORKER_NAMES=worker-1,worker-2
PILOTS_REPLICA_CHECK_SECONDS=${PILOTS_REPLICA_CHECK_SECONDS:-2}
PILOTS_REGISTRATION_RATE=${PILOTS_REGISTRATION_RATE:-20/h}
# No mail server on this machine: emails are built and then discarded. Set EMAIL_HOST etc. for SMTP.
EMAIL_BACKEND=${PILOTS_PROD_EMAIL_BACKEND:-django.core.mail.backends.dummy.EmailBackend}
LOG_FORMAT=json
LOG_LEVEL=INFO
GUNICORN_WORKERS=${GUNICORN_WORKERS:-3}
PYTHONUNBUFFERED=1
EOF
  )
}

make_certificate() {
  [ -s "$STATE/tls/cert.pem" ] && return
  log "generating a self-signed certificate for 127.0.0.1 (valid 90 days)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" 2>/dev/null
  chmod 600 "$STATE/tls/key.pem"
}

allow_replication() {
  local hba="$PG_CONF_DIR/pg_hba.conf"
  if ! grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32' "$hba"; then
    log "allowing streaming replication from 127.0.0.1 in $hba"
    printf '# Pilots read replica (deploy/stack.sh)\nhost replication all 127.0.0.1/32 trust\n' >> "$hba"
    psql_primary -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
  fi
  local wal_level
  wal_level="$(psql_primary -c "SHOW wal_level")"
  if [ "$wal_level" = minimal ]; then
    echo "The primary runs with wal_level=minimal: set wal_level=replica and restart it." >&2
    exit 1
  fi
}

prepare_database() {
  if [ "$(psql_primary -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    log "creating database $DB"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres "$DB"
  fi
  log "migrate, collectstatic"
  "$ROOT/deploy/with-env" "$PY" "$ROOT/manage.py" migrate --noinput -v0
  "$ROOT/deploy/with-env" "$PY" "$ROOT/manage.py" collectstatic --noinput -v0
}

replica_running() { [ -f "$REPLICA_DIR/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

start_replica() {
  if [ ! -f "$REPLICA_DIR/PG_VERSION" ]; then
    log "pg_basebackup of the primary into $REPLICA_DIR"
    rm -rf "$REPLICA_DIR"
    install -d -o postgres -g postgres -m 700 "$REPLICA_DIR"
    as_postgres "$PG_BIN/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$REPLICA_DIR" \
      -R -X stream -c fast
  fi
  install -d -o postgres -g postgres -m 700 "$STATE/pg-run"
  # Debian keeps the primary's configuration in /etc, so the copy has none of its own: the
  # replica gets a small one. Hot standby needs these limits at least as high as the primary's.
  local limits
  limits="$(psql_primary -c "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings
    WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders',
                   'max_prepared_transactions', 'max_locks_per_transaction')")"
  as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
# Written by deploy/stack.sh: a hot standby of the primary on $PG_HOST:$PG_PORT.
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$STATE/pg-run'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 32MB
fsync = on
$limits
EOF
  as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<'EOF'
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres tee "$REPLICA_DIR/pg_ident.conf" >/dev/null </dev/null
  if ! replica_running; then
    log "starting the replica on port $REPLICA_PORT"
    touch "$STATE/log/pg-replica.log" && chown postgres:postgres "$STATE/log/pg-replica.log"
    as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$STATE/log/pg-replica.log" -w -t 60 start >/dev/null
  fi
  for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" && break; sleep 0.5; done
}

stop_replica() {
  if replica_running; then
    log "stopping the replica"
    as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null
  fi
}

supervisor_running() { [ -S "$STATE/supervisor.sock" ] && "${SUPERVISORCTL[@]}" pid >/dev/null 2>&1; }

start_processes() {
  render "$ROOT/deploy/supervisord.conf.template" "$STATE/supervisord.conf"
  if supervisor_running; then
    # Already running: a rolling restart picks up new code, one app server at a time, so that
    # nginx always has one to send requests to.
    log "rolling restart of app1, app2, worker1, worker2"
    "${SUPERVISORCTL[@]}" update >/dev/null
    for program in app1 app2; do
      "${SUPERVISORCTL[@]}" restart "$program" >/dev/null
      wait_healthz "$([ "$program" = app1 ] && echo "$APP1_PORT" || echo "$APP2_PORT")"
    done
    "${SUPERVISORCTL[@]}" restart worker1 worker2 >/dev/null
  else
    log "starting supervisord: app1 :$APP1_PORT, app2 :$APP2_PORT, worker1, worker2"
    "$ROOT/.venv/bin/supervisord" -c "$STATE/supervisord.conf"
  fi
  wait_healthz "$APP1_PORT"
  wait_healthz "$APP2_PORT"
}

wait_healthz() {
  for _ in $(seq 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
    sleep 0.5
  done
  log "app server on port $1 does not answer /healthz"
  return 1
}

nginx_running() { [ -f "$STATE/nginx.pid" ] && kill -0 "$(cat "$STATE/nginx.pid")" 2>/dev/null; }

start_nginx() {
  render "$ROOT/deploy/nginx.conf.template" "$STATE/nginx.conf"
  nginx -t -q -c "$STATE/nginx.conf" -e "$STATE/log/nginx-error.log"
  if nginx_running; then
    nginx -c "$STATE/nginx.conf" -e "$STATE/log/nginx-error.log" -s reload
  else
    log "starting nginx on https://127.0.0.1:$PORT/"
    nginx -c "$STATE/nginx.conf" -e "$STATE/log/nginx-error.log"
  fi
}

wait_ready() {
  local body=""
  for _ in $(seq 60); do
    body="$(curl -sS --cacert "$STATE/tls/cert.pem" "https://127.0.0.1:$PORT/readyz" 2>/dev/null || true)"
    case "$body" in *'"status": "ok"'*) log "ready: $body"; return 0 ;; esac
    sleep 1
  done
  log "not ready after 60 s: ${body:-no answer}"
  return 1
}

up() {
  command -v nginx >/dev/null 2>&1 || "$ROOT/deploy/install-debian-packages"
  make -s -C "$ROOT" install
  install -d -m 755 "$STATE" "$STATE/log" "$STATE/nginx-tmp"
  install -d -m 700 "$STATE/tls"
  write_env
  make_certificate
  allow_replication
  prepare_database
  start_replica
  start_processes
  start_nginx
  wait_ready
}

down() {
  if nginx_running; then
    log "stopping nginx"
    nginx -c "$STATE/nginx.conf" -e "$STATE/log/nginx-error.log" -s quit || true
    for _ in $(seq 20); do nginx_running || break; sleep 0.5; done
  fi
  if supervisor_running; then
    log "stopping app servers and workers"
    "${SUPERVISORCTL[@]}" shutdown >/dev/null || true
    for _ in $(seq 60); do [ -S "$STATE/supervisor.sock" ] || break; sleep 0.5; done
  fi
  stop_replica
  if [ "${CLEAN:-0}" = 1 ]; then
    log "removing $STATE and database $DB"
    rm -rf "$STATE"
    dropdb -h "$PG_HOST" -p "$PG_PORT" -U postgres --if-exists --force "$DB"
  fi
}

status() {
  supervisor_running && "${SUPERVISORCTL[@]}" status || echo "supervisord: not running"
  nginx_running && echo "nginx: running (pid $(cat "$STATE/nginx.pid"))" || echo "nginx: not running"
  replica_running && echo "replica: running on port $REPLICA_PORT" || echo "replica: not running"
  curl -sS --cacert "$STATE/tls/cert.pem" "https://127.0.0.1:$PORT/readyz" 2>/dev/null && echo || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
