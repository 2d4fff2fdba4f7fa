#!/usr/bin/env bash
# HTTPS against plain HTTP on one API server, in one run: GET of one pod and
# CREATE of pods, 32 keep-alive connections each (wrk), first over the plain
# loopback listener (--insecure-listen, no authentication: the cluster admin)
# then over HTTPS with a bearer token from the static token file (TLS on every
# request, the token hashed and compared with the file's), then plain and
# HTTPS again, so that a drift of the machine shows. Prints each pass and the
# HTTPS/plain throughput ratio per verb over both rounds. wrk runs on the same
# cores and pays for its own TLS too, so each pass also shows the API
# server's CPU per request (utime + stime from /proc), the server's own cost.
# Usage: bench/apiserver/tls.sh [--seconds N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/apiserver/common.bash
make --no-print-directory bin/tug-apiserver >/dev/null
export APISERVER_INSECURE=1
bench_start
plain=$API
tls=$API_TLS
token=e2e-admin-token
echo "plain: $plain; https: $tls (TLS 1.3, bearer token)"

bench_fill_pods bench-get 10

# The API server's CPU time so far, in clock ticks.
server_ticks() { awk '{print $14 + $15}' "/proc/$APISERVER_PID/stat"; }

# pass NAME URL [wrk args...]: one wrk run, its summary line and the server's
# CPU microseconds per request.
pass() {
  local name=$1 url=$2 before line rps
  shift 2
  before=$(server_ticks)
  line=$(wrk -t2 -c32 -d"${seconds}s" --latency "$@" "$url" | summary "$name")
  rps=$(sed 's/.*req_per_s=\([0-9.]*\).*/\1/' <<<"$line")
  awk -v l="$line" -v t="$(($(server_ticks) - before))" -v hz="$(getconf CLK_TCK)" -v r="$rps" \
    -v s="$seconds" 'BEGIN {printf "%s server_cpu_us_per_req=%.0f\n", l, t / hz * 1e6 / (r * s)}'
}

results=$(mktemp)
trap 'rm -f "$results"; apiserver_stop' EXIT
for round in 1 2; do
  pass "GET-http-$round" "$plain/api/v1/namespaces/bench-get/pods/p5" | tee -a "$results"
  pass "GET-https-$round" "$tls/api/v1/namespaces/bench-get/pods/p5" \
    -H "Authorization: Bearer $token" | tee -a "$results"
  # A namespace per pass: create.lua's names start again with each run.
  bench_namespace "bench-create-http-$round"
  pass "CREATE-http-$round" "$plain/api/v1/namespaces/bench-create-http-$round/pods" \
    -s bench/apiserver/create.lua | tee -a "$results"
  bench_namespace "bench-create-https-$round"
  pass "CREATE-https-$round" "$tls/api/v1/namespaces/bench-create-https-$round/pods" \
    -s bench/apiserver/create.lua -H "Authorization: Bearer $token" | tee -a "$results"
done
awk '{split($2, a, "="); split($1, n, "-"); sum[n[1] "-" n[2]] += a[2]}
  END {for (v in sum) if (v ~ /-http$/) { base = substr(v, 1, length(v) - 5);
    printf "%s https/http throughput ratio: %.2f\n", base, sum[base "-https"] / sum[v] } }' "$results"
