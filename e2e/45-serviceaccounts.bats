#!/usr/bin/env bats
# ServiceAccounts end to end: a real etcd, tug-apiserver (with a signing key
# made here by openssl), one agent and tug-controllers (with a CA file for
# kube-root-ca.crt). Every namespace has its default ServiceAccount; kubectl
# creates accounts and tokens; tokens authenticate at the API server
# (Authorization: Bearer) until their account or bound pod is gone; a pod finds
# token, ca.crt and namespace at /var/run/secrets/kubernetes.io/serviceaccount
# unless automount is off; the kubernetes Service leads to the API server.

load lib/controllers-suite

eval "controllers_suite_setup_file() $(declare -f setup_file | tail -n +2)"

setup_file() {
  KEYS=$(mktemp -d /tmp/tug-e2e-sa.XXXXXX)
  export KEYS
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEYS/sa.key" 2>/dev/null
  openssl pkey -in "$KEYS/sa.key" -pubout -out "$KEYS/sa.pub"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$KEYS/ca.key" \
    -out "$KEYS/ca.crt" -subj /CN=tug-e2e-ca -days 1 2>/dev/null
  chmod 600 "$KEYS/sa.key" "$KEYS/ca.key"
  APISERVER_FLAGS=(--service-account-signing-key-file "$KEYS/sa.key"
    --service-account-key-file "$KEYS/sa.pub")
  CONTROLLERS_FLAGS=(--root-ca-file "$KEYS/ca.crt")
  controllers_suite_setup_file
  kubeconfig "$KEYS/kubeconfig"
}

eval "controllers_suite_teardown_file() $(declare -f teardown_file | tail -n +2)"

teardown_file() {
  controllers_suite_teardown_file
  [ -n "${KEYS:-}" ] && rm -rf "$KEYS"
  true
}

k() { KUBECONFIG="$KEYS/kubeconfig" kubectl "$@"; }

