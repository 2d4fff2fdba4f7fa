#!/usr/bin/env bats
# Pod networking and Services end to end: `tug up --nodes 3` in a temporary
# dir, so each agent is a host in its own network namespace on a host bridge
# (cli/up-network.c). Pods on three nodes reach each other by pod IP and
# through Services (nftables rules programmed by every agent). Requests from
# "inside a pod" run the host's curl in that pod's network namespace
# (nsenter --net on the sandbox's pinned ns file), or busybox wget in a
# client pod. teardown_file runs `tug down`, which removes every process,
# namespace, bridge and rule; the last test checks that it did.

load lib/etcd
load lib/up

setup_file() {
  # The echo pods' readiness flags are hostPaths under /var/tmp.
  up_start tug-net --nodes 3 --allowed-host-paths /var/tmp
  FLAGS="${UP%/up}/flags"
  mkdir -p "$FLAGS"
  export FLAGS
  # echo_pod's readiness flag is a hostPath volume, which Pod Security's
  # baseline (the default) refuses.
  bin/tug apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: net
  labels: {pod-security.kubernetes.io/enforce: privileged}
YAML
}

teardown_file() {
  up_stop
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  T=bin/tug
}

# node_addr NODE: the node's host address (its InternalIP).
node_addr() {
  $T get node "$1" -o json | jq -r '.status.addresses[] | select(.type=="InternalIP") | .address'
}

# node_netns NODE: the name of the node's network namespace (tugK-node-I).
node_netns() {
  awk -v s="-node-${1##*-}" '$1 == "netns" && substr($2, length($2) - length(s) + 1) == s {print $2}' \
    "$UP/network"
}

# veths NODE: how many pod veths the node's namespace holds.
veths() { ip -n "$(node_netns "$1")" -o link show master tug0 | wc -l; }

# pods_on NODE: how many pods of the cluster have an address on NODE.
pods_on() {
  $T get pods -A -o json | jq --arg n "$1" '[.items[] | select(.spec.nodeName == $n and (.status.podIP // "") != "")] | length'
}

pod_ip() { $T get pod "$1" -n net -o json | jq -r '.status.podIP // ""'; }
pod_uid() { $T get pod "$1" -n net -o json | jq -r .metadata.uid; }
pod_node() { $T get pod "$1" -n net -o json | jq -r .spec.nodeName; }

# in_pod POD CMD...: CMD (a host binary) in the pod's network namespace.
in_pod() {
  local pod=$1 uid node
  shift
  uid=$(pod_uid "$pod")
  node=$(pod_node "$pod")
  nsenter --net="$UP/$node/state/sandboxes/$uid/ns/net" "$@"
}

# echo_pod NAME NODE [LABEL]: busybox httpd on 8080 answering its own name,
# Ready while $FLAGS/NAME exists (a hostPath readiness flag).
echo_pod() {
  mkdir -p "$FLAGS/$1"
  touch "$FLAGS/$1/ready"
  $T apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: net, labels: {app: ${3:-echo}}}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 1
  volumes: [{name: flags, hostPath: {path: $FLAGS/$1}}]
  containers:
  - name: httpd
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo \$HOSTNAME > /www/index.html && exec httpd -f -p 8080 -h /www"]
    volumeMounts: [{name: flags, mountPath: /flags}]
    readinessProbe:
      exec: {command: ["test", "-f", "/flags/ready"]}
      periodSeconds: 1
      failureThreshold: 1
YAML
}

ready() { [ "$($T get pod "$1" -n net -o json | jq -r '.status.conditions[]? | select(.type=="Ready") | .status')" = True ]; }

# no_dnat_to NODE IP...: NODE's agent has programmed no Service rule sending
# connections to any of the IPs (port 8080). The agents apply an Endpoints
# change some time after the API shows it.
no_dnat_to() {
  local rules ip
  rules=$(ip netns exec "$(node_netns "$1")" nft list table ip tugboat) || return 1
  shift
  for ip in "$@"; do
    ! grep -qF " $ip:8080" <<<"$rules" || return 1
  done
}

@test "network: every node has a pod CIDR and its pods get addresses from it" {
  for n in 1 2 3; do
    cidr=$($T get node tug-node-$n -o json | jq -r .spec.podCIDR)
    [[ "$cidr" == 198.18.*.0/24 ]]
  done
  echo_pod echo-1 tug-node-2
  echo_pod echo-2 tug-node-2
  echo_pod echo-3 tug-node-3
  echo_pod peer-1 tug-node-1 peer
  for p in echo-1 echo-2 echo-3 peer-1; do wait_for 60 ready "$p"; done
  for p in echo-1 echo-2 echo-3 peer-1; do
    ip=$(pod_ip "$p")
    cidr=$($T get node "$(pod_node "$p")" -o json | jq -r .spec.podCIDR)
    [ "${ip%.*}" = "${cidr%.*}" ] || { echo "$p: $ip not in $cidr"; false; }
  done
  [ "$(pod_ip echo-1)" != "$(pod_ip echo-2)" ]
  run $T get pods -n net -o wide
  [[ "$output" == *"$(pod_ip echo-3)"* ]]
}

