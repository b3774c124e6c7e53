#!/usr/bin/env bash
# Runs S3Proxy (a real S3 API server, org.gaul:s3proxy from Maven Central) as a separate process,
# for the server, the browser tests and `./dm start --stack` to use as their S3 store.
#
#   scripts/s3proxy.sh start  [options]   start it (does nothing if it already runs on that port)
#   scripts/s3proxy.sh stop   [--port N]  stop the one this script started on that port
#   scripts/s3proxy.sh status [--port N]  say whether it runs; exit 0 if it does
#   scripts/s3proxy.sh env    [options]   print the DM_S3_* settings that point the server at it
#
# Options (each also an environment variable; defaults in brackets):
#   --port N             DM_S3PROXY_PORT        [9000]
#   --host ADDR          DM_S3PROXY_HOST        address to listen on [127.0.0.1]
#   --dir DIR            DM_S3PROXY_DIR         where the objects live [target/s3proxy/<port>/data]
#   --backend NAME       DM_S3PROXY_BACKEND     filesystem (objects as files under --dir) or
#                                               transient (in memory, gone on stop) [filesystem]
#   --access-key KEY     DM_S3PROXY_ACCESS_KEY  [dm-local-access]
#   --secret-key SECRET  DM_S3PROXY_SECRET_KEY  [dm-local-secret]
#   --cors-origin URL    DM_S3PROXY_CORS_ORIGINS (space-separated) origins whose pages may PUT/GET
#                        through pre-signed URLs; repeat the option for several
#                        [http://localhost:8080 http://127.0.0.1:8080]
#   --bucket NAME        DM_S3PROXY_BUCKETS (space-separated) buckets to create at start
#                        (filesystem backend; S3ObjectStorage.ensureBucket() creates them anyway)
#
# S3Proxy keeps CORS in its own configuration (it does not implement PutBucketCors): the origins
# are set here, for GET, PUT and HEAD with the headers a pre-signed upload sends (Content-Type,
# x-amz-checksum-sha256). Requests must be signed with AWS Signature V4 (or V2) and the keys above;
# any region is accepted.
#
# State (pid, log, properties) lives in target/s3proxy/<port>/ of this checkout; the classpath is
# resolved once with Maven from scripts/s3proxy/pom.xml into target/s3proxy/classpath.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$ROOT/scripts/lib.sh"

log() { echo "[s3proxy] $*" >&2; }
die() { log "$*"; exit 1; }

command=${1:-}
[ $# -gt 0 ] && shift
PORT=${DM_S3PROXY_PORT:-9000}
HOST=${DM_S3PROXY_HOST:-127.0.0.1}
DIR=${DM_S3PROXY_DIR:-}
BACKEND=${DM_S3PROXY_BACKEND:-filesystem}
ACCESS_KEY=${DM_S3PROXY_ACCESS_KEY:-dm-local-access}
SECRET_KEY=${DM_S3PROXY_SECRET_KEY:-dm-local-secret}
CORS_ORIGINS=${DM_S3PROXY_CORS_ORIGINS:-}
BUCKETS=${DM_S3PROXY_BUCKETS:-}
cors_set=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --host) HOST=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --backend) BACKEND=$2; shift 2 ;;
    --access-key) ACCESS_KEY=$2; shift 2 ;;
    --secret-key) SECRET_KEY=$2; shift 2 ;;
    --cors-origin)
      if [ "$cors_set" = 0 ]; then CORS_ORIGINS=""; cors_set=1; fi
      CORS_ORIGINS="${CORS_ORIGINS:+$CORS_ORIGINS }$2"; shift 2 ;;
    --bucket) BUCKETS="${BUCKETS:+$BUCKETS }$2"; shift 2 ;;
    *) die "unknown option $1 (see the top of $0)" ;;
  esac
done
CORS_ORIGINS=${CORS_ORIGINS:-http://localhost:8080 http://127.0.0.1:8080}
case "$PORT" in '' | *[!0-9]*) die "--port must be a number, was '$PORT'" ;; esac
case "$BACKEND" in filesystem | transient) ;; *) die "--backend must be filesystem or transient, was '$BACKEND'" ;; esac

STATE="$ROOT/target/s3proxy/$PORT"
DIR=${DIR:-$STATE/data}
PID_FILE="$STATE/s3proxy.pid"
LOG_FILE="$STATE/s3proxy.log"
CLASSPATH_FILE="$ROOT/target/s3proxy/classpath.txt"
ENDPOINT="http://$HOST:$PORT"

