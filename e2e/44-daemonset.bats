#!/usr/bin/env bats
# DaemonSets end to end: etcd, tug-apiserver, tug-scheduler, tug-controllers
# and real tug-agents on this host. Daemon pods are pinned to their node with
# required node affinity (matchFields metadata.name) and bound by the
# scheduler. A second agent joins (and gets a pod), takes part in a rolling
# update, then leaves: its Node is deleted, and its pod goes with it.

load lib/apiserver-suite
source "$BATS_TEST_DIRNAME/lib/agent.bash"
source "$BATS_TEST_DIRNAME/lib/controllers.bash"

setup_file() {
  apiserver_suite_setup_file
  agent_start "e2e-ds-a-$$" --restart-backoff-seconds 1
  A_NODE=$NODE A_ROOT=$AGENT_ROOT A_PID=$AGENT_PID A_LOG=$AGENT_LOG
  export A_NODE A_ROOT A_PID A_LOG
  SCHED_METRICS="127.0.0.1:$(_free_port)"
  bin/tug-scheduler --kubeconfig "$PKI/scheduler.kubeconfig" --listen "$SCHED_METRICS" >"$ETCD_DIR/scheduler.log" 2>&1 &
  SCHED_PID=$!
  export SCHED_PID
  wait_ready tug-scheduler "$SCHED_PID" "$ETCD_DIR/scheduler.log" curl -fsS "http://$SCHED_METRICS/healthz"
  controllers_start --log-level debug
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  controllers_stop
  [ -n "${SCHED_PID:-}" ] && stop_pid "$SCHED_PID"
  if [ -f "$BATS_FILE_TMPDIR/b.pid" ]; then
    read -r B_NODE B_ROOT B_PID B_LOG <"$BATS_FILE_TMPDIR/b.pid"
    NODE=$B_NODE AGENT_ROOT=$B_ROOT AGENT_PID=$B_PID AGENT_LOG=$B_LOG agent_stop
  fi
  NODE=$A_NODE AGENT_ROOT=$A_ROOT AGENT_PID=$A_PID AGENT_LOG=$A_LOG agent_stop
  apiserver_stop
}

setup() { cd "$BATS_TEST_DIRNAME/.."; }

# The back-off test's agentless node and its DaemonSet go however it ended.
teardown() {
  [ -f "$BATS_FILE_TMPDIR/fake-node" ] || return 0
  curl -fsS -o /dev/null -X DELETE "$API$DS/flaky" || true
  curl -fsS -o /dev/null -X DELETE "$API/api/v1/nodes/$(cat "$BATS_FILE_TMPDIR/fake-node")" || true
  rm -f "$BATS_FILE_TMPDIR/fake-node"
}

DS=/apis/apps/v1/namespaces/default/daemonsets

# daemonset NAME: busybox sleeping on every node, quick to stop.
daemonset() {
  jq -cn --arg n "$1" '{apiVersion: "apps/v1", kind: "DaemonSet", metadata: {name: $n},
    spec: {selector: {matchLabels: {app: $n}},
      template: {metadata: {labels: {app: $n}}, spec: {terminationGracePeriodSeconds: 1,
        containers: [{name: "main", image: "busybox", command: ["sleep", "3600"]}]}}}}'
}

# running NAME: "node1 node2" — the nodes where NAME's pods run and are Ready.
running() {
  curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3D$1" | jq -r '[.items[]
    | select(.metadata.deletionTimestamp == null and .status.phase == "Running")
    | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))
    | .spec.nodeName] | sort | join(" ")'
}

pods_of() {
  curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3D$1" |
    jq '[.items[] | select(.metadata.deletionTimestamp == null)] | length'
}

counts() {
  curl -fsS "$API$DS/$1" | jq -r '.status | "\(.desiredNumberScheduled) \(.currentNumberScheduled) \(.numberReady) \(.updatedNumberScheduled // 0) \(.numberAvailable // 0) \(.numberMisscheduled)"'
}

sorted() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }

# revisions NAME: the revision numbers of NAME's ControllerRevisions, sorted.
revisions() {
  curl -fsS "$API/apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3D$1" |
    jq -r '[.items[].revision] | sort | map(tostring) | join(" ")'
}

