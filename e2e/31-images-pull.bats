#!/usr/bin/env bats
# Image pulls end to end: a real registry on loopback (Debian's docker-registry),
# images built offline by the test (busybox-static plus a file, as OCI layouts),
# pushed with skopeo, then pods that pull them through tug-agent. A second
# registry needs basic auth, for pull secrets. One cluster for the file, with
# a second agent (node) for concurrent pulls. The first agent's store is a
# 64 MiB tmpfs, so that garbage collection's threshold is reached by a file
# the test writes there.

AGENT_FLAGS=()
load lib/agent-suite
load lib/registry
eval "$(declare -f setup_file | sed '1s/setup_file/agent_setup_file/')"
eval "$(declare -f teardown_file | sed '1s/teardown_file/agent_teardown_file/')"

setup_file() {
  IMAGES=$(mktemp -d /tmp/tug-e2e-images.XXXXXX)
  export IMAGES
  registry_start
  PUBLIC=$REGISTRY PUBLIC_DIR=$REGISTRY_DIR PUBLIC_PID=$REGISTRY_PID
  registry_start tuguser tugpass
  PRIVATE=$REGISTRY PRIVATE_DIR=$REGISTRY_DIR PRIVATE_PID=$REGISTRY_PID
  export PUBLIC PUBLIC_DIR PUBLIC_PID PRIVATE PRIVATE_DIR PRIVATE_PID
  oci_image "$IMAGES/one" v1 "hello one"
  oci_image "$IMAGES/two" v2 "hello two" '["sh","-c","echo $GREETING from $(pwd); cat /gone 2>/dev/null || echo gone is gone"]'
  REGISTRY=$PUBLIC
  DIGEST_ONE=$(registry_push "$IMAGES/one" v1 library/hello)
  DIGEST_TWO=$(registry_push "$IMAGES/two" v2 team/two)
  REGISTRY=$PRIVATE
  registry_push "$IMAGES/one" v1 secret/app tuguser:tugpass >/dev/null
  export DIGEST_ONE DIGEST_TWO
  AGENT_FLAGS=(--default-registry "$PUBLIC" --insecure-registry "$PUBLIC,$PRIVATE"
    --image-gc-period 1s --minimum-image-ttl-duration 0s)
  agent_setup_file
  # The second node first, then the first one again with its store on a tmpfs.
  FIRST=$NODE FIRST_ROOT=$AGENT_ROOT FIRST_LOG=$AGENT_LOG FIRST_PID=$AGENT_PID
  agent_start "e2e-node2-$$" --restart-backoff-seconds 1 "${AGENT_FLAGS[@]}"
  SECOND=$NODE SECOND_ROOT=$AGENT_ROOT SECOND_LOG=$AGENT_LOG SECOND_PID=$AGENT_PID
  NODE=$FIRST AGENT_ROOT=$FIRST_ROOT AGENT_LOG=$FIRST_LOG AGENT_PID=$FIRST_PID
  stop_pid "$AGENT_PID"
  mkdir -p "$AGENT_ROOT/store"
  rm -rf "${AGENT_ROOT:?}/store/"*
  mount -t tmpfs -o size=64m tug-e2e-store "$AGENT_ROOT/store"
  mapfile -t id < <(agent_identity "$NODE")
  bin/tug-agent "${id[@]}" --node-name "$NODE" --root "$AGENT_ROOT" --port "$(_free_port)" \
    --restart-backoff-seconds 1 --log-level debug "${AGENT_FLAGS[@]}" >>"$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  export NODE AGENT_ROOT AGENT_LOG AGENT_PID SECOND SECOND_ROOT SECOND_LOG SECOND_PID
  wait_ready tug-agent "$AGENT_PID" "$AGENT_LOG" agent_node_ready
}

teardown_file() {
  (NODE=$SECOND AGENT_ROOT=$SECOND_ROOT AGENT_LOG=$SECOND_LOG AGENT_PID=$SECOND_PID agent_stop) || true
  # The first agent's teardown unmounts what lies under its root, the store's tmpfs too.
  agent_teardown_file || true
  REGISTRY_PID=$PUBLIC_PID REGISTRY_DIR=$PUBLIC_DIR registry_stop
  REGISTRY_PID=$PRIVATE_PID REGISTRY_DIR=$PRIVATE_DIR registry_stop
  rm -rf "$IMAGES"
}

