#!/usr/bin/env bats
# Persistent volumes and StatefulSets end to end, on one `tug up --nodes 2`
# cluster shared by every test (each agent a host in its own network
# namespace), driven with the stock kubectl and no workaround flags. Claims of
# the built-in `local-path` class (WaitForFirstConsumer) become a directory on
# the node the scheduler picked for their first pod, under
# <agent root>/volumes/pv/<volume>; teardown_file runs `tug down`. What the
# tests do and look at as users do goes through kubectl; the many reads that
# only inspect state go through curl with the kubeconfig's credentials
# (kubectl costs about a second of start-up a call on a loaded machine).

load lib/etcd

setup_file() {
  cd "$BATS_TEST_DIRNAME/.."
  UP="$(mktemp -d /var/tmp/tug-sts.XXXXXX)/up"
  export UP TUG_CONFIG="${UP%/up}/config" KUBECONFIG="$UP/kubeconfig"
  export KUBECACHEDIR="${UP%/up}/kube-cache"
  bin/tug up --nodes 2 --dir "$UP" >"${UP%/up}/up.out" 2>&1 || {
    cat "${UP%/up}/up.out" >&2
    return 1
  }
  kubectl create namespace st >/dev/null
  CERTS=${UP%/up}
  for f in certificate-authority:ca client-certificate:cert client-key:key; do
    sed -n "s/^ *${f%%:*}-data: //p" "$KUBECONFIG" | base64 -d >"$CERTS/${f##*:}.pem"
  done
  SERVER=$(sed -n 's/^ *server: //p' "$KUBECONFIG")
  export CERTS SERVER
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  [ -d "${UP:-/nonexistent}" ] && bin/tug down --dir "$UP" >/dev/null 2>&1
  [ -n "${UP:-}" ] && rm -rf "${UP%/up}"
  true
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
}

# wait_for SECONDS CMD...: retry CMD every half second until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

# apiget PATH: GET from the API server (fails on 404).
apiget() { curl -fsS --cacert "$CERTS/ca.pem" --cert "$CERTS/cert.pem" --key "$CERTS/key.pem" "$SERVER$1"; }
# jget KIND NAME [-n NS]: the object as JSON, as `kubectl get -o json` prints it.
jget() {
  local ns=${4:-st}
  case $1 in
  pod) apiget "/api/v1/namespaces/$ns/pods/$2" ;;
  pvc) apiget "/api/v1/namespaces/$ns/persistentvolumeclaims/$2" ;;
  pv) apiget "/api/v1/persistentvolumes/$2" ;;
  sts) apiget "/apis/apps/v1/namespaces/$ns/statefulsets/$2" ;;
  *) kubectl get "$@" -o json ;;
  esac
}
gone() { ! jget "$@" >/dev/null 2>&1; }
# new_uid POD OLD: POD exists again, under another uid than OLD.
new_uid() {
  local uid
  uid=$(jget pod "$1" -n st 2>/dev/null | jq -r '.metadata.uid // ""')
  [ -n "$uid" ] && [ "$uid" != "$2" ]
}
claim_phase() { jget pvc "$1" -n st | jq -r '.status.phase // ""'; }
pod_phase() { jget pod "$1" -n st | jq -r '.status.phase // ""'; }
pod_node() { jget pod "$1" -n st | jq -r '.spec.nodeName // ""'; }
claim_volume() { jget pvc "$1" -n st | jq -r '.spec.volumeName // ""'; }
pv_phase() { jget pv "$1" | jq -r '.status.phase // ""'; }
waiting_reason() { jget pod "$1" -n st | jq -r '.status.containerStatuses[0].state.waiting.reason // ""'; }
is() { [ "$("${@:2}")" = "$1" ]; }

# writer_yaml NAME CLAIM: a pod that keeps running with the claim at /data.
writer_yaml() {
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    command: [sh, -c, "echo hello-\$(hostname) >> /data/log; sleep 3600"]
    volumeMounts: [{name: d, mountPath: /data}]
  volumes:
  - name: d
    persistentVolumeClaim: {claimName: $2}
YAML
}

# claim_yaml NAME [SIZE]: a claim of the default class.
claim_yaml() {
  cat <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: $1}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${2:-1Gi}}}
YAML
}

