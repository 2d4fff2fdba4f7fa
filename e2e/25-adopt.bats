#!/usr/bin/env bats
# Restart safety: tug-agent killed with SIGKILL and started again on the same
# --root adopts the containers that still run (same process, no restart
# counted, no duplicate), reports the ones that died meanwhile through their
# restart policy, and purges what belongs to pods deleted while it was away.

load lib/agent-suite

# Tests run in subshells: the pid of the agent a test restarted is passed on
# through a file, for the next test and for the suite's teardown.
eval "$(declare -f teardown_file | sed 's/^teardown_file/suite_teardown_file/')"
setup() { [ -f "$BATS_FILE_TMPDIR/agent.pid" ] && AGENT_PID=$(cat "$BATS_FILE_TMPDIR/agent.pid") || true; }
teardown_file() {
  setup
  suite_teardown_file
}

# mkpod NAME ARGV...: an Always pod bound to $NODE.
mkpod() {
  local name=$1
  shift
  local body cmd
  cmd=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  body=$(jq -cn --arg n "$name" --arg node "$NODE" --argjson c "$cmd" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n}, spec: {nodeName: $node, terminationGracePeriodSeconds: 1,
    containers: [{name: "main", image: "busybox", command: $c,
      readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}}]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $name: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

uid_of() { pod "$1" | jq -r .metadata.uid; }
# The container's own processes: the readiness probe's `true` runs in the same
# cgroup once a second and would otherwise be counted now and then.
procs() {
  local p
  for p in $(cat "/sys/fs/cgroup/pids/tug/$1/main/cgroup.procs"); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q '^sleep ' && echo "$p"
  done
  return 0
}
ready_is() { [ "$(pod "$1" | jq -r '.status.containerStatuses[0].ready')" = "$2" ]; }
gone() { ! curl -fsS -o /dev/null "$API/api/v1/namespaces/default/pods/$1"; }

# The agent dies without a word; a new one starts on the same root.
agent_kill9_restart() {
  kill -9 "$AGENT_PID" 2>/dev/null || true
  while kill -0 "$AGENT_PID" 2>/dev/null; do sleep 0.05; done
  "$@"
  bin/tug-agent $(agent_identity "$NODE") --node-name "$NODE" --root "$AGENT_ROOT" \
    --restart-backoff-seconds 1 --log-level debug --port "$(_free_port)" >>"$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  echo "$AGENT_PID" >"$BATS_FILE_TMPDIR/agent.pid"
}

@test "adopt: after kill -9 the running container is adopted: same pid, no restart, no duplicate" {
  mkpod keeper sh -c 'echo up; sleep 3600'
  wait_for 15 phase_is keeper Running
  wait_for 10 ready_is keeper true
  uid=$(uid_of keeper)
  wait_for 10 eval '[ -n "$(procs "$uid")" ]'
  before=$(procs "$uid")
  [ "$(wc -l <<<"$before")" = 1 ]
  agent_kill9_restart
  wait_for 15 grep -q "container adopted.*pod=default/keeper" "$AGENT_LOG"
  sleep 2 # a few status ticks: a wrong restart or kill would show by now
  [ "$(procs "$uid")" = "$before" ]
  kill -0 "$before"
  run pod keeper
  [ "$(jq -r .status.phase <<<"$output")" = Running ]
  [ "$(jq -r '.status.containerStatuses[0].restartCount' <<<"$output")" = 0 ]
  [ "$(jq -r '.status.containerStatuses[0].ready' <<<"$output")" = true ]
  [ "$(jq -r '.status.containerStatuses[0].state | keys[0]' <<<"$output")" = running ]
  # The adopted container is still under control: delete stops it.
  api DELETE /api/v1/namespaces/default/pods/keeper >/dev/null
  wait_for 10 gone keeper
  # Killed, and no longer this agent's child: init reaps it, a moment later.
  wait_for 5 bash -c "! kill -0 $before 2>/dev/null"
  ! ls -d /sys/fs/cgroup/*/tug/"$uid" 2>/dev/null
  [ ! -e "$AGENT_ROOT/state/sandboxes/$uid" ]
}

@test "adopt: a container that died while the agent was away restarts once and is counted" {
  mkpod dier sh -c 'sleep 3600'
  wait_for 15 phase_is dier Running
  uid=$(uid_of dier)
  # Running is reported once the container starts, maybe before sh has exec'd sleep.
  wait_for 10 eval '[ -n "$(procs "$uid")" ]'
  old=$(procs "$uid")
  agent_kill9_restart kill -9 "$old"
  wait_for 15 restarted dier 1
  sleep 2
  run pod dier
  [ "$(jq -r '.status.containerStatuses[0].restartCount' <<<"$output")" = 1 ]
  [ "$(jq -r '.status.containerStatuses[0].lastState.terminated.reason' <<<"$output")" = \
    ContainerStatusUnknown ]
  wait_for 10 phase_is dier Running
  new=$(procs "$uid")
  [ -n "$new" ]
  [ "$(wc -l <<<"$new")" = 1 ]
  [ "$new" != "$old" ]
}

@test "adopt: a pod deleted while the agent was away is purged: no process, cgroup or mount left" {
  mkpod orphan sh -c 'sleep 3600'
  wait_for 15 phase_is orphan Running
  uid=$(uid_of orphan)
  wait_for 10 eval '[ -n "$(procs "$uid")" ]'
  pid=$(procs "$uid")
  kill -9 "$AGENT_PID"
  while kill -0 "$AGENT_PID" 2>/dev/null; do sleep 0.05; done
  # With no agent, a graceful delete only marks the pod; force it out of the API.
  api DELETE "/api/v1/namespaces/default/pods/orphan?gracePeriodSeconds=0" >/dev/null
  wait_for 10 gone orphan
  agent_kill9_restart true
  wait_for 15 grep -q "purging orphaned sandbox.*uid=$uid" "$AGENT_LOG"
  wait_for 10 bash -c "! kill -0 $pid 2>/dev/null"
  # The purge goes on after the process is gone: mounts, cgroups, and the
  # sandbox dir last.
  wait_for 10 test ! -e "$AGENT_ROOT/state/sandboxes/$uid"
  ! ls -d /sys/fs/cgroup/*/tug/"$uid" 2>/dev/null
  ! grep -q "$uid" /proc/self/mountinfo
}

@test "adopt: runtime state sits on the agent's tmpfs, kept across a restart; data a reboot orphaned is removed" {
  [ "$(stat -f -c %T "$AGENT_ROOT/state")" = tmpfs ]
  mkpod survivor sleep 3600
  wait_for 15 phase_is survivor Running
  uid=$(uid_of survivor)
  [ -d "$AGENT_ROOT/data/sandboxes/$uid/main.upper" ]
  [ -f "$AGENT_ROOT/state/sandboxes/$uid/containers/main/state" ]
  # A pod whose state a reboot took: its data on disk, nothing in state/.
  agent_kill9_restart mkdir -p "$AGENT_ROOT/data/sandboxes/rebooted-away/main.upper"
  wait_for 15 test ! -e "$AGENT_ROOT/data/sandboxes/rebooted-away"
  # The same tmpfs, not a new one over it: the running pod was adopted.
  [ "$(grep -c " $AGENT_ROOT/state " /proc/self/mountinfo)" = 1 ]
  wait_for 15 grep -q "container adopted.*pod=default/survivor" "$AGENT_LOG"
  [ -d "$AGENT_ROOT/data/sandboxes/$uid/main.upper" ]
}
