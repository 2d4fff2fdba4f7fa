#!/usr/bin/env bats
# tug-apiserver against a real etcd: verbs, subresources, watch, errors,
# quota, metrics. One etcd and one API server for the whole file.

APISERVER_FLAGS=(--max-body-bytes 65536)
load lib/apiserver-suite

pod() { # pod NAME [NS] [extra spec json]
  printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox:latest","command":["sleep","3600"]%s}]}}' \
    "$1" "${2:-default}" "${3:-}"
}

ns() { printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$1"; }

@test "system namespaces exist from the first start" {
  for n in default tug-system tug-node-lease; do
    api GET /api/v1/namespaces/$n >/dev/null
    [ "$code" = 200 ]
    [ "$(jq -r .status.phase <<<"$out")" = Active ]
  done
}

@test "create, get, list, update and delete a pod" {
  api POST /api/v1/namespaces/default/pods "$(pod crud)" >/dev/null
  [ "$code" = 201 ]
  uid=$(jq -r .metadata.uid <<<"$out")
  rv=$(jq -r .metadata.resourceVersion <<<"$out")
  [ -n "$uid" ]
  [ "$rv" -gt 0 ]
  [ "$(jq -r .status.phase <<<"$out")" = Pending ]
  [ "$(jq -r .spec.restartPolicy <<<"$out")" = Always ]
  [ "$(jq -r .metadata.generation <<<"$out")" = 1 ]

  api GET /api/v1/namespaces/default/pods/crud >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .metadata.uid <<<"$out")" = "$uid" ]

  api GET /api/v1/namespaces/default/pods >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .kind <<<"$out")" = PodList ]
  jq -e '.items[] | select(.metadata.name == "crud")' <<<"$out"

  updated=$(jq -c '.items[] | select(.metadata.name=="crud") | .metadata.labels.tier = "front" | .spec.containers[0].image = "busybox:1"' <<<"$out")
  api PUT /api/v1/namespaces/default/pods/crud "$updated" >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .metadata.labels.tier <<<"$out")" = front ]
  [ "$(jq -r .metadata.generation <<<"$out")" = 2 ]
  [ "$(jq -r .metadata.resourceVersion <<<"$out")" -gt "$rv" ]

  api DELETE /api/v1/namespaces/default/pods/crud >/dev/null
  [ "$code" = 200 ]
  api GET /api/v1/namespaces/default/pods/crud >/dev/null
  [ "$code" = 404 ]
}

@test "update with a stale resourceVersion is a 409 and changes nothing" {
  api POST /api/v1/namespaces/default/pods "$(pod stale)" >/dev/null
  old=$(jq -c '.metadata.labels.v = "1"' <<<"$out")
  api PUT /api/v1/namespaces/default/pods/stale "$old" >/dev/null
  [ "$code" = 200 ]
  api PUT /api/v1/namespaces/default/pods/stale "$(jq -c '.metadata.labels.v = "2"' <<<"$old")" >/dev/null
  [ "$code" = 409 ]
  [ "$(jq -r .reason <<<"$out")" = Conflict ]
  [ "$(api GET /api/v1/namespaces/default/pods/stale | jq -r .metadata.labels.v)" = 1 ]
}

@test "create of an existing name is a 409 AlreadyExists" {
  api POST /api/v1/namespaces/default/pods "$(pod twice)" >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/default/pods "$(pod twice)" >/dev/null
  [ "$code" = 409 ]
  [ "$(jq -r .reason <<<"$out")" = AlreadyExists ]
}

@test "generateName makes a name" {
  body=$(pod x | jq -c 'del(.metadata.name) | .metadata.generateName = "gen-"')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ]
  [[ "$(jq -r .metadata.name <<<"$out")" =~ ^gen-[a-z0-9]{5}$ ]]
}

