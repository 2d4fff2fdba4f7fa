# agent-suite.bash — etcd, tug-apiserver and one tug-agent for a whole bats
# file; pods are placed by setting spec.nodeName. In the suite: AGENT_FLAGS=(...)
# (optional), then `load lib/agent-suite`. Pods a suite creates should have
# their uids appended to $UIDS_FILE: teardown deletes every pod through the API
# and waits, stops the agent by PID, then removes any cgroup or mount of those
# pods that is left.

source "$BATS_TEST_DIRNAME/lib/apiserver-suite.bash"
source "$BATS_TEST_DIRNAME/lib/agent.bash"

setup_file() {
  apiserver_suite_setup_file
  UIDS_FILE="$ETCD_DIR/pod-uids"
  : >"$UIDS_FILE"
  export UIDS_FILE
  agent_start "e2e-node-$$" --restart-backoff-seconds 1 --log-level debug "${AGENT_FLAGS[@]}"
}

# Remove what a failed run may have left: cgroups and mounts of our pods.
scrub() {
  local uid d
  while read -r uid; do
    [ -n "$uid" ] || continue
    for d in /sys/fs/cgroup/*/tug/"$uid"; do
      # A cgroup still busy must not end teardown (set -e) before the rest runs.
      [ -d "$d" ] && { find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
    done
  done <"$UIDS_FILE"
  grep -F " $AGENT_ROOT/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  if [ -n "${AGENT_PID:-}" ]; then
    curl -sS -X DELETE "$API/api/v1/namespaces/default/pods?gracePeriodSeconds=1" >/dev/null || true
    for _ in $(seq 1 100); do
      [ "$(curl -fsS "$API/api/v1/pods?fieldSelector=spec.nodeName=$NODE" |
        jq '.items | length')" = 0 ] && break
      sleep 0.2
    done
    stop_pid "$AGENT_PID"
  fi
  [ -n "${UIDS_FILE:-}" ] && [ -f "$UIDS_FILE" ] && scrub
  [ -n "${AGENT_ROOT:-}" ] && rm -rf "$AGENT_ROOT" "$AGENT_LOG"
  apiserver_stop
}

pod() { curl -fsS "$API/api/v1/namespaces/default/pods/$1"; }

phase_is() { [ "$(pod "$1" | jq -r .status.phase)" = "$2" ]; }
restarted() { [ "$(pod "$1" | jq -r '.status.containerStatuses[0].restartCount')" -ge "$2" ]; }