# mkpod NAME IMAGE [EXTRA_SPEC_JSON [NODE]]: a pod of one container, restartPolicy Never,
# bound to $NODE (or NODE).
mkpod() {
  local body
  body=$(jq -cn --arg n "$1" --arg i "$2" --arg node "${4:-$NODE}" --argjson x "${3:-{\}}" \
    '{apiVersion: "v1", kind: "Pod", metadata: {name: $n},
      spec: ({nodeName: $node, restartPolicy: "Never", terminationGracePeriodSeconds: 1,
             containers: [{name: "main", image: $i}]} + $x)}')
  api POST /api/v1/namespaces/default/pods "$body" >/dev/null
  [ "$code" = 201 ] || { echo "create $1: $code $out" >&2; return 1; }
  jq -r .metadata.uid <<<"$out" >>"$UIDS_FILE"
}

logs() { curl -fsS "$API/api/v1/namespaces/default/pods/$1/log"; }
waiting_reason() { pod "$1" | jq -r '.status.containerStatuses[0].state.waiting.reason // ""'; }
events_of() {
  curl -fsS "$API/api/v1/namespaces/default/events" |
    jq -r --arg n "$1" '.items[] | select(.involvedObject.name == $n) | "\(.reason) \(.message)"'
}

@test "images: a pod by tag pulls its image and runs the image's Cmd, Env and WorkingDir" {
  mkpod bytag "$PUBLIC/team/two:v2"
  wait_for 30 phase_is bytag Succeeded
  run logs bytag
  [ "$output" = "$(printf 'hello from /work\ngone is gone')" ]
  [ "$(pod bytag | jq -r '.status.containerStatuses[0].imageID')" = "$PUBLIC/team/two@$DIGEST_TWO" ]
  run events_of bytag
  [[ "$output" == *"Pulling Pulling image \"$PUBLIC/team/two:v2\""* ]]
  [[ "$output" =~ Pulled\ Successfully\ pulled\ image\ \"$PUBLIC/team/two:v2\"\ in\ [0-9.]+s\ \([0-9.]+s\ including\ waiting\)\.\ Image\ size:\ [0-9]+\ bytes\. ]]
}

@test "images: a short name by digest resolves against --default-registry" {
  mkpod bydigest "hello@$DIGEST_ONE"
  wait_for 30 phase_is bydigest Succeeded
  [ "$(logs bydigest)" = "hello one" ]
  [ "$(pod bydigest | jq -r '.status.containerStatuses[0].imageID')" = "$PUBLIC/library/hello@$DIGEST_ONE" ]
  # The layers the two images share are stored once.
  [ "$(ls "$AGENT_ROOT/store/layers" | wc -l)" -eq 3 ]
}

@test "images: IfNotPresent uses the stored image; Never refuses an absent one" {
  mkpod present "hello@$DIGEST_ONE"
  wait_for 20 phase_is present Succeeded
  run events_of present
  [[ "$output" == *"Pulled Container image \"hello@$DIGEST_ONE\" already present on machine"* ]]
  mkpod never "$PUBLIC/library/nothere:v9" '{"containers":[{"name":"main","image":"'"$PUBLIC"'/library/nothere:v9","imagePullPolicy":"Never"}]}'
  wait_for 20 eval '[ "$(waiting_reason never)" = ErrImageNeverPull ]'
}

@test "images: a layer whose content does not match its digest is refused" {
  REGISTRY=$PUBLIC
  oci_image "$IMAGES/bad" v1 "corrupt me"
  registry_push "$IMAGES/bad" v1 team/bad >/dev/null
  layer=$(jq -r '.layers[1].digest' "$IMAGES/bad/blobs/sha256/$(jq -r '.manifests[0].digest' "$IMAGES/bad/index.json" | cut -d: -f2)" | cut -d: -f2)
  data="$PUBLIC_DIR/storage/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data"
  printf 'X' | dd of="$data" bs=1 seek=20 conv=notrunc 2>/dev/null
  mkpod corrupt "$PUBLIC/team/bad:v1"
  wait_for 30 eval '[ "$(waiting_reason corrupt)" = ErrImagePull ] || [ "$(waiting_reason corrupt)" = ImagePullBackOff ]'
  run events_of corrupt
  [[ "$output" == *"Failed Failed to pull image \"$PUBLIC/team/bad:v1\": "*"content has digest"*"refused"* ]]
  wait_for 20 eval '[ "$(waiting_reason corrupt)" = ImagePullBackOff ]'
  [ ! -e "$AGENT_ROOT/store/layers/$layer" ]
}

@test "images: a private repository needs its pull secret" {
  mkpod nosecret "$PRIVATE/secret/app:v1"
  wait_for 30 eval '[ -n "$(waiting_reason nosecret)" ] && [ "$(waiting_reason nosecret)" != ContainerCreating ]'
  run events_of nosecret
  [[ "$output" == *"HTTP 401"*"UNAUTHORIZED"* ]]
  cfg=$(jq -cn --arg h "$PRIVATE" '{auths: {($h): {auth: ("tuguser:tugpass" | @base64)}}}')
  api POST /api/v1/namespaces/default/secrets "$(jq -cn --arg d "$(printf %s "$cfg" | base64 -w0)" \
    '{apiVersion: "v1", kind: "Secret", metadata: {name: "regcred"},
      type: "kubernetes.io/dockerconfigjson", data: {".dockerconfigjson": $d}}')" >/dev/null
  [ "$code" = 201 ]
  mkpod withsecret "$PRIVATE/secret/app:v1" '{"imagePullSecrets":[{"name":"regcred"}]}'
  wait_for 30 phase_is withsecret Succeeded
  [ "$(logs withsecret)" = "hello one" ]
}

@test "images: pods pulling one image at once share one pull" {
  REGISTRY=$PUBLIC
  oci_image "$IMAGES/three" v3 "hello three"
  registry_push "$IMAGES/three" v3 team/three >/dev/null
  for i in 1 2 3; do mkpod "same$i" "$PUBLIC/team/three:v3"; done
  for i in 1 2 3; do wait_for 30 phase_is "same$i" Succeeded; done
  for i in 1 2 3; do [ "$(logs "same$i")" = "hello three" ]; done
  # One "Pulling" per pod, one transfer: the manifest was asked for once.
  n=$(grep -c 'GET /v2/team/three/manifests/v3' "$PUBLIC_DIR/registry.log" || true)
  [ "$n" -le 1 ] || { grep 'team/three' "$PUBLIC_DIR/registry.log" >&2; false; }
}

@test "images: two nodes pull one image at once, each into its own store" {
  REGISTRY=$PUBLIC
  oci_image "$IMAGES/four" v4 "hello four"
  registry_push "$IMAGES/four" v4 team/four >/dev/null
  mkpod onfirst "$PUBLIC/team/four:v4"
  mkpod onsecond "$PUBLIC/team/four:v4" '{}' "$SECOND"
  wait_for 30 phase_is onfirst Succeeded
  wait_for 30 phase_is onsecond Succeeded
  [ "$(logs onfirst)" = "hello four" ]
  [ "$(logs onsecond)" = "hello four" ]
  bin/tug image ls --root "$AGENT_ROOT" | grep -q "team/four:v4"
  [ "$(ls "$SECOND_ROOT/store/images" | wc -l)" -eq 1 ]
}

@test "images: status.images on the Node lists the stored images with their digests" {
  wait_for 10 eval '[ -n "$(kubectl get node "$NODE" -o jsonpath="{.status.images[*].names}" | grep -F "$PUBLIC/team/four:v4")" ]'
  run kubectl get node "$NODE" -o jsonpath='{.status.images[*].names}'
  [[ "$output" == *"$PUBLIC/team/two@$DIGEST_TWO"* ]]
  run kubectl get node "$NODE" -o jsonpath='{.status.images[0].sizeBytes}'
  [ "$output" -gt 0 ]
}

@test "images: tug image load takes a docker save archive; a pod with imagePullPolicy Never runs it" {
  local work=$IMAGES/docker-save layer diff cfg
  mkdir -p "$work/l1" "$work/root/bin"
  cp /bin/busybox "$work/root/bin/busybox"
  ln -s busybox "$work/root/bin/sh"
  ln -s busybox "$work/root/bin/echo"
  tar -C "$work/root" --numeric-owner --owner=0 --group=0 -cf "$work/l1/layer.tar" .
  diff=$(sha256sum "$work/l1/layer.tar" | cut -d' ' -f1)
  jq -cn --arg d "sha256:$diff" '{architecture: "amd64", os: "linux",
    config: {Cmd: ["echo", "loaded from an archive"], Env: ["PATH=/bin"]},
    rootfs: {type: "layers", diff_ids: [$d]}}' >"$work/config.json"
  cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/$cfg.json"
  jq -cn --arg c "$cfg.json" '[{Config: $c, RepoTags: ["loaded/app:v1"], Layers: ["l1/layer.tar"]}]' \
    >"$work/manifest.json"
  tar -C "$work" -cf "$IMAGES/saved.tar" manifest.json "$cfg.json" l1
  run bin/tug image load "$IMAGES/saved.tar" --root "$AGENT_ROOT"
  [ "$status" -eq 0 ] || { echo "$output" >&2; false; }
  [[ "$output" == *"Loaded image: loaded/app:v1"* ]]
  run bin/tug image ls --root "$AGENT_ROOT"
  [[ "$output" == *"loaded/app:v1"*"sha256:${cfg:0:12}"* ]]
  mkpod fromarchive loaded/app:v1 '{"containers":[{"name":"main","image":"loaded/app:v1","imagePullPolicy":"Never"}]}'
  wait_for 30 phase_is fromarchive Succeeded
  [ "$(logs fromarchive)" = "loaded from an archive" ]
  # A layer whose tar is not the one the config lists is refused.
  printf 'junk' >>"$work/l1/layer.tar"
  tar -C "$work" -cf "$IMAGES/bad.tar" manifest.json "$cfg.json" l1
  run bin/tug image load "$IMAGES/bad.tar" --root "$SECOND_ROOT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"config says sha256:$diff: refused"* ]]
}