@test "merge and strategic merge patches" {
  api POST /api/v1/namespaces/default/pods "$(pod patched)" >/dev/null
  api PATCH /api/v1/namespaces/default/pods/patched '{"metadata":{"labels":{"p":"merge"}}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .metadata.labels.p <<<"$out")" = merge ]
  [ "$(jq -r .metadata.labels.app <<<"$out")" = web ]
  api PATCH /api/v1/namespaces/default/pods/patched '{"spec":{"containers":[{"name":"c","image":"busybox:2"}]}}' application/strategic-merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r '.spec.containers[0].image' <<<"$out")" = busybox:2 ]
  [ "$(jq -r '.spec.containers[0].command[0]' <<<"$out")" = sleep ]
  api PATCH /api/v1/namespaces/default/pods/patched '[{"op":"add"}]' application/json-patch+json >/dev/null
  [ "$code" = 422 ]
  api PATCH /api/v1/namespaces/default/pods/patched '{}' application/yaml >/dev/null
  [ "$code" = 415 ]
}

@test "status subresource writes status only; main writes keep status" {
  api POST /api/v1/namespaces/default/pods "$(pod st)" >/dev/null
  api PATCH /api/v1/namespaces/default/pods/st/status '{"status":{"phase":"Running"},"spec":{"nodeName":"ignored"}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .status.phase <<<"$out")" = Running ]
  [ "$(jq -r .spec.nodeName <<<"$out")" = null ]
  api PATCH /api/v1/namespaces/default/pods/st '{"status":{"phase":"Failed"}}' application/merge-patch+json >/dev/null
  [ "$(jq -r .status.phase <<<"$out")" = Running ]
}

@test "binding sets nodeName once, then 409" {
  api POST /api/v1/namespaces/default/pods "$(pod bound)" >/dev/null
  b='{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bound"},"target":{"kind":"Node","name":"n1"}}'
  api POST /api/v1/namespaces/default/pods/bound/binding "$b" >/dev/null
  [ "$code" = 201 ]
  [ "$(api GET /api/v1/namespaces/default/pods/bound | jq -r .spec.nodeName)" = n1 ]
  api POST /api/v1/namespaces/default/pods/bound/binding "${b/n1/n2}" >/dev/null
  [ "$code" = 409 ]
}

@test "scale subresource reads and writes replicas" {
  d='{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}'
  api POST /apis/apps/v1/namespaces/default/deployments "$d" >/dev/null
  [ "$code" = 201 ]
  api GET /apis/apps/v1/namespaces/default/deployments/web/scale >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .kind <<<"$out")" = Scale ]
  [ "$(jq -r .spec.replicas <<<"$out")" = 2 ]
  api PATCH /apis/apps/v1/namespaces/default/deployments/web/scale '{"spec":{"replicas":5}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .spec.replicas <<<"$out")" = 5 ]
  [ "$(api GET /apis/apps/v1/namespaces/default/deployments/web | jq -r .spec.replicas)" = 5 ]
}

@test "finalizers keep a deleted object until they are removed" {
  body=$(pod fin | jq -c '.metadata.finalizers = ["example.com/hold"]')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  api DELETE /api/v1/namespaces/default/pods/fin >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .metadata.deletionTimestamp <<<"$out")" != null ]
  api GET /api/v1/namespaces/default/pods/fin >/dev/null
  [ "$code" = 200 ]
  api PATCH /api/v1/namespaces/default/pods/fin '{"metadata":{"finalizers":null}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  api GET /api/v1/namespaces/default/pods/fin >/dev/null
  [ "$code" = 404 ]
}

@test "a bound pod is deleted gracefully, then for good with grace 0" {
  api POST /api/v1/namespaces/default/pods "$(pod graceful)" >/dev/null
  api POST /api/v1/namespaces/default/pods/graceful/binding '{"target":{"name":"n1"}}' >/dev/null
  api DELETE /api/v1/namespaces/default/pods/graceful >/dev/null
  [ "$(jq -r .metadata.deletionGracePeriodSeconds <<<"$out")" = 30 ]
  api GET /api/v1/namespaces/default/pods/graceful >/dev/null
  [ "$code" = 200 ]
  api DELETE '/api/v1/namespaces/default/pods/graceful?gracePeriodSeconds=0' >/dev/null
  api GET /api/v1/namespaces/default/pods/graceful >/dev/null
  [ "$code" = 404 ]
}

