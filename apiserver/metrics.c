/* metrics.c — counters and histograms by label, behind one mutex; rendered on demand. */
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "commit.h"
#include "hashmap.h"
#include "histogram.h"
#include "watchcache.h"

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};

struct api_metrics {
  pthread_mutex_t mu;
  tug_hashmap *requests; /* "verb\tresource\tcode" → unsigned long* */
  tug_hashmap *latency;  /* verb → tug_histogram* */
  tug_hashmap *etcd;     /* op → tug_histogram* */
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
  tug_histogram *h = tug_hashmap_get(map, key);
  if (h == NULL) {
    if ((h = malloc(sizeof *h)) == NULL)
      return;
    tug_histogram_init(h, buckets, sizeof buckets / sizeof buckets[0]);
    tug_hashmap_put(map, key, h);
  }
  tug_histogram_observe(h, v);
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

static void render_histograms(FILE *f, tug_hashmap *map, const char *name, const char *label) {
  tug_hashmap_iter it;
  tug_hashmap_iter_init(&it, map);
  const char *key;
  void *v;
  char labels[256];
  while (tug_hashmap_next(&it, &key, &v)) {
    snprintf(labels, sizeof labels, "%s=\"%s\"", label, key);
    tug_histogram_render(v, f, name, labels);
  }
}

char *api_metrics_render(api_metrics *m, api_server *s) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return NULL;
  pthread_mutex_lock(&m->mu);
  fprintf(f, "# HELP apiserver_request_total Requests answered, by verb, resource and code.\n"
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
    fprintf(f, "apiserver_request_total{verb=\"%s\",resource=\"%s\",code=\"%d\"} %lu\n", verb, res,
            code, *(unsigned long *)v);
  }
  fprintf(f,
          "# HELP apiserver_request_duration_seconds Request latency by verb (watches excluded).\n"
          "# TYPE apiserver_request_duration_seconds histogram\n");
  render_histograms(f, m->latency, "apiserver_request_duration_seconds", "verb");
  fprintf(f, "# HELP etcd_request_duration_seconds etcd call latency by operation.\n"
             "# TYPE etcd_request_duration_seconds histogram\n");
  render_histograms(f, m->etcd, "etcd_request_duration_seconds", "operation");
  pthread_mutex_unlock(&m->mu);
  fprintf(f,
          "# HELP apiserver_current_inflight_requests Requests being served (watches excluded).\n"
          "# TYPE apiserver_current_inflight_requests gauge\napiserver_current_inflight_requests "
          "%d\n",
          atomic_load(&s->inflight));
  if (s->committer) {
    long txns, writes;
    api_committer_counts(s->committer, &txns, &writes);
    fprintf(f,
            "# HELP apiserver_etcd_write_txns_total etcd transactions that carried objects' "
            "writes (commit.h).\n# TYPE apiserver_etcd_write_txns_total counter\n"
            "apiserver_etcd_write_txns_total %ld\n"
            "# HELP apiserver_etcd_writes_total Objects' writes, grouped into those "
            "transactions.\n# TYPE apiserver_etcd_writes_total counter\n"
            "apiserver_etcd_writes_total %ld\n",
            txns, writes);
  }
  fprintf(f, "# HELP apiserver_registered_watchers Open watches, by resource.\n"
             "# TYPE apiserver_registered_watchers gauge\n");
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k))
    if (s->caches && api_kind_cache(s, k))
      fprintf(f, "apiserver_registered_watchers{resource=\"%s\"} %zu\n", k->plural,
              api_watchcache_watchers(api_kind_cache(s, k)));
  fprintf(f, "# HELP apiserver_terminated_watchers_total Watches closed because the client fell "
             "too far behind, by resource.\n"
             "# TYPE apiserver_terminated_watchers_total counter\n");
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k))
    if (s->caches && api_kind_cache(s, k))
      fprintf(f, "apiserver_terminated_watchers_total{resource=\"%s\"} %lu\n", k->plural,
              api_watchcache_terminated(api_kind_cache(s, k)));
  api_audit_render_metrics(s->audit, f);
  if (s->flowcontrol)
    api_flowcontrol_render(s->flowcontrol, f);
  fclose(f);
  return text;
}
