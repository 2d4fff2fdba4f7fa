#!/usr/bin/env bats
# tug-apiserver housekeeping: etcd compaction (what relied on old revisions
# expires with 410 while the watch cache keeps serving) and a clean shutdown.

APISERVER_FLAGS=(--compaction-interval 1)
load lib/apiserver-suite

pod() {
  printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}' "$1"
}

@test "a continue token from before a compaction is 410; fresh reads still work" {
  for i in 1 2 3; do api POST /api/v1/namespaces/default/pods "$(pod c$i)" >/dev/null; done
  api GET '/api/v1/namespaces/default/pods?limit=1' >/dev/null
  cont=$(jq -r .metadata.continue <<<"$out")
  [ -n "$cont" ]
  [ "$cont" != null ]
  # Writes move the revision on; two compaction ticks later the token's revision
  # is gone (the ticks are 1 s apart, later on a loaded machine: poll for it).
  for i in 4 5 6; do api POST /api/v1/namespaces/default/pods "$(pod c$i)" >/dev/null; done
  expired() { api GET "/api/v1/namespaces/default/pods?limit=1&continue=$cont" >/dev/null; [ "$code" = 410 ]; }
  wait_for 20 expired
  grep -q 'msg="compacted etcd"' "$APISERVER_LOG"
  [ "$(jq -r .reason <<<"$out")" = Expired ]
  api GET /api/v1/namespaces/default/pods >/dev/null
  [ "$code" = 200 ]
  [ "$(jq '.items | length' <<<"$out")" = 6 ]
  api POST /api/v1/namespaces/default/pods "$(pod c7)" >/dev/null
  [ "$code" = 201 ]
}

@test "watches of clients that went away are closed within seconds" {
  pids=()
  for i in 1 2 3; do
    curl -sN "$API/api/v1/namespaces/default/endpoints?watch=true" >/dev/null &
    pids+=($!)
  done
  watchers() { curl -fsS "$API/metrics" | awk -F' ' '/^apiserver_registered_watchers\{resource="endpoints"\}/{print $2}'; }
  watchers_are() { [ "$(watchers)" = "$1" ]; }
  wait_for 10 watchers_are 3
  kill -9 "${pids[@]}"
  wait "${pids[@]}" 2>/dev/null || true
  wait_for 10 watchers_are 0
}

@test "SIGTERM with open watches shuts down cleanly and quickly" {
  for i in 1 2 3 4 5; do
    curl -sN "$API/api/v1/pods?watch=true" >/dev/null &
  done
  sleep 0.5
  start=$(date +%s%N)
  kill "$APISERVER_PID"
  status=0
  for _ in $(seq 1 50); do kill -0 "$APISERVER_PID" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$APISERVER_PID" 2>/dev/null
  took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  ! grep -qi "fatal" "$APISERVER_LOG"
  grep -q 'msg="stopping"' "$APISERVER_LOG"
  [ "$took_ms" -lt 3000 ]
  wait
}
