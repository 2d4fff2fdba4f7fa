#!/usr/bin/env bash
# NetworkPolicy's cost on the packet path, on a `tug up --nodes 2` cluster in
# a temporary dir: wrk from a client pod on node 1 to a busybox httpd pod on
# node 2 by pod IP (busybox httpd closes every connection, so every request
# is a new connection that walks the policy rules; replies and the rest of a
# connection pass on conntrack), in rounds that alternate:
#  - no policy;
#  - POLICIES policies selecting the server, POLICIES-1 of them admitting an
#    address block no client is in (10.X.Y.0/24: one rule each; a selector
#    that picks no pod would make no rule at all) and the last (in name
#    order) the client, so every new connection walks the whole chain before
#    it is accepted.
# Then the end-to-end programming latency with those policies in place: a
# deny-all policy is POSTed and the client polls (curl every ~10 ms) until
# its connection is refused; RUNS times, the policy deleted between runs.
#   bench/netpol/run.sh [SECONDS] [POLICIES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
policies=${2:-1000}
runs=${3:-10}
. bench/lib/tug-up.bash
bench_up 2 netpol
pod echo tug-node-2 echo 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'
pod client tug-node-1 client 'exec sleep 100000'
for p in echo client; do
  for _ in $(seq 300); do
    [ "$($T get pod $p -n bench -o json | jq -r '.status.podIP // ""')" != "" ] && break
    sleep 0.2
  done
done
uid=$($T get pod client -n bench -o json | jq -r .metadata.uid)
netns="$tmp/up/tug-node-1/state/sandboxes/$uid/ns/net"
pip=$($T get pod echo -n bench -o json | jq -r .status.podIP)
url="http://$pip:8080/"
for i in $(seq -w 1 "$((policies - 1))"); do
  printf -- '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p%s, namespace: bench}\nspec:\n  podSelector: {matchLabels: {app: echo}}\n  ingress: [{from: [{ipBlock: {cidr: 10.%d.%d.0/24}}], ports: [{port: 8080}]}]\n' "$i" "$((10#$i / 250))" "$((10#$i % 250))"
done >"$tmp/policies.yaml"
cat >>"$tmp/policies.yaml" <<'YAML'
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: zz-client, namespace: bench}
spec:
  podSelector: {matchLabels: {app: echo}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 8080}]}]
YAML
node2=$(awk '$1 == "netns" && $2 ~ /-node-2$/ {print $2}' "$tmp/up/network")
# The policy rules node 2 holds for the server (one per policy).
chain_rules() { ip netns exec "$node2" nft list table ip tugboat | grep -c 'dport 8080 accept$' || true; }
run_wrk() { # LABEL
  local out
  out=$(nsenter --net="$netns" wrk -t 2 -c 8 -d "${secs}s" --latency "$url")
  printf '%-34s %10s req/s   p50 %8s   p99 %8s   %s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$(awk '/Socket errors|Non-2xx/' <<<"$out")"
}
echo "wrk -t 2 -c 8 -d ${secs}s, client pod on node 1 -> pod IP on node 2, new connection per request:"
for round in 1 2; do
  $T delete netpol --all -n bench >/dev/null 2>&1 || true
  for _ in $(seq 300); do [ "$(chain_rules)" -eq 0 ] && break; sleep 0.2; done
  run_wrk "no policy (round $round)"
  start=$(date +%s.%N)
  $T apply -f "$tmp/policies.yaml" >/dev/null
  for _ in $(seq 1500); do [ "$(chain_rules)" -ge "$policies" ] && break; sleep 0.2; done
  echo "  $policies policies created and programmed on node 2 in $(echo "$(date +%s.%N) - $start" | bc) s (rules: $(chain_rules))"
  nsenter --net="$netns" curl -sS --max-time 3 "$url" >/dev/null
  run_wrk "$policies policies (round $round)"
done
echo "programming latency, deny-all POSTed beside $policies policies -> client refused:"
: >"$tmp/lat"
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  $T apply -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: bench}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
YAML
  while nsenter --net="$netns" curl -s --max-time 1 "$url" >/dev/null; do sleep 0.01; done
  echo $((($(date +%s%N) - start) / 1000000)) >>"$tmp/lat"
  $T delete netpol deny-all -n bench >/dev/null
  until nsenter --net="$netns" curl -s --max-time 1 "$url" >/dev/null; do sleep 0.05; done
done
sort -n "$tmp/lat" | awk '{a[NR] = $1} END {printf "  runs=%d median=%d ms p90=%d ms max=%d ms\n", NR, a[int((NR + 1) / 2)], a[int(NR * 0.9 + 0.5)], a[NR]}'
for n in 1 2; do
  pid=$(awk -v n="tug-node-$n" '$2 == n {print $1}' "$tmp/up/state")
  echo "tug-node-$n RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/"$pid"/status)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
