#!/usr/bin/env bats
# Node failure end to end: etcd, tug-apiserver, tug-scheduler, tug-controllers
# and two real tug-agents on this host (different --node-name, --root and
# --port). One agent is killed with SIGKILL; its pods must be Running on the
# other within node-grace + toleration + 10 s. The killed agent is then started
# again on the same root: it adopts its containers, its node is Ready again and
# loses the taint, and teardown stops everything through the API.

load lib/apiserver-suite
source "$BATS_TEST_DIRNAME/lib/agent.bash"
source "$BATS_TEST_DIRNAME/lib/controllers.bash"

GRACE=10
TOLERATION=10

setup_file() {
  apiserver_suite_setup_file
  agent_start "e2e-a-$$" --restart-backoff-seconds 1
  A_NODE=$NODE A_ROOT=$AGENT_ROOT A_PID=$AGENT_PID A_LOG=$AGENT_LOG
  agent_start "e2e-b-$$" --restart-backoff-seconds 1
  B_NODE=$NODE B_ROOT=$AGENT_ROOT B_PID=$AGENT_PID B_LOG=$AGENT_LOG
  export A_NODE A_ROOT A_PID A_LOG B_NODE B_ROOT B_PID B_LOG
  SCHED_METRICS="127.0.0.1:$(_free_port)"
  bin/tug-scheduler --kubeconfig "$PKI/scheduler.kubeconfig" --listen "$SCHED_METRICS" >"$ETCD_DIR/scheduler.log" 2>&1 &
  SCHED_PID=$!
  export SCHED_PID
  wait_ready tug-scheduler "$SCHED_PID" "$ETCD_DIR/scheduler.log" curl -fsS "http://$SCHED_METRICS/healthz"
  controllers_start --node-grace "$GRACE" --default-unreachable-toleration "$TOLERATION" \
    --log-level debug
}

# restart_agent NODE ROOT LOG: an agent again on an old root (it adopts what
# runs there); prints its PID.
restart_agent() {
  bin/tug-agent $(agent_identity "$1") --node-name "$1" --root "$2" --port "$(_free_port)" \
    --restart-backoff-seconds 1 >>"$3" 2>&1 &
  echo $!
}

# stop_agent NODE ROOT PID LOG: the agent_stop of agent.bash for one of ours;
# a killed agent is started again first, so that it stops its containers.
stop_agent() {
  local pid=$3
  if ! kill -0 "$pid" 2>/dev/null; then
    pid=$(restart_agent "$1" "$2" "$4")
    # Not Ready in time: still delete the pods and stop it, not abort teardown.
    NODE=$1 wait_ready tug-agent "$pid" "$4" agent_node_ready || true
  fi
  NODE=$1 AGENT_ROOT=$2 AGENT_PID=$pid AGENT_LOG=$4 agent_stop
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  controllers_stop
  [ -n "${SCHED_PID:-}" ] && stop_pid "$SCHED_PID"
  curl -sS -o /dev/null -X DELETE "$API/apis/apps/v1/namespaces/default/deployments/spread" || true
  if [ -f "$BATS_FILE_TMPDIR/victim.pid" ]; then
    if [ "$(cat "$BATS_FILE_TMPDIR/victim")" = "$A_NODE" ]; then A_PID=$(cat "$BATS_FILE_TMPDIR/victim.pid")
    else B_PID=$(cat "$BATS_FILE_TMPDIR/victim.pid"); fi
  fi
  [ -n "${A_PID:-}" ] && stop_agent "$A_NODE" "$A_ROOT" "$A_PID" "$A_LOG"
  [ -n "${B_PID:-}" ] && stop_agent "$B_NODE" "$B_ROOT" "$B_PID" "$B_LOG"
  apiserver_stop
}

setup() { cd "$BATS_TEST_DIRNAME/.."; }

pods_on() {
  curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dspread" | jq --arg n "$1" '[.items[]
    | select(.spec.nodeName == $n and .metadata.deletionTimestamp == null and .status.phase == "Running")
    | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length'
}

