/*
 * bench-scheduler — two measures of tug-scheduler.
 *
 * Algorithm alone (default): cache + queues + plugins, no API server. N nodes
 * and M pending pods are fed to the core as informer events would be (pods
 * through the pod informer's transform, sched_pod_trim); then
 * the core decides until nothing is left, and the decisions per second are
 * printed, with the process's RSS.
 *
 *   build/bench-scheduler [--nodes N] [--pods M] [--queues Q] [--config FILE]
 *
 * Pods ask for 100m cpu and 128Mi; nodes have 4 cpu, 16Gi and 110 pods (the
 * hollow agent's defaults). With Q > 1 the pods' namespaces map to Q queues
 * of one cohort, so DRF ordering is part of every decision.
 *
 * End to end (--server URL, with a scheduler and hollow nodes running): M pods
 * are created in namespace "bench" by --inflight K threads as fast as the API
 * server takes them, while a watch notes when each gets its node; printed are
 * pods bound per second from the first create to the last bind, and the
 * create→bound latency percentiles (see run.sh).
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "clock.h"
#include "http.h"
#include "object.h"
#include "pod-trim.h"
#include "scheduler.h"

static uint64_t binds;

static void on_bind(void *arg, const sched_pod *p, const char *node) {
  (void)arg, (void)p, (void)node;
  binds++;
}
static void on_evict(void *arg, const sched_pod *v, const sched_pod *p) {
  (void)arg, (void)v, (void)p;
}
static void on_fail(void *arg, const sched_pod *p, const char *m) {
  (void)arg, (void)p, (void)m;
}

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0)
      kb = strtol(line + 6, NULL, 10);
  if (f)
    fclose(f);
  return kb;
}

static json_t *node_obj(int i) {
  char name[32];
  snprintf(name, sizeof name, "hollow-%d", i);
  return json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{}, s:{s:{s:s, s:s, s:s}, s:[{s:s, s:s}]}}",
                   "apiVersion", "v1", "kind", "Node", "metadata", "name", name, "labels",
                   "kubernetes.io/hostname", name, "spec", "status", "allocatable", "cpu", "4",
                   "memory", "16Gi", "pods", "110", "conditions", "type", "Ready", "status",
                   "True");
}

static json_t *pod_obj(int i, int queues) {
  char name[32], ns[32];
  snprintf(name, sizeof name, "pod-%d", i);
  snprintf(ns, sizeof ns, "team-%d", i % queues);
  return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:i, s:[{s:s, s:s, s:{s:{s:s, "
                   "s:s}}}]}}",
                   "apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace", ns,
                   "uid", name, "creationTimestamp", "2026-12-01T00:00:00Z", "spec", "priority", 0,
                   "containers", "name", "c", "image", "busybox", "resources", "requests", "cpu",
                   "100m", "memory", "128Mi");
}

static int run_api(const char *server, int pods, int inflight);

int main(int argc, char **argv) {
  int nodes = 1000, pods = 10000, queues = 1, inflight = 32;
  const char *config = NULL, *server = NULL;
  static const struct option opts[] = {{"nodes", required_argument, NULL, 'n'},
                                       {"pods", required_argument, NULL, 'p'},
                                       {"queues", required_argument, NULL, 'q'},
                                       {"config", required_argument, NULL, 'c'},
                                       {"server", required_argument, NULL, 's'},
                                       {"inflight", required_argument, NULL, 'i'},
                                       {NULL, 0, NULL, 0}};
  int opt;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (opt == 'n')
      nodes = atoi(optarg);
    else if (opt == 'p')
      pods = atoi(optarg);
    else if (opt == 'q')
      queues = atoi(optarg);
    else if (opt == 'c')
      config = optarg;
    else if (opt == 's')
      server = optarg;
    else if (opt == 'i')
      inflight = atoi(optarg);
    else
      return 2;
  }
  if (server)
    return run_api(server, pods, inflight < 1 ? 1 : inflight);
  if (nodes < 1 || pods < 1 || queues < 1) {
    fprintf(stderr, "bench-scheduler: --nodes, --pods and --queues must be positive\n");
    return 2;
  }
  sched_profile prof;
  sched_profile_default(&prof);
  tug_error err = {0};
  if (config && sched_profile_load_file(&prof, config, &err) < 0) {
    fprintf(stderr, "bench-scheduler: %s\n", err.msg);
    return 1;
  }
  sched_sink sink = {on_bind, on_evict, on_fail};
  sched_core *core = sched_core_new(&prof, &sink, NULL);
  if (core == NULL)
    return 1;
  for (int q = 0; q < queues && queues > 1; q++) {
    char name[32], ns[32];
    snprintf(name, sizeof name, "q%d", q);
    snprintf(ns, sizeof ns, "team-%d", q);
    json_t *obj = json_pack("{s:s, s:s, s:{s:s}, s:{s:[s], s:s, s:i}}", "apiVersion",
                            "scheduling.tug.io/v1", "kind", "Queue", "metadata", "name", name,
                            "spec", "namespaces", ns, "cohort", "all", "weight", 1);
    sched_core_queue_changed(core, obj);
    json_decref(obj);
  }
  for (int i = 0; i < nodes; i++) {
    json_t *n = node_obj(i);
    sched_core_node_changed(core, n);
    json_decref(n);
  }
  double t0 = tug_monotonic_seconds();
  sched_trimmer *trimmer = sched_trimmer_new();
  for (int i = 0; i < pods; i++) {
    json_t *p = pod_obj(i, queues), *t = sched_pod_trim(p, trimmer);
    sched_core_pod_changed(core, t, t0);
    json_decref(t);
    json_decref(p);
  }
  double t1 = tug_monotonic_seconds(), c1 = cpu_seconds();
  uint64_t decisions = 0;
  while (sched_core_schedule_one(core, t1))
    decisions++;
  double t2 = tug_monotonic_seconds(), c2 = cpu_seconds();
  printf("nodes=%d pods=%d queues=%d\n", nodes, pods, queues);
  printf("ingest: %.3f s (%.0f pods/s)\n", t1 - t0, pods / (t1 - t0));
  printf("decisions: %llu in %.3f s = %.0f decisions/s (%llu bound)\n",
         (unsigned long long)decisions, t2 - t1, decisions / (t2 - t1), (unsigned long long)binds);
  printf("cpu: %.3f s = %.0f decisions per cpu-second (wall time above counts other load)\n",
         c2 - c1, decisions / (c2 - c1));
  printf("rss: %.1f MB\n", rss_kb() / 1024.0);
  sched_core_free(core);
  sched_trimmer_free(trimmer);
  return 0;
}

/* ---- end to end, through the API server ---- */

