# agent.bash — a tug-agent on this host for benchmarks and `make run` (source
# after apiserver.bash; needs root). agent_start NODE [flags...] starts it with a
# fresh --root and waits for its Node to be Ready; agent_stop deletes the pods
# bound to it through the API, waits for the agent to remove them, stops it by
# PID and removes its root. Sets AGENT_PID, AGENT_ROOT, AGENT_LOG, NODE.
# The agent is system:node:NODE (agent_identity) and serves logs over HTTPS.

agent_node_ready() {
  [ "$(curl -fsS "$API/api/v1/nodes/$NODE" |
    jq -r '.status.conditions[]? | select(.type=="Ready") | .status')" = True ]
}

# agent_identity NODE [ADDRESS]: makes NODE's certificates and kubeconfig in
# $PKI and prints the agent's flags for them, one a line (mapfile -t).
agent_identity() {
  "${TUG_BIN:-bin/tug}" certs node "$1" --address "${2:-127.0.0.1}" --dir "$PKI" >/dev/null &&
    tug_kubeconfig "node-$1" || return 1
  printf '%s\n' --kubeconfig "$PKI/node-$1.kubeconfig" \
    --tls-cert-file "$PKI/node-$1-serving.crt" --tls-private-key-file "$PKI/node-$1-serving.key" \
    --client-ca-file "$PKI/ca.crt"
}

agent_start() {
  NODE=$1
  shift
  AGENT_ROOT=$(mktemp -d /var/tmp/tug-agent.XXXXXX)
  AGENT_LOG="$AGENT_ROOT.log"
  local id
  mapfile -t id < <(agent_identity "$NODE")
  bin/tug-agent "${id[@]}" --node-name "$NODE" --root "$AGENT_ROOT" --build-busybox \
    --port "$(_free_port)" "$@" >"$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  export NODE AGENT_ROOT AGENT_LOG AGENT_PID
  wait_ready tug-agent "$AGENT_PID" "$AGENT_LOG" agent_node_ready
}

agent_pods_left() {
  curl -fsS "$API/api/v1/pods?fieldSelector=spec.nodeName%3D$NODE" | jq '.items | length'
}

agent_stop() {
  [ -n "${AGENT_PID:-}" ] || return 0
  local ns
  for ns in $(curl -fsS "$API/api/v1/pods?fieldSelector=spec.nodeName%3D$NODE" |
    jq -r '[.items[].metadata.namespace] | unique | .[]'); do
    curl -fsS -o /dev/null -X DELETE \
      "$API/api/v1/namespaces/$ns/pods?fieldSelector=spec.nodeName%3D$NODE&gracePeriodSeconds=1" || true
  done
  for _ in $(seq 1 150); do
    [ "$(agent_pods_left)" = 0 ] && break
    sleep 0.2
  done
  stop_pid "$AGENT_PID"
  AGENT_PID=
  # The agent keeps its runtime state on a tmpfs of its own.
  umount "$AGENT_ROOT/state" 2>/dev/null || true
  rm -rf "$AGENT_ROOT" "$AGENT_LOG"
}
