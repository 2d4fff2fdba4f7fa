#!/usr/bin/env bash
# Protobuf against JSON in one run, against a real etcd, all on loopback:
#   1. CREATE pods, 32 concurrent clients, JSON bodies then protobuf bodies
#      (create.lua; protobuf answers for protobuf requests, as client-go asks)
#   2. LIST of 1,000 pods, 32 clients, Accept JSON then Accept protobuf
# Each CREATE phase writes to a namespace of its own, so both start equal.
# Usage: bench/apiserver/protobuf.sh [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=10 threads=16
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--threads N]" >&2; exit 2 ;;
  esac
done
make --no-print-directory bin/tug-apiserver >/dev/null
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
trap apiserver_stop EXIT
apiserver_start --threads "$threads" --max-requests-inflight 1000
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "etcd: $(etcd --version | head -1); tug-apiserver --threads $threads; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
PB=application/vnd.kubernetes.protobuf

summary() { # summary NAME < wrk output
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /codes_non2xx=/ {split($0, a, "="); bad=a[2]}
    /Non-2xx/ {bad=$NF}
    END {printf "%-14s req_per_s=%s p50=%s p99=%s non2xx=%s\n", name, rps, p50, p99, bad+0}'
}

namespace() {
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
    -d "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$1\"}}"
}

for body in json protobuf; do
  namespace "create-$body"
  TUG_BENCH_BODY=$body wrk -t2 -c32 -d"${seconds}s" --latency -s bench/apiserver/create.lua \
    "$API/api/v1/namespaces/create-$body/pods" | summary "CREATE-$body"
  echo "pods created ($body): $(curl -fsS "$API/api/v1/namespaces/create-$body/pods" | jq '.items | length')"
done

namespace list1000
seq 1 1000 | xargs -P 16 -I{} curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
  "$API/api/v1/namespaces/list1000/pods" \
  -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p{}","labels":{"app":"list"}},"spec":{"containers":[{"name":"c","image":"busybox:latest","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}'
echo "list size: json $(curl -fsS "$API/api/v1/namespaces/list1000/pods" | wc -c) bytes," \
  "protobuf $(curl -fsS -H "Accept: $PB" "$API/api/v1/namespaces/list1000/pods" | wc -c) bytes"

wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/list1000/pods" | summary LIST-json
wrk -t2 -c32 -d"${seconds}s" --latency -H "Accept: $PB, application/json" \
  "$API/api/v1/namespaces/list1000/pods" | summary LIST-protobuf
echo "apiserver RSS after the run: $(ps -o rss= -p "$APISERVER_PID") KiB"
