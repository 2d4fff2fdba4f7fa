#!/usr/bin/env bats
# Init containers and sidecars end to end, on one `tug up --nodes 1` cluster
# for the whole file (the agent is a host in its own network namespace, with
# the DNS responder, the controllers and the scheduler): an init container
# that waits for a Service's DNS name holds the app back until the Service
# exists; a failed init container fails a restartPolicy Never pod; a sidecar
# keeps running while a later init container crash-loops; sidecars stop
# after the app, the last one first; a Job whose pod has a sidecar completes;
# fields Tugboat ignores earn a Warning on apply, a plain manifest none; env
# from envFrom, secretKeyRef, fieldRef and resourceFieldRef, and a missing
# ConfigMap that holds a container on CreateContainerConfigError until created.
# Users' tools are stock kubectl and tug. teardown_file runs `tug down`,
# which removes every process, namespace and rule of the cluster.

load lib/etcd
load lib/up

setup_file() {
  up_start tug-init --nodes 1
  AGENT_LOG=$(ls "$UP"/tug-node-*.log)
  export AGENT_LOG
}

teardown_file() {
  up_stop
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  T=bin/tug
}

pod_json() { kubectl get pod "$1" -o json; }
phase_is() { [ "$(pod_json "$1" | jq -r .status.phase)" = "$2" ]; }
# kubectl's STATUS column of pod $1 is $2.
status_is() { [ "$(kubectl get pod "$1" --no-headers | awk '{print $3}')" = "$2" ]; }
# field POD JQ: one value of the pod.
field() { pod_json "$1" | jq -r "$2"; }
init_restarts_at_least() {
  [ "$(field "$1" ".status.initContainerStatuses[$2].restartCount")" -ge "$3" ]
}
condition() { field "$1" ".status.conditions[] | select(.type==\"$2\") | .status"; }

@test "init: an init container waiting for a Service's DNS name holds the app until it exists" {
  kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: waiter}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: wait-db
    image: busybox
    command: ["sh", "-c", "until nslookup db.default.svc.cluster.local; do sleep 1; done"]
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
YAML
  wait_for 20 eval '[ "$(field waiter ".status.initContainerStatuses[0].state.running != null")" = true ]'
  # Long enough for an app that did not wait to have started.
  sleep 3
  run kubectl get pod waiter --no-headers
  [[ "$output" == *"0/1"*"Init:0/1"* ]]
  run $T get pods waiter
  [[ "$output" == *"Init:0/1"* ]]
  [ "$(field waiter .status.phase)" = Pending ]
  [ "$(field waiter '.status.containerStatuses[0].state.waiting.reason')" = PodInitializing ]
  [ "$(condition waiter Initialized)" = False ]
  [ "$(condition waiter PodReadyToStartContainers)" = True ]

  kubectl create service clusterip db --tcp=5432:5432
  wait_for 30 phase_is waiter Running
  run pod_json waiter
  [ "$(jq -r '.status.initContainerStatuses[0].state.terminated.reason' <<<"$output")" = Completed ]
  finished=$(jq -r '.status.initContainerStatuses[0].state.terminated.finishedAt' <<<"$output")
  started=$(jq -r '.status.containerStatuses[0].state.running.startedAt' <<<"$output")
  [[ ! "$started" < "$finished" ]]
  [ "$(jq -r '.status.conditions[] | select(.type=="Initialized") | .status' <<<"$output")" = True ]
  run $T describe pod waiter
  [[ "$output" == *"Init Containers:"*"wait-db:"*"Terminated"*"Completed"*"Containers:"*"app:"*"Running"* ]]
  run $T logs waiter -c wait-db
  [[ "$output" == *"db.default.svc.cluster.local"* ]]
}

@test "init: an init container that fails under restartPolicy Never fails the pod" {
  kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: doomed}
spec:
  restartPolicy: Never
  initContainers:
  - {name: migrate, image: busybox, command: ["sh", "-c", "exit 3"]}
  - {name: never, image: busybox, command: ["true"]}
  containers:
  - {name: app, image: busybox, command: ["sleep", "3600"]}
