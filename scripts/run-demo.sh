#!/usr/bin/env bash
# `make run`: a local Tugboat cluster with the demo running on it.
#
# `tug up` starts etcd, tug-apiserver, tug-scheduler, tug-controllers, an image
# registry on loopback holding the demo image busybox:latest, and two tug-agents
# that pull from it (as root; without root, no agent and so no container) in the
# background under DIR (default ~/.tug/cluster) and writes ~/.tug/config and
# DIR/kubeconfig (for kubectl); then
# `tug apply` applies manifests/demo/ (namespace demo with a quota and a queue,
# a busybox httpd front end and an API back end, each a Deployment behind a
# Service, and a 5-completion worker Job), `tug rollout status` waits for both
# Deployments, and the pods are listed. With a terminal, Ctrl-C runs `tug down`, which stops everything and
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
# The cluster's admin kubeconfig (TLS, a client certificate), whatever the shell had.
export KUBECONFIG="$dir/kubeconfig"
echo
"$tug" apply -f manifests/demo/
echo
if [ "$nodes" -gt 0 ]; then
  timeout 120 "$tug" rollout status deployment/web -n demo
  timeout 120 "$tug" rollout status deployment/api -n demo
  echo
  for kind in deployments jobs services quota; do
    "$tug" get "$kind" -n demo
    echo
  done
  "$tug" get queues
  echo
  "$tug" get pods -n demo -o wide
  echo
  web=$("$tug" get pods -n demo -l app=web -o name | head -n1)
  echo "${web#pod/}'s log (busybox httpd, answering its readiness probe):"
  "$tug" logs "${web#pod/}" -n demo --tail 3
fi
echo
echo "Try: bin/tug get pods -n demo -o wide      bin/tug describe deployment web -n demo"
echo "     bin/tug scale deployment/api -n demo --replicas 3    bin/tug get queues"
echo "     kubectl and the official clients: export KUBECONFIG=$dir/kubeconfig; kubectl get all -n demo"
if [ "$nodes" -gt 0 ]; then
  addr=$("$tug" get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
  echo
  echo "The front end, on every node's address at NodePort 30080 (its /cgi-bin/items calls"
  echo "the API back end through the Service api.demo.svc, across nodes):"
  echo "  curl http://$addr:30080/"
  echo "  curl http://$addr:30080/cgi-bin/items"
  curl -sS --max-time 5 "http://$addr:30080/cgi-bin/items" && echo
fi
if [ -t 0 ]; then
  echo "Press Ctrl-C to stop the cluster (tug down)."
  while :; do sleep 3600; done
fi