@test "network: pods on different nodes reach each other by pod IP" {
  for p in echo-1 echo-2 echo-3; do
    run in_pod peer-1 curl -sS --max-time 5 "http://$(pod_ip "$p"):8080/"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "$p" ]
  done
  run in_pod echo-3 curl -sS --max-time 5 "http://$(pod_ip echo-1):8080/"
  [ "$output" = echo-1 ]
}

@test "network: a client pod reaches a Service over 60 requests and sees all three replicas" {
  $T apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: net}
spec:
  selector: {app: echo}
  ports: [{name: http, port: 80, targetPort: 8080}]
YAML
  wait_for 30 sh -c "$T get endpoints echo -n net -o json | jq -e '[.subsets[]?.addresses[]?] | length == 3' >/dev/null"
  vip=$($T get svc echo -n net -o json | jq -r .spec.clusterIP)
  [[ "$vip" == 198.19.* ]]
  # Settled Endpoints are not written again (a Service without labels once
  # made the controller rewrite them in a loop).
  rv=$($T get endpoints echo -n net -o json | jq -r .metadata.resourceVersion)
  sleep 2
  [ "$($T get endpoints echo -n net -o json | jq -r .metadata.resourceVersion)" = "$rv" ]
  $T apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: net}
spec:
  nodeName: tug-node-1
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:latest
    command: ["sh", "-c", "echo host=$ECHO_SERVICE_HOST port=$ECHO_SERVICE_PORT api=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT; grep -c echo.net.svc /etc/hosts; for i in $(seq 60); do timeout 5 wget -q -O - http://echo.net.svc/; done"]
YAML
  wait_for 60 sh -c "$T get pod client -n net -o json | jq -e '.status.phase == \"Succeeded\"' >/dev/null"
  run $T logs client -n net
  # The kubernetes Service (default namespace) is every pod's, whatever its namespace.
  [ "${lines[0]}" = "host=$vip port=80 api=198.19.0.1:443" ]
  [ "${lines[1]}" = 1 ]
  [ "$(printf '%s\n' "${lines[@]:2}" | grep -c '^echo-')" -eq 60 ]
  [ "$(printf '%s\n' "${lines[@]:2}" | sort -u | grep -c '^echo-')" -eq 3 ]
}

@test "network: pods resolve Services created after they started through the node's DNS" {
  $T apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: dnsclient, namespace: net}
spec:
  nodeName: tug-node-3
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:latest
    command: ["sh", "-c", "cat /etc/resolv.conf; for i in $(seq 60); do out=$(timeout 3 wget -q -O - http://late/ 2>/dev/null) && echo \"got $out\" && nslookup late.net.svc.cluster.local && exit 0; sleep 0.5; done; exit 1"]
YAML
  wait_for 30 sh -c "$T get pod dnsclient -n net -o json | jq -e '.status.phase == \"Running\"' >/dev/null"
  $T apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: late, namespace: net}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
YAML
  vip=$($T get svc late -n net -o json | jq -r .spec.clusterIP)
  wait_for 60 sh -c "$T get pod dnsclient -n net -o json | jq -e '.status.phase == \"Succeeded\"' >/dev/null" || {
    $T logs dnsclient -n net
    false
  }
  run $T logs dnsclient -n net
  [[ "$output" == *"search net.svc.cluster.local svc.cluster.local cluster.local"* ]]
  [[ "$output" == *"got echo-"* ]]
  [[ "$output" == *"$vip"* ]]
}

@test "network: a replica whose readiness probe fails gets no new connections" {
  vip=$($T get svc echo -n net -o json | jq -r .spec.clusterIP)
  rm "$FLAGS/echo-3/ready"
  wait_for 30 sh -c "! $T get pod echo-3 -n net -o json | jq -e '.status.conditions[] | select(.type==\"Ready\") | .status == \"True\"' >/dev/null"
  wait_for 30 sh -c "$T get endpoints echo -n net -o json | jq -e '[.subsets[]?.addresses[]?] | length == 2' >/dev/null"
  wait_for 30 no_dnat_to "$(pod_node peer-1)" "$(pod_ip echo-3)"
  out=$(for i in $(seq 30); do in_pod peer-1 curl -sS --max-time 3 "http://$vip/"; done)
  [ "$(grep -c '^echo-[12]$' <<<"$out")" -eq 30 ]
  touch "$FLAGS/echo-3/ready"
  wait_for 30 sh -c "$T get endpoints echo -n net -o json | jq -e '[.subsets[]?.addresses[]?] | length == 3' >/dev/null"
}

@test "network: a Service scaled to 0 fails fast, and works again at 2" {
  $T apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: net}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox:latest
        command: ["sh", "-c", "mkdir -p /www && echo api > /www/index.html && exec httpd -f -p 8080 -h /www"]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: net}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
