#!/usr/bin/env bats
# High availability end to end (docs/reliability.md), one cluster for the file:
# etcd, two API servers (A on loopback; B on loopback and, through
# --listen-netns, on 198.19.0.1 inside a namespace of its own), a real agent
# inside another network namespace that reaches B only through the veth pair
# between those two namespaces, and a hollow agent for the scheduler's
# pods. Timings are shortened by flags (lease 4 s, renew deadline 3 s, retry
# 0.5 s; agent Lease renewed every second and fenced after 3 s; API server
# identity Leases 3 s, renewed every second) so the file stays short; each
# test prints what it measured.

load lib/apiserver-suite
source "$BATS_TEST_DIRNAME/lib/agent.bash"
source "$BATS_TEST_DIRNAME/lib/controllers.bash"

LEASE=(--leader-elect-lease-duration 4 --leader-elect-renew-deadline 3 --leader-elect-retry-period 0.5)
# The API servers' identity Leases (the kubernetes Endpoints): 3 s, renewed every second.
IDLEASE=(--identity-lease-duration-seconds 3 --identity-lease-renew-interval-seconds 1)

# ha_net_up: the agent's namespace tugha-PID (eth0 198.19.0.2) and B's
# tughb-PID (eth0 198.19.0.1, a name in the API server's certificate), joined
# by a veth pair. Nothing listens off loopback in this namespace.
ha_net_up() {
  HA_NS="tugha-$$"
  HA_NSB="tughb-$$"
  ip netns add "$HA_NS"
  ip netns add "$HA_NSB"
  ip -n "$HA_NSB" link add eth0 type veth peer name eth0 netns "$HA_NS"
  ip -n "$HA_NSB" addr add 198.19.0.1 peer 198.19.0.2 dev eth0
  ip -n "$HA_NS" addr add 198.19.0.2 peer 198.19.0.1 dev eth0
  local ns
  for ns in "$HA_NS" "$HA_NSB"; do
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
  export HA_NS HA_NSB
}

ha_net_down() {
  [ -n "${HA_NS:-}" ] && ip netns del "$HA_NS" 2>/dev/null
  [ -n "${HA_NSB:-}" ] && ip netns del "$HA_NSB" 2>/dev/null
  return 0
}

# The second API server, B, over the same etcd: API_B on loopback for this
# namespace's clients, API_B_NET (198.19.0.1, same port) in tughb-PID for the
# agent's; not waited for (the agents start meanwhile and retry until it serves).
apiserver_b_start() {
  local tls port
  mapfile -t tls < <(apiserver_tls_flags)
  port=$(_free_port)
  API_B="https://127.0.0.1:$port"
  API_B_NET="https://198.19.0.1:$port"
  APISERVER_B_LOG="$ETCD_DIR/apiserver-b.log"
  bin/tug-apiserver --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" \
    --listen-netns "$HA_NSB" --advertise-address 198.19.0.1 \
    --consistent-reads etcd "${IDLEASE[@]}" "${tls[@]}" >"$APISERVER_B_LOG" 2>&1 &
  APISERVER_B_PID=$!
  export API_B API_B_NET APISERVER_B_PID APISERVER_B_LOG
}

