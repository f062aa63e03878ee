#!/bin/bash
# usage: fixed.sh DIR LABEL RATE [node java opts...] -> binary fixed rate, zipf 10k, 32x4
D=$1; L=$2; R=$3; shift 3
cd $D
B=/tmp/fixed-$L; rm -rf $B; mkdir -p $B
java -XX:+ExitOnOutOfMemoryError -Xmx4g "$@" -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 ${NODEARGS:-} > $B/node.log 2>&1 &
pid=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
java -jar benchmarks/target/stockgrid-bench.jar --target binary --port 17170 --rate $R --warmup ${WARM:-15} --duration ${DUR:-15} --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000 --out $B/out > $B/gen.txt 2>&1
kill $pid; wait $pid 2>/dev/null
echo "$L: $(grep -A2 'latency ms' $B/gen.txt | tail -1)"