# claims TOKEN: the JWT's claims as JSON.
claims() {
  local p
  p=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
  while [ $((${#p} % 4)) != 0 ]; do p="$p="; done
  base64 -d <<<"$p"
}

# as_token TOKEN PATH: the HTTP code of a GET of PATH with TOKEN as bearer
# (curl -q: without the admin certificate of the suite's .curlrc, which
# would name the user instead).
as_token() {
  curl -q -sS --cacert "$PKI/ca.crt" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$API$2"
}

mkpod() { # mkpod NAME SPEC_JSON [NAMESPACE]
  local ns=${3:-default} body
  body=$(jq -cn --arg n "$1" --arg node "$NODE" --argjson s "$2" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n},
    spec: ({nodeName: $node, terminationGracePeriodSeconds: 1} + $s |
      .containers |= map({image: "busybox"} + .))}')
  api POST "/api/v1/namespaces/$ns/pods" "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

log_of() {
  local uid
  uid=$(pod "$1" | jq -r .metadata.uid)
  cat "$AGENT_ROOT/logs/default_$1_$uid/main.log" 2>/dev/null
}

@test "serviceaccounts: a new namespace has its default ServiceAccount at once, made again when deleted" {
  k create namespace sa-fresh
  run k get serviceaccount default -n sa-fresh -o jsonpath='{.metadata.name}'
  [ "$status" -eq 0 ] && [ "$output" = default ]
  uid=$(k get sa default -n sa-fresh -o jsonpath='{.metadata.uid}')
  k delete sa default -n sa-fresh
  wait_for 15 eval '[ -n "$(k get sa default -n sa-fresh -o jsonpath={.metadata.uid} 2>/dev/null)" ]'
  [ "$(k get sa default -n sa-fresh -o jsonpath='{.metadata.uid}')" != "$uid" ]
  k delete namespace sa-fresh --wait=false
}

@test "serviceaccounts: kube-root-ca.crt holds the cluster CA in every namespace" {
  k create namespace sa-ca
  wait_for 15 eval 'k get configmap kube-root-ca.crt -n sa-ca >/dev/null 2>&1'
  diff <(k get configmap kube-root-ca.crt -n sa-ca -o jsonpath='{.data.ca\.crt}') "$KEYS/ca.crt"
  diff <(k get configmap kube-root-ca.crt -n default -o jsonpath='{.data.ca\.crt}') "$KEYS/ca.crt"
  # A changed CA is put back.
  k patch configmap kube-root-ca.crt -n sa-ca --type merge -p '{"data":{"ca.crt":"tampered"}}'
  wait_for 15 eval 'k get configmap kube-root-ca.crt -n sa-ca -o jsonpath="{.data.ca\.crt}" | diff - "$KEYS/ca.crt" >/dev/null'
  k delete namespace sa-ca --wait=false
}

@test "serviceaccounts: kubectl create serviceaccount and get sa print Kubernetes' table" {
  run k create serviceaccount builder
  [ "$status" -eq 0 ] && [ "$output" = "serviceaccount/builder created" ]
  run k get sa builder
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^NAME\ +SECRETS\ +AGE$ ]]
  [[ "${lines[1]}" =~ ^builder\ +0\ + ]]
  run k explain serviceaccount.automountServiceAccountToken
  [ "$status" -eq 0 ] && [[ "$output" == *boolean* ]]
}

@test "serviceaccounts: kubectl create token gives a JWT the API server takes until the account is deleted" {
  k create serviceaccount ci
  token=$(k create token ci)
  sa_uid=$(k get sa ci -o jsonpath='{.metadata.uid}')
  c=$(claims "$token")
  [ "$(jq -r .sub <<<"$c")" = system:serviceaccount:default:ci ]
  [ "$(jq -r '."kubernetes.io".serviceaccount.uid' <<<"$c")" = "$sa_uid" ]
  [ "$(jq -r '.exp - .iat' <<<"$c")" = 3600 ]
  # Authenticated, the account may do only what RBAC grants it: nothing, then view.
  [ "$(as_token "$token" /api/v1/namespaces/default/pods)" = 403 ]
  [ "$(as_token "$token" /api)" = 200 ]
  k create rolebinding ci-view --clusterrole=view --serviceaccount=default:ci
  wait_for 10 eval '[ "$(as_token "$token" /api/v1/namespaces/default/pods)" = 200 ]'
  [ "$(as_token "$token" /api/v1/namespaces/tug-system/pods)" = 403 ]
  # A token of ours that does not verify is refused, not taken as the admin.
  sig=${token##*.}
  c20=${sig:20:1}
  [ "$c20" = A ] && other=B || other=A
  forged="${token%.*}.${sig:0:20}$other${sig:21}"
  [ "$(as_token "$forged" /api/v1/namespaces/default/pods)" = 401 ]
  k delete sa ci
  wait_for 10 eval '[ "$(as_token "$token" /api/v1/namespaces/default/pods)" = 401 ]'
  grep -q "service account default/ci has been deleted" "$APISERVER_LOG"
}

@test "serviceaccounts: TokenRequest checks its duration and the pod it binds to" {
  run k create token default --duration 5m
  [ "$status" -ne 0 ] && [[ "$output" == *"may not specify a duration less than 10 minutes"* ]]
  run k create token default --bound-object-kind Pod --bound-object-name nosuchpod
  [ "$status" -ne 0 ] && [[ "$output" == *'pods "nosuchpod" not found'* ]]
  api POST /api/v1/namespaces/default/serviceaccounts/nosuch/token \
    '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}'
  [ "$code" = 404 ]
  api POST /api/v1/namespaces/default/serviceaccounts/default/token \
    '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":86400}}'
  [ "$code" = 201 ]
  [ "$(jq -r .spec.expirationSeconds <<<"$out")" = 86400 ]
  [ "$(jq -r '.status.token | length > 100' <<<"$out")" = true ]
}

@test "serviceaccounts: a pod reads token, ca.crt and namespace; its token is bound to it and dies with it" {
  mkpod reader '{"containers": [{"name": "main", "command": ["sh", "-c",
    "d=/var/run/secrets/kubernetes.io/serviceaccount; cat $d/namespace; echo; cat $d/token; echo; cat $d/ca.crt; echo end; sleep 3600"]}]}'
  wait_for 20 phase_is reader Running
  wait_for 10 eval 'log_of reader | grep -q "^end$"'
  log=$(log_of reader)
  [ "$(sed -n 1p <<<"$log")" = default ]
  token=$(sed -n 2p <<<"$log")
  c=$(claims "$token")
  [ "$(jq -r .sub <<<"$c")" = system:serviceaccount:default:default ]
  [ "$(jq -r '."kubernetes.io".pod.name' <<<"$c")" = reader ]
  [ "$(jq -r '."kubernetes.io".pod.uid' <<<"$c")" = "$(pod reader | jq -r .metadata.uid)" ]
  [ "$(jq -r '."kubernetes.io".node.name' <<<"$c")" = "$NODE" ]
  [ "$(jq -r '.exp - .iat' <<<"$c")" = 3607 ]
  diff <(sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' <<<"$log") "$KEYS/ca.crt"
  # The volume is Kubernetes': projected, named kube-api-access-*, read-only.
  pod reader | jq -e '.spec.volumes[] | select(.name | startswith("kube-api-access-")) |
    .projected.sources[0].serviceAccountToken.expirationSeconds == 3607' >/dev/null
  pod reader | jq -e '.spec.containers[0].volumeMounts[] |
    select(.mountPath == "/var/run/secrets/kubernetes.io/serviceaccount") | .readOnly' >/dev/null
  # The pod's own token authenticates (from here: the API server listens on loopback only),
  # and RBAC lets its account read pods once a RoleBinding says so.
  [ "$(as_token "$token" /api/v1/namespaces/default/pods)" = 403 ]
  k create rolebinding default-view --clusterrole=view --serviceaccount=default:default
  wait_for 10 eval '[ "$(as_token "$token" /api/v1/namespaces/default/pods)" = 200 ]'
  curl -fsS -o /dev/null -X DELETE "$API/api/v1/namespaces/default/pods/reader?gracePeriodSeconds=0"
  wait_for 20 eval '! curl -fsS -o /dev/null "$API/api/v1/namespaces/default/pods/reader"'
  [ "$(as_token "$token" /api/v1/namespaces/default/pods)" = 401 ]
  grep -q "pod default/reader has been deleted" "$APISERVER_LOG"
}

