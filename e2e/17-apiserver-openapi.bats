#!/usr/bin/env bats
# OpenAPI documents and field validation: stock kubectl's apply, create -f, replace, edit and
# explain with their default validation (no --validate flag anywhere but where a test says why),
# and what fieldValidation=Strict|Warn|Ignore makes of unknown and duplicate fields.

load lib/apiserver-suite

setup_file() {
  apiserver_suite_setup_file
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
  mkdir -p "$ETCD_DIR/m"
  cat >"$ETCD_DIR/m/web.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:latest
        command: ["httpd", "-f", "-p", "8080"]
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: prod
YAML
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KC="kubectl --request-timeout=10s"
}

# typo FILE NAME: a Deployment whose spec has the misspelt field "replicass".
typo() {
  sed -e "s/name: web$/name: $2/" -e 's/replicas: 1/replicass: 2/' \
    <(sed -n '1,/^---/p' "$ETCD_DIR/m/web.yaml" | sed '$d') >"$1"
}

@test "the v3 index names each group-version with a hashed URL; documents have ETags and 304" {
  api GET /openapi/v3 >/dev/null
  [ "$code" = 200 ]
  local url
  url=$(jq -r '.paths["apis/apps/v1"].serverRelativeURL' <<<"$out")
  [[ "$url" == "/openapi/v3/apis/apps/v1?hash="* ]]
  [ "$(jq -r '.paths | has("api/v1") and has("apis/scheduling.tug.io/v1")' <<<"$out")" = true ]
  local headers etag
  headers=$(curl -sS -D - -o "$BATS_TEST_TMPDIR/doc" "$API$url")
  [[ "$headers" == *"HTTP/1.1 200"* ]]
  [[ "$headers" == *"Cache-Control: public, immutable"* ]]
  [[ "$headers" == *"Expires: "* ]]
  etag=$(grep -i '^ETag:' <<<"$headers" | cut -d' ' -f2 | tr -d '\r')
  [ "$etag" = "\"${url##*hash=}\"" ]
  [ "$(jq -r '.openapi' "$BATS_TEST_TMPDIR/doc")" = 3.0.0 ]
  run curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$API$url"
  [ "$output" = 304 ]
  run curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "$API/openapi/v3/apis/apps/v1?hash=0"
  [ "$output" = "301 $API$url" ]
  run curl -sS -o /dev/null -w '%{http_code}' "$API/openapi/v3/apis/nothing/v1"
  [ "$output" = 404 ]
  api GET /openapi/v2 >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r '.swagger' <<<"$out")" = 2.0 ]
  [ "$(jq -r '.definitions["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"][0].kind' <<<"$out")" = Pod ]
}

@test "kubectl create -f, apply and replace work with default validation" {
  run $KC create -f "$ETCD_DIR/m/web.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/web created"* ]]
  [[ "$output" == *"service/web created"* ]]
  [[ "$output" == *"configmap/web-config created"* ]]
  [[ "$output" != *Warning* ]]
  run $KC apply -f "$ETCD_DIR/m/web.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/web configured"* ]]
  run $KC apply -f "$ETCD_DIR/m/web.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/web unchanged"* ]]
  [[ "$output" == *"configmap/web-config unchanged"* ]]
  sed 's/replicas: 1/replicas: 2/; s/mode: prod/mode: staging/' "$ETCD_DIR/m/web.yaml" >"$BATS_TEST_TMPDIR/web.yaml"
  run $KC apply -f "$BATS_TEST_TMPDIR/web.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/web configured"* ]]
  [ "$($KC get deploy web -o jsonpath='{.spec.replicas}')" = 2 ]
  [ "$($KC get cm web-config -o jsonpath='{.data.mode}')" = staging ]
  sed -i 's/mode: staging/mode: replaced/' "$BATS_TEST_TMPDIR/web.yaml"
  run $KC replace -f "$BATS_TEST_TMPDIR/web.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"configmap/web-config replaced"* ]]
  [ "$($KC get cm web-config -o jsonpath='{.data.mode}')" = replaced ]
}

@test "kubectl edit saves what the editor wrote, with default validation" {
  $KC create configmap edited --from-literal=colour=red
  cat >"$BATS_TEST_TMPDIR/editor" <<'SH'
#!/bin/sh
sed -i 's/colour: red/colour: blue/' "$1"
SH
  chmod +x "$BATS_TEST_TMPDIR/editor"
  EDITOR="$BATS_TEST_TMPDIR/editor" run $KC edit configmap edited
  [ "$status" -eq 0 ]
  [[ "$output" == *"configmap/edited edited"* ]]
  [ "$($KC get cm edited -o jsonpath='{.data.colour}')" = blue ]
}

@test "kubectl explain reads the kinds' schemas" {
  run $KC explain pod.spec.containers
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "KIND:       Pod" ]]
  [[ "$output" == *"FIELD: containers <[]Container>"* ]]
  [[ "$output" == *"image"*"<string>"* ]]
  [[ "$output" =~ name[[:space:]]+\<string\>\ -required- ]]
  run $KC explain deployment.spec.strategy
  [ "$status" -eq 0 ]
  [[ "$output" == *"GROUP:      apps"* ]]
  [[ "$output" == *"rollingUpdate"*"<RollingUpdateDeployment>"* ]]
  run $KC explain queue.spec
  [ "$status" -eq 0 ]
  [[ "$output" == *"GROUP:      scheduling.tug.io"* ]]
  run $KC explain pod.spec.nosuchfield
  [ "$status" -ne 0 ]
  [[ "$output" == *'field "nosuchfield" does not exist'* ]]
}

