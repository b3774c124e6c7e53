#!/usr/bin/env bash
# Makes sure the local services the integration tests talk to are up:
#   - PostgreSQL running and accepting connections,
#   - the pgvector extension available in that server (built from Debian's source package
#     of the next release when the running server lacks it),
#   - the test database with the vector extension created in it,
#   - Redis answering PING,
#   - Debian's Chromium at /usr/bin/chromium (the web GUI's browser tests drive it),
#   - Debian's Caddy at /usr/bin/caddy (the edge tests run the repository's Caddyfile with it;
#     the package's own service is kept from starting, so nothing takes ports 80/443).
# Each step is skipped when it is already done, so a second run takes about a second.
# Works as root on a fresh Debian machine of this kind, without questions.
#
# Run it, or source it (". scripts/services.sh") to also get the connection settings exported
# (the caller's shell options are left alone; a failure returns non-zero):
#   DM_TEST_PG_URL, DM_TEST_PG_USER, DM_TEST_PG_PASSWORD, DM_TEST_REDIS_URL

export DEBIAN_FRONTEND=noninteractive
export DM_TEST_PG_HOST=${DM_TEST_PG_HOST:-127.0.0.1}
export DM_TEST_PG_PORT=${DM_TEST_PG_PORT:-5432}
export DM_TEST_PG_DB=${DM_TEST_PG_DB:-test}
export DM_TEST_PG_USER=${DM_TEST_PG_USER:-postgres}
export DM_TEST_PG_PASSWORD=${DM_TEST_PG_PASSWORD:-}
export DM_TEST_PG_URL=${DM_TEST_PG_URL:-jdbc:postgresql://${DM_TEST_PG_HOST}:${DM_TEST_PG_PORT}/${DM_TEST_PG_DB}}
export DM_TEST_REDIS_URL=${DM_TEST_REDIS_URL:-redis://127.0.0.1:6379}

svc_log() { echo "[services] $*" >&2; }

psql_q() { # psql_q DB SQL: one value, quiet, no password prompt
  PGPASSWORD="$DM_TEST_PG_PASSWORD" psql -w -X -q -tA -h "$DM_TEST_PG_HOST" -p "$DM_TEST_PG_PORT" \
    -U "$DM_TEST_PG_USER" -d "$1" -c "$2"
}

pg_ready() {
  pg_isready -q -h "$DM_TEST_PG_HOST" -p "$DM_TEST_PG_PORT" -t 2 >/dev/null 2>&1
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    svc_log "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
}

ensure_postgres_running() {
  if pg_ready; then return 0; fi
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    svc_log "PostgreSQL is not installed: installing Debian's postgresql"
    apt_update_once
    apt-get install -y -qq postgresql >/dev/null
  fi
  # the cluster listening on our port (the newest major if several)
  local ver name
  read -r ver name < <(pg_lsclusters -h | awk -v p="$DM_TEST_PG_PORT" '$3 == p {print $1, $2}' | sort -V | tail -1) || true
  if [ -z "${ver:-}" ]; then
    svc_log "no PostgreSQL cluster is configured for port $DM_TEST_PG_PORT" && return 1
  fi
  svc_log "starting PostgreSQL $ver/$name"
  pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
  local i
  for i in $(seq 1 60); do
    if pg_ready; then svc_log "PostgreSQL is ready"; return 0; fi
    sleep 0.5
  done
  svc_log "PostgreSQL did not become ready in 30 s; see /var/log/postgresql/" && return 1
}

server_major() {
  local num
  num=$(psql_q postgres "SHOW server_version_num")
  echo $((num / 10000))
}

vector_available() {
  [ "$(psql_q postgres "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")" = "1" ]
}

# The deb-src entry for the next Debian release, derived from the machine's own Debian
# sources (same mirror URI and keyring), so no mirror address is written here.
add_next_release_sources() {
  local next=$1
  local target=/etc/apt/sources.list.d/dm-${next}-src.sources
  [ -f "$target" ] && return 0
  local src=/etc/apt/sources.list.d/debian.sources uri="" signed=""
  if [ -f "$src" ]; then
    # the stanza whose URIs is the main archive (not -security)
    uri=$(awk '/^URIs:/ {print $2}' "$src" | grep -v -- '-security' | head -1)
    signed=$(awk '/^Signed-By:/ {print $2; exit}' "$src")
  elif [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  if [ -z "$uri" ]; then
    svc_log "cannot find the Debian archive URI in $src or /etc/apt/sources.list" && return 1
  fi
  svc_log "adding deb-src $uri $next main"
  {
    echo "Types: deb-src"
    echo "URIs: $uri"
    echo "Suites: $next"
    echo "Components: main"
    [ -n "$signed" ] && echo "Signed-By: $signed"
  } >"$target"
  apt_updated=0
}

next_debian_release() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  case "$codename" in
    bullseye) echo bookworm ;;
    bookworm) echo trixie ;;
    trixie) echo forky ;;
    *) echo trixie ;;
  esac
}

