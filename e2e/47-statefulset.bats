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