@test "DELETE on a collection removes what its selector matches" {
  api POST /api/v1/namespaces "$(ns sweep)" >/dev/null
  for n in a b c; do api POST /api/v1/namespaces/sweep/pods "$(pod sweep-$n sweep)" >/dev/null; done
  api POST /api/v1/namespaces/sweep/pods "$(pod keep sweep | jq -c '.metadata.labels.app = "db"')" >/dev/null
  api DELETE '/api/v1/namespaces/sweep/pods?labelSelector=app%3Dweb' >/dev/null
  [ "$code" = 200 ]
  [ "$(jq '.items | length' <<<"$out")" = 3 ]
  api GET /api/v1/namespaces/sweep/pods >/dev/null
  [ "$(jq -r '[.items[].metadata.name] | join(",")' <<<"$out")" = keep ]
}

@test "PUT on status replaces status and nothing else" {
  api POST /api/v1/namespaces/default/pods "$(pod putst)" >/dev/null
  body=$(jq -c '.status = {"phase":"Succeeded"} | .spec.containers[0].image = "ignored"' <<<"$out")
  api PUT /api/v1/namespaces/default/pods/putst/status "$body" >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r .status.phase <<<"$out")" = Succeeded ]
  [ "$(jq -r '.spec.containers[0].image' <<<"$out")" = busybox:latest ]
}

@test "label and field selectors filter lists" {
  api POST /api/v1/namespaces/tug-system/pods "$(pod sel-a tug-system)" >/dev/null
  api POST /api/v1/namespaces/tug-system/pods "$(pod sel-b tug-system | jq -c '.metadata.labels.app = "db"')" >/dev/null
  api GET '/api/v1/namespaces/tug-system/pods?labelSelector=app%3Ddb' >/dev/null
  [ "$(jq -r '[.items[].metadata.name] | join(",")' <<<"$out")" = sel-b ]
  api GET '/api/v1/pods?fieldSelector=metadata.name%3Dsel-a' >/dev/null
  [ "$(jq -r '[.items[].metadata.name] | join(",")' <<<"$out")" = sel-a ]
  api GET '/api/v1/pods?labelSelector=a%20in%20(x' >/dev/null
  [ "$code" = 400 ]
  api GET '/api/v1/pods?fieldSelector=spec.bogus%3D1' >/dev/null
  [ "$code" = 400 ]
}

@test "limit and continue page through a list at one revision" {
  for i in $(seq 1 7); do api POST /api/v1/namespaces/default/pods "$(pod page-$i)" >/dev/null; done
  names=() ; cont=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    api GET "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=3&continue=$cont" >/dev/null
    [ "$code" = 200 ]
    names+=($(jq -r '.items[].metadata.name' <<<"$out"))
    cont=$(jq -r '.metadata.continue // empty' <<<"$out")
    [ -z "$cont" ] && break
  done
  all=$(api GET '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb' | jq -r '.items[].metadata.name' | sort | tr '\n' ' ')
  [ "$(printf '%s\n' "${names[@]}" | sort | tr '\n' ' ')" = "$all" ]
}

@test "watch streams ADDED, MODIFIED and DELETED, and resumes from a resourceVersion" {
  rv=$(api GET /api/v1/namespaces/default/pods | jq -r .metadata.resourceVersion)
  curl -sN "$API/api/v1/namespaces/default/pods?watch=true&resourceVersion=$rv&timeoutSeconds=5" >"$BATS_TEST_TMPDIR/w" &
  wpid=$!
  sleep 0.3
  api POST /api/v1/namespaces/default/pods "$(pod watched)" >/dev/null
  api PATCH /api/v1/namespaces/default/pods/watched '{"metadata":{"labels":{"x":"y"}}}' application/merge-patch+json >/dev/null
  api DELETE /api/v1/namespaces/default/pods/watched >/dev/null
  wait $wpid || true
  types=$(jq -r 'select(.object.metadata.name=="watched") | .type' "$BATS_TEST_TMPDIR/w" | tr '\n' ' ')
  [ "$types" = "ADDED MODIFIED DELETED " ]
  # Resuming after the ADDED replays exactly what followed it.
  added_rv=$(jq -r 'select(.type=="ADDED" and .object.metadata.name=="watched") | .object.metadata.resourceVersion' "$BATS_TEST_TMPDIR/w")
  curl -sN "$API/api/v1/namespaces/default/pods?watch=true&resourceVersion=$added_rv&timeoutSeconds=1" >"$BATS_TEST_TMPDIR/w2"
  types=$(jq -r 'select(.object.metadata.name=="watched") | .type' "$BATS_TEST_TMPDIR/w2" | tr '\n' ' ')
  [ "$types" = "MODIFIED DELETED " ]
}

