#!/usr/bin/env bats
# Seccomp end to end: pods run the attack tool (e2e/attack/attack.c) in the
# "attack" image on a real agent. Under the runtime default profile, which
# every pod gets, new namespaces, the kernel keyring, module loading and
# mounts are refused with EPERM and /proc/self/status shows a filter;
# seccompProfile Unconfined runs without one; a Localhost profile from the
# agent's profile dir refuses what it names; a profile that cannot be read
# fails the container with an error naming the file.

load lib/security-suite

# A pod whose one container runs `attack ARGS...` with securityContext CTX.
attack_spec() {
  local ctx=${1:-'{}'}
  shift
  jq -cn --argjson ctx "$ctx" '{containers: [{command: (["attack"] + $ARGS.positional),
    securityContext: $ctx}]}' --args "$@"
}

# refused_with_eperm NAME ARGS...: the attack was refused, by EPERM.
refused_with_eperm() {
  local name=$1
  shift
  attack_refused "$name" "$(attack_spec '{}' "$@")"
  log_of "$name" | grep -q "EPERM"
}

terminated_message() { ctr_status "$1" | jq -r '.state.terminated.message // empty'; }

@test "the runtime default profile filters every container" {
  mkattack sc-whoami "$(attack_spec '{}' whoami)"
  wait_for 20 ended sc-whoami
  log_of sc-whoami | grep -q "^Seccomp:[[:space:]]*2$"
  log_of sc-whoami | grep -q "^NoNewPrivs:[[:space:]]*1$"
}

@test "default profile: a new user namespace is refused" {
  refused_with_eperm sc-userns unshare user
}

@test "default profile: a new mount namespace is refused" {
  refused_with_eperm sc-mountns unshare mount
}

@test "default profile: the kernel keyring is refused" {
  refused_with_eperm sc-keyctl keyctl
}

@test "default profile: loading a kernel module is refused" {
  refused_with_eperm sc-module module
}

@test "default profile: mount is refused" {
  refused_with_eperm sc-mount mount
}

@test "Unconfined: no filter, and a new user namespace is allowed" {
  local ctx='{"seccompProfile": {"type": "Unconfined"}}'
  mkattack sc-unconfined "$(attack_spec "$ctx" unshare user)"
  wait_for 20 ended sc-unconfined
  log_of sc-unconfined >&2
  [ "$(exit_code sc-unconfined)" = 1 ]
  log_of sc-unconfined | grep -q "allowed: unshare"
}

@test "Localhost: the profile refuses what it names and nothing else" {
  mkdir -p "$AGENT_ROOT/seccomp/e2e"
  cat >"$AGENT_ROOT/seccomp/e2e/no-unshare.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
EOF
  local ctx='{"seccompProfile": {"type": "Localhost", "localhostProfile": "e2e/no-unshare.json"}}'
  attack_refused sc-local-unshare "$(attack_spec "$ctx" unshare user)"
  log_of sc-local-unshare | grep -q "EACCES"
  mkattack sc-local-keyctl "$(attack_spec "$ctx" keyctl)"
  wait_for 20 ended sc-local-keyctl
  [ "$(exit_code sc-local-keyctl)" = 1 ]
}

@test "Localhost: a missing or broken profile fails the container, naming the file" {
  mkdir -p "$AGENT_ROOT/seccomp"
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]}]}' \
    >"$AGENT_ROOT/seccomp/broken.json"
  local missing='{"seccompProfile": {"type": "Localhost", "localhostProfile": "missing.json"}}'
  local broken='{"seccompProfile": {"type": "Localhost", "localhostProfile": "broken.json"}}'
  mkattack sc-missing "$(attack_spec "$missing" whoami)"
  mkattack sc-broken "$(attack_spec "$broken" whoami)"
  wait_for 20 ended sc-missing
  wait_for 20 ended sc-broken
  terminated_message sc-missing >&2
  terminated_message sc-broken >&2
  terminated_message sc-missing | grep -q "seccomp/missing.json: No such file"
  terminated_message sc-broken | grep -q "seccomp/broken.json: syscalls\[0\].action"
  [ -z "$(log_of sc-missing)" ]
  node_healthy
}
