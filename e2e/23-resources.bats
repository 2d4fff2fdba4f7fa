#!/usr/bin/env bats
# Resource limits and bad input end to end: a real etcd, tug-apiserver and
# agent on this host; pods placed by spec.nodeName (or bound through the
# binding subresource, as a scheduler would). Memory, cpu and pids limits are
# enforced on the container and pod cgroups, misbehaving pods are reported on
# the pod while the agent and other pods carry on, and a pod copied from the
# Kubernetes documentation runs unchanged. Checks read the cgroup v1 files
# these machines have (the v2 mapping is covered by unit tests).

AGENT_FLAGS=(--pod-pids-limit 64)
load lib/agent-suite

# mkpod NAME RESTART_POLICY CONTAINERS_JSON: a pod bound to $NODE with a 2 s
# grace period; each container gets image busybox unless it names one.
mkpod() {
  local body
  body=$(jq -cn --arg n "$1" --arg p "$2" --arg node "$NODE" --argjson c "$3" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n}, spec: {nodeName: $node, restartPolicy: $p,
    terminationGracePeriodSeconds: 2, containers: [$c[] | {image: "busybox"} + .]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

uid_of() { pod "$1" | jq -r .metadata.uid; }

# cg CONTROLLER PATH: the v1 directory of tug/PATH in CONTROLLER's hierarchy
# (cpu and cpuacct may share one mount).
cg() {
  local base=/sys/fs/cgroup/$1
  [ -d "$base" ] || base=/sys/fs/cgroup/cpu,cpuacct
  echo "$base/tug/$2"
}

# ctr_field NAME JQ_PATH: a field of the first container's status.
ctr_field() { pod "$1" | jq -r ".status.containerStatuses[0].$2"; }
waiting_is() { [ "$(ctr_field "$1" state.waiting.reason)" = "$2" ]; }

delete_pod() { api DELETE "/api/v1/namespaces/default/pods/$1" >/dev/null; }
gone() { ! curl -fsS -o /dev/null "$API/api/v1/namespaces/default/pods/$1"; }

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] || skip "these checks read cgroup v1 files"
}

@test "resources: the pod cgroup holds the sum of its containers' requests and limits" {
  mkpod sums Always '[
    {"name": "a", "command": ["sleep", "600"], "resources": {
      "requests": {"cpu": "100m"}, "limits": {"cpu": "200m", "memory": "32Mi"}}},
    {"name": "b", "command": ["sleep", "600"], "resources": {
      "limits": {"cpu": "300m", "memory": "64Mi"}}}]'
  wait_for 15 phase_is sums Running
  uid=$(uid_of sums)
  # Pod: shares from 100m + 300m, quota from 200m + 300m, 32Mi + 64Mi, pids per pod.
  [ "$(cat "$(cg cpu "$uid")/cpu.shares")" = 409 ]
  [ "$(cat "$(cg cpu "$uid")/cpu.cfs_quota_us")" = 50000 ]
  [ "$(cat "$(cg cpu "$uid")/cpu.cfs_period_us")" = 100000 ]
  [ "$(cat "$(cg memory "$uid")/memory.limit_in_bytes")" = $((96 << 20)) ]
  [ "$(cat "$(cg pids "$uid")/pids.max")" = 64 ]
  # Containers: their own figures.
  [ "$(cat "$(cg cpu "$uid/a")/cpu.shares")" = 102 ]
  [ "$(cat "$(cg cpu "$uid/a")/cpu.cfs_quota_us")" = 20000 ]
  [ "$(cat "$(cg cpu "$uid/b")/cpu.shares")" = 307 ]
  [ "$(cat "$(cg memory "$uid/b")/memory.limit_in_bytes")" = $((64 << 20)) ]
  delete_pod sums
  wait_for 15 gone sums
}

