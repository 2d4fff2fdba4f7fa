#!/usr/bin/env bats
# RBAC, the node authorizer and NodeRestriction, seen through stock kubectl.
# Every request reaches the server as the cluster admin (system:masters) until
# authentication lands; the admin impersonates the identities under test with
# kubectl --as / --as-group, which the server checks and honours as Kubernetes
# does.

load lib/apiserver-suite

setup_file() {
  apiserver_suite_setup_file
  export KUBECONFIG="$ETCD_DIR/kubeconfig"
  kubeconfig "$KUBECONFIG"
  local K="kubectl --request-timeout=10s"
  $K create namespace team-a >/dev/null
  $K create namespace team-b >/dev/null
  $K create rolebinding alice-edit --clusterrole=edit --user=alice -n team-a >/dev/null
  $K create rolebinding carol-view --clusterrole=view --user=carol -n team-a >/dev/null
  $K create rolebinding dave-admin --clusterrole=admin --user=dave -n team-a >/dev/null
  for ns in team-a team-b; do
    $K create configmap cm1 --from-literal=k=v -n $ns >/dev/null
    $K create secret generic s1 --from-literal=k=v -n $ns >/dev/null
    $K create deployment d1 --image=busybox:latest --replicas=0 -n $ns >/dev/null
  done
  # Two nodes and a pod bound to each, using a Secret and a ConfigMap of their own.
  for n in n1 n2; do
    $K create -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "$n"}}
EOF
    $K create secret generic sec-$n --from-literal=k=v -n team-a >/dev/null
    $K create configmap cm-$n --from-literal=k=v -n team-a >/dev/null
    $K create -n team-a -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod-$n"},
 "spec": {"nodeName": "$n", "containers": [{"name": "c", "image": "busybox:latest",
   "envFrom": [{"configMapRef": {"name": "cm-$n"}}],
   "resources": {"requests": {"cpu": "10m", "memory": "8Mi"}}}],
   "volumes": [{"name": "v", "secret": {"secretName": "sec-$n"}}]}}
EOF
  done
  # Bindings reach the authorizer through the watch caches, a moment later.
  wait_for 10 eval '[ "$(kubectl --as alice auth can-i get pods -n team-a)" = yes ]'
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  K="kubectl --request-timeout=10s"
}

# try USER VERB PATH-OF-COLLECTION NAME: does USER get past authorization for VERB?
# Prints "allowed" or "forbidden" (anything else: the output, and fails).
try() {
  local user=$1 verb=$2 coll=$3 name=$4 body out rc
  local as=(--as "$user")
  case $verb in
  get) out=$($K "${as[@]}" get --raw "$coll/$name" 2>&1) ;;
  list) out=$($K "${as[@]}" get --raw "$coll" 2>&1) ;;
  watch) out=$($K "${as[@]}" get --raw "$coll?watch=1&timeoutSeconds=1" 2>&1) ;;
  create)
    body=$($K get --raw "$coll/$name" | jq -c '.metadata = {name: (.metadata.name + "-new")} | del(.status)')
    out=$($K "${as[@]}" create --raw "$coll" -f - <<<"$body" 2>&1)
    $K delete --raw "$coll/$name-new" >/dev/null 2>&1 || true
    ;;
  update)
    body=$($K get --raw "$coll/$name")
    out=$($K "${as[@]}" replace --raw "$coll/$name" -f - <<<"$body" 2>&1)
    ;;
  patch) # kubectl patch reads the object first: send the PATCH alone
    out=$(curl -sS -X PATCH -H "Impersonate-User: $user" -H 'Content-Type: application/merge-patch+json' \
      --data '{"metadata":{"labels":{"touched":"yes"}}}' "$API$coll/$name?dryRun=All")
    body=$out
    out="$(jq -r '.message // ""' <<<"$body")"
    jq -e '.kind != "Status"' <<<"$body" >/dev/null
    ;;
  delete)
    out=$($K "${as[@]}" delete --raw "$coll/$name?dryRun=All" 2>&1)
    ;;
  deletecollection)
    out=$($K "${as[@]}" delete --raw "$coll?dryRun=All&labelSelector=nothing%3Dhere" 2>&1)
    ;;
  esac
  rc=$?
  if [[ "$out" == *"is forbidden: User \"$user\" cannot $verb resource"* ]]; then
    echo forbidden
  elif [ $rc -eq 0 ]; then
    echo allowed
  else
    echo "$verb $coll/$name: $out"
    return 1
  fi
}

