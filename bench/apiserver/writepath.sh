#!/usr/bin/env bash
# The write path side by side: CREATE of pods (32 clients, create.lua) and GET
# of one pod (32 clients), with the CPU each create cost the API server and
# etcd (from /proc, so other load on the machine does not inflate it) and how
# many writes each etcd transaction carried (apiserver_etcd_write*_total).
# Builds alternate, round after round, each with a fresh etcd and API server:
#   bench/apiserver/writepath.sh [--seconds N] [--threads N] NAME=BINARY[,ARGS...] ...
# e.g. before=/tmp/old/tug-apiserver after=bin/tug-apiserver
#      after1=bin/tug-apiserver,--etcd-write-batches,1
# ROUNDS (default 2) sets the rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
builds=()
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds | --threads) args+=("$1" "$2"); shift 2 ;;
    *=*) builds+=("$1"); shift ;;
    *) echo "usage: $0 [--seconds N] [--threads N] NAME=BINARY[,ARGS...] ..." >&2; exit 2 ;;
  esac
done
set -- "${args[@]}"
source bench/apiserver/common.bash
export APISERVER_INSECURE=1
make --no-print-directory bin/tug >/dev/null

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system ticks

one() { # one NAME BINARY[,ARGS]: a fresh server, then CREATE and GET
  local name=$1 spec=$2 extra
  IFS=, read -r -a extra <<<"$spec"
  APISERVER_BIN=${extra[0]}
  export APISERVER_BIN
  apiserver_start --threads "$threads" --max-requests-inflight 1000 "${extra[@]:1}"
  bench_namespace bench
  local a0 e0 a1 e1 n wrk_out
  a0=$(cpu "$APISERVER_PID") e0=$(cpu "$ETCD_PID")
  wrk_out=$(wrk -t2 -c32 -d"${seconds}s" --latency -s bench/apiserver/create.lua \
    "$API/api/v1/namespaces/bench/pods")
  a1=$(cpu "$APISERVER_PID") e1=$(cpu "$ETCD_PID")
  n=$(curl -fsS "$API/api/v1/namespaces/bench/pods" | jq '.items | length')
  summary "CREATE-$name" <<<"$wrk_out"
  awk -v n="$n" -v a=$((a1 - a0)) -v e=$((e1 - e0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {
    printf "  pods=%d cpu per create: apiserver %.0f us, etcd %.0f us\n", n, a*1e6/hz/n, e*1e6/hz/n}'
  curl -fsS "$API/metrics" | awk '/^apiserver_etcd_write_txns_total/ {t=$2}
    /^apiserver_etcd_writes_total/ {w=$2}
    END {if (t) printf "  etcd transactions %d for %d writes (%.1f per transaction)\n", t, w, w/t}'
  bench_fill_pods get 1
  wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/get/pods/p1" | summary "GET-$name"
  echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  apiserver_stop
}

trap apiserver_stop EXIT
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(uname -r); --threads $threads"
for round in $(seq 1 "${ROUNDS:-2}"); do
  echo "round $round"
  for b in "${builds[@]}"; do one "${b%%=*}" "${b#*=}"; done
done
