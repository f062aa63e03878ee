#!/usr/bin/env bash
# Runs a local Stockgrid cluster: N node processes of grid-node/target/stockgrid-node.jar on 127.0.0.1.
#
# Usage: deploy/local/cluster.sh start N | add | stop-one | kill-one [I] | stop | status
#   start N      start nodes 1..N (all listed in each other's --members) and wait until each is ready
#   add          start one more node (next unused index), listing the running nodes and itself; wait for ready
#   stop-one     SIGTERM the newest running node and wait for it to drain and exit
#   kill-one [I] SIGKILL node I (default: the newest running node), as a crash would
#   stop         SIGTERM every running node and wait for them to exit
#   status       print each node's pid, ports, readiness and last known cluster size
#
# Node i: HTTP 18080+i, binary 17070+i, member 15700+i, data dir $STOCKGRID_CLUSTER_DIR/node-i, log and pid file
# beside it (node-i.log, node-i.pid). A node's data dir is kept when it stops: `start N` again is a full restart
# from the journals; delete the cluster dir for a fresh cluster.
#
# Environment:
#   STOCKGRID_CLUSTER_DIR  where data dirs, logs and pid files go (default: <repo>/cluster-data)
#   CLUSTER_NAME           --cluster-name (default: stockgrid-local)
#   MIN_CLUSTER_SIZE       --min-cluster-size (default: 1, so that add and stop-one work from any size; a real
#                          cluster should set a majority, e.g. 2 of 3: a node then waits for a quorum to start,
#                          and fewer running nodes refuse writes)
#   STOCKGRID_JAVA_OPTS    JVM options (default: -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xmx512m)
#   READY_TIMEOUT_SECONDS  how long start/add wait for /health/ready (default: 120)
#   STOP_TIMEOUT_SECONDS   how long stop/stop-one wait for an exit before SIGKILL (default: 75, drain is 30)
# Other STOCKGRID_* variables reach the nodes as usual (flags given here win over them).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/grid-node/target/stockgrid-node.jar"
dir="${STOCKGRID_CLUSTER_DIR:-$root/cluster-data}"
cluster_name="${CLUSTER_NAME:-stockgrid-local}"
min_cluster_size="${MIN_CLUSTER_SIZE:-1}"
java_opts="${STOCKGRID_JAVA_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xmx512m}"
ready_timeout="${READY_TIMEOUT_SECONDS:-120}"
stop_timeout="${STOP_TIMEOUT_SECONDS:-75}"
max_nodes=20

die() { echo "cluster.sh: $*" >&2; exit 1; }
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

http_port() { echo $((18080 + $1)); }
binary_port() { echo $((17070 + $1)); }
member_port() { echo $((15700 + $1)); }
data_dir() { echo "$dir/node-$1"; }
pid_file() { echo "$dir/node-$1.pid"; }
log_file() { echo "$dir/node-$1.log"; }

# The pid of node i if that process is alive and is that node (not a recycled pid), else nothing.
node_pid() {
  local f pid state
  f="$(pid_file "$1")"
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)"
  [ "$state" != "Z" ] || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--data-dir $(data_dir "$1") " || return 0
  echo "$pid"
}

# Indexes of the nodes this cluster dir knows (a data dir or a pid file), ascending.
known_indexes() {
  local f
  for f in "$dir"/node-*; do
    [ -e "$f" ] || continue
    f="${f##*/node-}"
    f="${f%.pid}"
    f="${f%.log}"
    case "$f" in '' | *[!0-9]*) continue ;; esac
    echo "$f"
  done | sort -n -u
}

