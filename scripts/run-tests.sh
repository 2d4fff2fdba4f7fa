#!/usr/bin/env bash
# Run the lint checks (scripts/lint.sh), the unit tests (cmocka binaries given
# as arguments, in TAP mode), a short run of each fuzz target ($FUZZ_TARGETS,
# $FUZZ_SECONDS each, one test apiece) and the end-to-end suites (bats,
# e2e/*.bats), then print one line "N passed, N failed".
# A test binary that dies without reporting a failure counts as one failure.
set -uo pipefail
mode=all
case "${1:-}" in
  --unit-only) mode=unit; shift ;;
  --e2e-only) mode=e2e; shift ;;
esac

passed=0 failed=0 skipped=0
logdir=$(mktemp -d /tmp/tug-test-logs.XXXXXX)

count() { # count <tap-file> <exit-code> <label>
  local f=$1 rc=$2 label=$3 ok notok skip okskip notokskip
  ok=$(grep -cE '^ok ' "$f" || true)
  # bats writes a skip as "ok N ... # skip", cmocka as "not ok N ... # SKIP".
  okskip=$(grep -cE '^ok .*# (skip|SKIP)' "$f" || true)
  notokskip=$(grep -cE '^not ok .*# (skip|SKIP)' "$f" || true)
  skip=$((okskip + notokskip))
  notok=$(($(grep -cE '^not ok ' "$f" || true) - notokskip))
  passed=$((passed + ok - okskip))
  skipped=$((skipped + skip))
  failed=$((failed + notok))
  if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
    echo "FAIL: $label exited with status $rc without reporting a failing test"
    failed=$((failed + 1))
  fi
}

if [ "$mode" != e2e ]; then
  echo "== lint"
  scripts/lint.sh >"$logdir/lint.tap"
  grep -E '^(not ok|#)' "$logdir/lint.tap" || true
  count "$logdir/lint.tap" 0 lint
  for t in "$@"; do
    name=$(basename "$t")
    log="$logdir/$name.tap"
    echo "== unit: $name"
    CMOCKA_MESSAGE_OUTPUT=TAP timeout 600 "$t" >"$log" 2>"$logdir/$name.err"
    rc=$?
    grep -E '^(not ok|#)' "$log" | grep -vE '^# (not )?ok - ' || true
    [ "$rc" -ne 0 ] && tail -n 20 "$logdir/$name.err"
    count "$log" "$rc" "$name"
  done
  for t in ${FUZZ_TARGETS:-}; do
    echo "== fuzz: ${t##*/fuzz_}"
    if scripts/fuzz-run.sh "${FUZZ_SECONDS:-3}" "$t"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
fi

if [ "$mode" != unit ]; then
  suites=(e2e/*.bats)
  if [ ! -e "${suites[0]}" ]; then
    echo "== e2e: no suites"
  elif [ "$(id -u)" -ne 0 ]; then
    echo "== e2e: skipped, the end-to-end suites need root"
  else
    echo "== e2e: ${suites[*]}"
    log="$logdir/e2e.tap"
    timeout 2400 bats --tap --timing "${suites[@]}" >"$log" 2>&1
    rc=$?
    cat "$log"
    count "$log" "$rc" "bats"
  fi
fi

echo "logs: $logdir"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
