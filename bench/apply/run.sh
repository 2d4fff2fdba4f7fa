#!/usr/bin/env bash
# `kubectl apply -f` of one manifest of N objects (200 by default: Deployments,
# Services, ConfigMaps and Secrets, a quarter each) against a real etcd and
# tug-apiserver on loopback, with kubectl's default validation. Each run starts
# from an empty namespace; "cold" runs start with an empty kubectl cache (the
# OpenAPI and discovery documents are fetched), "warm" ones keep it. A last row
# applies the same manifest again (every object unchanged), and one run with
# --validate=false shows what validation costs. The same runs with
# --server-side (create, then unchanged) put server-side apply beside them.
# The server's share is the sum of the API server's own request durations
# (apiserver_request_duration_seconds_sum on /metrics) over the run.
# Usage: bench/apply/run.sh [--objects N] [--runs R]
# (APISERVER_BIN=path/to/tug-apiserver measures another build.)
set -euo pipefail
cd "$(dirname "$0")/../.."
objects=200 runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --objects) objects=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--objects N] [--runs R]" >&2; exit 2 ;;
  esac
done
make --no-print-directory bin/tug-apiserver >/dev/null
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
trap apiserver_stop EXIT
apiserver_start
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "etcd: $(etcd --version | head -1); kubectl: $(kubectl version --client 2>/dev/null | head -1)"
grep -o 'msg="openapi documents built".*' "$APISERVER_LOG" || true

export KUBECONFIG="$ETCD_DIR/kubeconfig"
kubeconfig "$KUBECONFIG"
manifest="$ETCD_DIR/manifest.yaml"
for i in $(seq 1 $((objects / 4))); do
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-$i, labels: {app: app-$i}}
spec:
  replicas: 2
  selector: {matchLabels: {app: app-$i}}
  template:
    metadata: {labels: {app: app-$i}}
    spec:
      containers:
      - name: app
        image: busybox:latest
        command: [httpd, -f, -p, "8080"]
        ports: [{containerPort: 8080, name: http}]
        env: [{name: MODE, value: prod}]
        resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 64Mi}}
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 5}
---
apiVersion: v1
kind: Service
metadata: {name: app-$i}
spec:
  selector: {app: app-$i}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-$i}
data: {mode: prod, level: info}
---
apiVersion: v1
kind: Secret
metadata: {name: app-$i}
stringData: {password: s3cret-$i}
---
YAML
done >"$manifest"

server_seconds() {
  curl -fsS "$API/metrics" | awk '/^apiserver_request_duration_seconds_sum/{s+=$2} END{printf "%.3f", s}'
}

# run NAME NAMESPACE CACHE_DIR KUBECTL_ARGS...: apply once into NAMESPACE; wall
# time, server time, requests.
run() {
  local name=$1 ns=$2 cache=$3 before after start wall
  shift 3
  before=$(server_seconds)
  start=$(date +%s.%N)
  kubectl --cache-dir "$cache" -v=6 apply -n "$ns" -f "$manifest" "$@" >"$ETCD_DIR/out" 2>"$ETCD_DIR/log"
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  after=$(server_seconds)
  printf '%-34s wall_s=%-6.2f server_s=%-6.3f requests=%-4s openapi_requests=%s\n' "$name" "$wall" \
    "$(echo "$after - $before" | bc)" "$(grep -c 'round_trippers.go.*[0-9] milliseconds' "$ETCD_DIR/log")" \
    "$(grep -c 'round_trippers.go.*/openapi/' "$ETCD_DIR/log" || true)"
}

# Namespaces are not deleted (that needs tug-controllers): each run gets a new one.
for r in $(seq 1 "$runs"); do
  kubectl create namespace "cold-$r" >/dev/null
  kubectl create namespace "warm-$r" >/dev/null
  rm -rf "$ETCD_DIR/cache"
  run "create, cold cache ($r)" "cold-$r" "$ETCD_DIR/cache"
  run "create, warm cache ($r)" "warm-$r" "$ETCD_DIR/cache"
done
run "re-apply, all unchanged" "warm-$runs" "$ETCD_DIR/cache"
for r in $(seq 1 "$runs"); do
  kubectl create namespace "ssa-$r" >/dev/null
  run "server-side create, warm ($r)" "ssa-$r" "$ETCD_DIR/cache" --server-side
done
run "server-side re-apply, unchanged" "ssa-$runs" "$ETCD_DIR/cache" --server-side
kubectl create namespace unvalidated >/dev/null
run "create, --validate=false" unvalidated "$ETCD_DIR/cache" --validate=false
echo "objects: $(grep -c created "$ETCD_DIR/out") created in the last run"
