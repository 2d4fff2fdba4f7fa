#!/usr/bin/env bats
# Kubernetes' protobuf encoding against tug-apiserver: stock kubectl's typed
# clients (create, drain, describe) with no workaround flag, and curl asking
# for protobuf answers, lists and watch frames. Malformed protobuf gets a 400.

load lib/apiserver-suite

PB=application/vnd.kubernetes.protobuf

setup_file() {
  apiserver_suite_setup_file
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KC="kubectl --request-timeout=10s"
}

# pb_get PATH FILE: GET with protobuf first in Accept; sets $code and $ctype.
pb_get() {
  local hdr
  hdr=$(mktemp)
  code=$(curl -sS -o "$2" -D "$hdr" -w '%{http_code}' -H "Accept: $PB, application/json" "$API$1")
  ctype=$(tr -d '\r' <"$hdr" | sed -n 's/^Content-Type: //Ip' | tail -1)
  rm -f "$hdr"
}

# pb_post PATH FILE: POST FILE as protobuf; prints the body and sets $code.
pb_post() {
  local outf
  outf=$(mktemp)
  code=$(curl -sS -o "$outf" -w '%{http_code}' -X "${3:-POST}" -H "Content-Type: $PB" \
    --data-binary @"$2" "$API$1")
  out=$(cat "$outf")
  rm -f "$outf"
}

starts_with_magic() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 6b387300 ]; }

@test "kubectl's typed creates of every everyday kind go through as protobuf" {
  run $KC create namespace dev
  [ "$status" -eq 0 ]
  [[ "$output" == "namespace/dev created" ]]
  run $KC -n dev create deployment web --image=busybox:latest --replicas=2 -- sleep 3600
  [ "$status" -eq 0 ]
  [[ "$output" == "deployment.apps/web created" ]]
  run $KC -n dev create job once --image=busybox:latest -- true
  [ "$status" -eq 0 ]
  run $KC -n dev create service clusterip web --tcp=80:8080
  [ "$status" -eq 0 ]
  run $KC -n dev create quota q --hard=pods=10,requests.cpu=2,requests.memory=1Gi
  [ "$status" -eq 0 ]
  run $KC create priorityclass high --value=1000 --description=important
  [ "$status" -eq 0 ]
  run $KC -n dev create configmap cm --from-literal=a=b
  [ "$status" -eq 0 ]
  run $KC -n dev create secret generic s --from-literal=k=v
  [ "$status" -eq 0 ]
  # What was stored is what the manifests say.
  [ "$($KC -n dev get deploy web -o jsonpath='{.spec.replicas}')" = 2 ]
  [ "$($KC -n dev get deploy web -o jsonpath='{.spec.template.spec.containers[0].command}')" = '["sleep","3600"]' ]
  [ "$($KC -n dev get job once -o jsonpath='{.spec.template.spec.restartPolicy}')" = Never ]
  [ "$($KC -n dev get svc web -o jsonpath='{.spec.ports[0].targetPort}')" = 8080 ]
  [ "$($KC -n dev get quota q -o jsonpath='{.spec.hard.requests\.memory}')" = 1Gi ]
  [ "$($KC get pc high -o jsonpath='{.value}')" = 1000 ]
  [ "$($KC -n dev get secret s -o jsonpath='{.data.k}' | base64 -d)" = v ]
}

@test "kubectl describe reads objects and lists answered in protobuf" {
  run $KC -n dev describe deployment web
  [ "$status" -eq 0 ]
  [[ "$output" == *"Replicas:"*"2 desired"* ]]
  [[ "$output" == *"sleep"* ]]
  run $KC -n dev describe quota q
  [ "$status" -eq 0 ]
  [[ "$output" == *requests.memory*1Gi* ]]
}

@test "kubectl drain evicts with protobuf Evictions, and deletes with protobuf DeleteOptions when eviction is disabled" {
  for n in n1 n2; do
    api POST /api/v1/nodes "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"$n\"}}" >/dev/null
    [ "$code" = 201 ]
    api POST /api/v1/namespaces/dev/pods "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-$n\"},\"spec\":{\"nodeName\":\"$n\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox:latest\",\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"10Mi\"}}}]}}" >/dev/null
    [ "$code" = 201 ]
  done
  run $KC drain n1 --force --grace-period=0 --timeout=30s
  [ "$status" -eq 0 ]
  [[ "$output" == *"evicting pod dev/p-n1"* ]]
  [[ "$output" == *"node/n1 drained"* ]]
  run $KC drain n2 --force --grace-period=0 --timeout=30s --disable-eviction
  [ "$status" -eq 0 ]
  [[ "$output" != *"evicting pod"* ]]
  [[ "$output" == *"node/n2 drained"* ]]
  for n in n1 n2; do
    run $KC -n dev get pod "p-$n"
    [[ "$output" == *NotFound* ]]
    [ "$($KC get node "$n" -o jsonpath='{.spec.unschedulable}')" = true ]
  done
}

