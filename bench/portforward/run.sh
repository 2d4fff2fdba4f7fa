#!/usr/bin/env bash
# port-forward throughput and latency: a busybox httpd in a pod reached
# through `tug port-forward` and `kubectl port-forward` (SPDY/3.1 in a
# WebSocket: client → API server → agent, HTTPS on each hop, then the agent's
# connect inside the pod's network namespace), beside the same httpd binary
# serving the same files on the host's loopback (the floor: no tunnel).
# Throughput: downloads of a 64 MiB file (median MB/s; one that takes over
# 60 s is cut and counts with its average speed). Latency: sequential
# GETs of a small file, each a new TCP connection and so a new stream pair in
# the tunnel (curl's time_total, p50/p99). Needs root and busybox-static.
#   bench/portforward/run.sh [REQUESTS] [DOWNLOADS]     (default 200 and 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-200}
downloads=${2:-5}
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root" >&2; exit 2; }
make --no-print-directory bin/tug bin/tug-apiserver bin/tug-agent >/dev/null
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/agent.bash
work=$(mktemp -d /var/tmp/bench-portforward.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
  agent_stop
  apiserver_stop
}
trap cleanup EXIT
free_port() { echo $((20000 + RANDOM % 20000)); }

# measure NAME PORT: latency, then throughput, of the httpd behind 127.0.0.1:PORT.
# A download cut at 60 s still counts: curl reports its average speed.
measure() {
  local name=$1 port=$2 i
  : >"$work/lat"
  for ((i = 0; i < requests; i++)); do
    curl -fsS --max-time 30 -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/small" \
      >>"$work/lat" || { echo "$name: request failed (30 s)"; return 0; }
  done
  : >"$work/speed"
  for ((i = 0; i < downloads; i++)); do
    curl -sS --max-time 60 -o /dev/null -w '%{speed_download} %{size_download}\n' \
      "http://127.0.0.1:$port/big" >>"$work/speed" 2>/dev/null || true
  done
  local mbs lat cut
  mbs=$(sort -n "$work/speed" | awk '{v[NR]=$1} END {printf "%.2f", v[int((NR+1)/2)] / 1e6}')
  cut=$(awk '$2 < 67108864' "$work/speed" | wc -l)
  lat=$(sort -n "$work/lat" | awk '{v[NR]=$1} END {
    printf "p50 %.2f ms  p99 %.2f ms", v[int((NR-1)*0.50)+1]*1000, v[int((NR-1)*0.99)+1]*1000}')
  printf '%-24s %8s MB/s (median of %d; %d cut at 60 s)   %s (n=%d)\n' "$name" "$mbs" \
    "$downloads" "$cut" "$lat" "$requests"
}

# forward NAME CMD...: start a port-forward to web:80 on a free port, measure, stop it.
forward() {
  local name=$1 port
  shift
  port=$(free_port)
  "$@" pod/web "$port:80" >"$work/forward.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    grep -q "Forwarding from 127.0.0.1:$port" "$work/forward.log" && break
    sleep 0.1
  done
  measure "$name" "$port"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

apiserver_start
agent_start "bench-node"
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
  "$API/api/v1/namespaces/default/pods" -d "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",
  \"metadata\":{\"name\":\"web\"},\"spec\":{\"nodeName\":\"$NODE\",
  \"containers\":[{\"name\":\"main\",\"image\":\"busybox\",\"command\":[\"sh\",\"-c\",
  \"mkdir -p /tmp/www && echo ok >/tmp/www/small && head -c 67108864 /dev/urandom >/tmp/www/big && touch /tmp/ready && exec httpd -f -p 80 -h /tmp/www\"]}]}}"
wait_for 60 sh -c "bin/tug exec web -- test -e /tmp/ready 2>/dev/null"

mkdir -p "$work/www"
echo ok >"$work/www/small"
head -c 67108864 /dev/urandom >"$work/www/big"
host_port=$(free_port)
busybox httpd -f -p "127.0.0.1:$host_port" -h "$work/www" &
pids+=($!)

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "host loopback (floor)" "$host_port"
forward "kubectl port-forward" kubectl port-forward
forward "tug port-forward" bin/tug port-forward
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