@test "rbac: the default roles and bindings exist, admin/edit/view aggregated" {
  for r in cluster-admin admin edit view system:discovery system:basic-user \
    system:public-info-viewer system:kube-scheduler system:kube-controller-manager system:node; do
    $K get clusterrole "$r" -o name
  done
  run $K get clusterrolebinding cluster-admin -o jsonpath='{.subjects[0].name}'
  [ "$output" = system:masters ]
  # view's rules come from system:aggregate-to-view and are written back to it.
  wait_for 10 eval '[ -n "$($K get clusterrole view -o jsonpath="{.rules}")" ]'
  run $K get clusterrole view -o json
  jq -e '[.rules[].resources[]] | index("pods")' <<<"$output"
  jq -e '[.rules[].resources[]] | index("secrets") | not' <<<"$output"
  run $K get clusterrole admin -o json
  jq -e '[.rules[].resources[]] | index("rolebindings")' <<<"$output"
}

@test "rbac: kubectl create role, clusterrole, rolebinding, clusterrolebinding; tables" {
  $K create role pod-reader --verb=get,list --resource=pods,pods/log -n team-a
  $K create clusterrole node-reader --verb=get --resource=nodes --resource-name=n1
  $K create rolebinding pr --role=pod-reader --user=erin --group=devs --serviceaccount=team-a:bot -n team-a
  $K create clusterrolebinding nr --clusterrole=node-reader --user=erin
  run $K get rolebinding pr -n team-a -o wide
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ NAME\ +ROLE\ +AGE\ +USERS\ +GROUPS\ +SERVICEACCOUNTS ]]
  [[ "${lines[1]}" =~ pr\ +Role/pod-reader\ .*erin\ +devs\ +team-a/bot ]]
  run $K get role -n team-a
  [[ "${lines[0]}" =~ NAME\ +CREATED\ AT ]]
  wait_for 10 eval '[ "$($K --as erin auth can-i get nodes/n1)" = yes ]'
  [ "$($K --as erin auth can-i get nodes/n2)" = no ]
  [ "$($K --as erin auth can-i get pods/log -n team-a)" = yes ]
  [ "$($K --as someone --as-group devs auth can-i list pods -n team-a)" = yes ]
  [ "$($K --as system:serviceaccount:team-a:bot auth can-i list pods -n team-a)" = yes ]
  [ "$($K --as system:serviceaccount:team-a:bot auth can-i list pods -n team-b)" = no ]
}

@test "rbac: invalid roles and bindings are 422 with Kubernetes' causes" {
  run $K create -f - <<<'{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"bad","namespace":"team-a"},"rules":[{"verbs":["get"],"nonResourceURLs":["/x"]}]}'
  [ "$status" -ne 0 ]
  [[ "$output" == *"namespaced rules cannot apply to non-resource URLs"* ]]
  run $K create -f - <<<'{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"bad"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}'
  [[ "$output" == *"verbs must contain at least one value"* ]]
  run $K create -f - <<<'{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"bad"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"x"},"subjects":[{"kind":"ServiceAccount","name":"bot"}]}'
  [[ "$output" == *'roleRef.kind: Unsupported value: "Role"'* ]]
  [[ "$output" == *"subjects[0].namespace: Required value"* ]]
  $K create rolebinding rr --clusterrole=view --user=x -n team-a
  run $K patch rolebinding rr -n team-a --type merge -p '{"roleRef":{"name":"edit"}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *"cannot change roleRef"* ]]
}

# user namespace collection-path name, then the expected answer for each of
# get list watch create update patch delete deletecollection.
TABLE='
alice team-a /api/v1/namespaces/team-a/configmaps cm1 allowed allowed allowed allowed allowed allowed allowed allowed
alice team-a /api/v1/namespaces/team-a/secrets s1 allowed allowed allowed allowed allowed allowed allowed allowed
alice team-a /apis/apps/v1/namespaces/team-a/deployments d1 allowed allowed allowed allowed allowed allowed allowed allowed
alice team-a /apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings alice-edit forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
alice team-b /api/v1/namespaces/team-b/configmaps cm1 forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
alice team-b /api/v1/namespaces/team-b/secrets s1 forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
alice team-b /apis/apps/v1/namespaces/team-b/deployments d1 forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
alice cluster /api/v1/nodes n1 forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
alice cluster /apis/rbac.authorization.k8s.io/v1/clusterroles view forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
carol team-a /api/v1/namespaces/team-a/configmaps cm1 allowed allowed allowed forbidden forbidden forbidden forbidden forbidden
carol team-a /api/v1/namespaces/team-a/secrets s1 forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden
'

