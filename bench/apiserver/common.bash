# common.bash — what bench/apiserver's scripts share: their flags
# (--seconds N, --threads N), a fresh etcd and tug-apiserver on loopback
# (stopped on exit), the run's header, and summary, which turns wrk's
# output into one line. Source it from the repository's top.
seconds=10 threads=16
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--threads N]" >&2; exit 2 ;;
  esac
done
source e2e/lib/etcd.bash
source e2e/lib/apiserver.bash

bench_start() { # bench_start: the API server, and the header naming the machine
  trap apiserver_stop EXIT
  apiserver_start --threads "$threads" --max-requests-inflight 1000
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
  echo "etcd: $(etcd --version | head -1); tug-apiserver --threads $threads; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
}

bench_namespace() { # bench_namespace NAME
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$API/api/v1/namespaces" \
    -d "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$1\"}}"
}

bench_fill_pods() { # bench_fill_pods NAMESPACE N: a namespace of exactly N pods p1..pN
  bench_namespace "$1"
  seq 1 "$2" | xargs -P 16 -I{} curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
    "$API/api/v1/namespaces/$1/pods" \
    -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p{}","labels":{"app":"list"}},"spec":{"containers":[{"name":"c","image":"busybox:latest","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}]}}'
}

summary() { # summary NAME < wrk output
  awk -v name="$1" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /codes_non2xx=/ {split($0, a, "="); bad=a[2]}
    /Non-2xx/ {bad=$NF}
    END {printf "%-15s req_per_s=%s p50=%s p99=%s non2xx=%s\n", name, rps, p50, p99, bad+0}'
}
