#!/usr/bin/env bats
# exec, attach, cp and port-forward end to end with stock kubectl (WebSocket:
# v5.channel.k8s.io, and SPDY/3.1 tunneled for port-forward)
# and `tug`: a real etcd, tug-apiserver and agent on this host (HTTPS on every
# hop), pods placed by spec.nodeName. One cluster for the file; teardown is
# agent-suite's (pods deleted through the API, agent stopped by PID, leftovers
# of the suite's pods removed).

load lib/agent-suite

# mkpod NAME SCRIPT [SECURITY-CONTEXT-JSON [CONTAINER-FIELDS-JSON]]: a busybox
# pod bound to $NODE whose container "main" runs sh -c SCRIPT (with the extra
# fields: stdin, tty...); it waits for it to run.
mkpod() {
  local body sc=${3:-null} extra=${4:-"{}"}
  body=$(jq -cn --arg n "$1" --arg node "$NODE" --arg s "$2" --argjson sc "$sc" \
    --argjson extra "$extra" '{apiVersion: "v1",
    kind: "Pod", metadata: {name: $n}, spec: {nodeName: $node, terminationGracePeriodSeconds: 1,
    containers: [{name: "main", image: "busybox", command: ["sh", "-c", $s],
      workingDir: "/tmp", env: [{name: "GREETING", value: "ahoy"}]}
      + (if $sc then {securityContext: $sc} else {} end) + $extra]}}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
  wait_for 20 phase_is "$1" Running
}

setup_file() {
  apiserver_suite_setup_file
  UIDS_FILE="$ETCD_DIR/pod-uids"
  : >"$UIDS_FILE"
  export UIDS_FILE
  agent_start "e2e-node-$$" --restart-backoff-seconds 1
  mkpod shell 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.5; done'
}

kc() { kubectl "$@"; }

# forward_start CMD... [<INPUT]: run a port-forward (or attach) command in the
# background with the caller's stdin (a background job's is /dev/null unless
# redirected), its PID in $FORWARD_PID, its output in
# $BATS_TEST_TMPDIR/forward.log; forward_stop ends it by that PID, also when a
# test failed (teardown).
forward_start() {
  "$@" <&0 >"$BATS_TEST_TMPDIR/forward.log" 2>&1 &
  FORWARD_PID=$!
}
forward_stop() {
  [ -n "${FORWARD_PID:-}" ] || return 0
  kill "$FORWARD_PID" 2>/dev/null || true
  wait "$FORWARD_PID" 2>/dev/null || true
  FORWARD_PID=
}
teardown() { forward_stop; }

# A local port no other suite on this machine is likely to hold.
free_port() { echo $((20000 + RANDOM % 20000)); }
answers() { curl -fsS --max-time 5 "http://127.0.0.1:$1/" >"$BATS_TEST_TMPDIR/page" 2>/dev/null; }
listening() { grep -q "Forwarding from 127.0.0.1:$1" "$BATS_TEST_TMPDIR/forward.log"; }
web_pod() {
  pod web >/dev/null 2>&1 && phase_is web Running && return 0
  mkpod web 'mkdir -p /tmp/www && echo hello-from-web >/tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www'
}

@test "exec: kubectl exec runs the command in the container with its env and working dir" {
  # Each stream checked on its own: stdout and stderr are separate channels,
  # and the order in which their frames interleave is not the protocol's.
  kc exec shell -- sh -c 'echo "$GREETING from $(pwd)"; echo oops >&2' \
    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  grep -qx "ahoy from /tmp" "$BATS_TEST_TMPDIR/out"
  grep -qx oops "$BATS_TEST_TMPDIR/err"
}

@test "exec: the command's exit code is kubectl's" {
  run kc exec shell -- false
  [ "$status" -eq 1 ]
  run kc exec shell -- sh -c 'exit 7'
  [ "$status" -eq 7 ]
  [[ "$output" == *"command terminated with exit code 7"* ]]
}

@test "exec: stdin reaches the command and its end closes it (v5)" {
  run sh -c 'printf "one\ntwo\nthree\n" | kubectl exec -i shell -- wc -l'
  [ "$status" -eq 0 ]
  [ "$(tr -d ' ' <<<"$output")" = 3 ]
}