setup_file() {
  ha_net_up
  apiserver_start --consistent-reads etcd "${IDLEASE[@]}"
  apiserver_b_start
  HOLLOW_LOG="$ETCD_DIR/hollow.log"
  bin/tug-agent --kubeconfig "$PKI/admin.kubeconfig" --server "$API,$API_B" --hollow 1 \
    --node-name ha-hollow --hollow-cpu 64 --hollow-memory 64Gi >"$HOLLOW_LOG" 2>&1 &
  HOLLOW_PID=$!
  NODE=ha-node
  AGENT_ROOT=$(mktemp -d /var/tmp/tug-agent.XXXXXX)
  AGENT_LOG="$AGENT_ROOT.log"
  UIDS_FILE="$ETCD_DIR/pod-uids"
  : >"$UIDS_FILE"
  local id
  mapfile -t id < <(agent_identity "$NODE" 198.19.0.2)
  # nsenter, not `ip netns exec`: that mounts a sysfs of its own, without cgroups.
  nsenter --net="/run/netns/$HA_NS" bin/tug-agent "${id[@]}" --server "$API_B_NET" --node-name "$NODE" \
    --root "$AGENT_ROOT" --build-busybox --address 198.19.0.2 --port "$(_free_port)" \
    --node-lease-renew-interval 1 --fence-after 3 >"$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  export HOLLOW_PID HOLLOW_LOG NODE AGENT_ROOT AGENT_LOG AGENT_PID UIDS_FILE
  wait_ready tug-apiserver "$APISERVER_B_PID" "$APISERVER_B_LOG" curl -fsS "$API_B/readyz"
  wait_ready tug-agent "$AGENT_PID" "$AGENT_LOG" agent_node_ready
  wait_ready tug-agent "$HOLLOW_PID" "$HOLLOW_LOG" curl -fsS "$API/api/v1/nodes/ha-hollow-0"
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  local pid
  for pid in ${SCHED_PIDS:-} ${CTL_PIDS:-}; do stop_pid "$pid"; done
  [ -n "${HA_NS:-}" ] && ip -n "$HA_NS" link set eth0 up 2>/dev/null
  if [ -n "${AGENT_PID:-}" ]; then
    curl -sS -o /dev/null -X DELETE "$API_B/api/v1/namespaces/default/pods?gracePeriodSeconds=1" || true
    for _ in $(seq 1 75); do
      [ "$(curl -fsS "$API_B/api/v1/pods?fieldSelector=spec.nodeName%3D$NODE" | jq '.items | length')" = 0 ] && break
      sleep 0.2
    done
    stop_pid "$AGENT_PID"
    umount "$AGENT_ROOT/state" 2>/dev/null || true
    grep -F " $AGENT_ROOT/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$AGENT_ROOT" "$AGENT_LOG"
  fi
  [ -n "${HOLLOW_PID:-}" ] && stop_pid "$HOLLOW_PID"
  [ -n "${APISERVER_B_PID:-}" ] && stop_pid "$APISERVER_B_PID"
  apiserver_stop
  ha_net_down
}

lease() { curl -fsS "$API_B/apis/coordination.k8s.io/v1/namespaces/tug-system/leases/$1"; }
holder() { lease "$1" | jq -r .spec.holderIdentity; }
held() { [ -n "$(holder "$1" 2>/dev/null)" ] && [ "$(holder "$1")" != null ]; }
holder_is_not() { local h; h=$(holder "$1") && [ -n "$h" ] && [ "$h" != "$2" ]; }
bound_count() {
  curl -fsS "$API_B/api/v1/namespaces/default/pods?labelSelector=app%3Dha-sched" |
    jq '[.items[] | select(.spec.nodeName != null)] | length'
}
sched_pod() {
  jq -cn --arg n "$1" '{apiVersion: "v1", kind: "Pod",
    metadata: {name: $n, labels: {app: "ha-sched"}},
    spec: {nodeSelector: {"kubernetes.io/hostname": "ha-hollow-0"},
           containers: [{name: "c", image: "busybox", resources: {requests: {cpu: "10m"}}}]}}'
}
# The fenced test's container (-x: not this shell's own command lines).
sleeper_running() { pgrep -fx "sleep $SLEEPN" >/dev/null; }
sleeper_gone() { ! sleeper_running; }
bound_is() { [ "$(bound_count)" = "$1" ]; }
now_ms() { date +%s%3N; }
# The kubernetes Endpoints as sorted "ip:port" lines.
kube_endpoints() {
  curl -fsS "$API_B/api/v1/namespaces/default/endpoints/kubernetes" |
    jq -r '.subsets[]? | .ports[0].port as $p | .addresses[] | "\(.ip):\($p)"' | sort
}
endpoints_are() { [ "$(kube_endpoints)" = "$1" ]; }
endpoints_rv() { curl -fsS "$API_B/api/v1/namespaces/default/endpoints/kubernetes" | jq -r .metadata.resourceVersion; }
hostport() { echo "${1#https://}"; }
both_servers() { printf '%s\n' "$(hostport "$API")" "$(hostport "$API_B_NET")" | sort; }
ms_of() { date -d "$1" +%s%3N; } # a MicroTime in milliseconds