@test "a watch from before the cache's window is 410 Gone" {
  api GET '/api/v1/namespaces/default/pods?watch=true&resourceVersion=1' >/dev/null
  [ "$code" = 410 ]
}

@test "bad input gets a Status with the right code and stores nothing" {
  api POST /api/v1/namespaces/default/pods '{not json' >/dev/null;                    [ "$code" = 400 ]
  api POST /api/v1/namespaces/default/pods '[1,2]' >/dev/null;                        [ "$code" = 400 ]
  api POST /api/v1/namespaces/default/pods "$(pod x | jq -c '.kind = "Service"')" >/dev/null; [ "$code" = 400 ]
  api POST /api/v1/namespaces/default/pods "$(pod x tug-system)" >/dev/null;         [ "$code" = 400 ]
  api PUT /api/v1/namespaces/default/pods/other "$(pod x)" >/dev/null;               [ "$code" = 400 ]
  api POST /api/v1/namespaces/default/pods "$(pod Bad_Name)" >/dev/null;                  [ "$code" = 422 ]
  [ "$(jq -r .reason <<<"$out")" = Invalid ]
  jq -e '.details.causes[] | select(.field == "metadata.name")' <<<"$out"
  api POST /api/v1/namespaces/default/pods "$(pod x | jq -c 'del(.metadata.name)')" >/dev/null; [ "$code" = 422 ]
  api GET /api/v1/namespaces/default/gizmos >/dev/null;                              [ "$code" = 404 ]
  api POST /api/v1/namespaces/nowhere/pods "$(pod x nowhere)" >/dev/null;            [ "$code" = 404 ]
  big=$(head -c 70000 /dev/zero | tr '\0' 'a')
  api POST /api/v1/namespaces/default/pods "{\"a\":\"$big\"}" >/dev/null;            [ "$code" = 413 ]
  api POST /api/v1/namespaces/default/pods "$(pod x)" text/plain >/dev/null;         [ "$code" = 415 ]
  api POST /api/v1/namespaces/default/pods "$(pod neg default ',"resources":{"requests":{"cpu":"-1"}}')" >/dev/null; [ "$code" = 422 ]
  api POST /api/v1/namespaces/default/pods "$(pod bad default ',"resources":{"requests":{"memory":"12Zi"}}')" >/dev/null; [ "$code" = 422 ]
  deep=$(printf '%.0s[' $(seq 1 3000))
  api POST /api/v1/namespaces/default/pods "$deep" >/dev/null;                       [ "$code" = 400 ]
  wide="{\"a\":[$(seq -s, 1 60000)]}"
  api POST /api/v1/namespaces/default/pods "$wide" >/dev/null
  [ "$code" = 413 ] || [ "$code" = 400 ]
  for n in x neg bad Bad_Name; do
    api GET /api/v1/namespaces/default/pods/$n >/dev/null
    [ "$code" = 404 ]
  done
}

@test "dryRun=All validates without storing" {
  api POST '/api/v1/namespaces/default/pods?dryRun=All' "$(pod dry)" >/dev/null
  [ "$code" = 201 ]
  api GET /api/v1/namespaces/default/pods/dry >/dev/null
  [ "$code" = 404 ]
}