writer_pod() { writer_yaml "$@" | kubectl apply -n st -f - >/dev/null; }
claim() { claim_yaml "$@" | kubectl apply -n st -f - >/dev/null; }
# claim_and_writer CLAIM POD [SIZE]: both in one kubectl apply.
claim_and_writer() {
  { claim_yaml "$1" "${3:-1Gi}"; echo ---; writer_yaml "$2" "$1"; } | kubectl apply -n st -f - >/dev/null
}

@test "storage: the default class is local-path, WaitForFirstConsumer, as kubectl prints it" {
  run kubectl get sc
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "NAME"*"PROVISIONER"*"RECLAIMPOLICY"*"VOLUMEBINDINGMODE"*"ALLOWVOLUMEEXPANSION"*"AGE" ]]
  [[ "${lines[1]}" == "local-path (default)"*"tugboat.io/local-path"*"Delete"*"WaitForFirstConsumer"*"false"* ]]
  [[ "${lines[1]}" != *"<unknown>"* ]]
}

@test "storage: a WaitForFirstConsumer claim waits, then is provisioned on its pod's node" {
  claim data-a
  sleep 1
  [ "$(claim_phase data-a)" = Pending ]
  [ -z "$(claim_volume data-a)" ]
  writer_pod writer-a data-a
  wait_for 60 is Running pod_phase writer-a
  wait_for 20 is Bound claim_phase data-a
  node=$(pod_node writer-a)
  pv=$(claim_volume data-a)
  [ "$(jget pvc data-a -n st | jq -r '.metadata.annotations["volume.kubernetes.io/selected-node"]')" = "$node" ]
  [ "$(jget pv "$pv" | jq -r '.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]')" = "$node" ]
  [ "$(jget pv "$pv" | jq -r .status.phase)" = Bound ]
  wait_for 10 test -s "$UP/$node/volumes/pv/$pv/log"
  grep -q hello-writer-a "$UP/$node/volumes/pv/$pv/log"
}

@test "storage: kubectl get pv,pvc prints kubectl's columns" {
  run kubectl get pv,pvc -n st
  [ "$status" -eq 0 ]
  [[ "$output" == *"CAPACITY"*"ACCESS MODES"*"RECLAIM POLICY"*"STATUS"*"CLAIM"*"STORAGECLASS"*"VOLUMEATTRIBUTESCLASS"*"REASON"*"AGE"* ]]
  [[ "$output" == *"1Gi"*"RWO"*"Delete"*"Bound"*"st/data-a"*"local-path"*"<unset>"* ]]
  [[ "$output" == *"persistentvolumeclaim/data-a"*"Bound"*"pvc-"*"1Gi"*"RWO"*"local-path"*"<unset>"* ]]
}

@test "storage: a claim in use is protected; deleted with its pod, Delete reclaim removes the directory" {
  node=$(pod_node writer-a)
  pv=$(claim_volume data-a)
  kubectl delete pvc data-a -n st --wait=false >/dev/null
  sleep 2
  # still there, Terminating, while writer-a runs
  [ "$(jget pvc data-a -n st | jq -r '.metadata.deletionTimestamp != null')" = true ]
  [ -d "$UP/$node/volumes/pv/$pv" ]
  kubectl delete pod writer-a -n st >/dev/null
  wait_for 30 gone pvc data-a -n st
  wait_for 30 gone pv "$pv"
  [ ! -e "$UP/$node/volumes/pv/$pv" ]
}

@test "storage: a claim survives its pod and is remounted on the same node" {
  claim_and_writer data-b writer-b
  wait_for 60 is Running pod_phase writer-b
  node=$(pod_node writer-b)
  kubectl delete pod writer-b -n st >/dev/null
  writer_pod writer-b data-b
  wait_for 60 is Running pod_phase writer-b
  [ "$(pod_node writer-b)" = "$node" ]
  pv=$(claim_volume data-b)
  wait_for 10 bash -c "[ \$(grep -c hello-writer-b '$UP/$node/volumes/pv/$pv/log') -eq 2 ]"
}

@test "storage: an Immediate claim binds to a matching Available volume; Retain keeps it Released" {
  node=$(apiget /api/v1/nodes | jq -r '.items[0].metadata.name')
  kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata: {name: static-small}
spec:
  capacity: {storage: 100Mi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  local: {path: $UP/$node/volumes/pv/static-small}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$node]}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: static-big}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  local: {path: $UP/$node/volumes/pv/static-big}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$node]}]
