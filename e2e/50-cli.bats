#!/usr/bin/env bats
# The tug CLI end to end: a real etcd, tug-apiserver and one tug-agent (for
# logs) on loopback; tug reads its server from a config file named by
# TUG_CONFIG. Teardown (agent-suite) deletes the pods, stops the agent by PID
# and removes what is left of them. The last test brings a whole second
# cluster up with `tug up` in a temporary dir, runs the demo on it, and takes
# it down with `tug down`.

load lib/agent-suite

# The suite's own teardown, then agent-suite's; `tug down` first, in case the
# tug up test failed half way.
eval "agent_suite_teardown_file() $(declare -f teardown_file | tail -n +2)"
teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  [ -n "${ETCD_DIR:-}" ] && [ -d "$ETCD_DIR/up" ] && bin/tug down --dir "$ETCD_DIR/up" >/dev/null
  agent_suite_teardown_file
}

setup_file() {
  apiserver_suite_setup_file
  UIDS_FILE="$ETCD_DIR/pod-uids"
  : >"$UIDS_FILE"
  export UIDS_FILE
  agent_start "e2e-node-$$" --restart-backoff-seconds 1
  export TUG_CONFIG="$ETCD_DIR/tug-config"
  printf '# written by the e2e suite\nserver: %s\n' "$API" >"$TUG_CONFIG"
  M="$ETCD_DIR/m"
  export M
  mkdir -p "$M/dir/sub"
  # Deliberately out of order: the Deployment comes before its namespace.
  cat >"$M/app.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: cli
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: httpd
        image: busybox:latest
        command: ["httpd", "-f", "-p", "8080"]
        env: [{name: MODE, value: demo}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: cli}
spec:
  hard: {pods: "50"}
---
apiVersion: v1
kind: Namespace
metadata: {name: cli}
YAML
  cat >"$M/dir/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: top, namespace: cli}
data: {a: "1"}
YAML
  cat >"$M/dir/sub/cm.json" <<'JSON'
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep", "namespace": "cli"}, "data": {"b": "2"}}
JSON
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  T=bin/tug
}

# The names of the Running pods in default, as tug's jsonpath filter prints them.
running_pods_are() {
  [ "$($T get pods -n default -o 'jsonpath={.items[?(@.status.phase=="Running")].metadata.name}')" = "$1" ]
}

@test "cli: version prints client and server versions" {
  run $T version
  [ "$status" -eq 0 ]
  [[ "$output" == *"Client Version: "* ]]
  [[ "$output" == *"Server Version: v1.32.0-tugboat"* ]]
}

@test "cli: an unreachable server is named, with a hint to run tug up, exit 1" {
  run $T get pods --server http://127.0.0.1:1
  [ "$status" -eq 1 ]
  [[ "$output" == *"http://127.0.0.1:1"* ]]
  [[ "$output" == *"tug up"* ]]
  TUG_CONFIG=/nonexistent/config run $T --server http://127.0.0.1:1 version
  [ "$status" -eq 1 ]
}

@test "cli: a broken config file is an error naming the file and line" {
  printf 'server http://x\n' >"$ETCD_DIR/bad-config"
  run $T get pods --config "$ETCD_DIR/bad-config"
  [ "$status" -eq 1 ]
  [[ "$output" == *"bad-config:1:"* ]]
}

@test "cli: apply creates namespaces and quotas first, then the rest" {
  run $T apply -f "$M/app.yaml"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "namespace/cli created" ]
  [ "${lines[1]}" = "resourcequota/q created" ]
  [ "${lines[2]}" = "deployment.apps/web created" ]
  curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" |
    jq -e '.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] | fromjson | .spec.replicas == 2'
}

@test "cli: re-applying the same file changes nothing" {
  rv=$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" | jq -r .metadata.resourceVersion)
  run $T apply -f "$M/app.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/web unchanged"* ]]
  [[ "$output" == *"namespace/cli unchanged"* ]]
  [ "$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" | jq -r .metadata.resourceVersion)" = "$rv" ]
}