install_pgvector() {
  local major pg_config work
  major=$(server_major)
  pg_config=/usr/lib/postgresql/$major/bin/pg_config
  svc_log "pgvector is missing in PostgreSQL $major: building it from Debian's source package"
  add_next_release_sources "$(next_debian_release)"
  apt_update_once
  apt-get install -y -qq --no-install-recommends "postgresql-server-dev-$major" build-essential dpkg-dev >/dev/null
  work=$(mktemp -d /var/tmp/dm-pgvector.XXXXXX)
  chmod 777 "$work" # apt-get source downloads as the _apt user
  (
    cd "$work"
    apt-get source -qq pgvector >/dev/null
    cd "$(find . -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -1)"
    make -s -j"$(nproc)" PG_CONFIG="$pg_config" OPTFLAGS="" >/dev/null
    make -s install PG_CONFIG="$pg_config" >/dev/null
  )
  rm -rf "$work"
  if ! vector_available; then
    svc_log "pgvector was built but PostgreSQL $major does not list it" && return 1
  fi
  svc_log "pgvector installed: $(psql_q postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")"
}

ensure_test_database() {
  if [ "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$DM_TEST_PG_DB'")" != "1" ]; then
    svc_log "creating database $DM_TEST_PG_DB"
    psql_q postgres "CREATE DATABASE \"$DM_TEST_PG_DB\"" >/dev/null
  fi
  if [ "$(psql_q "$DM_TEST_PG_DB" "SELECT count(*) FROM pg_extension WHERE extname = 'vector'")" != "1" ]; then
    psql_q "$DM_TEST_PG_DB" "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  fi
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return 0; fi
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_update_once
    apt-get install -y -qq redis-server >/dev/null
  fi
  svc_log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
  local i
  for i in $(seq 1 40); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  svc_log "Redis did not answer PING in 10 s" && return 1
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  svc_log "installing Debian's chromium (for the web GUI's browser tests)"
  apt_update_once
  apt-get install -y -qq chromium >/dev/null
  if [ ! -x /usr/bin/chromium ]; then
    svc_log "chromium was installed but /usr/bin/chromium is missing" && return 1
  fi
}

# The tests start Caddy themselves (a child process per test class, on free ports, with the
# repository's Caddyfile). The package would also start its own instance on :80 with
# /etc/caddy/Caddyfile: a policy-rc.d that refuses every start is put in place for the
# install when the machine has none, and a package instance that started anyway (systemd) is
# stopped and disabled.
ensure_caddy() {
  if [ -x /usr/bin/caddy ]; then return 0; fi
  svc_log "installing Debian's caddy (for the edge tests) without starting its service"
  apt_update_once
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# written by DM Engine scripts/services.sh during apt-get install caddy\nexit 101\n' >"$guard"
    chmod 755 "$guard"
  fi
  local rc=0
  apt-get install -y -qq caddy >/dev/null || rc=$?
  [ -n "$guard" ] && rm -f "$guard"
  if [ "$rc" != 0 ]; then svc_log "apt-get install caddy failed"; return "$rc"; fi
  if [ -d /run/systemd/system ] && systemctl is-active --quiet caddy 2>/dev/null; then
    svc_log "stopping and disabling the package's caddy service (the tests run their own)"
    systemctl disable --now caddy >/dev/null 2>&1 || true
  fi
  if [ ! -x /usr/bin/caddy ]; then
    svc_log "caddy was installed but /usr/bin/caddy is missing" && return 1
  fi
  svc_log "caddy installed: $(/usr/bin/caddy version | head -1)"
}

services_main() {
  ensure_postgres_running
  vector_available || install_pgvector
  ensure_test_database
  ensure_redis
  ensure_chromium
  ensure_caddy
}

# in a subshell so that the caller's options stay as they were; not inside `if` or `||`,
# where bash would ignore errexit for every step
( set -euo pipefail; services_main )
svc_rc=$?
if [ "$svc_rc" != 0 ]; then
  svc_log "failed (exit $svc_rc)"
  return "$svc_rc" 2>/dev/null || exit "$svc_rc"
fi
