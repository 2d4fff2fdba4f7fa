# apiserver-suite.bash — one etcd and one tug-apiserver for a whole bats file.
# In the suite: APISERVER_FLAGS=(...) (optional), then `load lib/apiserver-suite`.
# A suite that needs more set-up defines setup_file itself and calls
# apiserver_suite_setup_file first.
source "$BATS_TEST_DIRNAME/lib/etcd.bash"
source "$BATS_TEST_DIRNAME/lib/apiserver.bash"

apiserver_suite_setup_file() {
  cd "$BATS_TEST_DIRNAME/.."
  apiserver_start "${APISERVER_FLAGS[@]}"
}

setup_file() { apiserver_suite_setup_file; }

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  apiserver_stop
}

setup() { cd "$BATS_TEST_DIRNAME/.."; }