@test "ha: the kubernetes Endpoints list every API server whose Lease is fresh" {
  wait_for 10 endpoints_are "$(both_servers)"
  [ "$(curl -fsS "$API_B/apis/coordination.k8s.io/v1/namespaces/tug-system/leases?labelSelector=apiserver.kubernetes.io%2Fidentity%3Dkube-apiserver" |
    jq '.items | length')" = 2 ]
  # The kill -9 test checks that neither server rewrote them meanwhile.
  endpoints_rv >"$ETCD_DIR/endpoints-rv"
}

@test "ha: kill -9 of the leading scheduler: the standby takes over within the lease duration, no pod bound twice" {
  local logs=("$ETCD_DIR/sched-1.log" "$ETCD_DIR/sched-2.log") pids=() i
  for i in 0 1; do
    bin/tug-scheduler --kubeconfig "$PKI/scheduler.kubeconfig" --server "$API,$API_B" \
      --listen "127.0.0.1:$(_free_port)" --log-level debug "${LEASE[@]}" >"${logs[$i]}" 2>&1 &
    pids+=($!)
    [ "$i" = 0 ] && wait_for 10 held tug-scheduler
  done
  SCHED_PIDS="${pids[*]}"
  export SCHED_PIDS
  for i in $(seq 1 10); do
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
      "$API_B/api/v1/namespaces/default/pods" --data-binary "$(sched_pod "a-$i")"
  done
  wait_for 20 bound_is 10
  local first t0 t1 last
  first=$(holder tug-scheduler)
  grep -q "became leader.*identity=$first" "${logs[0]}"
  ! grep -q "became leader" "${logs[1]}"
  t0=$(now_ms)
  kill -9 "${pids[0]}"
  last=$(lease tug-scheduler | jq -r .spec.renewTime) # the killed leader's last renewal
  for i in $(seq 1 10); do
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
      "$API_B/api/v1/namespaces/default/pods" --data-binary "$(sched_pod "b-$i")"
  done
  wait_for 20 holder_is_not tug-scheduler "$first"
  t1=$(ms_of "$(lease tug-scheduler | jq -r .spec.acquireTime)")
  echo "# standby leads $((t1 - $(ms_of "$last")))ms after the last renewal, $((t1 - t0))ms after kill -9 (lease 4 s, retry 0.5 s)" >&3
  # Kubernetes' bound: the standby sees the last renewal within a retry period
  # and takes over a lease duration later, at its next retry; 1 s for requests.
  [ $((t1 - $(ms_of "$last"))) -le $((4000 + 2 * 500 + 1000)) ]
  wait_for 20 bound_is 20
  [ "$(lease tug-scheduler | jq .spec.leaseTransitions)" = 1 ]
  # Each pod bound once, by one scheduler; no bind refused as already assigned.
  [ "$(cat "${logs[@]}" | grep 'msg="bound"' | grep -o 'pod=default/[ab]-[0-9]*' | sort | uniq -d | wc -l)" = 0 ]
  [ "$(cat "${logs[@]}" | grep 'msg="bound"' | grep -c 'pod=default/[ab]-')" = 20 ]
  ! grep -q "already assigned" "${logs[@]}"
}

