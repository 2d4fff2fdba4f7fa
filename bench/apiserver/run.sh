#!/usr/bin/env bash
# API server benchmark against a real etcd, all on loopback:
#   1. CREATE pods, 32 concurrent clients (wrk + create.lua)
#   2. GET of one pod, 32 clients
#   3. LIST of 1,000 pods, 32 clients
#   4. watch fan-out: 1,000 watchers, time from a write to its delivery
# Usage: bench/apiserver/run.sh [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver build/bench-watch >/dev/null
bench_start

ns=bench
bench_namespace "$ns"

wrk -t2 -c32 -d"${seconds}s" --latency -s bench/apiserver/create.lua \
  "$API/api/v1/namespaces/$ns/pods" | summary CREATE
total=$(curl -fsS "$API/api/v1/namespaces/$ns/pods" | jq '.items | length')
echo "pods created: $total"

# Exactly 1,000 pods for LIST, in a namespace of their own.
bench_fill_pods list1000 1000
echo "list size: $(curl -fsS "$API/api/v1/namespaces/list1000/pods" | wc -c) bytes, $(curl -fsS "$API/api/v1/namespaces/list1000/pods" | jq '.items | length') pods"

wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/list1000/pods/p500" | summary GET
wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/list1000/pods" | summary LIST

bench_namespace bench-watch
port=${API##*:}
build/bench-watch --port "$port" --watchers 1000 --writes 50 --namespace bench-watch
echo "apiserver RSS after the run: $(ps -o rss= -p "$APISERVER_PID") KiB"
