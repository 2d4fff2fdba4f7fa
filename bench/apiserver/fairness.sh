#!/usr/bin/env bash
# What API Priority and Fairness costs the hot path: GET of one ConfigMap and
# CREATE of ConfigMaps, 32 keep-alive HTTPS connections each (wrk), as an
# ordinary user (bearer token, RBAC edit: the global-default level, its seats
# and queues, writes on the worker threads) against two API servers over one
# etcd, one with --enable-priority-and-fairness true and one with false (one
# in-flight limit, handlers on the event loops), alternated twice so that a
# drift of the machine shows. Prints each pass with the server's CPU per
# request and the on/off throughput ratio per verb.
# Usage: bench/apiserver/fairness.sh [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver >/dev/null
bench_start
printf '%s\n' 'e2e-admin-token,e2e-admin,e2e-admin-uid,"system:masters"' \
  'bench-token,bench-user,bench-uid' >"$PKI/tokens.csv"

# serve PORT APF: one more API server on the same etcd; prints its PID.
serve() {
  local tls
  mapfile -t tls < <(apiserver_tls_flags)
  bin/tug-apiserver --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$1" "${tls[@]}" \
    --threads "$threads" --max-requests-inflight 1000 --enable-priority-and-fairness "$2" \
    >>"$APISERVER_LOG" 2>&1 &
  echo $!
}
stop_pid "$APISERVER_PID"
on_port=$(_free_port)
off_port=$(_free_port)
APISERVER_PID=$(serve "$on_port" true)
off_pid=$(serve "$off_port" false)
trap 'stop_pid "$off_pid"; apiserver_stop' EXIT
for p in "$on_port" "$off_port"; do
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "https://127.0.0.1:$p/readyz"
done
API="https://127.0.0.1:$on_port"
kubectl --server "$API" create namespace bench >/dev/null
kubectl --server "$API" create rolebinding bench --clusterrole=edit --user=bench-user -n bench >/dev/null
kubectl --server "$API" create configmap c --from-literal=k=v -n bench >/dev/null
printf '%s\n' 'wrk.method = "POST"' 'wrk.headers["Content-Type"] = "application/json"' \
  "wrk.body = '{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"generateName\":\"b-\"},\"data\":{\"k\":\"v\"}}'" \
  >"$ETCD_DIR/create-cm.lua"
sleep 2 # the binding reaches both servers' authorizers

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# pass NAME PID URL [wrk args...]: one wrk run, its summary and the server's CPU per request.
pass() {
  local name=$1 pid=$2 url=$3 before line rps
  shift 3
  before=$(ticks "$pid")
  line=$(wrk -t2 -c32 -d"${seconds}s" --latency -H 'Authorization: Bearer bench-token' "$@" "$url" |
    summary "$name")
  rps=$(sed 's/.*req_per_s=\([0-9.]*\).*/\1/' <<<"$line")
  awk -v l="$line" -v t="$(($(ticks "$pid") - before))" -v hz="$(getconf CLK_TCK)" -v r="$rps" \
    -v s="$seconds" 'BEGIN {printf "%s server_cpu_us_per_req=%.0f\n", l, t / hz * 1e6 / (r * s)}'
}

results=$(mktemp)
trap 'rm -f "$results"; stop_pid "$off_pid"; apiserver_stop' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2; do
  for side in on off; do
    port=$on_port pid=$APISERVER_PID
    [ "$side" = on ] || { port=$off_port pid=$off_pid; }
    pass "GET-$side-$round" "$pid" "https://127.0.0.1:$port/api/v1/namespaces/bench/configmaps/c" |
      tee -a "$results"
    pass "CREATE-$side-$round" "$pid" "https://127.0.0.1:$port/api/v1/namespaces/bench/configmaps" \
      -s "$ETCD_DIR/create-cm.lua" | tee -a "$results"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '{split($2, a, "="); split($1, n, "-"); sum[n[1] "-" n[2]] += a[2]}
  END {for (v in sum) if (v ~ /-off$/) { base = substr(v, 1, length(v) - 4);
    printf "%s on/off throughput ratio: %.2f\n", base, sum[base "-on"] / sum[v] } }' "$results"
