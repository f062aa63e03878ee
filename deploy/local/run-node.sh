#!/usr/bin/env bash
# Builds the node jar if it is missing, then runs one node in the foreground.
# Usage: deploy/local/run-node.sh [--http-port 8080] [--data-dir ./data] [other flags, see --help]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/grid-node/target/stockgrid-node.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi
# G1 tuned for a short tail (docs/operations.md, "JVM options"); override with STOCKGRID_JAVA_OPTS.
# shellcheck disable=SC2086  # word-splitting the options is the point
exec java ${STOCKGRID_JAVA_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError} -jar "$jar" "$@"