@test "images: garbage collection frees unused images once the store crosses its threshold" {
  # team/three (pods gone) and team/bad's layers are unused; team/four is named by a pod.
  api DELETE "/api/v1/namespaces/default/pods/same1?gracePeriodSeconds=0" >/dev/null
  api DELETE "/api/v1/namespaces/default/pods/same2?gracePeriodSeconds=0" >/dev/null
  api DELETE "/api/v1/namespaces/default/pods/same3?gracePeriodSeconds=0" >/dev/null
  wait_for 20 eval '[ "$(curl -fsS "$API/api/v1/namespaces/default/pods" | jq "[.items[] | select(.metadata.name | startswith(\"same\"))] | length")" = 0 ]'
  three=$(bin/tug image ls --root "$AGENT_ROOT" | awk '/team\/three:v3/ {print $2}')
  [ -n "$three" ]
  # Fill the 64 MiB store to ~90 %: above the high threshold (85 %).
  used=$(df -B1 --output=used "$AGENT_ROOT/store" | tail -1)
  dd if=/dev/zero of="$AGENT_ROOT/store/tmp/filler" bs=1M count=$(( (58 * 1048576 - used) / 1048576 )) 2>/dev/null
  wait_for 15 eval '! bin/tug image ls --root "$AGENT_ROOT" | grep -q "team/three:v3"'
  grep -q 'msg="image removed"' "$AGENT_LOG"
  # In use: still there.
  bin/tug image ls --root "$AGENT_ROOT" | grep -q "team/four:v4"
  bin/tug image ls --root "$AGENT_ROOT" | grep -q "loaded/app:v1"
  [ ! -e "$AGENT_ROOT/store/points/${three#sha256:}" ]
  rm -f "$AGENT_ROOT/store/tmp/filler"
}

