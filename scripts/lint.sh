#!/usr/bin/env bash
# Checks of the tree that no compiler makes, as TAP (one line per check), so
# that run-tests.sh counts them with the tests:
#   - error messages are logged as err=<quoted by TUG_LOG_Q>, never inside
#     hand-written quotes (messages hold quotes and break logfmt) nor as error=;
#   - the API server's generic code never branches on a kind's name;
#   - nothing refers to design notes outside the repository.
set -uo pipefail
cd "$(dirname "$0")/.."
n=0
check() { # check DESCRIPTION COMMAND...: ok when COMMAND prints nothing
  local found
  n=$((n + 1))
  found=$("${@:2}" 2>/dev/null)
  if [ -z "$found" ]; then
    echo "ok $n - $1"
  else
    echo "not ok $n - $1"
    sed 's/^/#   /' <<<"$found"
  fi
}
raw_error_logs() { # format strings, not comments
  git ls-files '*.c' '*.h' | grep -v '/tests/' |
    xargs grep -nE '(err|error)=\\"%s|[^_a-z]error=%s' | grep -vE '^[^:]+:[0-9]+: *(\*|/\*|//)'
}
check "error messages are logged quoted, as err=" raw_error_logs
# Kind-specific behaviour lives in the kind's strategy (apiserver/strategy-*.c),
# its validation and its table columns; Service addresses are svcalloc's own
# concern. Per-kind data (field tables) lives in apiserver/schema/, which holds
# no code that branches.
kind_branches() {
  git ls-files 'apiserver/*.c' | grep -vE '^apiserver/(validation|table|strategy-|svcalloc)' |
    xargs grep -nE 'strcmp\([^,]*kind[^,]*, "[A-Z]'
}
check "the API server's generic code never branches on a kind's name" kind_branches
outside_notes() { git grep -nE '\.\./shared/|(DESIGN|PLATFORM|STYLE)\.md' -- . ':!scripts/lint.sh'; }
check "nothing cites design notes outside the repository" outside_notes
echo "1..$n"
