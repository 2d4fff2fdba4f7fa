#!/usr/bin/env bash
# tug-scheduler benchmarks (issue 5).
#   bench/scheduler/run.sh algo [NODES] [PODS]       the algorithm alone (no API)
#   bench/scheduler/run.sh e2e  [NODES] [PODS] [K]   etcd, tug-apiserver, one
#       `tug-agent --hollow NODES` and tug-scheduler on loopback; PODS pods created
#       through the API by K threads (default 32); pods bound per second from the
#       first create to the last bind, create->bound latency, scheduler RSS.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-algo}
nodes=${2:-1000}
pods=${3:-10000}
inflight=${4:-32}
make --no-print-directory bin/tug-apiserver bin/tug-agent bin/tug-scheduler \
  build/bench-scheduler >/dev/null
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
if [ "$mode" = algo ]; then
  build/bench-scheduler --nodes "$nodes" --pods "$pods"
  exit 0
fi
# Its clients (bench binaries, daemons given --server) know no TLS: the API
# server also listens on plain HTTP on loopback and API is that address.
export APISERVER_INSECURE=1
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
HOLLOW_PID= SCHED_PID=
cleanup() {
  [ -n "$SCHED_PID" ] && stop_pid "$SCHED_PID"
  [ -n "$HOLLOW_PID" ] && stop_pid "$HOLLOW_PID"
  apiserver_stop
}
trap cleanup EXIT
apiserver_start
bin/tug-agent --server "$API" --hollow "$nodes" --node-name bench >"$ETCD_DIR/hollow.log" 2>&1 &
HOLLOW_PID=$!
ready() {
  [ "$(curl -fsS "$API/api/v1/nodes" | jq '[.items[] | select(any(.status.conditions[]?;
    .type == "Ready" and .status == "True"))] | length')" = "$nodes" ]
}
for _ in $(seq 1 600); do ready && break; sleep 0.5; done
ready || { echo "hollow nodes not Ready" >&2; exit 1; }
metrics="127.0.0.1:$(_free_port)"
bin/tug-scheduler --server "$API" --listen "$metrics" --log-level warn >"$ETCD_DIR/scheduler.log" 2>&1 &
SCHED_PID=$!
wait_ready tug-scheduler "$SCHED_PID" "$ETCD_DIR/scheduler.log" curl -fsS "http://$metrics/healthz"
echo "nodes: $nodes hollow; scheduler RSS before: $(ps -o rss= -p "$SCHED_PID") KiB"
build/bench-scheduler --server "$API" --pods "$pods" --inflight "$inflight" || echo "bench: not every pod was bound"
echo "scheduler RSS after: $(ps -o rss= -p "$SCHED_PID") KiB"
curl -fsS "http://$metrics/metrics" | grep -E '^tug_scheduler_(schedule_attempts_total|bind_failures_total|e2e_scheduling_duration_seconds_(sum|count))'
