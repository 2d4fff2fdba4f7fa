# up.bash — a whole cluster for a bats file through `tug up`: etcd, the
# control plane and agents that are hosts in their own network namespaces.
# up_start NAME ARGS... (in setup_file) makes a temporary dir under /var/tmp
# and runs `tug up ARGS... --dir $UP`; it exports UP, TUG_CONFIG (for tug) and
# KUBECONFIG (for kubectl). up_stop (in teardown_file) runs `tug down`, which
# removes every process, namespace, bridge and rule, then the dir.

up_start() {
  local name=$1
  shift
  cd "$BATS_TEST_DIRNAME/.."
  UP="$(mktemp -d "/var/tmp/$name.XXXXXX")/up"
  export UP TUG_CONFIG="${UP%/up}/config" KUBECONFIG="$UP/kubeconfig"
  bin/tug up "$@" --dir "$UP" >"${UP%/up}/up.out" 2>&1 || {
    cat "${UP%/up}/up.out" >&2
    return 1
  }
}

up_stop() {
  cd "$BATS_TEST_DIRNAME/.."
  [ -d "${UP:-/nonexistent}" ] && bin/tug down --dir "$UP" >/dev/null 2>&1
  [ -n "${UP:-}" ] && rm -rf "${UP%/up}"
  true
}