has_pods() { [ "$(pods_on "$1")" = "$2" ]; }

node_ready() {
  curl -fsS "$API/api/v1/nodes/$1" | jq -r '.status.conditions[] | select(.type=="Ready") | .status'
}

taint() {
  curl -fsS "$API/api/v1/nodes/$1" | jq -r '[.spec.taints[]? | .key] | join(",")'
}

@test "nodes: each node gets its own pod CIDR" {
  wait_for 10 sh -c "[ \"\$(curl -fsS '$API/api/v1/nodes' | jq '[.items[].spec.podCIDR // empty] | unique | length')\" = 2 ]"
  run curl -fsS "$API/api/v1/nodes"
  jq -e '[.items[].spec.podCIDR] | all(test("^198\\.18\\.[0-9]+\\.0/24$"))' <<<"$output"
}

@test "nodes: kill -9 of an agent moves its pods to the other node in time" {
  body=$(jq -cn '{apiVersion: "apps/v1", kind: "Deployment", metadata: {name: "spread"},
    spec: {replicas: 4, selector: {matchLabels: {app: "spread"}},
      template: {metadata: {labels: {app: "spread"}},
        spec: {terminationGracePeriodSeconds: 1,
          containers: [{name: "main", image: "busybox", command: ["sleep", "3600"],
                        resources: {requests: {cpu: "100m"}}}]}}}}')
  api POST /apis/apps/v1/namespaces/default/deployments "$body" >/dev/null
  [ "$code" = 201 ]
  wait_for 60 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=app%3Dspread' | jq '[.items[] | select(.status.phase == \"Running\")] | length')\" = 4 ]"
  # The victim is whichever node holds pods (A when both do).
  if [ "$(pods_on "$A_NODE")" -gt 0 ]; then
    victim=$A_NODE vpid=$A_PID survivor=$B_NODE
  else
    victim=$B_NODE vpid=$B_PID survivor=$A_NODE
  fi
  echo "victim $victim had $(pods_on "$victim") pods" >&3
  echo "$victim" >"$BATS_FILE_TMPDIR/victim"
  echo "$vpid" >"$BATS_FILE_TMPDIR/victim.pid"
  start=$(date +%s%N)
  kill -9 "$vpid"
  budget=$((GRACE + TOLERATION + 10))
  wait_for "$budget" has_pods "$survivor" 4
  took=$((($(date +%s%N) - start) / 1000000))
  echo "all 4 Running and Ready on $survivor after ${took} ms (budget ${budget} s)" >&3
  [ "$(node_ready "$victim")" = Unknown ]
  [ "$(taint "$victim")" = node.kubernetes.io/unreachable ]
  run curl -fsS "$API/api/v1/namespaces/default/events"
  jq -e '[.items[] | select(.reason == "TaintManagerEviction")] | length > 0' <<<"$output"
  jq -e '[.items[] | select(.reason == "NodeNotReady")] | length > 0' <<<"$output"
}

@test "nodes: an agent that comes back is Ready again and loses the taint" {
  victim=$(cat "$BATS_FILE_TMPDIR/victim")
  if [ "$victim" = "$A_NODE" ]; then root=$A_ROOT log=$A_LOG; else root=$B_ROOT log=$B_LOG; fi
  pid=$(restart_agent "$victim" "$root" "$log")
  echo "$pid" >"$BATS_FILE_TMPDIR/victim.pid" # teardown stops this one
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/nodes/$victim' | jq -r '.status.conditions[] | select(.type==\"Ready\") | .status')\" = True ]"
  wait_for 10 sh -c "[ -z \"\$(curl -fsS '$API/api/v1/nodes/$victim' | jq -r '[.spec.taints[]? | .key] | join(\",\")')\" ]"
  # The evicted pods it still ran are stopped and removed by the agent.
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/pods?fieldSelector=spec.nodeName%3D$victim' | jq '.items | length')\" = 0 ]"
}