YAML
  wait_for 20 phase_is doomed Failed
  run pod_json doomed
  [ "$(jq -r '.status.initContainerStatuses[0].state.terminated.exitCode' <<<"$output")" = 3 ]
  [ "$(jq -r '.status.initContainerStatuses[1].state.waiting.reason' <<<"$output")" = PodInitializing ]
  [ "$(jq -r '.status.containerStatuses[0].state.waiting.reason' <<<"$output")" = PodInitializing ]
  status_is doomed Init:Error
  ! grep -q 'container started.*pod=default/doomed container=app' "$AGENT_LOG"
}

@test "init: a sidecar keeps running while a later init container crash-loops" {
  kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: looping}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: proxy
    image: busybox
    restartPolicy: Always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
  - {name: check, image: busybox, command: ["sh", "-c", "exit 1"]}
  containers:
  - {name: app, image: busybox, command: ["sleep", "3600"]}
YAML
  wait_for 20 status_is looping Init:CrashLoopBackOff
  # The agent's first back-off is 10 s: wait for the restart itself.
  wait_for 40 init_restarts_at_least looping 1 1
  run pod_json looping
  [ "$(jq -r '.status.phase' <<<"$output")" = Pending ]
  [ "$(jq -r '.status.initContainerStatuses[0].state.running != null' <<<"$output")" = true ]
  [ "$(jq -r '.status.initContainerStatuses[0].restartCount' <<<"$output")" = 0 ]
  [ "$(jq -r '.status.initContainerStatuses[0].started' <<<"$output")" = true ]
  [ "$(jq -r '.status.initContainerStatuses[1].lastState.terminated.exitCode' <<<"$output")" = 1 ]
  [ "$(jq -r '.status.containerStatuses[0].state.waiting.reason' <<<"$output")" = PodInitializing ]
  # READY counts the sidecar, as kubectl does: 1 of app + sidecar.
  run kubectl get pod looping --no-headers
  [[ "$output" == *"1/2"*"Init:"* ]]
  [ "$(grep -c 'container started.*pod=default/looping container=proxy' "$AGENT_LOG")" = 1 ]
}

@test "init: sidecars stop after the app on delete, the last sidecar first" {
  run kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: ordered}
spec:
  terminationGracePeriodSeconds: 20
  initContainers:
  - name: side-a
    image: busybox
    restartPolicy: Always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    lifecycle: {preStop: {exec: {command: ["true"]}}}
  - name: side-b
    image: busybox
    restartPolicy: Always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'sleep 2; exit 0' TERM; while true; do sleep 1; done"]
YAML
  [ "$status" -eq 0 ]
  # Hooks are accepted but not run: the user is told.
  [[ "$output" == *"Warning: spec.initContainers[0].lifecycle: ignored by Tugboat: postStart and preStop hooks are not run"* ]]
  wait_for 20 status_is ordered Running
  [ "$(kubectl get pod ordered --no-headers | awk '{print $2}')" = 3/3 ]
  kubectl delete pod ordered --wait=true --timeout=30s
  # The stop order, from the agent's log: app, then side-b, then side-a.
  grep -E 'msg="(stopping container|container stopped)" pod=default/ordered ' "$AGENT_LOG" |
    sed -E 's/.*msg="([^"]*)".* container=([^ ]*).*/\1 \2/' >"${UP%/up}/order"
  run cat "${UP%/up}/order"
  [ "${lines[0]}" = "stopping container app" ]
  [ "${lines[1]}" = "container stopped app" ]
  [ "${lines[2]}" = "stopping container side-b" ]
  [ "${lines[3]}" = "container stopped side-b" ]
  [ "${lines[4]}" = "stopping container side-a" ]
  [ "${lines[5]}" = "container stopped side-a" ]
}

@test "init: a Job whose pod has a sidecar completes when its container does" {
  kubectl apply -f - <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: with-sidecar}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 5
      initContainers:
      - name: logs
        image: busybox
        restartPolicy: Always
        command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
      containers:
      - {name: work, image: busybox, command: ["sh", "-c", "echo done"]}
