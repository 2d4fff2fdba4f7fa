#!/usr/bin/env bash
# Pod startup latency and agent memory (issue 4's benchmarks 2 and 3), as root:
# etcd, tug-apiserver and one tug-agent on this host; N pods bound to the node are
# created at once (8 client threads) and timed from create to Running as seen by a
# watch; then the agent's RSS with those pods running.
# Also the CPU the burst cost the node (cgroup v1 cpuacct, when there is one):
# the agent's own (it runs in a cpuacct group of the benchmark's) and its
# pods' (tug/<uid>: a container's start from the moment it joins its cgroup),
# which moves far less with other load on the machine than latency does.
#   bench/podstart/run.sh [PODS]
set -euo pipefail
cd "$(dirname "$0")/../.."
pods=${1:-100}
make --no-print-directory bin/tug-apiserver bin/tug-agent build/bench-podstart >/dev/null
# Its clients (bench binaries, daemons given --server) know no TLS: the API
# server also listens on plain HTTP on loopback and API is that address.
export APISERVER_INSECURE=1
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/agent.bash
cpuacct=/sys/fs/cgroup/cpuacct
group=
[ -d "$cpuacct" ] && group="$cpuacct/bench-podstart-$$"
trap 'agent_stop; apiserver_stop; [ -z "$group" ] || rmdir "$group" 2>/dev/null || true' EXIT
apiserver_start
if [ -n "$group" ]; then # the agent is started from inside the group, then the shell leaves
  mkdir "$group"
  echo $$ >"$group/cgroup.procs"
fi
agent_start "bench-node" --max-pods $((pods + 10))
[ -z "$group" ] || echo $$ >"$cpuacct/cgroup.procs"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
  -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench-start"}}'
echo "agent RSS before: $(ps -o rss= -p "$AGENT_PID") KiB"
used0=$([ -z "$group" ] || cat "$group/cpuacct.usage")
build/bench-podstart --server "$API" --node "$NODE" --pods "$pods" --namespace bench-start
sleep 2
if [ -n "$group" ]; then
  pods_ns=0
  for uid in $(curl -fsS "$API/api/v1/namespaces/bench-start/pods" | jq -r '.items[].metadata.uid'); do
    pods_ns=$((pods_ns + $(cat "$cpuacct/tug/$uid/cpuacct.usage" 2>/dev/null || echo 0)))
  done
  echo "CPU over the burst and the 2 s after: agent $((($(cat "$group/cpuacct.usage") - used0) / 1000000)) ms," \
    "pods $((pods_ns / 1000000)) ms"
fi
echo "agent RSS with $pods pods running: $(ps -o rss= -p "$AGENT_PID") KiB"
