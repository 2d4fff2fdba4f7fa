#!/usr/bin/env bash
# Run libFuzzer targets, each for SECONDS on a scratch copy of its corpus
# (fuzz/corpus/NAME; new inputs stay out of the tree), crashes written beside
# it as DIR/NAME-crash-...; prints each target's executions, rate and peak RSS,
# or the tail of its log and exits 1 at the first finding.
#   scripts/fuzz-run.sh SECONDS TARGET...   (TARGET: build/fuzz/fuzz_NAME)
# Per input: 10 s (wall clock: these machines are shared, and a second was
# crossed by inputs that take 2 ms alone) and 512 MiB; beyond it is a finding.
set -euo pipefail
secs=$1
shift
for t in "$@"; do
  n=${t##*/fuzz_}
  dir=$(dirname "$t")
  w=$dir/work-$n
  rm -rf "$w"
  mkdir -p "$w"
  cp fuzz/corpus/"$n"/* "$w"/
  if ! "$t" -timeout=10 -rss_limit_mb=512 -max_len=65536 -max_total_time="$secs" \
    -artifact_prefix="$dir/$n-" -print_final_stats=1 "$w" >"$w.log" 2>&1; then
    tail -40 "$w.log"
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$w.log" |
    sed "s/^stat::/$n: /" | tr '\n' ' '
  echo
done
