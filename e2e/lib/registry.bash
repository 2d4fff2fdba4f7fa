# registry.bash — a real OCI registry on loopback (Debian's docker-registry)
# and small images built offline: source after etcd.bash (for _free_port,
# wait_ready, stop_pid).
#
# registry_start [USER PASSWORD]: a registry with its own config and storage
# under a fresh dir, on 127.0.0.1:<free port>; with a user, every request
# needs HTTP basic auth (htpasswd, bcrypt). Sets REGISTRY (host:port),
# REGISTRY_DIR, REGISTRY_PID. registry_stop stops it by PID and removes its dir.
#
# oci_image DIR TAG TEXT [CMD_JSON [CONFIG_JSON]]: an OCI image layout in DIR
# with two gzip layers: busybox-static with a few applet links, /etc/passwd and
# /etc/group (root, nobody) and a file /gone, then /hello.txt holding TEXT plus
# a whiteout of /gone; its config sets Cmd (default ["cat","/hello.txt"]), Env
# GREETING=hello, WorkingDir /work, and CONFIG_JSON merged in deeply
# ('{"config":{"User":"nobody"}}').
# Made with tar, gzip, sha256sum and jq only.
#
# registry_push DIR TAG REPO [CREDS]: skopeo copy of the layout to
# $REGISTRY/REPO:TAG over plain HTTP; prints the manifest digest.

registry_start() {
  REGISTRY_DIR=$(mktemp -d /tmp/tug-e2e-registry.XXXXXX)
  local port auth=""
  port=$(_free_port)
  REGISTRY="127.0.0.1:$port"
  if [ $# -eq 2 ]; then
    htpasswd -Bbn "$1" "$2" >"$REGISTRY_DIR/htpasswd"
    auth="auth:
  htpasswd:
    realm: tug-e2e
    path: $REGISTRY_DIR/htpasswd"
  fi
  cat >"$REGISTRY_DIR/config.yml" <<CFG
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY
$auth
CFG
  docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/registry.log" 2>&1 &
  REGISTRY_PID=$!
  export REGISTRY REGISTRY_DIR REGISTRY_PID
  # 200 open, 401 with auth: either way it answers.
  wait_ready docker-registry "$REGISTRY_PID" "$REGISTRY_DIR/registry.log" \
    sh -c "curl -s -o /dev/null -w '%{http_code}' http://$REGISTRY/v2/ | grep -qE '200|401'"
}

registry_stop() {
  [ -n "${REGISTRY_PID:-}" ] && stop_pid "$REGISTRY_PID"
  REGISTRY_PID=
  [ -n "${REGISTRY_DIR:-}" ] && rm -rf "$REGISTRY_DIR"
  REGISTRY_DIR=
}

# _blob DIR FILE MEDIATYPE: move FILE into DIR's blobs by digest; print its descriptor.
_blob() {
  local dir=$1 file=$2 mt=$3 sum size
  sum=$(sha256sum "$file" | cut -d' ' -f1)
  size=$(stat -c %s "$file")
  mv "$file" "$dir/blobs/sha256/$sum"
  jq -cn --arg mt "$mt" --arg d "sha256:$sum" --argjson s "$size" \
    '{mediaType: $mt, digest: $d, size: $s}'
}

oci_image() {
  local dir=$1 tag=$2 text=$3 cmd=${4:-'["cat","/hello.txt"]'} extra=${5:-'{}'}
  local work l1 l2 c m diff1 diff2 a
  work=$(mktemp -d)
  mkdir -p "$dir/blobs/sha256" "$work/1/bin" "$work/1/work" "$work/1/etc" "$work/2"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' >"$work/1/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/1/etc/group"
  cp /bin/busybox "$work/1/bin/busybox"
  for a in sh cat echo sleep ls id env pwd test true false; do ln -s busybox "$work/1/bin/$a"; done
  echo "deleted by the upper layer" >"$work/1/gone"
  printf '%s\n' "$text" >"$work/2/hello.txt"
  : >"$work/2/.wh.gone"
  tar -C "$work/1" --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -cf "$work/l1.tar" .
  tar -C "$work/2" --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -cf "$work/l2.tar" .
  diff1=$(sha256sum "$work/l1.tar" | cut -d' ' -f1)
  diff2=$(sha256sum "$work/l2.tar" | cut -d' ' -f1)
  gzip -n "$work/l1.tar" "$work/l2.tar"
  l1=$(_blob "$dir" "$work/l1.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)
  l2=$(_blob "$dir" "$work/l2.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)
  jq -cn --argjson cmd "$cmd" --arg d1 "sha256:$diff1" --arg d2 "sha256:$diff2" --argjson x "$extra" \
    '{architecture: "amd64", os: "linux",
      config: {Cmd: $cmd, Env: ["PATH=/bin", "GREETING=hello"], WorkingDir: "/work"},
      rootfs: {type: "layers", diff_ids: [$d1, $d2]}} * $x' >"$work/config.json"
  c=$(_blob "$dir" "$work/config.json" application/vnd.oci.image.config.v1+json)
  jq -cn --argjson c "$c" --argjson l1 "$l1" --argjson l2 "$l2" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: $c, layers: [$l1, $l2]}' >"$work/manifest.json"
  m=$(_blob "$dir" "$work/manifest.json" application/vnd.oci.image.manifest.v1+json)
  echo '{"imageLayoutVersion": "1.0.0"}' >"$dir/oci-layout"
  jq -cn --argjson m "$m" --arg t "$tag" \
    '{schemaVersion: 2, manifests: [$m + {annotations: {"org.opencontainers.image.ref.name": $t}}]}' \
    >"$dir/index.json"
  rm -rf "$work"
}

registry_push() {
  local dir=$1 tag=$2 repo=$3 creds=${4:-}
  local args=(--quiet --dest-tls-verify=false)
  [ -n "$creds" ] && args+=(--dest-creds "$creds")
  skopeo copy "${args[@]}" "oci:$dir:$tag" "docker://$REGISTRY/$repo:$tag" >&2 || return 1
  jq -r '.manifests[0].digest' "$dir/index.json"
}
