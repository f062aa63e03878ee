#!/bin/bash
# gcpeak.sh LABEL [java opts] : binary peak 15+10 s, no -Xmx, GC log; prints pause stats in the run
L=$1; shift; cd /tmp/exp; B=/tmp/gp-$L; rm -rf $B; mkdir -p $B
java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError "$@" -Xlog:gc:file=$B/gc.log -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 > $B/node.log 2>&1 &
pid=$!; for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
java -jar benchmarks/target/stockgrid-bench.jar --target binary --port 17170 --rate 0 --warmup 15 --duration 10 --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000 --out $B/out > $B/gen.txt 2>&1
java -jar benchmarks/target/stockgrid-bench.jar --target binary --port 17170 --rate 0 --warmup 5 --duration 10 --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000 --out $B/out2 > $B/gen2.txt 2>&1
kill $pid; wait $pid 2>/dev/null
echo "$L: $(grep achieved $B/gen.txt | awk '{print $4}') $(grep achieved $B/gen2.txt | awk '{print $4}') pauses: $(grep 'Pause Young' $B/gc.log | awk '{print $NF}' | sed 's/ms//' | sort -n | awk '{a[NR]=$1; s+=$1} END {print "n",NR,"sum",int(s),"p50",a[int(NR*0.5)],"p90",a[int(NR*0.9)],"p99",a[int(NR*0.99)],"max",a[NR]}')"
