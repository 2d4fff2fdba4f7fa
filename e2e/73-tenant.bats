#!/usr/bin/env bats
# Tenant onboarding, end to end: `tug create tenant` against a real etcd and
# tug-apiserver, then the kubeconfig it writes used as is by stock kubectl —
# the tenant's user works in its namespace as `edit` allows, is refused in
# another tenant's and at cluster scope; quota and defaults apply; running it
# again changes nothing but what the flags changed; `tug delete tenant`
# removes it.

load lib/apiserver-suite

setup_file() {
  apiserver_suite_setup_file
  bin/tug create tenant team-a --cpu 2 --memory 4Gi --pods 3 --user alice --dir "$PKI" \
    >"$BATS_FILE_TMPDIR/create-a.txt"
  bin/tug create tenant team-b --cpu 1 --memory 1Gi --pods 5 --weight 2 --cohort shared \
    --dir "$PKI" >/dev/null
  wait_for 10 eval '[ "$(kubectl --as alice auth can-i create deployments -n team-a)" = yes ]'
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  A="kubectl --request-timeout=10s --kubeconfig $PKI/user-alice.kubeconfig"
}

@test "tenant: create makes the namespace, quota, limits, queue, binding, network policy and a kubeconfig" {
  run cat "$BATS_FILE_TMPDIR/create-a.txt"
  [[ "$output" == *"namespace/team-a created"* ]]
  [[ "$output" == *"kubeconfig $PKI/user-alice.kubeconfig (namespace team-a, role edit)"* ]]
  run kubectl get namespace team-a -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}'
  [ "$output" = baseline ]
  run kubectl get resourcequota tenant -n team-a -o jsonpath='{.spec.hard}'
  [[ "$output" == *'"pods":"3"'* && "$output" == *'"requests.cpu":"2"'* ]]
  run kubectl get queue team-b -o jsonpath='{.spec.weight} {.spec.cohort} {.spec.namespaces[0]}'
  [ "$output" = "2 shared team-b" ]
  run kubectl get rolebinding tenant-edit -n team-a -o jsonpath='{.roleRef.name} {.subjects[0].name}'
  [ "$output" = "edit alice" ]
  # ingress only from the tenant's own pods (e2e/61-netpol shows such a policy holds)
  run kubectl get networkpolicy tenant-isolation -n team-a -o jsonpath='{.spec.policyTypes[0]} {.spec.ingress[0].from[0].podSelector}'
  [ "$output" = "Ingress {}" ]
  # the key is the user's alone
  [ "$(stat -c %a "$PKI/user-alice.kubeconfig")" = 600 ]
}

@test "tenant: the user's kubeconfig works with stock kubectl in its namespace, nowhere else" {
  run $A auth whoami -o jsonpath='{.status.userInfo.username}'
  [ "$output" = alice ]
  $A create configmap settings --from-literal=k=v
  $A create deployment web --image=busybox:latest --replicas=0
  run $A get deployments
  [[ "$output" == *web* ]]
  run $A get configmaps -n team-b
  [ "$status" -ne 0 ]
  [[ "$output" == *'cannot list resource "configmaps" in API group "" in the namespace "team-b"'* ]]
  run $A create namespace mine
  [ "$status" -ne 0 ]
  [[ "$output" == *forbidden* ]]
  run $A delete resourcequota tenant
  [ "$status" -ne 0 ]
  [[ "$output" == *forbidden* ]]
}

@test "tenant: the quota counts the tenant's pods and the LimitRange fills in requests" {
  for i in 1 2 3 4; do
    run $A run "p$i" --image=busybox:latest --restart=Never
    echo "p$i: $output"
    if [ "$i" -le 3 ]; then [ "$status" -eq 0 ]; else [ "$status" -ne 0 ]; fi
  done
  [[ "$output" == *"exceeded quota: tenant"* ]]
  run $A get pod p1 -o jsonpath='{.spec.containers[0].resources.requests.cpu}'
  [ "$output" = 100m ]
}

@test "tenant: create again is idempotent and applies changed flags" {
  run bin/tug create tenant team-a --cpu 2 --memory 4Gi --pods 6 --user alice --dir "$PKI"
  [ "$status" -eq 0 ]
  [[ "$output" == *"namespace/team-a configured"* ]]
  [[ "$output" != *created* ]]
  run kubectl get resourcequota tenant -n team-a -o jsonpath='{.spec.hard.pods}'
  [ "$output" = 6 ]
  # the re-issued kubeconfig still works
  run $A get configmap settings -o name
  [ "$output" = configmap/settings ]
}

@test "tenant: bad flags are refused before anything is written" {
  run bin/tug create tenant team-c --cpu lots --memory 1Gi --pods 1 --dir "$PKI"
  [ "$status" -ne 0 ]
  [[ "$output" == *"--cpu lots: not a quantity"* ]]
  run bin/tug create tenant team-c --cpu 1 --memory 1Gi --dir "$PKI"
  [[ "$output" == *"--pods is required"* ]]
  run kubectl get namespace team-c
  [ "$status" -ne 0 ]
  # a name the API server refuses: what was made before it is undone
  run bin/tug create tenant Team_C --cpu 1 --memory 1Gi --pods 1 --dir "$PKI"
  [ "$status" -ne 0 ]
  run kubectl get queues -o name
  [[ "$output" != *Team_C* ]]
}

@test "tenant: delete removes the queue, the namespace and the user's files" {
  run bin/tug delete tenant team-b --dir "$PKI"
  [ "$status" -eq 0 ]
  [[ "$output" == *"queue/team-b deleted"* ]]
  [[ "$output" == *"namespace/team-b deleted"* ]]
  run kubectl get queue team-b
  [ "$status" -ne 0 ]
  run kubectl get namespace team-b -o jsonpath='{.status.phase}'
  [ "$status" -ne 0 ] || [ "$output" = Terminating ]
  [ ! -e "$PKI/user-team-b.kubeconfig" ]
}
