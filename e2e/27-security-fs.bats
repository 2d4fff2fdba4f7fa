#!/usr/bin/env bats
# The container's file system as an attacker sees it (issue 13): /proc's
# writable and secret files, device nodes, hostPath sources that lead back
# to the host, and symlinks swapped under a volume mount while the pod
# starts. Every attack only reads, or opens for writing without writing; the
# node must stay healthy after each.

# /proc is allowed as a hostPath prefix here so that the /proc refusal is
# what stops /proc/1/root, not the prefix list.
AGENT_FLAGS=(--allowed-host-paths "/proc,/var/tmp")
# The node's own defences are what this suite tests: Pod Security admission
# (baseline by default) would refuse these pods before any node saw them.
APISERVER_FLAGS=(--pod-security-default privileged)
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
  wait_for 5 eval "log_of masked | grep -q sys-read-only"
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
  # The pods first: retrying, the agent would make the missing paths again
  # (a hostPath of type "" is created as a directory) once the links are gone.
  api DELETE "/api/v1/namespaces/default/pods/link-root?gracePeriodSeconds=0" >/dev/null
  api DELETE "/api/v1/namespaces/default/pods/link-proc?gracePeriodSeconds=0" >/dev/null
  wait_for 15 eval '! pod link-root >/dev/null 2>&1 && ! pod link-proc >/dev/null 2>&1'
  rm -rf "$host"
}

@test "security fs: readOnlyRootFilesystem leaves / read-only, volumes and /dev writable" {
  mkattack rofs '{"volumes": [{"name": "scratch", "emptyDir": {}}], "containers": [{"command": ["sh", "-c",
    "touch /probe 2>/dev/null && echo root-writable; touch /scratch/x && echo volume-writable; echo > /dev/null && echo dev-writable"],
    "securityContext": {"readOnlyRootFilesystem": true},
    "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]}]}'
  wait_for 20 ended rofs
  wait_for 5 eval "log_of rofs | grep -q dev-writable"
  ! log_of rofs | grep -q root-writable
  log_of rofs | grep -q volume-writable
  log_of rofs | grep -q dev-writable
  node_healthy
}

@test "security fs: readOnlyRootFilesystem with a missing workingDir makes it first, as runc does" {
  mkattack rowd '{"containers": [{"command": ["sh", "-c", "pwd; touch here 2>/dev/null || echo cwd-read-only"],
    "workingDir": "/made/for/me", "securityContext": {"readOnlyRootFilesystem": true}}]}'
  wait_for 20 ended rowd
  [ "$(exit_code rowd)" = 0 ]
  wait_for 5 eval "log_of rowd | grep -q cwd-read-only"
  log_of rowd | grep -qx /made/for/me
  node_healthy
}

@test "security fs: a privileged container sees /proc unmasked and /sys writable" {
  mkattack priv '{"containers": [{"command": ["sh", "-c",
    "grep -cE \" /proc/(timer_list|keys|acpi|sys) \" /proc/self/mountinfo; grep -q \" /sys rw,\" /proc/self/mountinfo && echo sys-rw"],
    "securityContext": {"privileged": true}}]}'
  wait_for 20 ended priv
  wait_for 5 eval "log_of priv | grep -q sys-rw"
  [ "$(log_of priv | head -n1)" = 0 ]
  node_healthy
}

@test "security fs: an emptyDir on disk past its sizeLimit evicts the pod" {
  mkattack fill '{"restartPolicy": "Always", "volumes": [{"name": "x", "emptyDir": {"sizeLimit": "1Mi"}}],
    "containers": [{"command": ["sh", "-c", "dd if=/dev/zero of=/x/fill bs=1024 count=2048 2>/dev/null; sleep 3600"],
      "volumeMounts": [{"name": "x", "mountPath": "/x"}]}]}'
  wait_for 30 phase_is fill Failed
  [ "$(pod fill | jq -r .status.reason)" = Evicted ]
  [ "$(pod fill | jq -r .status.message)" = 'Usage of EmptyDir volume "x" exceeds the limit "1Mi".' ]
  wait_for 10 ended fill
  sleep 2
  ended fill # not restarted
  node_healthy
}

