#!/bin/bash
# node; fixed rate 6800 for 40 s; class histograms (live) at 12 s and 32 s of it; diff
R=${2:-/tmp/v10}; cd $R; B=/tmp/hi-$1; rm -rf $B; mkdir -p $B
java -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:MaxTenuringThreshold=0 -jar grid-node/target/stockgrid-node.jar --http-port 18180 --binary-port 17170 --member-port 15790 --data-dir $B/data --max-reservations 20000000 --snapshot-interval-seconds 0 > $B/node.log 2>&1 &
pid=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18180/health/ready >/dev/null && break; sleep 1; done
java -jar benchmarks/target/stockgrid-bench.jar --connections 32 --window 4 --skus 10000 --skew zipf --stock 100000 --target binary --port 17170 --rate 6800 --warmup 5 --duration 40 --out $B/f > $B/f.txt 2>&1 &
g=$!
sleep 20; jcmd $pid GC.class_histogram > $B/h1.txt
sleep 20; jcmd $pid GC.class_histogram > $B/h2.txt
wait $g; kill $pid; wait $pid 2>/dev/null
python3 - $B <<'PY'
import sys,re
B=sys.argv[1]
def load(f):
    d={}
    for l in open(f):
        m=re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)',l)
        if m: d[m.group(3)]=(int(m.group(1)),int(m.group(2)))
    return d
a=load(B+'/h1.txt'); b=load(B+'/h2.txt')
rows=[(b[k][1]-a.get(k,(0,0))[1], b[k][0]-a.get(k,(0,0))[0], k) for k in b]
rows.sort(reverse=True)
print("growth in 20 s at 6800 req/s (bytes, instances, class):")
for r in rows[:25]: print(r)
PY
