#!/usr/bin/env bats
# tug-agent end to end: a real etcd, tug-apiserver and agent on this host.
# Pods are placed by setting spec.nodeName. Teardown deletes every pod through
# the API and waits, then stops the agent by PID and checks that no cgroup,
# mount or state dir of the suite's pods is left (removing any it finds).

AGENT_FLAGS=(--reserved-cpu 500m --max-pods 20)
load lib/agent-suite

# mkpod NAME RESTART_POLICY IMAGE GRACE ARGV...: create a pod bound to $NODE.
mkpod() {
  local name=$1 policy=$2 image=$3 grace=$4
  shift 4
  local body cmd
  cmd=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  body=$(jq -cn --arg n "$name" --arg p "$policy" --arg i "$image" --arg node "$NODE" \
    --argjson g "$grace" --argjson c "$cmd" '{apiVersion: "v1", kind: "Pod", metadata: {name: $n},
      spec: {nodeName: $node, restartPolicy: $p, terminationGracePeriodSeconds: $g,
             containers: [{name: "main", image: $i, command: $c}]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $name: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

gone() { ! curl -fsS -o /dev/null "$API/api/v1/namespaces/default/pods/$1"; }

@test "agent: the node registers Ready with capacity and holds its lease" {
  run curl -fsS "$API/api/v1/nodes/$NODE"
  [ "$status" -eq 0 ]
  cores=$(nproc)
  [ "$(jq -r .status.capacity.cpu <<<"$output")" = "$cores" ]
  want=$((cores * 1000 - 500))
  [ "$(jq -r .status.allocatable.cpu <<<"$output")" = "${want}m" ]
  [ "$(jq -r .status.capacity.pods <<<"$output")" = 20 ]
  [ "$(jq -r .status.nodeInfo.containerRuntimeVersion <<<"$output")" = "tugboat://0.1" ]
  [ "$(jq -r .status.nodeInfo.kernelVersion <<<"$output")" = "$(uname -r)" ]
  [[ "$(jq -r .status.capacity.memory <<<"$output")" =~ ^[0-9]+(Ki|Mi|Gi)?$ ]]
  # Pressure conditions are reported (their value is the host's: a nearly full
  # disk on a CI machine is DiskPressure True, rightly).
  for c in MemoryPressure DiskPressure PIDPressure; do
    [[ "$(jq -r ".status.conditions[] | select(.type==\"$c\") | .status" <<<"$output")" =~ ^(True|False)$ ]]
  done
  # The agent writes its Lease just after the Node that agent_start waited for.
  wait_for 10 curl -fsS -o /dev/null "$API/apis/coordination.k8s.io/v1/namespaces/tug-node-lease/leases/$NODE"
  run curl -fsS "$API/apis/coordination.k8s.io/v1/namespaces/tug-node-lease/leases/$NODE"
  [ "$status" -eq 0 ]
  [ "$(jq -r .spec.holderIdentity <<<"$output")" = "$NODE" ]
  [ "$(jq -r .spec.leaseDurationSeconds <<<"$output")" = 40 ]
  [[ "$(jq -r .spec.renewTime <<<"$output")" =~ ^[0-9-]+T[0-9:]+\.[0-9]{6}Z$ ]]
}

@test "agent: a pod runs, becomes Running, and its output is in its log" {
  mkpod hello Always busybox:latest 30 sh -c 'echo hello; sleep 3600'
  wait_for 15 phase_is hello Running
  run pod hello
  [ "$(jq -r '.status.containerStatuses[0].state | keys[0]' <<<"$output")" = running ]
  [ "$(jq -r '.status.containerStatuses[0].ready' <<<"$output")" = true ]
  [ "$(jq -r '.status.conditions[] | select(.type=="Ready") | .status' <<<"$output")" = True ]
  [ -n "$(jq -r .status.startTime <<<"$output")" ]
  [ "$(jq -r .status.podIP <<<"$output")" = null ]
  uid=$(jq -r .metadata.uid <<<"$output")
  log="$AGENT_ROOT/logs/default_hello_$uid/main.log"
  wait_for 5 grep -q hello "$log"
  [ -d "/sys/fs/cgroup/pids/tug/$uid/main" ]
}

@test "agent: the pod's log is served through the API server's log subresource" {
  mkpod talker Always busybox:latest 30 sh -c 'for i in 1 2 3 4 5; do echo line $i; done; sleep 3600'
  wait_for 15 phase_is talker Running
  wait_for 5 sh -c "curl -fsS '$API/api/v1/namespaces/default/pods/talker/log' | grep -q 'line 5'"
  [ "$(curl -fsS "$API/api/v1/namespaces/default/pods/talker/log?tailLines=2")" = "$(printf 'line 4\nline 5')" ]
  run curl -sS -o /dev/null -w '%{http_code}' "$API/api/v1/namespaces/default/pods/talker/log?container=nope"
  [ "$output" = 400 ]
  run curl -sS -o /dev/null -w '%{http_code}' "$API/api/v1/namespaces/default/pods/ghost/log"
  [ "$output" = 404 ]
  # kubectl logs goes the same way.
  kubeconfig "$BATS_TEST_TMPDIR/kc"
  run kubectl --kubeconfig "$BATS_TEST_TMPDIR/kc" logs talker --tail 1
  [ "$status" -eq 0 ]
  [ "$output" = "line 5" ]
}

@test "agent: exit 3 with restartPolicy Never fails the pod with exitCode 3" {
  mkpod exit3 Never busybox 30 sh -c 'exit 3'
  wait_for 15 phase_is exit3 Failed
  run pod exit3
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.exitCode' <<<"$output")" = 3 ]
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.reason' <<<"$output")" = Error ]
  [ "$(jq -r '.status.containerStatuses[0].restartCount' <<<"$output")" = 0 ]
}

@test "agent: restartPolicy Always restarts a crashing container with back-off" {
  mkpod crash Always busybox:latest 30 sh -c 'exit 1'
  wait_for 20 restarted crash 2
  run pod crash
  [ "$(jq -r .status.phase <<<"$output")" = Running ]
  [ "$(jq -r '.status.containerStatuses[0].lastState.terminated.exitCode' <<<"$output")" = 1 ]
  [ "$(jq -r '.status.containerStatuses[0].lastState.terminated.reason' <<<"$output")" = Error ]
  wait_for 10 eval "pod crash | jq -e '.status.containerStatuses[0].state.waiting.reason == \"CrashLoopBackOff\"' >/dev/null"
  wait_for 10 eval "curl -fsS '$API/api/v1/namespaces/default/events' | jq -e '.items[] |
    select(.involvedObject.name == \"crash\" and .reason == \"BackOff\")' >/dev/null"
}

@test "agent: a missing image is ErrImagePull (no --default-registry to pull it from) and the agent keeps running" {
  mkpod noimage Always nosuchimage:1.0 30 sleep 10
  wait_for 15 eval "pod noimage | jq -e '.status.containerStatuses[0].state.waiting.reason | test(\"^(ErrImagePull|ImagePullBackOff)$\")' >/dev/null"
  run pod noimage
  [ "$(jq -r .status.phase <<<"$output")" = Pending ]
  [[ "$(jq -r '.status.containerStatuses[0].state.waiting.message' <<<"$output")" == *nosuchimage:1.0* ]]
  uid=$(jq -r .metadata.uid <<<"$output")
  # ... and an Event on the pod, as kubelet writes it.
  wait_for 10 eval "curl -fsS '$API/api/v1/namespaces/default/events' | jq -e '.items[] |
    select(.involvedObject.uid == \"$uid\" and .reason == \"Failed\" and .type == \"Warning\"
      and .involvedObject.fieldPath == \"spec.containers{main}\" and .source.component == \"tug-agent\")' >/dev/null"
  kill -0 "$AGENT_PID"
  api DELETE /api/v1/namespaces/default/pods/noimage >/dev/null
  wait_for 10 gone noimage
}

@test "agent: delete stops the process within the grace period and leaves nothing behind" {
  # PID 1 ignores SIGTERM without a handler: "stubborn" needs the SIGKILL after
  # its 2 s grace, "polite" exits on SIGTERM long before its 30 s.
  mkpod stubborn Always busybox 2 sh -c 'sleep 3600'
  mkpod polite Always busybox 30 sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done'
  wait_for 15 phase_is stubborn Running
  wait_for 15 phase_is polite Running
  uids=()
  pids=()
  for p in stubborn polite; do
    uid=$(pod $p | jq -r .metadata.uid)
    uids+=("$uid")
    pids+=("$(head -n1 "/sys/fs/cgroup/pids/tug/$uid/main/cgroup.procs")")
  done
  start=$(date +%s)
  api DELETE /api/v1/namespaces/default/pods/stubborn >/dev/null
  api DELETE /api/v1/namespaces/default/pods/polite >/dev/null
  # Well under its 30 s grace, with room for a loaded machine.
  wait_for 15 gone polite
  [ $(($(date +%s) - start)) -le 10 ]
  wait_for 10 gone stubborn
  [ $(($(date +%s) - start)) -ge 2 ]
  for pid in "${pids[@]}"; do ! kill -0 "$pid" 2>/dev/null; done
  for uid in "${uids[@]}"; do
    ! ls -d /sys/fs/cgroup/*/tug/"$uid" 2>/dev/null
    ! grep -q "$uid" /proc/self/mountinfo
    [ ! -e "$AGENT_ROOT/state/sandboxes/$uid" ]
    [ ! -e "$AGENT_ROOT/data/sandboxes/$uid" ]
    [ ! -e "$AGENT_ROOT/logs/default_stubborn_$uid" ]
  done
}

@test "agent: an imported tar.gz rootfs runs as NAME:TAG; a bad reference is refused by name" {
  tmp=$(mktemp -d)
  mkdir -p "$tmp/rootfs/bin"
  cp /bin/busybox "$tmp/rootfs/bin/busybox"
  ln -s busybox "$tmp/rootfs/bin/sh"
  echo imported >"$tmp/rootfs/marker"
  tar -czf "$tmp/box.tar.gz" -C "$tmp/rootfs" .
  run bin/tug-agent image import --root "$AGENT_ROOT" mybox:v1 "$tmp/box.tar.gz"
  [ "$status" -eq 0 ]
  run bin/tug-agent image import --root "$AGENT_ROOT" "My Box:v1" "$tmp/box.tar.gz"
  [ "$status" -eq 1 ]
  [[ "$output" == *'invalid name "My Box"'* ]]
  rm -rf "$tmp"
  mkpod fromtar Never mybox:v1 30 sh -c 'cat /marker'
  wait_for 15 phase_is fromtar Succeeded
  uid=$(pod fromtar | jq -r .metadata.uid)
  grep -q imported "$AGENT_ROOT/logs/default_fromtar_$uid/main.log"
  api DELETE /api/v1/namespaces/default/pods/fromtar >/dev/null
  wait_for 10 gone fromtar
}
