#!/usr/bin/env bash
# `make run`: start what exists of a local Tugboat cluster and show the demo.
#
# Today that is etcd, tug-apiserver and one tug-agent (as root) on this host:
# the demo manifests (manifests/demo) are applied with kubectl; the pod placed
# by hand on the node runs as a real container. The scheduler and controllers
# that run the Deployment and the Job land with their issues, and this script
# will start them too. Ctrl-C stops everything and removes the demo's pods.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/agent.bash
trap 'agent_stop; apiserver_stop' EXIT INT TERM
apiserver_start
if [ "$(id -u)" -eq 0 ]; then
  agent_start tug-node-1
else
  echo "not root: starting no tug-agent, so no container will run" >&2
fi
export KUBECONFIG="$ETCD_DIR/kubeconfig"
cat >"$KUBECONFIG" <<KC
apiVersion: v1
kind: Config
clusters: [{name: tug, cluster: {server: "$API"}}]
users: [{name: me, user: {}}]
contexts: [{name: tug, context: {cluster: tug, user: me}}]
current-context: tug
KC
echo "etcd:          $ETCD_ENDPOINT (data in $ETCD_DIR)"
echo "tug-apiserver: $API (log: $APISERVER_LOG)"
[ -n "${AGENT_PID:-}" ] && echo "tug-agent:     node tug-node-1, root $AGENT_ROOT (log: $AGENT_LOG)"
echo
kubectl apply --validate=false -f manifests/demo/
echo
kubectl get namespaces
echo
kubectl -n shop get deployments,jobs,services,resourcequotas
echo
kubectl get queues
echo
kubectl get nodes
if [ -n "${AGENT_PID:-}" ]; then
  for _ in $(seq 1 50); do
    [ "$(kubectl -n shop get pod hello -o jsonpath='{.status.phase}')" = Running ] && break
    sleep 0.2
  done
  echo
  kubectl -n shop get pods -o wide
  echo
  echo "hello's output (from the agent's log files):"
  cat "$AGENT_ROOT"/logs/shop_hello_*/hello.log 2>/dev/null || true
fi
echo
echo "Try: KUBECONFIG=$KUBECONFIG kubectl -n shop get deploy web -o yaml"
echo "The Deployment and the Job wait for tug-scheduler and tug-controllers (next issues)."
if [ -t 0 ]; then
  echo "Press Ctrl-C to stop everything."
  wait "$APISERVER_PID"
fi
