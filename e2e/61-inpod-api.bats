#!/usr/bin/env bats
# A pod talks to the API server as Kubernetes pods do: `tug up --nodes 1`
# (TLS, RBAC, the agent a host in its own network namespace), and the API
# server also listening inside a namespace of its own on the host bridge
# (--listen-netns), so that the `kubernetes` Service leads somewhere while
# nothing listens off loopback on the machine. The clients are the host's curl
# and the official Python client, run inside a busybox pod that mounts the
# host's /usr, /lib and /lib64 read-only (the test images hold only busybox,
# whose wget does not verify certificates). They find the server through
# KUBERNETES_SERVICE_HOST/PORT or https://kubernetes.default.svc, check it
# against the projected ca.crt and present the projected token.

load lib/etcd
load lib/up

setup_file() {
  up_start tug-inpod --nodes 1 --allowed-host-paths /usr,/lib,/lib64
  bin/tug apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: inpod
  labels: {pod-security.kubernetes.io/enforce: privileged}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: inpod}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - {name: usr, hostPath: {path: /usr}}
  - {name: lib, hostPath: {path: /lib}}
  - {name: lib64, hostPath: {path: /lib64}}
  containers:
  - name: c
    image: busybox:latest
    command: [sleep, "3600"]
    volumeMounts:
    - {name: usr, mountPath: /usr, readOnly: true}
    - {name: lib, mountPath: /lib, readOnly: true}
    - {name: lib64, mountPath: /lib64, readOnly: true}
YAML
  running() { [ "$(kubectl get pod client -n inpod -o jsonpath='{.status.phase}')" = Running ]; }
  wait_for 60 running
}

teardown_file() {
  up_stop
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
}

# in_client SCRIPT: sh -c SCRIPT in the client pod, with S the ServiceAccount
# directory and get URL a verified GET with the pod's token that prints the
# HTTP code, then the body.
in_client() {
  kubectl exec -n inpod client -- sh -c 'S=/var/run/secrets/kubernetes.io/serviceaccount
get() { /usr/bin/curl -sS -m 10 --cacert $S/ca.crt -H "Authorization: Bearer $(cat $S/token)" \
  -w "%{http_code}\n" -o /tmp/body "$1" && cat /tmp/body; }
'"$1"
}

@test "inpod: KUBERNETES_SERVICE_HOST/PORT and kubernetes.default.svc lead to the API server, its certificate checked" {
  run in_client 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT'
  [ "$output" = 198.19.0.1:443 ]
  for url in 'https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/version' \
    https://kubernetes.default.svc/version https://kubernetes.default/version; do
    run in_client "get $url"
    [ "$status" -eq 0 ] || { echo "$url: $output"; false; }
    [ "${lines[0]}" = 200 ]
    [[ "${lines[1]}" == *'"gitVersion"'* ]]
  done
}

@test "inpod: the pod's ServiceAccount token is refused (403) without a RoleBinding and allowed with one" {
  run in_client 'get https://kubernetes.default.svc/api/v1/namespaces/inpod/pods'
  [ "${lines[0]}" = 403 ]
  [[ "$output" == *'User \"system:serviceaccount:inpod:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"inpod\"'* ]]
  kubectl create rolebinding read-pods --clusterrole=view --serviceaccount=inpod:default -n inpod
  allowed() { [ "$(in_client 'get https://kubernetes.default.svc/api/v1/namespaces/inpod/pods' | head -1)" = 200 ]; }
  wait_for 10 allowed
  run in_client 'get https://kubernetes.default.svc/api/v1/namespaces/inpod/pods'
  [[ "${lines[1]}" == *'"name":"client"'* ]]
  # view reads no Secrets, and the binding reaches no other namespace.
  run in_client 'get https://kubernetes.default.svc/api/v1/namespaces/inpod/secrets'
  [ "${lines[0]}" = 403 ]
  run in_client 'get https://kubernetes.default.svc/api/v1/namespaces/default/pods'
  [ "${lines[0]}" = 403 ]
}

@test "inpod: the official Python client works in the pod with load_incluster_config" {
  kubectl get rolebinding read-pods -n inpod >/dev/null 2>&1 ||
    kubectl create rolebinding read-pods --clusterrole=view --serviceaccount=inpod:default -n inpod
  run kubectl exec -n inpod client -- /usr/bin/python3 -c '
from kubernetes import client, config
config.load_incluster_config()
v1 = client.CoreV1Api()
print(",".join(p.metadata.name for p in v1.list_namespaced_pod("inpod").items))
try:
    v1.list_namespaced_secret("inpod")
except client.exceptions.ApiException as e:
    print(e.status)
'
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = client ]
  [ "${lines[1]}" = 403 ]
}

# metrics_addr NAME: where tug up's scheduler or controllers serve /metrics.
metrics_addr() {
  grep -o 'listen=127.0.0.1:[0-9]*' "$UP/$1.log" | head -1 | cut -d= -f2
}

# scrape ADDR PATH CURL_ARGS...: the HTTP code of an HTTPS GET, the server checked against the CA.
scrape() {
  local addr=$1 path=$2
  shift 2
  curl -q -sS --cacert "$UP/pki/ca.crt" -o /dev/null -w '%{http_code}' "$@" "https://$addr$path"
}

@test "inpod: the scheduler's and controllers' /metrics are HTTPS, for whom RBAC lets get /metrics" {
  kubectl create serviceaccount scraper -n inpod
  token=$(kubectl create token scraper -n inpod)
  for c in tug-scheduler tug-controllers; do
    addr=$(metrics_addr $c)
    [ -n "$addr" ]
    [ "$(scrape "$addr" /healthz)" = 200 ]
    [ "$(scrape "$addr" /metrics)" = 401 ]
    [ "$(scrape "$addr" /metrics -H "Authorization: Bearer not-a-token")" = 401 ]
    [ "$(scrape "$addr" /metrics -H "Authorization: Bearer $token")" = 403 ]
    [ "$(scrape "$addr" /metrics --cert "$UP/pki/admin.crt" --key "$UP/pki/admin.key")" = 200 ]
    ! curl -sS -o /dev/null "http://$addr/metrics" 2>/dev/null
  done
  kubectl create clusterrolebinding scraper-monitoring --clusterrole=system:monitoring \
    --serviceaccount=inpod:scraper
  for c in tug-scheduler tug-controllers; do
    addr=$(metrics_addr $c)
    allowed() { [ "$(scrape "$addr" /metrics -H "Authorization: Bearer $token")" = 200 ]; }
    wait_for 10 allowed
  done
  curl -q -sS --cacert "$UP/pki/ca.crt" -H "Authorization: Bearer $token" \
    "https://$(metrics_addr tug-scheduler)/metrics" | grep -q '^tug_scheduler_schedule_attempts_total'
}
