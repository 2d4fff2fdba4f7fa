#!/usr/bin/env bats
# PATCH in all three formats, server-side dry run and boolean query
# parameters, driven by the stock kubectl (no workaround flag) and curl: what
# `kubectl patch`, `set env|image|resources`, `rollout undo`, `diff` and
# `--dry-run=server` send, and that no strategic-merge directive is ever
# stored in a Deployment, its ReplicaSets or their pods. A real etcd,
# tug-apiserver and tug-controllers; pods stay Pending (no node needed).

load lib/apiserver-suite
source "$BATS_TEST_DIRNAME/lib/controllers.bash"

setup_file() {
  apiserver_suite_setup_file
  controllers_start
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  controllers_stop
  apiserver_stop
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KC="kubectl --request-timeout=10s"
}

# new_deployment NAME: a one-replica Deployment created through the API.
new_deployment() {
  api POST "$DEPLOY" "$(jq -cn --arg n "$1" '{apiVersion: "apps/v1", kind: "Deployment",
    metadata: {name: $n}, spec: {replicas: 1, selector: {matchLabels: {app: $n}},
      template: {metadata: {labels: {app: $n}}, spec: {containers: [{name: "main",
        image: "busybox:1.36", command: ["sleep", "3600"], env: [{name: "A", value: "1"}]}]}}}}')" \
    >/dev/null
  [ "$code" = 201 ]
}

# Every "$"-key anywhere in the objects of a kubectl get -o json.
directives() { $KC get "$@" -o json | jq -c '[.. | objects | keys[] | select(startswith("$"))]'; }

rs_with_env() { # rs_with_env APP NAME: a ReplicaSet of APP whose template sets env NAME
  $KC get rs -l "app=$1" -o json |
    jq -e --arg e "$2" '[.items[].spec.template.spec.containers[0].env[]?.name] | index($e)' >/dev/null
}

@test "kubectl patch --type json: all six operations, escaped pointers, the - index" {
  new_deployment jp
  run $KC patch deploy jp --type json -p '[
    {"op":"test","path":"/spec/replicas","value":1},
    {"op":"add","path":"/metadata/annotations","value":{}},
    {"op":"add","path":"/metadata/annotations/example.com~1owner","value":"team~a"},
    {"op":"add","path":"/spec/template/spec/containers/0/command/-","value":"extra"},
    {"op":"copy","from":"/spec/template/spec/containers/0/image","path":"/metadata/annotations/img"},
    {"op":"move","from":"/metadata/annotations/img","path":"/metadata/annotations/image"},
    {"op":"replace","path":"/spec/replicas","value":2},
    {"op":"remove","path":"/spec/template/spec/containers/0/env"}]'
  [ "$status" -eq 0 ]
  d=$($KC get deploy jp -o json)
  [ "$(jq -r '.metadata.annotations["example.com/owner"]' <<<"$d")" = "team~a" ]
  [ "$(jq -r '.metadata.annotations.image' <<<"$d")" = busybox:1.36 ]
  [ "$(jq -r '.metadata.annotations.img' <<<"$d")" = null ]
  [ "$(jq -c '.spec.template.spec.containers[0].command' <<<"$d")" = '["sleep","3600","extra"]' ]
  [ "$(jq -r '.spec.replicas' <<<"$d")" = 2 ]
  [ "$(jq -r '.spec.template.spec.containers[0].env' <<<"$d")" = null ]
}

@test "a JSON patch that fails applies nothing: 422 for a failed test or a missing path, 400 for a non-patch" {
  new_deployment jfail
  rv=$($KC get deploy jfail -o jsonpath='{.metadata.resourceVersion}')
  run $KC patch deploy jfail --type json -p '[{"op":"replace","path":"/spec/replicas","value":5},
    {"op":"test","path":"/spec/replicas","value":1}]'
  [ "$status" -ne 0 ]
  [[ "$output" == *"testing value /spec/replicas failed"* ]]
  api PATCH "$DEPLOY/jfail" '[{"op":"remove","path":"/spec/nothing"}]' application/json-patch+json >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r .reason <<<"$out")" = Invalid ]
  api PATCH "$DEPLOY/jfail" '{"op":"remove"}' application/json-patch+json >/dev/null
  [ "$code" = 400 ]
  [ "$(jq -r .reason <<<"$out")" = BadRequest ]
  api PATCH "$DEPLOY/jfail" '[]' application/yaml >/dev/null
  [ "$code" = 415 ]
  [ "$($KC get deploy jfail -o jsonpath='{.metadata.resourceVersion} {.spec.replicas}')" = "$rv 1" ]
}