YAML
  wait_for 10 is Available pv_phase static-big
  kubectl apply -n st -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: manual}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
YAML
  wait_for 20 is Bound claim_phase manual
  [ "$(claim_volume manual)" = static-big ]
  [ "$(pv_phase static-small)" = Available ]
  kubectl delete pvc manual -n st >/dev/null
  wait_for 20 is Released pv_phase static-big
  kubectl delete pv static-big static-small >/dev/null
}

@test "storage: a claim larger than any node's local-path room is never placed" {
  claim_and_writer huge writer-huge 100Gi
  sleep 3
  [ "$(pod_node writer-huge)" = "" ]
  run apiget "/api/v1/namespaces/st/events?fieldSelector=involvedObject.name%3Dwriter-huge"
  [[ "$output" == *"did not have enough free storage"* ]]
  kubectl delete -n st pod/writer-huge pvc/huge --wait=false >/dev/null
}

@test "storage: bad claims and volumes are refused with kubectl's field errors" {
  run kubectl apply -n st -f - <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: bad}
spec:
  accessModes: [ReadWriteSometimes]
  resources: {requests: {storage: -1Gi}}
YAML
  [ "$status" -ne 0 ]
  [[ "$output" == *"spec.accessModes[0]"*"Unsupported value"* ]]
  [[ "$output" == *"spec.resources.requests[storage]"* ]]
  run kubectl apply -f - <<YAML
apiVersion: v1
kind: PersistentVolume
metadata: {name: bad}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  local: {path: relative/dir}
YAML
  [ "$status" -ne 0 ]
  [[ "$output" == *"spec.local.path"* ]]
  [[ "$output" == *"spec.nodeAffinity"*"Required value"* ]]
}

# ---- StatefulSets ----

web_yaml() {
  cat <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 8080, name: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: busybox:latest
        command: [sh, -c, "echo $(hostname) >> /data/names; echo $(hostname) > /named/me; exec httpd -f -p 8080 -h /data"]
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        ports: [{containerPort: 8080, name: http}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
        volumeMounts:
        - {name: data, mountPath: /data}
        - {name: data, mountPath: /named, subPathExpr: "by-name/$(POD_NAME)"}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 100Mi}}
YAML
}

ready_since() {
  jget pod "$1" -n st | jq -r '.status.conditions[] | select(.type == "Ready" and .status == "True") | .lastTransitionTime'
}
created() { jget pod "$1" -n st | jq -r .metadata.creationTimestamp; }
pod_uid() { jget pod "$1" -n st | jq -r '.metadata.uid // ""'; }
pod_ready() { jget pod "$1" -n st | jq -e '.status.conditions[] | select(.type == "Ready") | .status == "True"' >/dev/null; }
pod_revision() { jget pod "$1" -n st | jq -r '.metadata.labels["controller-revision-hash"]'; }

@test "statefulset: web comes up in order, each pod Ready before the next, with its own claim" {
  web_yaml | kubectl apply -n st -f - >/dev/null
  run kubectl rollout status sts/web -n st --timeout=120s
  [ "$status" -eq 0 ]
  [[ "$output" == *"roll out complete"* ]]
  # web-1 was made only once web-0 was Ready, web-2 once web-1 was
  [[ "$(created web-1)" > "$(ready_since web-0)" || "$(created web-1)" == "$(ready_since web-0)" ]]
  [[ "$(created web-2)" > "$(ready_since web-1)" || "$(created web-2)" == "$(ready_since web-1)" ]]
  for i in 0 1 2; do
    [ "$(claim_phase data-web-$i)" = Bound ]
    jget pod web-$i -n st | jq -e --arg i "$i" '.metadata.labels["statefulset.kubernetes.io/pod-name"] == "web-\($i)"
      and .metadata.labels["apps.kubernetes.io/pod-index"] == $i
      and .spec.hostname == "web-\($i)" and .spec.subdomain == "web"
      and (.spec.volumes[] | select(.name == "data") | .persistentVolumeClaim.claimName == "data-web-\($i)")' >/dev/null
  done
  run kubectl get sts web -n st
  [[ "${lines[0]}" == "NAME"*"READY"*"AGE" ]]
  [[ "${lines[1]}" == "web"*"3/3"* ]]
  jget sts web -n st | jq -e '.status | .replicas == 3 and .readyReplicas == 3 and .currentReplicas == 3
    and .updatedReplicas == 3 and .availableReplicas == 3 and .currentRevision == .updateRevision' >/dev/null
  # subPathExpr: each pod's /named is by-name/<its name> inside its claim
  for i in 0 1 2; do
    [ "$(cat "$UP/$(pod_node web-$i)/volumes/pv/$(claim_volume data-web-$i)/by-name/web-$i/me")" = "web-$i" ]
  done
}

