#!/usr/bin/env bash
# `tug get pods -A` on N pods (10,000 by default) against a real etcd and
# tug-apiserver on loopback, side by side with kubectl and with curl of the
# same list (the floor: one HTTP request, no printing). Pods are created
# through the API by one curl process with 32 requests in parallel.
# Prints wall time and peak RSS (/usr/bin/time -v), best of --runs.
# Usage: bench/cli/run.sh [--pods N] [--runs R]
set -euo pipefail
cd "$(dirname "$0")/../.."
pods=10000 runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --pods) pods=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--pods N] [--runs R]" >&2; exit 2 ;;
  esac
done
make --no-print-directory bin/tug bin/tug-apiserver >/dev/null
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
trap apiserver_stop EXIT
apiserver_start --max-requests-inflight 1000
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "etcd: $(etcd --version | head -1); kubectl: $(kubectl version --client 2>/dev/null | head -1)"

# Ten namespaces, pods spread over them, so -A has a NAMESPACE column to fill.
cfg="$ETCD_DIR/create.curl"
: >"$cfg"
for n in $(seq 0 9); do
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
    -d "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench-$n\"}}"
done
for i in $(seq 1 "$pods"); do
  printf 'url = "%s/api/v1/namespaces/bench-%d/pods"\nrequest = "POST"\nheader = "Content-Type: application/json"\noutput = "/dev/null"\n' \
    "$API" $((i % 10))
  printf 'data = "{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Pod\\",\\"metadata\\":{\\"name\\":\\"pod-%d\\",\\"labels\\":{\\"app\\":\\"bench\\"}},\\"spec\\":{\\"containers\\":[{\\"name\\":\\"c\\",\\"image\\":\\"busybox:latest\\",\\"command\\":[\\"sleep\\",\\"3600\\"]}]}}"\nnext\n' "$i"
done >>"$cfg"
sed -i '$d' "$cfg" # a last "next" would open an empty, failing group
start=$(date +%s.%N)
curl -sS --no-progress-meter -Z --parallel-max 32 -K "$cfg"
have=$(curl -fsS "$API/api/v1/pods" | jq '.items | length')
echo "created $have pods in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s"

# tug and kubectl read the same admin kubeconfig (apiserver.bash's, over HTTPS).
export TUG_CONFIG="$ETCD_DIR/tug-config" KUBECONFIG="$ETCD_DIR/kubeconfig"
kubeconfig "$KUBECONFIG"
echo "kubeconfig: $KUBECONFIG" >"$TUG_CONFIG"

# measure NAME CMD...: best wall time and its peak RSS over $runs runs; the row count.
measure() {
  local name=$1 best="" rss="" lines
  shift
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -v "$@" >"$ETCD_DIR/out" 2>"$ETCD_DIR/time" || { cat "$ETCD_DIR/time"; return 1; }
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); print a[n]+(n>1?a[n-1]*60:0)}' "$ETCD_DIR/time")
    kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$ETCD_DIR/time")
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc)" = 1 ]; then best=$wall rss=$kb; fi
  done
  lines=$(wc -l <"$ETCD_DIR/out")
  printf '%-34s wall_s=%-6s peak_rss_mib=%-6s lines=%s\n' "$name" "$best" "$((rss / 1024))" "$lines"
}

measure "tug get pods -A" bin/tug get pods -A
measure "tug get pods -A -o name" bin/tug get pods -A -o name
measure "kubectl get pods -A" kubectl get pods -A --request-timeout=60s
measure "curl Table list (no printing)" curl -fsS -o "$ETCD_DIR/out" \
  -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$API/api/v1/pods"
