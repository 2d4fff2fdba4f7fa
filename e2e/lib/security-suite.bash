# security-suite.bash — one agent for a whole bats file of attacks (see
# agent-suite.bash), plus an image "attack": busybox with the static
# build/e2e-attack as /bin/attack (e2e/attack/attack.c: exit 0 when the
# kernel refused, 1 when the attack worked).
#
#   mkattack NAME SPEC_JSON   a pod bound to $NODE; containers default to image
#                             "attack", restartPolicy Never; uid to $UIDS_FILE
#   ended NAME [CTR]          the container has terminated
#   exit_code NAME [CTR]      its exit code
#   log_of NAME [CTR]         its log
#   node_healthy              the agent runs and its Node is Ready

load lib/agent-suite

setup_file() {
  apiserver_suite_setup_file
  # The attacks test the node's own defences; Pod Security admission would
  # refuse most of them before they reach it, so it lets everything through here.
  api PATCH /api/v1/namespaces/default \
    '{"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "privileged"}}}' \
    application/merge-patch+json >/dev/null
  UIDS_FILE="$ETCD_DIR/pod-uids"
  : >"$UIDS_FILE"
  export UIDS_FILE
  agent_start "e2e-node-$$" --restart-backoff-seconds 1 --log-level debug "${AGENT_FLAGS[@]}"
  local img="$AGENT_ROOT/images/attack/latest/rootfs"
  mkdir -p "$img"
  cp -a "$AGENT_ROOT/images/busybox/latest/rootfs/." "$img/"
  install -m 0755 build/e2e-attack "$img/bin/attack"
}

mkattack() {
  local body
  body=$(jq -cn --arg n "$1" --arg node "$NODE" --argjson s "$2" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n, labels: {app: "attack"}},
    spec: ({nodeName: $node, restartPolicy: "Never", terminationGracePeriodSeconds: 1} + $s |
      .containers |= map({image: "attack", name: "main"} + .))}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

ctr_status() {
  pod "$1" | jq -c --arg c "${2:-main}" '.status.containerStatuses[]? | select(.name == $c)'
}
# -s: no status yet is not an end (jq 1.6's -e passes on empty input).
ended() { ctr_status "$@" | jq -e -s '.[0].state.terminated' >/dev/null; }
exit_code() { ctr_status "$@" | jq -r '.state.terminated.exitCode'; }
log_of() {
  local uid
  uid=$(pod "$1" | jq -r .metadata.uid)
  cat "$AGENT_ROOT/logs/default_$1_$uid/${2:-main}.log" 2>/dev/null
}
node_healthy() { kill -0 "$AGENT_PID" && agent_node_ready; }

# attack_refused NAME SPEC_JSON: the pod's one container runs to its end and
# its attack was refused (exit 0), and the node is still healthy.
attack_refused() {
  mkattack "$1" "$2"
  wait_for 20 ended "$1"
  local rc
  rc=$(exit_code "$1")
  log_of "$1" >&2
  [ "$rc" = 0 ] || { echo "$1: exit $rc" >&2; return 1; }
  node_healthy
}
