#!/usr/bin/env bash
# `exec -- true` round trip, p50 and p99: `tug exec POD -- true` against a
# Tugboat cluster on this host (etcd, tug-apiserver, one tug-agent; HTTPS on
# every hop: CLI → API server → agent, a WebSocket upgrade each), and as the
# peer `crun exec CONTAINER true` on a running crun container of the same
# busybox, with no API server in between. Both are whole CLI invocations
# (process start included), timed one after another. Also `kubectl exec` for
# reference. Needs root, busybox-static and crun.
#   bench/exec/run.sh [RUNS]     (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-100}
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root" >&2; exit 2; }
command -v crun >/dev/null || { echo "run.sh: crun missing (apt-get install -y crun)" >&2; exit 2; }
make --no-print-directory bin/tug bin/tug-apiserver bin/tug-agent >/dev/null
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/agent.bash
work=$(mktemp -d /var/tmp/bench-exec.XXXXXX)
cid="bench-exec-$$"
cleanup() {
  crun --cgroup-manager=cgroupfs delete -f "$cid" >/dev/null 2>&1 || true
  rm -rf "$work"
  agent_stop
  apiserver_stop
}
trap cleanup EXIT

# times FILE CMD...: RUNS wall-clock milliseconds of CMD into FILE.
times() {
  local out=$1 i t0 t1
  shift
  : >"$out"
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) >>"$out"
  done
}
# p50 and p99 of FILE's microseconds, in ms.
pcts() {
  sort -n "$1" | awk '{v[NR]=$1} END {
    p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1];
    printf "p50 %.1f ms  p99 %.1f ms  (n=%d)\n", p50 / 1000, p99 / 1000, NR }'
}

apiserver_start
agent_start "bench-node"
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
  "$API/api/v1/namespaces/default/pods" -d "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",
  \"metadata\":{\"name\":\"bench\"},\"spec\":{\"nodeName\":\"$NODE\",
  \"containers\":[{\"name\":\"main\",\"image\":\"busybox\",\"command\":[\"sleep\",\"3600\"]}]}}"
wait_for 30 sh -c "curl -fsS '$API/api/v1/namespaces/default/pods/bench' | grep -q '\"phase\":\"Running\"'"

# The peer: crun, with the same busybox, run in a private mount namespace
# without the cgroup2 mount (crun 1.8.1 refuses the hybrid layout).
mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/"
for b in sh sleep true; do ln -s busybox "$work/bundle/rootfs/bin/$b"; done
(cd "$work/bundle" && crun spec && sed -i 's/"terminal": true/"terminal": false/;
  s/"sh"$/"sleep", "3600"/' config.json)
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), $(crun --version | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
times "$work/get" bin/tug get pod bench
echo "tug get pod (no exec, for scale): $(pcts "$work/get")"
times "$work/tug" bin/tug exec bench -- true
echo "tug exec -- true:     $(pcts "$work/tug")"
times "$work/kubectl" kubectl exec bench -- true
echo "kubectl exec -- true: $(pcts "$work/kubectl")"
export -f times
export runs work cid
unshare -m --propagation private bash -c '
  umount /sys/fs/cgroup/unified 2>/dev/null || true
  crun --cgroup-manager=cgroupfs run -d -b "$work/bundle" "$cid" >/dev/null
  times "$work/crun" crun --cgroup-manager=cgroupfs exec "$cid" true
  crun --cgroup-manager=cgroupfs delete -f "$cid" >/dev/null'
echo "crun exec true:       $(pcts "$work/crun")"