@test "quota: parallel creates against room for N admit exactly N" {
  api POST /api/v1/namespaces "$(ns quota)" >/dev/null
  q='{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q","namespace":"quota"},"spec":{"hard":{"pods":"5","requests.cpu":"10"}}}'
  api POST /api/v1/namespaces/quota/resourcequotas "$q" >/dev/null
  [ "$code" = 201 ]
  for i in $(seq 1 20); do
    pod qp-$i quota ',"resources":{"requests":{"cpu":"100m"}}' >"$BATS_TEST_TMPDIR/p$i.json"
  done
  seq 1 20 | xargs -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
    -H 'Content-Type: application/json' --data-binary @"$BATS_TEST_TMPDIR/p{}.json" \
    "$API/api/v1/namespaces/quota/pods" >"$BATS_TEST_TMPDIR/codes"
  [ "$(grep -c '^201$' "$BATS_TEST_TMPDIR/codes")" = 5 ]
  [ "$(grep -c '^403$' "$BATS_TEST_TMPDIR/codes")" = 15 ]
  [ "$(api GET /api/v1/namespaces/quota/pods | jq '.items | length')" = 5 ]
  api GET /api/v1/namespaces/quota/resourcequotas/q >/dev/null
  [ "$(jq -r '.status.used.pods' <<<"$out")" = 5 ]
  [ "$(jq -r '.status.used["requests.cpu"]' <<<"$out")" = 500m ]
  api POST /api/v1/namespaces/quota/pods "$(pod one-more quota ',"resources":{"requests":{"cpu":"100m"}}')" >/dev/null
  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *"exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5"* ]]
  # Deleting gives the room back.
  api DELETE /api/v1/namespaces/quota/pods/qp-1 >/dev/null || true
  name=$(api GET /api/v1/namespaces/quota/pods | jq -r '.items[0].metadata.name')
  api DELETE /api/v1/namespaces/quota/pods/$name >/dev/null
  api POST /api/v1/namespaces/quota/pods "$(pod one-more quota ',"resources":{"requests":{"cpu":"100m"}}')" >/dev/null
  [ "$code" = 201 ]
}

@test "discovery, version, health and metrics" {
  api GET /api >/dev/null;             [ "$(jq -r '.versions[0]' <<<"$out")" = v1 ]
  api GET /apis >/dev/null;            jq -e '.groups[] | select(.name == "apps")' <<<"$out"
  api GET /api/v1 >/dev/null;          jq -e '.resources[] | select(.name == "pods" and (.shortNames | index("po")))' <<<"$out"
  api GET /apis/scheduling.tug.io/v1 >/dev/null; jq -e '.resources[] | select(.name == "queues")' <<<"$out"
  api GET /version >/dev/null;         [ "$(jq -r .major <<<"$out")" = 1 ]
  api GET /healthz >/dev/null;     [ "$code" = 200 ]
  api GET /readyz >/dev/null;      [ "$code" = 200 ]
  api GET /metrics >/dev/null
  [[ "$out" == *'apiserver_request_total{verb="CREATE",resource="pods",code="201"}'* ]]
  [[ "$out" == *'apiserver_request_duration_seconds_bucket{verb="GET",le="+Inf"}'* ]]
  [[ "$out" == *'apiserver_current_inflight_requests'* ]]
  [[ "$out" == *'etcd_request_duration_seconds_count{operation="create"}'* ]]
  [[ "$out" == *'apiserver_registered_watchers{resource="pods"}'* ]]
}

AGG='application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'
AGG_BETA='application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'

