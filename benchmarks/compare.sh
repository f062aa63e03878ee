#!/usr/bin/env bash
# Side-by-side baseline: one Stockgrid node (binary protocol and HTTP v1) and one Redis server (reserve/commit/
# release as atomic Lua scripts), all on 127.0.0.1, driven in turn by the same load generator with the same workload
# and connections. Two generator runs: closed loop for peak throughput, then open loop at a fixed rate for latency.
# Prints tables of Stockgrid/Redis ratios (binary and HTTP) and writes them, the summaries, the .hgrm files and the
# charts under --out.
#
# Installs redis-server from the machine's Debian packages if it is missing (needs root or sudo). Redis runs with no
# persistence (no RDB snapshots, appendonly off) in a temp dir; the node runs on a temp data dir; both are stopped
# and removed on exit. The default run takes about 5 minutes; --duration and --warmup make it longer.
set -euo pipefail

usage()
{
    cat <<'EOF'
Usage: benchmarks/compare.sh [options] [-- extra generator flags]

  --duration S      measured seconds per target and run (default 10)
  --warmup S        warm-up seconds per target and run (default 30: the node's JIT settles after about 25 s)
  --rate R          fixed rate of the latency run, req/s (default: half the lower peak of the peak run)
  --connections N   connections per target (default 32)
  --window N        requests in flight per connection (default 4)
  --http-pipelined  drive HTTP like the others: --connections connections, --window pipelined requests each.
                    By default HTTP gets --connections x --window connections with one request in flight each
                    (the generator's --http-spread): the same requests in flight, but HTTP/1.1 runs a
                    connection's pipelined mutations one at a time (RFC 9112, 9.3.2), so pipelining caps HTTP at
                    --connections mutations at once while the binary protocol and Redis have all of them
  --skus N          SKU-locations (default 10000)
  --skew S          uniform | zipf | hot (default zipf: the hottest 1% of SKU-locations take about half the
                    requests)
  --stock N         initial units per SKU-location (default 100000: the peak run should mostly hold stock)
  --rounds N        peak runs, one after another, each over every target (default 1); with more than one, a
                    table of each round's peaks and ratios and their medians is printed too. Rounds after the
                    first warm up for 5 s (the JIT is warm by then). Single runs move by 20% or more here.
  --out DIR         where results go (default benchmarks/target/compare-<date>)
  --node-jfr        record a JFR profile of the node (DIR/node.jfr)
  --node-java-opts "OPTS"  JVM options of the node (default "-XX:+UseG1GC -XX:MaxGCPauseMillis=5
                    -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError", as docs/operations.md
                    recommends: a node out of memory exits instead of hanging half-alive)
  --node-args "ARGS"  extra node settings, e.g. "--partitions 271" (default none)
  --rebuild         build the jars even if they exist
  -h, --help        this text
Anything after -- is passed to both generator runs (see: java -jar benchmarks/target/stockgrid-bench.jar --help).
EOF
}

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION=10
WARMUP=30
RATE=auto
CONNECTIONS=32
WINDOW=4
SKUS=10000
SKEW=zipf
STOCK=100000
OUT="$ROOT/benchmarks/target/compare-$(date -u +%Y%m%d-%H%M%S)"
NODE_JFR=false
NODE_JAVA_OPTS="-XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError"
REBUILD=false
NODE_ARGS=""
ROUNDS=1
HTTP_SPREAD=(--http-spread)
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --rate) RATE="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --window) WINDOW="$2"; shift 2 ;;
        --skus) SKUS="$2"; shift 2 ;;
        --skew) SKEW="$2"; shift 2 ;;
        --stock) STOCK="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --node-jfr) NODE_JFR=true; shift ;;
        --node-java-opts) NODE_JAVA_OPTS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --node-args) NODE_ARGS="$2"; shift 2 ;;
        --rebuild) REBUILD=true; shift ;;
        --http-pipelined) HTTP_SPREAD=(); shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; EXTRA=("$@"); break ;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

