#!/bin/bash
# usage: gcphases.sh LABEL ROOT -> node with gc phase log, binary peak to fill, fixed rate 6800 for 30 s (no snapshot)
L=$1; R=${2:-/tmp/v10}; cd $R
B=/tmp/gp-$L; rm -rf $B; mkdir -p $B
java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError ${JOPTS:-} -Xlog:gc*=debug:file=$B/gc.log:uptime -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 --snapshot-interval-seconds 0 ${NODEARGS:-} > $B/node.log 2>&1 &
pid=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
G="java -jar benchmarks/target/stockgrid-bench.jar --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000"
$G --target binary --port 17170 --rate 0 --warmup 10 --duration 20 --out $B/p1 > $B/p1.txt 2>&1
echo "fixed start $(grep -c 'Pause Young' $B/gc.log)" > $B/mark
$G --target binary --port 17170 --rate 6800 --warmup 5 --duration 30 --out $B/f > $B/f.txt 2>&1
kill $pid; wait $pid 2>/dev/null
grep achieved $B/p1.txt $B/f.txt | cut -c1-150; grep -A1 "latency ms" $B/f.txt | tail -1