@test "aggregated discovery: what kubectl asks first, with verbs, short names, categories and subresources" {
  # kubectl v1.32's Accept, verbatim: v2, then v2beta1, then legacy JSON.
  curl -sS -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/api" \
    -H "Accept: $AGG,$AGG_BETA,application/json" "$API/api"
  grep -qi "^content-type: $AGG" "$BATS_TEST_TMPDIR/h"
  grep -qi '^etag: "' "$BATS_TEST_TMPDIR/h"
  jq -e '.kind == "APIGroupDiscoveryList" and .apiVersion == "apidiscovery.k8s.io/v2"
    and (.items | length) == 1 and .items[0].versions[0].version == "v1"' "$BATS_TEST_TMPDIR/api"
  jq -e '.items[0].versions[0].resources[] | select(.resource == "pods")
    | .scope == "Namespaced" and .singularResource == "pod" and .shortNames == ["po"]
      and .categories == ["all"] and (.verbs | index("deletecollection"))
      and ([.subresources[].subresource] | sort) == ["attach", "binding", "eviction", "exec", "log", "portforward", "status"]' "$BATS_TEST_TMPDIR/api"
  jq -e '.items[0].versions[0].resources[] | select(.resource == "namespaces")
    | (.verbs | index("deletecollection")) == null and .scope == "Cluster"
      and (.categories == null)' "$BATS_TEST_TMPDIR/api"
  out=$(curl -sS -H "Accept: $AGG" "$API/apis")
  jq -e '[.items[].metadata.name] | index("apps") and index("batch") and index("scheduling.tug.io")' <<<"$out"
  jq -e '[.items[].versions[].resources[] | select(.categories | index("all")) | .resource] | sort
    == ["cronjobs", "daemonsets", "deployments", "jobs", "replicasets", "statefulsets"]' <<<"$out"
  jq -e '.items[] | select(.metadata.name == "apps") | .versions[0].resources[]
    | select(.resource == "deployments") | .subresources[] | select(.subresource == "scale")
    | .responseKind == {group: "autoscaling", version: "v1", kind: "Scale"}' <<<"$out"
  out=$(curl -sS -D "$BATS_TEST_TMPDIR/h" -H "Accept: $AGG_BETA ; q=1 , application/json" "$API/apis")
  grep -qi "^content-type: $AGG_BETA" "$BATS_TEST_TMPDIR/h"
  [ "$(jq -r .apiVersion <<<"$out")" = apidiscovery.k8s.io/v2beta1 ]
}

@test "aggregated discovery: 304 for its ETag; legacy documents for plain JSON" {
  curl -sS -D "$BATS_TEST_TMPDIR/h" -o /dev/null -H "Accept: $AGG" "$API/apis"
  etag=$(grep -i '^etag:' "$BATS_TEST_TMPDIR/h" | cut -d' ' -f2 | tr -d '\r')
  code=$(curl -sS -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/b" -w '%{http_code}' \
    -H "Accept: $AGG" -H "If-None-Match: $etag" "$API/apis")
  [ "$code" = 304 ]
  [ ! -s "$BATS_TEST_TMPDIR/b" ]
  # The 304 names the type again: client-go's HTTP cache takes its headers.
  grep -qi "^content-type: $AGG" "$BATS_TEST_TMPDIR/h"
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Accept: $AGG" -H 'If-None-Match: "other"' "$API/apis")
  [ "$code" = 200 ]
  out=$(curl -sS -D "$BATS_TEST_TMPDIR/h" -H 'Accept: application/json' "$API/apis")
  [ "$(jq -r .kind <<<"$out")" = APIGroupList ]
  grep -qi '^vary: accept' "$BATS_TEST_TMPDIR/h"
  # A version we do not serve is passed over for the next entry.
  out=$(curl -sS -H 'Accept: application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList, application/json' "$API/api")
  [ "$(jq -r .kind <<<"$out")" = APIVersions ]
  out=$(curl -sS "$API/api/v1")
  jq -e '.resources[] | select(.name == "services") | .categories == ["all"] and .singularName == "service"' <<<"$out"
  jq -e '.resources[] | select(.name == "pods/binding") | .kind == "Binding" and .verbs == ["create"]' <<<"$out"
  out=$(curl -sS "$API/apis/apps/v1")
  jq -e '.resources[] | select(.name == "deployments/scale")
    | .group == "autoscaling" and .version == "v1" and .kind == "Scale"' <<<"$out"
}

@test "a verb that discovery does not announce is 405: no deletecollection of namespaces" {
  api DELETE /api/v1/namespaces >/dev/null
  [ "$code" = 405 ]
  [ "$(jq -r .reason <<<"$out")" = MethodNotAllowed ]
  api GET /api/v1/namespaces/default >/dev/null
  [ "$code" = 200 ]
}

@test "Table output when asked for, with kubectl's pod columns" {
  out=$(curl -sS -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$API/api/v1/namespaces/default/pods")
  [ "$(jq -r .kind <<<"$out")" = Table ]
  [ "$(jq -r '[.columnDefinitions[].name] | .[0:5] | join(",")' <<<"$out")" = "Name,Ready,Status,Restarts,Age" ]
}

@test "configmaps and secrets: create, stringData merged and never stored, list and watch" {
  api POST /api/v1/namespaces/default/configmaps '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"game"},
    "data":{"game.properties":"lives=3","ui":"dark"},"binaryData":{"logo":"iVBORw0KGgo="}}' >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -r .data.ui <<<"$out")" = dark ]
  api POST /api/v1/namespaces/default/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},
    "data":{"user":"YWRtaW4=","password":"b2xk"},"stringData":{"password":"s3cr3t"}}' >/dev/null
  [ "$code" = 201 ]
  [ "$(jq -r .type <<<"$out")" = Opaque ]
  [ "$(jq -r '.stringData // "gone"' <<<"$out")" = gone ]
  [ "$(jq -r .data.password <<<"$out" | base64 -d)" = s3cr3t ]
  [ "$(jq -r .data.user <<<"$out" | base64 -d)" = admin ]
  # Not in etcd either, and a patch through stringData merges the same way.
  etcd_ctl get /registry/secrets/default/creds --print-value-only | jq -e '.stringData == null'
  api PATCH /api/v1/namespaces/default/secrets/creds '{"stringData":{"token":"t0k"}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(jq -r '.data.token' <<<"$out" | base64 -d)" = t0k ]
  [ "$(jq -r '.stringData // "gone"' <<<"$out")" = gone ]
  [ "$(api GET /api/v1/namespaces/default/secrets/creds | jq -r '.data | keys | join(",")')" = password,token,user ]

  api GET /api/v1/configmaps >/dev/null
  [ "$(jq -r .kind <<<"$out")" = ConfigMapList ]
  jq -e '.items[] | select(.metadata.name == "game")' <<<"$out"
  curl -sN --max-time 2 "$API/api/v1/namespaces/default/secrets?watch=true&resourceVersion=0" >"$BATS_TEST_TMPDIR/w" || true
  jq -e 'select(.type == "ADDED" and .object.metadata.name == "creds")' "$BATS_TEST_TMPDIR/w"
  api DELETE /api/v1/namespaces/default/configmaps/game >/dev/null;  [ "$code" = 200 ]
  api GET /api/v1/namespaces/default/configmaps/game >/dev/null;     [ "$code" = 404 ]
}

