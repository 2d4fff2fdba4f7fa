#!/usr/bin/env bats
# The kubectl installed on these machines, pointed at tug-apiserver.

load lib/apiserver-suite

setup_file() {
  apiserver_suite_setup_file
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
  mkdir -p "$ETCD_DIR/m"
  cat >"$ETCD_DIR/m/app.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  labels: {app: hello}
spec:
  replicas: 2
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: hello
        image: busybox:latest
        command: ["httpd", "-f", "-p", "8080"]
---
apiVersion: v1
kind: Pod
metadata:
  name: solo
  labels: {app: solo}
spec:
  containers:
  - name: main
    image: busybox:latest
    command: ["sleep", "3600"]
YAML
}


setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KC="kubectl --request-timeout=10s"
}

@test "kubectl apply creates, then reapplies as unchanged or configured" {
  run $KC apply -f "$ETCD_DIR/m/app.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/hello created"* ]]
  [[ "$output" == *"pod/solo created"* ]]
  run $KC apply -f "$ETCD_DIR/m/app.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployment.apps/hello unchanged"* ]]
  sed -i 's/replicas: 2/replicas: 3/' "$ETCD_DIR/m/app.yaml"
  run $KC apply -f "$ETCD_DIR/m/app.yaml"
  [[ "$output" == *"deployment.apps/hello configured"* ]]
  [ "$($KC get deploy hello -o jsonpath='{.spec.replicas}')" = 3 ]
}

@test "kubectl get prints kubectl's columns, and every output format" {
  run $KC get pods
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAME\ +READY\ +STATUS\ +RESTARTS\ +AGE$ ]]
  [[ "$output" == *solo*0/1*Pending* ]]
  run $KC get pods -o wide
  [[ "${lines[0]}" == *IP*NODE* ]]
  run $KC get pod solo -o json
  [ "$(jq -r .metadata.name <<<"$output")" = solo ]
  run $KC get pod solo -o yaml
  [[ "$output" == *"name: solo"* ]]
  run $KC get pods -o name
  [[ "$output" == *"pod/solo"* ]]
  run $KC get deploy
  [[ "${lines[0]}" =~ ^NAME\ +READY\ +UP-TO-DATE\ +AVAILABLE\ +AGE$ ]]
  run $KC get ns
  [[ "$output" == *tug-node-lease* ]]
}

@test "kubectl label, patch, scale and describe" {
  run $KC label pod solo tier=front
  [ "$status" -eq 0 ]
  [ "$($KC get pod solo -o jsonpath='{.metadata.labels.tier}')" = front ]
  run $KC patch pod solo -p '{"metadata":{"annotations":{"a":"b"}}}'
  [ "$status" -eq 0 ]
  run $KC patch pod solo --type merge -p '{"metadata":{"annotations":{"c":"d"}}}'
  [ "$status" -eq 0 ]
  [ "$($KC get pod solo -o jsonpath='{.metadata.annotations.c}')" = d ]
  run $KC scale deployment hello --replicas=5
  [ "$status" -eq 0 ]
  [ "$($KC get deploy hello -o jsonpath='{.spec.replicas}')" = 5 ]
  run $KC describe pod solo
  [ "$status" -eq 0 ]
  [[ "$output" == *"Name:"*solo* ]]
}

@test "kubectl get -w sees a change" {
  timeout 30 $KC get pods -w >"$BATS_TEST_TMPDIR/w" 2>&1 3>&- &
  wpid=$!
  # Label only once the list is printed: kubectl watches from that list's
  # resourceVersion, so a change made before it would show in no second line.
  wait_for 20 grep -q solo "$BATS_TEST_TMPDIR/w"
  $KC label pod solo watched=yes
  seen_twice() { [ "$(grep -c solo "$BATS_TEST_TMPDIR/w")" -ge 2 ]; }
  wait_for 20 seen_twice
  kill $wpid 2>/dev/null || true
  wait $wpid 2>/dev/null || true
}

@test "kubectl creates configmaps and secrets and prints them" {
  run $KC create configmap x --from-literal=a=b
  [ "$status" -eq 0 ]
  [[ "$output" == *"configmap/x created"* ]]
  run $KC get cm x -o yaml
  [ "$status" -eq 0 ]
  [[ "$output" == *"kind: ConfigMap"* ]]
  [[ "$output" == *"a: b"* ]]
  run $KC create secret generic creds --from-literal=password=s3cr3t
  [ "$status" -eq 0 ]
  [[ "$output" == *"secret/creds created"* ]]
  [ "$($KC get secret creds -o jsonpath='{.data.password}' | base64 -d)" = s3cr3t ]
  [ "$($KC get secret creds -o jsonpath='{.type}')" = Opaque ]
  run $KC get secrets creds
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAME\ +TYPE\ +DATA\ +AGE$ ]]
  [[ "${lines[1]}" =~ ^creds\ +Opaque\ +1\ + ]]
  run $KC delete cm x
  [ "$status" -eq 0 ]
}

@test "kubectl delete removes objects" {
  run $KC delete -f "$ETCD_DIR/m/app.yaml"
  [ "$status" -eq 0 ]
  [[ "$output" == *'pod "solo" deleted'* ]]
  run $KC get pod solo
  [ "$status" -ne 0 ]
  [[ "$output" == *NotFound* ]]
}
