#!/usr/bin/env bats
# API Priority and Fairness, end to end: a real etcd and tug-apiserver with a
# small in-flight limit, so that one user's flood fills its level. alice
# floods; bob (another user on the same level) and a node's heartbeat-path
# reads must keep their latency and never see a 429, while alice gets 429
# with Retry-After. Latencies are measured with wrk over kept-alive TLS.
# FAIRNESS_APF=false runs the same against --enable-priority-and-fairness
# false, for comparison (docs/performance.md); the suite then fails, as it
# should.

load lib/apiserver-suite

# wrk's latency ("812.00us", "3.41ms", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.2f", n }'
}

# measure TOKEN PATH SECONDS CONNECTIONS: "P99_MS NON2XX REQUESTS" for GETs of PATH.
measure() {
  local out p99 bad reqs
  out=$(wrk -t1 -c"$4" -d"$3s" --latency -H "Authorization: Bearer $1" "$API$2")
  p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(to_ms "$p99") ${bad:-0} $reqs"
}

setup_file() {
  apiserver_suite_setup_file
  local p=$PKI
  printf '%s\n' 'e2e-admin-token,e2e-admin,e2e-admin-uid,"system:masters"' \
    'alice-token,alice,alice-uid' 'bob-token,bob,bob-uid' \
    'node-token,system:node:n1,n1-uid,"system:nodes"' >"$p/tokens.csv"
  # global-default keeps Kubernetes' 20 shares of 20 seats (2 seats), each
  # flow a hand of 2 queues of 5.
  cat >"$BATS_FILE_TMPDIR/flowcontrol.yaml" <<'EOF'
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: global-default}
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: 20
    limitResponse:
      type: Queue
      queuing: {queues: 64, handSize: 2, queueLengthLimit: 5}
EOF
  stop_pid "$APISERVER_PID"
  local port=${API##*:} tls
  mapfile -t tls < <(apiserver_tls_flags)
  "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" \
    "${tls[@]}" --enable-priority-and-fairness "${FAIRNESS_APF:-true}" --max-requests-inflight 20 --flowcontrol-config "$BATS_FILE_TMPDIR/flowcontrol.yaml" \
    >>"$APISERVER_LOG" 2>&1 3>&- &
  APISERVER_PID=$!
  echo "$APISERVER_PID" >"$BATS_FILE_TMPDIR/apiserver.pid"
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "$API/readyz"
  local K="kubectl --request-timeout=10s"
  $K create namespace team-a >/dev/null
  $K create namespace team-b >/dev/null
  $K create rolebinding alice-edit --clusterrole=edit --user=alice -n team-a >/dev/null
  $K create rolebinding bob-view --clusterrole=view --user=bob -n team-b >/dev/null
  $K create configmap c --from-literal=k=v -n team-a >/dev/null
  $K create configmap c --from-literal=k=v -n team-b >/dev/null
  $K create -f - >/dev/null <<<'{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}'
  wait_for 10 eval '[ "$(kubectl --as bob auth can-i get configmaps -n team-b)" = yes ]'
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  [ ! -f "$BATS_FILE_TMPDIR/apiserver.pid" ] || APISERVER_PID=$(cat "$BATS_FILE_TMPDIR/apiserver.pid")
  apiserver_stop
}

@test "fairness: answers name their FlowSchema and priority level; levels are in /metrics" {
  run curl -sS -q --cacert "$PKI/ca.crt" -D - -o /dev/null -H 'Authorization: Bearer bob-token' \
    "$API/api/v1/namespaces/team-b/configmaps/c"
  [[ "$output" == *" 200"* ]]
  [[ "$output" =~ [Xx]-[Kk]ubernetes-[Pp][Ff]-[Ff]low[Ss]chema-UID:\ [0-9a-f-]{36} ]]
  [[ "$output" =~ [Xx]-[Kk]ubernetes-[Pp][Ff]-[Pp]riority[Ll]evel-UID:\ [0-9a-f-]{36} ]]
  run curl -fsS "$API/metrics"
  [[ "$output" == *'apiserver_flowcontrol_nominal_limit_seats{priority_level="global-default"} 2'* ]]
  [[ "$output" == *'apiserver_flowcontrol_flow_requests_total{flow_schema="global-default",priority_level="global-default",result="dispatched"}'* ]]
}

@test "fairness: a flooding user gets 429 with Retry-After; another user and a node keep their latency" {
  local alone node_alone flood_pid
  alone=$(measure bob-token /api/v1/namespaces/team-b/configmaps/c 4 1)
  node_alone=$(measure node-token /api/v1/nodes/n1 4 1)
  # alice creates ConfigMaps from 48 connections: each write holds a seat
  # while etcd commits it. The script counts 429s that carry Retry-After and,
  # as client-go does, waits the second it asks before the next request (a
  # client that ignores it costs the server one 429 each: bench/apiserver).
  cat >"$BATS_FILE_TMPDIR/flood.lua" <<'EOF'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) retry_after = 0; backoff = 0 end
function response(status, headers, body)
  if status == 429 and headers["Retry-After"] == "1" then
    retry_after = retry_after + 1
    backoff = 1000
  end
end
function delay()
  local d = backoff
  backoff = 0
  return d
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("retry_after") end
  io.write("retry_after_429=" .. n .. "\n")
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"f-"},"data":{"k":"v"}}'
EOF
  wrk -t1 -c48 -d14s -s "$BATS_FILE_TMPDIR/flood.lua" -H 'Authorization: Bearer alice-token' \
    "$API/api/v1/namespaces/team-a/configmaps" >"$BATS_FILE_TMPDIR/flood.txt" &
  flood_pid=$!
  sleep 2
  local during node_during
  during=$(measure bob-token /api/v1/namespaces/team-b/configmaps/c 4 1)
  node_during=$(measure node-token /api/v1/nodes/n1 4 1)
  wait "$flood_pid"
  local flood_bad
  flood_bad=$(awk '/Non-2xx/ {print $NF}' "$BATS_FILE_TMPDIR/flood.txt")
  echo "bob alone p99/non2xx/requests: $alone; during the flood: $during" >&3
  echo "node alone: $node_alone; during the flood: $node_during" >&3
  echo "alice's flood: $(awk '/requests in/ {print $1}' "$BATS_FILE_TMPDIR/flood.txt") requests, ${flood_bad:-0} refused (load $(cut -d' ' -f1 /proc/loadavg))" >&3
  [ "${flood_bad:-0}" -gt 0 ]
  # every refusal is a 429 with Retry-After
  grep -qx "retry_after_429=$flood_bad" "$BATS_FILE_TMPDIR/flood.txt"
  set -- $alone
  local alone_p99=$1
  set -- $during
  [ "$2" -eq 0 ] # bob: no 429
  awk -v d="$1" -v a="$alone_p99" 'BEGIN { exit !(d <= 2 * a + 5) }'
  set -- $node_alone
  local node_alone_p99=$1
  set -- $node_during
  [ "$2" -eq 0 ]
  awk -v d="$1" -v a="$node_alone_p99" 'BEGIN { exit !(d <= 2 * a + 5) }'
}
