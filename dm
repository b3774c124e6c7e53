#!/usr/bin/env bash
# DM Engine's front door.
#   ./dm start   build and start the reference server on embedded defaults (--cli: the terminal game; --stack: several instances behind Caddy)
#   ./dm test    run every test: unit, contract, architecture and integration
#   ./dm bench   build and run the benchmarks (they print figures; they are not tests)
#   ./dm reembed re-embed into a new embedding space on a running server, with a progress bar
set -euo pipefail
cd "$(dirname "$0")"
source scripts/lib.sh

cmd=${1:-help}
shift || true
case "$cmd" in
  start) exec scripts/start.sh "$@" ;;
  test)  exec scripts/test.sh "$@" ;;
  bench) exec scripts/bench.sh "$@" ;;
  reembed) exec scripts/reembed.sh "$@" ;;
  *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2 ;;
esac
