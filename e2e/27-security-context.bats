#!/usr/bin/env bats
# securityContext end to end, the agent's side: what a node cannot honour
# keeps the container from starting with a clear CreateContainerConfigError
# (never a field silently ignored), and runAsNonRoot refuses a root image as
# kubelet does. What the fields do inside the container is shown by the
# process, file-system and seccomp suites.

load lib/security-suite

waiting() {
  ctr_status "$1" | jq -r '"\(.state.waiting.reason // "") \(.state.waiting.message // "")"'
}

# config_error POD WORDS: waiting on CreateContainerConfigError with WORDS,
# and a Warning Event says so; the node carries on.
config_error() {
  wait_for 15 eval "[[ \"\$(waiting $1)\" == CreateContainerConfigError* ]]"
  [[ "$(waiting "$1")" == *"$2"* ]] || { waiting "$1" >&2; return 1; }
  [ "$(pod "$1" | jq -r .status.phase)" = Pending ]
  node_healthy
}

@test "securityContext: runAsNonRoot refuses an image that runs as root" {
  mkattack nonroot '{"securityContext": {"runAsNonRoot": true},
    "containers": [{"command": ["attack", "whoami"]}]}'
  config_error nonroot "container has runAsNonRoot and image will run as root"
}

@test "securityContext: runAsNonRoot with runAsUser 0 is refused, with runAsUser 1000 it starts" {
  mkattack rootuser '{"securityContext": {"runAsNonRoot": true},
    "containers": [{"command": ["attack", "whoami"], "securityContext": {"runAsUser": 0}}]}'
  config_error rootuser "runAsUser breaks non-root policy"
  mkattack user1000 '{"securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
    "containers": [{"command": ["attack", "whoami"]}]}'
  wait_for 20 ended user1000
  [ "$(exit_code user1000)" = 0 ]
}

@test "securityContext: an unknown capability and sysctls are refused, not ignored" {
  mkattack badcap '{"containers": [{"command": ["attack", "whoami"],
    "securityContext": {"capabilities": {"add": ["FLY"]}}}]}'
  config_error badcap 'unknown capability "FLY"'
  mkattack sysctl '{"securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]},
    "containers": [{"command": ["attack", "whoami"]}]}'
  config_error sysctl "sysctls: not supported"
}

@test "securityContext: every pod gets a pids limit of 4096 unless the agent sets another" {
  mkattack pidsdefault '{"containers": [{"command": ["sleep", "30"]}]}'
  wait_for 20 eval "[ \"\$(pod pidsdefault | jq -r .status.phase)\" = Running ]"
  uid=$(pod pidsdefault | jq -r .metadata.uid)
  [ "$(cat /sys/fs/cgroup/pids/tug/"$uid"/pids.max)" = 4096 ]
}
