#!/usr/bin/env bash
# tug-controllers at scale (issue 6): etcd, tug-apiserver, one
# `tug-agent --hollow NODES`, tug-scheduler and tug-controllers on loopback;
# then build/bench-controllers scales one Deployment from 0 to REPLICAS and
# rolls it to a new template, timing both, the pods' ADDED -> Running latency
# (from its own watch), and each process's CPU and RSS per phase.
#   bench/controllers/run.sh [NODES] [REPLICAS] [TIMEOUT_SECONDS]
# KEEP_LOGS=DIR keeps the controllers', scheduler's and hollow agent's logs there;
# CONTROLLERS_LOG_LEVEL (default warn) is the controllers' --log-level.
# NODE_GRACE (default 50, Kubernetes 1.32's node-monitor-grace-period) is the
# controllers' --node-grace: with tug's default of 20 s, a loaded 2-core machine
# saw hundreds of hollow nodes go Unknown during the burst (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=${1:-1000}
replicas=${2:-5000}
timeout=${3:-600}
make --no-print-directory bin/tug-apiserver bin/tug-agent bin/tug-scheduler \
  bin/tug-controllers build/bench-controllers >/dev/null
# Its clients (bench binaries, daemons given --server) know no TLS: the API
# server also listens on plain HTTP on loopback and API is that address.
export APISERVER_INSECURE=1
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/hollow.bash
source e2e/lib/controllers.bash
SCHED_PID=
cleanup() {
  controllers_stop
  [ -n "$SCHED_PID" ] && stop_pid "$SCHED_PID"
  hollow_stop
  apiserver_stop
}
trap cleanup EXIT
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
apiserver_start
start=$(date +%s.%N)
hollow_start bench "$nodes"
printf 'nodes: %d hollow, all Ready after %.1f s\n' "$nodes" "$(echo "$(date +%s.%N) - $start" | bc)"
metrics="127.0.0.1:$(_free_port)"
bin/tug-scheduler --server "$API" --listen "$metrics" --log-level warn \
  >"$ETCD_DIR/scheduler.log" 2>&1 &
SCHED_PID=$!
wait_ready tug-scheduler "$SCHED_PID" "$ETCD_DIR/scheduler.log" curl -fsS "http://$metrics/healthz"
# A /12 of pod CIDRs: the default /16 has room for 256 nodes' /24s only.
controllers_start --log-level "${CONTROLLERS_LOG_LEVEL:-warn}" --node-grace "${NODE_GRACE:-50}" --cluster-cidr 10.64.0.0/12
echo "controllers RSS before: $(ps -o rss= -p "$CONTROLLERS_PID") KiB"
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
  -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}}'
rc=0
build/bench-controllers --server "$API" --replicas "$replicas" --timeout "$timeout" \
  --proc "controllers=$CONTROLLERS_PID" --proc "scheduler=$SCHED_PID" \
  --proc "apiserver=$APISERVER_PID" --proc "etcd=$ETCD_PID" --proc "hollow=$HOLLOW_PID" || rc=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "controllers RSS after: $(ps -o rss= -p "$CONTROLLERS_PID") KiB"
curl -fsS "$CONTROLLERS_METRICS/metrics" |
  grep -E '^tug_controller_(reconcile_total|reconcile_errors_total|reconcile_duration_seconds_(sum|count))\{controller="(deployment|replicaset)"' || true
echo "controllers warnings: $(grep -c 'level=warn' "$CONTROLLERS_LOG" || true), most frequent:"
grep 'level=warn' "$CONTROLLERS_LOG" | sed -E 's/ (key|pod|node|rs|uid)=[^ ]*//g; s/ts=[^ ]* //' |
  cut -c1-160 | sort | uniq -c | sort -rn | head -8 || true
[ -z "${KEEP_LOGS:-}" ] || cp "$CONTROLLERS_LOG" "$HOLLOW_LOG" "$ETCD_DIR/scheduler.log" "$KEEP_LOGS/"
exit "$rc"