@test "ha: kill -9 of one API server: daemons and the CLI carry on through the other" {
  local t0 t1
  # Both servers renewed every second during the scheduler test: the
  # Endpoints kept both addresses and were not rewritten.
  endpoints_are "$(both_servers)"
  [ "$(endpoints_rv)" = "$(cat "$ETCD_DIR/endpoints-rv")" ]
  kill -9 "$APISERVER_PID"
  wait "$APISERVER_PID" 2>/dev/null || true
  APISERVER_PID=
  t0=$(now_ms)
  for i in $(seq 1 5); do
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
      "$API_B/api/v1/namespaces/default/pods" --data-binary "$(sched_pod "c-$i")"
  done
  # The surviving scheduler listed and watched through A first; it fails over to B.
  wait_for 30 bound_is 25
  t1=$(now_ms)
  echo "# 5 pods bound $((t1 - t0))ms after API server A died" >&3
  run bin/tug --server "$API,$API_B" --kubeconfig "$PKI/admin.kubeconfig" get pods
  [ "$status" -eq 0 ]
  [[ "$output" == *c-5* ]]
  # A's Lease is no longer renewed: B drops it from the Endpoints (lease 3 s).
  wait_for 15 endpoints_are "$(hostport "$API_B_NET")"
  echo "# A left the kubernetes Endpoints $(($(now_ms) - t0))ms after it died (lease 3 s, renewals 1 s)" >&3
  API=$API_B
}

@test "ha: the agent stops its pods when cut off from every API server, and does not restart an evicted one after heal" {
  API=$API_B # A is gone (the test above)
  SLEEPN=$((4000 + $$ % 1000))
  CTL_LOG="$ETCD_DIR/controllers-fence.log"
  bin/tug-controllers --kubeconfig "$PKI/controllers.kubeconfig" --server "$API_B" \
    --listen "127.0.0.1:$(_free_port)" --controllers nodelifecycle --node-grace 2 \
    --default-unreachable-toleration 2 >"$CTL_LOG" 2>&1 &
  CTL_PIDS="$!"
  export CTL_PIDS
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API_B/api/v1/namespaces/default/pods" \
    --data-binary "$(jq -cn --arg node "$NODE" --arg s "$SLEEPN" '{apiVersion: "v1", kind: "Pod", metadata: {name: "fenced"},
      spec: {nodeName: $node, terminationGracePeriodSeconds: 1,
             containers: [{name: "c", image: "busybox", command: ["sleep", $s]}]}}')"
  wait_for 30 bash -c "curl -fsS '$API_B/api/v1/namespaces/default/pods/fenced' | jq -e '.status.phase == \"Running\"' >/dev/null"
  local uid
  uid=$(curl -fsS "$API_B/api/v1/namespaces/default/pods/fenced" | jq -r .metadata.uid)
  echo "$uid" >>"$UIDS_FILE"
  sleeper_running

  local t0 t1
  t0=$(now_ms)
  ip -n "$HA_NS" link set eth0 down
  wait_for 20 sleeper_gone
  t1=$(now_ms)
  echo "# pods stopped $(((t1 - t0)))ms after the cut (fence after 3 s, renewals every 1 s)" >&3
  grep -q "fencing: no Lease renewal" "$AGENT_LOG"
  # The control plane evicts it meanwhile (deletionTimestamp set, the agent cannot finish it).
  wait_for 30 bash -c "curl -fsS '$API_B/api/v1/namespaces/default/pods/fenced' | jq -e '.metadata.deletionTimestamp != null' >/dev/null"
  ip -n "$HA_NS" link set eth0 up
  local healed
  healed=$(now_ms)
  # After heal: deleted for good, never started again.
  wait_for 30 bash -c "! curl -fsS '$API_B/api/v1/namespaces/default/pods/fenced' >/dev/null 2>&1"
  grep -q "fence lifted" "$AGENT_LOG"
  sleeper_gone
  [ "$(grep -c "pod sandbox created.*uid=$uid" "$AGENT_LOG")" = 1 ]
  # The agent reports Ready as soon as its Lease renews again, not at its
  # next 40 s status beat (the controllers had marked the node Unknown).
  wait_for 20 agent_node_ready
  echo "# node Ready again $(($(now_ms) - healed))ms after heal" >&3
  [ $(($(now_ms) - healed)) -le 10000 ]
  stop_pid "$CTL_PIDS"
  CTL_PIDS=
}
