#!/usr/bin/env bats
# tug-scheduler end to end: a real etcd, tug-apiserver, one `tug-agent --hollow 3`
# (three simulated nodes of 4 cpu and 16Gi) and tug-scheduler. Each test works in
# its own namespaces and Queues, and deletes its pods (waiting until the hollow
# nodes let them go) and Queues before the next starts.

load lib/apiserver-suite

setup_file() {
  apiserver_suite_setup_file
  HOLLOW_LOG="$ETCD_DIR/hollow.log"
  bin/tug-agent --kubeconfig "$PKI/admin.kubeconfig" --hollow 3 --node-name sched-e2e --hollow-cpu 4 \
    --hollow-memory 16Gi >"$HOLLOW_LOG" 2>&1 &
  HOLLOW_PID=$!
  METRICS="127.0.0.1:$(_free_port)"
  SCHED_LOG="$ETCD_DIR/scheduler.log"
  bin/tug-scheduler --kubeconfig "$PKI/scheduler.kubeconfig" --listen "$METRICS" --status-period-ms 200 \
    --log-level debug >"$SCHED_LOG" 2>&1 &
  SCHED_PID=$!
  export HOLLOW_PID HOLLOW_LOG METRICS SCHED_LOG SCHED_PID
  wait_ready tug-agent "$HOLLOW_PID" "$HOLLOW_LOG" ready_nodes 3
  wait_ready tug-scheduler "$SCHED_PID" "$SCHED_LOG" curl -fsS "http://$METRICS/healthz"
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  [ -n "${SCHED_PID:-}" ] && stop_pid "$SCHED_PID"
  [ -n "${HOLLOW_PID:-}" ] && stop_pid "$HOLLOW_PID"
  apiserver_stop
}

NAMESPACES=()
QUEUES=()

# Pending pods may be bound while a collection DELETE runs (the bind wins, the
# delete skips them): delete again until none is left.
teardown() {
  local ns q
  for ns in "${NAMESPACES[@]}"; do
    eventually 30 delete_all_pods "$ns" || echo "pods of $ns are still there" >&2
  done
  for q in "${QUEUES[@]}"; do
    curl -sS -X DELETE "$API/apis/scheduling.tug.io/v1/queues/$q" >/dev/null || true
  done
}

ready_nodes() { # ready_nodes N: N nodes report Ready
  [ "$(curl -fsS "$API/api/v1/nodes" | jq '[.items[] | select(any(.status.conditions[]?;
    .type == "Ready" and .status == "True"))] | length')" = "$1" ]
}

eventually() { # eventually SECONDS CMD...: poll CMD every 0.2 s
  local tries=$(($1 * 5))
  shift
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    sleep 0.2
  done
  "$@"
}

delete_all_pods() {
  curl -sS -X DELETE "$API/api/v1/namespaces/$1/pods" >/dev/null || true
  [ "$(curl -fsS "$API/api/v1/namespaces/$1/pods" | jq '.items | length')" = 0 ]
}

mkns() {
  local ns
  for ns in "$@"; do
    api POST /api/v1/namespaces "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}" >/dev/null
    [ "$code" = 201 ] || [ "$code" = 409 ] || { echo "namespace $ns: $code $out" >&2; return 1; }
    NAMESPACES+=("$ns")
  done
}

mkqueue() { # mkqueue NAME SPEC-JSON
  api POST /apis/scheduling.tug.io/v1/queues \
    "{\"apiVersion\":\"scheduling.tug.io/v1\",\"kind\":\"Queue\",\"metadata\":{\"name\":\"$1\"},\"spec\":$2}" >/dev/null
  [ "$code" = 201 ] || { echo "queue $1: $code $out" >&2; return 1; }
  QUEUES+=("$1")
}

