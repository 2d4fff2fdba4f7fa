#!/usr/bin/env bats
# What a container's process holds and who it runs as (issue 13): no agent
# descriptor, a working directory inside its root whatever workingDir says,
# no way back to the agent's binary through /proc/self/exe, no sight of the
# other containers' processes, and the identity and privileges of its
# securityContext. Every attack runs the static `attack` tool in a pod
# (e2e/attack/attack.c: exit 0 when the defence held).

load lib/security-suite

# The agent starts holding a descriptor of the host's root directory, as one
# leaked by whatever started it (bats leaks pipes to it too) or opened by one
# of its threads at the moment a container's child is cloned: it makes the
# workingDir attack deterministic, not a race.
eval "security_$(declare -f setup_file)"
setup_file() {
  local hostdir
  exec {hostdir}</
  security_setup_file
  exec {hostdir}<&-
}

# reason NAME CTR: the terminated container's reason (StartError, Error, ...).
reason() { ctr_status "$1" "$2" | jq -r '.state.terminated.reason // empty'; }
all_ended() {
  [ "$(pod "$1" | jq '[.status.containerStatuses[]? | select(.state.terminated)] | length')" = "$2" ]
}

@test "process: workingDir /proc/self/fd/N (N = 3..64) never puts the process outside its root" {
  # One pod of 62 containers, started one after the other: each either is
  # refused at start or finds its working directory inside its root.
  spec=$(jq -cn '{containers: [range(3; 65) | {name: "fd\(.)", workingDir: "/proc/self/fd/\(.)",
    command: ["attack", "cwd"]}]}')
  mkattack cwdfd "$spec"
  wait_for 120 all_ended cwdfd 62
  bad=0
  for n in $(seq 3 64); do
    rc=$(exit_code cwdfd "fd$n")
    case "$rc" in
    0) ;;                                          # ran, cwd inside the root
    128) [ "$(reason cwdfd "fd$n")" = StartError ] || { echo "fd$n: exit 128 without StartError" >&2; bad=1; } ;;
    *) echo "fd$n: exit $rc: $(log_of cwdfd "fd$n")" >&2; bad=1 ;;
    esac
  done
  [ "$bad" = 0 ]
  # The refusal says why.
  pod cwdfd | jq -r '.status.containerStatuses[] | select(.name == "fd3") | .state.terminated.message' |
    grep -q 'workingDir'
  node_healthy
}

@test "process: a missing workingDir is made inside the root" {
  mkattack cwdnew '{"containers": [{"name": "main", "workingDir": "/made/by/runtime",
    "command": ["attack", "cwd"]}]}'
  wait_for 20 ended cwdnew
  [ "$(exit_code cwdnew)" = 0 ]
  log_of cwdnew | grep -q 'inside the root at /made/by/runtime'
}

@test "process: the container holds no descriptor but stdio" {
  attack_refused nofds '{"containers": [{"name": "main", "command": ["attack", "fds"]}]}'
}

# An image "selfexe" whose entrypoint is a script run by the binary of the
# process that execs it: before the fix, the agent's own (runc's
# CVE-2019-5736). Nothing is written to it: the refusal is the whole test.
make_selfexe_image() {
  local img="$AGENT_ROOT/images/selfexe/latest/rootfs"
  mkdir -p "$img"
  cp -a "$AGENT_ROOT/images/attack/latest/rootfs/." "$img/"
  printf '#!/proc/self/exe\n' >"$img/bin/selfexe"
  chmod 0755 "$img/bin/selfexe"
}

@test "process: an entrypoint '#!/proc/self/exe' does not run the agent's binary" {
  make_selfexe_image
  mkattack selfexe '{"containers": [{"name": "main", "image": "selfexe", "command": ["/bin/selfexe"]}]}'
  wait_for 20 ended selfexe
  log_of selfexe >&2
  [ "$(exit_code selfexe)" = 127 ]
  log_of selfexe | grep -q 'tug-init: not started by the agent'
  ! log_of selfexe | grep -q 'tug-agent'
  node_healthy
}

@test "process: a container cannot ptrace the processes of another container of its pod" {
  # The victim's processes are pids 1..4 in its own PID namespace; the
  # attacker's pid 1 is its shell, and 3 and 4 are not there for it.
  mkattack ptrace '{"containers": [
    {"name": "victim", "command": ["sh", "-c", "sleep 3600 & sleep 3600 & sleep 3600 & wait"]},
    {"name": "main", "command": ["sh", "-c", "attack ptrace 3 && attack ptrace 4"]}]}'
  wait_for 20 ended ptrace main
  log_of ptrace main >&2
  [ "$(exit_code ptrace main)" = 0 ]
  [ "$(log_of ptrace main | grep -c 'refused: ptrace: ESRCH')" = 2 ]
}

# whoami_has NAME CTR LINE...: each LINE (a /proc/self/status line, tabs
# written \t) is in the container's `attack whoami` output.
whoami_has() {
  local name=$1 ctr=$2 line out
  shift 2
  wait_for 20 ended "$name" "$ctr"
  out=$(log_of "$name" "$ctr")
  for line in "$@"; do
    grep -qxF "$(printf "$line")" <<<"$out" || { echo "$name/$ctr lacks '$line' in:" >&2; echo "$out" >&2; return 1; }
  done
}

@test "process: runAsUser, runAsGroup and supplementalGroups are the process's identity" {
  mkattack ids '{"securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "supplementalGroups": [4000, 4001]},
    "containers": [{"command": ["attack", "whoami"]}]}'
  whoami_has ids main 'Uid:\t1000\t1000\t1000\t1000' 'Gid:\t3000\t3000\t3000\t3000' \
    'Groups:\t4000 4001 ' 'CapPrm:\t0000000000000000' 'CapEff:\t0000000000000000' \
    'CapAmb:\t0000000000000000' 'NoNewPrivs:\t1'
}

@test "process: capabilities add and drop make the bounding set; root has it in effect, a user none" {
  mkattack caps '{"containers": [
    {"name": "only", "command": ["attack", "whoami"],
     "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["KILL", "NET_BIND_SERVICE"]}}},
    {"name": "less", "command": ["attack", "whoami"],
     "securityContext": {"capabilities": {"drop": ["CHOWN", "NET_RAW"]}}},
    {"name": "user", "command": ["attack", "whoami"],
     "securityContext": {"runAsUser": 1000, "capabilities": {"add": ["NET_ADMIN"]}}}]}'
  whoami_has caps only 'CapBnd:\t0000000000000420' 'CapEff:\t0000000000000420' 'CapInh:\t0000000000000000'
  whoami_has caps less 'CapBnd:\t00000000a80405fa' 'CapEff:\t00000000a80405fa'
  # containerd and Kubernetes give a non-root user no ambient capabilities.
  whoami_has caps user 'CapBnd:\t00000000a80435fb' 'CapEff:\t0000000000000000' 'CapPrm:\t0000000000000000'
}

@test "process: allowPrivilegeEscalation false sets no_new_privs, true lifts it" {
  mkattack nnp '{"containers": [
    {"name": "nope", "command": ["attack", "whoami"], "securityContext": {"allowPrivilegeEscalation": false}},
    {"name": "may", "command": ["attack", "whoami"], "securityContext": {"allowPrivilegeEscalation": true}}]}'
  whoami_has nnp nope 'NoNewPrivs:\t1'
  whoami_has nnp may 'NoNewPrivs:\t0'
}
