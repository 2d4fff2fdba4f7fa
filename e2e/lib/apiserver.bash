# apiserver.bash — a real etcd and tug-apiserver on loopback for e2e suites.
# Source it after etcd.bash; call apiserver_start / apiserver_stop (trap); `api`
# sends requests and `kubeconfig` writes a kubeconfig for kubectl.
#
# The API server serves HTTPS only, with the certificates etcd_start made in
# $PKI: clients verify it against $PKI/ca.crt and authenticate with a client
# certificate. apiserver_start writes one kubeconfig per identity,
# $PKI/{admin,scheduler,controllers}.kubeconfig, exports KUBECONFIG (the admin's:
# kubectl and tug use it as is) and CURL_HOME, whose .curlrc makes every curl of
# a suite trust the CA and present the admin's certificate (`curl -q` skips it,
# for requests that must go without credentials). Tokens for tests are in
# $PKI/tokens.csv (--token-auth-file). With APISERVER_INSECURE=1 (benchmarks
# whose clients know no TLS) it also listens on plain HTTP on loopback and API
# is that address. Sets API (https://127.0.0.1:PORT), APISERVER_PID,
# APISERVER_LOG. APISERVER_BIN picks another build (an ASan one, say).

# apiserver_tls_flags: the API server's TLS, authentication and etcd flags.
apiserver_tls_flags() {
  printf '%s\n' --etcd-cafile "$PKI/ca.crt" --etcd-certfile "$PKI/apiserver-etcd-client.crt" \
    --etcd-keyfile "$PKI/apiserver-etcd-client.key" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key"
}

# The admin's curl: trusts the CA, shows the admin certificate.
_curl_home() {
  CURL_HOME="$ETCD_DIR/curl"
  mkdir -p "$CURL_HOME"
  printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\n' "$PKI/ca.crt" "$PKI/admin.crt" \
    "$PKI/admin.key" >"$CURL_HOME/.curlrc"
  export CURL_HOME
}

# tug_kubeconfig NAME: $PKI/NAME.kubeconfig for the pair NAME against $API_TLS.
tug_kubeconfig() {
  "${TUG_BIN:-bin/tug}" certs kubeconfig "$1" --dir "$PKI" --server "$API_TLS" >/dev/null
}

apiserver_start() {
  etcd_start || return 1
  local port plain=() insecure_port
  port=$(_free_port)
  API_TLS="https://127.0.0.1:$port"
  API=$API_TLS
  if [ "${APISERVER_INSECURE:-}" = 1 ]; then
    insecure_port=$(_free_port)
    while [ "$insecure_port" = "$port" ]; do insecure_port=$(_free_port); done
    plain=(--insecure-listen "127.0.0.1:$insecure_port")
    API="http://127.0.0.1:$insecure_port"
  fi
  printf 'e2e-admin-token,e2e-admin,e2e-admin-uid,"system:masters"\n' >"$PKI/tokens.csv"
  local tls
  mapfile -t tls < <(apiserver_tls_flags)
  APISERVER_LOG="$ETCD_DIR/apiserver.log"
  "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" \
    "${tls[@]}" "${plain[@]}" "$@" >"$APISERVER_LOG" 2>&1 &
  APISERVER_PID=$!
  export API API_TLS APISERVER_PID APISERVER_LOG
  _curl_home
  local who
  for who in admin scheduler controllers; do tug_kubeconfig "$who" || return 1; done
  KUBECONFIG="$PKI/admin.kubeconfig"
  export KUBECONFIG
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "$API/readyz"
}

apiserver_stop() {
  if [ -n "${APISERVER_PID:-}" ]; then
    stop_pid "$APISERVER_PID"
    APISERVER_PID=
  fi
  etcd_stop
}

# kubeconfig FILE: a kubeconfig for stock kubectl pointing at $API_TLS as the
# cluster admin, namespace default (a copy of $PKI/admin.kubeconfig). It also
# gives kubectl a discovery cache of its own beside FILE: ~/.kube/cache is
# keyed by host and port, and suites reuse ports, so a document cached from
# another suite's server (older, or with other kinds) would otherwise be read
# for up to six hours.
kubeconfig() {
  export KUBECACHEDIR
  KUBECACHEDIR="$(dirname "$1")/kube-cache"
  cp "$PKI/admin.kubeconfig" "$1"
}

# api METHOD PATH [BODY] [CONTENT-TYPE]: prints the body and sets $out and $code
# (so call it directly, not in $(...), when the test needs the code).
api() {
  local method=$1 path=$2 body=${3:-} ctype=${4:-application/json} file
  file=$(mktemp)
  if [ -n "$body" ]; then
    printf '%s' "$body" >"$file.in"
    code=$(curl -sS -o "$file" -w '%{http_code}' -X "$method" -H "Content-Type: $ctype" \
      --data-binary @"$file.in" "$API$path")
    rm -f "$file.in"
  else
    code=$(curl -sS -o "$file" -w '%{http_code}' -X "$method" "$API$path")
  fi
  out=$(cat "$file")
  rm -f "$file"
  printf '%s\n' "$out"
}