@test "JSON patch on the status and scale subresources" {
  new_deployment jsub
  api PATCH "$DEPLOY/jsub/scale" '[{"op":"replace","path":"/spec/replicas","value":3}]' \
    application/json-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .kind <<<"$out")" = Scale ]
  [ "$(jq -r .spec.replicas <<<"$out")" = 3 ]
  [ "$($KC get deploy jsub -o jsonpath='{.spec.replicas}')" = 3 ]
  api PATCH "$DEPLOY/jsub/status" '[{"op":"add","path":"/status/observedGeneration","value":42},
    {"op":"replace","path":"/spec/replicas","value":9}]' application/json-patch+json >/dev/null
  [ "$code" = 200 ]
  # The status subresource writes status only.
  [ "$($KC get deploy jsub -o jsonpath='{.spec.replicas}')" = 3 ]
}

@test "kubectl patch --type merge and --type strategic; merge keys come from the schema" {
  new_deployment mp
  run $KC patch deploy mp --type merge -p '{"metadata":{"labels":{"tier":"web"}},"spec":{"replicas":2}}'
  [ "$status" -eq 0 ]
  [ "$($KC get deploy mp -o jsonpath='{.metadata.labels.tier} {.spec.replicas}')" = "web 2" ]
  run $KC patch deploy mp --type strategic -p '{"spec":{"template":{"spec":{"containers":[
    {"name":"side","image":"busybox:1.36","ports":[{"containerPort":80}]}]}}}}'
  [ "$status" -eq 0 ]
  run $KC patch deploy mp -p '{"spec":{"template":{"spec":{"containers":[
    {"name":"side","ports":[{"containerPort":80,"name":"http"},{"containerPort":81}]}]}}}}'
  [ "$status" -eq 0 ]
  d=$($KC get deploy mp -o json)
  [ "$(jq -c '[.spec.template.spec.containers[].name] | sort' <<<"$d")" = '["main","side"]' ]
  [ "$(jq -c '.spec.template.spec.containers[] | select(.name=="side") | [.ports[] | [.containerPort, .name]]' <<<"$d")" = '[[80,"http"],[81,null]]' ]
  run $KC patch deploy mp -p '{"spec":{"$frob":1}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *'unknown directive "$frob"'* ]]
  [ "$(directives deploy mp)" = '[]' ]
}

@test "kubectl set env twice leaves no directive in the Deployment, its ReplicaSets or pods" {
  new_deployment envs
  run $KC set env deployment/envs B=2
  [ "$status" -eq 0 ]
  run $KC set env deployment/envs C=3
  [ "$status" -eq 0 ]
  [ "$($KC get deploy envs -o jsonpath='{.spec.template.spec.containers[0].env[*].name}')" = "A B C" ]
  wait_for 20 rs_with_env envs C
  wait_for 20 eval '[ "$($KC get pods -l app=envs -o name | wc -l)" -ge 1 ]'
  [ "$(directives deploy envs)" = '[]' ]
  [ "$(directives rs -l app=envs)" = '[]' ]
  [ "$(directives pods -l app=envs)" = '[]' ]
}

@test "kubectl set image and set resources; requests are defaulted on pods, not templates" {
  new_deployment res
  run $KC set image deployment/res main=busybox:1.37
  [ "$status" -eq 0 ]
  [ "$($KC get deploy res -o jsonpath='{.spec.template.spec.containers[0].image}')" = busybox:1.37 ]
  run $KC set resources deployment/res --limits=cpu=200m,memory=64Mi
  [ "$status" -eq 0 ]
  d=$($KC get deploy res -o json)
  [ "$(jq -c '.spec.template.spec.containers[0].resources' <<<"$d")" = '{"limits":{"cpu":"200m","memory":"64Mi"}}' ]
  wait_for 20 eval '$KC get rs -l app=res -o json | jq -e "[.items[].spec.template.spec.containers[0].resources.limits.cpu] | index(\"200m\")" >/dev/null'
  [ "$($KC get rs -l app=res -o json | jq -c '[.items[].spec.template.spec.containers[0].resources.requests] | unique')" = '[null]' ]
  wait_for 20 eval '$KC get pods -l app=res -o json | jq -e "[.items[].spec.containers[0].resources.limits.cpu] | index(\"200m\")" >/dev/null'
  pod=$($KC get pods -l app=res -o json | jq -c '[.items[].spec.containers[0] | select(.resources.limits.cpu == "200m") | .resources.requests][0]')
  [ "$pod" = '{"cpu":"200m","memory":"64Mi"}' ]
}

@test "kubectl rollout undo sends a JSON patch and brings the previous template back" {
  new_deployment undo
  wait_for 20 eval '[ "$($KC get deploy undo -o jsonpath="{.metadata.annotations.deployment\.kubernetes\.io/revision}")" = 1 ]'
  run $KC set env deployment/undo A=2
  [ "$status" -eq 0 ]
  wait_for 20 eval '[ "$($KC get deploy undo -o jsonpath="{.metadata.annotations.deployment\.kubernetes\.io/revision}")" = 2 ]'
  run $KC rollout undo deployment/undo
  [ "$status" -eq 0 ]
  [[ "$output" == *"rolled back"* ]]
  [ "$($KC get deploy undo -o jsonpath='{.spec.template.spec.containers[0].env[0].value}')" = 1 ]
  [ "$(directives deploy undo)" = '[]' ]
}

