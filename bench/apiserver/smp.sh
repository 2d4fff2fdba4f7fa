#!/usr/bin/env bash
# A strategic merge patch of ENTRIES named list entries (env vars of a
# Deployment's container, merged by name) against each tug-apiserver binary
# named (default bin/tug-apiserver; name an older build to compare). Each
# patch is a dry run: merged with its managed fields, the object is more than
# etcd takes in one request, and merging is what is measured. Prints, for
# each of RUNS patches, the HTTP code, the wall time and the API server's
# CPU time (user + system, from /proc: the figure that a loaded machine
# moves least).
# With --stored N the Deployment first stores N of those entries (for real),
# so that the patch merges into a list as long (etcd takes about 8,000).
#   bench/apiserver/smp.sh [--entries N] [--stored N] [--runs N] [APISERVER...]
set -euo pipefail
cd "$(dirname "$0")/../.."
entries=20000 stored=0 runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --entries) entries=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --stored) stored=$2; shift 2 ;;
    *) break ;;
  esac
done
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(bin/tug-apiserver)
BATS_TEST_DIRNAME=$PWD/e2e
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
# cpu_ticks PID: user + system clock ticks the process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pid=
trap '[ -z "$pid" ] || stop_pid "$pid"; etcd_stop' EXIT
echo "date: $(date -u +%FT%TZ)  machine: $(nproc) cores, $(uname -r)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
etcd_start
_curl_home
printf 'bench-admin-token,bench-admin,bench-admin-uid,"system:masters"\n' >"$PKI/tokens.csv"
work=$(mktemp -d)
patch_of() { # patch_of N: the patch with N env entries
  jq -cn --argjson n "$1" '{spec: {template: {spec: {containers: [{name: "web",
  env: [range(0; $n) | {name: "VAR_\(.)", value: "x"}]}]}}}}'
}
patch_of "$entries" >"$work/patch.json"
patch_of "$stored" >"$work/stored.json"
echo "patch: $entries env entries, $(stat -c %s "$work/patch.json") bytes, into $stored stored"
mapfile -t tls < <(apiserver_tls_flags)
n=0
for bin in "${bins[@]}"; do
  n=$((n + 1))
  port=$(_free_port)
  API="https://127.0.0.1:$port"
  "$bin" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" "${tls[@]}" >"$work/apiserver.log" 2>&1 &
  pid=$!
  wait_ready tug-apiserver "$pid" "$work/apiserver.log" curl -fsS "$API/readyz"
  name="smp-$n"
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
    "$API/apis/apps/v1/namespaces/default/deployments" -d "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",
    \"metadata\":{\"name\":\"$name\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"$name\"}},
    \"template\":{\"metadata\":{\"labels\":{\"app\":\"$name\"}},
    \"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"busybox\"}]}}}}"
  [ "$stored" = 0 ] || curl -fsS -o /dev/null -X PATCH --max-time 600 \
    -H 'Content-Type: application/strategic-merge-patch+json' --data-binary @"$work/stored.json" \
    "$API/apis/apps/v1/namespaces/default/deployments/$name"
  times=()
  for _ in $(seq "$runs"); do
    before=$(cpu_ticks "$pid")
    wall=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}s' -X PATCH --max-time 600 \
      -H 'Content-Type: application/strategic-merge-patch+json' --data-binary @"$work/patch.json" \
      "$API/apis/apps/v1/namespaces/default/deployments/$name?dryRun=All")
    times+=("$wall cpu=$(awk -v a="$before" -v b="$(cpu_ticks "$pid")" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {printf "%.2fs", (b - a) / hz}')")
  done
  echo "$bin: ${times[*]}"
  stop_pid "$pid"
  pid=
done
rm -rf "$work"
