#!/bin/bash
# usage: httpfix.sh LABEL ROOT SNAPSHOT_INTERVAL -> node, binary peak 40 s (fills ~1.8M reservations), then HTTP 128x1 at 12455 req/s for 15+20 s
L=$1; R=${2:-/tmp/v10}; S=${3:-0}; cd $R
B=/tmp/hf10-$L; rm -rf $B; mkdir -p $B
java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xlog:gc:file=$B/gc.log:uptime -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 --snapshot-interval-seconds $S > $B/node.log 2>&1 &
pid=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
G="java -jar benchmarks/target/stockgrid-bench.jar --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000"
$G --target binary --port 17170 --rate 0 --warmup 10 --duration 30 --out $B/p1 > $B/p1.txt 2>&1
$G --target http --http-spread --port 18180 --rate 0 --warmup 5 --duration 5 --no-audit --out $B/hw > $B/hw.txt 2>&1
$G --target http --http-spread --port 18180 --rate 12455 --warmup 15 --duration 20 --out $B/f > $B/f.txt 2>&1
kill $pid; wait $pid 2>/dev/null
grep achieved $B/p1.txt $B/f.txt | cut -c1-150; grep -A1 "latency ms" $B/f.txt | tail -1
grep "snapshot:" $B/node.log | cut -c1-160
grep -E "measure\]|warm-up\]" $B/f.txt | awk '{print $2, $3, $7, $11, $13, $15}' | tr '\n' ';'
