#!/usr/bin/env bats
# CustomResourceDefinitions: a CRD's whole life with the stock kubectl and no
# workaround flag (create, Established, custom objects validated, printed,
# selected, watched, patched, scaled, their status, explain, versions, delete
# with its objects), plus the Python client's CustomObjectsApi. The tests run
# in order on one server and one CRD, as a user would go.

load lib/apiserver-suite

setup_file() {
  apiserver_suite_setup_file
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
  mkdir -p "$ETCD_DIR/m"
  cat >"$ETCD_DIR/m/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wg]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - {name: Size, type: string, jsonPath: .spec.size, description: How big it is.}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Color, type: string, jsonPath: .spec.color, priority: 1}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        description: A widget of the e2e suite.
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, medium, large], description: How big the widget is.}
              replicas: {type: integer, minimum: 0, maximum: 10, default: 1}
              color: {type: string, pattern: '^[a-z]+$'}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
YAML
  cat >"$ETCD_DIR/m/w1.yaml" <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
  labels: {tier: front}
spec:
  size: small
  color: red
YAML
}

# The restart test starts a new API server; its PID outlives the test in a file.
teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  if [ -f "$ETCD_DIR/restarted.pid" ]; then APISERVER_PID=$(cat "$ETCD_DIR/restarted.pid"); fi
  apiserver_stop
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KC="kubectl --request-timeout=10s"
}

etcd_keys() { etcd_ctl get "$1" --prefix --keys-only; }

agg_etag() {
  curl -fsS -o /dev/null -D - \
    -H 'Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' \
    "$API/apis" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p'
}

@test "crd: a CRD that breaks the rules is refused with the fields named" {
  sed -e 's/storage: false/storage: true/' "$ETCD_DIR/m/crd.yaml" >"$ETCD_DIR/m/two.yaml"
  run $KC create -f "$ETCD_DIR/m/two.yaml"
  [ "$status" -ne 0 ]
  [[ "$output" == *"spec.versions"*"must have exactly one version marked as storage version"* ]]
  sed -e 's/type: object, x-kubernetes-preserve-unknown-fields: true/x-kubernetes-validations: [{rule: "true"}]/' \
    "$ETCD_DIR/m/crd.yaml" >"$ETCD_DIR/m/cel.yaml"
  run $KC create -f "$ETCD_DIR/m/cel.yaml"
  [ "$status" -ne 0 ]
  [[ "$output" == *"x-kubernetes-validations"*"not supported"* ]]
  run $KC get crd
  [[ "$output" == *"No resources found"* ]]
}

established() {
  curl -fsS "$API/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com" |
    jq -e '.status.conditions[] | select(.type == "Established" and .status == "True")' >/dev/null &&
    curl -fsS "$API/apis/example.com/v1" | jq -e '.resources[] | select(.name == "widgets")' >/dev/null
}

@test "crd: kubectl apply creates it; Established and in discovery within a second; the ETag follows" {
  before=$(agg_etag)
  $KC apply -f "$ETCD_DIR/m/crd.yaml"
  start=$(date +%s%N)
  wait_for 5 established
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  echo "established and discovered after ${elapsed_ms} ms"
  [ "$elapsed_ms" -lt 1000 ]
  $KC wait --for condition=established --timeout=5s crd/widgets.example.com
  run $KC get crd widgets.example.com -o jsonpath='{.status.conditions[?(@.type=="NamesAccepted")].status} {.status.acceptedNames.listKind} {.status.storedVersions} {.metadata.finalizers}'
  [ "$output" = 'True WidgetList ["v1"] ["customresourcecleanup.apiextensions.k8s.io"]' ]
  [ "$(agg_etag)" != "$before" ]
  run $KC api-resources --api-group example.com
  [[ "$output" == *"widgets"*"wg"*"example.com/v1"*"true"*"Widget"* ]]
  run curl -fsS "$API/apis/example.com"
  [ "$(jq -r '.preferredVersion.version, (.versions | map(.version) | join(","))' <<<"$output" | paste -sd' ')" = "v1 v1,v1beta1" ]
  run curl -fsS "$API/apis/example.com/v1"
  [ "$(jq -c '[.resources[] | select(.name == "widgets") | .shortNames, .categories]' <<<"$output")" = '[["wg"],["all"]]' ]
  [ "$(jq -r '[.resources[].name] | join(",")' <<<"$output")" = "widgets,widgets/status,widgets/scale" ]
}

@test "crd: kubectl apply and create store custom objects, with the schema's defaults" {
  $KC apply -f "$ETCD_DIR/m/w1.yaml"
  $KC create -f - <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w2, labels: {tier: back}}
spec: {size: large, replicas: 3}
YAML
  [ "$($KC get widget w1 -o jsonpath='{.spec.replicas} {.metadata.generation}')" = "1 1" ]
  run etcd_keys /registry/example.com/widgets/default/
  [[ "$output" == *"/registry/example.com/widgets/default/w1"* ]]
}

