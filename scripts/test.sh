#!/usr/bin/env bash
# Runs every test: unit tests (Surefire), contract suites, architecture rules and
# integration tests (Failsafe, *IT) against the real services on this machine.
# Installs and starts what the tests need first (scripts/services.sh), each step skipped
# when already done. Extra arguments go to Maven, e.g. ./dm test -pl dm-core -am
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ -x scripts/services.sh ]; then
  scripts/services.sh
fi

echo "==> mvn verify with $(java -version 2>&1 | head -1)"
mvn_cmd verify "$@"
