#!/usr/bin/env bash
# `make run`: start what exists of a local Tugboat cluster and show the demo.
#
# etcd, tug-apiserver, tug-scheduler, tug-controllers and one tug-agent (as
# root) on this host; the demo manifests (manifests/demo) are applied with
# kubectl: the Deployment's pods are scheduled onto the node and run as real
# containers, the Job runs its five workers two at a time. Ctrl-C stops
# everything and removes the demo's pods.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/agent.bash
source e2e/lib/controllers.bash
scheduler_stop() { [ -n "${SCHED_PID:-}" ] && stop_pid "$SCHED_PID"; SCHED_PID=; }
# Owners first: with the controllers still running, deleted pods would come back.
trap 'controllers_stop; scheduler_stop; agent_stop; apiserver_stop' EXIT INT TERM
apiserver_start
SCHED_LOG="$ETCD_DIR/scheduler.log"
SCHED_METRICS="127.0.0.1:$(_free_port)"
bin/tug-scheduler --server "$API" --listen "$SCHED_METRICS" >"$SCHED_LOG" 2>&1 &
SCHED_PID=$!
wait_ready tug-scheduler "$SCHED_PID" "$SCHED_LOG" curl -fsS "http://$SCHED_METRICS/healthz"
controllers_start
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
echo "tug-scheduler: metrics on $SCHED_METRICS (log: $SCHED_LOG)"
echo "tug-controllers: metrics on $CONTROLLERS_METRICS (log: $CONTROLLERS_LOG)"
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
  echo
  echo "waiting for the web Deployment to be Ready..."
  for _ in $(seq 1 150); do
    [ "$(kubectl -n shop get deploy web -o jsonpath='{.status.readyReplicas}')" = 3 ] &&
      [ "$(kubectl -n shop get pod hello -o jsonpath='{.status.phase}')" = Running ] && break
    sleep 0.2
  done
  kubectl -n shop get deployments,replicasets,jobs
  echo
  kubectl -n shop get pods -o wide
  echo
  echo "hello's output (from the agent's log files):"
  cat "$AGENT_ROOT"/logs/shop_hello_*/hello.log 2>/dev/null || true
fi
echo
echo "Try: KUBECONFIG=$KUBECONFIG kubectl -n shop get deploy web -o yaml"
echo "     KUBECONFIG=$KUBECONFIG kubectl -n shop logs job/report"
if [ -t 0 ]; then
  echo "Press Ctrl-C to stop everything."
  wait "$APISERVER_PID"
fi
