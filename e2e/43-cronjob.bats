#!/usr/bin/env bats
# CronJobs end to end: a real etcd, tug-apiserver, tug-controllers and one
# tug-agent (lib/controllers-suite.bash). Job templates set spec.nodeName, so
# pods run without a scheduler.
#
# To stay within about a minute, runs are not awaited from a fresh CronJob:
# its status.lastScheduleTime is set a few minutes back (what a controller
# that was down for a while leaves behind), so the controller owes a run at
# once, and only the most recent missed time runs. The next run then comes at
# the next minute boundary of the every-minute schedule: the Forbid and
# Replace CronJobs are made together and watched across that one boundary.

CONTROLLERS_FLAGS=(--log-level debug)
load lib/controllers-suite

setup() { cd "$BATS_TEST_DIRNAME/.."; }

CJ=/apis/batch/v1/namespaces/default/cronjobs
JOBS=/apis/batch/v1/namespaces/default/jobs

# cronjob NAME POLICY COMMAND...: every minute, a Job whose pod runs COMMAND on $NODE.
cronjob() {
  local name=$1 policy=$2
  shift 2
  local cmd
  cmd=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  jq -cn --arg n "$name" --arg p "$policy" --arg node "$NODE" --argjson c "$cmd" '{
    apiVersion: "batch/v1", kind: "CronJob", metadata: {name: $n},
    spec: {schedule: "* * * * *", concurrencyPolicy: $p,
      jobTemplate: {metadata: {labels: {cron: $n}}, spec: {backoffLimit: 0, template: {spec: {
        nodeName: $node, restartPolicy: "Never", terminationGracePeriodSeconds: 1,
        containers: [{name: "main", image: "busybox", command: $c}]}}}}}}'
}

# owe NAME MINUTES: status.lastScheduleTime MINUTES minutes before the current minute.
owe() {
  local cj at
  cj=$(curl -fsS "$API$CJ/$1")
  at=$(date -u -d "@$(( ($(date +%s) / 60 - $2) * 60 ))" +%Y-%m-%dT%H:%M:%SZ)
  api PUT "$CJ/$1/status" "$(jq -c --arg t "$at" '.status.lastScheduleTime = $t' <<<"$cj")" >/dev/null
  [ "$code" = 200 ]
}

jobs_of() {
  curl -fsS "$API$JOBS?labelSelector=cron%3D$1" |
    jq -r '[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.name] | sort | join(" ")'
}

job_count() { [ "$(jobs_of "$1" | wc -w)" = "$2" ]; }

has_event() {
  curl -fsS "$API/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D$1" |
    jq -e --arg r "$2" '[.items[] | select(.reason == $r)] | length > 0' >/dev/null
}

active_names() {
  curl -fsS "$API$CJ/$1" | jq -r '[.status.active[]?.name] | join(" ")'
}

@test "cronjob: defaults, validation and kubectl's table" {
  # Once a year, so that no run changes the row checked below.
  api POST "$CJ" "$(cronjob plain Allow true | jq -c '.spec.schedule = "0 0 1 1 *"')"
  [ "$code" = 201 ]
  [ "$(jq -r '.spec.concurrencyPolicy, .spec.suspend, .spec.successfulJobsHistoryLimit, .spec.failedJobsHistoryLimit' <<<"$out" | tr '\n' ' ')" = "Allow false 3 1 " ]
  bad() {
    api POST "$CJ" "$(cronjob bad Allow true | jq -c "$1")"
    [ "$code" = 422 ]
    jq -e --arg f "$2" --arg m "$3" '.details.causes[] | select(.field == $f and (.message | contains($m)))' <<<"$out"
  }
  bad '.spec.schedule = "61 * * * *"' spec.schedule "end of range (61) above maximum (59)"
  bad '.spec.schedule = "CRON_TZ=UTC * * * * *"' spec.schedule "cannot use TZ or CRON_TZ in schedule"
  bad '.spec.timeZone = "Mars/Olympus"' spec.timeZone "unknown time zone Mars/Olympus"
  bad '.spec.concurrencyPolicy = "Sometimes"' spec.concurrencyPolicy "Unsupported value"
  bad '.spec.startingDeadlineSeconds = -1' spec.startingDeadlineSeconds "greater than or equal to 0"
  api POST "$CJ" "$(cronjob zoned Allow true | jq -c '.spec.timeZone = "Europe/Berlin" | .spec.schedule = "@hourly" | .spec.suspend = true')"
  [ "$code" = 201 ]
  run kubectl get cronjobs
  [ "$status" = 0 ]
  [ "$(head -1 <<<"$output" | tr -s ' ')" = "NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE" ]
  grep -E '^zoned +@hourly +Europe/Berlin +True +0 +<none> ' <<<"$output"
  grep -E '^plain +0 0 1 1 \* +<none> +False +0 +<none> ' <<<"$output"
}