mkpods() { # mkpods NS PREFIX COUNT CPU [PRIORITY-CLASS]
  local ns=$1 prefix=$2 count=$3 cpu=$4 pc=${5:-} i body
  for i in $(seq 1 "$count"); do
    body=$(jq -cn --arg n "$prefix-$i" --arg cpu "$cpu" --arg pc "$pc" '{apiVersion: "v1",
      kind: "Pod", metadata: {name: $n}, spec: ({containers: [{name: "c", image: "busybox",
      resources: {requests: {cpu: $cpu}}}]} + (if $pc == "" then {} else
      {priorityClassName: $pc} end))}')
    api POST "/api/v1/namespaces/$ns/pods" "$body" >/dev/null
    [ "$code" = 201 ] || { echo "pod $ns/$prefix-$i: $code $out" >&2; return 1; }
  done
}

running() { # running NS: pods bound and not being deleted
  curl -fsS "$API/api/v1/namespaces/$1/pods" |
    jq '[.items[] | select(.spec.nodeName != null and .metadata.deletionTimestamp == null)] | length'
}

running_is() { [ "$(running "$1")" = "$2" ]; }

@test "scheduler: pending pods are bound to Ready nodes, spread, and run" {
  mkns s-spread
  mkpods s-spread web 6 1
  eventually 15 running_is s-spread 6
  run bash -c "curl -fsS '$API/api/v1/namespaces/s-spread/pods' | jq -r '.items[].spec.nodeName' | sort | uniq -c"
  [ "$(wc -l <<<"$output")" = 3 ] # LeastAllocated spreads 6 pods over the 3 nodes
  eventually 15 bash -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/s-spread/pods' |
    jq '[.items[] | select(.status.phase == \"Running\")] | length')\" = 6 ]"
}

@test "scheduler: a pod nothing can fit stays Pending with a FailedScheduling event" {
  mkns s-huge
  mkpods s-huge huge 1 5
  failed() {
    curl -fsS "$API/api/v1/namespaces/s-huge/events" | jq -e '.items[] |
      select(.reason == "FailedScheduling" and .involvedObject.name == "huge-1" and
             .message == "0/3 nodes are available: 3 Insufficient cpu.")' >/dev/null
  }
  eventually 10 failed
  run curl -fsS "$API/api/v1/namespaces/s-huge/pods/huge-1"
  [ "$(jq -r '.spec.nodeName // "none"' <<<"$output")" = none ]
  [ "$(jq -r .status.phase <<<"$output")" = Pending ]
}

@test "scheduler: a high-priority pod preempts a low-priority one when the cluster is full" {
  for pc in low:10 high:1000; do
    api POST /apis/scheduling.k8s.io/v1/priorityclasses "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"${pc%:*}\"},\"value\":${pc#*:}}" >/dev/null
    [ "$code" = 201 ] || [ "$code" = 409 ]
  done
  mkns s-prio
  mkpods s-prio low 3 4 low
  eventually 15 running_is s-prio 3
  mkpods s-prio vip 1 4 high
  eventually 15 bash -c "curl -fsS '$API/api/v1/namespaces/s-prio/pods/vip-1' | jq -e '.status.phase == \"Running\"' >/dev/null"
  [ "$(curl -fsS "$API/api/v1/namespaces/s-prio/pods" | jq '[.items[] | select(.metadata.name | startswith("low"))] | length')" = 2 ]
  # Events are written by the scheduler's recorder thread, after the fact.
  eventually 10 bash -c "curl -fsS '$API/api/v1/namespaces/s-prio/events' |
    jq -e '[.items[] | select(.reason == \"Preempted\" and (.message | startswith(\"Preempted by s-prio/vip-1\")))] | length == 1' >/dev/null"
}