@test "configmaps and secrets: bad keys, bad base64 and missing type keys are 422 naming the field" {
  api POST /api/v1/namespaces/default/configmaps '{"metadata":{"name":"badkey"},"data":{"a/b":"x"}}' >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r .reason <<<"$out")" = Invalid ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = 'data[a/b]' ]
  [[ "$(jq -r .message <<<"$out")" == *"a valid config key must consist of alphanumeric characters"* ]]
  api POST /api/v1/namespaces/default/configmaps '{"metadata":{"name":"dup"},"data":{"k":"x"},"binaryData":{"k":"eA=="}}' >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = 'data[k]' ]
  api POST /api/v1/namespaces/default/secrets '{"metadata":{"name":"badb64"},"data":{"p":"c2VjcmV0!"}}' >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = 'data[p]' ]
  [[ "$out" != *c2VjcmV0* ]]
  api POST /api/v1/namespaces/default/secrets '{"metadata":{"name":"tls"},"type":"kubernetes.io/tls","stringData":{"tls.crt":"c"}}' >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = 'data[tls.key]' ]
  api POST /api/v1/namespaces/default/secrets '{"metadata":{"name":"notstr"},"stringData":{"pin":1234}}' >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = 'stringData[pin]' ]
  for p in configmaps/badkey configmaps/dup secrets/badb64 secrets/tls secrets/notstr; do
    api GET /api/v1/namespaces/default/$p >/dev/null
    [ "$code" = 404 ]
  done
}

