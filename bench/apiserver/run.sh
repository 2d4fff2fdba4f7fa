#!/usr/bin/env bash
# API server benchmark against a real etcd, all on loopback:
#   1. CREATE pods, 32 concurrent clients (wrk + create.lua)
#   2. GET of one pod, 32 clients
#   3. LIST of 1,000 pods, 32 clients
#   4. watch fan-out: 1,000 watchers, time from a write to its delivery
# Usage: bench/apiserver/run.sh [--seconds N] [--threads N]
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
make --no-print-directory bin/tug-apiserver build/bench-watch >/dev/null
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
trap apiserver_stop EXIT
apiserver_start --threads "$threads" --max-requests-inflight 1000
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "etcd: $(etcd --version | head -1); tug-apiserver --threads $threads; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"

summary() { # summary NAME < wrk output
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /codes_non2xx=/ {split($0, a, "="); bad=a[2]}
    /Non-2xx/ {bad=$NF}
    END {printf "%-7s req_per_s=%s p50=%s p99=%s non2xx=%s\n", name, rps, p50, p99, bad+0}'
}

ns=bench
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
  -d "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}"

wrk -t2 -c32 -d"${seconds}s" --latency -s bench/apiserver/create.lua \
  "$API/api/v1/namespaces/$ns/pods" | summary CREATE
total=$(curl -fsS "$API/api/v1/namespaces/$ns/pods" | jq '.items | length')
echo "pods created: $total"

# Exactly 1,000 pods for LIST: a namespace of its own, filled sequentially.
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
  -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"list1000"}}'
seq 1 1000 | xargs -P 16 -I{} curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
  "$API/api/v1/namespaces/list1000/pods" \
  -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p{}","labels":{"app":"list"}},"spec":{"containers":[{"name":"c","image":"busybox:latest","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}'
echo "list size: $(curl -fsS "$API/api/v1/namespaces/list1000/pods" | wc -c) bytes, $(curl -fsS "$API/api/v1/namespaces/list1000/pods" | jq '.items | length') pods"

wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/list1000/pods/p500" | summary GET
wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/list1000/pods" | summary LIST

curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
  -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench-watch"}}'
port=${API##*:}
build/bench-watch --port "$port" --watchers 1000 --writes 50 --namespace bench-watch
echo "apiserver RSS after the run: $(ps -o rss= -p "$APISERVER_PID") KiB"