# hash_of NAME N: the controller-revision-hash label of NAME's revision N.
hash_of() {
  curl -fsS "$API/apis/apps/v1/namespaces/default/controllerrevisions?labelSelector=app%3D$1" |
    jq -r --argjson n "$2" '.items[] | select(.revision == $n) | .metadata.labels["controller-revision-hash"]'
}

# live_pod_on NAME NODE: NAME's pod for NODE that is neither failed nor being deleted.
live_pod_on() {
  curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3D$1" | jq -r --arg n "$2" '[.items[]
    | select(.metadata.deletionTimestamp == null and .spec.nodeName == $n and .status.phase != "Failed")]
    | .[0].metadata.name // ""'
}
has_live_pod_on() { [ -n "$(live_pod_on "$@")" ]; }
pod_gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$API/api/v1/namespaces/default/pods/$1")" = 404 ]; }

# is VALUE CMD...: CMD prints VALUE (for wait_for, which runs functions of this file).
is() {
  local want=$1
  shift
  [ "$("$@")" = "$want" ]
}

@test "daemonset: one pod on the node, pinned by affinity, bound by the scheduler" {
  api POST "$DS" "$(daemonset logs)"
  [ "$code" = 201 ]
  [ "$(jq -r '.spec.updateStrategy | "\(.type) \(.rollingUpdate.maxUnavailable) \(.rollingUpdate.maxSurge)"' <<<"$out")" = "RollingUpdate 1 0" ]
  [ "$(jq -r '.spec.revisionHistoryLimit' <<<"$out")" = 10 ]
  wait_for 40 is "$A_NODE" running logs
  wait_for 10 is "1 1 1 1 1 0" counts logs
  run curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dlogs"
  pod=$(jq '.items[0]' <<<"$output")
  [ "$(jq -r '.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0] | "\(.key) \(.operator) \(.values[0])"' <<<"$pod")" = "metadata.name In $A_NODE" ]
  jq -e '[.spec.tolerations[] | select(.key == "node.kubernetes.io/unreachable" and .effect == "NoExecute")] | length == 1' <<<"$pod"
  jq -e '.metadata.labels["controller-revision-hash"] | length > 0' <<<"$pod"
  [ "$(jq -r '.metadata.ownerReferences[0].kind' <<<"$pod")" = DaemonSet ]
  run kubectl get ds logs
  [ "$status" = 0 ]
  [ "$(head -1 <<<"$output" | tr -s ' ')" = "NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE" ]
  grep -E '^logs +1 +1 +1 +1 +1 +<none> ' <<<"$output"
  run kubectl describe ds logs
  [ "$status" = 0 ]
  grep -E '^Desired Number of Nodes Scheduled: +1$' <<<"$output"
  grep -E '^Pods Status: +1 Running / 0 Waiting / 0 Succeeded / 0 Failed$' <<<"$output"
}

@test "daemonset: a node that joins gets its pod" {
  agent_start "e2e-ds-b-$$" --restart-backoff-seconds 1
  echo "$NODE $AGENT_ROOT $AGENT_PID $AGENT_LOG" >"$BATS_FILE_TMPDIR/b.pid"
  want=$(sorted "$A_NODE" "$NODE")
  wait_for 40 is "$want" running logs
  wait_for 10 is "2 2 2 2 2 0" counts logs
}

@test "daemonset: a rolling update goes node by node; tug and kubectl rollout status follow it" {
  read -r B_NODE _ <"$BATS_FILE_TMPDIR/b.pid"
  old=$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dlogs" | jq -r '[.items[].metadata.name] | sort | join(" ")')
  api PATCH "$DS/logs" '{"spec":{"template":{"metadata":{"annotations":{"rev":"2"}}}}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  run timeout 90 kubectl rollout status daemonset/logs --timeout=80s
  echo "$output"
  [ "$status" = 0 ]
  grep -q 'daemon set "logs" successfully rolled out' <<<"$output"
  run bin/tug rollout status ds/logs --timeout 30
  [ "$status" = 0 ]
  [ "$(tail -1 <<<"$output")" = 'daemon set "logs" successfully rolled out' ]
  now=$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dlogs" | jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.name] | sort | join(" ")')
  for p in $old; do ! grep -qw "$p" <<<"$now"; done
  [ "$(running logs)" = "$(sorted "$A_NODE" "$B_NODE")" ]
  # Never both nodes down at once: maxUnavailable 1 replaced one pod at a time.
  run curl -fsS "$API/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dlogs"
  [ "$(jq '[.items[] | select(.reason == "SuccessfulDelete")] | length' <<<"$output")" -ge 2 ]
}

