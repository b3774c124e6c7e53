#!/usr/bin/env bash
# Re-embeds every message and document into a new embedding space on a running server
# (PostgreSQL profile) and shows its progress until the server has switched to it.
#   ./dm reembed --model NAME --dimension N [--batch-size N] [--pause MS] [--no-wait]
#                          start, or resume, the run to NAME/N and watch it
#   ./dm reembed --status  watch the run in progress (or show the latest one)
#   ./dm reembed --stop    ask the run to stop after its current batch (run the first form again to resume)
#   ./dm reembed --cancel  drop a stopped run and the vectors it built
# NAME: hashing (16 to 4096 dimensions), minilm (384), or a model of the server's openai or
# replicate embedder. The server: DM_URL (default http://localhost:8080); its service token:
# DM_SERVICE_TOKEN (dm.service.token). Ctrl+C stops watching, not the run.
set -euo pipefail

url=${DM_URL:-http://localhost:8080}
poll=${DM_REEMBED_POLL:-1}
action=start model="" dimension="" batch="" pause="" wait=1
usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=${2:-}; shift 2 ;;
    --dimension) dimension=${2:-}; shift 2 ;;
    --batch-size) batch=${2:-}; shift 2 ;;
    --pause) pause=${2:-}; shift 2 ;;
    --url) url=${2:-}; shift 2 ;;
    --no-wait) wait=0; shift ;;
    --status) action=status; shift ;;
    --stop) action=stop; shift ;;
    --cancel) action=cancel; shift ;;
    -h|--help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
done
if [ -z "${DM_SERVICE_TOKEN:-}" ]; then
  echo "set DM_SERVICE_TOKEN to the server's service token (dm.service.token)" >&2
  exit 2
fi
for n in "$dimension" "$batch" "$pause"; do
  case "$n" in ''|*[!0-9]*) [ -z "$n" ] || { echo "not a whole number: $n" >&2; exit 2; } ;; esac
done

body="" status=""
# call METHOD PATH [JSON]: sets $body and $status; the token goes in a header read from stdin, never in argv
call() {
  local out
  out=$(printf 'header = "Authorization: Bearer %s"\n' "$DM_SERVICE_TOKEN" | curl -sS -K - -X "$1" \
        -H 'Content-Type: application/json' ${3:+--data "$3"} -w '\n%{http_code}' "$url$2") || {
    echo "cannot reach the server at $url" >&2; exit 1; }
  status=${out##*$'\n'}
  body=${out%$'\n'*}
}
# field NAME: a top-level string, number or boolean of $body (the server writes compact JSON)
field() { printf '%s' "$body" | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\)\"\{0,1\}[,}].*/\1/p" | head -n1; }
# space NAME: "model/dimension" of the object NAME ("source" or "target") in $body
space() { printf '%s' "$body" | sed -n "s/.*\"$1\":{\"model\":\"\([^\"]*\)\",\"dimension\":\([0-9]*\)}.*/\1\/\2/p"; }
# text NAME: a top-level string of $body, commas and all
text() { printf '%s' "$body" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n1; }
fail() { local d; d=$(text detail); echo "${d:-$body}" >&2; exit 1; }

case "$action" in
  start)
    [ -n "$model" ] && [ -n "$dimension" ] || { echo "--model and --dimension are required" >&2; usage; }
    json="{\"model\":\"$model\",\"dimension\":$dimension${batch:+,\"batchSize\":$batch}${pause:+,\"pauseMillis\":$pause}}"
    call POST /vec/reembed "$json"
    [ "$status" = 202 ] || fail
    echo "re-embedding $(space source) -> $(space target)"
    [ "$wait" = 1 ] || exit 0 ;;
  status)
    call GET /vec/reembed
    [ "$status" = 200 ] || fail
    echo "re-embedding $(space source) -> $(space target)" ;;
  stop)
    call POST /vec/reembed/stop
    [ "$status" = 202 ] || fail
    echo "asked the run to $(space target) to stop after its current batch (at $(field done) of $(field total))"
    exit 0 ;;
  cancel)
    call POST /vec/reembed/cancel
    [ "$status" = 200 ] || fail
    echo "cancelled the run to $(space cancelled); the active space stays $(space active)"
    exit 0 ;;
esac

tty=0; [ -t 1 ] && tty=1
last="" idle=0
while :; do
  state=$(field state) percent=$(field percent) done=$(field done) total=$(field total)
  rate=$(field ratePerSecond) running=$(field running) error=$(text error)
  percent=${percent:-0}
  filled=$(( ${percent%.*} * 30 / 100 ))
  bar=$(printf '%*s' "$filled" '' | tr ' ' '#')$(printf '%*s' $(( 30 - filled )) '' | tr ' ' '.')
  line=$(printf '[%s] %5s %%  %s / %s  %s%s' "$bar" "$percent" "$done" "$total" "$state" \
         "${rate:+  $rate texts/s}")
  if [ "$tty" = 1 ]; then printf '\r%s ' "$line"; elif [ "$line" != "$last" ]; then echo "$line"; fi
  last=$line
  if [ "$state" = SWITCHED ]; then
    [ "$tty" = 1 ] && echo
    echo "switched: the active embedding space is $(space target) (was $(space source))"
    [ "$(field settled)" = true ] || echo "a last pass for turns begun before the switch follows (dm.reembed.settle)"
    exit 0
  fi
  if [ -n "$error" ] && [ "$running" != true ]; then
    [ "$tty" = 1 ] && echo
    echo "the run failed: $error (run the same command again to resume it)" >&2
    exit 1
  fi
  if [ "$running" != true ] && [ "$(field stopRequested)" = true ]; then
    [ "$tty" = 1 ] && echo
    echo "stopped at $done of $total; run the same command again to resume"
    exit 3
  fi
  if [ "$running" != true ]; then idle=$((idle + 1)); else idle=0; fi
  if [ "$idle" -ge 3 ]; then
    [ "$tty" = 1 ] && echo
    echo "no server is working on the run (the one that did stopped?): run the same command again to resume it" >&2
    exit 1
  fi
  sleep "$poll"
  call GET /vec/reembed
  [ "$status" = 200 ] || fail
done
