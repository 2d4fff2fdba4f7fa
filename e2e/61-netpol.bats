#!/usr/bin/env bats
# NetworkPolicy end to end: `tug up --nodes 2`, each agent a host in its own
# network namespace (as e2e/60), two tenants' namespaces with a web server and
# a client each, spread so that every check crosses nodes. Connections are
# made with the host's curl (and busybox nslookup) inside a pod's network
# namespace; every agent enforces the policies for its own pods in table ip
# tugboat. A refused TCP connection is reset, so checks of refusal are quick.

load lib/etcd
load lib/up

setup_file() {
  up_start tug-netpol --nodes 2
  cd "$BATS_TEST_DIRNAME/.."
  bin/tug apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b, labels: {team: b}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: team-b}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
YAML
  # web-a on node 1 and client-a on node 2; team-b the other way round.
  for spec in "web team-a 1" "client team-a 2" "web team-b 2" "client team-b 1"; do
    set -- $spec
    bin/tug apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1-${2#team-}, namespace: $2, labels: {app: $1}}
spec:
  nodeName: tug-node-$3
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo \$HOSTNAME > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: [{name: http, containerPort: 8080}]
YAML
  done
  for p in web-a/team-a client-a/team-a web-b/team-b client-b/team-b; do
    wait_for 60 sh -c "bin/tug get pod ${p%/*} -n ${p#*/} -o json | jq -e '.status.phase == \"Running\" and (.status.podIP // \"\") != \"\"' >/dev/null"
  done
  # The pods stay put: their addresses and namespace files, looked up once.
  bin/tug get pods -A -o json | jq -r --arg up "$UP" '.items[] |
    "\(.metadata.name) \(.status.podIP) \($up)/\(.spec.nodeName)/state/sandboxes/\(.metadata.uid)/ns/net"' \
    >"${UP%/up}/pods"
}

teardown_file() {
  up_stop
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  T=bin/tug
}

# pod_ip POD NS, pod_netns POD NS: the pod's address and its pinned network
# namespace file (pod names are unique across the two namespaces).
pod_ip() { awk -v p="$1" '$1 == p {print $2}' "${UP%/up}/pods"; }
pod_netns() { awk -v p="$1" '$1 == p {print $3}' "${UP%/up}/pods"; }

# in_pod POD NS CMD...: CMD (a host binary) in the pod's network namespace.
in_pod() {
  local netns
  netns=$(pod_netns "$1" "$2")
  shift 2
  nsenter --net="$netns" "$@"
}

# reaches FROM_POD FROM_NS TO_POD TO_NS [PORT]: one HTTP request answered by TO_POD.
reaches() {
  local out
  out=$(in_pod "$1" "$2" curl -sS --max-time 2 "http://$(pod_ip "$3" "$4"):${5:-8080}/" 2>&1)
  [ "$out" = "$3" ]
}

# refused FROM_POD FROM_NS TO_POD TO_NS: the connection is refused at once
# (reset), not left to time out.
refused() {
  local netns ip rc=0
  netns=$(pod_netns "$1" "$2")
  ip=$(pod_ip "$3" "$4")
  nsenter --net="$netns" curl -sS --max-time 3 "http://$ip:8080/" >/dev/null 2>&1 || rc=$?
  # 7: could not connect (reset or unreachable); 28 would be a time-out.
  [ "$rc" -eq 7 ]
}

policy() { $T apply -f - >/dev/null; }

@test "netpol: with no policy every pod reaches every other, across nodes and namespaces" {
  reaches client-a team-a web-a team-a
  reaches client-b team-b web-a team-a
  reaches client-a team-a web-b team-b
  run kubectl get netpol -A
  [[ "$output" == "No resources found"* ]]
}

@test "netpol: a default-deny policy refuses every client of its namespace's pods, and kubectl shows it" {
  policy <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: team-a}
spec:
  podSelector: {}