@test "cli: a directory applies recursively with -R, stdin with -" {
  run $T apply -f "$M/dir"
  [ "$status" -eq 0 ]
  [ "$output" = "configmap/top created" ]
  run $T apply -R -f "$M/dir"
  [[ "$output" == *"configmap/top unchanged"* ]]
  [[ "$output" == *"configmap/deep created"* ]]
  run sh -c "sed 's/name: top/name: piped/' '$M/dir/cm.yaml' | $T apply -f -"
  [ "$status" -eq 0 ]
  [ "$output" = "configmap/piped created" ]
}

@test "cli: diff shows what apply would change; a removed field is removed by apply" {
  sed -e 's/labels: {app: web, tier: front}/labels: {app: web}/' \
    -e '/env: \[{name: MODE/d' "$M/app.yaml" >"$M/app2.yaml"
  run $T diff -f "$M/app2.yaml"
  [ "$status" -eq 1 ]
  [[ "$output" == *"-    tier: front"* ]]
  [[ "$output" == *"-        - name: MODE"* ]]
  run $T apply -f "$M/app2.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/web configured"* ]]
  d=$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web")
  [ "$(jq -r '.metadata.labels.tier // "gone"' <<<"$d")" = gone ]
  [ "$(jq -r '.spec.template.spec.containers[0].env // "gone"' <<<"$d")" = gone ]
  run $T diff -f "$M/app2.yaml"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "cli: diff exits 0 without differences, 1 with some, 2 on an error" {
  run $T diff -f "$M/app2.yaml"
  [ "$status" -eq 0 ]
  run $T diff -f "$M/app.yaml"
  [ "$status" -eq 1 ]
  [[ "$output" == *"+    tier: front"* ]]
  run $T diff -f "$M/nonexistent.yaml"
  [ "$status" -eq 2 ]
  [[ "$output" == "error: "* ]]
  run $T diff -f "$M/app2.yaml" --server http://127.0.0.1:1
  [ "$status" -eq 2 ]
  printf 'apiVersion: v1\nkind: Frob\nmetadata: {name: f}\n' >"$M/frob.yaml"
  run $T diff -f "$M/frob.yaml"
  [ "$status" -eq 2 ]
  [[ "$output" == *"frob.yaml: document 1"* ]]
}

@test "cli: --dry-run=server stores nothing" {
  sed 's/name: top/name: dry/' "$M/dir/cm.yaml" >"$M/dry.yaml"
  run $T apply -f "$M/dry.yaml" --dry-run=server
  [ "$status" -eq 0 ]
  [ "$output" = "configmap/dry created (server dry run)" ]
  api GET /api/v1/namespaces/cli/configmaps/dry >/dev/null
  [ "$code" = 404 ]
  sed 's/replicas: 2/replicas: 7/' "$M/app2.yaml" >"$M/app7.yaml"
  run $T apply -f "$M/app7.yaml" --dry-run=server
  [[ "$output" == *"deployment.apps/web configured (server dry run)"* ]]
  [ "$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" | jq .spec.replicas)" = 2 ]
}

@test "cli: get prints kubectl's columns, short names, -A, -l and wide" {
  run $T get deploy -n cli
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAME\ +READY\ +UP-TO-DATE\ +AVAILABLE\ +AGE$ ]]
  [[ "${lines[1]}" =~ ^web\ +0/2\ + ]]
  run $T get deployments.apps -n cli -o wide
  [[ "${lines[0]}" == *"CONTAINERS"*"IMAGES"*"SELECTOR"* ]]
  run $T get deploy -A -l 'app in (web),!tier'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAMESPACE\ +NAME\ +READY ]]
  [[ "${lines[1]}" =~ ^cli\ +web\ + ]]
  [ "${#lines[@]}" -eq 2 ]
  run $T get deploy -A -l app=nothing
  [ "$output" = "No resources found" ]
  run $T get quota -n cli
  [[ "$output" == *"pods: 0/50"* ]]
  for word in po deploy svc no ns rs quota q cm ev job; do
    run $T get "$word" -A
    [ "$status" -eq 0 ] || { echo "get $word: $output"; false; }
  done
}

