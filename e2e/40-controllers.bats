#!/usr/bin/env bats
# tug-controllers end to end: a real etcd, tug-apiserver, tug-controllers and a
# tug-agent on this host (lib/controllers-suite.bash). Templates set
# spec.nodeName to the agent's node, so pods run without a scheduler.

AGENT_FLAGS=(--max-pods 40)
CONTROLLERS_FLAGS=(--job-backoff 1 --log-level debug)
load lib/controllers-suite

setup() { cd "$BATS_TEST_DIRNAME/.."; }

JOBS=/apis/batch/v1/namespaces/default/jobs

# job NAME COMPLETIONS PARALLELISM BACKOFF COMMAND...
job() {
  local name=$1 completions=$2 parallelism=$3 backoff=$4
  shift 4
  local cmd
  cmd=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  jq -cn --arg n "$name" --arg node "$NODE" --argjson k "$completions" --argjson p "$parallelism" \
    --argjson b "$backoff" --argjson c "$cmd" '{
    apiVersion: "batch/v1", kind: "Job", metadata: {name: $n},
    spec: {completions: $k, parallelism: $p, backoffLimit: $b,
      template: {spec: {nodeName: $node, restartPolicy: "Never", terminationGracePeriodSeconds: 1,
        containers: [{name: "main", image: "busybox", command: $c}]}}}}'
}

@test "controllers: a Deployment of 3 becomes 3 Running and Ready pods" {
  api POST "$DEPLOY" "$(deployment web 3 sh -c 'sleep 3600')" >/dev/null
  [ "$code" = 201 ]
  wait_for 40 rolled_out web
  [ "$(ready_pods web)" = 3 ]
  run curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dweb"
  [ "$(jq '[.items[] | select(.status.phase == "Running")] | length' <<<"$output")" = 3 ]
  [ "$(jq -r '[.items[].metadata.ownerReferences[0].kind] | unique | .[]' <<<"$output")" = ReplicaSet ]
  run dep web
  [ "$(jq -r '.status.conditions[] | select(.type=="Available") | .status' <<<"$output")" = True ]
  [ "$(jq -r '.status.conditions[] | select(.type=="Progressing") | .reason' <<<"$output")" = NewReplicaSetAvailable ]
  [ "$(jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]' <<<"$output")" = 1 ]
  [ "$(jq '.status.unavailableReplicas // 0' <<<"$output")" = 0 ]
  run curl -fsS "$API$RS?labelSelector=app%3Dweb"
  [ "$(jq '.items | length' <<<"$output")" = 1 ]
  hash=$(jq -r '.items[0].metadata.labels["pod-template-hash"]' <<<"$output")
  [ "$(jq -r '.items[0].metadata.name' <<<"$output")" = "web-$hash" ]
  [ "$(jq -r '.items[0].status.availableReplicas' <<<"$output")" = 3 ]
  # Events say what happened.
  run curl -fsS "$API/api/v1/namespaces/default/events"
  jq -e '[.items[] | select(.reason == "ScalingReplicaSet")] | length > 0' <<<"$output"
  jq -e '[.items[] | select(.reason == "SuccessfulCreate")] | length > 0' <<<"$output"
}

