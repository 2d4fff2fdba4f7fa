# controllers.bash — a tug-controllers on loopback for e2e suites (source after
# apiserver.bash). controllers_start [flags...] starts it against $API and waits
# for /healthz; controllers_stop stops it by PID. Sets CONTROLLERS_PID,
# CONTROLLERS_LOG and CONTROLLERS_METRICS (http://127.0.0.1:PORT).

controllers_start() {
  local port
  port=$(_free_port)
  CONTROLLERS_METRICS="http://127.0.0.1:$port"
  CONTROLLERS_LOG="$ETCD_DIR/controllers.log"
  "${CONTROLLERS_BIN:-bin/tug-controllers}" --server "$API" --listen "127.0.0.1:$port" "$@" \
    >>"$CONTROLLERS_LOG" 2>&1 &
  CONTROLLERS_PID=$!
  export CONTROLLERS_PID CONTROLLERS_LOG CONTROLLERS_METRICS
  wait_ready tug-controllers "$CONTROLLERS_PID" "$CONTROLLERS_LOG" \
    curl -fsS "$CONTROLLERS_METRICS/healthz"
}

controllers_stop() {
  if [ -n "${CONTROLLERS_PID:-}" ]; then
    stop_pid "$CONTROLLERS_PID"
    CONTROLLERS_PID=
  fi
}
