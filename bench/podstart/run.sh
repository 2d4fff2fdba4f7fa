#!/usr/bin/env bash
# Pod startup latency and agent memory (issue 4's benchmarks 2 and 3), as root:
# etcd, tug-apiserver and one tug-agent on this host; N pods bound to the node are
# created at once (8 client threads) and timed from create to Running as seen by a
# watch; then the agent's RSS with those pods running.
# Also the CPU the burst cost the node (cgroup v1 cpuacct, when there is one):
# the agent's own (it runs in a cpuacct group of the benchmark's) and its
# pods' (tug/<uid>: a container's start from the moment it joins its cgroup),
# which moves far less with other load on the machine than latency does.
# Each MODE after PODS is one burst in the same cluster, the pods deleted
# between bursts: "default" (RuntimeDefault seccomp, masks, device rules),
# "unconfined" (seccompProfile Unconfined) or "privileged" (no confinement).
# Alternating them (default privileged default privileged) prices the
# hardening within one build and the same minutes. REST=S sleeps S seconds
# before each burst (ext4 searches past recently deleted inodes: let them age).
#   bench/podstart/run.sh [PODS] [MODE...]
set -euo pipefail
cd "$(dirname "$0")/../.."
pods=${1:-100}
modes=("${@:2}")
[ ${#modes[@]} -gt 0 ] || modes=(default)
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
# Privileged pods are refused below the privileged Pod Security level.
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
  -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench-start",
       "labels":{"pod-security.kubernetes.io/enforce":"privileged"}}}'
echo "agent RSS before: $(ps -o rss= -p "$AGENT_PID") KiB"

# cpuacct.usage of the pods in bench-start, in ns.
pods_cpu() {
  local sum=0 uid
  for uid in $(curl -fsS "$API/api/v1/namespaces/bench-start/pods" | jq -r '.items[].metadata.uid'); do
    sum=$((sum + $(cat "$cpuacct/tug/$uid/cpuacct.usage" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}

# Deletes the burst's pods and waits until the agent has removed them and
# their sandboxes (grace 0 would remove the objects before the agent acts).
pods_delete() {
  curl -fsS -o /dev/null -X DELETE "$API/api/v1/namespaces/bench-start/pods?gracePeriodSeconds=1"
  for _ in $(seq 1 300); do
    [ "$(curl -fsS "$API/api/v1/namespaces/bench-start/pods" | jq '.items | length')" = 0 ] &&
      [ -z "$(ls -A "$AGENT_ROOT/state/sandboxes" 2>/dev/null)" ] && return
    sleep 0.2
  done
  echo "pods of the last burst still there after 60 s" >&2
  return 1
}

for i in "${!modes[@]}"; do
  mode=${modes[$i]}
  [ "$i" = 0 ] || pods_delete
  sleep "${REST:-0}"
  echo "burst $((i + 1)) ($mode): load average $(cut -d' ' -f1-3 /proc/loadavg)"
  used0=$([ -z "$group" ] || cat "$group/cpuacct.usage")
  build/bench-podstart --server "$API" --node "$NODE" --pods "$pods" --namespace bench-start \
    --security "$mode"
  sleep 2
  if [ -n "$group" ]; then
    agent_ns=$(($(cat "$group/cpuacct.usage") - used0))
    pods_ns=$(pods_cpu)
    echo "CPU over the burst and the 2 s after: agent $((agent_ns / 1000000)) ms," \
      "pods $((pods_ns / 1000000)) ms; per pod: agent $((agent_ns / pods / 1000)) us," \
      "pod $((pods_ns / pods / 1000)) us"
  fi
  echo "agent RSS with $pods pods running: $(ps -o rss= -p "$AGENT_PID") KiB"
done
