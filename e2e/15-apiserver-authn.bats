#!/usr/bin/env bats
# Authentication over HTTPS, table-driven: who gets in with which credentials.
# The suite's API server (apiserver.bash) serves HTTPS only with the cluster
# CA of $PKI, asks for client certificates and reads $PKI/tokens.csv. Each row
# of a table is one client: its curl credentials (curl -q: without the suite's
# admin .curlrc), the path it asks for and the HTTP code it must get. The
# users a valid certificate or token names are checked with stock
# `kubectl auth whoami` (SelfSubjectReview).

load lib/apiserver-suite

setup_file() {
  apiserver_suite_setup_file
  local p=$PKI
  # Users of this suite: by certificate (CN user, O groups) and by token.
  bin/tug certs user alice --group team-a,devs --dir "$p" --server "$API" >/dev/null
  bin/tug certs user expired --days 1 --start-days -3 --dir "$p" >/dev/null
  bin/tug certs user early --days 10 --start-days 2 --dir "$p" >/dev/null
  # A CA of another cluster issuing an admin pair: its signature must not count.
  bin/tug certs init --dir "$ETCD_DIR/foreign" >/dev/null
  printf '%s\n' 'e2e-admin-token,e2e-admin,e2e-admin-uid,"system:masters"' \
    'bob-token-0123456789,bob,bob-uid,"team-b,viewers"' '# a comment line' \
    'carol-token,carol,carol-uid' >"$p/tokens.csv"
  # The token file is read at start: start the API server again with these.
  stop_pid "$APISERVER_PID"
  local port=${API##*:} tls
  mapfile -t tls < <(apiserver_tls_flags)
  "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" \
    "${tls[@]}" >>"$APISERVER_LOG" 2>&1 3>&- &
  APISERVER_PID=$!
  echo "$APISERVER_PID" >"$BATS_FILE_TMPDIR/apiserver.pid"
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "$API/readyz"
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  [ ! -f "$BATS_FILE_TMPDIR/apiserver.pid" ] || APISERVER_PID=$(cat "$BATS_FILE_TMPDIR/apiserver.pid")
  apiserver_stop
}

# creds NAME: curl's credentials for one row's client, one a line.
creds() {
  local ca=(--cacert "$PKI/ca.crt")
  case $1 in
  anonymous) printf '%s\n' "${ca[@]}" ;;
  wrong-token) printf '%s\n' "${ca[@]}" -H "Authorization: Bearer not-a-token" ;;
  empty-bearer) printf '%s\n' "${ca[@]}" -H "Authorization: Bearer " ;;
  bob-token) printf '%s\n' "${ca[@]}" -H "Authorization: Bearer bob-token-0123456789" ;;
  bob-token-prefix) printf '%s\n' "${ca[@]}" -H "Authorization: Bearer bob-token-012345678" ;;
  admin-cert) printf '%s\n' "${ca[@]}" --cert "$PKI/admin.crt" --key "$PKI/admin.key" ;;
  alice-cert) printf '%s\n' "${ca[@]}" --cert "$PKI/user-alice.crt" --key "$PKI/user-alice.key" ;;
  expired-cert) printf '%s\n' "${ca[@]}" --cert "$PKI/user-expired.crt" --key "$PKI/user-expired.key" ;;
  early-cert) printf '%s\n' "${ca[@]}" --cert "$PKI/user-early.crt" --key "$PKI/user-early.key" ;;
  foreign-cert)
    printf '%s\n' "${ca[@]}" --cert "$ETCD_DIR/foreign/admin.crt" --key "$ETCD_DIR/foreign/admin.key"
    ;;
  # Kubernetes' order: a valid certificate names the user and a token beside it
  # is not looked at; a valid token makes up for an invalid certificate.
  alice-cert-admin-token)
    printf '%s\n' "${ca[@]}" -H "Authorization: Bearer e2e-admin-token" \
      --cert "$PKI/user-alice.crt" --key "$PKI/user-alice.key"
    ;;
  alice-cert-wrong-token)
    printf '%s\n' "${ca[@]}" -H "Authorization: Bearer not-a-token" \
      --cert "$PKI/user-alice.crt" --key "$PKI/user-alice.key"
    ;;
  bob-token-expired-cert)
    printf '%s\n' "${ca[@]}" -H "Authorization: Bearer bob-token-0123456789" \
      --cert "$PKI/user-expired.crt" --key "$PKI/user-expired.key"
    ;;
  esac
}