@test "images: the image's User names resolve through its /etc/passwd; runAsNonRoot checks it" {
  REGISTRY=$PUBLIC
  oci_image "$IMAGES/named" v1 "-" '["sh","-c","echo $(id -u):$(id -g)"]' '{"config":{"User":"nobody"}}'
  registry_push "$IMAGES/named" v1 team/named >/dev/null
  mkpod named "$PUBLIC/team/named:v1"
  wait_for 30 phase_is named Succeeded
  [ "$(logs named)" = "65534:65534" ] || { logs named >&2; false; }
  # A name cannot be verified as non-root (kubelet's rule), nor can an image of root.
  mkpod nonroot "$PUBLIC/team/named:v1" '{"securityContext":{"runAsNonRoot":true}}'
  wait_for 20 eval '[ "$(waiting_reason nonroot)" = CreateContainerConfigError ]'
  pod nonroot | jq -r '.status.containerStatuses[0].state.waiting.message' | grep -q "non-numeric user (nobody)"
  mkpod rootimage "$PUBLIC/team/two:v2" '{"securityContext":{"runAsNonRoot":true}}'
  wait_for 20 eval '[ "$(waiting_reason rootimage)" = CreateContainerConfigError ]'
  pod rootimage | jq -r '.status.containerStatuses[0].state.waiting.message' | grep -q "image will run as root"
  mkpod nonrootuser "$PUBLIC/team/named:v1" '{"securityContext":{"runAsNonRoot":true,"runAsUser":1000}}'
  wait_for 30 phase_is nonrootuser Succeeded
}

@test "images: a layer whose uncompressed tar is not the config's diff_id is refused" {
  REGISTRY=$PUBLIC
  zero="sha256:$(printf '0%.0s' $(seq 64))"
  oci_image "$IMAGES/diffid" v1 "x" '["cat","/hello.txt"]' "{\"rootfs\":{\"diff_ids\":[\"$zero\",\"$zero\"]}}"
  registry_push "$IMAGES/diffid" v1 team/diffid >/dev/null
  mkpod diffid "$PUBLIC/team/diffid:v1"
  wait_for 30 eval '[ "$(waiting_reason diffid)" = ErrImagePull ] || [ "$(waiting_reason diffid)" = ImagePullBackOff ]'
  run events_of diffid
  [[ "$output" == *"config says $zero: refused"* ]]
}
