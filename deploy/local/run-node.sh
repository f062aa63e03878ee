#!/usr/bin/env bash
# Builds the node jar if it is missing, then runs one node in the foreground.
# Usage: deploy/local/run-node.sh [--http-port 8080] [--data-dir ./data] [other flags, see --help]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/grid-node/target/stockgrid-node.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi
exec java -jar "$jar" "$@"