case "$ROUNDS" in
    ''|*[!0-9]*) echo "compare.sh: --rounds must be a whole number in 1..20: '$ROUNDS'" >&2; exit 2 ;;
esac
if [ "$ROUNDS" -lt 1 ] || [ "$ROUNDS" -gt 20 ]; then
    echo "compare.sh: --rounds must be a whole number in 1..20: '$ROUNDS'" >&2
    exit 2
fi

BENCH_JAR="$ROOT/benchmarks/target/stockgrid-bench.jar"
NODE_JAR="$ROOT/grid-node/target/stockgrid-node.jar"
WORK="$(mktemp -d /tmp/stockgrid-compare.XXXXXX)"
NODE_PID=""
REDIS_PID=""

stop_pid()
{
    # TERM, up to $2 seconds (default 15) for a clean stop, then KILL. Only ever the pids this script started.
    local pid="$1"
    local tenths=$(( ${2:-15} * 10 ))
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 "$tenths"); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup()
{
    # The node drains, then leaves: with a million or more records in the grid, Hazelcast's own shutdown takes
    # several seconds (15 s was too short after a three-round run).
    stop_pid "$NODE_PID" 60
    stop_pid "$REDIS_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use()
{
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port()
{
    # Below the kernel's ephemeral range, so no outgoing connection (the generator's, the node's own) can take the
    # port between this check and the server's bind (seen once: "address already in use" on --http-port).
    local port low
    low="$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
    [ "$low" -gt 21024 ] || low=32768
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % (low - 20000)))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    echo "compare.sh: no free port found" >&2
    return 1
}

