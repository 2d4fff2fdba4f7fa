#!/usr/bin/env bats
# tug-apiserver: Service cluster IPs and node ports, allocated as Kubernetes
# does — in range, never twice (even from two API servers at once), given
# back on delete, nothing kept by a dry run.

load lib/apiserver-suite

# The restart test replaces the suite's API server from inside a test (a
# subshell): its pid goes through a file so that teardown stops it.
teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  if [ -s "$BATS_FILE_TMPDIR/apiserver.pid" ]; then
    APISERVER_PID=$(cat "$BATS_FILE_TMPDIR/apiserver.pid")
  fi
  apiserver_stop
}

svc() { # svc NAME [extra spec json] [type]
  printf '{"apiVersion":"v1","kind":"Service","metadata":{"name":"%s"},"spec":{"type":"%s","selector":{"app":"x"},"ports":[{"port":80}]%s}}' \
    "$1" "${3:-ClusterIP}" "${2:-}"
}
SVCS=/api/v1/namespaces/default/services

# in_range IP: inside 198.19.0.0/17, not the network, broadcast or first address.
in_range() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  [ "$a.$b" = 198.19 ] && [ "$c" -lt 128 ] && [ "$1" != 198.19.0.0 ] && [ "$1" != 198.19.0.1 ] &&
    [ "$1" != 198.19.127.255 ]
}

etcd_keys() { etcd_ctl get --prefix --keys-only "$1" | grep -c . || true; }
# etcd_key KEY: 1 when exactly that key exists, else 0 (a prefix count would also
# find 198.19.1.100-109 for 198.19.1.10).
etcd_key() { etcd_ctl get --keys-only "$1" | grep -c . || true; }

@test "a ClusterIP Service gets a free address of the range, as Kubernetes fills it" {
  api POST $SVCS "$(svc auto)" >/dev/null
  [ "$code" = 201 ]
  ip=$(jq -r .spec.clusterIP <<<"$out")
  in_range "$ip"
  [ "$(jq -c .spec.clusterIPs <<<"$out")" = "[\"$ip\"]" ]
  [ "$(jq -c .spec.ipFamilies <<<"$out")" = '["IPv4"]' ]
  [ "$(jq -r .spec.ipFamilyPolicy <<<"$out")" = SingleStack ]
  etcd_ctl get --print-value-only "/registry/allocations/clusterips/$ip" | grep -q '"name":"auto"'
}

@test "a given address is kept; a taken or out-of-range one is refused with 422" {
  api POST $SVCS "$(svc given ',"clusterIP":"198.19.1.10"')" >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -r .spec.clusterIP <<<"$out")" = 198.19.1.10 ]
  api POST $SVCS "$(svc twin ',"clusterIP":"198.19.1.10"')" >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r .message <<<"$out")" = 'Service "twin" is invalid: spec.clusterIPs: Invalid value: ["198.19.1.10"]: failed to allocate IP 198.19.1.10: provided IP is already allocated' ]
  api POST $SVCS "$(svc far ',"clusterIP":"10.0.0.1"')" >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r .message <<<"$out")" = 'Service "far" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.1"]: failed to allocate IP 10.0.0.1: provided IP is not in the valid range. The range of valid IPs is 198.19.0.0/17' ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = spec.clusterIPs ]
  api GET $SVCS/twin >/dev/null
  [ "$code" = 404 ]
}

@test "a headless Service allocates nothing" {
  before=$(etcd_keys /registry/allocations/clusterips/)
  api POST $SVCS "$(svc headless ',"clusterIP":"None"')" >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -c .spec.clusterIPs <<<"$out")" = '["None"]' ]
  [ "$(etcd_keys /registry/allocations/clusterips/)" = "$before" ]
}

