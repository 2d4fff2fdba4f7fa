#!/usr/bin/env bats
# Deployment rollouts end to end, beyond the rolling update of 40: the status
# fields and conditions exactly as Kubernetes writes them, the Recreate
# strategy (checked on a pod watch, not by sampling), paused Deployments, and
# progressDeadlineSeconds; and the API server's quota release of a finished
# pod. A real etcd, tug-apiserver, tug-controllers and one tug-agent; templates
# pin spec.nodeName to the agent's node.

AGENT_FLAGS=(--max-pods 40)
CONTROLLERS_FLAGS=(--log-level debug)
load lib/controllers-suite

setup() { cd "$BATS_TEST_DIRNAME/.."; }

# A watch a test started in the background is stopped by PID.
stop_watch() {
  [ -z "${WATCH_PID:-}" ] || { kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null || true; }
  WATCH_PID=
}
teardown() { stop_watch; }

# watch_to FILE PATH: stream a watch of PATH (a collection, with its query) from
# the collection's current resourceVersion into FILE, in the background.
watch_to() {
  local rv sep='?'
  [[ $2 == *\?* ]] && sep='&'
  rv=$(curl -fsS "$API$2" | jq -r .metadata.resourceVersion)
  curl -sN "$API$2${sep}watch=true&resourceVersion=$rv" >"$1" &
  WATCH_PID=$!
}

cond() { jq -r --arg t "$2" ".status.conditions[] | select(.type == \$t) | .$3" <<<"$1"; }
hashes() {
  curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3D$1" |
    jq -r '[.items[].metadata.labels["pod-template-hash"]] | unique | join(",")'
}
is() { [ "$("$@")" = "$EXPECT" ]; }
rs_count() { curl -fsS "$API$RS?labelSelector=app%3D$1" | jq '.items | length'; }
new_template() { printf '{"spec":{"template":{"metadata":{"annotations":{"rev":"%s"}}}}}' "$1"; }

@test "rollout: a settled Deployment's status has Kubernetes' fields, values and conditions" {
  api POST "$DEPLOY" "$(deployment fields 2 sleep 3600)" >/dev/null
  [ "$code" = 201 ]
  wait_for 40 settled fields
  d=$(dep fields)
  rs=$(curl -fsS "$API$RS?labelSelector=app%3Dfields" | jq -r '.items[0].metadata.name')
  # Zero counts (unavailableReplicas) and collisionCount are left out, as Go's omitempty does.
  [ "$(jq -c '.status | keys' <<<"$d")" = '["availableReplicas","conditions","observedGeneration","readyReplicas","replicas","updatedReplicas"]' ]
  [ "$(jq -c '.status | [.replicas, .updatedReplicas, .readyReplicas, .availableReplicas]' <<<"$d")" = '[2,2,2,2]' ]
  [ "$(jq '.status.observedGeneration == .metadata.generation' <<<"$d")" = true ]
  # The condition changed last is last: Available, then Progressing.
  [ "$(jq -c '[.status.conditions[].type]' <<<"$d")" = '["Available","Progressing"]' ]
  [ "$(jq -c '[.status.conditions[] | keys] | unique' <<<"$d")" = '[["lastTransitionTime","lastUpdateTime","message","reason","status","type"]]' ]
  [ "$(cond "$d" Available status)/$(cond "$d" Available reason)" = True/MinimumReplicasAvailable ]
  [ "$(cond "$d" Available message)" = "Deployment has minimum availability." ]
  [ "$(cond "$d" Progressing status)/$(cond "$d" Progressing reason)" = True/NewReplicaSetAvailable ]
  [ "$(cond "$d" Progressing message)" = "ReplicaSet \"$rs\" has successfully progressed." ]
  # A spec change is a new generation, observed once the controller has seen it.
  gen=$(jq .metadata.generation <<<"$d")
  api PATCH "$DEPLOY/fields" '{"spec":{"replicas":3}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 40 settled fields
  d=$(dep fields)
  [ "$(jq .metadata.generation <<<"$d")" = $((gen + 1)) ]
  [ "$(jq .status.observedGeneration <<<"$d")" = $((gen + 1)) ]
  [ "$(jq -c '.status | [.replicas, .updatedReplicas, .readyReplicas, .availableReplicas]' <<<"$d")" = '[3,3,3,3]' ]
}