@test "exec: -it gives sh a terminal" {
  # A terminal of 40 rows and 100 columns: kubectl passes its size on.
  run timeout 60 e2e/lib/pty-run.py 40 100 $'tty; echo "sum=$((6*7))"; stty size\nexit 3' \
    -- kubectl exec -it shell -- sh
  [ "$status" -eq 3 ]
  [[ "$output" == *"sum=42"* ]]
  [[ "$output" == *"/dev/pts/0"* ]] # a terminal of the container's own devpts
  [[ "$output" == *"40 100"* ]]
}

@test "exec: kubectl cp copies a file into the container and back" {
  head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
  run kc cp "$BATS_TEST_TMPDIR/blob" default/shell:/tmp/blob -c main
  [ "$status" -eq 0 ]
  run kc exec shell -- md5sum /tmp/blob
  [ "${output%% *}" = "$(md5sum <"$BATS_TEST_TMPDIR/blob" | cut -d' ' -f1)" ]
  run kc cp default/shell:/tmp/blob "$BATS_TEST_TMPDIR/back" -c main
  [ "$status" -eq 0 ]
  cmp "$BATS_TEST_TMPDIR/blob" "$BATS_TEST_TMPDIR/back"
}

@test "exec: the exec'd process has the container's seccomp mode, capabilities and ids" {
  mkpod locked 'sleep 3600' '{"runAsUser": 1234, "runAsGroup": 2345, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}'
  fields='^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):'
  run kc exec locked -- sh -c "grep -E '$fields' /proc/1/status; echo ---; grep -E '$fields' /proc/self/status"
  [ "$status" -eq 0 ]
  own=$(sed -n '1,/^---$/p' <<<"$output" | grep -v '^---$')
  exec_d=$(sed -n '/^---$/,$p' <<<"$output" | grep -v '^---$')
  [ "$own" = "$exec_d" ]
  grep -q '^Uid:.*1234' <<<"$exec_d"
  grep -q '^Seccomp:[[:space:]]*2' <<<"$exec_d"
  grep -q '^CapBnd:[[:space:]]*0000000000000400' <<<"$exec_d"
  grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$exec_d"
}

@test "attach: kubectl attach shows what the container writes" {
  run timeout 6 kubectl attach shell -c main
  [[ "$output" == *"tick "* ]]
}

@test "attach: stdinOnce: the first attach's input reaches the container, then its stdin ends" {
  mkpod once 'cat; echo "cat saw the end"; sleep 3600' null '{"stdin": true, "stdinOnce": true}'
  # kubectl closes its stdin at the pipe's end (v5), and with it the container's:
  # cat ends. The attach itself goes on until the client leaves.
  forward_start kubectl attach -i once -c main <<<hello-once
  wait_for 30 sh -c 'kubectl logs once | grep -q "cat saw the end"'
  wait_for 10 grep -q hello-once "$BATS_TEST_TMPDIR/forward.log"
  forward_stop
  # The stdin stays closed: a second attach's input goes nowhere.
  run timeout 5 sh -c 'echo again | bin/tug attach -i once'
  ! kubectl logs once | grep -q again
}

@test "attach: stdin stays open across attaches; tty gives the container a terminal" {
  mkpod reader 'read a; echo "got $a"; read b; echo "got $b"' null '{"stdin": true}'
  forward_start bin/tug attach -i reader <<<one
  wait_for 30 sh -c 'kubectl logs reader | grep -q "got one"'
  forward_stop
  # The second read ends the container, and with it this attach.
  run timeout 60 sh -c 'echo two | kubectl attach -i reader -c main'
  [[ "$output" == *"got two"* ]]
  mkpod term 'exec sh' null '{"stdin": true, "tty": true}'
  run timeout 60 e2e/lib/pty-run.py 40 100 $'tty; echo "sum=$((6*7))"; stty size\nexit 4' \
    -- kubectl attach -it term -c main
  [[ "$output" == *"sum=42"* ]]
  [[ "$output" == *"/dev/pts/0"* ]] # the container's own devpts
  [[ "$output" == *"40 100"* ]]     # kubectl's size, through the resize channel
  wait_for 20 sh -c '[ "$(kubectl get pod term -o jsonpath="{.status.containerStatuses[0].lastState.terminated.exitCode}")" = 4 ]'
}