@test "cli: get -o json, yaml and name" {
  run $T get deploy web -n cli -o json
  [ "$status" -eq 0 ]
  [ "$(jq -r .kind <<<"$output")" = Deployment ]
  run $T get cm -n cli -o json
  [ "$(jq -r '.kind, (.items | length), .items[0].kind' <<<"$output" | tr '\n' ' ')" = "List 3 ConfigMap " ]
  run $T get deploy web -n cli -o yaml
  [ "$status" -eq 0 ]
  python3 -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); assert d["spec"]["replicas"] == 2, d' <<<"$output"
  run $T get cm -n cli -o name
  [ "$output" = "$(printf 'configmap/deep\nconfigmap/piped\nconfigmap/top')" ]
  run $T get ns -o yaml
  python3 -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); assert d["kind"] == "List"' <<<"$output"
}

@test "cli: get -o jsonpath prints kubectl's templates; a bad one is an error" {
  run $T get cm -n cli -o jsonpath='{.items[*].metadata.name}'
  [ "$status" -eq 0 ]
  [ "$output" = "deep piped top" ]
  run $T get cm -n cli -o jsonpath='{range .items[*]}{.metadata.name}={.data}{"\n"}{end}'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 'deep={"b":"2"}' ]
  [ "${lines[2]}" = 'top={"a":"1"}' ]
  run $T get deploy web -n cli -o 'jsonpath={.spec.template.spec.containers[?(@.name=="httpd")].command[-1]}'
  [ "$output" = 8080 ]
  run $T get ns cli -o=jsonpath='{.metadata.name} {.kind}'
  [ "$output" = "cli Namespace" ]
  printf '{.metadata.name}{"\\n"}' >"$M/name.tmpl"
  run $T get cm top -n cli -o jsonpath-file="$M/name.tmpl"
  [ "$output" = top ]
  run $T get cm -n cli -o 'jsonpath={.items[0'
  [ "$status" -eq 1 ]
  [ "$output" = "error: error parsing jsonpath {.items[0: unterminated array" ]
  run $T get cm -n cli -o 'jsonpath={.items[7].metadata.name}'
  [ "$status" -eq 1 ]
  [[ "$output" == *'error executing jsonpath "{.items[7].metadata.name}": array index out of bounds: index 7, length 3' ]]
}

@test "cli: get -o custom-columns and --sort-by order tables and lists as kubectl" {
  run $T get cm -n cli -o custom-columns='NAME:.metadata.name,DATA:{.data.*},NS:metadata.namespace'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAME\ +DATA\ +NS$ ]]
  [[ "${lines[1]}" =~ ^deep\ +2\ +cli$ ]]
  run $T get cm -n cli -o custom-columns=NAME
  [ "$status" -eq 1 ]
  $T create namespace sorting
  # Created out of name order, a second apart; replicas sort differently as numbers and as text.
  for d in c:1 a:10 b:3; do
    name=${d%:*} replicas=${d#*:}
    printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s, namespace: sorting%s}\nspec:\n  replicas: %s\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec: {containers: [{name: c, image: busybox}]}\n' \
      "$name" "$([ "$name" = c ] && echo '' || echo ", labels: {rank: r$replicas}")" "$replicas" "$name" "$name" | $T apply -f - >/dev/null
    sleep 1.1
  done
  run $T get deploy -n sorting --sort-by=.spec.replicas
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAME\ +READY ]]
  [ "$(awk 'NR>1 {print $1}' <<<"$output" | tr '\n' ' ')" = "c b a " ]
  run $T get deploy -n sorting --sort-by='{.metadata.name}' -o name
  [ "$output" = "$(printf 'deployment.apps/a\ndeployment.apps/b\ndeployment.apps/c')" ]
  run $T get deploy -n sorting --sort-by=.metadata.creationTimestamp -o jsonpath='{.items[*].metadata.name}'
  [ "$output" = "c a b" ]
  # c has no rank label: a missing value sorts first; r10 after r3 (natural order).
  run $T get deploy -n sorting --sort-by=.metadata.labels.rank -o json
  [ "$(jq -r '[.items[].metadata.name] | join(" ")' <<<"$output")" = "c b a" ]
  run $T get deploy -A --sort-by=.spec.replicas
  [[ "${lines[0]}" =~ ^NAMESPACE\ +NAME ]]
  run $T get deploy -n sorting --sort-by=.spec.nothing
  [ "$status" -eq 1 ]
  [ "$output" = 'error: couldn'"'"'t find any field with path "{.spec.nothing}" in the list of objects' ]
  run $T get deploy -n sorting --sort-by='{.a}{.b}'
  [ "$status" -eq 1 ]
  [[ "$output" == *"unexpected path string"* ]]
}

