/*
 * bench/etcd — puts per second through Tugboat's etcd client: first one at a
 * time, then with --inflight requests outstanding on the same channel, against
 * the same etcd in one run. Prints one line per phase with rate and latency
 * percentiles.
 *
 *   build/bench-etcd --endpoints http://127.0.0.1:2379 [--count 20000]
 *   (https:// endpoints: --pki DIR, a `tug certs` folder: its CA and the API
 *   server's etcd client pair)
 *                    [--inflight 64] [--value-size 256]
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etcd.h"
#include "pki.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *phase, int inflight, int n, double elapsed_ms, double *lat) {
  qsort(lat, n, sizeof *lat, cmp_double);
  printf("%-10s inflight=%-3d puts=%d seconds=%.2f puts_per_s=%.0f p50_ms=%.3f p99_ms=%.3f\n",
         phase, inflight, n, elapsed_ms / 1e3, n / (elapsed_ms / 1e3), lat[n / 2],
         lat[(int)(n * 0.99)]);
}

static int sequential(tug_etcd *c, int n, const char *value, size_t len) {
  double *lat = calloc(n, sizeof *lat);
  double t0 = now_ms();
  for (int i = 0; i < n; i++) {
    char key[64];
    snprintf(key, sizeof key, "/bench/seq/%08d", i);
    tug_error err = {0};
    double s = now_ms();
    if (tug_etcd_put(c, key, value, len, 0, NULL, &err) < 0) {
      fprintf(stderr, "bench: %s\n", err.msg);
      free(lat);
      return -1;
    }
    lat[i] = now_ms() - s;
  }
  report("sequential", 1, n, now_ms() - t0, lat);
  free(lat);
  return 0;
}

/* Concurrent phase: each completion starts the next put from the poller thread,
 * so exactly `inflight` requests are outstanding until the last ones drain. */
typedef struct conc {
  tug_etcd *c;
  const char *value;
  size_t len;
  int n, issued, done, failed;
  double *start, *lat;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} conc;

typedef struct slot {
  conc *run;
  int index;
} slot;

static void issue(conc *r, slot *s);

static void on_put(void *arg, int rc, int64_t rev, const tug_error *err) {
  (void)rev;
  slot *s = arg;
  conc *r = s->run;
  double t = now_ms();
  pthread_mutex_lock(&r->mu);
  r->lat[s->index] = t - r->start[s->index];
  r->done++;
  if (rc < 0 && r->failed++ == 0)
    fprintf(stderr, "bench: %s\n", err->msg);
  bool more = r->issued < r->n;
  pthread_mutex_unlock(&r->mu);
  if (more)
    issue(r, s);
  else
    free(s);
  pthread_mutex_lock(&r->mu);
  if (r->done == r->n)
    pthread_cond_signal(&r->cv);
  pthread_mutex_unlock(&r->mu);
}

static void issue(conc *r, slot *s) {
  pthread_mutex_lock(&r->mu);
  s->index = r->issued++;
  r->start[s->index] = now_ms();
  pthread_mutex_unlock(&r->mu);
  char key[64];
  snprintf(key, sizeof key, "/bench/conc/%08d", s->index);
  tug_error err = {0};
  if (tug_etcd_put_async(r->c, key, r->value, r->len, 0, on_put, s, &err) < 0)
    on_put(s, -1, 0, &err);
}

static int concurrent(tug_etcd *c, int n, int inflight, const char *value, size_t len) {
  conc r = {.c = c, .value = value, .len = len, .n = n};
  r.start = calloc(n, sizeof *r.start);
  r.lat = calloc(n, sizeof *r.lat);
  pthread_mutex_init(&r.mu, NULL);
  pthread_cond_init(&r.cv, NULL);
  double t0 = now_ms();
  for (int i = 0; i < inflight && i < n; i++) {
    slot *s = malloc(sizeof *s);
    s->run = &r;
    issue(&r, s);
  }
  pthread_mutex_lock(&r.mu);
  while (r.done < n)
    pthread_cond_wait(&r.cv, &r.mu);
  pthread_mutex_unlock(&r.mu);
  double elapsed = now_ms() - t0;
  if (r.failed == 0)
    report("concurrent", inflight, n, elapsed, r.lat);
  free(r.start);
  free(r.lat);
  return r.failed ? -1 : 0;
}

/* The CA and the API server's etcd client pair from a `tug certs` folder. */
static int read_pki(const char *dir, char **pems, tug_etcd_options *eo, tug_error *err) {
  if (tug_pki_read_pems(dir, "apiserver-etcd-client", pems, err) < 0)
    return -1;
  eo->ca_pem = pems[0];
  eo->cert_pem = pems[1];
  eo->key_pem = pems[2];
  return 0;
}

int main(int argc, char **argv) {
  const char *endpoints = "http://127.0.0.1:2379", *pki = NULL;
  int count = 20000, inflight = 64, value_size = 256;
  static const struct option opts[] = {
      {"endpoints", required_argument, NULL, 'e'}, {"count", required_argument, NULL, 'n'},
      {"inflight", required_argument, NULL, 'i'},  {"value-size", required_argument, NULL, 'v'},
      {"pki", required_argument, NULL, 'p'},       {NULL, 0, NULL, 0}};
  for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    switch (o) {
    case 'e':
      endpoints = optarg;
      break;
    case 'n':
      count = atoi(optarg);
      break;
    case 'i':
      inflight = atoi(optarg);
      break;
    case 'v':
      value_size = atoi(optarg);
      break;
    case 'p':
      pki = optarg;
      break;
    default:
      fprintf(stderr,
              "usage: %s [--endpoints URL] [--pki DIR] [--count N] [--inflight K] "
              "[--value-size B]\n",
              argv[0]);
      return 2;
    }
  }
  if (count <= 0 || inflight <= 0 || value_size < 0) {
    fprintf(stderr, "bench: --count and --inflight must be positive\n");
    return 2;
  }
  char *value = malloc(value_size + 1);
  memset(value, 'x', value_size);
  tug_etcd *c;
  tug_error err = {0};
  char *pems[3] = {0};
  tug_etcd_options eo = {0};
  if (pki && read_pki(pki, pems, &eo, &err) < 0) {
    fprintf(stderr, "bench: %s\n", err.msg);
    return 1;
  }
  if (tug_etcd_open(&c, endpoints, &eo, &err) < 0) {
    fprintf(stderr, "bench: %s\n", err.msg);
    return 1;
  }
  int rc = sequential(c, count, value, value_size);
  if (rc == 0)
    rc = concurrent(c, count, inflight, value, value_size);
  tug_etcd_delete_prefix(c, "/bench/", NULL, &err);
  tug_etcd_close(c);
  free(value);
  return rc < 0;
}
