# controllers-suite.bash — etcd, tug-apiserver, one tug-agent (agent-suite.bash)
# and tug-controllers for a whole bats file. In the suite: AGENT_FLAGS=(...) and
# CONTROLLERS_FLAGS=(...) (both optional), then `load lib/controllers-suite`.
# Teardown stops the controllers first (or they would replace the pods it
# deletes), deletes every pod, then the agent suite cleans up.

source "$BATS_TEST_DIRNAME/lib/agent-suite.bash"
source "$BATS_TEST_DIRNAME/lib/controllers.bash"

eval "agent_suite_teardown_file() $(declare -f teardown_file | tail -n +2)"
eval "agent_suite_setup_file() $(declare -f setup_file | tail -n +2)"

setup_file() {
  agent_suite_setup_file
  controllers_start "${CONTROLLERS_FLAGS[@]}"
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  controllers_stop
  controllers_delete_pods
  agent_suite_teardown_file
}