@test "cli: get --raw prints any path; a missing object is the server's message" {
  run $T get --raw /api/v1/namespaces/cli
  [ "$status" -eq 0 ]
  [ "$(jq -r .metadata.name <<<"$output")" = cli ]
  run $T get deploy nope -n cli
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = 'error: deployments "nope" not found' ]
  # The server's Audit-Id of the failed call, to find it in the audit log.
  [[ "${lines[1]}" =~ ^audit-id:\ [0-9a-f-]{36}$ ]]
  [ "${#lines[@]}" = 2 ]
  run $T get pods -n empty-ns
  [ "$status" -eq 0 ]
  [ "$output" = "No resources found in empty-ns namespace." ]
}

@test "cli: get -w prints the table, then each change" {
  $T get cm -n cli -w >"$ETCD_DIR/watch.out" 2>&1 &
  pid=$!
  wait_for 5 grep -q '^top ' "$ETCD_DIR/watch.out"
  $T label cm top -n cli changed=yes
  $T apply -f "$M/dry.yaml"
  wait_for 5 grep -q '^dry ' "$ETCD_DIR/watch.out"
  kill "$pid"
  wait "$pid" || true
  [ "$(grep -c '^top ' "$ETCD_DIR/watch.out")" -ge 2 ]
}

@test "cli: an unknown kind is refused the way kubectl words it" {
  run $T get frobs
  [ "$status" -eq 1 ]
  [ "$output" = 'error: the server doesn'"'"'t have a resource type "frobs"' ]
}

@test "cli: a manifest with a syntax error names file:line:column and applies nothing" {
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  labels: [\n' >"$M/bad.yaml"
  run $T apply -f "$M/bad.yaml"
  [ "$status" -eq 1 ]
  [[ "$output" == *"bad.yaml:6:1: "* ]]
}

@test "cli: one bad document names its index; nothing from its file is applied unless --continue-on-error" {
  cat >"$M/mixed.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: good, namespace: cli}
---
apiVersion: v1
kind: Pod
metadata: {name: nocontainers, namespace: cli}
spec: {}
---
apiVersion: v1
kind: Frob
metadata: {name: f}
YAML
  run $T apply -f "$M/mixed.yaml"
  [ "$status" -eq 1 ]
  [[ "$output" == *"mixed.yaml: document 2 (line 5): "*"spec.containers"* ]]
  [[ "$output" == *"mixed.yaml: document 3 (line 10): no kind \"Frob\""* ]]
  api GET /api/v1/namespaces/cli/configmaps/good >/dev/null
  [ "$code" = 404 ]
  run $T apply -f "$M/mixed.yaml" --continue-on-error
  [ "$status" -eq 1 ]
  [[ "$output" == *"configmap/good created"* ]]
}

@test "cli: describe shows spec, status and the object's events" {
  uid=$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" | jq -r .metadata.uid)
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  api POST /api/v1/namespaces/cli/events "$(jq -cn --arg uid "$uid" --arg t "$now" '{
    apiVersion: "v1", kind: "Event", metadata: {name: "web.e2e"},
    involvedObject: {apiVersion: "apps/v1", kind: "Deployment", namespace: "cli", name: "web", uid: $uid},
    reason: "ScalingReplicaSet", message: "Scaled up replica set web-1 to 2", type: "Normal",
    source: {component: "deployment-controller"}, firstTimestamp: $t, lastTimestamp: $t, count: 1}')" >/dev/null
  [ "$code" = 201 ]
  run $T describe deployment web -n cli
  [ "$status" -eq 0 ]
  [[ "$output" == *"Name:        web"* ]]
  [[ "$output" == *"Namespace:   cli"* ]]
  [[ "$output" == *"Spec:"*"replicas: 2"* ]]
  [[ "$output" == *"Events:"*"ScalingReplicaSet"*"deployment-controller"*"Scaled up replica set web-1 to 2"* ]]
  [[ "$output" != *"last-applied-configuration"* ]]
}