@test "crd: an invalid object is refused with a 422 naming each field; an unknown field is a strict error" {
  run $KC create -f - <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: bad}
spec: {size: huge, replicas: 30, color: Red}
YAML
  [ "$status" -ne 0 ]
  [[ "$output" == *'The Widget "bad" is invalid'* ]]
  [[ "$output" == *'spec.size: Unsupported value: "huge": supported values: "small", "medium", "large"'* ]]
  [[ "$output" == *'spec.replicas: Invalid value: 30: spec.replicas in body should be less than or equal to 10'* ]]
  [[ "$output" == *"spec.color: Invalid value: \"Red\": spec.color in body should match '^[a-z]+\$'"* ]]
  run $KC create -f - <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: typo}
spec: {size: small, sise: large}
YAML
  [ "$status" -ne 0 ]
  [[ "$output" == *'strict decoding error: unknown field "spec.sise"'* ]]
  run $KC get widget bad typo
  [[ "$output" == *'"bad" not found'*'"typo" not found'* ]]
}

@test "crd: fieldValidation=Warn prunes an unknown field with a Warning header; dryRun stores nothing" {
  body='{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w9"},"spec":{"size":"small","extra":1}}'
  run curl -sS -D "$ETCD_DIR/h" -X POST -H 'Content-Type: application/json' --data "$body" \
    "$API/apis/example.com/v1/namespaces/default/widgets?fieldValidation=Warn&dryRun=All"
  [ "$(jq -r '.spec | has("extra")' <<<"$output")" = false ]
  grep -qi '^Warning: 299 - "unknown field \\"spec.extra\\""' "$ETCD_DIR/h"
  run $KC get widget w9
  [ "$status" -ne 0 ]
  sed 's/name: w1/name: w8/' "$ETCD_DIR/m/w1.yaml" | $KC create --dry-run=server -f - -o name |
    grep -qx widget.example.com/w8
  run $KC get widget w8
  [[ "$output" == *'"w8" not found'* ]]
}

@test "crd: kubectl get prints the printer columns, by plural, short name, category and -o wide" {
  run $KC get widgets
  [ "$(head -1 <<<"$output" | tr -s ' ')" = "NAME SIZE REPLICAS AGE" ]
  [[ "$(sed -n 2p <<<"$output" | tr -s ' ')" == "w1 small 1 "* ]]
  [[ "$(sed -n 3p <<<"$output" | tr -s ' ')" == "w2 large 3 "* ]]
  run $KC get wg -o wide
  [ "$(head -1 <<<"$output" | tr -s ' ')" = "NAME SIZE REPLICAS COLOR AGE" ]
  run $KC get all
  [[ "$output" == *"widget.example.com/w1"*"widget.example.com/w2"* ]]
}

@test "crd: label and field selectors, limit and continue" {
  [ "$($KC get widgets -l tier=front -o name)" = "widget.example.com/w1" ]
  [ "$($KC get widgets -l 'tier!=front' -o name)" = "widget.example.com/w2" ]
  [ "$($KC get widgets --field-selector metadata.name=w2 -o name)" = "widget.example.com/w2" ]
  run curl -fsS "$API/apis/example.com/v1/namespaces/default/widgets?limit=1"
  [ "$(jq -r '.kind, .items[0].metadata.name' <<<"$output" | paste -sd' ')" = "WidgetList w1" ]
  token=$(jq -r .metadata.continue <<<"$output")
  run curl -fsS "$API/apis/example.com/v1/namespaces/default/widgets?limit=1&continue=$token"
  [ "$(jq -r '.items[0].metadata.name, .metadata.continue // ""' <<<"$output" | paste -sd' ')" = "w2 " ]
  run curl -fsS "$API/apis/example.com/v1/widgets?fieldSelector=metadata.namespace=default"
  [ "$(jq '.items | length' <<<"$output")" = 2 ]
}

@test "crd: kubectl get --watch sees a custom object added, modified and deleted" {
  $KC get widgets --watch-only --output-watch-events >"$ETCD_DIR/watch.out" 2>&1 &
  pid=$!
  sleep 1
  $KC create -f - <<'YAML'
apiVersion: example.com/v1
kind: Widget
metadata: {name: w3}
spec: {size: medium}
YAML
  $KC patch widget w3 --type merge -p '{"spec":{"color":"green"}}'
  $KC delete widget w3
  wait_for 5 grep -qE '^DELETED +w3 +medium' "$ETCD_DIR/watch.out"
  kill "$pid"
  wait "$pid" || true
  run cat "$ETCD_DIR/watch.out"
  [ "$(awk '{print $1, $2}' <<<"$output" | paste -sd,)" = "EVENT NAME,ADDED w3,MODIFIED w3,DELETED w3" ]
}