@test "configmaps and secrets: immutable ones refuse changes, and a secret's type is fixed" {
  api POST /api/v1/namespaces/default/configmaps '{"metadata":{"name":"frozen"},"data":{"k":"v"},"immutable":true}' >/dev/null
  [ "$code" = 201 ]
  api PATCH /api/v1/namespaces/default/configmaps/frozen '{"data":{"k":"w"}}' application/merge-patch+json >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = data ]
  [ "$(jq -r '.details.causes[0].reason' <<<"$out")" = FieldValueForbidden ]
  [[ "$(jq -r '.details.causes[0].message' <<<"$out")" == *'field is immutable when `immutable` is set'* ]]
  api PATCH /api/v1/namespaces/default/configmaps/frozen '{"immutable":null}' application/merge-patch+json >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = immutable ]
  # Labels may still change.
  api PATCH /api/v1/namespaces/default/configmaps/frozen '{"metadata":{"labels":{"a":"b"}}}' application/merge-patch+json >/dev/null
  [ "$code" = 200 ]
  [ "$(api GET /api/v1/namespaces/default/configmaps/frozen | jq -r .data.k)" = v ]

  api POST /api/v1/namespaces/default/secrets '{"metadata":{"name":"frozen"},"stringData":{"k":"v"},"immutable":true}' >/dev/null
  [ "$code" = 201 ]
  api PATCH /api/v1/namespaces/default/secrets/frozen '{"stringData":{"k":"w"}}' application/merge-patch+json >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = data ]
  api PATCH /api/v1/namespaces/default/secrets/frozen '{"type":"example.com/other"}' application/merge-patch+json >/dev/null
  [ "$code" = 422 ]
  [ "$(jq -r '.details.causes[0].field' <<<"$out")" = type ]
  [[ "$(jq -r '.details.causes[0].message' <<<"$out")" == *"field is immutable"* ]]
}

@test "configmaps and secrets: discovery, Table columns and quota counts" {
  api GET /api/v1 >/dev/null
  jq -e '.resources[] | select(.name == "configmaps" and .kind == "ConfigMap" and .namespaced and (.shortNames | index("cm")) and (.verbs | index("watch")))' <<<"$out"
  jq -e '.resources[] | select(.name == "secrets" and .kind == "Secret" and .namespaced and (.verbs | index("deletecollection")))' <<<"$out"
  [ "$(jq '[.resources[] | select(.name | startswith("configmaps/") or startswith("secrets/"))] | length' <<<"$out")" = 0 ]
  api POST /api/v1/namespaces/default/secrets '{"metadata":{"name":"web-tls"},"type":"kubernetes.io/tls","stringData":{"tls.crt":"c","tls.key":"k"}}' >/dev/null
  [ "$code" = 201 ]
  out=$(curl -sS -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$API/api/v1/namespaces/default/secrets")
  [ "$(jq -r '[.columnDefinitions[].name] | join(",")' <<<"$out")" = "Name,Type,Data,Age" ]
  [ "$(jq -r '.rows[] | select(.cells[0] == "web-tls") | .cells[1:3] | map(tostring) | join(",")' <<<"$out")" = "kubernetes.io/tls,2" ]
  out=$(curl -sS -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$API/api/v1/namespaces/default/configmaps")
  [ "$(jq -r '[.columnDefinitions[].name] | join(",")' <<<"$out")" = "Name,Data,Age" ]

  api POST /api/v1/namespaces "$(ns cmquota)" >/dev/null
  api POST /api/v1/namespaces/cmquota/resourcequotas '{"metadata":{"name":"q"},"spec":{"hard":{"configmaps":"1","count/secrets":"1"}}}' >/dev/null
  [ "$code" = 201 ]
  api POST /api/v1/namespaces/cmquota/configmaps '{"metadata":{"name":"one"}}' >/dev/null;  [ "$code" = 201 ]
  api POST /api/v1/namespaces/cmquota/configmaps '{"metadata":{"name":"two"}}' >/dev/null;  [ "$code" = 403 ]
  [[ "$(jq -r .message <<<"$out")" == *"exceeded quota: q, requested: configmaps=1, used: configmaps=1, limited: configmaps=1"* ]]
  api POST /api/v1/namespaces/cmquota/secrets '{"metadata":{"name":"one"}}' >/dev/null;     [ "$code" = 201 ]
  api POST /api/v1/namespaces/cmquota/secrets '{"metadata":{"name":"two"}}' >/dev/null;     [ "$code" = 403 ]
}