@test "scheduler: aging lets a waiting low-priority pod run under a steady stream of higher ones" {
  for pc in age-low:10 age-high:15; do
    api POST /apis/scheduling.k8s.io/v1/priorityclasses "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"${pc%:*}\"},\"value\":${pc#*:}}" >/dev/null
    [ "$code" = 201 ] || [ "$code" = 409 ]
  done
  mkqueue age '{"namespaces": ["s-age"], "aging": {"intervalSeconds": 1, "maxBoost": 100}}'
  mkns s-age
  mkpods s-age high 3 4 age-high
  eventually 15 running_is s-age 3
  mkpods s-age low 1 4 age-low
  mkpods s-age next 1 4 age-high
  # The Queue's status says where each waits and why: next-1 first, no node has room.
  listed() {
    curl -fsS "$API/apis/scheduling.tug.io/v1/queues/age" | jq -e '.status.pendingWorkloads |
      (.[0].name == "next-1" and .[0].position == 1 and .[1].name == "low-1" and
       .[1].reason == "NoNodeFits" and (.[1].message | test("nodes are available")))' >/dev/null
  }
  eventually 10 listed
  run curl -fsS "$API/apis/scheduling.tug.io/v1/queues/age/pendingworkloads?offset=1&limit=1"
  [ "$status" -eq 0 ]
  [ "$(jq -r '.kind + " " + (.items | length | tostring) + " " + .items[0].name' <<<"$output")" = "PendingWorkloadsSummary 1 low-1" ]
  bound() { [ "$(curl -fsS "$API/api/v1/namespaces/s-age/pods/$1" | jq -r '.spec.nodeName // ""')" != "" ]; }
  # Each round frees one node and adds one more priority-15 pod, so a younger,
  # higher-priority pod is always waiting beside low-1 (rank 10 + its wait in s).
  local round victim went_first=0
  for round in $(seq 1 20); do
    bound low-1 && break
    bound next-1 && went_first=1
    victim=$(curl -fsS "$API/api/v1/namespaces/s-age/pods" | jq -r '[.items[] | select(.spec.nodeName != null and
      .metadata.deletionTimestamp == null and (.metadata.name | startswith("low") | not))][0].metadata.name')
    curl -fsS -X DELETE "$API/api/v1/namespaces/s-age/pods/$victim?gracePeriodSeconds=0" >/dev/null
    mkpods s-age "r$round" 1 4 age-high
    sleep 1
  done
  bound low-1
  [ "$went_first" = 1 ] # it waited while a younger, higher-priority pod went first
  pending=$(curl -fsS "$API/api/v1/namespaces/s-age/pods" | jq '[.items[] | select(.spec.nodeName == null)] | length')
  [ "$pending" -ge 1 ]
}

@test "scheduler: a queue that spent its window's cpu-hours holds pods until the next window" {
  # 2m cpu-hours is 7.2 cpu-seconds: one 4-cpu pod spends it in under 2 s.
  mkqueue budget '{"namespaces": ["s-budget"], "budget": {"windowSeconds": 20, "limits": {"cpu": "2m"}}}'
  mkns s-budget
  # Windows start at multiples of 20 s since the epoch: begin early in one, so
  # that the spending and the refusal fall in the same window.
  while [ $(($(date +%s) % 20)) -gt 3 ]; do sleep 0.2; done
  mkpods s-budget first 1 4
  eventually 15 running_is s-budget 1
  sleep 3
  mkpods s-budget second 1 1
  waits() {
    curl -fsS "$API/apis/scheduling.tug.io/v1/queues/budget" | jq -e '(.status.pendingWorkloads[0] |
      .name == "second-1" and .reason == "BudgetExhausted") and (.status.budget.used.cpu != "0")' >/dev/null
  }
  eventually 10 waits
  curl -fsS -X DELETE "$API/api/v1/namespaces/s-budget/pods/first-1?gracePeriodSeconds=0" >/dev/null
  # The next window (at most 20 s away) lets it in.
  bound() { [ "$(curl -fsS "$API/api/v1/namespaces/s-budget/pods/second-1" | jq -r '.spec.nodeName // ""')" != "" ]; }
  eventually 30 bound
}