@test "cli: scale, patch and label change the object" {
  run $T scale deploy/web -n cli --replicas 4
  [ "$output" = "deployment.apps/web scaled" ]
  [ "$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" | jq .spec.replicas)" = 4 ]
  run $T patch deployment web -n cli -p '{"spec":{"template":{"spec":{"containers":[{"name":"httpd","image":"busybox:1"}]}}}}'
  [ "$output" = "deployment.apps/web patched" ]
  d=$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web")
  [ "$(jq -r '.spec.template.spec.containers[0] | .image + " " + .command[0]' <<<"$d")" = "busybox:1 httpd" ]
  run $T patch deployment web -n cli -p '{not json'
  [ "$status" -eq 1 ]
  run $T label deploy web -n cli team=a
  [ "$output" = "deployment.apps/web labeled" ]
  run $T label deploy web -n cli team=b
  [ "$status" -eq 1 ]
  [[ "$output" == *"--overwrite"* ]]
  $T label deploy web -n cli team=b --overwrite
  $T label deploy web -n cli team-
  [ "$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" | jq -r '.metadata.labels.team // "none"')" = none ]
}

@test "cli: rollout history lists revisions and undo restores the previous template" {
  uid=$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web" | jq -r .metadata.uid)
  for rev in 1 2; do
    api POST /apis/apps/v1/namespaces/cli/replicasets "$(jq -cn --arg uid "$uid" --arg r "$rev" '{
      apiVersion: "apps/v1", kind: "ReplicaSet",
      metadata: {name: ("web-r" + $r), annotations: {"deployment.kubernetes.io/revision": $r},
        ownerReferences: [{apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: $uid, controller: true}]},
      spec: {replicas: 0, selector: {matchLabels: {app: "web", "pod-template-hash": ("h" + $r)}},
        template: {metadata: {labels: {app: "web", "pod-template-hash": ("h" + $r)}},
          spec: {containers: [{name: "httpd", image: ("busybox:v" + $r)}]}}}}')" >/dev/null
    [ "$code" = 201 ]
  done
  run $T rollout history deployment/web -n cli
  [ "$status" -eq 0 ]
  [[ "${lines[2]}" == "1 "* ]]
  [[ "${lines[3]}" == "2 "* ]]
  run $T rollout undo deployment/web -n cli
  [ "$output" = "deployment.apps/web rolled back" ]
  d=$(curl -fsS "$API/apis/apps/v1/namespaces/cli/deployments/web")
  [ "$(jq -r '.spec.template.spec.containers[0].image' <<<"$d")" = "busybox:v1" ]
  [ "$(jq -r '.spec.template.metadata.labels["pod-template-hash"] // "none"' <<<"$d")" = none ]
}

@test "cli: rollout status waits for the Deployment's status to catch up" {
  D=/apis/apps/v1/namespaces/cli/deployments/web
  gen=$(curl -fsS "$API$D" | jq .metadata.generation)
  want=$(curl -fsS "$API$D" | jq .spec.replicas)
  api PATCH "$D/status" "{\"status\":{\"observedGeneration\":$gen,\"replicas\":$want,\"updatedReplicas\":$want,\"availableReplicas\":0}}" application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  $T rollout status deployment/web -n cli --timeout 20 >"$ETCD_DIR/rollout.out" 2>&1 &
  pid=$!
  wait_for 5 grep -q "0 of $want updated replicas are available" "$ETCD_DIR/rollout.out"
  api PATCH "$D/status" "{\"status\":{\"availableReplicas\":$want}}" application/merge-patch+json >/dev/null
  wait "$pid"
  [ "$(tail -n1 "$ETCD_DIR/rollout.out")" = 'deployment "web" successfully rolled out' ]
  run $T rollout status deployment/nope -n cli
  [ "$status" -eq 1 ]
}