typedef struct api_run {
  tug_client *cli;
  int pods;
  atomic_int next;
  double *created, *bound; /* monotonic seconds per pod index; 0 when not yet */
  atomic_int n_bound;
  atomic_bool stop;
  double deadline; /* monotonic seconds: stop watching then */
  char rv[32];     /* the newest resourceVersion the watch has seen */
  bool need_list;  /* an ERROR event came: list again before watching */
  int rewatches, relists;
} api_run;

static void *creator(void *arg) {
  api_run *r = arg;
  char name[32];
  int i;
  while ((i = atomic_fetch_add(&r->next, 1)) < r->pods) {
    json_t *p = pod_obj(i, 1);
    json_object_set_new(json_object_get(p, "metadata"), "namespace", json_string("bench"));
    json_object_del(json_object_get(p, "metadata"), "uid");
    json_object_del(json_object_get(p, "metadata"), "creationTimestamp");
    json_object_del(json_object_get(p, "spec"), "priority");
    snprintf(name, sizeof name, "pod-%d", i);
    tug_error err = {0};
    r->created[i] = tug_monotonic_seconds();
    if (tug_client_create(r->cli, "/api/v1/namespaces/bench/pods", p, NULL, &err) < 0)
      fprintf(stderr, "create %s: %s\n", name, err.msg);
    json_decref(p);
  }
  return NULL;
}

/* Note pod obj bound now if it has a node; true once every pod is. */
static bool note_bound(api_run *r, const json_t *obj) {
  const char *name = tug_obj_name(obj), *node = tug_obj_get_str(obj, "spec.nodeName");
  int i;
  if (name == NULL || node == NULL || node[0] == '\0' || sscanf(name, "pod-%d", &i) != 1 || i < 0 ||
      i >= r->pods || r->bound[i] != 0)
    return false;
  r->bound[i] = tug_monotonic_seconds();
  return atomic_fetch_add(&r->n_bound, 1) + 1 == r->pods;
}

static int on_event(const char *type, json_t *obj, void *arg) {
  api_run *r = arg;
  if (strcmp(type, "ERROR") == 0) {
    r->need_list = true;
    return 1;
  }
  const char *rv = tug_obj_resource_version(obj);
  if (rv && rv[0])
    snprintf(r->rv, sizeof r->rv, "%s", rv);
  /* Bookmarks come every few seconds, so a stuck run still ends. */
  return (strcmp(type, "BOOKMARK") != 0 && note_bound(r, obj)) ||
         tug_monotonic_seconds() >= r->deadline;
}

