# Shared by the scripts: choose a JDK >= 21 and run Maven with it.
# The machine's default java may be older; Helidon 4 and our release-21 build need 21+.

java_major() { # prints the feature version of the java binary given as $1
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

pick_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local d
  for d in /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
  local best="" best_v=0 v
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v=$(java_major "$d/bin/java" || echo 0)
    v=${v%%.*}
    if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v=$v; fi
    # keep an explicit JAVA_HOME of 21+ rather than the newest
    if [ -n "${JAVA_HOME:-}" ] && [ "$d" = "$JAVA_HOME" ] && [ "${v:-0}" -ge 21 ]; then best="$d"; break; fi
  done
  if [ -z "$best" ]; then
    echo "DM Engine needs a JDK 21 or newer; none found in JAVA_HOME, PATH or /usr/lib/jvm." >&2
    echo "Install one (e.g. apt-get install openjdk-21-jdk-headless) and run again." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}

mvn_cmd() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "Maven is needed: apt-get install maven" >&2
    exit 1
  fi
  mvn -B -ntp "$@"
}

pick_jdk
