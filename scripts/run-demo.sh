#!/usr/bin/env bash
# `make run`: a local Tugboat cluster with the demo running on it.
#
# `tug up` starts etcd, tug-apiserver, tug-scheduler, tug-controllers and two
# tug-agents (as root; without root, no agent and so no container) in the
# background under DIR (default ~/.tug/cluster) and writes ~/.tug/config; then
# `tug apply` applies manifests/demo/ (namespace shop with a quota and a queue,
# a 3-replica busybox httpd Deployment behind a Service, a 5-completion Job and
# a pod), `tug rollout status` waits for the Deployment, and the pods are
# listed. With a terminal, Ctrl-C runs `tug down`, which stops everything and
# removes its pods, cgroups, mounts and state; without one (CI), the cluster
# is taken down at once.
set -euo pipefail
cd "$(dirname "$0")/.."
tug=bin/tug
dir=${TUG_DEMO_DIR:-$HOME/.tug/cluster}
nodes=2
[ "$(id -u)" -eq 0 ] || {
  echo "not root: starting no tug-agent, so no container will run" >&2
  nodes=0
}
down() { "$tug" down --dir "$dir" || true; }
trap down EXIT
"$tug" up --nodes "$nodes" --dir "$dir"
echo
"$tug" apply -f manifests/demo/
echo
if [ "$nodes" -gt 0 ]; then
  timeout 120 "$tug" rollout status deployment/web -n shop
  for _ in $(seq 1 100); do
    [ "$("$tug" get pod hello -n shop -o json | jq -r .status.phase)" = Running ] && break
    sleep 0.2
  done
  echo
  for kind in deployments jobs services quota; do
    "$tug" get "$kind" -n shop
    echo
  done
  "$tug" get queues
  echo
  "$tug" get pods -n shop -o wide
  echo
  echo "hello's log:"
  "$tug" logs hello -n shop
fi
echo
echo "Try: bin/tug get pods -n shop -o wide      bin/tug describe deployment web -n shop"
echo "     bin/tug logs hello -n shop             bin/tug scale deployment/web -n shop --replicas 5"
echo "     kubectl works too: kubectl --server \$(awk '/server/{print \$2}' ~/.tug/config) get pods -n shop"
if [ -t 0 ]; then
  echo "Press Ctrl-C to stop the cluster (tug down)."
  while :; do sleep 3600; done
fi
