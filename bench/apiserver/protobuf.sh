#!/usr/bin/env bash
# Protobuf against JSON in one run, against a real etcd, all on loopback:
#   1. CREATE pods, 32 concurrent clients, JSON bodies then protobuf bodies
#      (create.lua; protobuf answers for protobuf requests, as client-go asks)
#   2. LIST of 1,000 pods, 32 clients, Accept JSON then Accept protobuf
# Each CREATE phase writes to a namespace of its own, so both start equal.
# Usage: bench/apiserver/protobuf.sh [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver >/dev/null
bench_start
PB=application/vnd.kubernetes.protobuf

for body in json protobuf; do
  bench_namespace "create-$body"
  TUG_BENCH_BODY=$body wrk -t2 -c32 -d"${seconds}s" --latency -s bench/apiserver/create.lua \
    "$API/api/v1/namespaces/create-$body/pods" | summary "CREATE-$body"
  echo "pods created ($body): $(curl -fsS "$API/api/v1/namespaces/create-$body/pods" | jq '.items | length')"
done

bench_fill_pods list1000 1000
echo "list size: json $(curl -fsS "$API/api/v1/namespaces/list1000/pods" | wc -c) bytes," \
  "protobuf $(curl -fsS -H "Accept: $PB" "$API/api/v1/namespaces/list1000/pods" | wc -c) bytes"

wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/list1000/pods" | summary LIST-json
wrk -t2 -c32 -d"${seconds}s" --latency -H "Accept: $PB, application/json" \
  "$API/api/v1/namespaces/list1000/pods" | summary LIST-protobuf
echo "apiserver RSS after the run: $(ps -o rss= -p "$APISERVER_PID") KiB"