@test "NodePort Services get node ports in range; a taken one is refused" {
  api POST $SVCS '{"apiVersion":"v1","kind":"Service","metadata":{"name":"np"},"spec":{"type":"NodePort","ports":[{"name":"a","port":80},{"name":"b","port":81,"nodePort":30080}]}}' >/dev/null
  [ "$code" = 201 ]
  auto=$(jq -r '.spec.ports[0].nodePort' <<<"$out")
  [ "$auto" -ge 30000 ]
  [ "$auto" -le 32767 ]
  [ "$auto" != 30080 ]
  [ "$(jq -r '.spec.ports[1].nodePort' <<<"$out")" = 30080 ]
  api POST $SVCS "$(svc np2 '' NodePort | jq -c '.spec.ports[0].nodePort=30080')" >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r .message <<<"$out")" = 'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated' ]
  api POST $SVCS "$(svc np3 '' NodePort | jq -c '.spec.ports[0].nodePort=40000')" >/dev/null
  [ "$code" = 422 ]
  [[ "$(jq -r .message <<<"$out")" == *"provided port is not in the valid range. The range of valid ports is 30000-32767"* ]]
}

@test "switching type releases and allocates node ports; kept ones stay" {
  api POST $SVCS "$(svc flip '' NodePort | jq -c '.spec.ports[0].nodePort=30100')" >/dev/null
  [ "$code" = 201 ]
  ip=$(jq -r .spec.clusterIP <<<"$out")
  # A PUT of the original manifest keeps the address and the node port.
  api PUT $SVCS/flip "$(svc flip '' NodePort)" >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .spec.clusterIP <<<"$out")" = "$ip" ]
  [ "$(jq -r '.spec.ports[0].nodePort' <<<"$out")" = 30100 ]
  api PATCH $SVCS/flip '{"spec":{"type":"ClusterIP"}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r '.spec.ports[0].nodePort' <<<"$out")" = null ]
  [ "$(etcd_key /registry/allocations/nodeports/30100)" = 0 ]
  api PATCH $SVCS/flip '{"spec":{"type":"NodePort"}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  np=$(jq -r '.spec.ports[0].nodePort' <<<"$out")
  [ "$np" -ge 30000 ]
  [ "$np" -le 32767 ]
  [ "$(etcd_keys /registry/allocations/nodeports/$np)" = 1 ]
  [ "$(jq -r .spec.clusterIP <<<"$out")" = "$ip" ]
  api PATCH $SVCS/flip '{"spec":{"clusterIP":"198.19.9.9"}}' application/merge-patch+json >/dev/null
  [ "$code" = 422 ]
}

@test "delete gives the address and node ports back for reuse" {
  api POST $SVCS "$(svc gone ',"clusterIP":"198.19.2.2"' NodePort | jq -c '.spec.ports[0].nodePort=30200')" >/dev/null
  [ "$code" = 201 ]
  api DELETE $SVCS/gone >/dev/null
  [ "$code" = 200 ]
  [ "$(etcd_key /registry/allocations/clusterips/198.19.2.2)" = 0 ]
  [ "$(etcd_key /registry/allocations/nodeports/30200)" = 0 ]
  api POST $SVCS "$(svc again ',"clusterIP":"198.19.2.2"' NodePort | jq -c '.spec.ports[0].nodePort=30200')" >/dev/null
  [ "$code" = 201 ]
}

@test "deleting a namespace's services (as the namespace controller does) releases them" {
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"svcns"}}' >/dev/null
  api POST /api/v1/namespaces/svcns/services "$(svc a ',"clusterIP":"198.19.3.1"')" >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/svcns/services "$(svc b ',"clusterIP":"198.19.3.2"')" >/dev/null
  api DELETE /api/v1/namespaces/svcns/services >/dev/null
  [ "$code" = 200 ]
  # Exactly these two: a prefix count would also find an address picked at
  # random for an earlier test's Service in 198.19.3.0/24.
  [ "$(etcd_key /registry/allocations/clusterips/198.19.3.1)" = 0 ]
  [ "$(etcd_key /registry/allocations/clusterips/198.19.3.2)" = 0 ]
}

@test "a dry run shows a would-be address and stores nothing" {
  before=$(etcd_keys /registry/allocations/)
  api POST "$SVCS?dryRun=All" "$(svc dry '' NodePort)" >/dev/null
  [ "$code" = 201 ]
  in_range "$(jq -r .spec.clusterIP <<<"$out")"
  [ "$(jq -r '.spec.ports[0].nodePort' <<<"$out")" -ge 30000 ]
  [ "$(etcd_keys /registry/allocations/)" = "$before" ]
  api GET $SVCS/dry >/dev/null
  [ "$code" = 404 ]
  api POST "$SVCS?dryRun=All" "$(svc dry2 ',"clusterIP":"198.19.1.10"')" >/dev/null
  [ "$code" = 422 ]
}

