#!/usr/bin/env bats
# The container's file system as an attacker sees it (issue 13): /proc's
# writable and secret files, device nodes, hostPath sources that lead back
# to the host, and symlinks swapped under a volume mount while the pod
# starts. Every attack only reads, or opens for writing without writing; the
# node must stay healthy after each.

# /proc is allowed as a hostPath prefix here so that the /proc refusal is
# what stops /proc/1/root, not the prefix list.
AGENT_FLAGS=(--allowed-host-paths "/proc,/var/tmp")
load lib/security-suite

waiting_reason() {
  ctr_status "$1" "${2:-main}" | jq -r '.state.waiting.reason // empty'
}
waiting_message() {
  ctr_status "$1" "${2:-main}" | jq -r '.state.waiting.message // empty'
}
# config_error POD WORDS: the container waits on CreateContainerConfigError
# with a message containing WORDS.
config_error() {
  wait_for 20 eval "[ \"\$(waiting_reason $1)\" = CreateContainerConfigError ]"
  [[ "$(waiting_message "$1")" == *"$2"* ]] || { waiting_message "$1" >&2; return 1; }
  node_healthy
}

@test "security fs: /proc/sys/kernel/core_pattern cannot be opened for writing" {
  attack_refused core-pattern '{"containers": [{"command": ["attack", "open", "/proc/sys/kernel/core_pattern", "w"]}]}'
}

@test "security fs: /proc/sysrq-trigger cannot be opened for writing" {
  attack_refused sysrq '{"containers": [{"command": ["attack", "open", "/proc/sysrq-trigger", "w"]}]}'
}

# Masked files read as empty (they are /dev/null): "refused" for a read means
# no byte of the kernel's comes back, whether the open fails or reads nothing.
@test "security fs: /proc/kcore, /proc/timer_list and /proc/keys yield nothing" {
  attack_refused kcore '{"containers": [{"command": ["attack", "read", "/proc/kcore"]}]}'
  attack_refused timer-list '{"containers": [{"command": ["attack", "read", "/proc/timer_list"]}]}'
  attack_refused keys '{"containers": [{"command": ["attack", "read", "/proc/keys"]}]}'
}

@test "security fs: masked directories are empty read-only tmpfs, /proc/sys is read-only" {
  mkattack masked '{"containers": [{"command": ["sh", "-c",
    "grep -E \" /(proc/acpi|sys/firmware|proc/sys) \" /proc/self/mountinfo; (: >>/proc/sys/kernel/hostname) 2>/dev/null || echo sys-read-only"]}]}'
  wait_for 20 ended masked
  log_of masked
  [ "$(log_of masked | grep -cE ' /(proc/acpi|sys/firmware) ro,.* - tmpfs ')" = 2 ]
  log_of masked | grep -qE ' /proc/sys ro,'
  log_of masked | grep -q sys-read-only
}

# The loop driver's block device (7:0) opens harmlessly whatever is attached;
# /dev/kmsg (c 1:11) reads the host's kernel log.
@test "security fs: a block device made in /dev cannot be opened" {
  attack_refused mknod-dev '{"containers": [{"command": ["attack", "mknod-read", "loop", "7", "0", "/dev"]}]}'
}

@test "security fs: /dev/kmsg made in /dev cannot be read" {
  attack_refused mknod-kmsg '{"containers": [{"command": ["attack", "mknod-read", "kmsg", "1", "11", "/dev", "c"]}]}'
}

@test "security fs: a block device made in /tmp cannot be opened" {
  attack_refused mknod-tmp '{"containers": [{"command": ["attack", "mknod-read", "loop", "7", "0"]}]}'
}

@test "security fs: hostPath /proc/1/root is refused on the node" {
  mkattack proc-root '{"volumes": [{"name": "h", "hostPath": {"path": "/proc/1/root"}}],
    "containers": [{"command": ["attack", "read", "/host/etc/hostname"],
      "volumeMounts": [{"name": "h", "mountPath": "/host", "readOnly": true}]}]}'
  config_error proc-root "hostPath /proc/1/root is in /proc (refused)"
}

@test "security fs: hostPath /proc/self/cwd and a /proc file are refused on the node" {
  mkattack proc-cwd '{"volumes": [{"name": "h", "hostPath": {"path": "/proc/self/cwd"}}],
    "containers": [{"command": ["attack", "read", "/host/etc/hostname"],
      "volumeMounts": [{"name": "h", "mountPath": "/host", "readOnly": true}]}]}'
  mkattack proc-file '{"volumes": [{"name": "h", "hostPath": {"path": "/proc/kcore", "type": "File"}}],
    "containers": [{"command": ["attack", "read", "/kcore"],
      "volumeMounts": [{"name": "h", "mountPath": "/kcore", "readOnly": true}]}]}'
  config_error proc-cwd "is in /proc (refused)"
  config_error proc-file "is in /proc (refused)"
}

@test "security fs: hostPath / and paths outside --allowed-host-paths are refused" {
  mkattack host-root '{"volumes": [{"name": "h", "hostPath": {"path": "/"}}],
    "containers": [{"command": ["attack", "read", "/host/etc/hostname"],
      "volumeMounts": [{"name": "h", "mountPath": "/host", "readOnly": true}]}]}'
  mkattack host-etc '{"volumes": [{"name": "h", "hostPath": {"path": "/etc"}}],
    "containers": [{"command": ["attack", "read", "/host/hostname"],
      "volumeMounts": [{"name": "h", "mountPath": "/host", "readOnly": true}]}]}'
  mkattack host-prefix '{"volumes": [{"name": "h", "hostPath": {"path": "/var/tmpfoo"}}],
    "containers": [{"command": ["attack", "read", "/host/x"],
      "volumeMounts": [{"name": "h", "mountPath": "/host", "readOnly": true}]}]}'
  config_error host-root "names the root"
  config_error host-etc "not under --allowed-host-paths"
  config_error host-prefix "not under --allowed-host-paths"
  [ ! -e /var/tmpfoo ]
}

@test "security fs: a hostPath symlink leading out of its allowed prefix is refused" {
  host=$(mktemp -d /var/tmp/tug-e2e-hostpath.XXXXXX)
  ln -s / "$host/to-root"
  ln -s ../../proc/self/root "$host/to-proc"
  spec() {
    jq -cn --arg p "$1" '{"volumes": [{"name": "h", "hostPath": {"path": $p}}],
      "containers": [{"command": ["attack", "read", "/host/etc/hostname"],
        "volumeMounts": [{"name": "h", "mountPath": "/host", "readOnly": true}]}]}'
  }
  mkattack link-root "$(spec "$host/to-root")"
  mkattack link-proc "$(spec "$host/to-proc")"
  config_error link-root "leads out of /var/tmp (refused)"
  config_error link-proc "leads out of /var/tmp (refused)"
  rm -rf "$host"
}
