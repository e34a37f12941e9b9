#!/bin/bash
# Usage: tests/bench/startup.sh target/release/amends
# Prints the time from start to the first answered /healthz, the idle RSS,
# and the exit code after SIGTERM (0 = clean shutdown).
# Start a fresh server and time until /healthz answers.
BIN=$1; DIR=$(mktemp -d)
start=$(date +%s%N)
$BIN serve --data-dir $DIR --bind 127.0.0.1:3901 > $DIR/log 2>&1 &
pid=$!
until curl -sf http://127.0.0.1:3901/healthz > /dev/null; do sleep 0.005; done
end=$(date +%s%N)
echo "start to first healthz: $(( (end-start)/1000000 )) ms"
sleep 2
echo "idle RSS: $(grep VmRSS /proc/$pid/status)"
kill -TERM $pid; wait $pid; echo "exit code after SIGTERM: $?"
rm -rf $DIR
