#!/usr/bin/env bats
# PodDisruptionBudgets, the pods/eviction subresource and node drain end to
# end: etcd, tug-apiserver, tug-scheduler, tug-controllers and two tug-agents
# (A and B) on this host. Draining a node whose three pods a budget of
# minAvailable 2 covers never leaves fewer than two Ready (sampled all along),
# with the stock kubectl (no workaround flag) and with tug; a budget that
# allows nothing answers 429 with Kubernetes' message; concurrent evictions of
# a set whose budget allows one let exactly one through. Also the
# ReplicationController and Ingress kinds kubectl's prune allowlist names.

load lib/apiserver-suite
source "$BATS_TEST_DIRNAME/lib/agent.bash"
source "$BATS_TEST_DIRNAME/lib/controllers.bash"

setup_file() {
  apiserver_suite_setup_file
  UIDS_FILE="$ETCD_DIR/pod-uids"
  : >"$UIDS_FILE"
  export UIDS_FILE
  agent_start "e2e-da-$$" --restart-backoff-seconds 1 --max-pods 40
  A_NODE=$NODE A_ROOT=$AGENT_ROOT A_PID=$AGENT_PID A_LOG=$AGENT_LOG
  agent_start "e2e-db-$$" --restart-backoff-seconds 1 --max-pods 40
  B_NODE=$NODE B_ROOT=$AGENT_ROOT B_PID=$AGENT_PID B_LOG=$AGENT_LOG
  export A_NODE A_ROOT A_PID A_LOG B_NODE B_ROOT B_PID B_LOG
  SCHED_METRICS="127.0.0.1:$(_free_port)"
  bin/tug-scheduler --kubeconfig "$PKI/scheduler.kubeconfig" --listen "$SCHED_METRICS" \
    >"$ETCD_DIR/scheduler.log" 2>&1 &
  SCHED_PID=$!
  export SCHED_PID
  wait_ready tug-scheduler "$SCHED_PID" "$ETCD_DIR/scheduler.log" curl -fsS "http://$SCHED_METRICS/healthz"
  controllers_start --log-level debug
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  controllers_stop
  [ -n "${SCHED_PID:-}" ] && stop_pid "$SCHED_PID"
  controllers_delete_pods
  [ -n "${A_PID:-}" ] && NODE=$A_NODE AGENT_ROOT=$A_ROOT AGENT_PID=$A_PID AGENT_LOG=$A_LOG agent_stop
  [ -n "${B_PID:-}" ] && NODE=$B_NODE AGENT_ROOT=$B_ROOT AGENT_PID=$B_PID AGENT_LOG=$B_LOG agent_stop
  apiserver_stop
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KC="kubectl --request-timeout=20s"
}

# A sampler a test started in the background is stopped by PID.
teardown() {
  [ -z "${SAMPLER_PID:-}" ] || { kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; }
  SAMPLER_PID=
}

PODS=/api/v1/namespaces/default/pods
PDBS=/apis/policy/v1/namespaces/default/poddisruptionbudgets

# deploy NAME REPLICAS: a Deployment of sleeping busybox pods labelled app=NAME.
deploy() {
  local body
  body=$(jq -cn --arg n "$1" --argjson r "$2" '{
    apiVersion: "apps/v1", kind: "Deployment", metadata: {name: $n},
    spec: {replicas: $r, selector: {matchLabels: {app: $n}},
      template: {metadata: {labels: {app: $n}},
        spec: {terminationGracePeriodSeconds: 1,
               containers: [{name: "main", image: "busybox", command: ["sleep", "3600"]}]}}}}')
  api POST "$DEPLOY" "$body" >/dev/null
  [ "$code" = 201 ]
}

# budget NAME BOUND VALUE: a PodDisruptionBudget over app=NAME (BOUND is
# minAvailable or maxUnavailable; VALUE JSON).
budget() {
  api POST "$PDBS" "$(jq -cn --arg n "$1" --arg b "$2" --argjson v "$3" '{
    apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: {name: $n},
    spec: {($b): $v, selector: {matchLabels: {app: $n}}}}')" >/dev/null
  [ "$code" = 201 ]
}

