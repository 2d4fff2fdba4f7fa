#!/usr/bin/env bats
# Container runtime end to end: the runtime benchmark binary builds the busybox
# image, runs /bin/true in a sandbox repeatedly and removes everything; no
# cgroup, mount or state dir of Tugboat's may stay behind.

setup() {
  cd "$BATS_TEST_DIRNAME/.."
}

# Only the benchmark's own pod (uid "bench-runtime"): other suites' or other
# programs' pods may come and go meanwhile.
leftovers() {
  find /sys/fs/cgroup/*/tug/bench-runtime -type d 2>/dev/null
  grep -E 'tug-bench-runtime|/sandboxes/bench-runtime/' /proc/self/mountinfo || true
  ls -d /var/tmp/tug-bench-runtime.* 2>/dev/null || true
}

@test "runtime: /bin/true runs in the busybox image and leaves nothing behind" {
  [ -x build/bench-runtime ] || skip "build/bench-runtime not built"
  before=$(leftovers)
  run build/bench-runtime -n 5 --no-crun
  [ "$status" -eq 0 ]
  [[ "$output" == *"tugboat start-to-exit "*"runs=5"* ]]
  [ "$(leftovers)" = "$before" ]
}