# code_for NAME PATH: the HTTP code the row's client gets.
code_for() {
  local args
  mapfile -t args < <(creds "$1")
  curl -q -sS -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' "${args[@]}" "$API$2"
}

# check_table: rows of "CLIENT PATH CODE" on stdin; every mismatch is reported.
check_table() {
  local who path want got bad=0
  while read -r who path want; do
    [ -n "$who" ] || continue
    got=$(code_for "$who" "$path")
    if [ "$got" != "$want" ]; then
      echo "$who GET $path: got $got, want $want: $(cat "$BATS_TEST_TMPDIR/body")" >&2
      bad=1
    fi
  done
  return $bad
}

# Authenticated is not authorized: a user RBAC grants nothing gets discovery
# (system:discovery) and 403 elsewhere, never 401.
@test "authn: who gets in, by credentials and path" {
  check_table <<'EOF'
anonymous        /healthz                 200
anonymous        /livez                   200
anonymous        /readyz                  200
anonymous        /version                 200
anonymous        /api                     401
anonymous        /api/v1/namespaces       401
anonymous        /openapi/v3              401
anonymous        /metrics                 401
wrong-token      /api/v1/namespaces       401
wrong-token      /healthz                 401
empty-bearer     /api/v1/namespaces       401
bob-token-prefix /api/v1/namespaces       401
expired-cert     /api/v1/namespaces       401
expired-cert     /version                 401
early-cert       /api/v1/namespaces       401
foreign-cert     /api/v1/namespaces       401
bob-token        /api                     200
bob-token        /api/v1/namespaces       403
admin-cert       /api/v1/namespaces       200
alice-cert       /api                     200
alice-cert       /api/v1/namespaces       403
bob-token-expired-cert /api               200
bob-token-expired-cert /api/v1/namespaces 403
alice-cert-admin-token /api/v1/namespaces 403
alice-cert-wrong-token /api               200
EOF
}

@test "authn: a refusal is a Kubernetes Status with reason Unauthorized" {
  [ "$(code_for anonymous /api/v1/pods)" = 401 ]
  jq -e '.kind == "Status" and .code == 401 and .reason == "Unauthorized"' "$BATS_TEST_TMPDIR/body"
  # The log says why, for the operator, not the client.
  grep -q 'msg="unauthorized".*certificate has expired' "$APISERVER_LOG"
}

@test "authn: the server is verified: no plain HTTP, no trust without the CA" {
  run curl -q -sS --max-time 5 "http://${API#https://}/healthz"
  [ "$status" -ne 0 ]
  run curl -q -sS --max-time 5 "$API/healthz"
  [ "$status" -eq 60 ] # the peer's certificate cannot be verified
  run curl -q -sS --max-time 5 --cacert "$ETCD_DIR/foreign/ca.crt" "$API/healthz"
  [ "$status" -eq 60 ]
  # The serving certificate names the in-cluster names too.
  openssl x509 -in "$PKI/apiserver.crt" -noout -ext subjectAltName |
    grep -q 'DNS:kubernetes.default.svc.*IP Address:198.19.0.1'
}

@test "authn: kubectl auth whoami names the certificate's user and groups" {
  run kubectl --kubeconfig "$PKI/user-alice.kubeconfig" auth whoami -o json
  [ "$status" -eq 0 ]
  jq -e '.status.userInfo.username == "alice" and
    .status.userInfo.groups == ["team-a", "devs", "system:authenticated"]' <<<"$output"
  run kubectl auth whoami
  [ "$status" -eq 0 ]
  [[ "$output" == *kubernetes-admin* ]] && [[ "$output" == *system:masters* ]]
}

@test "authn: kubectl auth whoami names a token's user, uid and groups" {
  kc="$BATS_TEST_TMPDIR/bob.kubeconfig"
  cp "$PKI/admin.kubeconfig" "$kc"
  kubectl --kubeconfig "$kc" config set-credentials tugboat --token bob-token-0123456789 >/dev/null
  kubectl --kubeconfig "$kc" config unset users.tugboat.client-certificate-data >/dev/null
  kubectl --kubeconfig "$kc" config unset users.tugboat.client-key-data >/dev/null
  run kubectl --kubeconfig "$kc" auth whoami -o json
  [ "$status" -eq 0 ]
  jq -e '.status.userInfo == {username: "bob", uid: "bob-uid",
    groups: ["team-b", "viewers", "system:authenticated"]}' <<<"$output"
  # tug reads the same kubeconfig (its token) as it is.
  run bin/tug --kubeconfig "$kc" get --raw /apis/authentication.k8s.io/v1/selfsubjectreviews
  [ "$status" -ne 0 ] # a review is created (POST), never read
  # Bob is known (the token) but granted nothing: RBAC's refusal names him.
  run bin/tug --kubeconfig "$kc" get ns default -o name
  [ "$status" -ne 0 ]
  [[ "$output" == *'User "bob" cannot get resource "namespaces"'* ]]
}

