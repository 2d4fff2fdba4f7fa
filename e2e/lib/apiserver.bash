# apiserver.bash — a real etcd and tug-apiserver on loopback for e2e suites.
# Source it after etcd.bash; call apiserver_start / apiserver_stop (trap); `api`
# sends requests and `kubeconfig` writes a kubeconfig for kubectl.
# Sets API (http://127.0.0.1:PORT), APISERVER_PID and APISERVER_LOG. APISERVER_BIN
# picks another build (an ASan one, say).

apiserver_start() {
  etcd_start || return 1
  local port
  port=$(_free_port)
  API="http://127.0.0.1:$port"
  APISERVER_LOG="$ETCD_DIR/apiserver.log"
  "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" \
    "$@" >"$APISERVER_LOG" 2>&1 &
  APISERVER_PID=$!
  export API APISERVER_PID APISERVER_LOG
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "$API/readyz"
}

apiserver_stop() {
  if [ -n "${APISERVER_PID:-}" ]; then
    stop_pid "$APISERVER_PID"
    APISERVER_PID=
  fi
  etcd_stop
}

# kubeconfig FILE: a kubeconfig for stock kubectl pointing at $API, namespace
# default. It also gives kubectl a discovery cache of its own beside FILE:
# ~/.kube/cache is keyed by host and port, and suites reuse ports, so a
# document cached from another suite's server (older, or with other kinds)
# would otherwise be read for up to six hours.
kubeconfig() {
  export KUBECACHEDIR
  KUBECACHEDIR="$(dirname "$1")/kube-cache"
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters: [{name: tug, cluster: {server: "$API"}}]
users: [{name: me, user: {}}]
contexts: [{name: tug, context: {cluster: tug, user: me, namespace: default}}]
current-context: tug
KC
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