@test "rbac: edit in team-a, view and nothing elsewhere, verb by verb" {
  local verbs=(get list watch create update patch delete deletecollection) failed=0
  while read -r user _ coll name want; do
    [ -n "$user" ] || continue
    local i=0
    for w in $want; do
      got=$(try "$user" "${verbs[$i]}" "$coll" "$name") || true
      if [ "$got" != "$w" ]; then
        echo "$user ${verbs[$i]} $coll/$name: want $w, got $got"
        failed=1
      fi
      i=$((i + 1))
    done
  done <<<"$TABLE"
  [ "$failed" = 0 ]
}

@test "rbac: the 403 names user, verb, resource, group and namespace as Kubernetes does" {
  run $K --as alice get pods -n team-b
  [ "$status" -ne 0 ]
  [[ "$output" == *'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-b"'* ]]
  run $K --as alice get deployment d1 -n team-b
  [[ "$output" == *'deployments.apps "d1" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "team-b"'* ]]
  run $K --as alice get nodes
  [[ "$output" == *'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope'* ]]
  run $K --as nobody get --raw /metrics
  [[ "$output" == *'forbidden: User "nobody" cannot get path "/metrics"'* ]]
  # Discovery and the public endpoints stay open to every authenticated user.
  $K --as nobody get --raw /version
  $K --as nobody get --raw /healthz
  $K --as nobody get --raw /apis
  $K --as nobody api-resources >/dev/null
}

@test "rbac: view cannot read Secrets, edit can" {
  run $K --as carol get secret s1 -n team-a
  [ "$status" -ne 0 ]
  [[ "$output" == *'secrets "s1" is forbidden: User "carol" cannot get resource "secrets"'* ]]
  run $K --as carol get pods -n team-a
  [ "$status" -eq 0 ]
  $K --as alice get secret s1 -n team-a
}

@test "rbac: escalation — no binding or role beyond what one holds, without bind or escalate" {
  # dave is admin in team-a: he may bind edit or view there, not cluster-admin.
  run $K --as dave create rolebinding grab --clusterrole=cluster-admin --user=dave -n team-a
  [ "$status" -ne 0 ]
  [[ "$output" == *'is attempting to grant RBAC permissions not currently held'* ]]
  $K --as dave create rolebinding give-view --clusterrole=view --user=frank -n team-a
  run $K --as dave create clusterrolebinding grab --clusterrole=cluster-admin --user=dave
  [[ "$output" == *'User "dave" cannot create resource "clusterrolebindings"'* ]]
  # A role granting what he lacks (nodes; Secrets in team-b) is refused, one within his reach is not.
  run $K --as dave create role r-nodes --verb=get --resource=nodes -n team-a
  [ "$status" -ne 0 ]
  [[ "$output" == *'{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}'* ]]
  $K --as dave create role r-pods --verb=get,list --resource=pods -n team-a
  # Given bind on cluster-admin (only), he may bind it in team-a after all.
  $K create clusterrole bind-admin --verb=bind --resource=clusterroles --resource-name=cluster-admin
  $K create clusterrolebinding dave-bind --clusterrole=bind-admin --user=dave
  wait_for 10 eval '[ "$($K --as dave auth can-i bind clusterroles/cluster-admin)" = yes ]'
  $K --as dave create rolebinding grab2 --clusterrole=cluster-admin --user=dave -n team-a
  # Given escalate on roles, he may write any role.
  $K create clusterrole escalate-roles --verb=escalate --resource=roles
  $K create rolebinding dave-esc --clusterrole=escalate-roles --user=dave -n team-b
  $K create rolebinding dave-admin-b --clusterrole=admin --user=dave -n team-b
  wait_for 10 eval '[ "$($K --as dave auth can-i escalate roles -n team-b)" = yes ]'
  $K --as dave create role r-nodes --verb=get --resource=nodes -n team-b
}