@test "exec: RBAC refuses a user without create on pods/exec" {
  run kc exec shell --as alice -- true
  [ "$status" -ne 0 ]
  [[ "$output" == *"forbidden"* ]]
  # get alone is not enough for an upgrade; get and create are.
  kc create role peek --verb=get --resource=pods,pods/exec
  kc create rolebinding peek --role=peek --user=alice
  run kc exec shell --as alice -- true
  [ "$status" -ne 0 ]
  [[ "$output" == *'cannot create resource "pods/exec"'* ]]
  kc create role run --verb=create --resource=pods/exec
  kc create rolebinding run --role=run --user=alice
  run kc exec shell --as alice -- echo allowed
  [ "$status" -eq 0 ]
  [[ "$output" == *allowed* ]]
}

@test "exec: kubectl's plain SPDY fallback gets a Status naming the WebSocket to use" {
  # kubectl falls back to SPDY when a WebSocket upgrade fails; these switches
  # make it start there, as an older client would.
  run env KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false kubectl exec shell -- true
  [ "$status" -ne 0 ]
  [[ "$output" == *"SPDY/3.1 upgrades are not served for pods/exec: use a WebSocket"* ]]
  run env KUBECTL_PORT_FORWARD_WEBSOCKETS=false timeout 20 kubectl port-forward pod/shell 0:80
  [ "$status" -ne 0 ]
  [[ "$output" == *"SPDY/3.1 upgrades are not served for pods/portforward"* ]]
}

@test "port-forward: kubectl port-forward reaches the pod's port on its localhost" {
  web_pod
  local port
  port=$(free_port)
  forward_start kubectl port-forward pod/web "$port:80"
  wait_for 20 listening "$port"
  # Several connections through one session, each a stream pair of its own.
  for _ in 1 2 3; do
    answers "$port"
    [ "$(cat "$BATS_TEST_TMPDIR/page")" = hello-from-web ]
  done
  # 64 KiB each way: more than one DATA frame.
  head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
  kc exec web -- sh -c 'head -c 65536 /dev/urandom >/tmp/www/blob'
  curl -fsS --max-time 10 -o "$BATS_TEST_TMPDIR/got" "http://127.0.0.1:$port/blob"
  [ "$(wc -c <"$BATS_TEST_TMPDIR/got")" -eq 65536 ]
  kc exec web -- md5sum /tmp/www/blob | grep -q "$(md5sum <"$BATS_TEST_TMPDIR/got" | cut -d' ' -f1)"
}

@test "port-forward: a port nobody listens on comes back as kubectl's error" {
  web_pod
  local port
  port=$(free_port)
  forward_start kubectl port-forward pod/web "$port:81"
  wait_for 20 listening "$port"
  run curl -fsS --max-time 5 "http://127.0.0.1:$port/"
  [ "$status" -ne 0 ]
  wait_for 10 grep -q "error forwarding port 81 to pod default/web" "$BATS_TEST_TMPDIR/forward.log"
}

@test "port-forward: RBAC refuses a user without create on pods/portforward" {
  web_pod
  kc create role pf-peek --verb=get --resource=pods,pods/portforward
  kc create rolebinding pf-peek --role=pf-peek --user=bob
  run timeout 20 kubectl port-forward pod/web "$(free_port):80" --as bob
  [ "$status" -ne 0 ]
  [[ "$output" == *'cannot create resource "pods/portforward"'* ]]
  kc create role pf-run --verb=create --resource=pods/portforward
  kc create rolebinding pf-run --role=pf-run --user=bob
  local port
  port=$(free_port)
  forward_start kubectl port-forward pod/web "$port:80" --as bob
  wait_for 20 answers "$port"
}

@test "port-forward: tug port-forward speaks the same tunnel" {
  web_pod
  local port
  port=$(free_port)
  forward_start bin/tug port-forward pod/web "$port:80" "$((port + 1)):81"
  wait_for 20 listening "$port"
  for _ in 1 2; do
    answers "$port"
    [ "$(cat "$BATS_TEST_TMPDIR/page")" = hello-from-web ]
  done
  # 200 KiB from the pod: many DATA frames.
  kc exec web -- sh -c 'head -c 204800 /dev/urandom >/tmp/www/big'
  curl -fsS --max-time 10 -o "$BATS_TEST_TMPDIR/big" "http://127.0.0.1:$port/big"
  kc exec web -- md5sum /tmp/www/big | grep -q "$(md5sum <"$BATS_TEST_TMPDIR/big" | cut -d' ' -f1)"
  run curl -fsS --max-time 5 "http://127.0.0.1:$((port + 1))/"
  [ "$status" -ne 0 ]
  wait_for 10 grep -q "error forwarding port 81 to pod default/web" "$BATS_TEST_TMPDIR/forward.log"
}