YAML
  wait_for 40 eval '[ "$(kubectl get job with-sidecar -o jsonpath="{.status.succeeded}")" = 1 ]'
  [ "$(kubectl get job with-sidecar -o json | jq -r '.status.conditions[] | select(.type=="Complete") | .status')" = True ]
  pod=$(kubectl get pods -l job-name=with-sidecar -o jsonpath='{.items[0].metadata.name}')
  run pod_json "$pod"
  [ "$(jq -r .status.phase <<<"$output")" = Succeeded ]
  [ "$(jq -r '.status.containerStatuses[0].state.terminated.exitCode' <<<"$output")" = 0 ]
  [ "$(jq -r '.status.initContainerStatuses[0].state.terminated != null' <<<"$output")" = true ]
}

@test "init: probes on an init container without restartPolicy Always are refused" {
  run kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  initContainers:
  - name: i
    image: busybox
    readinessProbe: {exec: {command: ["true"]}}
  containers:
  - {name: app, image: busybox}
YAML
  [ "$status" -ne 0 ]
  [[ "$output" == *"spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"* ]]
}

# A Deployment of no replicas: only the API server's answers matter here.
deployment() { # deployment EXTRA-CONTAINER-YAML EXTRA-POD-SPEC-YAML
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: warned}
spec:
  replicas: 0
  selector: {matchLabels: {app: warned}}
  template:
    metadata: {labels: {app: warned}}
    spec:
      $2
      containers:
      - name: app
        image: busybox
        $1
YAML
}

@test "init: an ignored field earns a Warning on apply, a plain manifest none" {
  run kubectl apply -f - < <(deployment "" "")
  [ "$status" -eq 0 ]
  [[ "$output" != *Warning* ]]
  run kubectl apply -f - < <(deployment 'lifecycle: {preStop: {exec: {command: ["true"]}}}' \
    'readinessGates: [{conditionType: example.com/ready}]')
  [ "$status" -eq 0 ]
  [[ "$output" == *'Warning: spec.template.spec.readinessGates: ignored by Tugboat: Ready does not wait for the gates'"'"' conditions'* ]]
  [[ "$output" == *'Warning: spec.template.spec.containers[0].lifecycle: ignored by Tugboat: postStart and preStop hooks are not run'* ]]
  [ "$(grep -c Warning <<<"$output")" -eq 2 ]
  # An update warns about what it changes only: the stored hooks are not news.
  run kubectl set image deployment/warned app=busybox:1
  [ "$status" -eq 0 ]
  [[ "$output" != *Warning* ]]
  kubectl delete deployment warned
}

@test "env: envFrom a ConfigMap, a Secret key and status.podIP; a missing ConfigMap waits, then starts" {
  kubectl create configmap app-settings --from-literal=MODE=prod --from-literal=LEVEL=3
  kubectl create secret generic app-creds --from-literal=password=s3cr3t
  kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: envpod}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo mode=$MODE level=$LEVEL pw=$PW ip=$POD_IP url=$(URL) cpu=$CPU; env | grep -c ^LATE_ ; sleep 3600"]
    envFrom:
    - configMapRef: {name: app-settings}
    - configMapRef: {name: app-late}
      prefix: LATE_
    env:
    - {name: LEVEL, value: "4"}
    - name: PW
      valueFrom: {secretKeyRef: {name: app-creds, key: password}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - {name: URL, value: "http://$(POD_IP):$(LEVEL)"}
    - name: CPU
      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
    resources: {limits: {cpu: 250m, memory: 32Mi}}
YAML
  wait_for 20 eval '[ "$(field envpod ".status.containerStatuses[0].state.waiting.reason")" = CreateContainerConfigError ]'
  [ "$(field envpod .status.containerStatuses[0].state.waiting.message)" = 'configmap "app-late" not found' ]
  status_is envpod CreateContainerConfigError
  kubectl create configmap app-late --from-literal=ONE=1 --from-literal=TWO=2
  wait_for 20 phase_is envpod Running
  ip=$(field envpod .status.podIP)
  [ -n "$ip" ] && [ "$ip" != null ]
  wait_for 10 eval 'kubectl logs envpod | grep -q mode='
  run kubectl logs envpod
  [ "${lines[0]}" = "mode=prod level=4 pw=s3cr3t ip=$ip url=http://$ip:4 cpu=250" ]
  [ "${lines[1]}" = 2 ]
  kubectl delete pod envpod --wait=false
  kubectl delete configmap app-settings app-late
  kubectl delete secret app-creds
}
