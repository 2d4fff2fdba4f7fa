/*
 * bench-controllers — a Deployment scaled and rolled out at size, timed from
 * the outside (tug-controllers, tug-scheduler and hollow nodes running).
 *
 *   build/bench-controllers --server URL [--namespace bench] [--replicas 5000]
 *       [--timeout 600] [--proc NAME=PID]...
 *
 * One Deployment "bench" is created with 0 replicas, scaled to N ("scale"),
 * then given a new template ("roll"). A pod watch timestamps each pod's
 * ADDED event and the events that first show it bound (spec.nodeName) and
 * Running, on this process's clock (creationTimestamp has 1 s resolution);
 * the Deployment's status is polled every 200 ms for the end of each phase.
 * Printed per phase: time to the end, p50/p99/max over the phase's pods of
 * ADDED → Running and of its two legs (ADDED → bound: the scheduler; bound →
 * Running: the node), and for each --proc the CPU seconds it used and its RSS
 * at the end.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hashmap.h"
#include "http.h"
#include "object.h"

typedef struct pod_times {
  double added, bound, running;
} pod_times;

enum { MAX_PROCS = 8 };

typedef struct bench {
  tug_client *watch_client, *client;
  const char *ns;
  int replicas;
  double timeout;
  tug_hashmap *pods; /* uid → pod_times */
  pthread_mutex_t mu;
  char rv[64];       /* the watch resumes from here when it breaks */
  atomic_bool stop;
  int nprocs;
  const char *proc_name[MAX_PROCS];
  int proc_pid[MAX_PROCS];
  double proc_cpu[MAX_PROCS];
} bench;

static int on_event(const char *type, json_t *pod, void *arg) {
  bench *b = arg;
  double now = tug_monotonic_seconds();
  const char *uid = tug_obj_uid(pod), *rv = tug_obj_resource_version(pod);
  if (rv)
    snprintf(b->rv, sizeof b->rv, "%s", rv);
  if (uid == NULL || strcmp(type, "BOOKMARK") == 0 || strcmp(type, "ERROR") == 0)
    return 0;
  const char *phase = tug_obj_get_str(pod, "status.phase");
  pthread_mutex_lock(&b->mu);
  pod_times *t = tug_hashmap_get(b->pods, uid);
  if (t == NULL && (t = calloc(1, sizeof *t)) != NULL) {
    t->added = now;
    tug_hashmap_put(b->pods, uid, t);
  }
  if (t && t->bound == 0 && tug_obj_get_str(pod, "spec.nodeName"))
    t->bound = now;
  if (t && t->running == 0 && phase && strcmp(phase, "Running") == 0)
    t->running = now;
  pthread_mutex_unlock(&b->mu);
  return 0;
}

/* Watch pods until stopped, resuming from the last resourceVersion seen. */
static void *watcher(void *arg) {
  bench *b = arg;
  while (!atomic_load(&b->stop)) {
    char path[256];
    snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods?watch=true&resourceVersion=%s", b->ns,
             b->rv);
    tug_error err = {0};
    if (tug_client_watch(b->watch_client, path, on_event, b, &b->stop, &err) < 0) {
      fprintf(stderr, "bench-controllers: watch: %s (resuming)\n", err.msg);
      usleep(200 * 1000);
    }
  }
  return NULL;
}

static double proc_cpu_seconds(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  unsigned long utime = 0, stime = 0;
  /* Fields 14 and 15 follow the ") " that ends the command name. */
  char buf[1024];
  if (f && fgets(buf, sizeof buf, f)) {
    char *p = strrchr(buf, ')');
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
      utime = stime = 0;
  }
  if (f)
    fclose(f);
  return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_rss_kb(int pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0)
      kb = strtol(line + 6, NULL, 10);
  if (f)
    fclose(f);
  return kb;
}

