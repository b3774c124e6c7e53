#!/usr/bin/env bash
# Builds and starts the game on embedded defaults: no database, no network, no configuration.
#   ./dm start            the reference server (HTTP API, SSE, WebSocket) on http://localhost:8080
#   ./dm start --cli      the terminal adventure (examples/cli-adventure) instead; --fast turns pacing off
#   ./dm start --stack    the deployed topology on this machine: PostgreSQL, Redis, two instances behind
#                         Caddy on https://localhost:8443 (scripts/stack.sh; DM_STACK_INSTANCES=3 for three)
# The server reads reference-server's application.yaml and environment variables (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ "${1:-}" = "--stack" ] || [ "${1:-}" = "--cluster" ]; then
  shift
  exec scripts/stack.sh "$@"
fi

if [ "${1:-}" = "--cli" ]; then
  shift
  echo "==> building the terminal adventure (first run downloads dependencies; later runs are quick)" >&2
  mvn_cmd -q -pl examples/cli-adventure -am package -DskipTests -DskipITs
  module=examples/cli-adventure
  exec java -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" \
    dev.dmengine.examples.cli.CliAdventure "$@"
fi

# Every connection and event stream is a file descriptor: take the most the hard limit allows.
# (HotSpot raises its own soft limit too, -XX:+MaxFDLimit; this also covers JVMs that do not.)
# The server logs the limit in force and sizes dm.server.max-connections from it.
raise_open_files() {
  local hard
  hard=$(ulimit -Hn)
  if [ "$hard" != "unlimited" ] && [ "$(ulimit -Sn)" != "$hard" ]; then
    ulimit -Sn "$hard" 2>/dev/null || true
  fi
  echo "==> open-file limit: $(ulimit -Sn) (hard $(ulimit -Hn))" >&2
}

echo "==> building the reference server (first run downloads dependencies; later runs are quick)" >&2
mvn_cmd -q -pl reference-server -am package -DskipTests -DskipITs
module=reference-server
raise_open_files
# JVM options (DM_JAVA_OPTS replaces them). G1 keeps the heap it grew to under a burst (10,000
# event streams took it to 1.6 GiB committed, 900 MiB resident) until a full GC, which an idle
# server never has: a periodic full GC after 60 s without any GC gives it back (300 MiB again;
# figures in the README's Benchmarks). It only runs when the server is quiet, on a small live set.
java_opts=${DM_JAVA_OPTS:-"-XX:G1PeriodicGCInterval=60000 -XX:-G1PeriodicGCInvokesConcurrent"}
echo "==> starting: the server prints its URL when it is ready; Ctrl+C stops it (turns in flight finish first)" >&2
# shellcheck disable=SC2086 # the options are words
exec java $java_opts -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" dev.dmengine.server.Main "$@"
