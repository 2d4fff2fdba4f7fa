#!/usr/bin/env bats
# Hostile input and encryption at rest, end to end: a real etcd and
# tug-apiserver with an EncryptionConfiguration for Secrets, stock kubectl.
# Secrets must reach etcd only as ciphertext (etcdctl sees the Kubernetes
# prefix, never the value) and come back whole through the API and its watch
# cache; a key rotation is listing a new key first, restarting and rewriting
# with kubectl. Hostile requests get a clear Status and leave the server up.

load lib/apiserver-suite

key() { head -c 32 /dev/urandom | base64; }

# encryption_config FILE PROVIDERS...: each provider "aesgcm NAME KEY" or "identity".
encryption_config() {
  local file=$1
  shift
  {
    printf 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n'
    printf 'resources:\n  - resources: [secrets]\n    providers:\n'
    local p
    for p in "$@"; do
      set -- $p
      if [ "$1" = identity ]; then
        printf '      - identity: {}\n'
      else
        printf '      - %s: {keys: [{name: %s, secret: "%s"}]}\n' "$1" "$2" "$3"
      fi
    done
  } >"$file"
  chmod 600 "$file"
}

setup_file() {
  ENC="$BATS_FILE_TMPDIR/encryption.yaml"
  KEY1=$(key)
  KEY2=$(key)
  export ENC KEY1 KEY2
  encryption_config "$ENC" "aesgcm key1 $KEY1" identity
  APISERVER_FLAGS=(--encryption-provider-config "$ENC")
  apiserver_suite_setup_file
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
  echo "$APISERVER_PID" >"$BATS_FILE_TMPDIR/apiserver.pid"
}

# A test restarts the API server: teardown stops whichever runs now.
teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  APISERVER_PID=$(cat "$BATS_FILE_TMPDIR/apiserver.pid" 2>/dev/null || true)
  apiserver_stop
}

restart_apiserver() {
  stop_pid "$(cat "$BATS_FILE_TMPDIR/apiserver.pid")"
  local tls
  mapfile -t tls < <(apiserver_tls_flags)
  "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen "${API_TLS#https://}" \
    "${tls[@]}" "$@" >>"$APISERVER_LOG" 2>&1 3>&- &
  APISERVER_PID=$!
  echo "$APISERVER_PID" >"$BATS_FILE_TMPDIR/apiserver.pid"
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "$API/readyz"
}

# stored KEY: what etcd holds at KEY (NUL bytes dropped: shells cannot hold them).
stored() { etcd_ctl get --print-value-only "$1" | tr -d '\0'; }

@test "a Secret reaches etcd only as AES-GCM ciphertext and reads back whole" {
  kubectl create secret generic s1 --from-literal=password=hunter2-plain
  run stored /registry/secrets/default/s1
  [ "$status" -eq 0 ]
  [[ "$output" == k8s:enc:aesgcm:v1:key1:* ]]
  [[ "$output" != *hunter2* ]]
  [[ "$output" != *"$(printf hunter2-plain | base64)"* ]]
  [[ "$output" != *'"kind"'* ]]
  # The API (its watch cache) holds the plain object.
  run kubectl get secret s1 -o jsonpath='{.data.password}'
  [ "$(printf '%s' "$output" | base64 -d)" = hunter2-plain ]
  run kubectl get secrets -o jsonpath='{.items[?(@.metadata.name=="s1")].data.password}'
  [ "$(printf '%s' "$output" | base64 -d)" = hunter2-plain ]
  # A resource the configuration does not name stays plain.
  kubectl create configmap c1 --from-literal=k=visible
  run stored /registry/configmaps/default/c1
  [[ "$output" == *visible* ]]
}

@test "tug describe secret shows sizes, never values" {
  kubectl create secret generic s-describe --from-literal=token=super-secret-value
  run bin/tug describe secret s-describe
  [ "$status" -eq 0 ]
  [[ "$output" == *"token:  18 bytes"* ]]
  [[ "$output" != *super-secret-value* ]]
  [[ "$output" != *"$(printf super-secret-value | base64)"* ]]
}

@test "rotation: a new key listed first seals, the old still opens, a rewrite moves every Secret" {
  kubectl create secret generic s-rotate --from-literal=v=before-rotation
  encryption_config "$ENC" "aesgcm key2 $KEY2" "aesgcm key1 $KEY1" identity
  restart_apiserver --encryption-provider-config "$ENC"
  run kubectl get secret s-rotate -o jsonpath='{.data.v}'
  [ "$(printf '%s' "$output" | base64 -d)" = before-rotation ]
  [[ "$(stored /registry/secrets/default/s-rotate)" == k8s:enc:aesgcm:v1:key1:* ]]
  kubectl get secrets -A -o json | kubectl replace -f - >/dev/null
  [[ "$(stored /registry/secrets/default/s-rotate)" == k8s:enc:aesgcm:v1:key2:* ]]
  [[ "$(stored /registry/secrets/default/s1)" == k8s:enc:aesgcm:v1:key2:* ]]
  # key1 can go now: everything opens with key2.
  encryption_config "$ENC" "aesgcm key2 $KEY2" identity
  restart_apiserver --encryption-provider-config "$ENC"
  run kubectl get secret s-rotate -o jsonpath='{.data.v}'
  [ "$(printf '%s' "$output" | base64 -d)" = before-rotation ]
}

@test "a huge limit lists what there is; a limit that is not a number is 400" {
  api GET '/api/v1/namespaces/default/configmaps?limit=1000000000000000' >/dev/null
  [ "$code" = 200 ]
  [[ "$out" == *'"name":"c1"'* ]]
  api GET '/api/v1/namespaces/default/configmaps?limit=lots' >/dev/null
  [ "$code" = 400 ]
  [[ "$out" == *'"kind":"Status"'* ]]
  curl -fsS "$API/readyz"
}

@test "a pod whose containers' requests wrap int64 is Invalid" {
  run kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: wraps}
spec:
  containers:
    - {name: a, image: busybox, resources: {requests: {memory: "6148914691236517206"}}}
    - {name: b, image: busybox, resources: {requests: {memory: "6148914691236517206"}}}
    - {name: c, image: busybox, resources: {requests: {memory: "6148914691236517206"}}}
YAML
  [ "$status" -ne 0 ]
  [[ "$output" == *'spec.containers[1].resources.requests[memory]'* ]]
  [[ "$output" == *"too large to count"* ]]
  curl -fsS "$API/readyz"
}
