#!/usr/bin/env bats
# tug-apiserver: Pod Security admission. Namespaces labelled with Kubernetes'
# pod-security.kubernetes.io/{enforce,warn,audit} levels refuse (403), warn
# (Warning headers, which kubectl prints) and log; namespaces without an
# enforce label get --pod-security-default (baseline unless told).

load lib/apiserver-suite

ENFORCE=pod-security.kubernetes.io/enforce
WARN=pod-security.kubernetes.io/warn
AUDIT=pod-security.kubernetes.io/audit

# namespace NAME [LABELS_JSON]
namespace() {
  api POST /api/v1/namespaces "$(jq -cn --arg n "$1" --argjson l "${2:-null}" \
    '{apiVersion: "v1", kind: "Namespace", metadata: {name: $n, labels: ($l // {})}}')" >/dev/null
  [ "$code" = 201 ]
}

setup_file() {
  apiserver_suite_setup_file
  namespace base "{\"$ENFORCE\": \"baseline\"}"
  namespace strict "{\"$ENFORCE\": \"restricted\", \"$ENFORCE-version\": \"v1.32\"}"
  namespace open "{\"$ENFORCE\": \"privileged\"}"
  namespace plain
  namespace warned "{\"$ENFORCE\": \"baseline\", \"$WARN\": \"restricted\"}"
  namespace audited "{\"$ENFORCE\": \"privileged\", \"$AUDIT\": \"baseline\"}"
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
}

# pod NAME [SPEC_JSON merged into a one-container spec] [CONTAINER_JSON merged into the container]
pod() {
  jq -cn --arg n "$1" --argjson s "${2:-null}" --argjson c "${3:-null}" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n},
    spec: ({containers: [({name: "c", image: "busybox:latest"} + ($c // {}))]} + ($s // {}))}'
}

# post NS RESOURCE BODY: like api, and the response's headers in $hdrs.
post() {
  local file=$BATS_TEST_TMPDIR/body
  printf '%s' "$3" >"$file"
  code=$(curl -sS -o "$file.out" -D "$file.hdrs" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data-binary @"$file" "$API$2")
  out=$(cat "$file.out")
  hdrs=$(tr -d '\r' <"$file.hdrs")
}

@test "a baseline namespace refuses a privileged pod with 403 and Kubernetes' message" {
  post base /api/v1/namespaces/base/pods "$(pod priv '{}' '{"securityContext": {"privileged": true}}')"
  [ "$code" = 403 ]
  [ "$(jq -r .reason <<<"$out")" = Forbidden ]
  [ "$(jq -r .message <<<"$out")" = 'pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)' ]
  post base /api/v1/namespaces/base/pods "$(pod fine)"
  [ "$code" = 201 ]
}

@test "a baseline namespace refuses hostPath volumes, /proc/1/root and / alike" {
  for path in /proc/1/root /; do
    body=$(pod hostfs "$(jq -cn --arg p "$path" '{volumes: [{name: "host", hostPath: {path: $p}}]}')" \
      '{"volumeMounts": [{"name": "host", "mountPath": "/host"}]}')
    post base /api/v1/namespaces/base/pods "$body"
    [ "$code" = 403 ]
    [[ "$(jq -r .message <<<"$out")" == *'violates PodSecurity "baseline:latest": hostPath volumes (volume "host")' ]]
  done
  api GET /api/v1/namespaces/base/pods/hostfs >/dev/null
  [ "$code" = 404 ]
}

@test "a baseline namespace refuses added capabilities and host ports, naming each" {
  post base /api/v1/namespaces/base/pods "$(pod caps '{}' '{"securityContext": {"capabilities": {"add": ["SYS_ADMIN", "CHOWN"]}}, "ports": [{"containerPort": 80, "hostPort": 8080}]}')"
  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *'non-default capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), hostPort (container "c" uses hostPort 8080)' ]]
}

@test "a restricted namespace refuses a pod that is not locked down, and admits one that is" {
  post strict /api/v1/namespaces/strict/pods "$(pod loose)"
  [ "$code" = 403 ]
  msg=$(jq -r .message <<<"$out")
  [[ "$msg" == 'pods "loose" is forbidden: violates PodSecurity "restricted:latest": '* ]]
  [[ "$msg" == *'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false)'* ]]
  [[ "$msg" == *'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"])'* ]]
  [[ "$msg" == *'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)'* ]]
  [[ "$msg" == *'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'* ]]
  post strict /api/v1/namespaces/strict/pods "$(pod tight \
    '{"securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}}}' \
    '{"securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}')"
  [ "$code" = 201 ]
}