@test "kubectl diff shows a change through a server-side dry run and stores nothing" {
  new_deployment df
  $KC get deploy df -o yaml | sed 's/replicas: 1/replicas: 4/' >"$BATS_TEST_TMPDIR/df.yaml"
  rv=$($KC get deploy df -o jsonpath='{.metadata.resourceVersion}')
  run $KC diff -f "$BATS_TEST_TMPDIR/df.yaml"
  [ "$status" -eq 1 ]
  [[ "$output" == *"-  replicas: 1"* ]]
  [[ "$output" == *"+  replicas: 4"* ]]
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: df-new}\ndata: {a: "1"}\n' >"$BATS_TEST_TMPDIR/cm.yaml"
  run $KC diff -f "$BATS_TEST_TMPDIR/cm.yaml"
  [ "$status" -eq 1 ]
  [[ "$output" == *"+  name: df-new"* ]]
  [ "$($KC get deploy df -o jsonpath='{.metadata.resourceVersion} {.spec.replicas}')" = "$rv 1" ]
  api GET /api/v1/namespaces/default/configmaps/df-new >/dev/null
  [ "$code" = 404 ]
}

@test "--dry-run=server on create, patch, scale and delete answers as if stored and stores nothing" {
  new_deployment dry
  rv=$($KC get deploy dry -o jsonpath='{.metadata.resourceVersion}')
  run $KC patch deploy dry --type merge -p '{"spec":{"replicas":5}}' --dry-run=server -o json
  [ "$status" -eq 0 ]
  [ "$(jq -r '.spec.replicas, .metadata.resourceVersion' <<<"$output" | tr '\n' ' ')" = "5 $rv " ]
  run $KC scale deploy dry --replicas=7 --dry-run=server
  [ "$status" -eq 0 ]
  run $KC delete deploy dry --dry-run=server
  [ "$status" -eq 0 ]
  [ "$($KC get deploy dry -o jsonpath='{.metadata.resourceVersion} {.spec.replicas}')" = "$rv 1" ]
  run $KC create configmap dry-cm --from-literal=a=b --dry-run=server -o json
  [ "$status" -eq 0 ]
  [ "$(jq -r '.metadata.uid != null and .metadata.creationTimestamp != null and .metadata.resourceVersion == null' <<<"$output")" = true ]
  api GET /api/v1/namespaces/default/configmaps/dry-cm >/dev/null
  [ "$code" = 404 ]
  api POST "/api/v1/namespaces/default/configmaps" '{"metadata":{"name":"taken"}}' >/dev/null
  api POST "/api/v1/namespaces/default/configmaps?dryRun=All" '{"metadata":{"name":"taken"}}' >/dev/null
  [ "$code" = 409 ]
  [ "$(jq -r .reason <<<"$out")" = AlreadyExists ]
  api DELETE "/api/v1/namespaces/default/configmaps/taken" '{"dryRun":["All"]}' >/dev/null
  [ "$code" = 200 ]
  api PATCH "/api/v1/namespaces/default/configmaps/taken?dryRun=Everything" '{}' application/merge-patch+json >/dev/null
  [ "$code" = 422 ]
  api DELETE "/api/v1/namespaces/default/configmaps/taken" '{"dryRun":["Some"]}' >/dev/null
  [ "$code" = 422 ]
  api GET /api/v1/namespaces/default/configmaps/taken >/dev/null
  [ "$code" = 200 ]
}

@test "boolean query parameters: anything but false and 0 is true (watch=True watches)" {
  rv=$(curl -fsS "$API/api/v1/namespaces/default/configmaps" | jq -r .metadata.resourceVersion)
  api POST /api/v1/namespaces/default/configmaps '{"metadata":{"name":"flag"}}' >/dev/null
  for v in True 1 yes ''; do
    first=$(curl -sN "$API/api/v1/namespaces/default/configmaps?watch=$v&resourceVersion=$rv&timeoutSeconds=1" | head -n 1)
    [ "$(jq -r .type <<<"$first")" = ADDED ] || { echo "watch=$v: $first"; return 1; }
  done
  first=$(curl -sN "$API/api/v1/namespaces/default/configmaps?watch&resourceVersion=$rv&timeoutSeconds=1" | head -n 1)
  [ "$(jq -r .type <<<"$first")" = ADDED ]
  for v in false False FALSE 0; do
    [ "$(curl -fsS "$API/api/v1/namespaces/default/configmaps?watch=$v" | jq -r .kind)" = ConfigMapList ]
  done
}

@test "a kind without a spec gets no generation, however often it is patched" {
  $KC create configmap nogen --from-literal=a=1
  $KC patch configmap nogen --type merge -p '{"data":{"a":"2"}}'
  $KC patch configmap nogen --type json -p '[{"op":"add","path":"/data/b","value":"3"}]'
  c=$($KC get configmap nogen -o json)
  [ "$(jq -r .data.b <<<"$c")" = 3 ]
  [ "$(jq -r .metadata.generation <<<"$c")" = null ]
}