@test "rollout: Recreate removes every old pod before it creates the first new one" {
  body=$(deployment recreate 3 sleep 3600 | jq -c '.spec.strategy = {type: "Recreate"}')
  api POST "$DEPLOY" "$body" >/dev/null
  [ "$code" = 201 ]
  wait_for 40 settled recreate
  old=$(hashes recreate)
  watch_to "$BATS_TEST_TMPDIR/pods" "/api/v1/namespaces/default/pods?labelSelector=app%3Drecreate"
  old_pods=$(curl -fsS "$API/api/v1/namespaces/default/pods?labelSelector=app%3Drecreate" |
    jq -c '[.items[].metadata.name]')
  api PATCH "$DEPLOY/recreate" "$(new_template 2)" application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 60 settled recreate
  EXPECT=3 wait_for 20 is all_pods recreate
  stop_watch
  new=$(hashes recreate)
  [ "$new" != "$old" ]
  # Replay the watch: whenever a pod of the new template appeared, no pod of
  # the old one may have been left (deleted, or Succeeded/Failed).
  run jq -sr --arg old "$old" --argjson start "$old_pods" '
    reduce .[] as $e ({live: ($start | map({key: ., value: $old}) | from_entries), bad: [], new: 0};
      ($e.object.metadata.name) as $n | ($e.object.metadata.labels["pod-template-hash"]) as $h
      | if $e.type == "DELETED" or ($e.object.status.phase | IN("Succeeded", "Failed"))
        then .live |= del(.[$n])
        else .live[$n] = $h end
      | if $e.type == "ADDED" and $h != $old then
          .new += 1 | (if ([.live[]] | index($old)) != null then .bad += [$n] else . end)
        else . end)
    | "new pods: \(.new); created while old pods were left: \(.bad)"' "$BATS_TEST_TMPDIR/pods"
  echo "$output" >&3
  [ "$output" = "new pods: 3; created while old pods were left: []" ]
  run curl -fsS "$API$RS?labelSelector=app%3Drecreate"
  [ "$(jq -c '[.items[].spec.replicas] | sort' <<<"$output")" = '[0,3]' ]
  d=$(dep recreate)
  [ "$(jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]' <<<"$d")" = 2 ]
  [ "$(cond "$d" Progressing reason)" = NewReplicaSetAvailable ]
}