@test "rbac: impersonation needs the impersonate verb" {
  run $K --as alice --as=bob get pods -n team-a # the last --as wins: bob has nothing
  [ "$status" -ne 0 ]
  # alice (edit) may impersonate service accounts in team-a, not users.
  $K create serviceaccount bot -n team-a 2>/dev/null || true
  run $K --as alice get --raw /api/v1/namespaces/team-a/pods -v=0
  [ "$status" -eq 0 ]
  api GET /api/v1/namespaces/team-a/pods
  [ "$code" = 200 ]
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Impersonate-User: alice' \
    -H 'Impersonate-Group: system:masters' "$API/api/v1/nodes")
  [ "$code" = 200 ] # the admin may impersonate anyone, groups too
  run curl -sS -H 'Impersonate-User: alice' "$API/api/v1/nodes"
  [[ "$output" == *'"code":403'* ]]
  # Chained: admin → dave, who may not impersonate carol.
  $K create clusterrole imp-bob --verb=impersonate --resource=users --resource-name=bob
  $K create clusterrolebinding dave-imp --clusterrole=imp-bob --user=dave
  wait_for 10 eval '[ "$($K --as dave auth can-i impersonate users/bob)" = yes ]'
  [ "$($K --as dave auth can-i impersonate users/carol)" = no ]
  run curl -sS -H 'Impersonate-Group: x' "$API/api/v1/nodes"
  [[ "$output" == *'"code":400'* ]]
}

@test "rbac: impersonated extras are the user's extras, each allowed as impersonate on userextras" {
  local review='{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}'
  out=$(curl -sS -X POST -H 'Content-Type: application/json' -H 'Impersonate-User: alice' \
    -H 'Impersonate-Extra-Scopes: view' -H 'Impersonate-Extra-Scopes: edit' \
    -H 'Impersonate-Extra-Acme.com%2FTeam: red' --data "$review" \
    "$API/apis/authentication.k8s.io/v1/selfsubjectreviews")
  jq -e '.status.userInfo.username == "alice" and
    .status.userInfo.extra == {"scopes": ["view", "edit"], "acme.com/team": ["red"]}' <<<"$out"
  # frank (a certificate of his own) may impersonate alice and the scope "view", nothing else.
  bin/tug certs user frank --dir "$PKI" >/dev/null
  $K create clusterrole imp-alice --verb=impersonate --resource=users --resource-name=alice
  $K create -f - <<'EOF'
{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "imp-scope-view"},
 "rules": [{"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes"],
   "resourceNames": ["view"], "verbs": ["impersonate"]}]}
EOF
  $K create clusterrolebinding frank-imp-alice --clusterrole=imp-alice --user=frank
  $K create clusterrolebinding frank-imp-scope --clusterrole=imp-scope-view --user=frank
  as_frank() { # as_frank SCOPE: the code of a whoami as frank impersonating alice with SCOPE
    curl -sS -o "$BATS_TEST_TMPDIR/out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      --cert "$PKI/user-frank.crt" --key "$PKI/user-frank.key" -H 'Impersonate-User: alice' \
      -H "Impersonate-Extra-Scopes: $1" --data "$review" "$API/apis/authentication.k8s.io/v1/selfsubjectreviews"
  }
  wait_for 10 eval '[ "$(as_frank view)" = 201 ]'
  jq -e '.status.userInfo.extra == {"scopes": ["view"]}' "$BATS_TEST_TMPDIR/out"
  [ "$(as_frank edit)" = 403 ]
  grep -q 'cannot impersonate resource \\"userextras/scopes\\" in API group \\"authentication.k8s.io\\"' "$BATS_TEST_TMPDIR/out"
}

