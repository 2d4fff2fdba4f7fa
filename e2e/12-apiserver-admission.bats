#!/usr/bin/env bats
# tug-apiserver: admission (LimitRange, PriorityClass, terminating namespaces),
# watch filters and bookmarks, and overload: 429 and slow watchers.

# The plain in-flight limit is tested with fairness off: with it on, the admin
# (system:masters) is exempt, as in Kubernetes; e2e/72-fairness tests the queues.
APISERVER_FLAGS=(--max-requests-inflight 2 --watch-queue-events 5 --enable-priority-and-fairness false)
load lib/apiserver-suite

pod() { # pod NAME NS [extra container json] [extra spec json]
  printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s","labels":{"app":"y"}},"spec":{"containers":[{"name":"c","image":"busybox:latest"%s}]%s}}' \
    "$1" "$2" "${3:-}" "${4:-}"
}

@test "LimitRange fills container resources and enforces max" {
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"lr"}}' >/dev/null
  api POST /api/v1/namespaces/lr/limitranges '{"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"l"},"spec":{"limits":[{"type":"Container","default":{"cpu":"200m"},"defaultRequest":{"cpu":"100m"},"max":{"cpu":"1"}}]}}' >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/lr/pods "$(pod plain lr)" >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -r '.spec.containers[0].resources.limits.cpu' <<<"$out")" = 200m ]
  [ "$(jq -r '.spec.containers[0].resources.requests.cpu' <<<"$out")" = 100m ]
  api POST /api/v1/namespaces/lr/pods "$(pod big lr ',"resources":{"limits":{"cpu":"2"}}')" >/dev/null
  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *"maximum cpu usage per Container is 1, but limit is 2"* ]]
}

@test "PriorityClass names set spec.priority; unknown names are refused" {
  api POST /apis/scheduling.k8s.io/v1/priorityclasses '{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"high"},"value":1000}' >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/default/pods "$(pod prio default '' ',"priorityClassName":"high"')" >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -r .spec.priority <<<"$out")" = 1000 ]
  api POST /api/v1/namespaces/default/pods "$(pod noprio default '' ',"priorityClassName":"nope"')" >/dev/null
  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *"no PriorityClass with name nope was found"* ]]
}

@test "a deleted namespace is Terminating and takes no new objects" {
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"doomed"}}' >/dev/null
  api DELETE /api/v1/namespaces/doomed >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .status.phase <<<"$out")" = Terminating ]
  api POST /api/v1/namespaces/doomed/pods "$(pod late doomed)" >/dev/null
  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *"because it is being terminated"* ]]
  # Finalizing (the namespace controller's last step) lets it go.
  api PUT /api/v1/namespaces/doomed/finalize '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"doomed"},"spec":{"finalizers":[]}}' >/dev/null
  [ "$code" = 200 ]
  api GET /api/v1/namespaces/doomed >/dev/null
  [ "$code" = 404 ]
}

@test "a watch with a label selector sees objects enter and leave it" {
  # From the list's resourceVersion: a watch that connects late replays what it missed.
  rv=$(api GET /api/v1/namespaces/default/pods | jq -r .metadata.resourceVersion)
  curl -sN "$API/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dx&resourceVersion=$rv&timeoutSeconds=5" >"$BATS_TEST_TMPDIR/w" &
  wpid=$!
  sleep 0.3
  api POST /api/v1/namespaces/default/pods "$(pod mover default)" >/dev/null
  api PATCH /api/v1/namespaces/default/pods/mover '{"metadata":{"labels":{"app":"x"}}}' application/merge-patch+json >/dev/null
  api PATCH /api/v1/namespaces/default/pods/mover '{"metadata":{"labels":{"tier":"1"}}}' application/merge-patch+json >/dev/null
  api PATCH /api/v1/namespaces/default/pods/mover '{"metadata":{"labels":{"app":"z"}}}' application/merge-patch+json >/dev/null
  wait $wpid || true
  [ "$(jq -r '.type' "$BATS_TEST_TMPDIR/w" | tr '\n' ' ')" = "ADDED MODIFIED DELETED " ]
}

