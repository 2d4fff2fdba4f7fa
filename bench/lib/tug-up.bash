# tug-up.bash — what the network benchmarks share: a `tug up --nodes N`
# cluster in a temporary dir, removed on exit, a namespace `bench`, and pod()
# to place a busybox pod on a named node. Source it from the repository root:
#   . bench/lib/tug-up.bash; bench_up NODES NAME
# It sets T (the CLI) and tmp, and prints the date, the machine and the load.

bench_up() { # bench_up NODES NAME
  make --no-print-directory all >/dev/null
  tmp=$(mktemp -d "/var/tmp/tug-bench-$2.XXXXXX")
  export TUG_CONFIG=$tmp/config
  T=bin/tug
  trap bench_down EXIT
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  $T up --nodes "$1" --dir "$tmp/up" >/dev/null
  $T create namespace bench >/dev/null
}

bench_down() {
  $T down --dir "$tmp/up" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}

pod() { # pod NAME NODE LABEL COMMAND
  $T apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: bench, labels: {app: $3}}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    command: ["sh", "-c", "$4"]
YAML
}
