#!/usr/bin/env bash
# The deployed topology on one machine, for a person to try (`./dm start --stack`):
#   PostgreSQL with pgvector (the machine's, database dm_stack), Redis, N reference-server
#   instances on 127.0.0.1:8081… and Caddy in front with the repository's Caddyfile and local TLS.
# It prints the one URL to open; Ctrl+C stops everything it started (the servers drain their turns).
#
#   scripts/stack.sh            two instances on https://localhost:8443
#   DM_STACK_INSTANCES=3 DM_STACK_PORT=9443 scripts/stack.sh
#
# Kept between runs in $DM_STACK_DIR (default ~/.local/share/dm-engine/stack): the access-token key
# pair and the service token (every instance gets the same ones, so a login on one is valid on all),
# Caddy's local CA (trust it once with `XDG_DATA_HOME=$DM_STACK_DIR/caddy-data caddy trust`, or
# accept the browser's warning), and the logs. The game's data is in PostgreSQL's dm_stack database.
#
# Every instance shares PostgreSQL (the game's data, job state) and Redis (event streams, rate
# limits, turn locks: key prefix $DM_STACK_REDIS_PREFIX, default dm-stack:), so a turn played on one
# instance streams to a player's browser on another. Redis is the machine's (DM_STACK_REDIS_URL,
# default redis://127.0.0.1:6379). Players' files go to an S3Proxy (scripts/s3proxy.sh, port
# $DM_STACK_S3_PORT, default 9300, objects under $DM_STACK_DIR/s3) whose CORS admits the stack's origin.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

instances=${DM_STACK_INSTANCES:-2}
https_port=${DM_STACK_PORT:-8443}
http_port=${DM_STACK_HTTP_PORT:-8480}
first_port=${DM_STACK_FIRST_SERVER_PORT:-8081}
state=${DM_STACK_DIR:-$HOME/.local/share/dm-engine/stack}
database=${DM_STACK_DATABASE:-dm_stack}
redis_url=${DM_STACK_REDIS_URL:-redis://127.0.0.1:6379}
redis_prefix=${DM_STACK_REDIS_PREFIX:-dm-stack:}
s3_port=${DM_STACK_S3_PORT:-9300}
mkdir -p "$state/logs"

log() { echo "[stack] $*" >&2; }

# ---------------------------------------------------------------- services
scripts/services.sh # PostgreSQL with pgvector, Redis, Caddy (each skipped when present)
export PGHOST=127.0.0.1 PGUSER=postgres
if [ "$(psql -w -X -tA -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$database'")" != 1 ]; then
  log "creating database $database"
  psql -w -X -q -d postgres -c "CREATE DATABASE \"$database\""
fi
psql -w -X -q -d "$database" -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null

# ---------------------------------------------------------------- settings shared by every instance
umask 077
if [ ! -f "$state/signing-key.pem" ]; then
  log "making the access-token key pair (Ed25519) in $state"
  openssl genpkey -algorithm ed25519 -out "$state/signing-key.pem"
  openssl pkey -in "$state/signing-key.pem" -pubout -out "$state/public-key.pem"
fi
if [ ! -f "$state/service-token" ]; then
  openssl rand -hex 24 >"$state/service-token"
fi
umask 022

log "building the reference server"
mvn_cmd -q -pl reference-server -am package -DskipTests -DskipITs
classpath="$PWD/reference-server/target/classes:$(cat reference-server/target/classpath.txt)"
caddyfile="$PWD/Caddyfile"

# ---------------------------------------------------------------- start, and stop everything on exit
pids=()
stopping=0
stop_all() {
  trap - INT TERM EXIT
  stopping=1
  log "stopping"
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  scripts/s3proxy.sh stop --port "$s3_port" >/dev/null 2>&1 || true
  log "stopped"
}
trap stop_all INT TERM EXIT

s3=(--port "$s3_port" --dir "$state/s3" --cors-origin "https://localhost:$https_port")
log "starting S3Proxy on 127.0.0.1:$s3_port (objects in $state/s3)"
scripts/s3proxy.sh start "${s3[@]}"
mapfile -t s3_env < <(scripts/s3proxy.sh env "${s3[@]}")


upstreams=()
for i in $(seq 1 "$instances"); do
  port=$((first_port + i - 1))
  out="$state/logs/server-$i.log"
  log "starting instance $i on 127.0.0.1:$port (log: $out)"
  (
    cd "$state" # no ./application.yaml from the repository's working directory
    exec env \
      DM_SERVER_HOST=127.0.0.1 DM_SERVER_PORT="$port" \
      DM_SERVER_TRUSTED_dash_PROXIES=127.0.0.1/32 \
      DM_SERVER_ALLOWED_dash_ORIGINS="https://localhost:$https_port" \
      DM_AUTH_INSECURE_dash_LOCALHOST_dash_COOKIES=false \
      DM_AUTH_SIGNING_dash_KEY="$(cat "$state/signing-key.pem")" \
      DM_AUTH_PUBLIC_dash_KEY="$(cat "$state/public-key.pem")" \
      DM_SERVICE_TOKEN="$(cat "$state/service-token")" \
      DM_POSTGRES_URL="jdbc:postgresql://127.0.0.1:5432/$database" DM_POSTGRES_USER=postgres \
      DM_REDIS_URL="$redis_url" DM_REDIS_KEY_dash_PREFIX="$redis_prefix" \
      "${s3_env[@]}" \
      java -cp "$classpath" dev.dmengine.server.Main
  ) >"$out" 2>&1 &
  pids+=("$!")
  upstreams+=("127.0.0.1:$port")
done

for i in $(seq 1 "$instances"); do
  out="$state/logs/server-$i.log"
  until grep -q "DM Engine is up" "$out"; do
    if ! kill -0 "${pids[$((i - 1))]}" 2>/dev/null; then
      log "instance $i stopped while starting:"; tail -20 "$out" >&2; exit 1
    fi
    sleep 0.5
  done
done

log "starting Caddy on https://localhost:$https_port (access log: $state/logs/access.log)"
env DM_SITE=localhost DM_TLS=internal DM_HTTPS_PORT="$https_port" DM_HTTP_PORT="$http_port" \
  DM_UPSTREAMS="${upstreams[*]}" DM_CADDY_ADMIN=off DM_ACCESS_LOG="file $state/logs/access.log" \
  XDG_DATA_HOME="$state/caddy-data" XDG_CONFIG_HOME="$state/caddy-config" \
  caddy run --adapter caddyfile --config "$caddyfile" >"$state/logs/caddy.log" 2>&1 &
pids+=("$!")
until curl -s -o /dev/null --cacert "$state/caddy-data/caddy/pki/authorities/local/root.crt" \
  "https://localhost:$https_port/health/live" 2>/dev/null; do
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then
    log "Caddy stopped while starting:"; tail -20 "$state/logs/caddy.log" >&2; exit 1
  fi
  sleep 0.5
done

echo
echo "DM Engine is up on https://localhost:$https_port  ($instances instances behind Caddy; Ctrl+C stops all)"
echo "  Caddy's local CA: $state/caddy-data/caddy/pki/authorities/local/root.crt"
echo
wait -n "${pids[@]}" || true
if [ "$stopping" = 0 ]; then
  log "a process ended by itself (see $state/logs); stopping the rest"
fi
