# hollow.bash — a hollow tug-agent (`--hollow N`) for e2e suites and benchmarks
# (source after apiserver.bash). hollow_start PREFIX N [flags...] starts it as
# the unprivileged user nobody (hollow nodes need no root) and waits until all
# N nodes are Ready; hollow_stop stops it by PID. Sets HOLLOW_PID, HOLLOW_LOG,
# HOLLOW_PREFIX, HOLLOW_COUNT. The nodes and their pods stay in the API. It
# reads with hollow_kubeconfig (the admin's pair, readable by nobody) and each
# node writes as system:node:NAME, its certificate issued by the agent from a
# copy of the CA (--hollow-node-ca), so the node authorizer judges it;
# HOLLOW_SHARED_IDENTITY=1 has every node write as the admin instead. With
# HOLLOW_PID_FILE set, the PID and the log's path are also written there, so
# that a bats teardown_file finds an agent that a test started again.

# Hollow nodes of $HOLLOW_PREFIX whose Ready condition is True.
hollow_ready_count() {
  curl -fsS "$API/api/v1/nodes?labelSelector=tug.io/hollow%3Dtrue" | jq --arg p "$HOLLOW_PREFIX-" \
    '[.items[] | select(.metadata.name | startswith($p))
      | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length'
}

hollow_all_ready() { [ "$(hollow_ready_count)" = "$HOLLOW_COUNT" ]; }

# hollow_kubeconfig: a copy of the admin kubeconfig that user nobody can read
# (outside $PKI, which only root may enter); removed with the suite's etcd dir
# list of files to clean, $ETCD_DIR/hollow-kubeconfigs.
hollow_kubeconfig() {
  local kc
  kc=$(mktemp /tmp/tug-hollow-kc.XXXXXX)
  cp "$PKI/admin.kubeconfig" "$kc" && chown nobody "$kc" && chmod 600 "$kc"
  echo "$kc" >>"$ETCD_DIR/hollow-kubeconfigs"
  echo "$kc"
}

# hollow_node_ca: a copy of the CA pair that user nobody can read, cleaned
# like hollow_kubeconfig's copy.
hollow_node_ca() {
  local dir
  dir=$(mktemp -d /tmp/tug-hollow-ca.XXXXXX)
  cp "$PKI/ca.crt" "$PKI/ca.key" "$dir/" && chown -R nobody "$dir" && chmod 600 "$dir/ca.key"
  echo "$dir" >>"$ETCD_DIR/hollow-kubeconfigs"
  echo "$dir"
}

# hollow_launch PREFIX N [flags...]: start it and return at once.
hollow_launch() {
  HOLLOW_PREFIX=$1 HOLLOW_COUNT=$2
  shift 2
  HOLLOW_LOG=$(mktemp /tmp/tug-hollow.XXXXXX.log)
  chmod 666 "$HOLLOW_LOG"
  local identity=()
  [ "${HOLLOW_SHARED_IDENTITY:-}" = 1 ] || identity=(--hollow-node-ca "$(hollow_node_ca)")
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
    bin/tug-agent --kubeconfig "$(hollow_kubeconfig)" --hollow "$HOLLOW_COUNT" --node-name "$HOLLOW_PREFIX" \
    "${identity[@]}" --log-file "$HOLLOW_LOG" "$@" 3>&- &
  HOLLOW_PID=$!
  [ -z "${HOLLOW_PID_FILE:-}" ] || printf '%s %s\n' "$HOLLOW_PID" "$HOLLOW_LOG" >"$HOLLOW_PID_FILE"
  export HOLLOW_PREFIX HOLLOW_COUNT HOLLOW_LOG HOLLOW_PID
}

hollow_start() {
  hollow_launch "$@"
  wait_ready tug-agent "$HOLLOW_PID" "$HOLLOW_LOG" hollow_all_ready
}

hollow_stop() {
  [ ! -s "${HOLLOW_PID_FILE:-}" ] || read -r HOLLOW_PID HOLLOW_LOG <"$HOLLOW_PID_FILE"
  [ -n "${HOLLOW_PID:-}" ] || return 0
  stop_pid "$HOLLOW_PID"
  HOLLOW_PID=
  rm -f "$HOLLOW_LOG"
}