@test "statefulset: a subPathExpr naming a variable that is not set keeps the container from starting" {
  kubectl apply -n st -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: expr-missing}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    command: [sleep, "3600"]
    env: [{name: EMPTY, value: ""}]
    volumeMounts: [{name: v, mountPath: /v, subPathExpr: "$(NOPE)/$(EMPTY)"}]
  volumes: [{name: v, emptyDir: {}}]
YAML
  wait_for 60 is CreateContainerConfigError waiting_reason expr-missing
  [[ "$(jget pod expr-missing -n st | jq -r '.status.containerStatuses[0].state.waiting.message')" == *"missing value for NOPE, EMPTY"* ]]
  kubectl delete pod expr-missing -n st --wait=false >/dev/null
}

@test "statefulset: web-1 keeps its file across a pod delete, remounted on its node" {
  node=$(pod_node web-1)
  pv=$(claim_volume data-web-1)
  echo kept > "$UP/$node/volumes/pv/$pv/marker"
  uid=$(pod_uid web-1)
  kubectl delete pod web-1 -n st >/dev/null
  wait_for 60 new_uid web-1 "$uid"
  wait_for 60 pod_ready web-1
  [ "$(pod_node web-1)" = "$node" ]
  [ "$(claim_volume data-web-1)" = "$pv" ]
  [ "$(grep -c web-1 "$UP/$node/volumes/pv/$pv/names")" -eq 2 ]
}

@test "statefulset: its DNS names resolve from another pod" {
  kubectl apply -n st -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: dnsclient}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:latest
    command: [sh, -c, "for i in $(seq 40); do nslookup web-0.web.st.svc.cluster.local >/tmp/a && nslookup web.st.svc.cluster.local >/tmp/b && wget -q -O - http://web-1.web:8080/marker >/tmp/c && break; sleep 0.5; done; cat /tmp/a /tmp/b /tmp/c"]
YAML
  wait_for 60 is Succeeded pod_phase dnsclient
  run kubectl logs dnsclient -n st
  read -r ip0 ip1 ip2 < <(apiget "/api/v1/namespaces/st/pods?labelSelector=app%3Dweb" |
    jq -r '[.items[] | {key: .metadata.name, value: .status.podIP}] | from_entries | "\(.["web-0"]) \(.["web-1"]) \(.["web-2"])"')
  [[ "$output" == *"Name:"*"web-0.web.st.svc.cluster.local"*"Address: $ip0"* ]]
  [[ "$output" == *"$ip1"* && "$output" == *"$ip2"* ]]
  [[ "$output" == *kept* ]]
}

@test "statefulset: scaling down removes the highest ordinal first and keeps its claim" {
  kubectl scale sts web -n st --replicas=1 >/dev/null
  wait_for 60 gone pod web-1 -n st
  # web-2 went first: web-1 was still there when web-2 was gone
  gone pod web-2 -n st
  [ "$(pod_phase web-0)" = Running ]
  [ "$(claim_phase data-web-1)" = Bound ]
  [ "$(claim_phase data-web-2)" = Bound ]
  kubectl scale sts web -n st --replicas=3 >/dev/null
  kubectl rollout status sts/web -n st --timeout=120s >/dev/null
  [ "$(grep -c web-2 "$UP/$(pod_node web-2)/volumes/pv/$(claim_volume data-web-2)/names")" -eq 2 ]
}