static void report_procs(bench *b, double seconds) {
  for (int i = 0; i < b->nprocs; i++) {
    double cpu = proc_cpu_seconds(b->proc_pid[i]);
    printf("  %-12s cpu %.1f s (%.2f cores)  RSS %.1f MiB\n", b->proc_name[i],
           cpu - b->proc_cpu[i], seconds > 0 ? (cpu - b->proc_cpu[i]) / seconds : 0,
           (double)proc_rss_kb(b->proc_pid[i]) / 1024.0);
    b->proc_cpu[i] = cpu;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void print_percentiles(const char *what, double *v, size_t n) {
  if (n == 0)
    return;
  qsort(v, n, sizeof *v, cmp_double);
  printf("  %-18s p50 %.2f s, p99 %.2f s, max %.2f s\n", what, v[n / 2],
         v[(size_t)((double)(n - 1) * 0.99)], v[n - 1]);
}

/* Latencies of the pods added at or after since; the last Running time in *last. */
static void report_latency(bench *b, double since, double *last) {
  pthread_mutex_lock(&b->mu);
  size_t n = 0, cap = tug_hashmap_size(b->pods) + 1;
  double *total = calloc(cap, sizeof *total), *sched = calloc(cap, sizeof *sched),
         *node = calloc(cap, sizeof *node);
  tug_hashmap_iter it;
  const char *uid;
  void *v;
  *last = since;
  for (tug_hashmap_iter_init(&it, b->pods); total && sched && node && tug_hashmap_next(&it, &uid, &v);) {
    pod_times *t = v;
    if (t->added < since || t->running == 0)
      continue;
    double bound = t->bound > 0 ? t->bound : t->running;
    total[n] = t->running - t->added;
    sched[n] = bound - t->added;
    node[n++] = t->running - bound;
    if (t->running > *last)
      *last = t->running;
  }
  pthread_mutex_unlock(&b->mu);
  printf("  pods Running: %zu\n", n);
  print_percentiles("ADDED -> Running", total, n);
  print_percentiles("ADDED -> bound", sched, n);
  print_percentiles("bound -> Running", node, n);
  free(total);
  free(sched);
  free(node);
}

/* Poll the Deployment until done(d) or the timeout; seconds taken, or -1. */
static double wait_for(bench *b, double t0, bool (*done)(bench *, const json_t *)) {
  double next_note = t0 + 10;
  char path[256];
  snprintf(path, sizeof path, "/apis/apps/v1/namespaces/%s/deployments/bench", b->ns);
  for (;;) {
    json_t *d = NULL;
    tug_error err = {0};
    double now = tug_monotonic_seconds();
    if (tug_client_get(b->client, path, &d, &err) >= 0 && done(b, d)) {
      json_decref(d);
      return now - t0;
    }
    if (now >= next_note) {
      printf("  %.0f s: replicas %lld updated %lld ready %lld available %lld\n", now - t0,
             (long long)tug_obj_get_int(d, "status.replicas", 0),
             (long long)tug_obj_get_int(d, "status.updatedReplicas", 0),
             (long long)tug_obj_get_int(d, "status.readyReplicas", 0),
             (long long)tug_obj_get_int(d, "status.availableReplicas", 0));
      fflush(stdout);
      next_note += 10;
    }
    json_decref(d);
    if (now - t0 > b->timeout)
      return -1;
    usleep(200 * 1000);
  }
}

static bool status_is(const json_t *d, const char *field, int64_t want) {
  return tug_obj_get_int(d, field, 0) == want;
}

static bool all_available(bench *b, const json_t *d) {
  return tug_obj_get_int(d, "status.observedGeneration", 0) >=
             tug_obj_get_int(d, "metadata.generation", 1) &&
         status_is(d, "status.readyReplicas", b->replicas) &&
         status_is(d, "status.availableReplicas", b->replicas);
}

/* Rolled out: every replica updated and available, no old pod left, and
 * every old ReplicaSet scaled to 0. */
static bool rolled_out(bench *b, const json_t *d) {
  if (!all_available(b, d) || !status_is(d, "status.updatedReplicas", b->replicas) ||
      !status_is(d, "status.replicas", b->replicas))
    return false;
  char path[256];
  snprintf(path, sizeof path, "/apis/apps/v1/namespaces/%s/replicasets", b->ns);
  json_t *list = NULL;
  tug_error err = {0};
  if (tug_client_list(b->client, path, NULL, &list, &err) < 0)
    return false;
  int64_t total = 0;
  size_t i;
  json_t *rs;
  json_array_foreach(json_object_get(list, "items"), i, rs)
      total += tug_obj_get_int(rs, "spec.replicas", 0);
  json_decref(list);
  return total == b->replicas;
}

static int patch(bench *b, const char *sub, json_t *body) {
  char path[256];
  snprintf(path, sizeof path, "/apis/apps/v1/namespaces/%s/deployments/bench%s", b->ns, sub);
  tug_error err = {0};
  int rc = tug_client_patch(b->client, path, TUG_PATCH_MERGE, body, NULL, &err);
  json_decref(body);
  if (rc < 0)
    fprintf(stderr, "bench-controllers: patch deployment: %s\n", err.msg);
  return rc;
}

static int create_deployment(bench *b) {
  json_t *d = json_pack(
      "{s:s, s:s, s:{s:s}, s:{s:i, s:{s:{s:s}}, s:{s:{s:{s:s}}, s:{s:i, s:[{s:s, s:s, "
      "s:[s, s]}]}}}}",
      "apiVersion", "apps/v1", "kind", "Deployment", "metadata", "name", "bench", "spec",
      "replicas", 0, "selector", "matchLabels", "app", "bench", "template", "metadata", "labels",
      "app", "bench", "spec", "terminationGracePeriodSeconds", 0, "containers", "name", "main",
      "image", "busybox", "command", "sleep", "3600");
  char path[256];
  snprintf(path, sizeof path, "/apis/apps/v1/namespaces/%s/deployments", b->ns);
  tug_error err = {0};
  int rc = tug_client_create(b->client, path, d, NULL, &err);
  json_decref(d);
  if (rc < 0)
    fprintf(stderr, "bench-controllers: create deployment: %s\n", err.msg);
  return rc;
}

/* The resourceVersion of the namespace's pod list, where the watch starts. */
static int start_revision(bench *b) {
  char path[256];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods", b->ns);
  json_t *list = NULL;
  tug_error err = {0};
  if (tug_client_list(b->client, path, NULL, &list, &err) < 0) {
    fprintf(stderr, "bench-controllers: list pods: %s\n", err.msg);
    return -1;
  }
  const char *rv = tug_obj_get_str(list, "metadata.resourceVersion");
  snprintf(b->rv, sizeof b->rv, "%s", rv ? rv : "0");
  json_decref(list);
  return 0;
}

static int phase(bench *b, const char *name, const char *sub, json_t *body,
                 bool (*done)(bench *, const json_t *)) {
  double t0 = tug_monotonic_seconds(), last;
  printf("%s:\n", name);
  fflush(stdout);
  if (patch(b, sub, body) < 0)
    return -1;
  double took = wait_for(b, t0, done);
  if (took < 0)
    printf("  not done after %.0f s\n", b->timeout);
  else
    printf("  done after %.2f s\n", took);
  report_latency(b, t0, &last);
  printf("  last pod Running %.2f s after the change\n", last - t0);
  report_procs(b, tug_monotonic_seconds() - t0);
  fflush(stdout);
  return took < 0 ? -1 : 0;
}

static int parse_args(bench *b, const char **server, int argc, char **argv) {
  static const struct option opts[] = {
      {"server", required_argument, NULL, 's'},   {"namespace", required_argument, NULL, 'n'},
      {"replicas", required_argument, NULL, 'r'}, {"timeout", required_argument, NULL, 't'},
      {"proc", required_argument, NULL, 'p'},     {NULL, 0, NULL, 0}};
  for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    char *eq;
    if (o == 's')
      *server = optarg;
    else if (o == 'n')
      b->ns = optarg;
    else if (o == 'r')
      b->replicas = atoi(optarg);
    else if (o == 't')
      b->timeout = atof(optarg);
    else if (o == 'p' && b->nprocs < MAX_PROCS && (eq = strchr(optarg, '=')) != NULL) {
      *eq = '\0';
      b->proc_name[b->nprocs] = optarg;
      b->proc_pid[b->nprocs++] = atoi(eq + 1);
    } else
      return -1;
  }
  return b->replicas > 0 && b->timeout > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  bench b = {.ns = "bench", .replicas = 5000, .timeout = 600};
  const char *server = "http://127.0.0.1:6443";
  tug_error err = {0};
  if (parse_args(&b, &server, argc, argv) < 0) {
    fprintf(stderr, "usage: bench-controllers --server URL [--namespace NS] [--replicas N] "
                    "[--timeout S] [--proc NAME=PID]...\n");
    return 2;
  }
  if ((b.client = tug_client_new(server, NULL, &err)) == NULL ||
      (b.watch_client = tug_client_new(server, NULL, &err)) == NULL) {
    fprintf(stderr, "bench-controllers: %s\n", err.msg);
    return 2;
  }
  b.pods = tug_hashmap_new();
  pthread_mutex_init(&b.mu, NULL);
  if (create_deployment(&b) < 0 || start_revision(&b) < 0)
    return 1;
  for (int i = 0; i < b.nprocs; i++)
    b.proc_cpu[i] = proc_cpu_seconds(b.proc_pid[i]);
  pthread_t w;
  pthread_create(&w, NULL, watcher, &b);
  int rc = phase(&b, "scale 0 -> replicas", "/scale",
                 json_pack("{s:{s:i}}", "spec", "replicas", b.replicas), all_available);
  if (rc == 0)
    rc = phase(&b, "roll to a new template", "",
               json_pack("{s:{s:{s:{s:{s:s}}}}}", "spec", "template", "metadata", "annotations",
                         "bench/rev", "2"),
               rolled_out);
  atomic_store(&b.stop, true);
  pthread_join(w, NULL);
  tug_hashmap_free(b.pods, free);
  tug_client_free(b.client);
  tug_client_free(b.watch_client);
  return rc < 0 ? 1 : 0;
}