@test "objects, lists and errors come back in protobuf when asked for first" {
  f="$BATS_TEST_TMPDIR/body"
  pb_get /apis/apps/v1/namespaces/dev/deployments/web "$f"
  [ "$code" = 200 ]
  [ "$ctype" = "$PB" ]
  starts_with_magic "$f"
  grep -aq Deployment "$f"
  # The same bytes go back as an update: what we encode we also decode.
  pb_post /apis/apps/v1/namespaces/dev/deployments/web "$f" PUT
  [ "$code" = 200 ]
  [ "$($KC -n dev get deploy web -o jsonpath='{.spec.replicas}')" = 2 ]
  pb_get /api/v1/namespaces "$f"
  [ "$code" = 200 ]
  starts_with_magic "$f"
  grep -aq NamespaceList "$f"
  grep -aq dev "$f"
  pb_get /api/v1/namespaces/dev/configmaps/none "$f"
  [ "$code" = 404 ]
  [ "$ctype" = "$PB" ]
  grep -aq NotFound "$f"
  # JSON when protobuf is not first; Tables are always JSON.
  code=$(curl -sS -o "$f" -w '%{http_code}' -H "Accept: application/json, $PB" "$API/api/v1/namespaces/dev")
  [ "$(jq -r .kind "$f")" = Namespace ]
  run $KC -n dev get deploy web
  [[ "${lines[0]}" =~ ^NAME\ +READY ]]
}

@test "a protobuf watch streams length-prefixed WatchEvent frames" {
  f="$BATS_TEST_TMPDIR/watch"
  hdr="$BATS_TEST_TMPDIR/hdr"
  curl -sS -o "$f" -D "$hdr" -H "Accept: $PB, application/json" \
    "$API/api/v1/namespaces/dev/configmaps?watch=true&timeoutSeconds=2"
  tr -d '\r' <"$hdr" | grep -qi "^Content-Type: $PB;stream=watch"
  len=$((16#$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')))
  [ "$len" -gt 10 ]
  [ "$(stat -c %s "$f")" -ge $((4 + len)) ]
  # WatchEvent{type: ADDED, object: {raw: "k8s\0" + envelope}}
  head -c $((4 + len)) "$f" | tail -c "$len" | grep -aq ADDED
  head -c $((4 + len)) "$f" | grep -aq ConfigMap
}

@test "malformed or unknown protobuf is answered 400 naming the problem" {
  f="$BATS_TEST_TMPDIR/bad"
  printf 'k8s\0\x12\xff\xff\xff\x0f' >"$f"
  pb_post /api/v1/namespaces "$f"
  [ "$code" = 400 ]
  [ "$(jq -r .reason <<<"$out")" = BadRequest ]
  [[ "$(jq -r .message <<<"$out")" == *"not a valid protobuf envelope"* ]]
  printf '{"kind":"Namespace"}' >"$f"
  pb_post /api/v1/namespaces "$f"
  [ "$code" = 400 ]
  [[ "$(jq -r .message <<<"$out")" == *magic* ]]
  # Namespace{metadata{name: "x", field 99: 1}}
  printf 'k8s\0\x0a\x0f\x0a\x02v1\x12\x09Namespace\x12\x08\x0a\x06\x0a\x01x\x98\x06\x01' >"$f"
  pb_post /api/v1/namespaces "$f"
  [ "$code" = 400 ]
  [[ "$(jq -r .message <<<"$out")" == *"metadata: protobuf field 99 is not in the schema"* ]]
  # Truncated: the envelope promises more bytes than follow.
  head -c 20 apiserver/tests/fixtures/protobuf/create-deployment.pb >"$f"
  pb_post /apis/apps/v1/namespaces/dev/deployments "$f"
  [ "$code" = 400 ]
  run $KC get ns x
  [[ "$output" == *NotFound* ]]
}
