#!/usr/bin/env bash
# `make run`: start what exists of a local Tugboat cluster.
#
# Today that is etcd and the etcd client: the API server, scheduler,
# controllers, agents and `tug up` land with the issues that build them, and
# this script will start them. Until then it starts etcd on loopback, proves a
# round trip through Tugboat's client, and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib/etcd.bash
trap etcd_stop EXIT INT TERM
etcd_start
echo "etcd is running at $ETCD_ENDPOINT (data in $ETCD_DIR)"
build/bench-etcd --endpoints "$ETCD_ENDPOINT" --count 1000 --inflight 64
echo
echo "The control plane (tug-apiserver, tug-scheduler, tug-controllers, tug-agent, tug up)"
echo "is not built yet; see README.md. Press Ctrl-C to stop etcd."
if [ -t 0 ]; then
  wait "$ETCD_PID"
fi
