/* metrics.c — counters and histograms behind one mutex; rendered on demand. */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "hashmap.h"
#include "watchcache.h"

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
enum { NBUCKETS = sizeof buckets / sizeof buckets[0] };

typedef struct histogram {
  unsigned long counts[NBUCKETS];
  unsigned long count;
  double sum;
} histogram;

struct api_metrics {
  pthread_mutex_t mu;
  tug_hashmap *requests;  /* "verb\tresource\tcode" → unsigned long* */
  tug_hashmap *latency;   /* verb → histogram* */
  tug_hashmap *etcd;      /* op → histogram* */
};

api_metrics *api_metrics_new(void) {
  api_metrics *m = calloc(1, sizeof *m);
  pthread_mutex_init(&m->mu, NULL);
  m->requests = tug_hashmap_new();
  m->latency = tug_hashmap_new();
  m->etcd = tug_hashmap_new();
  return m;
}

void api_metrics_free(api_metrics *m) {
  if (m == NULL)
    return;
  tug_hashmap_free(m->requests, free);
  tug_hashmap_free(m->latency, free);
  tug_hashmap_free(m->etcd, free);
  pthread_mutex_destroy(&m->mu);
  free(m);
}

static void observe(tug_hashmap *map, const char *key, double v) {
  histogram *h = tug_hashmap_get(map, key);
  if (h == NULL) {
    h = calloc(1, sizeof *h);
    tug_hashmap_put(map, key, h);
  }
  for (int i = 0; i < NBUCKETS; i++)
    if (v <= buckets[i])
      h->counts[i]++;
  h->count++;
  h->sum += v;
}

void api_metrics_request(api_metrics *m, const api_request *r, const api_response *out) {
  const char *verb = r->verb ? r->verb : "other";
  char key[256];
  snprintf(key, sizeof key, "%s\t%s\t%d", verb, r->resource[0] ? r->resource : "", out->code);
  double took = tug_monotonic_seconds() - r->start;
  pthread_mutex_lock(&m->mu);
  unsigned long *n = tug_hashmap_get(m->requests, key);
  if (n == NULL) {
    n = calloc(1, sizeof *n);
    tug_hashmap_put(m->requests, key, n);
  }
  (*n)++;
  if (strcmp(verb, "WATCH") != 0)
    observe(m->latency, verb, took);
  pthread_mutex_unlock(&m->mu);
}

void api_metrics_etcd(api_metrics *m, const char *op, double seconds) {
  if (m == NULL)
    return;
  pthread_mutex_lock(&m->mu);
  observe(m->etcd, op, seconds);
  pthread_mutex_unlock(&m->mu);
}

typedef struct buf {
  char *s;
  size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < b->cap - b->len) {
      b->len += n;
      return;
    }
    b->cap = b->cap * 2 + (n > 0 ? (size_t)n : 0);
    b->s = realloc(b->s, b->cap);
  }
}

static void render_histograms(buf *b, tug_hashmap *map, const char *name, const char *label) {
  tug_hashmap_iter it;
  tug_hashmap_iter_init(&it, map);
  const char *key;
  void *v;
  while (tug_hashmap_next(&it, &key, &v)) {
    histogram *h = v;
    for (int i = 0; i < NBUCKETS; i++)
      put(b, "%s_bucket{%s=\"%s\",le=\"%g\"} %lu\n", name, label, key, buckets[i], h->counts[i]);
    put(b, "%s_bucket{%s=\"%s\",le=\"+Inf\"} %lu\n", name, label, key, h->count);
    put(b, "%s_sum{%s=\"%s\"} %g\n%s_count{%s=\"%s\"} %lu\n", name, label, key, h->sum, name,
        label, key, h->count);
  }
}

char *api_metrics_render(api_metrics *m, api_server *s) {
  buf b = {malloc(8192), 0, 8192};
  b.s[0] = '\0';
  pthread_mutex_lock(&m->mu);
  put(&b, "# HELP apiserver_request_total Requests answered, by verb, resource and code.\n"
          "# TYPE apiserver_request_total counter\n");
  tug_hashmap_iter it;
  tug_hashmap_iter_init(&it, m->requests);
  const char *key;
  void *v;
  while (tug_hashmap_next(&it, &key, &v)) {
    char verb[64], res[128];
    int code;
    if (sscanf(key, "%63[^\t]\t%127[^\t]\t%d", verb, res, &code) != 3 &&
        sscanf(key, "%63[^\t]\t\t%d", verb, &code) == 2)
      res[0] = '\0';
    put(&b, "apiserver_request_total{verb=\"%s\",resource=\"%s\",code=\"%d\"} %lu\n", verb, res,
        code, *(unsigned long *)v);
  }
  put(&b, "# HELP apiserver_request_duration_seconds Request latency by verb (watches excluded).\n"
          "# TYPE apiserver_request_duration_seconds histogram\n");
  render_histograms(&b, m->latency, "apiserver_request_duration_seconds", "verb");
  put(&b, "# HELP etcd_request_duration_seconds etcd call latency by operation.\n"
          "# TYPE etcd_request_duration_seconds histogram\n");
  render_histograms(&b, m->etcd, "etcd_request_duration_seconds", "operation");
  pthread_mutex_unlock(&m->mu);
  put(&b, "# HELP apiserver_current_inflight_requests Requests being served (watches excluded).\n"
          "# TYPE apiserver_current_inflight_requests gauge\napiserver_current_inflight_requests "
          "%d\n",
      atomic_load(&s->inflight));
  put(&b, "# HELP apiserver_registered_watchers Open watches, by resource.\n"
          "# TYPE apiserver_registered_watchers gauge\n");
  for (const api_kind *k = api_kinds; k->kind; k++)
    if (s->caches && s->caches[k - api_kinds])
      put(&b, "apiserver_registered_watchers{resource=\"%s\"} %zu\n", k->plural,
          api_watchcache_watchers(s->caches[k - api_kinds]));
  put(&b, "# HELP apiserver_terminated_watchers_total Watches closed because the client fell "
          "too far behind, by resource.\n"
          "# TYPE apiserver_terminated_watchers_total counter\n");
  for (const api_kind *k = api_kinds; k->kind; k++)
    if (s->caches && s->caches[k - api_kinds])
      put(&b, "apiserver_terminated_watchers_total{resource=\"%s\"} %lu\n", k->plural,
          api_watchcache_terminated(s->caches[k - api_kinds]));
  return b.s;
}
