#!/usr/bin/env bash
# Pod networking and Services (issue 8), on a `tug up --nodes 3` cluster in a
# temporary dir (each agent a host in its own network namespace):
#  1. throughput and latency from a client pod on node 1 to three busybox
#     httpd back ends on nodes 2 and 3, through the Service's virtual IP and
#     directly to one pod IP, side by side (wrk, run in the client pod's
#     network namespace with nsenter; busybox httpd closes every connection,
#     so each request is a new connection and passes the DNAT rules);
#  2. build/bench-network: time from a Service's POST to its virtual IP
#     answering on all three nodes, with 0 and with BACKGROUND other Services.
#   bench/network/run.sh [SECONDS] [BACKGROUND]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
background=${2:-1000}
. bench/lib/tug-up.bash
bench_up 3 net
serve='mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'
pod echo-1 tug-node-2 echo "$serve"
pod echo-2 tug-node-2 echo "$serve"
pod echo-3 tug-node-3 echo "$serve"
pod client tug-node-1 client 'exec sleep 100000'
$T apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: bench}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
YAML
for p in echo-1 echo-2 echo-3 client; do
  for _ in $(seq 300); do
    [ "$($T get pod $p -n bench -o json | jq -r .status.phase)" = Running ] && break
    sleep 0.2
  done
done
sleep 2
uid=$($T get pod client -n bench -o json | jq -r .metadata.uid)
netns="$tmp/up/tug-node-1/state/sandboxes/$uid/ns/net"
vip=$($T get svc echo -n bench -o json | jq -r .spec.clusterIP)
pip=$($T get pod echo-3 -n bench -o json | jq -r .status.podIP)
run_wrk() { # LABEL URL
  local out rps p99
  out=$(nsenter --net="$netns" wrk -t 2 -c 8 -d "${secs}s" --latency "$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errs=$(awk '/Socket errors|Non-2xx/ {print}' <<<"$out")
  printf '%-28s %10s req/s   p99 %8s   %s\n' "$1" "$rps" "$p99" "$errs"
  echo "$rps" >"$tmp/rps-$3"
}
echo "wrk -t 2 -c 8 -d ${secs}s from a client pod on node 1:"
run_wrk "direct, pod IP $pip" "http://$pip:8080/" direct
run_wrk "Service VIP $vip" "http://$vip/" vip
run_wrk "direct, pod IP (again)" "http://$pip:8080/" direct2
run_wrk "Service VIP (again)" "http://$vip/" vip2
awk -v a="$(cat "$tmp/rps-vip")" -v b="$(cat "$tmp/rps-vip2")" -v c="$(cat "$tmp/rps-direct")" \
  -v d="$(cat "$tmp/rps-direct2")" 'BEGIN {printf "ratio Service/direct: %.2f\n", (a + b) / (c + d)}'
nodes=$(awk '$1 == "netns" {print "--netns " $2}' "$tmp/up/network")
# shellcheck disable=SC2086
build/bench-network --kubeconfig "$tmp/up/kubeconfig" --namespace bench --selector app=echo $nodes --services 30
# shellcheck disable=SC2086
build/bench-network --kubeconfig "$tmp/up/kubeconfig" --namespace bench --selector app=echo $nodes --services 30 \
  --background "$background"
for n in 1 2 3; do
  pid=$(awk -v n="tug-node-$n" '$2 == n {print $1}' "$tmp/up/state")
  echo "tug-node-$n RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/"$pid"/status)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