@test "cronjob: after missed times only the most recent runs, and >100 missed is reported" {
  api POST "$CJ" "$(cronjob late Allow true)"
  [ "$code" = 201 ]
  owe late 200
  wait_for 20 job_count late 1
  want="late-$(( $(date +%s) / 60 ))"
  name=$(jobs_of late)
  # The job is for this minute (or the next, when the minute turned meanwhile).
  [ "$name" = "$want" ] || [ "$name" = "late-$(( $(date +%s) / 60 - 1 ))" ] || [ "$name" = "late-$(( $(date +%s) / 60 + 1 ))" ]
  wait_for 10 has_event late TooManyMissedTimes
  run curl -fsS "$API$JOBS/$name"
  [ "$(jq -r '.metadata.ownerReferences[0] | "\(.kind) \(.name) \(.controller)"' <<<"$output")" = "CronJob late true" ]
  jq -e '.metadata.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] | test("Z$")' <<<"$output"
  # It ends, and the CronJob records it.
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API$CJ/late' | jq -r '.status.lastSuccessfulTime // empty')\" != '' ]"
  [ "$(active_names late)" = "" ]
}

@test "cronjob: every minute with a slow job, Forbid skips and Replace replaces" {
  api POST "$CJ" "$(cronjob forbid Forbid sleep 3600)"
  [ "$code" = 201 ]
  api POST "$CJ" "$(cronjob replace Replace sleep 3600)"
  [ "$code" = 201 ]
  owe forbid 3
  owe replace 3
  wait_for 20 job_count forbid 1
  wait_for 20 job_count replace 1
  first_forbid=$(jobs_of forbid) first_replace=$(jobs_of replace)
  wait_for 20 sh -c "[ \"\$(curl -fsS '$API$CJ/forbid' | jq -r '.status.active[0].name')\" = '$first_forbid' ]"
  # The next minute: Replace deletes its running Job and starts another.
  wait_for 75 sh -c "[ \"\$(curl -fsS '$API$CJ/replace' | jq -r '.status.active[0].name // empty')\" != '' ] &&
    [ \"\$(curl -fsS '$API$CJ/replace' | jq -r '.status.active[0].name')\" != '$first_replace' ]"
  wait_for 20 job_count replace 1
  [ "$(jobs_of replace)" != "$first_replace" ]
  has_event replace SuccessfulDelete
  # Forbid saw the same minute come and go and started nothing.
  wait_for 15 has_event forbid JobAlreadyActive
  [ "$(jobs_of forbid)" = "$first_forbid" ]
  [ "$(active_names forbid)" = "$first_forbid" ]
}

@test "cronjob: suspend stops new runs; history limits trim finished Jobs" {
  api POST "$CJ" "$(cronjob trim Allow true | jq -c '.spec.successfulJobsHistoryLimit = 1 | .spec.suspend = true')"
  [ "$code" = 201 ]
  kubectl create job trim-a --from=cronjob/trim
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API$JOBS/trim-a' | jq -r '.status.succeeded // 0')\" = 1 ]"
  run bin/tug create job trim-b --from=cronjob/trim
  [ "$status" = 0 ]
  [ "$output" = "job.batch/trim-b created" ]
  run curl -fsS "$API$JOBS/trim-b"
  [ "$(jq -r '.metadata.annotations["cronjob.kubernetes.io/instantiate"]' <<<"$output")" = manual ]
  # Two succeeded with a limit of 1: the older one goes.
  wait_for 30 sh -c "[ \"\$(curl -fsS '$API$JOBS/trim-b' | jq -r '.status.succeeded // 0')\" = 1 ]"
  wait_for 20 job_count trim 1
  [ "$(jobs_of trim)" = trim-b ]
  # Suspended, a debt of missed runs starts nothing.
  owe trim 2
  sleep 3
  [ "$(jobs_of trim)" = trim-b ]
}

@test "cronjob: kubectl create cronjob and get cj" {
  run kubectl create cronjob kc --image=busybox --schedule="*/5 * * * *" -- true
  [ "$status" = 0 ]
  [ "$output" = "cronjob.batch/kc created" ]
  run kubectl get cj kc -o jsonpath='{.spec.schedule} {.spec.concurrencyPolicy} {.spec.jobTemplate.spec.template.spec.restartPolicy}'
  [ "$status" = 0 ]
  [ "$output" = "*/5 * * * * Allow OnFailure" ]
  run kubectl describe cj kc
  [ "$status" = 0 ]
  grep -E '^Schedule: +\*/5 \* \* \* \*$' <<<"$output"
  grep -E '^Concurrency Policy: +Allow$' <<<"$output"
  run kubectl explain cronjob.spec.timeZone
  [ "$status" = 0 ]
  grep -q "IANA" <<<"$output"
  run kubectl delete cj --all
  [ "$status" = 0 ]
}
