#!/usr/bin/env bats
# Container logs and agent metrics end to end: a real etcd, tug-apiserver and
# agent on this host, pods placed by spec.nodeName. Logs are capped small here
# (32Ki, 3 files) so that a chatty container rotates within seconds. Teardown
# deletes every pod through the API, stops the agent by PID and removes
# whatever cgroup or mount of the suite's pods is left.

AGENT_FLAGS=(--container-log-max-size 32Ki --container-log-max-files 3)
load lib/agent-suite

# mkpod NAME SCRIPT: a pod bound to $NODE whose container "main" (busybox)
# runs sh -c SCRIPT, restartPolicy Always, terminationGracePeriodSeconds 1.
mkpod() {
  local body
  body=$(jq -cn --arg n "$1" --arg node "$NODE" --arg s "$2" '{apiVersion: "v1", kind: "Pod",
    metadata: {name: $n}, spec: {nodeName: $node, restartPolicy: "Always",
    terminationGracePeriodSeconds: 1,
    containers: [{name: "main", image: "busybox", command: ["sh", "-c", $s]}]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

logdir() { echo "$AGENT_ROOT/logs/default_$1_$(pod "$1" | jq -r .metadata.uid)"; }
logs() { curl -fsS "$API/api/v1/namespaces/default/pods/$1/log$2"; }
size() { stat -c %s "$1"; }
agent_port() { curl -fsS "$API/api/v1/nodes/$NODE" | jq -r .status.daemonEndpoints.kubeletEndpoint.Port; }
# The value of the sample NAME{namespace="default",pod=POD,container=C} in /metrics.
sample() {
  curl -fsS "https://127.0.0.1:$(agent_port)/metrics" |
    awk -v k="$1{namespace=\"default\",pod=\"$2\",container=\"$3\"}" '$1 == k {print $2}'
}

@test "logs: a chatty container's log is capped at the max size and rotated" {
  mkpod chatty 'i=0; while [ $i -lt 6000 ]; do i=$((i+1));
    echo "chatty line $i ............................................................";
    [ $((i % 100)) -eq 0 ] && sleep 0.1; done; sleep 3600'
  wait_for 15 phase_is chatty Running
  dir=$(logdir chatty)
  # The last line may already have been rotated into main.log.1 (a pass after
  # the writer stopped empties main.log): look for it in both.
  wait_for 40 sh -c "grep -qs 'chatty line 6000 ' '$dir/main.log' '$dir/main.log.1'"
  # The next pass (every 2 s) caps what the last one left.
  wait_for 10 sh -c "[ \$(stat -c %s '$dir/main.log') -le 32768 ]"
  [ -f "$dir/main.log.1" ]
  [ -f "$dir/main.log.2" ]
  [ ! -e "$dir/main.log.3" ] # three files in all, the live one included
  [ "$(size "$dir/main.log.1")" -gt 32768 ]
  [ "$(size "$dir/main.log.2")" -gt 32768 ]
  [ "$(size "$dir/main.log.1")" -lt 1048576 ]
  # tailLines reaches back into the rotated files, oldest line first.
  n=$(($(wc -l <"$dir/main.log") + 300))
  run logs chatty "?tailLines=$n"
  [ "$status" -eq 0 ]
  [ "$(wc -l <<<"$output")" -eq "$n" ]
  [[ "$(tail -n1 <<<"$output")" == "chatty line 6000 "* ]]
  [ -z "$(grep -v '^chatty line [0-9]* \.*$' <<<"$output")" ]
}

@test "logs: follow through the API server shows lines as they are written" {
  mkpod ticker 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.3; done'
  wait_for 15 phase_is ticker Running
  wait_for 5 sh -c "curl -fsS '$API/api/v1/namespaces/default/pods/ticker/log' | grep -q 'tick 2'"
  before=$(logs ticker "?tailLines=1" | awk '{print $2}')
  # 5 s: room for 5 new ticks (0.3 s apart) after a slow start on a loaded machine.
  run timeout 5 curl -sSN "$API/api/v1/namespaces/default/pods/ticker/log?follow=true&tailLines=1"
  [ "$status" -eq 124 ] # still streaming when timeout ended it
  first=$(head -n1 <<<"$output" | awk '{print $2}')
  last=$(tail -n1 <<<"$output" | awk '{print $2}')
  [ "$first" -ge "$before" ]
  [ "$last" -ge $((first + 5)) ] # written after the request began
  [ "$(wc -l <<<"$output")" -eq $((last - first + 1)) ]
  # kubectl logs -f reads the same stream.
  kubeconfig "$BATS_TEST_TMPDIR/kc"
  # kubectl itself takes a while to start on a loaded machine.
  run timeout 5 kubectl --kubeconfig "$BATS_TEST_TMPDIR/kc" logs -f ticker --tail 1
  [ "$status" -eq 124 ]
  [ "$(wc -l <<<"$output")" -ge 5 ]
}

@test "logs: a followed log ends when its pod is deleted" {
  mkpod doomed 'while :; do echo alive; sleep 0.5; done'
  wait_for 15 phase_is doomed Running
  timeout 30 curl -sSN "$API/api/v1/namespaces/default/pods/doomed/log?follow=true" \
    >"$BATS_TEST_TMPDIR/out" &
  follower=$!
  wait_for 5 grep -q alive "$BATS_TEST_TMPDIR/out"
  api DELETE /api/v1/namespaces/default/pods/doomed >/dev/null
  start=$(date +%s)
  wait "$follower" # exit 0: the stream ended, timeout did not kill it
  [ $(($(date +%s) - start)) -lt 20 ]
}

@test "logs: bad log requests are refused, not crashed on" {
  mkpod quiet 'echo hi; sleep 3600'
  wait_for 15 phase_is quiet Running
  run curl -sS -o /dev/null -w '%{http_code}' "$API/api/v1/namespaces/default/pods/quiet/log?tailLines=abc"
  [ "$output" = 400 ]
  run curl -sS "$API/api/v1/namespaces/default/pods/quiet/log?previous=true"
  [ "$(jq -r .code <<<"$output")" = 400 ]
  [[ "$(jq -r .message <<<"$output")" == *'previous terminated container "main" in pod "quiet" not found'* ]]
  port=$(agent_port)
  for path in '/containerLogs/default/quiet/main?tailLines=-3' '/containerLogs/../../etc' \
    '/containerLogs/default/quiet/*' '/nope' '/containerLogs/default/quiet/main?follow=0&tailLines=1x'; do
    run curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "https://127.0.0.1:$port$path"
    [[ "$output" =~ ^(200|400|404)$ ]]
  done
  # Any value but false or 0 is true, as Kubernetes reads booleans: this follows.
  run bash -c "curl -s --max-time 2 'https://127.0.0.1:$port/containerLogs/default/quiet/main?follow=maybe'"
  [ "$status" = 28 ] # still streaming when curl gave up
  [ "$output" = hi ]
  kill -0 "$AGENT_PID"
  [ "$(logs quiet)" = hi ]
}

@test "logs: limitBytes cuts the stream where Kubernetes would" {
  mkpod counted 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo "line $i"; done; sleep 3600'
  wait_for 15 phase_is counted Running
  wait_for 10 sh -c "curl -fsS '$API/api/v1/namespaces/default/pods/counted/log' | grep -q 'line 2000'"
  [ "$(logs counted '?limitBytes=10' | od -c | head -1)" = "$(printf 'line 1\nlin' | od -c | head -1)" ]
  [ "$(logs counted '?limitBytes=10' | wc -c)" = 10 ]
  [ "$(logs counted '?limitBytes=100000000' | wc -l)" = 2000 ]
  for bad in 'limitBytes=0' 'limitBytes=-5' 'limitBytes=many' 'sinceSeconds=0'; do
    run curl -sS -o /dev/null -w '%{http_code}' "$API/api/v1/namespaces/default/pods/counted/log?$bad"
    [ "$output" = 400 ]
  done
}

# A Node writes its own status: one that claims the real agent's address and
# port must not get the API server to proxy there — the agent's certificate
# names another node, so the handshake fails.
@test "logs: a node claiming another node's address is not proxied to" {
  port=$(agent_port)
  api POST /api/v1/nodes '{"apiVersion":"v1","kind":"Node","metadata":{"name":"impostor"}}' >/dev/null
  [ "$code" = 201 ]
  status=$(jq -cn --argjson p "$port" '{apiVersion: "v1", kind: "Node", metadata: {name: "impostor"},
    status: {addresses: [{type: "InternalIP", address: "127.0.0.1"}],
             daemonEndpoints: {kubeletEndpoint: {Port: $p}}}}')
  api PUT /api/v1/nodes/impostor/status "$status" >/dev/null
  [ "$code" = 200 ]
  body=$(jq -cn '{apiVersion: "v1", kind: "Pod", metadata: {name: "fooled"},
    spec: {nodeName: "impostor", containers: [{name: "main", image: "busybox"}]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ]
  api GET /api/v1/namespaces/default/pods/fooled/log >/dev/null
  local got_code=$code got=$out
  api DELETE '/api/v1/namespaces/default/pods/fooled?gracePeriodSeconds=0' >/dev/null
  api DELETE /api/v1/nodes/impostor >/dev/null
  echo "$got_code $got"
  [ "$got_code" = 503 ]
  [[ "$got" == *"SSL peer certificate"* ]]
  kill -0 "$AGENT_PID"
}

@test "logs: previous=true shows the previous container's output after a restart" {
  mkpod restarter 'echo "run $(cat /proc/sys/kernel/random/uuid)"; sleep 4; exit 1'
  wait_for 20 restarted restarter 1
  wait_for 5 sh -c "curl -fsS '$API/api/v1/namespaces/default/pods/restarter/log' | grep -q run"
  run logs restarter "?previous=true"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^run ' <<<"$output")" -eq 1 ]
  previous=$output
  run logs restarter
  [ "$(grep -c '^run ' <<<"$output")" -eq 1 ] # this run's line only
  [ "$output" != "$previous" ]
}

@test "metrics: the agent's /metrics shows the pod's cpu and memory" {
  mkpod burner 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 3600'
  wait_for 15 phase_is burner Running
  wait_for 20 sh -c "curl -fsS 'https://127.0.0.1:$(agent_port)/metrics' |
    grep -q '^container_cpu_usage_seconds_total{namespace=\"default\",pod=\"burner\",container=\"main\"} 0\.[1-9]\|^container_cpu_usage_seconds_total{namespace=\"default\",pod=\"burner\",container=\"main\"} [1-9]'"
  cpu=$(sample container_cpu_usage_seconds_total burner main)
  mem=$(sample container_memory_working_set_bytes burner main)
  pod_cpu=$(sample container_cpu_usage_seconds_total burner "")
  [ -n "$cpu" ]
  [ -n "$mem" ]
  [ -n "$pod_cpu" ]
  awk -v c="$cpu" -v m="$mem" -v p="$pod_cpu" 'BEGIN { exit !(c > 0.1 && m > 0 && p >= c) }'
  run curl -fsS "https://127.0.0.1:$(agent_port)/metrics"
  [[ "$output" == *"# TYPE container_cpu_usage_seconds_total counter"* ]]
  pods=$(awk '$1 == "tug_node_pods" {print $2}' <<<"$output")
  [ "$pods" -ge 1 ]
}

@test "the agent's endpoints: HTTPS only, for the API server and cluster admins" {
  port=$(agent_port)
  url="https://127.0.0.1:$port/metrics"
  # Plain HTTP gets no answer from a TLS listener.
  run curl -q -sS --max-time 5 -o /dev/null "http://127.0.0.1:$port/metrics"
  [ "$status" -ne 0 ]
  # The agent's certificate is the CA's; without a client certificate: 401.
  run curl -q -sS --cacert "$PKI/ca.crt" -o /dev/null -w '%{http_code}' "$url"
  [ "$output" = 401 ]
  # A user of the cluster who is not an admin: 403.
  bin/tug certs user e2e-viewer --group team-a --dir "$PKI" >/dev/null
  run curl -q -sS --cacert "$PKI/ca.crt" --cert "$PKI/user-e2e-viewer.crt" \
    --key "$PKI/user-e2e-viewer.key" -o /dev/null -w '%{http_code}' "$url"
  [ "$output" = 403 ]
  # The API server's own pair, and the admin's (the suite's curl), are served.
  run curl -q -sS --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-kubelet-client.crt" \
    --key "$PKI/apiserver-kubelet-client.key" -o /dev/null -w '%{http_code}' "$url"
  [ "$output" = 200 ]
  run curl -fsS -o /dev/null "$url"
  [ "$status" -eq 0 ]
}