@test "resources: a 64Mi container that allocates 256Mi is OOMKilled with exit code 137" {
  # The shell holds the 256 MiB of the command substitution's output in its memory.
  mkpod hog Never '[{"name": "main", "resources": {"limits": {"memory": "64Mi"}},
    "command": ["sh", "-c", "x=$(head -c 268435456 /dev/zero | tr \"\\0\" a); echo survived"]}]'
  wait_for 30 phase_is hog Failed
  run pod hog
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.reason' <<<"$output")" = OOMKilled ]
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.exitCode' <<<"$output")" = 137 ]
  uid=$(jq -r .metadata.uid <<<"$output")
  ! grep -q survived "$AGENT_ROOT/logs/default_hog_$uid/main.log"
  kill -0 "$AGENT_PID"
}

@test "resources: a cpu limit of 200m throttles a busy loop" {
  mkpod busy Always '[{"name": "main", "resources": {"limits": {"cpu": "200m"}},
    "command": ["sh", "-c", "while :; do :; done"]}]'
  wait_for 15 phase_is busy Running
  uid=$(uid_of busy)
  dir=$(cg cpu "$uid/main")
  [ "$(cat "$dir/cpu.cfs_quota_us")" = 20000 ]
  throttled() { [ "$(awk '$1 == "nr_throttled" {print $2}' "$dir/cpu.stat")" -gt 0 ]; }
  wait_for 10 throttled
  # 20% of one cpu: the loop gets well under 35% of the time that passed
  # (measured, not assumed to be 2 s: a sleep runs long on a loaded machine).
  usage="$(cg cpuacct "$uid/main")/cpuacct.usage"
  t0=$(date +%s%N)
  before=$(cat "$usage")
  sleep 2
  after=$(cat "$usage")
  t1=$(date +%s%N)
  [ $(((after - before) * 100)) -lt $(((t1 - t0) * 35)) ]
  delete_pod busy
  wait_for 15 gone busy
}

@test "resources: a memory limit too small to start in fails the pod, not the agent" {
  # Setup happens in the agent's memory until the exec: an OOM kill there
  # would take the agent with it.
  mkpod tiny Never '[{"name": "main", "resources": {"limits": {"memory": "16Ki"}},
    "command": ["echo", "hi"]}]'
  wait_for 15 phase_is tiny Failed
  kill -0 "$AGENT_PID"
  [[ "$(ctr_field tiny state.terminated.reason)" =~ ^(StartError|Error|OOMKilled)$ ]]
  mkpod after-tiny Always '[{"name": "main", "command": ["sleep", "600"]}]'
  wait_for 15 phase_is after-tiny Running
  for p in tiny after-tiny; do
    delete_pod $p
    wait_for 15 gone $p
  done
}

