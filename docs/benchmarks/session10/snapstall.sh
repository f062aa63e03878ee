#!/bin/bash
# usage: snapstall.sh LABEL JAR_ROOT -> node with gc log, binary peak to fill reservations, then a fixed rate across a snapshot
L=$1; R=${2:-/tmp/v10}; cd $R
B=/tmp/ss-$L; rm -rf $B; mkdir -p $B
java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xlog:gc:file=$B/gc.log:uptime -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 --snapshot-interval-seconds 60 ${NODEARGS:-} > $B/node.log 2>&1 &
pid=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
G="java -jar benchmarks/target/stockgrid-bench.jar --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000"
$G --target binary --port 17170 --rate 0 --warmup 10 --duration 20 --out $B/p1 > $B/p1.txt 2>&1
$G --target binary --port 17170 --rate 6800 --warmup 5 --duration 40 --out $B/f > $B/f.txt 2>&1
kill $pid; wait $pid 2>/dev/null
grep achieved $B/p1.txt $B/f.txt | cut -c1-150; grep -A1 "latency ms" $B/f.txt | tail -1
grep "snapshot:" $B/node.log | cut -c1-200
grep -E "measure\]|warm-up\]" $B/f.txt | awk '{print $2, $3, $7, $11, $13, $15}' | head -50
echo "longest GC pauses:"; grep -E "Pause" $B/gc.log | awk '{print $NF, $0}' | sort -rn | head -8
