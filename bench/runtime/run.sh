#!/usr/bin/env bash
# Start-to-exit of /bin/true in the busybox image: Tugboat's runtime vs crun.
# Needs root, busybox-static and crun (apt-get install -y crun). Prints median
# and p99 of each and their ratio; the figures go to docs/performance.md.
#
#   bench/runtime/run.sh [RUNS]      (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-100}
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root" >&2; exit 2; }
command -v crun >/dev/null || { echo "run.sh: crun missing (apt-get install -y crun)" >&2; exit 2; }
make --no-print-directory build/bench-runtime >/dev/null
echo "# $(uname -r), $(nproc) CPUs, $(crun --version | head -1), runs=$runs"
exec build/bench-runtime -n "$runs"