pdb() { curl -fsS "$API$PDBS/$1"; }
# The budget's status fields, "healthy/desired/expected/allowed".
pdb_counts() {
  pdb "$1" | jq -r '.status | "\(.currentHealthy)/\(.desiredHealthy)/\(.expectedPods)/\(.disruptionsAllowed)"'
}
counts_are() { [ "$(pdb_counts "$1")" = "$2" ]; }

ready_on() {
  curl -fsS "$API$PODS?labelSelector=app%3D$1" | jq --arg n "$2" '[.items[]
    | select(.spec.nodeName == $n and .metadata.deletionTimestamp == null)
    | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length'
}
all_ready_on() { [ "$(ready_on "$1" "$2")" = "$3" ]; }

# sample APP FILE: the Ready pods of APP, one line per sample, until killed.
sample() {
  while :; do ready_pods "$1" >>"$2" 2>/dev/null || true; sleep 0.1; done &
  SAMPLER_PID=$!
}

# evict POD: POST an Eviction (JSON); sets $code and prints the answer.
evict() {
  api POST "$PODS/$1/eviction" \
    "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"$1\"}}"
}

@test "drain: kubectl drain evicts through pods/eviction and a minAvailable 2 budget always holds" {
  run $KC cordon "$B_NODE"
  [ "$status" -eq 0 ]
  deploy web 3
  budget web minAvailable 2
  wait_for 60 all_ready_on web "$A_NODE" 3
  wait_for 20 counts_are web 3/2/3/1
  [ "$(pdb web | jq -r '.status.conditions[] | select(.type == "DisruptionAllowed") | "\(.status)/\(.reason)"')" = True/SufficientPods ]
  run $KC uncordon "$B_NODE"
  [ "$status" -eq 0 ]
  sample web "$BATS_TEST_TMPDIR/ready"
  run $KC drain "$A_NODE" --timeout=120s
  kill "$SAMPLER_PID"
  echo "$output" # shown when the test fails
  [ "$status" -eq 0 ]
  [[ "$output" == *"evicting pod default/web-"* ]]
  [[ "$output" == *"evicted"* ]]
  [[ "$output" == *"node/$A_NODE drained"* ]]
  # Three pods, one disruption at a time: kubectl met the budget and retried.
  [[ "$output" == *"Cannot evict pod as it would violate the pod's disruption budget."* ]]
  samples=$(wc -l <"$BATS_TEST_TMPDIR/ready")
  min=$(sort -n "$BATS_TEST_TMPDIR/ready" | head -1)
  echo "# $samples samples while draining, fewest Ready: $min" >&3
  [ "$samples" -gt 20 ]
  [ "$min" -ge 2 ]
  wait_for 60 all_ready_on web "$B_NODE" 3
}

@test "drain: tug drain evicts, retries on 429 and keeps the budget; cordon and uncordon say what they did" {
  run bin/tug uncordon "$A_NODE"
  [ "$status" -eq 0 ]
  [ "$output" = "node/$A_NODE uncordoned" ]
  run bin/tug uncordon "$A_NODE"
  [ "$output" = "node/$A_NODE already uncordoned" ]
  wait_for 60 all_ready_on web "$B_NODE" 3
  wait_for 20 counts_are web 3/2/3/1
  sample web "$BATS_TEST_TMPDIR/ready"
  run bin/tug drain "$B_NODE" --timeout 2m
  kill "$SAMPLER_PID"
  echo "$output" # shown when the test fails
  [ "$status" -eq 0 ]
  [[ "$output" == *"node/$B_NODE cordoned"* ]]
  [[ "$output" == *"(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."* ]]
  [[ "$output" == *"node/$B_NODE drained"* ]]
  min=$(sort -n "$BATS_TEST_TMPDIR/ready" | head -1)
  echo "# $(wc -l <"$BATS_TEST_TMPDIR/ready") samples while draining, fewest Ready: $min" >&3
  [ "$min" -ge 2 ]
  wait_for 60 all_ready_on web "$A_NODE" 3
  [ "$(curl -fsS "$API/api/v1/nodes/$B_NODE" | jq -r .spec.unschedulable)" = true ]
  run bin/tug cordon "$B_NODE"
  [ "$output" = "node/$B_NODE already cordoned" ]
  run bin/tug uncordon "$B_NODE"
  [ "$status" -eq 0 ]
}

