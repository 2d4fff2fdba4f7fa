#!/usr/bin/env bats
# Foundation end to end: the throw-away etcd used by every suite starts and
# stops cleanly, and the etcd client drives a real etcd from a real binary.

setup_file() {
  cd "$BATS_TEST_DIRNAME/.."
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  source e2e/lib/etcd.bash
}

teardown() {
  etcd_stop
}

@test "deps: a machine with every package installed needs no install" {
  run scripts/deps.sh gcc make bats
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "etcd helper starts a healthy etcd on loopback and stops it without leftovers" {
  etcd_start
  [[ "$ETCD_ENDPOINT" == https://127.0.0.1:* ]]
  # TLS with client certificates: without one etcd refuses.
  ! ETCDCTL_API=3 timeout 10 etcdctl --endpoints "$ETCD_ENDPOINT" --cacert "$PKI/ca.crt" \
    --dial-timeout 2s get /x
  pid=$ETCD_PID dir=$ETCD_DIR
  kill -0 "$pid"
  etcd_stop
  ! kill -0 "$pid" 2>/dev/null
  [ ! -e "$dir" ]
}

@test "etcd client binary writes through a real etcd, one at a time and 16 in flight" {
  etcd_start
  run build/bench-etcd --endpoints "$ETCD_ENDPOINT" --pki "$PKI" --count 300 --inflight 16 \
    --value-size 64
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == sequential*puts=300* ]]
  [[ "${lines[1]}" == concurrent*inflight=16*puts=300* ]]
  # The benchmark removes its keys when it is done.
  run etcd_ctl get --prefix /bench/ --keys-only
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "etcd client binary reports an unreachable etcd instead of hanging" {
  run timeout 30 build/bench-etcd --endpoints http://127.0.0.1:1 --count 1
  [ "$status" -eq 1 ]
  [[ "$output" == *"put /bench/seq/00000000: etcd: Deadline Exceeded"* ]]
}