# Over HTTPS, libmicrohttpd 0.9.75's own relay of upgraded connections moved
# 4 bytes per TLS record (~0.1 MB/s); the streams now take the connection
# from it (lib/tls-takeover.h). 4 MiB each way in 15 s is generous under load.
@test "port-forward and exec: 4 MiB each way through HTTPS in under 15 s" {
  web_pod
  local port
  port=$(free_port)
  forward_start bin/tug port-forward pod/web "$port:80"
  wait_for 20 listening "$port"
  kc exec web -- sh -c 'head -c 4194304 /dev/urandom >/tmp/www/huge'
  curl -fsS --max-time 15 -o "$BATS_TEST_TMPDIR/huge" "http://127.0.0.1:$port/huge"
  kc exec web -- md5sum /tmp/www/huge | grep -q "$(md5sum <"$BATS_TEST_TMPDIR/huge" | cut -d' ' -f1)"
  kc exec web -- rm /tmp/www/huge
  head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/up"
  run timeout 15 kubectl exec -i web -- md5sum <"$BATS_TEST_TMPDIR/up"
  [ "$status" -eq 0 ]
  [ "${output%% *}" = "$(md5sum <"$BATS_TEST_TMPDIR/up" | cut -d' ' -f1)" ]
}

@test "tug exec, attach and cp speak the same streams" {
  run bin/tug exec shell -- sh -c 'echo "$GREETING"; exit 5'
  [ "$status" -eq 5 ]
  [[ "$output" == *ahoy* ]]
  [[ "$output" == *"command terminated with exit code 5"* ]]
  run sh -c 'printf "abc" | bin/tug exec -i shell -- wc -c'
  [ "$(tr -d ' ' <<<"$output")" = 3 ]
  # The size at start, then SIGWINCH's new size on the resize channel.
  run timeout 60 e2e/lib/pty-run.py 30 90 $'tty; stty size\n#resize 20 70\nstty size\nexit 2' \
    -- bin/tug exec -it shell -- sh
  [ "$status" -eq 2 ]
  [[ "$output" == *"30 90"* ]]
  [[ "$output" == *"20 70"* ]]
  head -c 100000 /dev/urandom >"$BATS_TEST_TMPDIR/t"
  bin/tug cp "$BATS_TEST_TMPDIR/t" shell:/tmp/t
  bin/tug cp default/shell:/tmp/t "$BATS_TEST_TMPDIR/t2"
  cmp "$BATS_TEST_TMPDIR/t" "$BATS_TEST_TMPDIR/t2"
  run timeout 4 bin/tug attach shell
  [[ "$output" == *"tick "* ]]
}

@test "parity: /etc/hostname, get KIND,KIND and one row per Event series in describe" {
  run kc exec shell -- cat /etc/hostname
  [ "$output" = shell ]
  run bin/tug get svc,endpoints
  [ "$status" -eq 0 ]
  [[ "$output" == *"service/kubernetes"* ]]
  [[ "$output" == *"endpoints/kubernetes"* ]]
  # The same warning recorded as two Events (as after an agent restart) is one series.
  uid=$(kc get pod shell -o jsonpath='{.metadata.uid}')
  for n in 1 2; do
    api POST /api/v1/namespaces/default/events "$(jq -cn --arg uid "$uid" --arg n "$n" '{
      metadata: {name: ("shell.series" + $n)}, type: "Warning", reason: "Unhealthy",
      message: "Liveness probe failed: boom", count: 3, source: {component: "tug-agent"},
      firstTimestamp: "2026-01-01T00:00:00Z", lastTimestamp: "2026-01-01T00:01:00Z",
      involvedObject: {kind: "Pod", namespace: "default", name: "shell", uid: $uid}}')" >/dev/null
    [ "$code" = 201 ]
  done
  run bin/tug describe pod shell
  [ "$(grep -c 'Liveness probe failed: boom' <<<"$output")" -eq 1 ]
  [[ "$output" == *"(x6 over "* ]]
}
