#!/usr/bin/env bats
# Pod volumes end to end: a real etcd, tug-apiserver and agent on this host;
# pods placed by spec.nodeName. emptyDir (on disk and in memory) shared by a
# pod's containers, hostPath, configMap and secret files, subPath, and bad
# volumes reported as CreateContainerConfigError while the agent carries on;
# a deleted pod leaves no volume dir, tmpfs or mount behind.

# hostPath volumes are part of what this suite tests; Pod Security's default
# (baseline) refuses them.
APISERVER_FLAGS=(--pod-security-default privileged)
# hostPath volumes are refused unless under an allowed prefix: the tests'
# own temporary dirs and /etc (whose type is checked).
AGENT_FLAGS=(--allowed-host-paths "/etc,${TMPDIR:-/tmp}")
load lib/agent-suite

# mkpod NAME SPEC_JSON: a pod bound to $NODE with a 2 s grace period, from a
# spec whose containers get image busybox unless they name one.
mkpod() {
  local body
  body=$(jq -cn --arg n "$1" --arg node "$NODE" --argjson s "$2" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n, labels: {app: "vol", tier: "e2e"}},
    spec: ({nodeName: $node, terminationGracePeriodSeconds: 2} + $s |
      .containers |= map({image: "busybox"} + .))}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

uid_of() { pod "$1" | jq -r .metadata.uid; }
log_of() { cat "$AGENT_ROOT/logs/default_$1_$(uid_of "$1")/$2.log" 2>/dev/null; }
log_has() { log_of "$1" "$2" | grep -q -- "$3"; }
gone() { ! curl -fsS -o /dev/null "$API/api/v1/namespaces/default/pods/$1"; }
waiting_reason() {
  pod "$1" | jq -r --arg c "${2:-main}" '.status.containerStatuses[]? | select(.name == $c) |
    .state.waiting.reason // empty'
}
waiting_message() {
  pod "$1" | jq -r '.status.containerStatuses[0].state.waiting.message // empty'
}
# The API server serves ConfigMaps and Secrets (a kind it may not know yet).
api_serves() { curl -fsS "$API/api/v1" | jq -e --arg r "$1" '.resources[] | select(.name == $r)' >/dev/null; }

# config_error POD WORDS: the pod's container waits on CreateContainerConfigError
# with a message containing WORDS, and a Warning "Failed" Event says so too.
config_error() {
  wait_for 15 eval "[ \"\$(waiting_reason $1)\" = CreateContainerConfigError ]"
  [[ "$(waiting_message "$1")" == *"$2"* ]] || { waiting_message "$1" >&2; return 1; }
  [ "$(pod "$1" | jq -r .status.phase)" = Pending ]
  wait_for 10 eval "curl -fsS '$API/api/v1/namespaces/default/events' | jq -e --arg u $(uid_of "$1") '
    .items[] | select(.involvedObject.uid == \$u and .reason == \"Failed\" and .type == \"Warning\")' >/dev/null"
}

@test "volumes: two containers share an emptyDir, one writes and the other reads" {
  mkpod share '{"volumes": [{"name": "shared", "emptyDir": {}}], "containers": [
    {"name": "writer", "command": ["sh", "-c", "echo hello-from-writer > /out/msg; sleep 3600"],
     "volumeMounts": [{"name": "shared", "mountPath": "/out"}]},
    {"name": "reader", "command": ["sh", "-c", "until cat /in/msg; do sleep 0.2; done; sleep 3600"],
     "volumeMounts": [{"name": "shared", "mountPath": "/in/"}]}]}'
  wait_for 15 phase_is share Running
  wait_for 10 log_has share reader hello-from-writer
  uid=$(uid_of share)
  [ "$(cat "$AGENT_ROOT/data/sandboxes/$uid/volumes/shared/msg")" = hello-from-writer ]
}