@test "200 concurrent creates on two API servers get 200 distinct addresses" {
  port=$(_free_port)
  mapfile -t tls < <(apiserver_tls_flags)
  "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" "${tls[@]}" >"$ETCD_DIR/second.log" 2>&1 3>&- &
  second=$!
  wait_ready tug-apiserver "$second" "$ETCD_DIR/second.log" curl -fsS "https://127.0.0.1:$port/readyz"
  api POST /api/v1/namespaces '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"many"}}' >/dev/null
  for i in $(seq 1 200); do
    if [ $((i % 2)) = 0 ]; then url=$API; else url="https://127.0.0.1:$port"; fi
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
      --data-binary "$(svc "s$i" '' NodePort)" "$url/api/v1/namespaces/many/services" >>"$BATS_TEST_TMPDIR/codes" &
  done
  wait_all=$(jobs -p | grep -v "^$second\$" || true)
  for p in $wait_all; do wait "$p" || true; done
  kill "$second"
  wait "$second" || true
  [ "$(grep -c '^201$' "$BATS_TEST_TMPDIR/codes")" = 200 ]
  api GET /api/v1/namespaces/many/services >/dev/null
  [ "$(jq '.items | length' <<<"$out")" = 200 ]
  [ "$(jq -r '.items[].spec.clusterIP' <<<"$out" | sort -u | wc -l)" = 200 ]
  [ "$(jq -r '.items[].spec.ports[0].nodePort' <<<"$out" | sort -u | wc -l)" = 200 ]
  [ "$(etcd_keys /registry/allocations/clusterips/)" -ge 200 ]
}

@test "a restart repairs keys left without a service and restores missing ones" {
  etcd_ctl put /registry/allocations/clusterips/198.19.4.4 '{"namespace":"default","name":"ghost"}' >/dev/null
  etcd_ctl del /registry/allocations/clusterips/198.19.1.10 >/dev/null
  stop_pid "$APISERVER_PID"
  port=${API##*:}
  mapfile -t tls < <(apiserver_tls_flags)
  "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen "127.0.0.1:$port" "${tls[@]}" >>"$APISERVER_LOG" 2>&1 3>&- &
  APISERVER_PID=$!
  echo "$APISERVER_PID" >"$BATS_FILE_TMPDIR/apiserver.pid"
  wait_ready tug-apiserver "$APISERVER_PID" "$APISERVER_LOG" curl -fsS "$API/readyz"
  [ "$(etcd_key /registry/allocations/clusterips/198.19.4.4)" = 0 ]
  [ "$(etcd_key /registry/allocations/clusterips/198.19.1.10)" = 1 ]
  grep -q 'released leaked allocation' "$APISERVER_LOG"
}

@test "kubectl get svc shows CLUSTER-IP and PORT(S) with the node port" {
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
  run kubectl get svc np
  [ "$status" -eq 0 ]
  echo "$output"
  [[ "${lines[0]}" == NAME*TYPE*CLUSTER-IP*EXTERNAL-IP*PORT\(S\)*AGE ]]
  ip=$(curl -s "$API$SVCS/np" | jq -r .spec.clusterIP)
  auto=$(curl -s "$API$SVCS/np" | jq -r '.spec.ports[0].nodePort')
  [[ "${lines[1]}" == np*NodePort*"$ip"*"<none>"*"80:$auto/TCP,81:30080/TCP"* ]]
}

@test "a bad range flag stops the server at start" {
  mapfile -t tls < <(apiserver_tls_flags)
  run "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen 127.0.0.1:1 "${tls[@]}" --service-cluster-ip-range 198.19.0.0/40
  [ "$status" -eq 2 ]
  [[ "$output" == *"service cluster IP range"* ]]
  run "${APISERVER_BIN:-bin/tug-apiserver}" --etcd-servers "$ETCD_ENDPOINT" --listen 127.0.0.1:1 "${tls[@]}" --service-node-port-range 32000-31000
  [ "$status" -eq 2 ]
}
