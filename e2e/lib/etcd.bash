# etcd.bash — start and stop a throw-away etcd on loopback for e2e suites and
# benchmarks. Source it, call etcd_start, and make sure etcd_stop runs (trap).
# etcd serves TLS and asks for client certificates (the API server's is its
# only client): etcd_start first makes the cluster's certificates with
# `tug certs init` in $PKI ($ETCD_DIR/pki). Sets ETCD_ENDPOINT (https://...),
# ETCD_PID, ETCD_DIR and PKI; etcd_ctl runs etcdctl with the client pair.

# Ports below the kernel's ephemeral range (32768+), so an outgoing connection
# never holds the port we pick.
_free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((10000 + RANDOM % 20000))
    if ! ss -Htln "sport = :$p" | grep -q .; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

etcd_start() {
  ETCD_DIR=$(mktemp -d /tmp/tug-e2e-etcd.XXXXXX)
  PKI="$ETCD_DIR/pki"
  export ETCD_DIR PKI
  # The suite's own CLI configuration: a ~/.tug/config left by someone's
  # `tug up` on a shared machine must not decide where tug connects.
  export TUG_CONFIG="${TUG_CONFIG:-$ETCD_DIR/tug-config}"
  "${TUG_BIN:-bin/tug}" certs init --dir "$PKI" >/dev/null || return 1
  local cport pport
  cport=$(_free_port)
  pport=$(_free_port)
  while [ "$pport" = "$cport" ]; do pport=$(_free_port); done
  ETCD_ENDPOINT="https://127.0.0.1:$cport"
  etcd --name e2e --data-dir "$ETCD_DIR/data" \
    --listen-client-urls "$ETCD_ENDPOINT" --advertise-client-urls "$ETCD_ENDPOINT" \
    --cert-file "$PKI/etcd-server.crt" --key-file "$PKI/etcd-server.key" \
    --trusted-ca-file "$PKI/ca.crt" --client-cert-auth \
    --listen-peer-urls "http://127.0.0.1:$pport" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "e2e=http://127.0.0.1:$pport" \
    --log-level warn --logger zap >"$ETCD_DIR/etcd.log" 2>&1 &
  ETCD_PID=$!
  export ETCD_ENDPOINT ETCD_PID
  wait_ready etcd "$ETCD_PID" "$ETCD_DIR/etcd.log" etcd_ctl endpoint health
}

# etcd_ctl ARGS...: etcdctl against the suite's etcd, as the API server.
etcd_ctl() {
  ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINT" --cacert "$PKI/ca.crt" \
    --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" "$@"
}

# wait_ready NAME PID LOG CHECK...: poll CHECK until it succeeds (10 s at most);
# fail with the log when the process dies first.
wait_ready() {
  local name=$1 pid=$2 log=$3
  shift 3
  for _ in $(seq 1 100); do
    "$@" >/dev/null 2>&1 && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited; log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$name did not become ready" >&2
  return 1
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s.
wait_for() {
  local n=$(($1 * 5))
  shift
  for _ in $(seq 1 "$n"); do
    "$@" && return 0
    sleep 0.2
  done
  echo "timed out: $*" >&2
  return 1
}

# stop_pid PID: SIGTERM, up to 5 s, then SIGKILL; reaps it.
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

etcd_stop() {
  if [ -n "${ETCD_PID:-}" ]; then
    stop_pid "$ETCD_PID"
    ETCD_PID=
  fi
  if [ -n "${ETCD_DIR:-}" ]; then
    # Copies of credentials handed to unprivileged processes (hollow.bash).
    [ ! -f "$ETCD_DIR/hollow-kubeconfigs" ] || xargs rm -rf <"$ETCD_DIR/hollow-kubeconfigs"
    rm -rf "$ETCD_DIR"
    ETCD_DIR=
    PKI=
  fi
}
