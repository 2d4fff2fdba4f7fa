#!/usr/bin/env bash
# Checks of the tree that no compiler makes, as TAP (one line per check), so
# that run-tests.sh counts them with the tests:
#   - error messages are logged as err=<quoted by TUG_LOG_Q>, never inside
#     hand-written quotes (messages hold quotes and break logfmt) nor as error=;
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
outside_notes() { git grep -nE '\.\./shared/|DESIGN\.md' -- . ':!scripts/lint.sh'; }
check "nothing cites design notes outside the repository" outside_notes
echo "1..$n"
