#!/usr/bin/env bash
# Start a throw-away etcd on loopback, run bench/etcd against it (sequential,
# then concurrent on one channel), print the machine and etcd version, stop it.
#   bench/etcd/run.sh [--count N] [--inflight K] [--value-size B]
set -euo pipefail
cd "$(dirname "$0")/../.."
make --no-print-directory build/bench-etcd >/dev/null
source e2e/lib/etcd.bash
trap etcd_stop EXIT
etcd_start
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "etcd: $(etcd --version | head -1)"
build/bench-etcd --endpoints "$ETCD_ENDPOINT" "$@"
