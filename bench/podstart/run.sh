#!/usr/bin/env bash
# Pod startup latency and agent memory (issue 4's benchmarks 2 and 3), as root:
# etcd, tug-apiserver and one tug-agent on this host; N pods bound to the node are
# created at once (8 client threads) and timed from create to Running as seen by a
# watch; then the agent's RSS with those pods running.
#   bench/podstart/run.sh [PODS]
set -euo pipefail
cd "$(dirname "$0")/../.."
pods=${1:-100}
make --no-print-directory bin/tug-apiserver bin/tug-agent build/bench-podstart >/dev/null
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/agent.bash
trap 'agent_stop; apiserver_stop' EXIT
apiserver_start
agent_start "bench-node" --max-pods $((pods + 10))
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
  -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench-start"}}'
echo "agent RSS before: $(ps -o rss= -p "$AGENT_PID") KiB"
build/bench-podstart --server "$API" --node "$NODE" --pods "$pods" --namespace bench-start
sleep 2
echo "agent RSS with $pods pods running: $(ps -o rss= -p "$AGENT_PID") KiB"
