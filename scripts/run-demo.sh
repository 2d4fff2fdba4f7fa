#!/usr/bin/env bash
# `make run`: start what exists of a local Tugboat cluster and show the demo.
#
# Today that is etcd and tug-apiserver on loopback: the demo manifests
# (manifests/demo) are applied with kubectl and listed. The scheduler,
# controllers and agents that turn them into running containers land with
# their issues, and this script will start them too. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
trap apiserver_stop EXIT INT TERM
apiserver_start
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
echo
kubectl apply --validate=false -f manifests/demo/
echo
kubectl get namespaces
echo
kubectl -n shop get deployments,jobs,services,resourcequotas
echo
kubectl get queues
echo
echo "Try: KUBECONFIG=$KUBECONFIG kubectl -n shop get deploy web -o yaml"
echo "Nothing schedules or runs pods yet: tug-scheduler, tug-controllers and tug-agent"
echo "come with the next issues (see README.md)."
if [ -t 0 ]; then
  echo "Press Ctrl-C to stop etcd and the API server."
  wait "$APISERVER_PID"
fi
