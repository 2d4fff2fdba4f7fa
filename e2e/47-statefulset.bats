#!/usr/bin/env bats
# Persistent volumes and StatefulSets end to end, on one `tug up --nodes 2`
# cluster shared by every test (each agent a host in its own network
# namespace), driven with the stock kubectl and no workaround flags. Claims of
# the built-in `local-path` class (WaitForFirstConsumer) become a directory on
# the node the scheduler picked for their first pod, under
# <agent root>/volumes/pv/<volume>; teardown_file runs `tug down`.

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

jget() { kubectl get "$@" -o json; }
claim_phase() { jget pvc "$1" -n st | jq -r '.status.phase // ""'; }
pod_phase() { jget pod "$1" -n st | jq -r '.status.phase // ""'; }
pod_node() { jget pod "$1" -n st | jq -r '.spec.nodeName // ""'; }
claim_volume() { jget pvc "$1" -n st | jq -r '.spec.volumeName // ""'; }
is() { [ "$("${@:2}")" = "$1" ]; }

# writer_pod NAME CLAIM: a pod that keeps running with the claim at /data.
writer_pod() {
  kubectl apply -n st -f - >/dev/null <<YAML
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

claim() {
  kubectl apply -n st -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: $1}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${2:-1Gi}}}
YAML
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
  wait_for 30 bash -c "! kubectl get pvc data-a -n st >/dev/null 2>&1"
  wait_for 30 bash -c "! kubectl get pv $pv >/dev/null 2>&1"
  [ ! -e "$UP/$node/volumes/pv/$pv" ]
}

@test "storage: a claim survives its pod and is remounted on the same node" {
  claim data-b
  writer_pod writer-b data-b
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
  node=$(kubectl get nodes -o jsonpath='{.items[0].metadata.name}')
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
  wait_for 10 is Available bash -c "kubectl get pv static-big -o jsonpath='{.status.phase}'"
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
  [ "$(kubectl get pv static-small -o jsonpath='{.status.phase}')" = Available ]
  kubectl delete pvc manual -n st >/dev/null
  wait_for 20 is Released bash -c "kubectl get pv static-big -o jsonpath='{.status.phase}'"
  kubectl delete pv static-big static-small >/dev/null
}

@test "storage: a claim larger than any node's local-path room is never placed" {
  claim huge 100Gi
  writer_pod writer-huge huge
  sleep 3
  [ "$(pod_node writer-huge)" = "" ]
  run kubectl get events -n st --field-selector involvedObject.name=writer-huge -o json
  [[ "$output" == *"did not have enough free storage"* ]]
  kubectl delete pod writer-huge -n st --wait=false >/dev/null
  kubectl delete pvc huge -n st --wait=false >/dev/null
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
        command: [sh, -c, "echo $(hostname) >> /data/names; exec httpd -f -p 8080 -h /data"]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
        volumeMounts: [{name: data, mountPath: /data}]
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
}

@test "statefulset: web-1 keeps its file across a pod delete, remounted on its node" {
  node=$(pod_node web-1)
  pv=$(claim_volume data-web-1)
  echo kept > "$UP/$node/volumes/pv/$pv/marker"
  uid=$(pod_uid web-1)
  kubectl delete pod web-1 -n st >/dev/null
  wait_for 60 bash -c "[ \"\$(kubectl get pod web-1 -n st -o jsonpath='{.metadata.uid}' 2>/dev/null)\" != '' ] && [ \"\$(kubectl get pod web-1 -n st -o jsonpath='{.metadata.uid}')\" != '$uid' ]"
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
  ip0=$(jget pod web-0 -n st | jq -r .status.podIP)
  ip1=$(jget pod web-1 -n st | jq -r .status.podIP)
  ip2=$(jget pod web-2 -n st | jq -r .status.podIP)
  [[ "$output" == *"Name:"*"web-0.web.st.svc.cluster.local"*"Address: $ip0"* ]]
  [[ "$output" == *"$ip1"* && "$output" == *"$ip2"* ]]
  [[ "$output" == *kept* ]]
}

@test "statefulset: scaling down removes the highest ordinal first and keeps its claim" {
  kubectl scale sts web -n st --replicas=1 >/dev/null
  wait_for 60 bash -c "! kubectl get pod web-1 -n st >/dev/null 2>&1"
  # web-2 went first: web-1 was still there when web-2 was gone
  ! kubectl get pod web-2 -n st >/dev/null 2>&1
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
  kubectl patch sts web -n st --type merge -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}' >/dev/null
  kubectl rollout status sts/web -n st --timeout=120s >/dev/null
  [ "$(pod_revision web-0)" = "$new" ]
  jget sts web -n st | jq -e '.status | .currentRevision == .updateRevision and .updatedReplicas == 3' >/dev/null
  run kubectl get pv,pvc,sts -n st
  [ "$status" -eq 0 ]
  [[ "$output" == *"statefulset.apps/web"*"3/3"* ]]
}