# 1. Redis from the machine's packages.
if ! command -v redis-server >/dev/null 2>&1; then
    echo "== installing redis-server from Debian packages"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    # Keep the package from starting its own system-wide service: this script starts the Redis it measures.
    POLICY_ADDED=false
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        POLICY_ADDED=true
    fi
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q redis-server >"$WORK/apt.log" 2>&1; then
        $SUDO apt-get update -q >>"$WORK/apt.log" 2>&1
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q redis-server >>"$WORK/apt.log" 2>&1 \
            || { cat "$WORK/apt.log" >&2; [ "$POLICY_ADDED" = false ] || $SUDO rm -f /usr/sbin/policy-rc.d; exit 1; }
    fi
    [ "$POLICY_ADDED" = false ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi
echo "== $(redis-server --version | head -1)"

# 2. The jars.
if [ "$REBUILD" = true ] || [ ! -f "$BENCH_JAR" ] || [ ! -f "$NODE_JAR" ]; then
    echo "== building (mvn -B -q -DskipTests package)"
    (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

mkdir -p "$OUT"
REDIS_PORT="$(free_port)"
HTTP_PORT="$(free_port)"
BINARY_PORT="$(free_port)"
MEMBER_PORT="$(free_port)"

# 3. Redis on loopback, no persistence at all.
mkdir -p "$WORK/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes --save '' --appendonly no \
    --dir "$WORK/redis" --daemonize no --loglevel warning >"$OUT/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 100); do
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" = PONG ] && break
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$OUT/redis.log" >&2; exit 1; }
    sleep 0.1
done
echo "== redis on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID, save '', appendonly no)"

# 4. One Stockgrid node on a temp data dir.
# The request log (a line per mutating request, docs/operations.md) is off: it measures the node, not stderr.
# shellcheck disable=SC2206  # word-splitting the options is the point
JAVA_NODE=(java $NODE_JAVA_OPTS -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn)
if [ "$NODE_JFR" = true ]; then
    JAVA_NODE+=("-XX:StartFlightRecording=filename=$OUT/node.jfr,settings=profile,dumponexit=true")
fi
# shellcheck disable=SC2086  # NODE_ARGS is split into settings on purpose
"${JAVA_NODE[@]}" -jar "$NODE_JAR" --http-port "$HTTP_PORT" --binary-port "$BINARY_PORT" --data-dir "$WORK/node" \
    --member-port "$MEMBER_PORT" \
    --cluster-name "compare-$$" $NODE_ARGS >"$OUT/node.log" 2>&1 &
NODE_PID=$!
ready=false
for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT" \
        && printf 'GET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 \
        && head -1 <&3 | grep -q ' 200') 2>/dev/null; then
        ready=true
        break
    fi
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.2
done
if [ "$ready" != true ]; then
    echo "compare.sh: the node did not get ready; see $OUT/node.log" >&2
    tail -20 "$OUT/node.log" >&2
    exit 1
fi
echo "== stockgrid node on http://127.0.0.1:$HTTP_PORT and binary 127.0.0.1:$BINARY_PORT (pid $NODE_PID)"

# shellcheck disable=SC2054  # the generator takes comma-separated lists
COMMON=(--target binary,http,redis --port "$BINARY_PORT,$HTTP_PORT,$REDIS_PORT" --duration "$DURATION"
    --connections "$CONNECTIONS" --window "$WINDOW" --skus "$SKUS" --skew "$SKEW" --stock "$STOCK"
    ${HTTP_SPREAD[@]+"${HTTP_SPREAD[@]}"})
STATUS=0

run_generator()
{
    local rc=0
    java -jar "$BENCH_JAR" "${COMMON[@]}" "$@" ${EXTRA[@]+"${EXTRA[@]}"} || rc=$?
    # 1 = an audit failed: report it, but still print the table. Anything else stops here.
    if [ "$rc" -eq 1 ]; then
        STATUS=1
    elif [ "$rc" -ne 0 ]; then
        exit "$rc"
    fi
}

# 5. Peak: closed loop, every connection's window kept full.
echo "== peak (closed loop): $CONNECTIONS connections x $WINDOW in flight per target"
run_generator --rate 0 --out "$OUT/peak" --no-progress --warmup "$WARMUP"
PEAK_DIRS=("$OUT/peak")
for round in $(seq 2 "$ROUNDS"); do
    echo "== peak, round $round of $ROUNDS"
    run_generator --rate 0 --out "$OUT/peak-$round" --no-progress --warmup 5
    PEAK_DIRS+=("$OUT/peak-$round")
done

# 6. Latency at a fixed rate, open loop.
if [ "$RATE" = auto ]; then
    RATE="$(java -cp "$BENCH_JAR" io.stockgrid.bench.load.CompareTable rate-from "$OUT/peak" 0.5)"
fi
echo "== fixed rate (open loop): $RATE req/s"
run_generator --rate "$RATE" --out "$OUT/fixed-rate" --no-progress --warmup "$WARMUP"

# 7. The table.
echo
echo "== Stockgrid / Redis (same generator, same $CONNECTIONS connections x $WINDOW in flight;"
if [ ${#HTTP_SPREAD[@]} -gt 0 ]; then
    echo "   HTTP as $((CONNECTIONS * WINDOW)) connections x 1, unpipelined;"
fi
echo "   generator, node and redis share this machine's $(nproc) cores)"
{
    echo "Stockgrid binary / Redis:"
    java -cp "$BENCH_JAR" io.stockgrid.bench.load.CompareTable table "$OUT/peak" "$OUT/fixed-rate" binary redis
    echo
    echo "Stockgrid HTTP / Redis:"
    java -cp "$BENCH_JAR" io.stockgrid.bench.load.CompareTable table "$OUT/peak" "$OUT/fixed-rate" http redis
    if [ "$ROUNDS" -gt 1 ]; then
        echo
        echo "Peak throughput (answers/s) by round, and the median of each column:"
        java -cp "$BENCH_JAR" io.stockgrid.bench.load.CompareTable rounds redis "${PEAK_DIRS[@]}"
    fi
} | tee "$OUT/compare.md"
echo
echo "results: $OUT (compare.md; peak/ and fixed-rate/, each with summary.json, .hgrm files,"
echo "   latency-by-percentile.png and throughput-over-time.png)"
exit "$STATUS"