@test "rollout: a paused Deployment scales but makes no new ReplicaSet until resumed" {
  api POST "$DEPLOY" "$(deployment paused 2 sleep 3600)" >/dev/null
  [ "$code" = 201 ]
  wait_for 40 settled paused
  old=$(hashes paused)
  api PATCH "$DEPLOY/paused" '{"spec":{"paused":true}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 20 sh -c "curl -fsS '$API$DEPLOY/paused' | jq -e '.status.conditions[]
    | select(.type == \"Progressing\" and .status == \"Unknown\" and .reason == \"DeploymentPaused\"
             and .message == \"Deployment is paused\")' >/dev/null"
  api PATCH "$DEPLOY/paused" "$(new_template 2)" application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  gen=$(jq .metadata.generation <<<"$out")
  # The new template is observed, but nothing rolls.
  wait_for 20 sh -c "[ \"\$(curl -fsS '$API$DEPLOY/paused' | jq .status.observedGeneration)\" = $gen ]"
  sleep 3
  [ "$(rs_count paused)" = 1 ]
  [ "$(hashes paused)" = "$old" ]
  d=$(dep paused)
  [ "$(jq '.status.updatedReplicas // 0' <<<"$d")" = 0 ]
  [ "$(cond "$d" Progressing reason)" = DeploymentPaused ]
  # Scaling still happens, on the old ReplicaSet.
  api PATCH "$DEPLOY/paused/scale" '{"spec":{"replicas":3}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  EXPECT=3 wait_for 40 is ready_pods paused
  [ "$(rs_count paused)" = 1 ]
  [ "$(hashes paused)" = "$old" ]
  # Resumed: the rollout happens.
  api PATCH "$DEPLOY/paused" '{"spec":{"paused":false}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 60 settled paused
  EXPECT=3 wait_for 20 is all_pods paused
  [ "$(rs_count paused)" = 2 ]
  [ "$(hashes paused)" != "$old" ]
  [ "$(cond "$(dep paused)" Progressing reason)" = NewReplicaSetAvailable ]
}

@test "rollout: pods that never become Ready end in ProgressDeadlineExceeded, a fix recovers" {
  body=$(deployment stuck 2 sleep 3600 | jq -c '.spec.progressDeadlineSeconds = 5
    | .spec.template.spec.containers[0].readinessProbe = {exec: {command: ["false"]}, periodSeconds: 1}')
  api POST "$DEPLOY" "$body" >/dev/null
  [ "$code" = 201 ]
  wait_for 40 sh -c "curl -fsS '$API$DEPLOY/stuck' | jq -e '.status.conditions[]
    | select(.type == \"Progressing\" and .status == \"False\")' >/dev/null"
  d=$(dep stuck)
  rs=$(curl -fsS "$API$RS?labelSelector=app%3Dstuck" | jq -r '.items[0].metadata.name')
  [ "$(cond "$d" Progressing reason)" = ProgressDeadlineExceeded ]
  [ "$(cond "$d" Progressing message)" = "ReplicaSet \"$rs\" has timed out progressing." ]
  [ "$(cond "$d" Available status)/$(cond "$d" Available reason)" = False/MinimumReplicasUnavailable ]
  [ "$(cond "$d" Available message)" = "Deployment does not have minimum availability." ]
  # Running but not Ready: no ready or available count, two unavailable.
  [ "$(jq -c '.status | keys' <<<"$d")" = '["conditions","observedGeneration","replicas","unavailableReplicas","updatedReplicas"]' ]
  [ "$(jq -c '.status | [.replicas, .updatedReplicas, .unavailableReplicas]' <<<"$d")" = '[2,2,2]' ]
  # The 5 s deadline may pass before a loaded agent has both pods Running.
  wait_for 20 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/default/pods?labelSelector=app%3Dstuck' |
    jq '[.items[] | select(.status.phase == \"Running\")] | length')\" = 2 ]"
  # The verdict stays while nothing changes.
  sleep 3
  [ "$(cond "$(dep stuck)" Progressing reason)" = ProgressDeadlineExceeded ]
  # A template whose pods become Ready rolls out and clears it.
  api PATCH "$DEPLOY/stuck" '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox","command":["sleep","3600"],"readinessProbe":{"exec":{"command":["true"]},"periodSeconds":1}}]}}}}' \
    application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  wait_for 60 settled stuck
  d=$(dep stuck)
  [ "$(cond "$d" Progressing status)/$(cond "$d" Progressing reason)" = True/NewReplicaSetAvailable ]
  [ "$(cond "$d" Available status)" = True ]
  [ "$(jq '.status.unavailableReplicas // 0' <<<"$d")" = 0 ]
}

@test "quota: deleting a finished pod does not give its usage back a second time" {
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"quota42"}}' >/dev/null
  api POST /api/v1/namespaces/quota42/resourcequotas '{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},"spec":{"hard":{"pods":"10"}}}' >/dev/null
  [ "$code" = 201 ]
  for p in keep:3600 done:0; do
    api POST /api/v1/namespaces/quota42/pods "$(jq -cn --arg n "${p%%:*}" --arg s "${p##*:}" --arg node "$NODE" '{
      apiVersion: "v1", kind: "Pod", metadata: {name: $n},
      spec: {nodeName: $node, restartPolicy: "Never", terminationGracePeriodSeconds: 1,
        containers: [{name: "main", image: "busybox", command: ["sleep", $s]}]}}')" >/dev/null
    [ "$code" = 201 ]
  done
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/quota42/pods/done' | jq -r .status.phase)\" = Succeeded ]"
  # The quota controller stops counting the finished pod...
  wait_for 40 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/quota42/resourcequotas/q' | jq -r .status.used.pods)\" = 1 ]"
  # ...so deleting it must leave status.used alone: no write may show less than 1.
  watch_to "$BATS_TEST_TMPDIR/quota" /api/v1/namespaces/quota42/resourcequotas
  api DELETE /api/v1/namespaces/quota42/pods/done >/dev/null
  [ "$code" = 200 ]
  wait_for 20 sh -c "! curl -fsS -o /dev/null '$API/api/v1/namespaces/quota42/pods/done'"
  sleep 2
  stop_watch
  run jq -sc '[.[].object.status.used.pods]' "$BATS_TEST_TMPDIR/quota"
  echo "used.pods written after the delete: $output" >&3
  [ "$(jq '[.[] | select(. != "1")] | length' <<<"$output")" = 0 ]
  [ "$(curl -fsS "$API/api/v1/namespaces/quota42/resourcequotas/q" | jq -r .status.used.pods)" = 1 ]
  # A pod that still runs gives its usage back when deleted.
  api DELETE "/api/v1/namespaces/quota42/pods/keep?gracePeriodSeconds=1" >/dev/null
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API/api/v1/namespaces/quota42/resourcequotas/q' | jq -r .status.used.pods)\" = 0 ]"
}
