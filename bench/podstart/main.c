/*
 * bench/podstart — pod startup latency: create N pods bound to one node at
 * once, and time from each pod's create call to the moment a watch sees it
 * Running. Prints p50/p99/max over the pods.
 *
 * --security says how confined the containers are, so that one build can
 * show what its hardening costs: "default" (RuntimeDefault seccomp, masked
 * /proc and /sys paths, the devices allowlist), "unconfined" (the same but
 * seccompProfile Unconfined) or "privileged" (none of it; the namespace must
 * allow privileged pods).
 *
 *   build/bench-podstart --server URL --node NAME [--pods 100] [--namespace bench-start]
 *                        [--security default|unconfined|privileged]
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "http.h"
#include "object.h"

typedef struct run {
  tug_client *client;
  const char *ns, *node;
  json_t *security_context; /* NULL: none (the defaults) */
  int pods;
  double *created, *running;
  int seen;
  atomic_bool stop;
  pthread_mutex_t mu;
} run;

static int index_of(const char *name) {
  int i;
  return sscanf(name, "start-%d", &i) == 1 ? i : -1;
}

static int on_event(const char *type, json_t *obj, void *arg) {
  run *r = arg;
  const char *phase = tug_obj_get_str(obj, "status.phase");
  int i = index_of(tug_obj_name(obj) ? tug_obj_name(obj) : "");
  if (strcmp(type, "BOOKMARK") == 0 || i < 0 || i >= r->pods || phase == NULL ||
      strcmp(phase, "Running") != 0)
    return 0;
  pthread_mutex_lock(&r->mu);
  if (r->running[i] == 0) {
    r->running[i] = tug_monotonic_seconds();
    r->seen++;
  }
  bool done = r->seen == r->pods;
  pthread_mutex_unlock(&r->mu);
  return done;
}

static void *watcher(void *arg) {
  run *r = arg;
  char path[256];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods?watch=true&timeoutSeconds=120", r->ns);
  tug_error err = {0};
  if (tug_client_watch(r->client, path, on_event, r, &r->stop, &err) < 0)
    fprintf(stderr, "bench-podstart: watch: %s\n", err.msg);
  return NULL;
}

typedef struct creator {
  run *r;
  int from, to;
} creator;

static void *create_some(void *arg) {
  creator *c = arg;
  char path[256];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods", c->r->ns);
  for (int i = c->from; i < c->to; i++) {
    char name[64];
    snprintf(name, sizeof name, "start-%d", i);
    json_t *pod =
        json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:[{s:s, s:s, s:[s, s]}]}}", "apiVersion", "v1",
                  "kind", "Pod", "metadata", "name", name, "spec", "nodeName", c->r->node,
                  "containers", "name", "c", "image", "busybox:latest", "command", "sleep", "3600");
    if (c->r->security_context)
      json_object_set(json_array_get(tug_obj_get(pod, "spec.containers"), 0), "securityContext",
                      c->r->security_context);
    c->r->created[i] = tug_monotonic_seconds();
    tug_error err = {0};
    if (tug_client_create(c->r->client, path, pod, NULL, &err) < 0)
      fprintf(stderr, "bench-podstart: create %s: %s\n", name, err.msg);
    json_decref(pod);
  }
  return NULL;
}

/* The container's securityContext for a --security mode; NULL for "default". */
static int security_context(const char *mode, json_t **out) {
  *out = NULL;
  if (strcmp(mode, "default") == 0)
    return 0;
  if (strcmp(mode, "privileged") == 0)
    *out = json_pack("{s:b}", "privileged", 1);
  else if (strcmp(mode, "unconfined") == 0)
    *out = json_pack("{s:{s:s}}", "seccompProfile", "type", "Unconfined");
  else
    return -1;
  return 0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  run r = {.ns = "bench-start", .pods = 100};
  const char *server = "http://127.0.0.1:6443";
  static const struct option opts[] = {
      {"server", required_argument, NULL, 's'},   {"node", required_argument, NULL, 'n'},
      {"pods", required_argument, NULL, 'p'},     {"namespace", required_argument, NULL, 'N'},
      {"security", required_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};
  for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    if (o == 's')
      server = optarg;
    else if (o == 'n')
      r.node = optarg;
    else if (o == 'p')
      r.pods = atoi(optarg);
    else if (o == 'N')
      r.ns = optarg;
    else if (o != 'S' || security_context(optarg, &r.security_context) < 0)
      return 2;
  }
  tug_error err = {0};
  if (r.node == NULL || r.pods <= 0 || (r.client = tug_client_new(server, NULL, &err)) == NULL) {
    fprintf(stderr, "bench-podstart: --node and a reachable --server are needed %s\n", err.msg);
    return 2;
  }
  r.created = calloc(r.pods, sizeof *r.created);
  r.running = calloc(r.pods, sizeof *r.running);
  pthread_mutex_init(&r.mu, NULL);
  pthread_t w;
  pthread_create(&w, NULL, watcher, &r);
  usleep(300 * 1000);
  enum { CREATORS = 8 };
  pthread_t th[CREATORS];
  creator cs[CREATORS];
  for (int t = 0; t < CREATORS; t++) {
    cs[t] = (creator){&r, r.pods * t / CREATORS, r.pods * (t + 1) / CREATORS};
    pthread_create(&th[t], NULL, create_some, &cs[t]);
  }
  for (int t = 0; t < CREATORS; t++)
    pthread_join(th[t], NULL);
  pthread_join(w, NULL);
  double *lat = calloc(r.pods, sizeof *lat);
  int n = 0;
  for (int i = 0; i < r.pods; i++)
    if (r.running[i] > 0)
      lat[n++] = (r.running[i] - r.created[i]) * 1e3;
  qsort(lat, n, sizeof *lat, cmp);
  if (n == 0) {
    fprintf(stderr, "bench-podstart: no pod became Running\n");
    return 1;
  }
  printf("pods=%d running=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", r.pods, n, lat[n / 2],
         lat[(int)((n - 1) * 0.99)], lat[n - 1]);
  tug_client_free(r.client);
  json_decref(r.security_context);
  return n == r.pods ? 0 : 1;
}
