#!/usr/bin/env bats
# User namespaces (issue 13): a pod with spec.hostUsers false runs in a user
# namespace of its own. Its root is uid 0 inside and an unprivileged uid of
# the pod's own 65536-id range on the host, writes its rootfs and emptyDir,
# cannot read a file the host's root made in that emptyDir with mode 0600,
# keeps its range over an agent restart and frees it on delete.

load lib/security-suite

# Tests run in subshells: the pid of an agent a test restarted is passed on
# through a file, for the next test and for the suite's teardown.
eval "$(declare -f teardown_file | sed 's/^teardown_file/suite_teardown_file/')"
setup() { [ -f "$BATS_FILE_TMPDIR/agent.pid" ] && AGENT_PID=$(cat "$BATS_FILE_TMPDIR/agent.pid") || true; }
teardown_file() {
  setup
  suite_teardown_file
}

FIRST=$((0x70000000))
LIMIT=$((0x7ffe0000))
RANGES() { echo "$AGENT_ROOT/state/userns"; }

# mkuserns NAME SCRIPT [HOSTUSERS]: a pod running SCRIPT with an emptyDir on /data.
mkuserns() {
  local spec
  spec=$(jq -cn --arg s "$2" --argjson hu "${3:-false}" '{hostUsers: $hu,
    volumes: [{name: "data", emptyDir: {}}],
    containers: [{command: ["sh", "-c", $s], volumeMounts: [{name: "data", mountPath: "/data"}]}]}')
  mkattack "$1" "$spec"
}

uid_of() { pod "$1" | jq -r .metadata.uid; }
# The container's main process (the pod's only container).
main_pid() { head -1 "/sys/fs/cgroup/pids/tug/$1/main/cgroup.procs" 2>/dev/null; }
# The host's view of a process: its real, effective, saved and fs uid.
host_uids() { awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$1/status"; }
# The range a pod holds, by its record file.
range_of() { grep -lx "$1" "$(RANGES)"/[0-9]* 2>/dev/null | xargs -r -n1 basename; }
logged() { log_of "$1" | grep -q "$2"; }

@test "userns: a hostUsers:false pod's root is uid 0 inside and its range's first uid on the host" {
  mkuserns own 'attack whoami; touch /rootfs-file && echo rootfs-ok; touch /data/f && echo data-ok; echo up; exec sleep 3600'
  wait_for 20 logged own up
  uid=$(uid_of own)
  pid=$(main_pid "$uid")
  [ -n "$pid" ]
  base=$(range_of "$uid")
  [ -n "$base" ]
  [ "$base" -ge "$FIRST" ]
  [ "$base" -lt "$LIMIT" ]
  [ $((base % 65536)) = 0 ]
  [ "$(host_uids "$pid")" = "$base $base $base $base" ]
  log_of own | grep -q "^Uid:	0	0	0	0$"
  log_of own | grep -q rootfs-ok
  log_of own | grep -q data-ok
  # What it wrote is the range's on the host.
  [ "$(stat -c %u "$AGENT_ROOT/data/sandboxes/$uid/volumes/data/f")" = "$base" ]
  node_healthy
}

@test "userns: a host root's 0600 file in the emptyDir is refused to the pod's root (allowed with host users)" {
  local script='until [ -e /data/host-secret ]; do sleep 0.1; done; attack read /data/host-secret'
  mkuserns sealed "$script"
  mkuserns hostusers "$script" true
  for p in sealed hostusers; do
    wait_for 20 phase_is "$p" Running
    dir="$AGENT_ROOT/data/sandboxes/$(uid_of "$p")/volumes/data"
    wait_for 10 test -d "$dir"
    (umask 077 && echo s3cret >"$dir/host-secret")
  done
  wait_for 20 ended sealed
  wait_for 20 ended hostusers
  log_of sealed >&2
  [ "$(exit_code sealed)" = 0 ]
  log_of sealed | grep -q "refused: read: EACCES"
  # The same container with the host's users reads it: the user namespace is the defence.
  [ "$(exit_code hostusers)" = 1 ]
  node_healthy
}

@test "userns: a Secret kept to its owner (defaultMode 0400) is the pod's root's to read" {
  api POST /api/v1/namespaces/default/secrets \
    '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"owner-only"},"stringData":{"key":"s3cret"}}'
  [ "$code" = 201 ]
  local spec
  spec=$(jq -cn '{hostUsers: false,
    volumes: [{name: "s", secret: {secretName: "owner-only", defaultMode: 256}}],
    containers: [{command: ["cat", "/s/key"], volumeMounts: [{name: "s", mountPath: "/s"}]}]}')
  mkattack secret-reader "$spec"
  wait_for 30 ended secret-reader
  log_of secret-reader >&2
  [ "$(exit_code secret-reader)" = 0 ]
  [ "$(log_of secret-reader)" = s3cret ]
  node_healthy
}

@test "userns: the pod's root binds port 80: the user namespace owns the pod's network" {
  mkuserns binder 'mkdir -p /tmp/www && httpd -p 80 -h /tmp/www && echo bound-80; exec sleep 3600'
  wait_for 20 logged binder bound-80
  node_healthy
}

@test "userns: two pods get disjoint ranges, and a deleted pod's range is freed" {
  mkuserns one 'echo up; exec sleep 3600'
  mkuserns two 'echo up; exec sleep 3600'
  wait_for 20 logged one up
  wait_for 20 logged two up
  a=$(range_of "$(uid_of one)")
  b=$(range_of "$(uid_of two)")
  [ -n "$a" ]
  [ -n "$b" ]
  [ $((a - b)) -ge 65536 ] || [ $((b - a)) -ge 65536 ]
  pa=$(host_uids "$(main_pid "$(uid_of one)")")
  pb=$(host_uids "$(main_pid "$(uid_of two)")")
  [ "${pa%% *}" = "$a" ]
  [ "${pb%% *}" = "$b" ]
  uid=$(uid_of two)
  api DELETE /api/v1/namespaces/default/pods/two >/dev/null
  wait_for 15 test ! -e "$(RANGES)/$b"
  [ -z "$(range_of "$uid")" ]
  [ "$(range_of "$(uid_of one)")" = "$a" ]
}

@test "userns: after an agent restart the pod is adopted with its range" {
  mkuserns kept 'echo up; exec sleep 3600'
  wait_for 20 logged kept up
  uid=$(uid_of kept)
  pid=$(main_pid "$uid")
  base=$(range_of "$uid")
  [ -n "$pid" ]
  [ -n "$base" ]
  kill -9 "$AGENT_PID"
  while kill -0 "$AGENT_PID" 2>/dev/null; do sleep 0.05; done
  bin/tug-agent $(agent_identity "$NODE") --node-name "$NODE" --root "$AGENT_ROOT" \
    --restart-backoff-seconds 1 --log-level debug --port "$(_free_port)" >>"$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  echo "$AGENT_PID" >"$BATS_FILE_TMPDIR/agent.pid"
  wait_for 15 grep -q "container adopted.*pod=default/kept" "$AGENT_LOG"
  sleep 2 # a few status ticks: a wrong restart or kill would show by now
  [ "$(main_pid "$uid")" = "$pid" ]
  [ "$(host_uids "$pid")" = "$base $base $base $base" ]
  [ "$(range_of "$uid")" = "$base" ]
  [ "$(pod kept | jq -r '.status.containerStatuses[0].restartCount')" = 0 ]
  # Still under control, and the range goes with the pod.
  api DELETE /api/v1/namespaces/default/pods/kept >/dev/null
  wait_for 15 test ! -e "$(RANGES)/$base"
  node_healthy
}
