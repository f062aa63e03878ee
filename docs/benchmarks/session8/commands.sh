#!/bin/bash
# The session 8 batch as it ran (docs/benchmarks.md, "Session 8"), plus, after it, 2 nodes with STOCKGRID_PARTITIONS=17.
# Each part writes under $OUT (default /tmp/b8).
set -u
cd "$(dirname "$0")/../../.."  # the repository root; jars built with mvn -B -DskipTests package
B=${OUT:-/tmp/b8}; rm -rf $B; mkdir -p $B
GEN="java -jar benchmarks/target/stockgrid-bench.jar"
NODE="java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xmx4g -Dorg.slf4j.simpleLogger.log.stockgrid.requests=warn -jar grid-node/target/stockgrid-node.jar"
waitready() { for i in $(seq 1 90); do curl -sfk "$1" >/dev/null && return 0; sleep 1; done; return 1; }
echo "start $(date +%T)" > $B/progress
# 1. side by side, 32 x 4, three rounds
benchmarks/compare.sh --warmup 15 --duration 10 --rounds 3 --node-args "--max-reservations 20000000" --out $B/cmp > $B/cmp.log 2>&1
echo "cmp done $(date +%T)" >> $B/progress
# 2. 50 connections x 1 in flight (the HTTP target's driving)
benchmarks/compare.sh --warmup 15 --duration 10 --connections 50 --window 1 --node-args "--max-reservations 20000000" --out $B/cmp50x1 > $B/cmp50x1.log 2>&1
echo "cmp50x1 done $(date +%T)" >> $B/progress
# 3. flash sale: spread (10,000 SKU-locations, uniform) vs one hot SKU-location, one node each
for shape in spread hot; do
  rm -rf $B/fs-$shape-data
  $NODE --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/fs-$shape-data > $B/fs-$shape-node.log 2>&1 &
  pid=$!; waitready http://127.0.0.1:18180/health/ready
  if [ $shape = spread ]; then args="--skus 10000 --skew uniform --stock 100000"; else args="--skus 1 --stock 1000000000"; fi
  $GEN --target binary --port 17170 --rate 0 --warmup 15 --duration 10 --connections 32 --window 4 $args > $B/fs-$shape.txt 2>&1
  kill $pid; wait $pid 2>/dev/null
done
echo "flash done $(date +%T)" >> $B/progress
# 4. TLS: binary plain vs binary TLS on one node started with a certificate made here
openssl req -x509 -newkey rsa:2048 -nodes -keyout $B/key.pem -out $B/cert.pem -days 1 -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" > $B/openssl.log 2>&1
for mode in plain tls; do
  rm -rf $B/tls-$mode-data
  if [ $mode = tls ]; then targs="--tls-cert $B/cert.pem --tls-key $B/key.pem"; gargs="--tls --tls-ca $B/cert.pem"; url=https://127.0.0.1:18180/health/ready; else targs=""; gargs=""; url=http://127.0.0.1:18180/health/ready; fi
  $NODE --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/tls-$mode-data $targs > $B/tls-$mode-node.log 2>&1 &
  pid=$!; waitready $url
  $GEN --target binary --port 17170 --rate 0 --warmup 15 --duration 10 --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000 $gargs > $B/tls-$mode.txt 2>&1
  kill $pid; wait $pid 2>/dev/null
done
echo "tls done $(date +%T)" >> $B/progress
# 5. one, two and three nodes (deploy/local/cluster.sh), the generator on node 1's binary port
for n in 1 2 3; do
  export STOCKGRID_CLUSTER_DIR=$B/c$n STOCKGRID_JAVA_OPTS="-XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -XX:+ExitOnOutOfMemoryError -Xmx2g"
  deploy/local/cluster.sh start $n > $B/c-start-$n.log 2>&1
  $GEN --target binary --port 17071 --rate 0 --warmup 15 --duration 10 --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000 > $B/c-gen-$n.txt 2>&1
  deploy/local/cluster.sh stop > $B/c-stop-$n.log 2>&1
done
echo "cluster done $(date +%T)" >> $B/progress
echo DONE >> $B/progress
