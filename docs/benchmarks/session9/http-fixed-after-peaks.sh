#!/bin/bash
# usage: httpfix.sh LABEL  (NODEARGS env) -> binary peak x2 then http fixed 9780
L=$1; cd /tmp/exp
B=/tmp/hf-$L; rm -rf $B; mkdir -p $B
java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xlog:gc:file=$B/gc.log -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 ${NODEARGS:-} > $B/node.log 2>&1 &
pid=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
G="java -jar benchmarks/target/stockgrid-bench.jar --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000"
$G --target binary --port 17170 --rate 0 --warmup 10 --duration 10 --out $B/p1 > $B/p1.txt 2>&1
$G --target binary --port 17170 --rate 0 --warmup 5 --duration 10 --out $B/p2 > $B/p2.txt 2>&1
$G --target http --port 18180 --rate 9780 --warmup 15 --duration 10 --out $B/f > $B/f.txt 2>&1
kill $pid; wait $pid 2>/dev/null
grep achieved $B/p1.txt $B/p2.txt $B/f.txt | cut -c1-150; grep -A1 "latency ms" $B/f.txt | tail -1
echo "longest GC pauses:"; grep -o "Pause[^)]*) [0-9M>()-]* [0-9.]*ms" $B/gc.log | awk '{print $NF, $0}' | sort -rn | head -5