@test "bookmarks carry the resourceVersion when asked for" {
  run curl -sN "$API/api/v1/namespaces/default/pods?watch=true&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=2"
  bm=$(jq -r 'select(.type=="BOOKMARK") | .object.metadata.resourceVersion' <<<"$output" | tail -1)
  [ "$bm" -gt 0 ]
}

@test "a watcher that does not read is closed, not buffered without bound" {
  port=${API##*:}
  # A TLS client that sends its request and never reads: openssl s_client
  # writing into a FIFO nobody reads from.
  mkfifo "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
  openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$PKI/ca.crt" \
    -cert "$PKI/admin.crt" -key "$PKI/admin.key" <"$BATS_TEST_TMPDIR/in" \
    >"$BATS_TEST_TMPDIR/out" 2>/dev/null 3>&- &
  sclient=$!
  exec 7>"$BATS_TEST_TMPDIR/in" 8<"$BATS_TEST_TMPDIR/out"
  printf 'GET /api/v1/namespaces/default/pods?watch=true HTTP/1.1\r\nHost: x\r\n\r\n' >&7
  sleep 0.5
  big=$(head -c 100000 /dev/zero | tr '\0' 'x')
  for i in $(seq 1 120); do
    printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"slow-%s","annotations":{"a":"%s"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}' "$i" "$big" >"$BATS_TEST_TMPDIR/p.json"
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$BATS_TEST_TMPDIR/p.json" "$API/api/v1/namespaces/default/pods"
  done
  # Events reach watchers after the creates return, from the cache's own thread.
  wait_for 10 grep -q 'msg="watcher too slow, closing"' "$APISERVER_LOG"
  exec 7>&- 8<&-
  kill "$sclient" 2>/dev/null || true
  wait "$sclient" 2>/dev/null || true
  wait_for 10 sh -c "curl -fsS '$API/metrics' | grep -qE '^apiserver_terminated_watchers_total\{resource=\"pods\"\} [1-9]'"
}

@test "a watch from further back than --watch-queue-events gets every event, not an early end" {
  # The suite allows 5 unread live events; the 12 events replayed from the
  # window are not the client's slowness and must all arrive.
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"replay"}}' >/dev/null
  api GET /api/v1/namespaces/replay/pods >/dev/null
  rv=$(jq -r .metadata.resourceVersion <<<"$out")
  for i in $(seq 1 12); do
    api POST /api/v1/namespaces/replay/pods "$(pod "r-$i" replay)" >/dev/null
    [ "$code" = 201 ]
  done
  run curl -sN "$API/api/v1/namespaces/replay/pods?watch=true&resourceVersion=$rv&timeoutSeconds=2"
  [ "$(jq -r 'select(.type=="ADDED") | .object.metadata.name' <<<"$output" | wc -l)" = 12 ]
  ! grep -q 'namespace=replay' "$APISERVER_LOG"
}

@test "beyond --max-requests-inflight the answer is 429 with Retry-After" {
  # Lists of the large pods above are slow enough that 100 clients overlap
  # on the 2 slots: some must be turned away, none may fail otherwise.
  seq 1 100 | xargs -P 100 -I{} curl -s -o /dev/null -D "$BATS_TEST_TMPDIR/h{}" \
    -w '%{http_code}\n' "$API/api/v1/pods" >"$BATS_TEST_TMPDIR/codes"
  grep -q '^429$' "$BATS_TEST_TMPDIR/codes"
  grep -q '^200$' "$BATS_TEST_TMPDIR/codes"
  ! grep -vqE '^(200|429)$' "$BATS_TEST_TMPDIR/codes"
  grep -qi '^Retry-After: 1' "$BATS_TEST_TMPDIR"/h*
  # A lone request is served again.
  api GET /api/v1/namespaces/default/pods/slow-1 >/dev/null
  [ "$code" = 200 ]
}