YAML
  $T rollout status deployment/api -n net --timeout 60 >/dev/null
  vip=$($T get svc api -n net -o json | jq -r .spec.clusterIP)
  wait_for 30 sh -c "[ \"\$(nsenter --net=$UP/$(pod_node peer-1)/state/sandboxes/$(pod_uid peer-1)/ns/net curl -sS --max-time 2 http://$vip/)\" = api ]"
  api_ips=$($T get pods -n net -l app=api -o json | jq -r '.items[].status.podIP // empty')
  [ -n "$api_ips" ]
  $T scale deployment/api -n net --replicas 0 >/dev/null
  wait_for 30 sh -c "$T get endpoints api -n net -o json | jq -e '[.subsets[]?.addresses[]?] | length == 0' >/dev/null"
  # shellcheck disable=SC2086
  wait_for 30 no_dnat_to "$(pod_node peer-1)" $api_ips
  start=$(date +%s%N)
  run in_pod peer-1 curl -sS --max-time 5 "http://$vip/"
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  [ "$status" -ne 0 ]
  [ "$elapsed_ms" -lt 2000 ] || { echo "$output after $elapsed_ms ms"; false; }
  $T scale deployment/api -n net --replicas 2 >/dev/null
  $T rollout status deployment/api -n net --timeout 60 >/dev/null
  wait_for 30 sh -c "[ \"\$(nsenter --net=$UP/$(pod_node peer-1)/state/sandboxes/$(pod_uid peer-1)/ns/net curl -sS --max-time 2 http://$vip/)\" = api ]"
}

@test "network: a NodePort answers on every node's host address" {
  $T apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: echo-np, namespace: net}
spec:
  type: NodePort
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
YAML
  for n in 1 2 3; do
    addr=$(node_addr tug-node-$n)
    [[ "$addr" == 198.19.2* ]]
    wait_for 20 sh -c "curl -sS --max-time 2 http://$addr:30080/ | grep -q '^echo-'"
  done
}

@test "network: an agent restart keeps pod IPs and Service rules" {
  # Pod IPs and container start times: the pods keep running, untouched.
  node2_pods() {
    $T get pods -n net -o json | jq -r '.items[] | select(.spec.nodeName=="tug-node-2") | .metadata.name + "=" + .status.podIP + " " + (.status.containerStatuses[0].state.running.startedAt // "")' | sort
  }
  before=$(node2_pods)
  pid=$(awk '$2 == "tug-node-2" {print $1}' "$UP/state" | tail -1)
  mapfile -d '' args </proc/"$pid"/cmdline
  lines=$(wc -l <"$UP/tug-node-2.log")
  kill -9 "$pid"
  # Recorded in the state file, so that tug down stops it like the first one.
  setsid "${args[@]}" >>"$UP/tug-node-2.log" 2>&1 </dev/null &
  echo "$! tug-node-2 ${args[0]}" >>"$UP/state"
  vip=$($T get svc echo -n net -o json | jq -r .spec.clusterIP)
  # The rules outlive the agent: requests work while it restarts.
  out=$(for i in $(seq 10); do in_pod echo-1 curl -sS --max-time 3 "http://$vip/"; done)
  [ "$(grep -c '^echo-' <<<"$out")" -eq 10 ]
  wait_for 30 sh -c "tail -n +$((lines + 1)) $UP/tug-node-2.log | grep -q 'agent running'"
  sleep 2
  # The bridge was configured again from the IPAM records, before any Node event.
  tail -n +$((lines + 1)) "$UP/tug-node-2.log" | grep -q 'pod network restored'
  ! tail -n +$((lines + 1)) "$UP/tug-node-2.log" | grep -q 'adopted pod not checked'
  # The new agent's first status reports may still be on their way.
  unchanged() { [ "$(node2_pods)" = "$before" ]; }
  wait_for 15 unchanged || { echo "before: $before"; echo "after: $(node2_pods)"; false; }
  out=$(for i in $(seq 10); do in_pod peer-1 curl -sS --max-time 3 "http://$vip/"; done)
  [ "$(grep -c '^echo-' <<<"$out")" -eq 10 ]
  [ "$(veths tug-node-2)" -eq "$(pods_on tug-node-2)" ]
}

@test "network: deleting a pod frees its address and veth" {
  ip=$(pod_ip echo-3)
  n=$(veths tug-node-3)
  [ -e "$UP/tug-node-3/network/ipam/$ip" ]
  $T delete pod echo-3 -n net --wait >/dev/null
  [ ! -e "$UP/tug-node-3/network/ipam/$ip" ]
  [ "$(veths tug-node-3)" -eq $((n - 1)) ]
}

@test "network: tug down leaves no namespace, bridge, veth or rule behind" {
  netns=$(awk '$1 == "netns" {print $2}' "$UP/network") # the nodes' and the API server's
  bridge=$(awk '$1 == "bridge" {print $2}' "$UP/network")
  run $T down --dir "$UP"
  [ "$status" -eq 0 ]
  for n in $netns; do [ ! -e "/run/netns/$n" ]; done
  ! ip link show "$bridge" 2>/dev/null
  ! ip -o link show | grep -q "${bridge}-"
}