@test "cli: logs prints a container's output, --tail and -f" {
  api POST /api/v1/namespaces/default/pods "$(jq -cn --arg node "$NODE" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: "talker"}, spec: {nodeName: $node, terminationGracePeriodSeconds: 1,
    containers: [{name: "main", image: "busybox",
      command: ["sh", "-c", "for i in 1 2 3; do echo line $i; done; while :; do sleep 0.3; echo tick; done"]}]}}')" >/dev/null
  [ "$code" = 201 ]
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
  wait_for 20 sh -c "$T logs talker | grep -q 'line 3'"
  run $T logs talker --tail 1
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  run $T logs talker -c main
  [ "${lines[0]}" = "line 1" ]
  run timeout 2 $T logs -f talker
  [ "$status" -eq 124 ] # still following when timeout stopped it
  [ "$(grep -c tick <<<"$output")" -ge 2 ]
  run $T logs talker -c nope
  [ "$status" -eq 1 ]
  [[ "$output" == "error: "* ]]
}

@test "cli: logs --since, --since-time and --timestamps are accepted; bad values are refused" {
  run $T logs talker --since=1h
  [ "$status" -eq 0 ]
  [[ "$output" == *"line 1"* ]]
  run $T logs talker --since-time=2020-01-01T00:00:00Z --timestamps --tail 1
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  run $T logs talker --since=5x
  [ "$status" -eq 1 ]
  [[ "$output" == *'invalid duration "5x"'* ]]
  run $T logs talker --since=5s --since-time=2020-01-01T00:00:00Z
  [ "$status" -eq 1 ]
  [ "$output" = 'error: at most one of `sinceTime` or `sinceSeconds` may be specified' ]
  run $T logs talker --since-time=yesterday
  [ "$status" -eq 1 ]
  [[ "$output" == *"RFC3339"* ]]
}

@test "cli: top shows CPU and memory of nodes and pods from the agents' metrics" {
  wait_for 20 sh -c "$T top pods -n default | grep -q '^talker '"
  run $T top pods -n default
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAME\ +CPU\(cores\)\ +MEMORY\(bytes\)$ ]]
  [[ "$output" =~ talker\ +[0-9]+m\ +[0-9]+Mi ]]
  run $T top nodes
  [ "$status" -eq 0 ]
  [[ "$output" =~ $NODE\ +[0-9]+m\ +[0-9]+%\ +[0-9]+Mi\ +[0-9]+% ]]
  run $T top pods -A
  [[ "${lines[0]}" == NAMESPACE* ]]
  run $T top things
  [ "$status" -eq 1 ]
}

@test "cli: image import puts a directory into this host's agent store" {
  mkdir -p "$ETCD_DIR/rootfs/bin"
  echo hi >"$ETCD_DIR/rootfs/bin/hello"
  run $T image import cli-test:v1 "$ETCD_DIR/rootfs" --root "$AGENT_ROOT"
  [ "$status" -eq 0 ]
  [[ "$output" == *"cli-test:v1"* ]]
  [ -n "$(find "$AGENT_ROOT/images" -path '*cli-test*' -name hello)" ]
  run $T image import cli-test:v1 /nonexistent --root "$AGENT_ROOT"
  [ "$status" -eq 1 ]
}

@test "cli: completion bash is a script bash accepts" {
  run bash -c "source <($T completion bash) && complete -p tug"
  [ "$status" -eq 0 ]
  [[ "$output" == *"_tug"* ]]
}