@test "serviceaccounts: a projected token for another audience carries it, and the API server refuses it" {
  mkpod vaulted '{"volumes": [{"name": "vault", "projected": {"sources": [{"serviceAccountToken":
      {"audience": "vault", "expirationSeconds": 600, "path": "vault-token"}}]}}],
    "containers": [{"name": "main", "command": ["sh", "-c", "cat /v/vault-token; echo; sleep 3600"],
      "volumeMounts": [{"name": "vault", "mountPath": "/v"}]}]}'
  wait_for 20 phase_is vaulted Running
  wait_for 10 eval '[ -n "$(log_of vaulted)" ]'
  token=$(log_of vaulted | head -1)
  c=$(claims "$token")
  [ "$(jq -c .aud <<<"$c")" = '["vault"]' ]
  [ "$(jq -r '.exp - .iat' <<<"$c")" = 600 ]
  [ "$(as_token "$token" /api/v1/namespaces/default/pods)" = 401 ]
  grep -q "token audiences are invalid" "$APISERVER_LOG"
}

@test "serviceaccounts: automountServiceAccountToken false, on the pod or on the account, mounts nothing" {
  mkpod nomount '{"automountServiceAccountToken": false, "containers": [{"name": "main",
    "command": ["sh", "-c", "ls /var/run/secrets/kubernetes.io/serviceaccount/token || echo absent; sleep 3600"]}]}'
  [ "$(pod nomount | jq '[.spec.volumes[]? | select(.projected)] | length')" = 0 ]
  api POST /api/v1/namespaces/default/serviceaccounts \
    '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"quiet"},"automountServiceAccountToken":false}'
  [ "$code" = 201 ]
  mkpod quietpod '{"serviceAccountName": "quiet", "containers": [{"name": "main", "command": ["sleep", "3600"]}]}'
  [ "$(pod quietpod | jq '[.spec.volumes[]? | select(.projected)] | length')" = 0 ]
  # The pod's own true wins over its account's false.
  mkpod loudpod '{"serviceAccountName": "quiet", "automountServiceAccountToken": true,
    "containers": [{"name": "main", "command": ["sleep", "3600"]}]}'
  [ "$(pod loudpod | jq '[.spec.volumes[]? | select(.projected)] | length')" = 1 ]
  wait_for 20 phase_is nomount Running
  wait_for 10 eval 'log_of nomount | grep -q absent'
}

@test "serviceaccounts: a pod naming a ServiceAccount that does not exist is refused" {
  body='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ghost"},
    "spec":{"serviceAccountName":"nobody","containers":[{"name":"main","image":"busybox"}]}}'
  api POST /api/v1/namespaces/default/pods "$body"
  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *'error looking up service account default/nobody: serviceaccount "nobody" not found'* ]]
}

@test "serviceaccounts: the kubernetes Service leads to the API server, and is put back" {
  [ "$(k get svc kubernetes -o jsonpath='{.spec.clusterIP} {.spec.ports[0].name} {.spec.ports[0].port}')" = "198.19.0.1 https 443" ]
  [ "$(k get endpoints kubernetes -o jsonpath='{.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}')" = "${API#https://}" ]
  k delete endpoints kubernetes
  wait_for 20 eval 'k get endpoints kubernetes >/dev/null 2>&1'
}
