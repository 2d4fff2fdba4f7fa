#!/usr/bin/env bash
# Authorization's cost, in one run on loopback:
#   1. bench-rbac: ns per decision of the RBAC index with 1,000 RoleBindings
#   2. GET of one pod, 32 keep-alive clients, as user-1 (impersonated: view in
#      ns-1 through one of 1,000 RoleBindings), with --authorization-mode=RBAC
#      and then AlwaysAllow, each against a fresh etcd holding the same objects.
# Usage: bench/rbac/run.sh [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver build/bench-rbac >/dev/null

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
build/bench-rbac --bindings 1000 --namespaces 100

fill() { # 100 namespaces, 1,000 RoleBindings (user-i: view in ns-(i % 100)), one pod
  seq 0 99 | xargs -P 16 -I{} curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
    "$API/api/v1/namespaces" -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns-{}"}}'
  seq 0 999 | xargs -P 16 -I{} sh -c 'curl -fsS -o /dev/null -X POST -H "Content-Type: application/json" \
    "$API/apis/rbac.authorization.k8s.io/v1/namespaces/ns-$(({} % 100))/rolebindings" \
    -d "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"b{}\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"view\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"user-{}\"}]}"'
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces/ns-1/pods" \
    -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},"spec":{"containers":[{"name":"c","image":"busybox:latest","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}'
}

trap apiserver_stop EXIT
for mode in RBAC AlwaysAllow; do
  apiserver_start --threads "$threads" --max-requests-inflight 1000 --authorization-mode "$mode"
  fill
  echo "mode=$mode rolebindings=$(curl -fsS "$API/apis/rbac.authorization.k8s.io/v1/rolebindings" | jq '.items | length')"
  [ "$(curl -sS -o /dev/null -w '%{http_code}' -H 'Impersonate-User: user-1' "$API/api/v1/namespaces/ns-1/pods/p1")" = 200 ]
  wrk -t2 -c32 -d"${seconds}s" --latency -H 'Impersonate-User: user-1' \
    "$API/api/v1/namespaces/ns-1/pods/p1" | summary "GET-user-$mode"
  wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/ns-1/pods/p1" | summary "GET-admin-$mode"
  apiserver_stop
done