@test "controllers: a deleted pod is replaced" {
  victim=$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dweb" | jq -r '.items[0].metadata.name')
  api DELETE "/api/v1/namespaces/default/pods/$victim" >/dev/null
  [ "$code" = 200 ]
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=app%3Dweb' |
    jq '[.items[] | select(.metadata.deletionTimestamp == null and .metadata.name != \"$victim\")
         | select(any(.status.conditions[]?; .type == \"Ready\" and .status == \"True\"))] | length')\" = 3 ]"
  wait_for 20 settled web
}

@test "controllers: scaling to 5 and back to 2" {
  api PATCH "$DEPLOY/web/scale" '{"spec":{"replicas":5}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 40 rolled_out web
  [ "$(ready_pods web)" = 5 ]
  api PATCH "$DEPLOY/web" '{"spec":{"replicas":2}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 40 rolled_out web
  wait_for 20 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=app%3Dweb' | jq '.items | length')\" = 2 ]"
  [ "$(ready_pods web)" = 2 ]
  api PATCH "$DEPLOY/web" '{"spec":{"replicas":3}}' application/merge-patch+json >/dev/null
  wait_for 40 settled web
}

@test "controllers: a rolling update never has fewer than replicas - maxUnavailable Ready pods" {
  wait_for 40 settled web
  # 3 replicas, 25%/25%: maxSurge 1, maxUnavailable 0 — never fewer than 3 Ready.
  api PATCH "$DEPLOY/web" '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox","command":["sh","-c","sleep 3601"]}]}}}}' \
    application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  min=99
  for _ in $(seq 1 900); do
    n=$(ready_pods web)
    [ "$n" -lt "$min" ] && min=$n
    rolled_out web && [ "$(all_pods web)" = 3 ] && break
    sleep 0.1
  done
  echo "minimum Ready during the rollout: $min" >&3
  rolled_out web
  [ "$min" -ge 3 ]
  wait_for 20 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=app%3Dweb' | jq '.items | length')\" = 3 ]"
  run curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Dweb"
  [ "$(jq -r '[.items[].spec.containers[0].command[2]] | unique | .[]' <<<"$output")" = "sleep 3601" ]
  [ "$(jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]' <<<"$(dep web)")" = 2 ]
  run curl -fsS "$API$RS?labelSelector=app%3Dweb"
  [ "$(jq '.items | length' <<<"$output")" = 2 ]
  [ "$(jq '[.items[] | select(.spec.replicas == 0)] | length' <<<"$output")" = 1 ]
}

@test "controllers: rollback returns to the previous template" {
  wait_for 40 settled web
  # What `tug rollout undo` does: revision 1's template back into the Deployment.
  old=$(curl -fsS "$API$RS?labelSelector=app%3Dweb" | jq -c '.items[]
    | select(.metadata.annotations["deployment.kubernetes.io/revision"] == "1")')
  tmpl=$(jq -c '.spec.template | del(.metadata.labels["pod-template-hash"])' <<<"$old")
  d=$(dep web | jq -c --argjson t "$tmpl" '.spec.template = $t')
  api PUT "$DEPLOY/web" "$d" >/dev/null
  [ "$code" = 200 ]
  wait_for 60 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=app%3Dweb' |
    jq -r '[.items[].spec.containers[0].command[2]] | unique | join(\",\")')\" = 'sleep 3600' ]"
  wait_for 40 settled web
  [ "$(jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]' <<<"$(dep web)")" = 3 ]
  # The old ReplicaSet came back with the next revision; no third one was made.
  run curl -fsS "$API$RS?labelSelector=app%3Dweb"
  [ "$(jq '.items | length' <<<"$output")" = 2 ]
  [ "$(jq -r --arg n "$(jq -r .metadata.name <<<"$old")" '.items[] | select(.metadata.name == $n)
    | .metadata.annotations["deployment.kubernetes.io/revision"]' <<<"$output")" = 3 ]
}

@test "controllers: a Job with completions 5 and parallelism 2 never runs more than 2 at once" {
  api POST "$JOBS" "$(job batch 5 2 6 sh -c 'sleep 1')" >/dev/null
  [ "$code" = 201 ]
  max=0
  for _ in $(seq 1 900); do
    j=$(curl -fsS "$API$JOBS/batch")
    n=$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=job-name%3Dbatch" |
      jq '[.items[] | select(.status.phase != "Succeeded" and .status.phase != "Failed")] | length')
    [ "$n" -gt "$max" ] && max=$n
    jq -e '.status.conditions[]? | select(.type == "Complete" and .status == "True")' <<<"$j" >/dev/null && break
    sleep 0.1
  done
  echo "most pods at once: $max" >&3
  [ "$max" -le 2 ]
  j=$(curl -fsS "$API$JOBS/batch")
  [ "$(jq .status.succeeded <<<"$j")" = 5 ]
  [ -n "$(jq -r '.status.completionTime // empty' <<<"$j")" ]
  [ "$(jq '.status.active // 0' <<<"$j")" = 0 ]
  [ "$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=job-name%3Dbatch" | jq '.items | length')" = 5 ]
}

@test "controllers: a Job whose pods fail stops after backoffLimit" {
  api POST "$JOBS" "$(job failing 1 1 2 sh -c 'exit 1')" >/dev/null
  [ "$code" = 201 ]
  wait_for 60 sh -c "curl -fsS '$API$JOBS/failing' | jq -e '.status.conditions[]? | select(.type == \"Failed\" and .status == \"True\")' >/dev/null"
  j=$(curl -fsS "$API$JOBS/failing")
  [ "$(jq -r '.status.conditions[] | select(.type=="Failed") | .reason' <<<"$j")" = BackoffLimitExceeded ]
  [ "$(jq .status.failed <<<"$j")" = 3 ]
  sleep 3
  [ "$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=job-name%3Dfailing" | jq '.items | length')" = 3 ]
}

@test "controllers: a finished Job with ttlSecondsAfterFinished is deleted" {
  body=$(job short 1 1 0 true | jq -c '.spec.ttlSecondsAfterFinished = 1')
  api POST "$JOBS" "$body" >/dev/null
  [ "$code" = 201 ]
  wait_for 40 sh -c "! curl -fsS -o /dev/null '$API$JOBS/short'"
  # Its pod goes with it (garbage collector).
  wait_for 20 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=job-name%3Dshort' | jq '.items | length')\" = 0 ]"
}

@test "controllers: an orphaned ReplicaSet is collected, Orphan keeps it, Foreground waits" {
  rs=$(jq -cn --arg node "$NODE" '{apiVersion: "apps/v1", kind: "ReplicaSet",
    metadata: {name: "lost", ownerReferences: [{apiVersion: "apps/v1", kind: "Deployment",
      name: "gone", uid: "00000000-0000-0000-0000-000000000000", controller: true}]},
    spec: {replicas: 1, selector: {matchLabels: {app: "lost"}},
      template: {metadata: {labels: {app: "lost"}}, spec: {nodeName: $node,
        terminationGracePeriodSeconds: 1,
        containers: [{name: "main", image: "busybox", command: ["sleep", "3600"]}]}}}}')
  api POST "$RS" "$rs" >/dev/null
  [ "$code" = 201 ]
  wait_for 20 sh -c "! curl -fsS -o /dev/null '$API$RS/lost'"
  wait_for 20 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=app%3Dlost' | jq '.items | length')\" = 0 ]"

  # Orphan: the Deployment goes, its ReplicaSet stays without an owner.
  api POST "$DEPLOY" "$(deployment keep 1 sleep 3600)" >/dev/null
  wait_for 30 rolled_out keep
  api DELETE "$DEPLOY/keep" '{"propagationPolicy":"Orphan"}' >/dev/null
  [ "$code" = 200 ]
  wait_for 20 sh -c "! curl -fsS -o /dev/null '$API$DEPLOY/keep'"
  sleep 2
  run curl -fsS "$API$RS?labelSelector=app%3Dkeep"
  [ "$(jq '.items | length' <<<"$output")" = 1 ]
  [ "$(jq '.items[0].metadata.ownerReferences // [] | length' <<<"$output")" = 0 ]
  [ "$(live_pods keep)" = 1 ]
  rsname=$(jq -r '.items[0].metadata.name' <<<"$output")

  # Foreground: the ReplicaSet waits for its pods, then goes.
  api DELETE "$RS/$rsname" '{"propagationPolicy":"Foreground"}' >/dev/null
  [ "$code" = 200 ]
  run curl -fsS "$API$RS/$rsname"
  [ "$(jq -r '.metadata.finalizers[0]' <<<"$output")" = foregroundDeletion ]
  wait_for 30 sh -c "! curl -fsS -o /dev/null '$API$RS/$rsname'"
  [ "$(all_pods keep)" = 0 ]
}

@test "controllers: a Service's Endpoints follow its pods" {
  api POST /api/v1/namespaces/default/services '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}}' >/dev/null
  [ "$code" = 201 ]
  wait_for 20 curl -fsS -o /dev/null "$API/api/v1/namespaces/default/endpoints/web"
  run curl -fsS "$API/api/v1/namespaces/default/endpoints/web"
  # Pods have no IP on this branch yet, so no address is listed.
  [ "$(jq '.subsets // [] | length' <<<"$output")" = 0 ]
  api DELETE /api/v1/namespaces/default/services/web >/dev/null
  wait_for 20 sh -c "! curl -fsS -o /dev/null '$API/api/v1/namespaces/default/endpoints/web'"
}

@test "controllers: quota status.used follows creates, deletes and finished pods" {
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"quota"}}' >/dev/null
  api POST /api/v1/namespaces/quota/resourcequotas '{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},"spec":{"hard":{"pods":"10","count/deployments.apps":"5","services":"3"}}}' >/dev/null
  [ "$code" = 201 ]
  used() { curl -fsS "$API/api/v1/namespaces/quota/resourcequotas/q" | jq -r ".status.used[\"$1\"]"; }
  api POST /apis/apps/v1/namespaces/quota/deployments "$(deployment app 2 sleep 3600)" >/dev/null
  [ "$code" = 201 ]
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/quota/resourcequotas/q' | jq -r '.status.used.pods')\" = 2 ]"
  [ "$(used count/deployments.apps)" = 1 ]
  # A pod that finished no longer counts.
  api POST /api/v1/namespaces/quota/pods "$(jq -cn --arg node "$NODE" '{apiVersion: "v1", kind: "Pod",
    metadata: {name: "once"}, spec: {nodeName: $node, restartPolicy: "Never",
    containers: [{name: "main", image: "busybox", command: ["true"]}]}}')" >/dev/null
  [ "$code" = 201 ]
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/quota/pods/once' | jq -r .status.phase)\" = Succeeded ]"
  wait_for 40 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/quota/resourcequotas/q' | jq -r '.status.used.pods')\" = 2 ]"
  api DELETE /apis/apps/v1/namespaces/quota/deployments/app >/dev/null
  wait_for 40 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/quota/resourcequotas/q' | jq -r '.status.used.pods')\" = 0 ]"
  [ "$(used count/deployments.apps)" = 0 ]
}

