#!/usr/bin/env bash
# Builds and starts the game on embedded defaults: no database, no network, no configuration.
# For now that is the terminal adventure (examples/cli-adventure) on dm-core alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

echo "==> building (first run downloads dependencies; later runs are quick)" >&2
mvn_cmd -q -pl examples/cli-adventure -am package -DskipTests -DskipITs
module=examples/cli-adventure
exec java -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" \
  dev.dmengine.examples.cli.CliAdventure "$@"