@test "eviction: a budget that allows no disruption answers 429 with Kubernetes' message and keeps the pod" {
  deploy solo 1
  budget solo minAvailable 1
  wait_for 60 eval '[ "$(ready_pods solo)" = 1 ]'
  wait_for 20 counts_are solo 1/1/1/0
  pod=$(curl -fsS "$API$PODS?labelSelector=app%3Dsolo" | jq -r '.items[0].metadata.name')
  evict "$pod" >/dev/null
  [ "$code" = 429 ]
  [ "$(jq -r .reason <<<"$out")" = TooManyRequests ]
  [ "$(jq -r .message <<<"$out")" = "Cannot evict pod as it would violate the pod's disruption budget." ]
  [ "$(jq -c '.details.causes' <<<"$out")" = '[{"reason":"DisruptionBudget","message":"The disruption budget solo needs 1 healthy pods and has 1 currently"}]' ]
  [ "$(curl -fsS "$API$PODS/$pod" | jq -r '.metadata.deletionTimestamp')" = null ]
  [ "$(pdb solo | jq -r '.status.conditions[] | select(.type == "DisruptionAllowed") | "\(.status)/\(.reason)"')" = False/InsufficientPods ]
  # An Eviction naming another pod, and a pod that is not there.
  api POST "$PODS/$pod/eviction" '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"other"}}' >/dev/null
  [ "$code" = 400 ]
  evict nosuchpod >/dev/null
  [ "$code" = 404 ]
  # Raising the budget's replicas makes room: the eviction then goes through.
  api PATCH "$DEPLOY/solo" '{"spec":{"replicas":2}}' application/merge-patch+json >/dev/null
  wait_for 60 counts_are solo 2/1/2/1
  evict "$pod" >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -r .status <<<"$out")" = Success ]
  [ "$(curl -fsS "$API$PODS/$pod" | jq -r '.metadata.deletionTimestamp != null')" = true ] ||
    ! curl -fsS "$API$PODS/$pod" >/dev/null
}

# cordon_all true|null: set spec.unschedulable on both nodes.
cordon_all() {
  for n in "$A_NODE" "$B_NODE"; do
    curl -fsS -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' \
      -d "{\"spec\":{\"unschedulable\":$1}}" "$API/api/v1/nodes/$n"
  done
}

@test "eviction: concurrent evictions under a budget that allows one let exactly one through" {
  deploy quad 4
  budget quad maxUnavailable 1
  for round in 1 2 3; do
    wait_for 60 eval '[ "$(ready_pods quad)" = 4 ]'
    wait_for 20 counts_are quad 4/3/4/1
    # No replacement may become Ready while the evictions run (one would
    # rightly free the budget again): both nodes are cordoned meanwhile.
    cordon_all true
    pods=$(curl -fsS "$API$PODS?labelSelector=app%3Dquad" |
      jq -r '.items[] | select(.metadata.deletionTimestamp == null) | .metadata.name')
    for p in $pods; do
      curl -sS -o "$BATS_TEST_TMPDIR/body.$p" -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
        --data "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"$p\"}}" \
        "$API$PODS/$p/eviction" >"$BATS_TEST_TMPDIR/code.$p" &
    done
    wait
    codes=$(cat "$BATS_TEST_TMPDIR"/code.* | sort | uniq -c | awk '{print $2 "x" $1}' | paste -sd' ')
    left=$(ready_pods quad)
    cordon_all null
    echo "# round $round: $codes, $left Ready left" >&3
    if [ "$codes" != "201x1 429x3" ]; then
      for p in $pods; do echo "# $p $(cat "$BATS_TEST_TMPDIR/code.$p") $(cat "$BATS_TEST_TMPDIR/body.$p")" >&3; done
      pdb quad | jq -c .status | sed 's/^/# /' >&3
    fi
    rm -f "$BATS_TEST_TMPDIR"/code.* "$BATS_TEST_TMPDIR"/body.*
    [ "$codes" = "201x1 429x3" ]
    [ "$left" = 3 ]
  done
}

