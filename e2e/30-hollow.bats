#!/usr/bin/env bats
# Hollow nodes end to end: a real etcd and tug-apiserver, and one tug-agent
# --hollow 20 running as the user nobody. Pods are placed by setting
# spec.nodeName. Teardown stops the agent by PID, then etcd and the API server;
# the hollow agent makes nothing on the host to clean.

load lib/apiserver-suite
source "$BATS_TEST_DIRNAME/lib/hollow.bash"

setup_file() {
  apiserver_suite_setup_file
  export HOLLOW_PID_FILE="$BATS_FILE_TMPDIR/hollow.pid"
  hollow_start e2e-hollow 20 --hollow-cpu 8 --hollow-memory 32Gi --hollow-pods 50 \
    --hollow-job-seconds 2 --log-level debug
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  hollow_stop
  apiserver_stop
}

pod() { curl -fsS "$API/api/v1/namespaces/default/pods/$1"; }
phase_is() { [ "$(pod "$1" | jq -r .status.phase)" = "$2" ]; }
gone() { ! curl -fsS -o /dev/null "$API/api/v1/namespaces/default/pods/$1"; }

# mkpod NAME NODE RESTART_POLICY [RUN_SECONDS]: a pod bound to NODE, with the
# tug.io/hollow-run-seconds annotation when RUN_SECONDS is given.
mkpod() {
  local body
  body=$(jq -cn --arg n "$1" --arg node "$2" --arg p "$3" --arg s "${4:-}" '{apiVersion: "v1",
    kind: "Pod", metadata: ({name: $n} + if $s == "" then {} else
      {annotations: {"tug.io/hollow-run-seconds": $s}} end),
    spec: {nodeName: $node, restartPolicy: $p,
           containers: [{name: "main", image: "busybox"}, {name: "side", image: "busybox"}]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
}

renew_time() {
  curl -fsS "$API/apis/coordination.k8s.io/v1/namespaces/tug-node-lease/leases/$1" |
    jq -r .spec.renewTime
}

@test "hollow: N nodes register Ready with the capacity asked for and hold leases" {
  [ "$(hollow_ready_count)" = 20 ]
  run curl -fsS "$API/api/v1/nodes/e2e-hollow-19"
  [ "$status" -eq 0 ]
  [ "$(jq -r .status.capacity.cpu <<<"$output")" = 8 ]
  [ "$(jq -r .status.allocatable.memory <<<"$output")" = 32Gi ]
  [ "$(jq -r .status.capacity.pods <<<"$output")" = 50 ]
  [ "$(jq -r '.metadata.labels["tug.io/hollow"]' <<<"$output")" = true ]
  [ "$(jq -r '.metadata.labels["kubernetes.io/hostname"]' <<<"$output")" = e2e-hollow-19 ]
  run curl -fsS "$API/api/v1/nodes/e2e-hollow-20"
  [ "$status" -ne 0 ]
  # Each node's Lease is written just after the node, so the last may lag its Ready.
  leases_are() {
    [ "$(curl -fsS "$API/apis/coordination.k8s.io/v1/namespaces/tug-node-lease/leases" |
      jq '[.items[] | select(.metadata.name | startswith("e2e-hollow-"))] | length')" = "$1" ]
  }
  wait_for 10 leases_are 20
  run curl -fsS "$API/apis/coordination.k8s.io/v1/namespaces/tug-node-lease/leases/e2e-hollow-7"
  [ "$(jq -r .spec.holderIdentity <<<"$output")" = e2e-hollow-7 ]
  [ "$(jq -r .spec.leaseDurationSeconds <<<"$output")" = 40 ]
}

@test "hollow: the agent runs as nobody and starts no process" {
  [ "$(ps -o user= -p "$HOLLOW_PID")" = nobody ]
  [ -z "$(ps -o pid= --ppid "$HOLLOW_PID")" ]
}

@test "hollow: a bound pod becomes Running with a fake pod IP, hostIP and ready containers" {
  mkpod web e2e-hollow-3 Always
  wait_for 10 phase_is web Running
  run pod web
  [[ "$(jq -r .status.podIP <<<"$output")" =~ ^198\.18\.[0-9]+\.[0-9]+$ ]]
  [ "$(jq -r '.status.podIPs[0].ip' <<<"$output")" = "$(jq -r .status.podIP <<<"$output")" ]
  [ "$(jq -r .status.hostIP <<<"$output")" = 127.0.0.1 ]
  [ -n "$(jq -r '.status.startTime // empty' <<<"$output")" ]
  [ "$(jq -r '.status.conditions[] | select(.type=="Ready") | .status' <<<"$output")" = True ]
  [ "$(jq '.status.containerStatuses | length' <<<"$output")" = 2 ]
  [ "$(jq '[.status.containerStatuses[] | select(.ready and .state.running)] | length' <<<"$output")" = 2 ]
}

@test "hollow: pods across many hollow nodes all run, each with its own IP" {
  for i in $(seq 0 29); do mkpod "many-$i" "e2e-hollow-$((i % 20))" Always; done
  all_running() {
    [ "$(curl -fsS "$API/api/v1/namespaces/default/pods" |
      jq '[.items[] | select(.metadata.name | startswith("many-")) | select(.status.phase == "Running")] | length')" = 30 ]
  }
  wait_for 15 all_running
  run curl -fsS "$API/api/v1/namespaces/default/pods"
  [ "$(jq '[.items[] | select(.status.phase == "Running") | .status.podIP] | unique | length' <<<"$output")" = \
    "$(jq '[.items[] | select(.status.phase == "Running")] | length' <<<"$output")" ]
}

@test "hollow: job-like pods Succeed after their run time, Always pods keep running" {
  mkpod quick e2e-hollow-5 Never 1
  mkpod default-time e2e-hollow-6 OnFailure
  mkpod forever e2e-hollow-7 Always 1
  wait_for 10 phase_is quick Succeeded
  run pod quick
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.exitCode' <<<"$output")" = 0 ]
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.reason' <<<"$output")" = Completed ]
  [ "$(jq -r '.status.conditions[] | select(.type=="Ready") | .reason' <<<"$output")" = PodCompleted ]
  # --hollow-job-seconds 2 for a pod without the annotation.
  wait_for 10 phase_is default-time Succeeded
  phase_is forever Running
}

@test "hollow: deleting a pod removes it for good" {
  mkpod doomed e2e-hollow-9 Always
  wait_for 10 phase_is doomed Running
  api DELETE /api/v1/namespaces/default/pods/doomed >/dev/null
  [ "$code" = 200 ]
  wait_for 10 gone doomed
  # Deleting a finished job pod works the same way.
  mkpod done-job e2e-hollow-9 Never 0
  wait_for 10 phase_is done-job Succeeded
  api DELETE /api/v1/namespaces/default/pods/done-job >/dev/null
  wait_for 10 gone done-job
}

@test "hollow: pods on other nodes and unbound pods are left alone" {
  mkpod elsewhere real-node-1 Always
  mkpod lookalike e2e-hollow-20 Always
  mkpod padded e2e-hollow-03 Always
  api POST /api/v1/namespaces/default/pods \
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pending"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}' >/dev/null
  mkpod marker e2e-hollow-0 Always
  wait_for 10 phase_is marker Running
  sleep 1
  for p in elsewhere lookalike padded pending; do phase_is "$p" Pending; done
}

@test "hollow: lease renewals keep coming and nodes stay Ready" {
  before=$(renew_time e2e-hollow-0)
  renewed() { [ "$(renew_time e2e-hollow-0)" != "$before" ]; }
  wait_for 15 renewed
  [ "$(hollow_ready_count)" = 20 ]
}

@test "hollow: a restarted hollow agent keeps running pods' IPs and finishes their jobs" {
  mkpod long-job e2e-hollow-11 Never 4
  wait_for 10 phase_is long-job Running
  ip=$(pod web | jq -r .status.podIP)
  hollow_stop
  hollow_start e2e-hollow 20 --hollow-job-seconds 2 --log-level debug
  wait_for 15 phase_is long-job Succeeded
  [ "$(pod web | jq -r .status.podIP)" = "$ip" ]
  mkpod after-restart e2e-hollow-12 Always
  wait_for 10 phase_is after-restart Running
  run curl -fsS "$API/api/v1/namespaces/default/pods"
  [ "$(jq '[.items[] | select(.status.phase == "Running") | .status.podIP] | unique | length' <<<"$output")" = \
    "$(jq '[.items[] | select(.status.phase == "Running")] | length' <<<"$output")" ]
}

@test "hollow: bad hollow flags are refused with status 2" {
  for flags in "--hollow 0" "--hollow x" "--hollow 100001" "--hollow 3 --hollow-cpu lots" \
    "--hollow 3 --hollow-memory -1Gi" "--hollow 3 --hollow-pods 0" \
    "--hollow 3 --hollow-job-seconds -1"; do
    # shellcheck disable=SC2086
    run bin/tug-agent --server "$API" $flags
    [ "$status" -eq 2 ] || { echo "flags: $flags → $status: $output" >&2; return 1; }
  done
}
