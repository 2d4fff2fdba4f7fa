#!/usr/bin/env bash
# Hollow nodes at scale: etcd and tug-apiserver on loopback, then one
# `tug-agent --hollow NODES`; prints the time from the agent's start until the
# API shows all NODES Ready, the agent's RSS then and after 45 s (past the
# first Ready heartbeat round), the cores agent, API server and etcd used over
# those 45 s, how many Leases were renewed in the last 12 s, and (with PODS > 0)
# build/bench-podstart's create → Running latency for PODS pods bound to one
# hollow node, with the agent's RSS after.
#   bench/hollow/run.sh [NODES] [PODS]
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=${1:-1000}
pods=${2:-0}
make --no-print-directory bin/tug-apiserver bin/tug-agent build/bench-podstart >/dev/null
# Its clients (bench binaries, daemons given --server) know no TLS: the API
# server also listens on plain HTTP on loopback and API is that address.
export APISERVER_INSECURE=1
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/hollow.bash
trap 'hollow_stop; apiserver_stop' EXIT
apiserver_start
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"

start=$(date +%s.%N)
hollow_launch bench-hollow "$nodes"
# The agent logs once every node is registered (Ready from its first write);
# watching its log is cheap, where listing thousands of nodes in a loop would
# take the CPU the API server needs. The list afterwards confirms.
until grep -q 'hollow nodes registered' "$HOLLOW_LOG"; do
  kill -0 "$HOLLOW_PID" || { cat "$HOLLOW_LOG"; exit 1; }
  sleep 0.05
done
ready=$(date +%s.%N)
until hollow_all_ready; do sleep 0.2; done
printf 'nodes: %d, all Ready %.2f s after the agent started (confirmed: %d Ready)\n' "$nodes" \
  "$(echo "$ready - $start" | bc)" "$(hollow_ready_count)"
grep -o 'msg="hollow nodes registered".*' "$HOLLOW_LOG" || true
echo "agent RSS when all Ready: $(ps -o rss= -p "$HOLLOW_PID") KiB"
# CPU seconds (user + system) a process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
before=("$(cpu "$HOLLOW_PID")" "$(cpu "$APISERVER_PID")" "$(cpu "$ETCD_PID")")
sleep 45
after=("$(cpu "$HOLLOW_PID")" "$(cpu "$APISERVER_PID")" "$(cpu "$ETCD_PID")")
echo "agent RSS after 45 s more: $(ps -o rss= -p "$HOLLOW_PID") KiB"
printf 'cores used over those 45 s: agent %.2f, apiserver %.2f, etcd %.2f\n' \
  "$(echo "(${after[0]} - ${before[0]}) / 45" | bc -l)" \
  "$(echo "(${after[1]} - ${before[1]}) / 45" | bc -l)" \
  "$(echo "(${after[2]} - ${before[2]}) / 45" | bc -l)"
now=$(date -u +%s)
curl -fsS "$API/apis/coordination.k8s.io/v1/namespaces/tug-node-lease/leases" |
  jq -r --argjson now "$now" '[.items[] | $now - (.spec.renewTime | sub("\\.[0-9]+Z$"; "Z") | fromdate)]
    | "leases renewed in the last 12 s: \([.[] | select(. < 12)] | length); oldest renewal \(max) s ago"'
echo "nodes Ready now: $(hollow_ready_count)"
echo "agent CPU time so far: $(ps -o times= -p "$HOLLOW_PID") s"
echo "agent warnings: $(grep -c 'level=warn' "$HOLLOW_LOG" || true)"
if [ "$pods" -gt 0 ]; then
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
    -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench-start"}}'
  build/bench-podstart --server "$API" --node "$HOLLOW_PREFIX-0" --pods "$pods" --namespace bench-start
  sleep 2
  echo "agent RSS with $pods pods Running: $(ps -o rss= -p "$HOLLOW_PID") KiB"
fi