@test "rbac: kubectl auth can-i, --list, and the SubjectAccessReview APIs" {
  [ "$($K --as alice auth can-i create deployments -n team-a)" = yes ]
  run $K --as alice auth can-i create deployments -n team-b
  [ "$output" = no ]
  [ "$($K --as alice auth can-i get secrets -n team-a)" = yes ]
  run $K --as carol auth can-i get secrets -n team-a
  [ "$output" = no ]
  [ "$($K auth can-i '*' '*')" = yes ]
  run $K --as alice auth can-i --list -n team-a
  [ "$status" -eq 0 ]
  [[ "$output" == *"deployments.apps"* ]]
  [[ "$output" == *"selfsubjectaccessreviews.authorization.k8s.io"* ]]
  [[ "$output" == *"/version"* ]]
  api POST /apis/authorization.k8s.io/v1/subjectaccessreviews \
    '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice","resourceAttributes":{"namespace":"team-a","verb":"delete","group":"apps","resource":"deployments"}}}'
  [ "$code" = 201 ]
  [ "$(jq -r .status.allowed <<<"$out")" = true ]
  api POST /apis/authorization.k8s.io/v1/namespaces/team-b/localsubjectaccessreviews \
    '{"apiVersion":"authorization.k8s.io/v1","kind":"LocalSubjectAccessReview","metadata":{"namespace":"team-b"},"spec":{"user":"alice","resourceAttributes":{"verb":"get","resource":"pods"}}}'
  [ "$code" = 201 ]
  [ "$(jq -r .status.allowed <<<"$out")" = false ]
  api POST /apis/authorization.k8s.io/v1/subjectaccessreviews \
    '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"x"}}'
  [ "$code" = 422 ]
  # Asking about others is not for everyone.
  run curl -sS -X POST -H 'Impersonate-User: alice' -H 'Content-Type: application/json' \
    --data '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"bob","nonResourceAttributes":{"path":"/x","verb":"get"}}}' \
    "$API/apis/authorization.k8s.io/v1/subjectaccessreviews"
  [[ "$output" == *'cannot create resource \"subjectaccessreviews\"'* ]]
}

NODE=(--as system:node:n1 --as-group system:nodes)

@test "node: an agent reads its own node, pods and what they use, lists every pod, and reads nothing else of another node" {
  $K "${NODE[@]}" get node n1
  $K "${NODE[@]}" get nodes # routes need every node's address
  run $K "${NODE[@]}" get node n2 -o name
  [[ "$output" == *'nodes "n2" is forbidden: User "system:node:n1" cannot get resource "nodes"'* ]]
  $K "${NODE[@]}" get pod pod-n1 -n team-a
  run $K "${NODE[@]}" get pod pod-n2 -n team-a
  [[ "$output" == *"no relationship found between node 'n1' and this object"* ]]
  # Every pod's address and labels: NetworkPolicy peers may run anywhere.
  $K "${NODE[@]}" get pods -A --field-selector spec.nodeName=n2
  $K "${NODE[@]}" get namespaces
  $K "${NODE[@]}" get networkpolicies -A
  run $K "${NODE[@]}" delete pod pod-n2 -n team-a
  [[ "$output" == *"no relationship found between node 'n1' and this object"* ]]
  $K "${NODE[@]}" get secret sec-n1 -n team-a
  $K "${NODE[@]}" get configmap cm-n1 -n team-a
  run $K "${NODE[@]}" get secret sec-n2 -n team-a
  [ "$status" -ne 0 ]
  run $K "${NODE[@]}" get secret s1 -n team-a
  [ "$status" -ne 0 ]
  run $K "${NODE[@]}" get secrets -n team-a
  [ "$status" -ne 0 ]
}

@test "node: an agent writes its node, lease, pods' status and events; never a pod spec" {
  $K "${NODE[@]}" patch node n1 --subresource=status --type merge \
    -p '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}'
  run $K "${NODE[@]}" patch node n2 --subresource=status --type merge -p '{"status":{"phase":"x"}}'
  [ "$status" -ne 0 ]
  run $K "${NODE[@]}" create -f - <<<'{"apiVersion":"v1","kind":"Node","metadata":{"name":"n3"}}'
  [[ "$output" == *'node "n1" may only write its own'* ]]
  $K "${NODE[@]}" create -n tug-node-lease -f - <<<'{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n1"},"spec":{"holderIdentity":"n1"}}'
  run $K "${NODE[@]}" create -n tug-node-lease -f - <<<'{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n2"},"spec":{"holderIdentity":"n2"}}'
  [[ "$output" == *'node "n1" may only write its own'* ]]
  $K "${NODE[@]}" patch pod pod-n1 -n team-a --subresource=status --type merge \
    -p '{"status":{"phase":"Running","startTime":"2026-01-01T00:00:00Z"}}'
  run $K "${NODE[@]}" patch pod pod-n2 -n team-a --subresource=status --type merge -p '{"status":{"phase":"Running"}}'
  [ "$status" -ne 0 ]
  run $K "${NODE[@]}" patch pod pod-n1 -n team-a --type merge -p '{"spec":{"activeDeadlineSeconds":5}}'
  [[ "$output" == *'cannot patch resource "pods" in API group "" in the namespace "team-a"'* ]]
  run $K "${NODE[@]}" label pod pod-n1 -n team-a x=y
  [ "$status" -ne 0 ]
  run $K "${NODE[@]}" create -n team-a -f - <<<'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"mirror"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox:latest"}]}}'
  [ "$status" -ne 0 ]
  $K "${NODE[@]}" create -n team-a -f - <<<'{"apiVersion":"v1","kind":"Event","metadata":{"name":"ev1"},"involvedObject":{"kind":"Pod","name":"pod-n1","namespace":"team-a"},"reason":"Started","message":"x"}'
}