@test "a privileged namespace admits what baseline refuses" {
  post open /api/v1/namespaces/open/pods "$(pod priv '{"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}' '{"securityContext": {"privileged": true}}')"
  [ "$code" = 201 ]
  [[ "$hdrs" != *Warning:* ]]
}

@test "a namespace without an enforce label gets the cluster default, baseline" {
  post plain /api/v1/namespaces/plain/pods "$(pod priv '{}' '{"securityContext": {"privileged": true}}')"
  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *'violates PodSecurity "baseline:latest"'* ]]
  run bin/tug-apiserver --pod-security-default lax --listen 127.0.0.1:1
  [ "$status" -eq 2 ]
  [[ "$output" == *'--pod-security-default: "lax" is not privileged, baseline or restricted'* ]]
}

@test "a warn label sends Warning headers and admits the pod" {
  post warned /api/v1/namespaces/warned/pods "$(pod warnme)"
  [ "$code" = 201 ]
  grep -qx 'Warning: 299 - "would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false (container \\"c\\" must set securityContext.allowPrivilegeEscalation=false), .*' <<<"$hdrs"
}

@test "stock kubectl prints the warnings" {
  run kubectl --request-timeout=10s -n warned run kubewarn --image=busybox:latest --restart=Never
  [ "$status" -eq 0 ]
  [[ "$output" == *'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "kubewarn" must set securityContext.allowPrivilegeEscalation=false)'* ]]
  [[ "$output" == *"pod/kubewarn created"* ]]
  run kubectl --request-timeout=10s -n base run kubepriv --image=busybox:latest --restart=Never --privileged
  [ "$status" -ne 0 ]
  [[ "$output" == *'pods "kubepriv" is forbidden: violates PodSecurity "baseline:latest": privileged (container "kubepriv" must not set securityContext.privileged=true)'* ]]
}

# curl, so that the test reads the Warning header as the server sent it.
@test "a Deployment whose template violates is created, with a warning" {
  body=$(jq -cn --argjson t "$(pod x '{"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}' '{"securityContext": {"privileged": true}}')" \
    '{apiVersion: "apps/v1", kind: "Deployment", metadata: {name: "d"},
      spec: {selector: {matchLabels: {app: "d"}},
             template: {metadata: {labels: {app: "d"}}, spec: $t.spec}}}')
  post base /apis/apps/v1/namespaces/base/deployments "$body"
  [ "$code" = 201 ]
  grep -q '^Warning: 299 - "would violate PodSecurity \\"baseline:latest\\": hostPath volumes (volume \\"h\\"), privileged (container \\"c\\" must not set securityContext.privileged=true)"$' <<<"$hdrs"
}

@test "an audit label logs one structured line and admits" {
  post audited /api/v1/namespaces/audited/pods "$(pod audited '{}' '{"securityContext": {"privileged": true}}')"
  [ "$code" = 201 ]
  grep -q 'level=warn component=apiserver msg="pod security audit" namespace=audited kind=Pod name=audited policy=baseline:latest violations="privileged (container \\"c\\" must not set securityContext.privileged=true)"' "$APISERVER_LOG"
}

@test "a stricter enforce label warns about the pods it would refuse" {
  post open /api/v1/namespaces/open/pods "$(pod calm)"
  run curl -sS -D - -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' \
    --data "{\"metadata\": {\"labels\": {\"$ENFORCE\": \"baseline\"}}}" "$API/api/v1/namespaces/open"
  [[ "$output" == *'Warning: 299 - "existing pods in namespace \"open\" violate the new PodSecurity enforce level \"baseline:latest\""'* ]]
  [[ "$output" == *'Warning: 299 - "priv: hostPath volumes (volume \"h\"), privileged (container \"c\" must not set securityContext.privileged=true)"'* ]]
  [[ "$output" != *calm:* ]]
}

@test "host namespaces are not supported: 422, not ignored" {
  post open /api/v1/namespaces/open/pods "$(pod hostnet '{"hostNetwork": true}')"
  [ "$code" = 422 ]
  [[ "$(jq -r .message <<<"$out")" == *'spec.hostNetwork: Forbidden: not supported by Tugboat'* ]]
}
