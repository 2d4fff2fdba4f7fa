#!/usr/bin/env bash
# A custom resource against a ConfigMap in one run, against a real etcd, all on
# loopback: what a CRD's structural schema (pruning, defaults, validation) and
# its run-time registration cost beside a built-in kind of the same size.
#   1. CREATE, 32 concurrent clients: ConfigMaps, then Widgets (a CRD with a
#      schema of four fields, a default, an enum, a pattern and a range)
#   2. LIST of 1,000 of each, 32 clients, JSON
# Usage: bench/apiserver/crd.sh [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver >/dev/null
bench_start

curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
  "$API/apis/apiextensions.k8s.io/v1/customresourcedefinitions" -d '{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.example.com"},
  "spec": {"group": "example.com", "scope": "Namespaced",
    "names": {"plural": "widgets", "kind": "Widget"},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "additionalPrinterColumns": [{"name": "Size", "type": "string", "jsonPath": ".spec.size"}],
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
        "required": ["size"], "properties": {
          "size": {"type": "string", "enum": ["small", "medium", "large"]},
          "replicas": {"type": "integer", "minimum": 0, "maximum": 10, "default": 1},
          "color": {"type": "string", "pattern": "^[a-z]+$"},
          "owner": {"type": "string", "maxLength": 64}}}}}}}]}}'
for _ in $(seq 1 50); do
  curl -fsS "$API/apis/example.com/v1" >/dev/null 2>&1 && break
  sleep 0.1
done

CM='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"app":"bench"}},"data":{"size":"small","replicas":"2","color":"red","owner":"team-a"}}'
WG='{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"NAME","labels":{"app":"bench"}},"spec":{"size":"small","replicas":2,"color":"red","owner":"team-a"}}'
CM_PATH=api/v1/namespaces/NS/configmaps
WG_PATH=apis/example.com/v1/namespaces/NS/widgets

for kind in configmap widget; do
  if [ "$kind" = configmap ]; then obj=$CM path=$CM_PATH; else obj=$WG path=$WG_PATH; fi
  bench_namespace "create-$kind"
  TUG_BENCH_OBJECT=$obj wrk -t2 -c32 -d"${seconds}s" --latency -s bench/apiserver/create-named.lua \
    "$API/${path/NS/create-$kind}" | summary "CREATE-$kind"
  echo "created ($kind): $(curl -fsS "$API/${path/NS/create-$kind}" | jq '.items | length')"
  bench_namespace "list-$kind"
  numbered='o{}' # xargs puts the number where {} is
  seq 1 1000 | xargs -P 16 -I{} curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
    "$API/${path/NS/list-$kind}" -d "${obj/NAME/$numbered}"
  echo "list size ($kind): $(curl -fsS "$API/${path/NS/list-$kind}" | wc -c) bytes"
done
for kind in configmap widget; do
  if [ "$kind" = configmap ]; then path=$CM_PATH; else path=$WG_PATH; fi
  wrk -t2 -c32 -d"${seconds}s" --latency "$API/${path/NS/list-$kind}" | summary "LIST-$kind"
done
echo "apiserver RSS after the run: $(ps -o rss= -p "$APISERVER_PID") KiB"
