#!/usr/bin/env bats
# Container probes end to end: a real etcd, tug-apiserver and agent on this
# host; pods placed by spec.nodeName. Readiness (httpGet, tcpSocket) drives the
# Ready condition, a failing liveness exec probe restarts the container.
# Teardown deletes every pod through the API, stops the agent by PID and
# removes whatever cgroup or mount of the suite's pods is left.

load lib/agent-suite

# mkpod NAME CONTAINER_JSON: a pod bound to $NODE with one container "main"
# of busybox, terminationGracePeriodSeconds 2.
mkpod() {
  local body
  body=$(jq -cn --arg n "$1" --arg node "$NODE" --argjson c "$2" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n}, spec: {nodeName: $node, restartPolicy: "Always",
    terminationGracePeriodSeconds: 2, containers: [{name: "main", image: "busybox"} + $c]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

ready_is() {
  [ "$(pod "$1" | jq -r '.status.conditions[]? | select(.type=="Ready") | .status')" = "$2" ]
}

HTTPD='["sh", "-c", "hostname > /etc/hostname; exec httpd -f -p 8080 -h /etc"]'

@test "probes: an httpGet readiness probe on a busybox httpd makes the pod Ready" {
  mkpod web "{\"command\": $HTTPD, \"ports\": [{\"name\": \"http\", \"containerPort\": 8080}],
    \"readinessProbe\": {\"httpGet\": {\"path\": \"/hostname\", \"port\": \"http\"},
                         \"periodSeconds\": 1}}"
  wait_for 20 ready_is web True
  run pod web
  [ "$(jq -r '.status.containerStatuses[0].ready' <<<"$output")" = true ]
  [ "$(jq -r '.status.containerStatuses[0].started' <<<"$output")" = true ]
  [ "$(jq -r '.status.conditions[] | select(.type=="ContainersReady") | .status' <<<"$output")" = True ]
}

@test "probes: a readiness probe on a closed port keeps a Running pod not Ready" {
  mkpod closed "{\"command\": [\"sleep\", \"600\"],
    \"readinessProbe\": {\"httpGet\": {\"path\": \"/\", \"port\": 9999}, \"periodSeconds\": 1}}"
  wait_for 20 phase_is closed Running
  sleep 4
  run pod closed
  [ "$(jq -r .status.phase <<<"$output")" = Running ]
  [ "$(jq -r '.status.containerStatuses[0].ready' <<<"$output")" = false ]
  [ "$(jq -r '.status.containerStatuses[0].started' <<<"$output")" = true ]
  [ "$(jq -r '.status.conditions[] | select(.type=="Ready") | .status' <<<"$output")" = False ]
  [ "$(jq -r '.status.conditions[] | select(.type=="Ready") | .reason' <<<"$output")" = ContainersNotReady ]
  [ "$(jq -r '.status.containerStatuses[0].restartCount' <<<"$output")" = 0 ]
}

@test "probes: a failing liveness exec probe restarts the container" {
  mkpod live '{"command": ["sh", "-c", "touch /tmp/healthy; sleep 8; rm /tmp/healthy; sleep 600"],
    "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 1,
                      "failureThreshold": 2}}'
  wait_for 15 phase_is live Running
  # Healthy for 8 s from the start (Running may show late on a loaded machine): no restart yet.
  sleep 3
  restarted live 0
  [ "$(pod live | jq -r '.status.containerStatuses[0].restartCount')" = 0 ]
  wait_for 20 restarted live 1
  run pod live
  [ "$(jq -r '.status.containerStatuses[0].lastState.terminated.exitCode' <<<"$output")" -ge 128 ]
  grep -q 'probe failed, killing container.*pod=default/live' "$AGENT_LOG"
}

@test "probes: a tcpSocket readiness probe against the httpd port makes the pod Ready" {
  mkpod tcp "{\"command\": $HTTPD,
    \"readinessProbe\": {\"tcpSocket\": {\"port\": 8080}, \"periodSeconds\": 1}}"
  wait_for 20 ready_is tcp True
  [ "$(pod tcp | jq -r '.status.containerStatuses[0].ready')" = true ]
}

started() { [ "$(pod "$1" | jq -r '.status.containerStatuses[0].started')" = "$2" ]; }

@test "probes: readiness waits for the startup probe, and started follows it" {
  # Started after 6 s, so that "not yet" still holds when a loaded machine shows Running late.
  mkpod slow '{"command": ["sh", "-c", "sleep 6; touch /tmp/started; sleep 600"],
    "startupProbe": {"exec": {"command": ["cat", "/tmp/started"]}, "periodSeconds": 1,
                     "failureThreshold": 30},
    "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 1}}'
  wait_for 15 phase_is slow Running
  run pod slow
  [ "$(jq -r '.status.containerStatuses[0].started' <<<"$output")" = false ]
  [ "$(jq -r '.status.containerStatuses[0].ready' <<<"$output")" = false ]
  wait_for 20 started slow true
  wait_for 10 ready_is slow True
  [ "$(pod slow | jq -r '.status.containerStatuses[0].restartCount')" = 0 ]
}