@test "crd: merge and JSON patches apply; a strategic merge patch is 415, as in Kubernetes" {
  $KC patch widget w1 --type merge -p '{"spec":{"color":"blue"}}'
  $KC patch widget w1 --type json -p '[{"op":"replace","path":"/spec/size","value":"medium"}]'
  [ "$($KC get widget w1 -o jsonpath='{.spec.color} {.spec.size} {.metadata.generation}')" = "blue medium 3" ]
  run $KC patch widget w1 -p '{"spec":{"color":"pink"}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *"application/strategic-merge-patch+json is not supported"* ]]
  run $KC patch widget w1 --type merge -p '{"spec":{"replicas":"many"}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *"spec.replicas in body must be of type integer"* ]]
}

@test "crd: status is written through /status only, and leaves the generation" {
  gen=$($KC get widget w1 -o jsonpath='{.metadata.generation}')
  $KC patch widget w1 --subresource=status --type merge \
    -p '{"status":{"replicas":2,"selector":"tier=front"},"spec":{"color":"pink"}}'
  [ "$($KC get widget w1 -o jsonpath='{.status.replicas} {.spec.color} {.metadata.generation}')" = "2 blue $gen" ]
  $KC patch widget w1 --type merge -p '{"status":{"replicas":7}}'
  [ "$($KC get widget w1 -o jsonpath='{.status.replicas}')" = 2 ]
}

@test "crd: kubectl scale writes specReplicasPath; /scale shows the status and selector paths" {
  $KC scale widget w1 --replicas=5
  [ "$($KC get widget w1 -o jsonpath='{.spec.replicas}')" = 5 ]
  run $KC get widget w1 --subresource=scale -o jsonpath='{.kind} {.spec.replicas} {.status.replicas} {.status.selector}'
  [ "$output" = "Scale 5 2 tier=front" ]
  run $KC scale widget w1 --replicas=11
  [ "$status" -ne 0 ]
  [[ "$output" == *"spec.replicas"*"less than or equal to 10"* ]]
}

@test "crd: kubectl explain reads the CRD's schema from /openapi/v3" {
  run $KC explain widget.spec.size
  [ "$status" -eq 0 ]
  [[ "$output" == *"GROUP:      example.com"* ]]
  [[ "$output" == *"How big the widget is."* ]]
  run $KC explain widgets --api-version=example.com/v1
  [[ "$output" == *"A widget of the e2e suite."* ]]
}

@test "crd: every served version reads and writes the same objects, stored in v1; unserved is 404" {
  $KC create -f - <<'YAML'
apiVersion: example.com/v1beta1
kind: Widget
metadata: {name: w4}
spec: {size: small, anything: goes}
YAML
  run etcd_keys /registry/example.com/widgets/default/w4
  [ -n "$output" ]
  run etcd_ctl get /registry/example.com/widgets/default/w4 --print-value-only
  [ "$(jq -r .apiVersion <<<"$output")" = example.com/v1 ]
  [ "$($KC get widgets.v1.example.com w4 -o jsonpath='{.apiVersion}')" = example.com/v1 ]
  [ "$($KC get widgets.v1beta1.example.com w1 -o jsonpath='{.apiVersion} {.spec.size}')" = "example.com/v1beta1 medium" ]
  run curl -sS -o /dev/null -w '%{http_code}' "$API/apis/example.com/v1alpha1/namespaces/default/widgets"
  [ "$output" = 404 ]
}

@test "crd: the Python client's CustomObjectsApi does CRUD, status and scale" {
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"py-crd"}}' >/dev/null
  [ "$code" = 201 ]
  run timeout 60 /usr/bin/python3 e2e/clients/python_crd.py py-crd
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "crd: a restarted API server serves the stored CRDs before it is ready" {
  port=${API##*:}
  stop_pid "$APISERVER_PID"
  mapfile -t tls < <(apiserver_tls_flags)
  bin/tug-apiserver --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" "${tls[@]}" \
    >>"$APISERVER_LOG" 2>&1 3>&- &
  APISERVER_PID=$!
  echo "$APISERVER_PID" >"$ETCD_DIR/restarted.pid"
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "$API/readyz"
  run curl -fsS "$API/apis/example.com/v1/namespaces/default/widgets/w1"
  [ "$(jq -r .spec.replicas <<<"$output")" = 5 ]
}

@test "crd: deleting the CRD deletes its objects, then the CRD; the kind leaves discovery" {
  $KC delete crd widgets.example.com --timeout=20s
  run $KC get crd
  [[ "$output" == *"No resources found"* ]]
  run etcd_keys /registry/example.com/
  [ -z "$output" ]
  wait_for 5 bash -c "! curl -fsS '$API/apis' | grep -q example.com"
  run curl -sS -o /dev/null -w '%{http_code}' "$API/apis/example.com/v1/namespaces/default/widgets"
  [ "$output" = 404 ]
}
