#!/usr/bin/env bats
# The audit log end to end: tug-apiserver with an audit policy that gives each
# test namespace its own level, a log that rotates at 1 MB, stock kubectl, curl,
# and a hollow agent with the scheduler, whose bind of a pod must name the same
# Audit-Id as the audit log's line for it.

load lib/apiserver-suite

setup_file() {
  AUDIT_DIR=$(mktemp -d /tmp/tug-e2e-audit.XXXXXX)
  AUDIT_LOG="$AUDIT_DIR/audit.log"
  export AUDIT_DIR AUDIT_LOG
  cat >"$AUDIT_DIR/policy.yaml" <<'YAML'
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: ["/readyz", "/healthz*", "/metrics"]
- level: None
  users: ["system:admin"]
  verbs: [watch]
  resources: [{group: "", resources: [nodes]}]
- level: None
  namespaces: [audit-none]
- level: Request
  namespaces: [audit-req]
- level: RequestResponse
  namespaces: [audit-rr]
  omitStages: [RequestReceived]
- level: Metadata
YAML
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$AUDIT_DIR/sa.key" 2>/dev/null
  chmod 600 "$AUDIT_DIR/sa.key"
  APISERVER_FLAGS=(--audit-policy-file "$AUDIT_DIR/policy.yaml" --audit-log-path "$AUDIT_LOG"
    --audit-log-maxsize 1 --audit-log-maxbackup 2 --service-account-signing-key-file "$AUDIT_DIR/sa.key")
  apiserver_suite_setup_file
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
  for ns in audit-meta audit-none audit-req audit-rr audit-sched; do
    curl -fsS -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
      -d "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}" >/dev/null
  done
  HOLLOW_LOG="$ETCD_DIR/hollow.log" SCHED_LOG="$ETCD_DIR/scheduler.log"
  bin/tug-agent --kubeconfig "$PKI/admin.kubeconfig" --hollow 1 --node-name audit-e2e >"$HOLLOW_LOG" 2>&1 3>&- &
  HOLLOW_PID=$!
  bin/tug-scheduler --kubeconfig "$PKI/scheduler.kubeconfig" --listen "127.0.0.1:$(_free_port)" --log-level debug \
    >"$SCHED_LOG" 2>&1 3>&- &
  SCHED_PID=$!
  export HOLLOW_LOG SCHED_LOG HOLLOW_PID SCHED_PID
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  [ -n "${SCHED_PID:-}" ] && stop_pid "$SCHED_PID"
  [ -n "${HOLLOW_PID:-}" ] && stop_pid "$HOLLOW_PID"
  apiserver_stop
  rm -rf "${AUDIT_DIR:?}"
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KC="kubectl --request-timeout=10s"
}

# events ID: the audit events of one request (from the current log and its
# backups), one compact JSON object a line, after the writer had time to write.
events() {
  local id=$1
  for _ in $(seq 1 25); do
    if cat "$AUDIT_DIR"/audit*.log | jq -c --arg id "$id" 'select(.auditID == $id)' | grep -q ResponseComplete; then
      break
    fi
    sleep 0.2
  done
  cat "$AUDIT_DIR"/audit*.log | jq -c --arg id "$id" 'select(.auditID == $id)'
}

# at_stage STAGE EXPR: the one event of STAGE among those on stdin makes EXPR true.
at_stage() {
  local got
  got=$(jq -c --arg s "$1" 'select(.stage == $s)')
  [ "$(wc -l <<<"$got")" = 1 ] && [ -n "$got" ] && jq -e "$2" <<<"$got" >/dev/null
}

# header NAME FILE: a response header's value from curl -D output.
header() { grep -i "^$1:" "$2" | tail -1 | cut -d' ' -f2- | tr -d '\r'; }

