#!/usr/bin/env bash
# Image pull and start (issue 16's benchmark), as root: etcd, tug-apiserver, one
# tug-agent and a registry on loopback (Debian's docker-registry). The script
# builds a ~50 MB image of 5 gzip layers offline (busybox-static, then 10 MiB of
# random data per layer: incompressible, so the bytes moved are the bytes
# stored), pushes it, and times from pod create to the container's exit
# (phase Succeeded, polled every 20 ms):
#   cold: the image is not on the node (removed with tug image rm before each run);
#   warm: it is (IfNotPresent, the tag is not latest).
# Cold pulls run on two agents side by side, alternating: one fetching layers
# one after another (--max-concurrent-downloads 1), one three at a time (the
# default), so the two are compared in the same minutes.
# Beside it, in the same run: `skopeo copy docker://... dir:...` of the same
# image from the same registry (download and digest checks, no unpacking).
# Each figure is the median of RUNS (default 5).
#   bench/images/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
make --no-print-directory bin/tug-apiserver bin/tug-agent bin/tug >/dev/null
export APISERVER_INSECURE=1
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash
source e2e/lib/agent.bash
source e2e/lib/registry.bash
work=$(mktemp -d /var/tmp/tug-bench-images.XXXXXX)
stop_serial() {
  [ -n "${SERIAL_PID:-}" ] || return 0
  (NODE=$SERIAL AGENT_ROOT=$SERIAL_ROOT AGENT_LOG=$SERIAL_LOG AGENT_PID=$SERIAL_PID agent_stop) || true
}
trap 'stop_serial; agent_stop; apiserver_stop; registry_stop; rm -rf "$work"' EXIT
apiserver_start
registry_start

# The image: an OCI layout in $work/layout, five gzip layers.
build_image() {
  local dir=$work/layout i descs="[]" diffs="[]" d
  mkdir -p "$dir/blobs/sha256"
  for i in 1 2 3 4 5; do
    mkdir -p "$work/l$i"
    if [ "$i" = 1 ]; then
      mkdir -p "$work/l1/bin"
      cp /bin/busybox "$work/l1/bin/busybox"
      ln -s busybox "$work/l1/bin/true"
    fi
    head -c $((10 << 20)) /dev/urandom >"$work/l$i/data$i"
    tar -C "$work/l$i" --sort=name --numeric-owner --owner=0 --group=0 -cf "$work/l$i.tar" .
    diffs=$(jq -c --arg d "sha256:$(sha256sum "$work/l$i.tar" | cut -d' ' -f1)" '. + [$d]' <<<"$diffs")
    gzip -1 -n "$work/l$i.tar"
    d=$(_blob "$dir" "$work/l$i.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)
    descs=$(jq -c --argjson d "$d" '. + [$d]' <<<"$descs")
  done
  jq -cn --argjson diffs "$diffs" '{architecture: "amd64", os: "linux",
    config: {Cmd: ["true"], Env: ["PATH=/bin"]}, rootfs: {type: "layers", diff_ids: $diffs}}' \
    >"$work/config.json"
  c=$(_blob "$dir" "$work/config.json" application/vnd.oci.image.config.v1+json)
  jq -cn --argjson c "$c" --argjson l "$descs" '{schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: $l}' \
    >"$work/manifest.json"
  m=$(_blob "$dir" "$work/manifest.json" application/vnd.oci.image.manifest.v1+json)
  echo '{"imageLayoutVersion": "1.0.0"}' >"$dir/oci-layout"
  jq -cn --argjson m "$m" '{schemaVersion: 2,
    manifests: [$m + {annotations: {"org.opencontainers.image.ref.name": "v1"}}]}' >"$dir/index.json"
}
build_image
registry_push "$work/layout" v1 bench/big >/dev/null
size=$(du -sb "$work/layout/blobs" | cut -f1)
agent_start "bench-serial" --default-registry "$REGISTRY" --insecure-registry "$REGISTRY" \
  --max-concurrent-downloads 1
SERIAL=$NODE SERIAL_ROOT=$AGENT_ROOT SERIAL_LOG=$AGENT_LOG SERIAL_PID=$AGENT_PID
agent_start "bench-node" --default-registry "$REGISTRY" --insecure-registry "$REGISTRY"
image="$REGISTRY/bench/big:v1"

now_ms() { date +%s%3N; }
# start_ms NAME [NODE]: create a pod of the image bound to the node; print ms until it Succeeded.
start_ms() {
  local t0 body phase
  body=$(jq -cn --arg n "$1" --arg i "$image" --arg node "${2:-$NODE}" '{apiVersion: "v1", kind: "Pod",
    metadata: {name: $n}, spec: {nodeName: $node, restartPolicy: "Never",
    terminationGracePeriodSeconds: 0, containers: [{name: "main", image: $i}]}}')
  t0=$(now_ms)
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
    "$API/api/v1/namespaces/default/pods" -d "$body"
  while :; do
    phase=$(curl -fsS "$API/api/v1/namespaces/default/pods/$1" | jq -r .status.phase)
    [ "$phase" = Succeeded ] && break
    [ "$phase" = Failed ] && { echo "pod $1 failed" >&2; return 1; }
    sleep 0.02
  done
  echo $(($(now_ms) - t0))
  curl -fsS -o /dev/null -X DELETE "$API/api/v1/namespaces/default/pods/$1?gracePeriodSeconds=0"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cold=() serial=() warm=() copy=()
for r in $(seq 1 "$runs"); do
  bin/tug image rm "$image" --root "$SERIAL_ROOT" >/dev/null 2>&1 || true
  serial+=("$(start_ms "serial-$r" "$SERIAL")")
  bin/tug image rm "$image" --root "$AGENT_ROOT" >/dev/null 2>&1 || true
  cold+=("$(start_ms "cold-$r")")
  warm+=("$(start_ms "warm-$r")")
  rm -rf "$work/copy"
  t0=$(now_ms)
  skopeo copy --quiet --src-tls-verify=false "docker://$image" "dir:$work/copy"
  copy+=("$(($(now_ms) - t0))")
done
c=$(printf '%s\n' "${cold[@]}" | median)
c1=$(printf '%s\n' "${serial[@]}" | median)
w=$(printf '%s\n' "${warm[@]}" | median)
s=$(printf '%s\n' "${copy[@]}" | median)
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "image: 5 layers, $size bytes of blobs; $runs runs, medians"
echo "cold pull+start: ${c} ms   (runs: ${cold[*]})"
echo "cold, serial:    ${c1} ms   (runs: ${serial[*]}; --max-concurrent-downloads 1)"
echo "warm start:      ${w} ms   (runs: ${warm[*]})"
echo "skopeo copy:     ${s} ms   (runs: ${copy[*]})"
echo "cold / skopeo:   $(awk -v a="$c" -v b="$s" 'BEGIN {printf "%.2f", a / b}')"
echo "serial / skopeo: $(awk -v a="$c1" -v b="$s" 'BEGIN {printf "%.2f", a / b}')"