@test "authn: expired and not-yet-valid certificates are refused by kubectl's requests too" {
  for who in expired early; do
    run kubectl --kubeconfig "$PKI/user-$who.kubeconfig" --server "$API" get ns
    [ "$status" -ne 0 ]
    [[ "$output" == *Unauthorized* ]] || [[ "$output" == *"must be logged in"* ]]
  done
}

@test "authn: tug certs check reports every certificate and flags the expired" {
  run bin/tug certs check --dir "$PKI"
  [ "$status" -eq 1 ] # user-expired is there
  [[ "$output" == *"user-expired.crt"*EXPIRED* ]]
  [[ "$output" == *"user-early.crt"*"NOT YET VALID"* ]]
  [[ "$output" == *"apiserver.crt"*kube-apiserver* ]]
  run bin/tug certs check --dir "$ETCD_DIR/foreign"
  [ "$status" -eq 0 ]
  # Keys are the owner's alone.
  [ "$(stat -c %a "$PKI/ca.key")" = 600 ]
  [ "$(stat -c %a "$PKI/sa.key")" = 600 ]
  [ "$(stat -c %a "$PKI/user-alice.kubeconfig")" = 600 ]
}

@test "authn: tug certs renew issues the same identity again; the expired one gets back in" {
  cp "$PKI/user-expired.crt" "$BATS_TEST_TMPDIR/before.crt"
  run curl -q -sS -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" \
    --cert "$PKI/user-expired.crt" --key "$PKI/user-expired.key" "$API/api"
  [ "$output" = 401 ]
  run bin/tug certs renew user-expired --days 30 --dir "$PKI"
  [ "$status" -eq 0 ]
  run bin/tug certs check --dir "$PKI"
  [[ "$output" == *"user-expired.crt"*" 29d renew soon"* ]]
  # Same subject and key, new serial; the certificate is valid against the CA again.
  [ "$(openssl x509 -in "$PKI/user-expired.crt" -noout -subject)" = \
    "$(openssl x509 -in "$BATS_TEST_TMPDIR/before.crt" -noout -subject)" ]
  [ "$(openssl x509 -in "$PKI/user-expired.crt" -noout -serial)" != \
    "$(openssl x509 -in "$BATS_TEST_TMPDIR/before.crt" -noout -serial)" ]
  [ "$(openssl x509 -in "$PKI/user-expired.crt" -noout -pubkey)" = \
    "$(openssl x509 -in "$BATS_TEST_TMPDIR/before.crt" -noout -pubkey)" ]
  run curl -q -sS -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" \
    --cert "$PKI/user-expired.crt" --key "$PKI/user-expired.key" "$API/api"
  [ "$output" = 200 ]
  run bin/tug certs renew ca --dir "$PKI"
  [ "$status" -ne 0 ]
  [[ "$output" == *"the CA is not renewed in place"* ]]
  # Put the expired one back for the other tests.
  cp "$BATS_TEST_TMPDIR/before.crt" "$PKI/user-expired.crt"
}

@test "authn: an API server refuses to start on an expired serving certificate" {
  cp "$PKI/user-expired.crt" "$BATS_TEST_TMPDIR/expired.crt"
  mapfile -t tls < <(apiserver_tls_flags)
  run "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen 127.0.0.1:1 \
    "${tls[@]}" --tls-cert-file "$BATS_TEST_TMPDIR/expired.crt" \
    --tls-private-key-file "$PKI/user-expired.key"
  [ "$status" -eq 2 ]
  [[ "$output" == *"--tls-cert-file (expired): expired"* ]]
  run "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen 127.0.0.1:1
  [ "$status" -eq 2 ]
  [[ "$output" == *"nothing to serve on"* ]]
  run "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" \
    --insecure-listen 0.0.0.0:1
  [ "$status" -ne 0 ]
  [[ "$output" == *"not a loopback address"* ]]
}