/* List the pods: notes those already bound (a relist dates the binds it finds
 * at the list, a little late) and where a watch can start. */
static int list_pods(api_run *r, tug_error *err) {
  _cleanup_json_ json_t *list = NULL;
  if (tug_client_list(r->cli, "/api/v1/namespaces/bench/pods", NULL, &list, err) < 0)
    return -1;
  size_t i;
  json_t *item;
  json_array_foreach(tug_obj_get(list, "items"), i, item)
    note_bound(r, item);
  const char *rv = tug_obj_get_str(list, "metadata.resourceVersion");
  snprintf(r->rv, sizeof r->rv, "%s", rv ? rv : "0");
  return 0;
}

/*
 * Watch until every pod is bound or deadline passes. A watch the server ends
 * (a timeout, or this client fell behind and was closed as slow) resumes
 * from the last resourceVersion seen, as an informer does; one too old to
 * resume (410) lists again. Re-watching from the first list's version instead
 * would replay the same events forever once they outnumber the server's
 * per-watcher queue.
 */
static int follow_binds(api_run *r, tug_error *err) {
  while (atomic_load(&r->n_bound) < r->pods && tug_monotonic_seconds() < r->deadline) {
    char path[256];
    snprintf(path, sizeof path,
             "/api/v1/namespaces/bench/pods?watch=true&allowWatchBookmarks=true&resourceVersion=%s",
             r->rv);
    int rc = tug_client_watch(r->cli, path, on_event, r, NULL, err);
    if (atomic_load(&r->n_bound) >= r->pods)
      break;
    if (rc < 0 && err->code != TUG_E_COMPACTED)
      return -1;
    if (rc < 0 || r->need_list) {
      r->need_list = false;
      r->relists++;
      if (list_pods(r, err) < 0)
        return -1;
    } else {
      r->rewatches++;
    }
  }
  return 0;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int run_api(const char *server, int pods, int inflight) {
  tug_error err = {0};
  api_run r = {.pods = pods};
  r.cli = tug_client_new(server, NULL, &err);
  r.created = calloc((size_t)pods, sizeof *r.created);
  r.bound = calloc((size_t)pods, sizeof *r.bound);
  if (r.cli == NULL || !r.created || !r.bound) {
    fprintf(stderr, "bench-scheduler: %s\n", err.msg);
    return 1;
  }
  json_t *ns = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Namespace", "metadata",
                         "name", "bench");
  tug_client_create(r.cli, "/api/v1/namespaces", ns, NULL, &err);
  json_decref(ns);
  if (list_pods(&r, &err) < 0) {
    fprintf(stderr, "bench-scheduler: %s\n", err.msg);
    return 1;
  }
  pthread_t *threads = calloc((size_t)inflight, sizeof *threads);
  double t0 = tug_monotonic_seconds();
  for (int i = 0; i < inflight; i++)
    pthread_create(&threads[i], NULL, creator, &r);
  r.deadline = t0 + 60 + pods / 100.0;
  if (follow_binds(&r, &err) < 0)
    fprintf(stderr, "bench-scheduler: watch: %s\n", err.msg);
  for (int i = 0; i < inflight; i++)
    pthread_join(threads[i], NULL);
  double first = 1e300, last_create = 0, last = 0;
  double *lat = calloc((size_t)pods, sizeof *lat);
  int n = 0;
  for (int i = 0; i < pods; i++) {
    first = r.created[i] && r.created[i] < first ? r.created[i] : first;
    last_create = r.created[i] > last_create ? r.created[i] : last_create;
    if (r.bound[i]) {
      last = r.bound[i] > last ? r.bound[i] : last;
      lat[n++] = r.bound[i] - r.created[i];
    }
  }
  qsort(lat, (size_t)n, sizeof *lat, by_value);
  printf("pods=%d inflight=%d bound=%d (watch saw %d; it was resumed %d times, relisted %d)\n",
         pods, inflight, n, atomic_load(&r.n_bound), r.rewatches, r.relists);
  printf("creates: %.0f pods/s\n", pods / (last_create - first));
  printf("bound: %.0f pods/s from first create to last bind (%.2f s)\n", n / (last - first),
         last - first);
  if (n)
    printf("create->bound latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", lat[n / 2] * 1e3,
           lat[(size_t)(n * 0.99)] * 1e3, lat[n - 1] * 1e3);
  free(lat);
  free(threads);
  free(r.created);
  free(r.bound);
  tug_client_free(r.cli);
  return n == pods ? 0 : 1;
}