@test "cli: delete --wait returns once the object is gone; delete -f removes a file's objects" {
  # A running pod stays until its agent has stopped it: that is what --wait waits for.
  [ "$(curl -fsS "$API/api/v1/namespaces/default/pods/talker" | jq -r .status.phase)" = Running ]
  run $T delete pod talker --wait --grace-period 1 --timeout 30
  [ "$status" -eq 0 ]
  [ "$output" = 'pod "talker" deleted' ]
  api GET /api/v1/namespaces/default/pods/talker >/dev/null
  [ "$code" = 404 ]
  run $T create namespace made-here
  [ "$output" = "namespace/made-here created" ]
  run $T delete -f "$M/dir/cm.yaml"
  [ "$output" = 'configmap "top" deleted' ]
  run $T delete cm top -n cli
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = 'error: configmaps "top" not found' ]
  # The server's Audit-Id of the failed call, to find it in the audit log.
  [[ "${lines[1]}" =~ ^audit-id:\ [0-9a-f-]{36}$ ]] && [ "${#lines[@]}" = 2 ]
}

@test "cli: delete -l and --all delete every match (-A across namespaces), --wait for all" {
  for n in d1:yes d2:yes d3:keep; do
    api POST /api/v1/namespaces/cli/configmaps "{\"metadata\":{\"name\":\"${n%:*}\",\"labels\":{\"del\":\"${n#*:}\"}}}" >/dev/null
    [ "$code" = 201 ]
  done
  run $T delete cm -n cli -l del=yes
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'configmap "d1" deleted\nconfigmap "d2" deleted')" ]
  api GET /api/v1/namespaces/cli/configmaps/d1 >/dev/null
  [ "$code" = 404 ]
  api GET /api/v1/namespaces/cli/configmaps/d3 >/dev/null
  [ "$code" = 200 ]
  run $T delete cm -n cli -l del=nothing
  [ "$status" -eq 0 ]
  [ "$output" = "No resources found" ]
  run $T delete cm d3 -n cli -l del=keep
  [ "$status" -eq 1 ]
  run $T delete cm -n cli --all -l del=keep
  [ "$status" -eq 1 ]
  [ "$output" = "error: cannot set --all and --selector at the same time" ]
  # -A: the same label in two namespaces.
  api POST /api/v1/namespaces/sorting/configmaps '{"metadata":{"name":"d4","labels":{"del":"keep"}}}' >/dev/null
  run $T delete cm -A -l del=keep
  [ "$status" -eq 0 ]
  [[ "$output" == *'configmap "d3" deleted'* ]]
  [[ "$output" == *'configmap "d4" deleted'* ]]
  # --all --wait: two running pods, gone when delete returns.
  for p in w1 w2; do
    api POST /api/v1/namespaces/default/pods "$(jq -cn --arg node "$NODE" --arg p "$p" '{apiVersion: "v1",
      kind: "Pod", metadata: {name: $p}, spec: {nodeName: $node, terminationGracePeriodSeconds: 1,
      containers: [{name: "main", image: "busybox", command: ["sleep", "300"]}]}}')" >/dev/null
    [ "$code" = 201 ]
    jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
  done
  wait_for 20 running_pods_are "w1 w2"
  run $T delete pods --all -n default --wait --grace-period 1 --timeout 30
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'pod "w1" deleted\npod "w2" deleted')" ]
  [ "$(curl -fsS "$API/api/v1/namespaces/default/pods" | jq '.items | length')" = 0 ]
  run $T delete deploy --all -n sorting
  [ "${#lines[@]}" -eq 3 ]
}