@test "volumes: an emptyDir with medium Memory is a tmpfs of its sizeLimit" {
  mkpod memdir '{"volumes": [{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}],
    "containers": [{"name": "main", "command": ["sh", "-c",
      "grep \" /cache \" /proc/mounts; dd if=/dev/zero of=/cache/big bs=1024 count=2048 2>/dev/null || echo write-refused; sleep 3600"],
     "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]}]}'
  wait_for 15 phase_is memdir Running
  wait_for 10 log_has memdir main write-refused
  log_has memdir main "tmpfs /cache tmpfs"
  uid=$(uid_of memdir)
  grep -q "$uid/volumes/cache" /proc/self/mountinfo
}

@test "volumes: a readOnly hostPath Directory can be read and not written" {
  host="$BATS_FILE_TMPDIR/hostdir"
  mkdir -p "$host"
  echo from-the-host >"$host/file"
  spec=$(jq -cn --arg h "$host" '{"volumes": [{"name": "h", "hostPath": {"path": $h, "type": "Directory"}}],
    "containers": [{"name": "main", "command": ["sh", "-c",
      "cat /host/file; touch /host/new 2>/dev/null && echo write-ok || echo write-failed; sleep 3600"],
      "volumeMounts": [{"name": "h", "mountPath": "/host", "readOnly": true}]}]}')
  mkpod hostro "$spec"
  wait_for 15 phase_is hostro Running
  wait_for 10 log_has hostro main write-failed
  log_has hostro main from-the-host
  [ ! -e "$host/new" ]
}

@test "volumes: a subPath symlink planted in a shared volume stays inside it" {
  # "planter" keeps /v/evil a symlink to /; "victim" mounts subPath evil and
  # must see the volume's own root (holding "evil"), never the host's /.
  mkpod subpath '{"volumes": [{"name": "v", "emptyDir": {}}], "containers": [
    {"name": "planter", "command": ["sh", "-c",
      "while true; do [ -L /v/evil ] || { rm -rf /v/evil; ln -s / /v/evil; }; sleep 0.2; done"],
     "volumeMounts": [{"name": "v", "mountPath": "/v"}]},
    {"name": "victim", "command": ["sh", "-c",
      "if [ -L /mnt/evil ]; then echo inside-the-volume; sleep 3600; fi; ls /mnt; exit 1"],
     "volumeMounts": [{"name": "v", "mountPath": "/mnt", "subPath": "./evil"}]}]}'
  wait_for 30 log_has subpath victim inside-the-volume
}

@test "volumes: configMap and secret keys become files, items and modes as asked" {
  api_serves configmaps && api_serves secrets || skip "the API server serves no ConfigMaps or Secrets yet"
  api POST /api/v1/namespaces/default/configmaps '{"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "game"}, "data": {"game.properties": "lives=3\n", "ui.properties": "color=blue\n"}}' >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/default/secrets '{"apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "creds"}, "data": {"password": "czNjcjN0"}}' >/dev/null
  [ "$code" = 201 ]
  mkpod cfg '{"volumes": [{"name": "config", "configMap": {"name": "game"}},
      {"name": "one", "configMap": {"name": "game", "items": [{"key": "ui.properties", "path": "sub/ui", "mode": 256}]}},
      {"name": "secret", "secret": {"secretName": "creds", "defaultMode": 256}}],
    "containers": [{"name": "main", "command": ["sh", "-c",
      "cat /etc/game/game.properties /etc/one/sub/ui /etc/secret/password; echo; stat -c %a /etc/one/sub/ui; touch /etc/game/x || echo read-only; sleep 3600"],
      "volumeMounts": [{"name": "config", "mountPath": "/etc/game"}, {"name": "one", "mountPath": "/etc/one"},
        {"name": "secret", "mountPath": "/etc/secret"}]}]}'
  wait_for 15 phase_is cfg Running
  wait_for 10 log_has cfg main read-only
  log_has cfg main lives=3
  log_has cfg main color=blue
  log_has cfg main s3cr3t
  log_has cfg main '^400$'
}

@test "volumes: a missing configMap waits on CreateContainerConfigError, then runs once it exists" {
  mkpod nocfg '{"volumes": [{"name": "c", "configMap": {"name": "later"}}],
    "containers": [{"name": "main", "command": ["sh", "-c", "cat /c/key; sleep 3600"],
      "volumeMounts": [{"name": "c", "mountPath": "/c"}]}]}'
  config_error nocfg 'configmap "later" not found'
  kill -0 "$AGENT_PID"
  api_serves configmaps || skip "the API server serves no ConfigMaps yet"
  api POST /api/v1/namespaces/default/configmaps '{"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "later"}, "data": {"key": "arrived"}}' >/dev/null
  [ "$code" = 201 ]
  wait_for 15 phase_is nocfg Running
  wait_for 10 log_has nocfg main arrived
}