@test "controllers: deleting a namespace removes its objects, then the namespace" {
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"doomed"}}' >/dev/null
  api POST /apis/apps/v1/namespaces/doomed/deployments "$(deployment app 2 sleep 3600)" >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/doomed/services '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":{"app":"app"},"ports":[{"port":80}]}}' >/dev/null
  wait_for 40 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/doomed/pods' | jq '[.items[] | select(.status.phase == \"Running\")] | length')\" = 2 ]"
  api DELETE /api/v1/namespaces/doomed >/dev/null
  [ "$code" = 200 ]
  wait_for 60 sh -c "! curl -fsS -o /dev/null '$API/api/v1/namespaces/doomed'"
  [ "$(curl -fsS "$API/api/v1/pods" | jq '[.items[] | select(.metadata.namespace == "doomed")] | length')" = 0 ]
  [ "$(curl -fsS "$API/apis/apps/v1/replicasets" | jq '[.items[] | select(.metadata.namespace == "doomed")] | length')" = 0 ]
  [ "$(curl -fsS "$API/api/v1/services" | jq '[.items[] | select(.metadata.namespace == "doomed")] | length')" = 0 ]
}

@test "controllers: the node gets a pod CIDR and /metrics reports every controller" {
  wait_for 10 sh -c "[ \"\$(curl -fsS '$API/api/v1/nodes/$NODE' | jq -r .spec.podCIDR)\" = 198.18.0.0/24 ]"
  run curl -fsS "$CONTROLLERS_METRICS/metrics"
  [ "$status" -eq 0 ]
  for c in replicaset deployment job garbagecollector namespace endpoints resourcequota nodelifecycle nodeipam; do
    grep -q "tug_controller_workqueue_depth{controller=\"$c\"}" <<<"$output"
  done
  grep -q 'tug_controller_reconcile_duration_seconds_count{controller="deployment"}' <<<"$output"
  grep -q 'tug_controller_reconcile_errors_total{controller="replicaset"}' <<<"$output"
}