@test "daemonset: ControllerRevisions back kubectl's and tug's rollout history and undo" {
  run kubectl get controllerrevisions -l app=logs
  [ "$status" = 0 ]
  [ "$(head -1 <<<"$output" | tr -s ' ')" = "NAME CONTROLLER REVISION AGE" ]
  grep -E '^logs-[a-z0-9]+ +daemonset.apps/logs +1 ' <<<"$output"
  grep -E '^logs-[a-z0-9]+ +daemonset.apps/logs +2 ' <<<"$output"
  [ "$(revisions logs)" = "1 2" ]
  hash1=$(hash_of logs 1) hash2=$(hash_of logs 2)
  [ "$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dlogs" | jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.labels["controller-revision-hash"]] | unique | join(" ")')" = "$hash2" ]
  run kubectl rollout history ds/logs
  [ "$status" = 0 ]
  grep -E '^1 +<none>$' <<<"$output"
  grep -E '^2 +<none>$' <<<"$output"
  run kubectl rollout history ds/logs --revision=2
  [ "$status" = 0 ]
  [[ "$output" == *"daemonset.apps/logs with revision #2"* && "$output" == *"rev: 2"* ]]
  run kubectl rollout history ds/logs --revision=1
  [[ "$output" == *"with revision #1"* && "$output" != *"rev: 2"* ]]
  # kubectl PATCHes revision 1's data back; the controller renumbers it 3
  run kubectl rollout undo ds/logs
  [ "$status" = 0 ]
  [ "$output" = "daemonset.apps/logs rolled back" ]
  [ "$(curl -fsS "$API$DS/logs" | jq -r '.spec.template.metadata.annotations.rev // "none"')" = none ]
  wait_for 10 is "2 3" revisions logs
  [ "$(hash_of logs 3)" = "$hash1" ]
  run bin/tug rollout history ds/logs
  [ "$status" = 0 ]
  [ "$(sed -n 2p <<<"$output" | tr -s ' ')" = "REVISION CHANGE-CAUSE" ]
  grep -E '^3 +<none>$' <<<"$output"
  run bin/tug rollout undo ds/logs --to-revision 2
  [ "$status" = 0 ]
  [ "$output" = "daemonset.apps/logs rolled back" ]
  wait_for 10 is "3 4" revisions logs
  run bin/tug rollout undo ds/logs --to-revision 4
  [ "$output" = "daemonset.apps/logs skipped rollback (current template already matches revision 4)" ]
  run bin/tug rollout undo ds/logs --to-revision 9
  [ "$status" != 0 ]
  [[ "$output" == *"unable to find specified revision 9 in history"* ]]
  run timeout 90 kubectl rollout status daemonset/logs --timeout=80s
  [ "$status" = 0 ]
  # revisionHistoryLimit 0 keeps only the revision the pods run
  api PATCH "$DS/logs" '{"spec":{"revisionHistoryLimit":0}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 10 is 4 revisions logs
}