@test "volumes: an optional missing configMap mounts empty, downwardAPI writes the pod's metadata" {
  mkpod optional '{"volumes": [{"name": "c", "configMap": {"name": "absent", "optional": true}},
      {"name": "info", "downwardAPI": {"items": [{"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}],
    "containers": [{"name": "main", "command": ["sh", "-c",
      "ls -A /c | wc -l; cat /info/name; echo; cat /info/labels; echo; sleep 3600"],
      "volumeMounts": [{"name": "c", "mountPath": "/c"}, {"name": "info", "mountPath": "/etc/podinfo"},
        {"name": "info", "mountPath": "/info"}]}]}'
  wait_for 15 phase_is optional Running
  wait_for 10 log_has optional main 'tier="e2e"'
  log_has optional main '^0$'
  log_has optional main '^optional$'
  log_has optional main 'app="vol"'
}

@test "volumes: invalid volumes are CreateContainerConfigError and the agent carries on" {
  mkpod unknown '{"containers": [{"name": "main", "command": ["sleep", "3600"],
    "volumeMounts": [{"name": "nope", "mountPath": "/x"}]}]}'
  mkpod pvc '{"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "c"}}],
    "containers": [{"name": "main", "command": ["sleep", "3600"],
      "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}'
  mkpod wrongtype '{"volumes": [{"name": "h", "hostPath": {"path": "/etc", "type": "File"}}],
    "containers": [{"name": "main", "command": ["sleep", "3600"],
      "volumeMounts": [{"name": "h", "mountPath": "/h"}]}]}'
  mkpod dotdot '{"volumes": [{"name": "v", "emptyDir": {}}],
    "containers": [{"name": "main", "command": ["sleep", "3600"],
      "volumeMounts": [{"name": "v", "mountPath": "/v", "subPath": "a/../../etc"}]}]}'
  mkpod abssub '{"volumes": [{"name": "v", "emptyDir": {}}],
    "containers": [{"name": "main", "command": ["sleep", "3600"],
      "volumeMounts": [{"name": "v", "mountPath": "/v", "subPath": "/etc"}]}]}'
  mkpod fine '{"containers": [{"name": "main", "command": ["sleep", "3600"]}]}'
  config_error unknown 'no volume named "nope"'
  config_error pvc 'persistentvolumeclaims "c" not found'
  config_error wrongtype 'hostPath /etc is a directory, not a file'
  config_error dotdot 'must not contain ".."'
  config_error abssub 'must be a relative path'
  wait_for 15 phase_is fine Running
  kill -0 "$AGENT_PID"
}

@test "volumes: delete leaves no emptyDir, tmpfs or mount behind" {
  mkpod cleanup '{"volumes": [{"name": "d", "emptyDir": {}}, {"name": "m", "emptyDir": {"medium": "Memory"}}],
    "containers": [{"name": "a", "command": ["sh", "-c", "echo x > /d/f; echo y > /m/f; sleep 3600"],
      "volumeMounts": [{"name": "d", "mountPath": "/d"}, {"name": "m", "mountPath": "/m"}]},
      {"name": "b", "command": ["sleep", "3600"], "volumeMounts": [{"name": "m", "mountPath": "/m"}]}]}'
  wait_for 15 phase_is cleanup Running
  uid=$(uid_of cleanup)
  wait_for 10 test -f "$AGENT_ROOT/data/sandboxes/$uid/volumes/d/f"
  grep -q "$uid/volumes/m" /proc/self/mountinfo
  api DELETE /api/v1/namespaces/default/pods/cleanup >/dev/null
  wait_for 15 gone cleanup
  ! grep -q "$uid" /proc/self/mountinfo
  [ ! -e "$AGENT_ROOT/state/sandboxes/$uid" ]
  [ ! -e "$AGENT_ROOT/data/sandboxes/$uid" ]
  ! ls -d /sys/fs/cgroup/*/tug/"$uid" 2>/dev/null
}