@test "security fs: a Secret volume lives on a tmpfs, never on the node's disk" {
  curl -fsS "$API/api/v1" | jq -e '.resources[] | select(.name == "secrets")' >/dev/null ||
    skip "the API server serves no Secrets"
  api POST /api/v1/namespaces/default/secrets '{"apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "token"}, "data": {"token": "czNjcjN0"}}' >/dev/null
  [ "$code" = 201 ]
  mkattack secret '{"volumes": [{"name": "s", "secret": {"secretName": "token"}}],
    "containers": [{"command": ["sh", "-c", "cat /s/token; echo; grep \" /s \" /proc/self/mountinfo"],
      "volumeMounts": [{"name": "s", "mountPath": "/s"}]}]}'
  wait_for 20 ended secret
  wait_for 5 eval "log_of secret | grep -q tmpfs"
  log_of secret | grep -q '^s3cr3t$'
  log_of secret | grep -qE ' /s ro,.* - tmpfs '
  uid=$(pod secret | jq -r .metadata.uid)
  grep -qE " $AGENT_ROOT/data/sandboxes/$uid/volumes/s .* - tmpfs " /proc/self/mountinfo
}

@test "security fs: a projected volume (secret, configMap, downwardAPI) lives on a tmpfs too" {
  api POST /api/v1/namespaces/default/secrets '{"apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "proj-token"}, "data": {"token": "czNjcjN0"}}' >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/default/configmaps '{"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "proj-ca"}, "data": {"ca.crt": "pem"}}' >/dev/null
  [ "$code" = 201 ]
  mkattack projected '{"volumes": [{"name": "p", "projected": {"sources": [
      {"secret": {"name": "proj-token"}}, {"configMap": {"name": "proj-ca"}},
      {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}],
    "containers": [{"command": ["sh", "-c", "cat /p/token /p/ca.crt /p/ns; echo; grep \" /p \" /proc/self/mountinfo"],
      "volumeMounts": [{"name": "p", "mountPath": "/p"}]}]}'
  wait_for 20 ended projected
  wait_for 5 eval "log_of projected | grep -q tmpfs"
  log_of projected | grep -q '^s3cr3tpemdefault$'
  log_of projected | grep -qE ' /p ro,.* - tmpfs '
  uid=$(pod projected | jq -r .metadata.uid)
  grep -qE " $AGENT_ROOT/data/sandboxes/$uid/volumes/p .* - tmpfs " /proc/self/mountinfo
}

@test "security fs: fsGroup owns emptyDir volumes, setgid, group-writable" {
  mkattack fsgroup '{"securityContext": {"fsGroup": 4321}, "volumes": [{"name": "d", "emptyDir": {}}],
    "containers": [{"command": ["sh", "-c", "stat -c \"%g %a\" /d; touch /d/f; stat -c \"file %g\" /d/f"],
      "volumeMounts": [{"name": "d", "mountPath": "/d"}]}]}'
  wait_for 20 ended fsgroup
  wait_for 5 eval "log_of fsgroup | grep -q file"
  log_of fsgroup
  log_of fsgroup | grep -q '^4321 2777$'
  log_of fsgroup | grep -q '^file 4321$'
}

# A container keeps flipping /v/sub between a directory and a symlink to "/"
# while its neighbours start, again and again, with a subPath sub of that
# volume mounted read-only: each must find the volume's own tree there, never
# the host's, and never a writable mount (asked with test -w: were the
# defence to fail, /ro would be the host's /, which must never be written).
@test "security fs: a symlink swapped under a volume mount while the pod starts stays inside" {
  victim='{"command": ["sh", "-c",
    "[ -e /ro/etc/os-release -o -e /ro/proc/1 ] && echo LEAK; test -w /ro && echo WRITABLE; echo checked; exit 1"],
    "volumeMounts": [{"name": "v", "mountPath": "/ro", "subPath": "sub", "readOnly": true}]}'
  mkattack swap "$(jq -cn --argjson v "$victim" '{"restartPolicy": "Always",
    "volumes": [{"name": "v", "emptyDir": {}}],
    "containers": [{"name": "flipper", "command": ["sh", "-c",
      "while :; do rm -rf /v/sub; mkdir /v/sub; rm -rf /v/sub; ln -s / /v/sub; done"],
      "volumeMounts": [{"name": "v", "mountPath": "/v"}]},
      ({"name": "a"} + $v), ({"name": "b"} + $v), ({"name": "c"} + $v)]}')"
  for c in a b c; do
    wait_for 60 eval "[ \"\$(ctr_status swap $c | jq -r .restartCount)\" -ge 2 ]"
  done
  for c in a b c; do
    log_of swap "$c" >&2
    ! log_of swap "$c" | grep -qE 'LEAK|WRITABLE'
  done
  node_healthy
}