@test "statefulset: a rolling update goes from the highest ordinal down to the partition" {
  old=$(pod_revision web-0)
  kubectl patch sts web -n st --type merge -p \
    '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}},"template":{"metadata":{"annotations":{"rev":"2"}}}}}' >/dev/null
  run kubectl rollout status sts/web -n st --timeout=120s
  [ "$status" -eq 0 ]
  [[ "$output" == *"partitioned roll out complete: 2 new pods have been updated"* ]]
  new=$(jget sts web -n st | jq -r .status.updateRevision)
  [ "$new" != "$old" ]
  [ "$(pod_revision web-2)" = "$new" ]
  [ "$(pod_revision web-1)" = "$new" ]
  [ "$(pod_revision web-0)" = "$old" ]
  # web-2 was replaced before web-1
  [[ "$(created web-2)" < "$(created web-1)" || "$(created web-2)" == "$(created web-1)" ]]
  # below the partition, a pod comes back at the current revision, old template and all
  uid=$(pod_uid web-0)
  kubectl delete pod web-0 -n st >/dev/null
  wait_for 60 new_uid web-0 "$uid"
  [ "$(pod_revision web-0)" = "$old" ]
  [ "$(jget pod web-0 -n st | jq -r '.metadata.annotations.rev // "none"')" = none ]
  wait_for 60 pod_ready web-0
  kubectl patch sts web -n st --type merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}' >/dev/null
  kubectl rollout status sts/web -n st --timeout=120s >/dev/null
  [ "$(pod_revision web-0)" = "$new" ]
  jget sts web -n st | jq -e '.status | .currentRevision == .updateRevision and .updatedReplicas == 3' >/dev/null
  run kubectl get pv,pvc,sts -n st
  [ "$status" -eq 0 ]
  [[ "$output" == *"statefulset.apps/web"*"3/3"* ]]
}

# not_ready_count: how many of web-0..2 are missing or not Ready.
not_ready_count() {
  apiget "/api/v1/namespaces/st/pods?labelSelector=app%3Dweb" | jq '3 - ([.items[] | select(.metadata.deletionTimestamp == null)
    | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length)'
}

@test "statefulset: ControllerRevisions back rollout history and undo; maxUnavailable 2 replaces two pods at once" {
  run kubectl get controllerrevisions -n st -l app=web
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "NAME"*"CONTROLLER"*"REVISION"*"AGE" ]]
  [ "$(grep -c 'statefulset.apps/web' <<<"$output")" -eq 2 ]
  revs=$(apiget "/apis/apps/v1/namespaces/st/controllerrevisions?labelSelector=app%3Dweb")
  first=$(jq -r '.items[] | select(.revision == 1) | .metadata.name' <<<"$revs")
  second=$(jq -r '.items[] | select(.revision == 2) | .metadata.name' <<<"$revs")
  [ "$(jget sts web -n st | jq -r .status.updateRevision)" = "$second" ]
  [ "$(pod_revision web-1)" = "$second" ]
  run kubectl rollout history sts/web -n st
  [ "$status" -eq 0 ]
  [[ "$output" == *"statefulset.apps/web"* ]]
  grep -E '^1 +<none>' <<<"$output"
  grep -E '^2 +<none>' <<<"$output"
  run kubectl rollout history sts/web -n st --revision=2
  [[ "$output" == *"statefulset.apps/web with revision #2"* && "$output" == *"rev: 2"* ]]
  kubectl patch sts web -n st --type merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":2}}}}' >/dev/null
  run kubectl rollout undo sts/web -n st
  [ "$status" -eq 0 ]
  [ "$output" = "statefulset.apps/web rolled back" ]
  # web-2 and web-1 go together, never more than two at once
  most=0
  for _ in $(seq 300); do
    n=$(not_ready_count)
    [ "$n" -gt "$most" ] && most=$n
    [ "$n" -eq 0 ] && [ "$(pod_revision web-0)" = "$first" ] && break
    sleep 0.1
  done
  echo "at most $most pods down at once"
  [ "$most" -eq 2 ]
  # revision 1 came back as revision 3, no new revision made
  [ "$(apiget "/apis/apps/v1/namespaces/st/controllerrevisions?labelSelector=app%3Dweb" | jq -r '[.items[] | "\(.revision)=\(.metadata.name)"] | sort | join(" ")')" = "2=$second 3=$first" ]
  jget sts web -n st | jq -e --arg r "$first" '.status | .updateRevision == $r and .currentRevision == $r and .updatedReplicas == 3' >/dev/null
  run bin/tug rollout history sts/web -n st
  [ "$status" -eq 0 ]
  grep -E '^3 +<none>$' <<<"$output"
  run bin/tug rollout undo statefulset/web -n st --to-revision 3
  [[ "$output" == *"skipped rollback (current template already matches revision 3)"* ]]
}