# fair_split A B WANT_A WANT_B: the queues' namespaces run exactly those counts.
fair_split() { running_is "$1" "$3" && running_is "$2" "$4"; }

@test "scheduler: two queues of weight 1 in a cohort, both flooding, settle at equal shares" {
  mkns f1-a f1-b
  mkqueue f1-a '{"namespaces": ["f1-a"], "cohort": "f1", "preemption": {"reclaimWithinCohort": "Any"}}'
  mkqueue f1-b '{"namespaces": ["f1-b"], "cohort": "f1", "preemption": {"reclaimWithinCohort": "Any"}}'
  mkpods f1-a a 16 1
  eventually 15 running_is f1-a 12 # a alone takes all 12 cpu
  mkpods f1-b b 16 1
  eventually 20 fair_split f1-a f1-b 6 6
  sleep 2
  fair_split f1-a f1-b 6 6 # and stays there
  share() { curl -fsS "$API/apis/scheduling.tug.io/v1/queues/$1" | jq -r '.status.weightedShare'; }
  eventually 5 bash -c "[ \"\$(curl -fsS '$API/apis/scheduling.tug.io/v1/queues/f1-a' | jq .status.admitted)\" = 6 ]"
  [ "$(share f1-a)" = "$(share f1-b)" ]
  [ "$(curl -fsS "$API/apis/scheduling.tug.io/v1/queues/f1-b" | jq -r .status.usage.cpu)" = 6 ]
}

@test "scheduler: queues weighted 2:1 in a cohort settle at 2:1" {
  mkns f2-a f2-b
  mkqueue f2-a '{"namespaces": ["f2-a"], "cohort": "f2", "weight": 2, "preemption": {"reclaimWithinCohort": "Any"}}'
  mkqueue f2-b '{"namespaces": ["f2-b"], "cohort": "f2", "weight": 1, "preemption": {"reclaimWithinCohort": "Any"}}'
  mkpods f2-b b 16 1
  eventually 15 running_is f2-b 12
  mkpods f2-a a 16 1
  eventually 20 fair_split f2-a f2-b 8 4
}

@test "scheduler: a queue under its nominal quota reclaims borrowed capacity by preemption" {
  mkns r-a r-b
  mkqueue r-a '{"namespaces": ["r-a"], "cohort": "r", "nominal": {"cpu": "6"}, "preemption": {"reclaimWithinCohort": "Any"}}'
  mkqueue r-b '{"namespaces": ["r-b"], "cohort": "r", "nominal": {"cpu": "6"}}'
  mkpods r-b b 14 1
  eventually 15 running_is r-b 12 # r-b borrows r-a's unused 6
  start=$(date +%s)
  mkpods r-a a 3 1
  eventually 10 fair_split r-a r-b 3 9
  echo "reclaimed in $(($(date +%s) - start)) s" >&3
  [ "$(curl -fsS "$API/apis/scheduling.tug.io/v1/queues/r-b" | jq -r .status.borrowed.cpu)" != 0 ]
}

@test "scheduler: /metrics counts attempts, queue depth, latency and preemptions" {
  run curl -fsS "http://$METRICS/metrics"
  [ "$status" -eq 0 ]
  grep -q '^tug_scheduler_schedule_attempts_total{result="scheduled"} [1-9]' <<<"$output"
  grep -q '^tug_scheduler_queue_pending{queue="default"} ' <<<"$output"
  grep -q '^tug_scheduler_e2e_scheduling_duration_seconds_count [1-9]' <<<"$output"
  grep -q '^tug_scheduler_preemption_victims_total [1-9]' <<<"$output"
  grep -q '^tug_scheduler_queue_wait_seconds_count{queue="default"} [1-9]' <<<"$output"
  grep -q '^tug_scheduler_queue_usage{queue="default",resource="cpu"} [0-9]' <<<"$output"
  grep -q '^tug_scheduler_queue_borrowed{queue="default",resource="pods"} [0-9]' <<<"$output"
}