running_pid() { # the pid this script started on PORT, if that process is still alive
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { # any HTTP answer from the port (S3 answers an anonymous request with 403)
  local code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/" 2>/dev/null || true)
  [ -n "$code" ] && [ "$code" != "000" ]
}

resolve_classpath() {
  local pom="$ROOT/scripts/s3proxy/pom.xml"
  if [ -s "$CLASSPATH_FILE" ] && [ "$CLASSPATH_FILE" -nt "$pom" ] && [ "$CLASSPATH_FILE" -nt "$ROOT/pom.xml" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$CLASSPATH_FILE")"
  log "resolving S3Proxy's classpath with Maven (once)"
  local goal=org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath
  local args=(-q -f "$pom" "$goal" -Dmdep.outputFile="$CLASSPATH_FILE" -Dmdep.includeScope=runtime)
  # offline first: the jars are usually in ~/.m2 already (dm-s3's tests use the same version)
  mvn_cmd -o "${args[@]}" >/dev/null 2>&1 || mvn_cmd "${args[@]}" >&2 \
    || die "cannot resolve S3Proxy's classpath (Maven Central unreachable?)"
}

write_config() {
  mkdir -p "$STATE"
  cat >"$STATE/s3proxy.properties" <<PROPS
s3proxy.endpoint=$ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$ACCESS_KEY
s3proxy.credential=$SECRET_KEY
jclouds.provider=$BACKEND
jclouds.filesystem.basedir=$DIR
s3proxy.cors-allow-origins=$CORS_ORIGINS
s3proxy.cors-allow-methods=GET PUT HEAD
s3proxy.cors-allow-headers=content-type x-amz-checksum-sha256
s3proxy.cors-exposed-headers=ETag
PROPS
  chmod 600 "$STATE/s3proxy.properties" # it holds the secret key
  cat >"$STATE/logback.xml" <<'XML'
<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="OUT"/></root>
  <logger name="org.gaul.s3proxy" level="INFO"/>
</configuration>
XML
}

start() {
  if pid=$(running_pid); then
    log "already running on port $PORT (pid $pid)"
    return 0
  fi
  if answers; then
    die "something else answers on port $PORT; choose another with --port"
  fi
  resolve_classpath
  write_config
  if [ "$BACKEND" = filesystem ]; then
    mkdir -p "$DIR"
    for b in $BUCKETS; do mkdir -p "$DIR/$b"; done
  fi
  local where=$BACKEND
  [ "$BACKEND" = filesystem ] && where="files in $DIR"
  log "starting S3Proxy on $ENDPOINT ($where), CORS for $CORS_ORIGINS"
  nohup java -Dlogback.configurationFile="$STATE/logback.xml" -cp "$(cat "$CLASSPATH_FILE")" \
    org.gaul.s3proxy.Main --properties "$STATE/s3proxy.properties" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local i
  for i in $(seq 1 240); do
    if answers; then
      log "ready on $ENDPOINT (pid $(cat "$PID_FILE"), log $LOG_FILE)"
      return 0
    fi
    if ! running_pid >/dev/null; then
      tail -20 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "S3Proxy exited during start-up; log above"
    fi
    sleep 0.5
  done
  die "S3Proxy did not answer within 120 s; see $LOG_FILE"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    log "not running on port $PORT"
    rm -f "$PID_FILE"
    return 0
  fi
  kill "$pid"
  local i
  for i in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log "stopped (pid $pid)"
      return 0
    fi
    sleep 0.5
  done
  log "pid $pid did not stop within 30 s: killing it"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status)
    if pid=$(running_pid) && answers; then
      echo "running on $ENDPOINT (pid $pid)"
    else
      echo "not running on port $PORT"
      exit 1
    fi
    ;;
  env)
    echo "DM_S3_ENDPOINT=$ENDPOINT"
    echo "DM_S3_REGION=us-east-1"
    echo "DM_S3_ACCESS_dash_KEY=$ACCESS_KEY"
    echo "DM_S3_SECRET_dash_KEY=$SECRET_KEY"
    echo "DM_S3_PATH_dash_STYLE=true"
    ;;
  *) die "usage: $0 start|stop|status|env [options] (see the top of the script)" ;;
esac
