# controllers.bash — a tug-controllers on loopback for e2e suites (source after
# apiserver.bash). controllers_start [flags...] starts it as
# system:kube-controller-manager ($PKI/controllers.kubeconfig) and waits
# for /healthz; controllers_stop stops it by PID. Sets CONTROLLERS_PID,
# CONTROLLERS_LOG and CONTROLLERS_METRICS (http://127.0.0.1:PORT). Below them,
# helpers for Deployments in the default namespace whose pods run on $NODE.

controllers_start() {
  local port
  port=$(_free_port)
  CONTROLLERS_METRICS="http://127.0.0.1:$port"
  CONTROLLERS_LOG="$ETCD_DIR/controllers.log"
  "${CONTROLLERS_BIN:-bin/tug-controllers}" --kubeconfig "$PKI/controllers.kubeconfig" --listen "127.0.0.1:$port" "$@" \
    >>"$CONTROLLERS_LOG" 2>&1 &
  CONTROLLERS_PID=$!
  export CONTROLLERS_PID CONTROLLERS_LOG CONTROLLERS_METRICS
  wait_ready tug-controllers "$CONTROLLERS_PID" "$CONTROLLERS_LOG" \
    curl -fsS "$CONTROLLERS_METRICS/healthz"
}

controllers_stop() {
  if [ -n "${CONTROLLERS_PID:-}" ]; then
    stop_pid "$CONTROLLERS_PID"
    CONTROLLERS_PID=
  fi
}

# controllers_delete_pods: note every pod's uid for the agent suite's scrub,
# then delete the pods of every namespace (stop the controllers first, or they
# replace them).
controllers_delete_pods() {
  [ -n "${API:-}" ] || return 0
  curl -fsS "$API/api/v1/pods" | jq -r '.items[].metadata.uid' >>"$UIDS_FILE"
  for ns in $(curl -fsS "$API/api/v1/pods" | jq -r '[.items[].metadata.namespace] | unique | .[]'); do
    curl -sS -o /dev/null -X DELETE "$API/api/v1/namespaces/$ns/pods?gracePeriodSeconds=1" || true
  done
}

DEPLOY=/apis/apps/v1/namespaces/default/deployments
RS=/apis/apps/v1/namespaces/default/replicasets

# deployment NAME REPLICAS COMMAND...: the manifest of a Deployment on $NODE.
deployment() {
  local name=$1 replicas=$2
  shift 2
  local cmd
  cmd=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  jq -cn --arg n "$name" --arg node "$NODE" --argjson r "$replicas" --argjson c "$cmd" '{
    apiVersion: "apps/v1", kind: "Deployment", metadata: {name: $n},
    spec: {replicas: $r, selector: {matchLabels: {app: $n}},
      template: {metadata: {labels: {app: $n}},
        spec: {nodeName: $node, terminationGracePeriodSeconds: 1,
               containers: [{name: "main", image: "busybox", command: $c}]}}}}'
}

# Pods of app NAME (in namespace $2, default "default") that are Ready and not
# being deleted; not being deleted; all of them.
ready_pods() {
  curl -fsS "$API/api/v1/namespaces/${2:-default}/pods?labelSelector=app%3D$1" | jq '[.items[]
    | select(.metadata.deletionTimestamp == null)
    | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length'
}
live_pods() {
  curl -fsS "$API/api/v1/namespaces/${2:-default}/pods?labelSelector=app%3D$1" |
    jq '[.items[] | select(.metadata.deletionTimestamp == null)] | length'
}
all_pods() {
  curl -fsS "$API/api/v1/namespaces/${2:-default}/pods?labelSelector=app%3D$1" | jq '.items | length'
}
dep() { curl -fsS "$API$DEPLOY/$1"; }

# Rolled out: the status is of this generation and every replica is updated and available.
rolled_out() {
  local d want
  d=$(dep "$1")
  want=$(jq .spec.replicas <<<"$d")
  jq -e --argjson w "$want" '.status.observedGeneration == .metadata.generation
    and (.status.updatedReplicas // 0) == $w and (.status.availableReplicas // 0) == $w
    and (.status.replicas // 0) == $w' <<<"$d" >/dev/null
}
settled() { rolled_out "$1" && [ "$(ready_pods "$1")" = "$(all_pods "$1")" ]; }
