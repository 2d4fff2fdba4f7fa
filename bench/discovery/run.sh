#!/usr/bin/env bash
# What discovery costs stock kubectl with an empty cache: the requests
# `kubectl get pods` makes, and the wall time of RUNS `kubectl api-resources`
# (each with its cache emptied first), against each tug-apiserver binary named
# (default bin/tug-apiserver; name an older build beside it to compare, e.g.
# one without aggregated discovery). One etcd on loopback for all of them.
#   bench/discovery/run.sh [--runs N] [APISERVER...]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=10
if [ "${1:-}" = --runs ]; then runs=$2; shift 2; fi
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(bin/tug-apiserver)
BATS_TEST_DIRNAME=$PWD/e2e
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
trap 'etcd_stop' EXIT
echo "date: $(date -u +%FT%TZ)  machine: $(nproc) cores, $(uname -r)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kubectl: $(kubectl version --client -o json | jq -r .clientVersion.gitVersion)"
etcd_start
work=$(mktemp -d)
for bin in "${bins[@]}"; do
  port=$(_free_port)
  API="http://127.0.0.1:$port"
  "$bin" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" >"$work/apiserver.log" 2>&1 &
  pid=$!
  wait_ready tug-apiserver "$pid" "$work/apiserver.log" curl -fsS "$API/readyz"
  kubeconfig "$work/kubeconfig"
  export KUBECONFIG="$work/kubeconfig"
  rm -rf "$KUBECACHEDIR"
  requests=$(kubectl get pods -v=6 2>&1 | grep -c 'GET http')
  start=$(date +%s.%N)
  for _ in $(seq "$runs"); do
    rm -rf "$KUBECACHEDIR"
    kubectl api-resources >/dev/null
  done
  end=$(date +%s.%N)
  printf '%s: get pods, cold cache: %d requests; %d x api-resources, cold cache: %.2f s\n' \
    "$bin" "$requests" "$runs" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
  stop_pid "$pid"
done
rm -rf "$work"