@test "daemonset: a daemon pod that keeps failing on a node is replaced with a growing back-off" {
  # A Node with no agent: the test plays its kubelet, failing each pod it gets.
  fake="e2e-ds-fake-$$"
  api POST /api/v1/nodes "$(jq -cn --arg n "$fake" '{apiVersion: "v1", kind: "Node",
    metadata: {name: $n, labels: {flaky: "yes"}},
    status: {capacity: {cpu: "4", memory: "8Gi", pods: "110"}, allocatable: {cpu: "4", memory: "8Gi", pods: "110"},
      conditions: [{type: "Ready", status: "True", reason: "KubeletReady"}]}}')" >/dev/null
  [ "$code" = 201 ]
  api POST "$DS" "$(daemonset flaky | jq -c '.spec.template.spec.nodeSelector = {flaky: "yes"}')" >/dev/null
  [ "$code" = 201 ]
  # Remove the node and the DaemonSet however this test ends: a node left
  # behind would count in the later tests' DaemonSets.
  echo "$fake" >"$BATS_FILE_TMPDIR/fake-node"
  start=$(date +%s.%N)
  times=()
  for _ in 1 2 3; do
    wait_for 30 has_live_pod_on flaky "$fake"
    pod=$(live_pod_on flaky "$fake")
    api PATCH "/api/v1/namespaces/default/pods/$pod/status" '{"status":{"phase":"Failed"}}' application/merge-patch+json >/dev/null
    [ "$code" = 200 ]
    wait_for 30 pod_gone "$pod"
    times+=("$(date +%s.%N)")
  done
  # The first failed pod goes at once, the second 1 s and the third 2 s after
  # the failure before: at least 3 s from the first failure to the third
  # deletion (less the 0.2 s the polls may lag).
  echo "first failure at $start, deleted at ${times[*]}"
  awk -v a="$start" -v b="${times[2]}" 'BEGIN { exit !(b - a >= 2.8) }'
  run curl -fsS "$API/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dflaky"
  [ "$(jq --arg n "$fake" '[.items[] | select(.reason == "FailedDaemonPod" and .type == "Warning"
    and (.message | test("^Found failed daemon pod default/flaky-.* on node \($n), will try to kill it$")))] | length' <<<"$output")" -ge 3 ]
}

@test "daemonset: a node that leaves loses its pod" {
  read -r B_NODE B_ROOT B_PID B_LOG <"$BATS_FILE_TMPDIR/b.pid"
  uid=$(curl -fsS "$API/api/v1/pods?fieldSelector=spec.nodeName%3D$B_NODE" | jq -r '.items[0].metadata.uid')
  api DELETE "/api/v1/nodes/$B_NODE" >/dev/null
  [ "$code" = 200 ]
  # No agent may be left to confirm the end of a gone node's pods: they go at once.
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/pods?fieldSelector=spec.nodeName%3D$B_NODE' | jq '.items | length')\" = 0 ]"
  wait_for 10 is "1 1 1 1 1 0" counts logs
  # The agent, still running here, stops the container of the pod that went.
  wait_for 30 sh -c "! ls -d /sys/fs/cgroup/*/tug/$uid >/dev/null 2>&1"
  NODE=$B_NODE AGENT_ROOT=$B_ROOT AGENT_PID=$B_PID AGENT_LOG=$B_LOG agent_stop
  rm -f "$BATS_FILE_TMPDIR/b.pid"
  [ "$(running logs)" = "$A_NODE" ]
}

@test "daemonset: nodeSelector follows the node's labels" {
  api POST "$DS" "$(daemonset ssd | jq -c '.spec.template.spec.nodeSelector = {disk: "ssd"}')"
  [ "$code" = 201 ]
  wait_for 10 is "0 0 0 0 0 0" counts ssd
  [ "$(pods_of ssd)" = 0 ]
  api PATCH "/api/v1/nodes/$A_NODE" '{"metadata":{"labels":{"disk":"ssd"}}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 40 is "$A_NODE" running ssd
  run kubectl get ds ssd
  grep -E '^ssd +1 +1 +1 +1 +1 +disk=ssd ' <<<"$output"
  api PATCH "/api/v1/nodes/$A_NODE" '{"metadata":{"labels":{"disk":null}}}' application/merge-patch+json >/dev/null
  wait_for 20 is 0 pods_of ssd
  run kubectl get cj,ds
  [ "$status" = 0 ]
  grep -q "daemonset.apps/logs" <<<"$output"
}

@test "daemonset: a foreground delete removes the pods before the DaemonSet" {
  run kubectl delete ds logs --cascade=foreground --timeout=60s
  [ "$status" = 0 ]
  [ "$(pods_of logs)" = 0 ]
  api GET "$DS/logs"
  [ "$code" = 404 ]
}