# req METHOD PATH [BODY [TYPE]]: curl, setting $code and $id (the Audit-Id answered).
req() {
  local hdrs="$AUDIT_DIR/h"
  code=$(curl -sS -o "$AUDIT_DIR/body" -D "$hdrs" -w '%{http_code}' -X "$1" \
    -H "Content-Type: ${4:-application/json}" ${3:+--data-binary "$3"} "$API$2")
  id=$(header Audit-Id "$hdrs")
  [ -n "$id" ]
}

cm() { # cm NAME [DATA-VALUE]
  printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"},"data":{"k":"%s"}}' "$1" "${2:-v}"
}

@test "every answer carries an Audit-Id, a new UUID unless the client sent Audit-ID" {
  req GET /version
  [[ "$id" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
  req GET /api/v1/namespaces/audit-meta/pods/nope
  [ "$code" = 404 ]
  first=$id
  req GET /api/v1/namespaces/audit-meta/pods/nope
  [ "$id" != "$first" ]
  code=$(curl -sS -o /dev/null -D "$AUDIT_DIR/h" -w '%{http_code}' -H 'Audit-ID: trace-42' "$API/api/v1/namespaces/audit-meta/configmaps")
  [ "$code" = 200 ]
  [ "$(header Audit-Id "$AUDIT_DIR/h")" = trace-42 ]
  events trace-42 | at_stage ResponseComplete '.verb == "list"'
}

@test "kubectl create, get and delete: one line per stage, Metadata, with verb, objectRef and status" {
  run $KC -n audit-meta create configmap kc --from-literal=a=b
  [ "$status" -eq 0 ]
  run $KC -n audit-meta get configmap kc -o name
  [ "$output" = configmap/kc ]
  run $KC -n audit-meta delete configmap kc
  [ "$status" -eq 0 ]
  sleep 0.5
  lines=$(jq -c 'select(.objectRef.namespace == "audit-meta" and .objectRef.resource == "configmaps"
    and (.userAgent // "" | startswith("kubectl")))' "$AUDIT_DIR"/audit*.log)
  # kubectl delete also GETs the object until it is gone (404): pick the verbs' own answers.
  for want in create:201 get:200 delete:200; do
    line=$(jq -c --arg v "${want%:*}" --argjson c "${want#*:}" \
      'select(.verb == $v and .stage == "ResponseComplete" and .responseStatus.code == $c)' <<<"$lines")
    [ "$(wc -l <<<"$line")" = 1 ] || { echo "$want: $line" >&2; false; }
    jq -e '.kind == "Event" and .apiVersion == "audit.k8s.io/v1" and .level == "Metadata"
      and .objectRef.apiVersion == "v1"
      and (.user.groups | index("system:masters")) != null and .sourceIPs == ["127.0.0.1"]
      and (.requestReceivedTimestamp | test("^[0-9-]+T[0-9:]+\\.[0-9]{6}Z$"))
      and (.stageTimestamp | test("\\.[0-9]{6}Z$"))
      and (has("requestObject") | not) and (has("responseObject") | not)' <<<"$line"
    [ "$(jq -r .objectRef.name <<<"$line")" = "$([ "$want" = create:201 ] && echo null || echo kc)" ]
    id=$(jq -r .auditID <<<"$line")
    [ "$(jq -c --arg id "$id" 'select(.auditID == $id) | .stage' <<<"$lines" | tr '\n' ' ')" = '"RequestReceived" "ResponseComplete" ' ]
  done
}

@test "a watch writes ResponseStarted, then ResponseComplete when it ends" {
  code=$(curl -sS -o /dev/null -D "$AUDIT_DIR/h" -w '%{http_code}' \
    "$API/api/v1/namespaces/audit-meta/pods?watch=true&timeoutSeconds=1")
  [ "$code" = 200 ]
  id=$(header Audit-Id "$AUDIT_DIR/h")
  run events "$id"
  [ "$(jq -r .stage <<<"$output" | tr '\n' ' ')" = "RequestReceived ResponseStarted ResponseComplete " ]
  for stage in ResponseStarted ResponseComplete; do
    at_stage $stage '.verb == "watch" and .responseStatus.code == 200 and .objectRef.resource == "pods"' <<<"$output"
  done
}

@test "failures: a 422 and a 409 name status, reason and message" {
  req POST /api/v1/namespaces/audit-meta/configmaps '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Not_Valid"}}'
  [ "$code" = 422 ]
  run events "$id"
  at_stage ResponseComplete '.responseStatus.code == 422
    and .responseStatus.status == "Failure" and .responseStatus.reason == "Invalid"
    and (.responseStatus.message | contains("Not_Valid"))' <<<"$output"
  req POST /api/v1/namespaces/audit-meta/configmaps "$(cm twice)"
  [ "$code" = 201 ]
  req POST /api/v1/namespaces/audit-meta/configmaps "$(cm twice)"
  [ "$code" = 409 ]
  run events "$id"
  at_stage ResponseComplete '.responseStatus.reason == "AlreadyExists"' <<<"$output"
}

@test "policy levels: None writes nothing, Request adds the request, RequestResponse the answer too" {
  req POST /api/v1/namespaces/audit-none/configmaps "$(cm quiet)"
  [ "$code" = 201 ]
  none=$id
  req POST /api/v1/namespaces/audit-req/configmaps "$(cm asked secret-ish)"
  [ "$code" = 201 ]
  run events "$id"
  [ "$(jq -r .stage <<<"$output" | tr '\n' ' ')" = "RequestReceived ResponseComplete " ]
  at_stage RequestReceived '.level == "Request" and (has("requestObject") | not)' <<<"$output"
  at_stage ResponseComplete '.requestObject.data.k == "secret-ish"
    and (has("responseObject") | not)' <<<"$output"
  req POST /api/v1/namespaces/audit-rr/configmaps "$(cm answered)"
  [ "$code" = 201 ]
  run events "$id"
  # The rule omits RequestReceived.
  [ "$(jq -r .stage <<<"$output")" = ResponseComplete ]
  jq -e '.level == "RequestResponse" and .requestObject.metadata.name == "answered"
    and (.responseObject.metadata.uid | length) > 0 and .responseObject.metadata.namespace == "audit-rr"' <<<"$output"
  req GET /api/v1/namespaces/audit-rr/configmaps
  run events "$id"
  jq -e '.verb == "list" and .responseObject.kind == "ConfigMapList" and (.responseObject.items | length) == 1' <<<"$output"
  [ -z "$(events "$none")" ]
  run curl -fsS "$API/metrics"
  grep -q '^apiserver_audit_error_total{plugin="log"} 0$' <<<"$output"
  grep -qE '^apiserver_audit_event_total [1-9][0-9]*$' <<<"$output"
}

@test "the CLI and the API server's own log lines name the request's Audit-Id" {
  run bin/tug --server "$API" -n audit-meta get configmap nope
  [ "$status" -ne 0 ]
  id=$(sed -n 's/^audit-id: //p' <<<"$output")
  [ -n "$id" ]
  events "$id" | at_stage ResponseComplete '.responseStatus.code == 404
    and .objectRef.name == "nope" and .verb == "get"'
  # Pod Security's audit mode logs a line while the server admits the pod.
  req PATCH /api/v1/namespaces/audit-meta '{"metadata":{"labels":{"pod-security.kubernetes.io/audit":"restricted"}}}' \
    application/merge-patch+json
  [ "$code" = 200 ] || { echo "label: $code" >&2; false; }
  code=$(curl -sS -o /dev/null -D "$AUDIT_DIR/h" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    "$API/api/v1/namespaces/audit-meta/pods" \
    -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"loud"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}')
  [ "$code" = 201 ]
  id=$(header Audit-Id "$AUDIT_DIR/h")
  grep 'msg="pod security audit" namespace=audit-meta kind=Pod name=loud' "$APISERVER_LOG" | grep -q " audit_id=$id\$"
  curl -fsS -X DELETE "$API/api/v1/namespaces/audit-meta/pods/loud?gracePeriodSeconds=0" >/dev/null
}

@test "the scheduler's bind of a pod names the Audit-Id of the binding in the audit log" {
  curl -fsS -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces/audit-sched/pods" \
    -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"placed"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}' >/dev/null
  wait_for 30 grep -q 'msg="bound" pod=audit-sched/placed' "$SCHED_LOG"
  id=$(sed -n 's/.*msg="bound" pod=audit-sched\/placed .*audit_id=\([^ ]*\).*/\1/p' "$SCHED_LOG")
  [ -n "$id" ]
  events "$id" | at_stage ResponseComplete '.verb == "create"
    and .objectRef.resource == "pods" and .objectRef.subresource == "binding"
    and .objectRef.name == "placed" and .responseStatus.code == 201'
  curl -fsS -X DELETE "$API/api/v1/namespaces/audit-sched/pods/placed?gracePeriodSeconds=0" >/dev/null
}

@test "the user is who the token names; a token that does not verify is audited as anonymous, 401" {
  run $KC -n audit-meta create serviceaccount robot
  [ "$status" -eq 0 ]
  run $KC -n audit-meta create rolebinding robot-view --clusterrole=view --serviceaccount=audit-meta:robot
  [ "$status" -eq 0 ]
  token=$($KC -n audit-meta create token robot)
  code=$(curl -q --cacert "$PKI/ca.crt" -sS -o /dev/null -D "$AUDIT_DIR/h" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "$API/api/v1/namespaces/audit-meta/configmaps")
  [ "$code" = 200 ]
  events "$(header Audit-Id "$AUDIT_DIR/h")" | at_stage ResponseComplete \
    '.user.username == "system:serviceaccount:audit-meta:robot" and (.user.uid | length) > 0
     and (.user.groups | index("system:serviceaccounts:audit-meta")) != null'
  sig=${token##*.}
  [ "${sig:20:1}" = A ] && other=B || other=A
  code=$(curl -q --cacert "$PKI/ca.crt" -sS -o /dev/null -D "$AUDIT_DIR/h" -w '%{http_code}' \
    -H "Authorization: Bearer ${token%.*}.${sig:0:20}$other${sig:21}" "$API/api/v1/namespaces/audit-meta/configmaps")
  [ "$code" = 401 ]
  id=$(header Audit-Id "$AUDIT_DIR/h")
  events "$id" | at_stage ResponseComplete '.user.username == "system:anonymous"
    and .responseStatus.code == 401 and .responseStatus.reason == "Unauthorized"'
  grep 'msg="unauthorized"' "$APISERVER_LOG" | grep -q " audit_id=$id\$"
}

# Last: it fills the log past 1 MB, rotating it.
@test "the log rotates at --audit-log-maxsize and keeps --audit-log-maxbackup files" {
  big=$(head -c 200000 /dev/zero | tr '\0' 'x')
  for i in $(seq 1 16); do
    printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big-%s"},"data":{"k":"%s"}}' "$i" "$big" >"$AUDIT_DIR/big.json"
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      --data-binary @"$AUDIT_DIR/big.json" "$API/api/v1/namespaces/audit-req/configmaps")
    [ "$code" = 201 ]
    sleep 0.05 # backups are named to the millisecond
  done
  sleep 1
  run ls "$AUDIT_DIR"
  backups=$(ls "$AUDIT_DIR" | grep -cE '^audit-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.[0-9]{3}\.log$')
  [ "$backups" = 2 ] || { echo "$output" >&2; false; }
  for f in "$AUDIT_DIR"/audit*.log; do
    [ "$(stat -c %s "$f")" -le 1048576 ]
    jq -e . "$f" >/dev/null # every line whole
  done
  [ "$(stat -c %a "$AUDIT_LOG")" = 600 ]
}