@test "resources: a fork bomb is held by the pod pids limit; other pods and the agent carry on" {
  mkpod bomb Always '[{"name": "main", "command": ["sh", "-c", "b() { b | b & }; b; sleep 600"]}]'
  wait_for 15 phase_is bomb Running
  uid=$(uid_of bomb)
  refused() { [ "$(awk '$1 == "max" {print $2}' "$(cg pids "$uid/main")/pids.events")" -gt 0 ]; }
  wait_for 10 refused
  [ "$(cat "$(cg pids "$uid")/pids.current")" -le 64 ]
  # The agent still starts pods and serves their logs while the bomb goes off.
  mkpod neighbour Always '[{"name": "main", "command": ["sh", "-c", "echo still here; sleep 600"]}]'
  wait_for 20 phase_is neighbour Running
  wait_for 10 sh -c "curl -fsS '$API/api/v1/namespaces/default/pods/neighbour/log' | grep -q 'still here'"
  kill -0 "$AGENT_PID"
  [ "$(pod bomb | jq -r .status.phase)" = Running ]
  delete_pod bomb
  wait_for 20 gone bomb
  ! ls -d /sys/fs/cgroup/*/tug/"$uid" 2>/dev/null
  delete_pod neighbour
  wait_for 15 gone neighbour
}

@test "resources: a command that is not found is StartError naming it; the agent keeps running" {
  mkpod nocmd Never '[{"name": "main", "command": ["no-such-command", "--flag"]}]'
  mkpod nocmd-again Always '[{"name": "main", "command": ["/no/such/path"]}]'
  wait_for 15 phase_is nocmd Failed
  run pod nocmd
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.reason' <<<"$output")" = StartError ]
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.exitCode' <<<"$output")" = 128 ]
  [[ "$(jq -r '.status.containerStatuses[0].state.terminated.message' <<<"$output")" == *no-such-command* ]]
  # Always: it is retried with back-off, the last attempt's reason kept.
  wait_for 20 waiting_is nocmd-again CrashLoopBackOff
  run pod nocmd-again
  [ "$(jq -r '.status.containerStatuses[0].lastState.terminated.reason' <<<"$output")" = StartError ]
  [[ "$(jq -r '.status.containerStatuses[0].lastState.terminated.message' <<<"$output")" == */no/such/path* ]]
  kill -0 "$AGENT_PID"
  for p in nocmd nocmd-again; do
    uid=$(uid_of $p)
    delete_pod $p
    wait_for 15 gone $p
    ! ls -d /sys/fs/cgroup/*/tug/"$uid" 2>/dev/null
  done
}

@test "resources: the Kubernetes docs' liveness-exec pod runs unchanged and is restarted" {
  # From kubernetes.io "Configure Liveness, Readiness and Startup Probes",
  # image swapped for busybox; bound as a scheduler would bind it.
  cat >"$BATS_TEST_TMPDIR/exec-liveness.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: busybox:latest
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
EOF
  kubeconfig "$BATS_TEST_TMPDIR/kc"
  run kubectl --kubeconfig "$BATS_TEST_TMPDIR/kc" create -f "$BATS_TEST_TMPDIR/exec-liveness.yaml"
  [ "$status" -eq 0 ]
  uid_of liveness-exec >>"$UIDS_FILE"
  api POST /api/v1/namespaces/default/pods/liveness-exec/binding "$(jq -cn --arg node "$NODE" \
    '{apiVersion: "v1", kind: "Binding", metadata: {name: "liveness-exec"},
      target: {apiVersion: "v1", kind: "Node", name: $node}}')" >/dev/null
  [ "$code" = 201 ]
  wait_for 15 phase_is liveness-exec Running
  [ "$(ctr_field liveness-exec restartCount)" = 0 ]
  # Healthy 30 s; then 3 failures 5 s apart, and sh as PID 1 ignores SIGTERM,
  # so the restart comes after the default 30 s grace period: about 75 s in.
  wait_for 120 restarted liveness-exec 1
  run pod liveness-exec
  [ "$(jq -r .status.phase <<<"$output")" = Running ]
  [ "$(jq -r '.status.containerStatuses[0].lastState.terminated.exitCode' <<<"$output")" = 137 ]
  grep -q 'probe failed, killing container.*pod=default/liveness-exec' "$AGENT_LOG"
}

@test "resources: delete leaves no cgroup, mount or namespace of the pod behind" {
  mkpod tidy Always '[
    {"name": "a", "command": ["sleep", "600"], "resources": {
      "limits": {"cpu": "100m", "memory": "16Mi"}}},
    {"name": "b", "command": ["sh", "-c", "sleep 600 & sleep 600"]}]'
  wait_for 15 phase_is tidy Running
  uid=$(uid_of tidy)
  for ctl in cpu cpuacct memory pids; do
    [ -d "$(cg $ctl "$uid/a")" ]
    [ -d "$(cg $ctl "$uid/b")" ]
  done
  sandbox="$AGENT_ROOT/state/sandboxes/$uid"
  [ "$(grep -c " $sandbox/ns/" /proc/self/mountinfo)" = 3 ]
  pids=$(cat "$(cg pids "$uid")"/*/cgroup.procs)
  delete_pod tidy
  wait_for 15 gone tidy
  for pid in $pids; do ! kill -0 "$pid" 2>/dev/null; done
  ! ls -d /sys/fs/cgroup/*/tug/"$uid" 2>/dev/null
  ! grep -q "$uid" /proc/self/mountinfo
  ! grep -q "$uid" "/proc/$AGENT_PID/mountinfo"
  [ ! -e "$sandbox" ]
  [ ! -e "$AGENT_ROOT/data/sandboxes/$uid" ]
  kill -0 "$AGENT_PID"
}