@test "pdb: kubectl and tug print kubectl's columns; validation refuses both bounds and bad percentages" {
  run $KC get pdb web
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE" ]]
  [[ "${lines[1]}" =~ ^web\ +2\ +N/A\ +1\  ]]
  run bin/tug get pdb
  [ "$status" -eq 0 ]
  [[ "$output" == *"MIN AVAILABLE"*"ALLOWED DISRUPTIONS"* ]]
  [[ "$output" == *quad*N/A*1* ]]
  run bin/tug describe pdb web
  [ "$status" -eq 0 ]
  [[ "$output" == *"DisruptionAllowed"*"SufficientPods"* ]]
  run $KC create pdb both --selector=app=x --min-available=1 --max-unavailable=1
  [ "$status" -ne 0 ]
  api POST "$PDBS" '{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"bad"},"spec":{"minAvailable":1,"maxUnavailable":"150%"}}' >/dev/null
  [ "$code" = 422 ]
  [[ "$(jq -r .message <<<"$out")" == *"minAvailable and maxUnavailable cannot be both set"* ]]
  [[ "$(jq -r .message <<<"$out")" == *"spec.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%"* ]]
  run $KC create pdb half --selector=app=web2 --min-available=50%
  [ "$status" -eq 0 ]
}

@test "rbac: the edit role may create pods/eviction, the view role may not" {
  api POST /apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"dev-edit"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"dev"}]}' >/dev/null
  [ "$code" = 201 ]
  api POST /apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"ro-view"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"ro"}]}' >/dev/null
  [ "$code" = 201 ]
  run $KC auth can-i create pods --subresource=eviction --as dev
  [ "$output" = yes ]
  run $KC auth can-i create pods --subresource=eviction --as ro
  [ "$output" = no ]
}

@test "replicationcontroller: keeps its replicas with an equality selector, scales, and its pods go with it" {
  api POST /api/v1/namespaces/default/replicationcontrollers '{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"legacy"},"spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"legacy"}},"spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"main","image":"busybox","command":["sleep","3600"]}]}}}}' >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -c .spec.selector <<<"$out")" = '{"app":"legacy"}' ]
  wait_for 60 eval '[ "$(ready_pods legacy)" = 2 ]'
  run $KC scale rc legacy --replicas=3
  [ "$status" -eq 0 ]
  wait_for 60 eval '[ "$(ready_pods legacy)" = 3 ]'
  [ "$(curl -fsS "$API/api/v1/namespaces/default/replicationcontrollers/legacy/scale" | jq -r .status.selector)" = app=legacy ]
  run $KC get rc legacy
  [[ "${lines[0]}" == "NAME     DESIRED   CURRENT   READY   AGE" ]]
  [[ "${lines[1]}" =~ ^legacy\ +3\ +3\ +3\  ]]
  [ "$(curl -fsS "$API$PODS?labelSelector=app%3Dlegacy" | jq -r '[.items[].metadata.ownerReferences[0].kind] | unique | .[]')" = ReplicationController ]
  run $KC delete rc legacy
  [ "$status" -eq 0 ]
  wait_for 60 eval '[ "$(all_pods legacy)" = 0 ]'
}

@test "ingress: stored and validated, printed as kubectl prints it" {
  cat >"$BATS_TEST_TMPDIR/ing.yaml" <<'Y'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: front}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
Y
  run $KC apply -f "$BATS_TEST_TMPDIR/ing.yaml"
  [ "$status" -eq 0 ]
  run $KC get ingress front
  [[ "${lines[0]}" == "NAME    CLASS   HOSTS              ADDRESS   PORTS     AGE" ]]
  [[ "${lines[1]}" =~ ^front\ +nginx\ +shop.example.com\ +80,\ 443\  ]]
  api POST /apis/networking.k8s.io/v1/namespaces/default/ingresses '{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"bad"},"spec":{"rules":[{"host":"x","http":{"paths":[{"path":"/","backend":{"service":{"name":"web","port":{"number":80,"name":"http"}}}}]}}]}}' >/dev/null
  [ "$code" = 422 ]
  [[ "$(jq -r .message <<<"$out")" == *"pathType: Required value"* ]]
  [[ "$(jq -r .message <<<"$out")" == *"cannot set both port name & port number"* ]]
}
