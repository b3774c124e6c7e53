#!/usr/bin/env bash
# Builds and runs a benchmark; it prints its figures. Benchmarks are not tests.
#   ./dm bench            the DM-turn overhead benchmark (TurnBench)
#   ./dm bench CLASS ...  another benchmark class of dev.dmengine.bench, with its arguments
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

main=${1:-TurnBench}
shift || true
mvn_cmd -q -pl benchmarks -am package -DskipTests -DskipITs
module=benchmarks
exec java -Xms1g -Xmx4g -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" \
  "dev.dmengine.bench.$main" "$@"
