#!/bin/bash
# usage: peak.sh DIR LABEL [extra node java opts...]  -> binary peak, zipf 10k, 32x4; node CPU per answer in the measured window
D=$1; L=$2; shift 2
cd $D
B=/tmp/peak-$L; rm -rf $B; mkdir -p $B
W=${WARM:-15}; M=${DUR:-10}
java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xmx4g "$@" -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 ${NODEARGS:-} > $B/node.log 2>&1 &
pid=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
java -jar benchmarks/target/stockgrid-bench.jar --target binary --port 17170 --rate 0 --warmup $W --duration $M --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000 --out $B/out > $B/gen.txt 2>&1 &
gpid=$!
sleep $((W+1)); c0=$(cpu $pid); sleep $((M-2)); c1=$(cpu $pid)
wait $gpid; curl -s http://127.0.0.1:18180/metrics > $B/metrics.txt
kill $pid; wait $pid 2>/dev/null
tps=$(awk '/achieved/ {sub("/s","",$4); print $4}' $B/gen.txt)
echo "$L achieved $tps/s node-cpu $(( (c1-c0) ))ticks/$((M-2))s = $(python3 -c "print(round(($c1-$c0)*10000/($tps*($M-2)),1))") us/answer"
