#!/usr/bin/env bash
# What the audit log costs, in one run: GET of one pod and CREATE of pods, 32
# concurrent clients each, against tug-apiserver with auditing off, at Metadata
# and at RequestResponse (every request audited, both stages written; the log
# on the same disk as etcd's data, rotating at 100 MB). Each mode gets a fresh
# etcd and server; the modes run in turn, ROUNDS times, so drift of the
# machine falls on all of them alike.
# Usage: bench/apiserver/audit.sh [--seconds N] [--threads N] (ROUNDS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver >/dev/null
# wrk knows no client certificates: it speaks to the plain loopback listener,
# where a request without a token is the cluster admin (audited as such).
export APISERVER_INSECURE=1
rounds=${ROUNDS:-2}
policy_dir=$(mktemp -d /tmp/tug-bench-audit.XXXXXX)
trap 'apiserver_stop; rm -rf "$policy_dir"' EXIT

for level in Metadata RequestResponse; do
  printf 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: %s\n' "$level" \
    >"$policy_dir/$level.yaml"
done

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "etcd: $(etcd --version | head -1); tug-apiserver --threads $threads; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); ${seconds}s per phase, $rounds rounds"

run_mode() { # run_mode off|Metadata|RequestResponse
  local flags=(--threads "$threads" --max-requests-inflight 1000)
  [ "$1" = off ] || flags+=(--audit-policy-file "$policy_dir/$1.yaml"
    --audit-log-path "$policy_dir/audit-$1.log" --audit-log-maxsize 100 --audit-log-maxbackup 1)
  apiserver_start "${flags[@]}"
  bench_namespace bench
  bench_fill_pods get 1
  wrk -t2 -c32 -d"${seconds}s" --latency "$API/api/v1/namespaces/get/pods/p1" | summary "GET-$1"
  wrk -t2 -c32 -d"${seconds}s" --latency -s bench/apiserver/create.lua \
    "$API/api/v1/namespaces/bench/pods" | summary "CREATE-$1"
  if [ "$1" != off ]; then
    local m
    m=$(curl -fsS "$API/metrics")
    echo "  audit $1: events $(awk '/^apiserver_audit_event_total/{print $2}' <<<"$m")," \
      "dropped $(awk '/^apiserver_audit_error_total/{print $2}' <<<"$m")," \
      "log $(cat "$policy_dir"/audit-"$1"*.log | wc -c) bytes; apiserver CPU $(ps -o time= -p "$APISERVER_PID")"
  fi
  apiserver_stop
  rm -f "$policy_dir"/audit-*.log
}

for round in $(seq 1 "$rounds"); do
  echo "round $round"
  for mode in off Metadata RequestResponse; do
    run_mode "$mode"
  done
done
