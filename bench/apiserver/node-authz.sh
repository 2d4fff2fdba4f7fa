#!/usr/bin/env bash
# What the node authorizer costs an agent's GET as the cluster grows: NODES
# nodes with PODS pods each (all in one namespace, the worst case for a scan
# of a namespace's pods), every pod mounting its node's Secret; then wrk GETs
# one node's Secret as that node (the admin impersonating system:node:NAME in
# system:nodes over the plain loopback listener, so TLS is not in the figure),
# against the same GET as the admin (no node authorizer decision). Prints
# both and the node's share of the admin's throughput.
# Usage: bench/apiserver/node-authz.sh [--seconds N] [--threads N] (NODES=1000 PODS=10)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver >/dev/null
nodes=${NODES:-1000} pods=${PODS:-10}
export APISERVER_INSECURE=1
bench_start
echo "nodes: $nodes, pods per node: $pods"
bench_namespace bench
seq 1 "$nodes" | xargs -P 16 -I{} curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
  "$API/api/v1/namespaces/bench/secrets" \
  -d '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"sec-n{}"},"data":{"k":"dg=="}}'
for n in $(seq 1 "$nodes"); do
  for p in $(seq 1 "$pods"); do echo "$n $p"; done
done | xargs -P 16 -n 2 sh -c 'curl -fsS -o /dev/null -X POST -H "Content-Type: application/json" \
  "$0/api/v1/namespaces/bench/pods" -d "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",
  \"metadata\":{\"name\":\"p-n$1-$2\"},\"spec\":{\"nodeName\":\"n$1\",
  \"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}],
  \"volumes\":[{\"name\":\"s\",\"secret\":{\"secretName\":\"sec-n$1\"}}]}}"' "$API"
echo "pods: $(curl -fsS "$API/api/v1/namespaces/bench/pods" | jq '.items | length')"
node=n$((nodes / 2))
url="$API/api/v1/namespaces/bench/secrets/sec-$node"
admin=$(wrk -t2 -c32 -d"${seconds}s" --latency "$url" | summary GET-admin)
echo "$admin"
as_node=$(wrk -t2 -c32 -d"${seconds}s" --latency -H "Impersonate-User: system:node:$node" \
  -H 'Impersonate-Group: system:nodes' "$url" | summary "GET-as-$node")
echo "$as_node"
other=$(curl -sS -o /dev/null -w '%{http_code}' -H "Impersonate-User: system:node:$node" \
  -H 'Impersonate-Group: system:nodes' "$API/api/v1/namespaces/bench/secrets/sec-n1")
echo "another node's Secret: $other (want 403)"
rate() { sed 's/.*req_per_s=\([0-9.]*\).*/\1/' <<<"$1"; }
awk -v a="$(rate "$admin")" -v n="$(rate "$as_node")" 'BEGIN {printf "node / admin throughput: %.2f\n", n / a}'