@test "cli: tug up runs the demo on a fresh cluster, twice is harmless, tug down leaves nothing" {
  dir="$ETCD_DIR/up" cfg="$ETCD_DIR/up-config"
  TUG_CONFIG=$cfg run $T up --nodes 2 --dir "$dir"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *"2 nodes Ready"* ]]
  [ "$(TUG_CONFIG=$cfg $T get nodes | grep -c ' Ready ')" -eq 2 ]
  # The kubeconfig it prints is what a Kubernetes user needs, and is enough.
  [[ "$output" == *"export KUBECONFIG=$dir/kubeconfig"* ]]
  [ "$(KUBECONFIG=$dir/kubeconfig KUBECACHEDIR=$dir/kube-cache kubectl get nodes --no-headers | grep -c ' Ready ')" -eq 2 ]
  # Secrets are encrypted in etcd with a key of the cluster's own, kept 0600.
  [ "$(stat -c %a "$dir/pki/encryption-config.yaml")" = 600 ]
  KUBECONFIG=$dir/kubeconfig KUBECACHEDIR=$dir/kube-cache kubectl create secret generic up-secret \
    --from-literal=v=plain-value-on-up
  etcd_pid=$(awk '$2 == "etcd" {print $1}' "$dir/state")
  etcd_url=$(tr '\0' '\n' <"/proc/$etcd_pid/cmdline" | grep -A1 -x -- --listen-client-urls | tail -1)
  stored=$(ETCDCTL_API=3 etcdctl --endpoints "$etcd_url" --cacert "$dir/pki/ca.crt" \
    --cert "$dir/pki/apiserver-etcd-client.crt" --key "$dir/pki/apiserver-etcd-client.key" \
    get --print-value-only /registry/secrets/default/up-secret | tr -d '\0')
  [[ "$stored" == k8s:enc:aesgcm:v1:key1:* ]]
  [[ "$stored" != *plain-value-on-up* ]]
  TUG_CONFIG=$cfg run $T up --nodes 2 --dir "$dir"
  [ "$status" -eq 0 ]
  [[ "$output" == *"already running"* ]]
  [ "$(grep -c ' tug-node-' "$dir/state")" -eq 2 ]
  TUG_CONFIG=$cfg run $T apply -f manifests/demo/
  [ "$status" -eq 0 ]
  TUG_CONFIG=$cfg run $T rollout status deployment/web -n demo --timeout 60
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = 'deployment "web" successfully rolled out' ]
  TUG_CONFIG=$cfg run $T rollout status deployment/api -n demo --timeout 60
  [ "$status" -eq 0 ]
  TUG_CONFIG=$cfg wait_for 60 sh -c "$T get jobs -n demo | grep -q ' 5/5 '"
  # The front end, on a node's address, calls the back end through its Service.
  addr=$(TUG_CONFIG=$cfg $T get node tug-node-2 -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
  wait_for 30 sh -c "curl -sS --max-time 5 http://$addr:30080/cgi-bin/items | grep -q anchor"
  netns=$(awk '$1 == "netns" {print $2}' "$dir/network")
  [ -n "$netns" ]
  uids=$(TUG_CONFIG=$cfg $T get pods -A -o json | jq -r '.items[].metadata.uid')
  pids=$(awk '{print $1}' "$dir/state")
  TUG_CONFIG=$cfg run $T down --dir "$dir"
  [ "$status" -eq 0 ]
  [ ! -e "$dir" ]
  # tug down sees a process end when it turns zombie; its parent (init) reaps it a moment later.
  for p in $pids; do wait_for 10 bash -c "! kill -0 $p 2>/dev/null"; done
  for u in $uids; do [ -z "$(ls -d /sys/fs/cgroup/*/tug/"$u" 2>/dev/null)" ]; done
  ! grep -qF " $dir/" /proc/self/mountinfo
  for n in $netns; do [ ! -e "/run/netns/$n" ]; done
}

@test "cli: a broken config stops a request but not tug certs init" {
  d=$(mktemp -d)
  printf 'kubeconfig: %s/missing\n' "$d" >"$d/config"
  run env TUG_CONFIG="$d/config" bin/tug get pods
  [ "$status" -eq 1 ]
  [[ "$output" == *"kubeconfig: read $d/missing"* ]]
  run env TUG_CONFIG="$d/config" bin/tug certs init --dir "$d/pki"
  [ "$status" -eq 0 ]
  [ -s "$d/pki/ca.crt" ]
  rm -rf "$d"
}