running_indexes() {
  local i
  for i in $(known_indexes); do
    if [ -n "$(node_pid "$i")" ]; then echo "$i"; fi
  done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_jar() {
  if [ ! -f "$jar" ]; then
    echo "building $jar (mvn -q -B -DskipTests package) ..."
    (cd "$root" && mvn -q -B -DskipTests package)
  fi
  [ -f "$jar" ] || die "the build did not produce $jar"
}

check_ports() {
  local i="$1" p
  for p in "$(http_port "$i")" "$(binary_port "$i")" "$(member_port "$i")"; do
    if port_in_use "$p"; then die "node $i: port $p on 127.0.0.1 is already in use"; fi
  done
}

# launch I MEMBERS: starts node I in its own session, in the background.
launch() {
  local i="$1" members="$2"
  mkdir -p "$(data_dir "$i")"
  rm -f "$(pid_file "$i")"
  echo "=== cluster.sh: node $i starting at $(date -u +%Y-%m-%dT%H:%M:%SZ) ===" >> "$(log_file "$i")"
  echo "node $i: starting (http $(http_port "$i"), binary $(binary_port "$i"), member $(member_port "$i"))"
  # The child writes its own pid, then becomes java: the pid file names the JVM itself.
  # shellcheck disable=SC2016,SC2086  # $$ and "$@" belong to the child shell; the JVM options split into words
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$(pid_file "$i")" \
    java $java_opts -jar "$jar" \
    --http-port "$(http_port "$i")" --binary-port "$(binary_port "$i")" --member-port "$(member_port "$i")" \
    --bind-address 127.0.0.1 --data-dir "$(data_dir "$i")" --cluster-name "$cluster_name" \
    --members "$members" --min-cluster-size "$min_cluster_size" \
    >> "$(log_file "$i")" 2>&1 < /dev/null &
  # Until the child has written the pid file, the node would look as if it had exited.
  local tries=0
  while [ -z "$(node_pid "$i")" ] && [ "$tries" -lt 50 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
}

is_ready() { curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$(http_port "$1")/health/ready" 2>/dev/null; }

# wait_ready I...: waits (bounded) until every given node answers /health/ready 200.
wait_ready() {
  local deadline=$((SECONDS + ready_timeout)) i pending
  pending="$*"
  while [ -n "$pending" ]; do
    local still=""
    for i in $pending; do
      if is_ready "$i"; then
        echo "node $i: ready (pid $(node_pid "$i"), http://127.0.0.1:$(http_port "$i"))"
        continue
      fi
      if [ -z "$(node_pid "$i")" ]; then
        echo "cluster.sh: node $i exited before it was ready; last lines of $(log_file "$i"):" >&2
        tail -n 30 "$(log_file "$i")" >&2 || true
        return 1
      fi
      still="$still $i"
    done
    pending="${still# }"
    [ -n "$pending" ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for i in $pending; do
        echo "cluster.sh: node $i not ready after ${ready_timeout}s; last lines of $(log_file "$i"):" >&2
        tail -n 30 "$(log_file "$i")" >&2 || true
      done
      return 1
    fi
    sleep 1
  done
}

# signal_and_wait SIGNAL TIMEOUT I...: signals the given nodes, waits (bounded) until they are gone.
signal_and_wait() {
  local sig="$1" timeout="$2" i pid deadline rc=0
  shift 2
  for i in "$@"; do
    pid="$(node_pid "$i")"
    if [ -n "$pid" ]; then
      echo "node $i: SIG$sig to pid $pid"
      kill "-$sig" "$pid" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + timeout))
  for i in "$@"; do
    while [ -n "$(node_pid "$i")" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    pid="$(node_pid "$i")"
    if [ -n "$pid" ]; then
      echo "cluster.sh: node $i (pid $pid) still running after ${timeout}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      rc=1
    else
      echo "node $i: exited"
    fi
    rm -f "$(pid_file "$i")"
  done
  return "$rc"
}

members_of() {
  local i list=""
  for i in "$@"; do list="$list,127.0.0.1:$(member_port "$i")"; done
  echo "${list#,}"
}

cmd_start() {
  local n="${1:-}" i started=()
  case "$n" in '' | *[!0-9]*) usage ;; esac
  if [ "$n" -lt 1 ] || [ "$n" -gt "$max_nodes" ]; then die "N must be 1..$max_nodes (got $n)"; fi
  [ -z "$(running_indexes)" ] || die "nodes are already running in $dir (status, add, or stop first)"
  ensure_jar
  mkdir -p "$dir"
  for i in $(seq 1 "$n"); do check_ports "$i"; done
  local members
  # shellcheck disable=SC2046  # one index per word
  members="$(members_of $(seq 1 "$n"))"
  echo "cluster '$cluster_name' in $dir: $n nodes, min cluster size $min_cluster_size, members $members"
  for i in $(seq 1 "$n"); do
    launch "$i" "$members"
    started+=("$i")
  done
  if ! wait_ready "${started[@]}"; then
    echo "cluster.sh: stopping the nodes this command started" >&2
    signal_and_wait TERM 20 "${started[@]}" >&2 || true
    exit 1
  fi
}

cmd_add() {
  local last i running
  running="$(running_indexes)"
  last="$(known_indexes | tail -n 1)"
  i=$(( ${last:-0} + 1 ))
  [ "$i" -le "$max_nodes" ] || die "node indexes are used up to $max_nodes in $dir"
  ensure_jar
  check_ports "$i"
  mkdir -p "$dir"
  # shellcheck disable=SC2086  # one index per word
  launch "$i" "$(members_of $running "$i")"
  if ! wait_ready "$i"; then
    echo "cluster.sh: stopping node $i" >&2
    signal_and_wait TERM 20 "$i" >&2 || true
    exit 1
  fi
}

cmd_stop_one() {
  local i
  i="$(running_indexes | tail -n 1)"
  [ -n "$i" ] || die "no node is running in $dir"
  signal_and_wait TERM "$stop_timeout" "$i"
}

cmd_kill_one() {
  local i="${1:-}"
  if [ -z "$i" ]; then
    i="$(running_indexes | tail -n 1)"
    [ -n "$i" ] || die "no node is running in $dir"
  fi
  case "$i" in *[!0-9]*) usage ;; esac
  [ -n "$(node_pid "$i")" ] || die "node $i is not running"
  signal_and_wait KILL 10 "$i"
}

cmd_stop() {
  local running
  running="$(running_indexes)"
  if [ -z "$running" ]; then
    echo "no node is running in $dir"
    return 0
  fi
  # shellcheck disable=SC2086  # one index per word
  signal_and_wait TERM "$stop_timeout" $running
}

cmd_status() {
  local i pid ready members any=0
  printf '%-5s %-8s %-6s %-6s %-6s %-9s %-7s %s\n' node pid http binary member state members data-dir
  for i in $(known_indexes); do
    any=1
    pid="$(node_pid "$i")"
    members=""
    if [ -z "$pid" ]; then
      ready="stopped"
      pid="-"
    else
      if is_ready "$i"; then ready="ready"; else ready="not-ready"; fi
      # The cluster size this node last logged (Hazelcast logs "Members {size:N" on every change).
      members="$(grep -o 'Members {size:[0-9]*' "$(log_file "$i")" 2>/dev/null | tail -n 1 | sed 's/.*size://' || true)"
    fi
    printf '%-5s %-8s %-6s %-6s %-6s %-9s %-7s %s\n' "$i" "$pid" "$(http_port "$i")" "$(binary_port "$i")" \
      "$(member_port "$i")" "$ready" "${members:--}" "$(data_dir "$i")"
  done
  [ "$any" = 1 ] || echo "(no nodes in $dir)"
}

command -v curl > /dev/null || die "curl is needed (readiness checks)"
command -v setsid > /dev/null || die "setsid (util-linux) is needed"
case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  add) cmd_add ;;
  stop-one) cmd_stop_one ;;
  kill-one) cmd_kill_one "${2:-}" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