YAML
  wait_for 10 refused client-a team-a web-a team-a
  refused client-b team-b web-a team-a
  # Egress of team-a is not isolated, and replies come back.
  reaches web-a team-a web-b team-b
  run kubectl get netpol -n team-a
  [ "${lines[0]}" = "NAME           POD-SELECTOR   AGE" ]
  [[ "${lines[1]}" == "default-deny   <none>         "* ]]
  run $T get netpol -n team-a
  [ "${lines[0]}" = "NAME           POD-SELECTOR   AGE" ]
  [[ "${lines[1]}" == "default-deny   <none>         "* ]]
  run kubectl describe netpol default-deny -n team-a
  [[ "$output" == *"PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)"* ]]
  [[ "$output" == *"<none> (Selected pods are isolated for ingress connectivity)"* ]]
  [ "$($T get netpol default-deny -n team-a -o json | jq -c .spec.policyTypes)" = '["Ingress"]' ]
}

@test "netpol: a labelled pod of the namespace is let in on a named port" {
  policy <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client, namespace: team-a}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}]
YAML
  wait_for 10 reaches client-a team-a web-a team-a
  # Same label in another namespace: a podSelector alone means this namespace.
  refused client-b team-b web-a team-a
}

@test "netpol: namespaceSelector and podSelector together let in that namespace's labelled pods only" {
  policy <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-b-clients, namespace: team-a}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: client}}}]
YAML
  wait_for 10 reaches client-b team-b web-a team-a
  refused web-b team-b web-a team-a
  reaches client-a team-a web-a team-a
}

@test "netpol: tenants kept apart: team-b admits its own namespace only" {
  policy <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: own-namespace, namespace: team-b}
spec:
  podSelector: {}
  ingress: [{from: [{podSelector: {}}]}]
YAML
  wait_for 10 refused client-a team-a web-b team-b
  refused web-a team-a web-b team-b
  reaches client-b team-b web-b team-b
}

@test "netpol: egress deny with an ipBlock, its except and a port range; DNS where a rule allows it" {
  gw=$(in_pod client-b team-b ip -4 route show default | awk '{print $3}')
  in_pod client-b team-b timeout 3 busybox nslookup web.team-b.svc.cluster.local "$gw" >/dev/null
  policy <<YAML
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: team-b}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 198.18.0.0/16, except: ["$(pod_ip web-a team-a)/32"]}}]
    ports: [{port: 8000, endPort: 8080}]
YAML
  wait_for 10 refused client-b team-b web-a team-a
  reaches client-b team-b web-b team-b
  # Outside the port range.
  ! in_pod client-b team-b curl -sS --max-time 2 "http://$(pod_ip web-b team-b):8081/" 2>/dev/null
  # The node's DNS responder is not allowed yet.
  ! in_pod client-b team-b timeout 3 busybox nslookup web.team-b.svc.cluster.local "$gw" >/dev/null 2>&1
  policy <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: team-b}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{protocol: UDP, port: 53}]}]
YAML
  wait_for 10 sh -c "nsenter --net=$(pod_netns client-b team-b) timeout 3 busybox nslookup web.team-b.svc.cluster.local $gw >/dev/null 2>&1"
  # Egress of web-b is now isolated too (the dns policy selects every pod).
  ! in_pod web-b team-b curl -sS --max-time 2 "http://$(pod_ip web-a team-a):8080/" 2>/dev/null
}

@test "netpol: rules live only on the node of the pods they isolate" {
  for n in 1 2; do
    netns=$(awk -v s="-node-$n" '$1 == "netns" && substr($2, length($2) - length(s) + 1) == s {print $2}' "$UP/network")
    rules=$(ip netns exec "$netns" nft list table ip tugboat)
    case $n in
    1) [[ "$rules" == *"chain pol-in-team-a/web-a-"* ]]
       [[ "$rules" != *"pol-in-team-b/web-b-"* ]] ;;
    2) [[ "$rules" == *"chain pol-in-team-b/web-b-"* ]]
       [[ "$rules" != *"pol-in-team-a/web-a-"* ]] ;;
    esac
  done
}

@test "netpol: with the policies deleted, traffic flows again" {
  $T delete netpol --all -n team-a >/dev/null
  $T delete netpol --all -n team-b >/dev/null
  wait_for 10 reaches client-b team-b web-a team-a
  reaches client-a team-a web-b team-b
  reaches web-b team-b web-a team-a
}