@test "node: a pod's terminal phase is final, and only its node may set it" {
  # Someone allowed to write pod status is still not its node.
  $K create role status-writer --verb=get,patch,update --resource=pods/status -n team-a
  $K create rolebinding grace --role=status-writer --user=grace -n team-a
  wait_for 10 eval '[ "$($K --as grace auth can-i patch pods --subresource=status -n team-a)" = yes ]'
  $K patch pod pod-n2 -n team-a --subresource=status --type merge \
    -p '{"status":{"phase":"Running","startTime":"2026-01-01T00:00:00Z"}}'
  run $K --as grace patch pod pod-n2 -n team-a --subresource=status --type merge -p '{"status":{"phase":"Succeeded"}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *'only the pod'* ]]
  run $K "${NODE[@]}" patch pod pod-n1 -n team-a --subresource=status --type merge -p '{"status":{"phase":"Succeeded"}}'
  [ "$status" -eq 0 ]
  # Back to Running: 422 for its node and for the admin alike.
  run $K "${NODE[@]}" patch pod pod-n1 -n team-a --subresource=status --type merge -p '{"status":{"phase":"Running"}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *'may not change from the terminal phase Succeeded to Running'* ]]
  run $K patch pod pod-n1 -n team-a --subresource=status --type merge -p '{"status":{"phase":"Pending"}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *'is invalid'* ]]
  [ "$($K get pod pod-n1 -n team-a -o jsonpath='{.status.phase}')" = Succeeded ]
}

@test "node: the requests an agent makes today are all allowed for its identity" {
  local H=(-H 'Impersonate-User: system:node:n1' -H 'Impersonate-Group: system:nodes')
  want() { # want CODE METHOD PATH [BODY]
    local c
    c=$(curl -sS -o /dev/null -w '%{http_code}' "${H[@]}" -X "$2" -H 'Content-Type: application/merge-patch+json' \
      ${4:+--data-binary "$4"} "$API$3")
    [ "$c" = "$1" ] || { echo "$2 $3: want $1, got $c"; return 1; }
  }
  want 200 GET "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&watch=1&timeoutSeconds=1"
  want 200 GET "/api/v1/nodes?watch=1&timeoutSeconds=1"
  want 200 GET "/api/v1/services?watch=1&timeoutSeconds=1"
  want 200 GET "/api/v1/endpoints?watch=1&timeoutSeconds=1"
  want 200 PATCH /api/v1/nodes/n1/status '{"status":{}}'
  want 200 PATCH /apis/coordination.k8s.io/v1/namespaces/tug-node-lease/leases/n1 '{"spec":{"holderIdentity":"n1"}}'
  want 200 GET /api/v1/namespaces/team-a/secrets/sec-n1
  want 200 GET /api/v1/namespaces/team-a/configmaps/cm-n1
  want 200 GET /api/v1/namespaces/team-a/pods/pod-n1
  want 200 GET /api
  # NetworkPolicy: every pod, namespace and policy (peers may run anywhere).
  want 200 GET "/api/v1/pods?watch=1&timeoutSeconds=1"
  want 200 GET "/api/v1/namespaces?watch=1&timeoutSeconds=1"
  want 200 GET "/apis/networking.k8s.io/v1/networkpolicies?watch=1&timeoutSeconds=1"
  want 403 POST /apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies '{}'
  want 403 DELETE /api/v1/namespaces/team-a/pods/pod-n2
}
