#!/bin/bash
# usage: loop.sh DIR TEST N OUT -> runs `mvn -o -B test -pl grid-node -am -Dtest=TEST` N times in DIR (a worktree), counts passes and failures into OUT, keeps the logs of failed runs
cd $1; pass=0; fail=0
for i in $(seq 1 $3); do
  if mvn -o -B test -pl grid-node -am -Dtest=$2 -Dsurefire.failIfNoSpecifiedTests=false > $4.run$i.log 2>&1; then pass=$((pass+1)); rm -f $4.run$i.log; else fail=$((fail+1)); fi
  echo "$(date +%T) run $i: pass $pass fail $fail" >> $4
done
echo "done: pass $pass fail $fail" >> $4