@test "a misspelt field: kubectl's default refuses it by name; --validate=warn warns and drops it" {
  typo "$BATS_TEST_TMPDIR/typo.yaml" typo-strict
  run $KC create -f "$BATS_TEST_TMPDIR/typo.yaml"
  [ "$status" -ne 0 ]
  [[ "$output" == *'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass"'* ]]
  run $KC apply -f "$BATS_TEST_TMPDIR/typo.yaml"
  [ "$status" -ne 0 ]
  [[ "$output" == *'unknown field "spec.replicass"'* ]]
  run $KC get deploy typo-strict
  [ "$status" -ne 0 ]
  # kubectl's own flag for the server's Warn, the mode a user picks to be told, not stopped.
  typo "$BATS_TEST_TMPDIR/typo.yaml" typo-warn
  run $KC create --validate=warn -f "$BATS_TEST_TMPDIR/typo.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *'Warning: unknown field "spec.replicass"'* ]]
  [ "$($KC get deploy typo-warn -o json | jq '.spec | has("replicass")')" = false ]
}

@test "fieldValidation over the API: duplicates and unknowns are 400 (Strict), warnings (Warn, the default), nothing (Ignore)" {
  local body='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"a":"1"},"labels":{"a":"2"}},"data":{"k":"v"},"dta":{}}'
  local hdrs="$BATS_TEST_TMPDIR/h"
  run curl -sS -D "$hdrs" -o "$BATS_TEST_TMPDIR/b" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "${body/NAME/strict}" "$API/api/v1/namespaces/default/configmaps?fieldValidation=Strict"
  [ "$output" = 400 ]
  [ "$(jq -r .reason "$BATS_TEST_TMPDIR/b")" = BadRequest ]
  [ "$(jq -r .message "$BATS_TEST_TMPDIR/b")" = 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.labels", unknown field "dta"' ]
  run curl -sS -D "$hdrs" -o "$BATS_TEST_TMPDIR/b" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "${body/NAME/warn}" "$API/api/v1/namespaces/default/configmaps"
  [ "$output" = 201 ]
  grep -q '^Warning: 299 - "duplicate field \\"metadata.labels\\""' "$hdrs"
  grep -q '^Warning: 299 - "unknown field \\"dta\\""' "$hdrs"
  [ "$(jq -c '[.metadata.labels, has("dta")]' "$BATS_TEST_TMPDIR/b")" = '[{"a":"2"},false]' ]
  run curl -sS -D "$hdrs" -o "$BATS_TEST_TMPDIR/b" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "${body/NAME/ignore}" "$API/api/v1/namespaces/default/configmaps?fieldValidation=Ignore"
  [ "$output" = 201 ]
  ! grep -q '^Warning' "$hdrs"
  [ "$(jq -c 'has("dta")' "$BATS_TEST_TMPDIR/b")" = false ]
  api POST '/api/v1/namespaces/default/configmaps?fieldValidation=strict' "${body/NAME/bad}" >/dev/null
  [ "$code" = 422 ]
  [[ "$(jq -r .message <<<"$out")" == 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict"'* ]]
}

@test "a patch whose result has an unknown field: 422 on the patch under Strict, dropped under Warn" {
  api POST /api/v1/namespaces/default/configmaps '{"metadata":{"name":"patched"},"data":{"k":"v"}}' >/dev/null
  [ "$code" = 201 ]
  api PATCH '/api/v1/namespaces/default/configmaps/patched?fieldValidation=Strict' \
    '{"data":{"k":"w"},"bogus":{"x":1}}' application/merge-patch+json >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = patch ]
  [[ "$(jq -r .message <<<"$out")" == *'strict decoding error: unknown field "bogus"'* ]]
  [ "$($KC get cm patched -o jsonpath='{.data.k}')" = v ]
  api PATCH /api/v1/namespaces/default/configmaps/patched '{"data":{"k":"w"},"bogus":{"x":1}}' \
    application/strategic-merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -c '[.data.k, has("bogus")]' <<<"$out")" = '["w",false]' ]
}

@test "a saved kind: List applies with default validation (kubectl checks it against /openapi/v2 protobuf)" {
  $KC create configmap listed --from-literal=a=1
  $KC get configmap listed -o yaml >/dev/null
  $KC get configmaps -o yaml >"$BATS_TEST_TMPDIR/list.yaml"
  [ "$(head -1 "$BATS_TEST_TMPDIR/list.yaml")" = "apiVersion: v1" ]
  grep -q '^kind: List' "$BATS_TEST_TMPDIR/list.yaml"
  run $KC apply -f "$BATS_TEST_TMPDIR/list.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"configmap/listed configured"* ]]
  sed -i 's/^  data:/  dataa:/' "$BATS_TEST_TMPDIR/list.yaml"
  run $KC apply -f "$BATS_TEST_TMPDIR/list.yaml"
  [ "$status" -ne 0 ]
  [[ "$output" == *'unknown field "dataa" in io.k8s.api.core.v1.ConfigMap'* ]]
}
