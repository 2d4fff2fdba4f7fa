/*
 * agent-hollow-nodes.c — register N hollow nodes and keep them alive.
 *
 * A few threads share the nodes (thread t has nodes t, t+T, t+2T, …). Node i
 * beats at t0 + k·period + i·period/N, so the N renewals of each 10 s period
 * are spread evenly over it instead of arriving at once; each thread meets its
 * nodes' beats in order, and one that falls behind simply beats late, never
 * twice. Every AGENT_NODE_STATUS_SECONDS a beat also refreshes the Ready
 * condition, as the real agent does. A node whose registration or heartbeat
 * finds it missing is registered again at its next beat.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent-hollow.h"
#include "agent-node.h"
#include "agent-time.h"
#include "cleanup.h"
#include "clock.h"
#include "log.h"
#include "object.h"

enum { STATUS_EVERY = AGENT_NODE_STATUS_SECONDS / AGENT_LEASE_RENEW_SECONDS };

typedef struct beat_thread {
  agent_hollow_nodes *ns;
  int first;
  tug_client *client; /* its own, so that its one connection stays open */
  pthread_t thread;
} beat_thread;

struct agent_hollow_nodes {
  agent_hollow_options o;
  char ready_since[AGENT_TIME_BUFSIZE];
  double t0;
  bool *registered; /* per node; each entry is touched by its own thread only */
  beat_thread threads[AGENT_HOLLOW_HEARTBEAT_THREADS];
  int nthreads, started;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  atomic_bool stop;
  int passes_done; /* threads through their first registration pass */
  int failed;      /* nodes whose first registration failed */
};

static json_t *node_object(const agent_hollow_nodes *ns, const char *name) {
  agent_node_facts f = {.name = name,
                        .cpu_milli = ns->o.cpu_milli,
                        .memory_bytes = ns->o.memory_bytes,
                        .max_pods = ns->o.max_pods,
                        .host_ip = ns->o.host_ip,
                        .port = ns->o.port,
                        .kernel_version = "hollow",
                        .os_image = "Tugboat hollow node"};
  json_t *node = agent_node_object(name);
  if (node == NULL)
    return NULL;
  f.architecture = tug_obj_label(node, "kubernetes.io/arch");
  json_t *status = agent_node_status_json(&f);
  json_object_set_new(status, "conditions", agent_node_ready_conditions(ns->ready_since));
  json_object_set_new(node, "status", status);
  tug_obj_set_label(node, AGENT_HOLLOW_LABEL, "true", NULL);
  return node;
}

static int register_node(agent_hollow_nodes *ns, tug_client *client, int i, tug_error *err) {
  char name[AGENT_HOLLOW_MAX_PREFIX + 16];
  agent_hollow_node_name(ns->o.prefix, i, name, sizeof name);
  _cleanup_json_ json_t *node = node_object(ns, name);
  if (node == NULL)
    return tug_error_errno(err, ENOMEM, "build node %s", name);
  if (agent_node_register(client, node, err) < 0 || agent_node_renew_lease(client, name, err) < 0)
    return -1;
  ns->registered[i] = true;
  return 0;
}

static void beat(beat_thread *t, int i, long round) {
  agent_hollow_nodes *ns = t->ns;
  char name[AGENT_HOLLOW_MAX_PREFIX + 16];
  tug_error err = {0};
  agent_hollow_node_name(ns->o.prefix, i, name, sizeof name);
  if (!ns->registered[i]) {
    if (register_node(ns, t->client, i, &err) < 0)
      tug_warn("hollow node registration failed", "node=%s err=\"%s\"", name, err.msg);
    return;
  }
  if (agent_node_renew_lease(t->client, name, &err) < 0)
    tug_warn("lease renewal failed", "node=%s err=\"%s\"", name, err.msg);
  if (round % STATUS_EVERY != 0)
    return;
  tug_error_clear(&err);
  if (agent_node_heartbeat(t->client, name, ns->ready_since, &err) < 0) {
    tug_warn("node heartbeat failed", "node=%s err=\"%s\"", name, err.msg);
    if (err.code == ENOENT)
      ns->registered[i] = false;
  }
}

/* Sleep until the monotonic time until; true when asked to stop. */
static bool wait_until(agent_hollow_nodes *ns, double until) {
  pthread_mutex_lock(&ns->mu);
  while (!ns->stop) {
    double left = until - tug_monotonic_seconds();
    if (left <= 0)
      break;
    struct timespec ts = tug_deadline_ms((long)(left * 1000) + 1);
    pthread_cond_timedwait(&ns->cond, &ns->mu, &ts);
  }
  bool stop = ns->stop;
  pthread_mutex_unlock(&ns->mu);
  return stop;
}

static void first_pass(beat_thread *t) {
  agent_hollow_nodes *ns = t->ns;
  int failed = 0;
  for (int i = t->first; i < ns->o.count && !ns->stop; i += ns->nthreads) {
    tug_error err = {0};
    if (ns->registered[i])
      continue;
    if (register_node(ns, t->client, i, &err) < 0) {
      if (failed++ == 0)
        tug_warn("hollow node registration failed, retried at its next beat", "node=%s-%d err=\"%s\"",
                 ns->o.prefix, i, err.msg);
    }
  }
  pthread_mutex_lock(&ns->mu);
  ns->failed += failed;
  ns->passes_done++;
  pthread_cond_broadcast(&ns->cond);
  pthread_mutex_unlock(&ns->mu);
}

static void *beat_main(void *arg) {
  beat_thread *t = arg;
  agent_hollow_nodes *ns = t->ns;
  first_pass(t);
  double period = AGENT_LEASE_RENEW_SECONDS, step = period / ns->o.count;
  for (long round = 1;; round++) {
    for (int i = t->first; i < ns->o.count; i += ns->nthreads) {
      if (wait_until(ns, ns->t0 + (double)round * period + i * step))
        return NULL;
      beat(t, i, round);
    }
  }
}

/* Node 0 first, retried while the API server is not up yet, as the real agent
 * does; the rest in parallel once it answers. */
static int register_first(agent_hollow_nodes *ns, tug_client *client, tug_error *err) {
  for (int attempt = 1;; attempt++) {
    tug_error_clear(err);
    if (register_node(ns, client, 0, err) == 0)
      return 0;
    if (attempt >= 30 || (err->code != TUG_E_UNAVAILABLE && err->code != ETIMEDOUT))
      return -1;
    tug_warn("API server unavailable, retrying", "node=%s-0 err=\"%s\"", ns->o.prefix, err->msg);
    sleep(1);
  }
}

static int start_threads(agent_hollow_nodes *ns, tug_error *err) {
  ns->nthreads = ns->o.count < AGENT_HOLLOW_HEARTBEAT_THREADS ? ns->o.count
                                                              : AGENT_HOLLOW_HEARTBEAT_THREADS;
  for (; ns->started < ns->nthreads; ns->started++) {
    beat_thread *t = &ns->threads[ns->started];
    *t = (beat_thread){.ns = ns, .first = ns->started};
    if ((t->client = tug_client_new(ns->o.server, NULL, err)) == NULL)
      return -1;
    if (ns->started == 0 && register_first(ns, t->client, err) < 0) {
      tug_client_free(t->client);
      return -1;
    }
    int rc = pthread_create(&t->thread, NULL, beat_main, t);
    if (rc != 0) {
      tug_client_free(t->client);
      return tug_error_errno(err, rc, "start hollow heartbeat thread");
    }
  }
  pthread_mutex_lock(&ns->mu);
  while (ns->passes_done < ns->nthreads)
    pthread_cond_wait(&ns->cond, &ns->mu);
  int failed = ns->failed;
  pthread_mutex_unlock(&ns->mu);
  tug_info("hollow nodes registered", "nodes=%d failed=%d prefix=%s seconds=%.2f",
           ns->o.count - failed, failed, ns->o.prefix, tug_monotonic_seconds() - ns->t0);
  return 0;
}

int agent_hollow_nodes_start(const agent_hollow_options *o, agent_hollow_nodes **out,
                             tug_error *err) {
  agent_hollow_nodes *ns = calloc(1, sizeof *ns);
  if (ns == NULL)
    return tug_error_errno(err, ENOMEM, "allocate hollow nodes");
  ns->o = *o;
  ns->t0 = tug_monotonic_seconds();
  agent_time_format(time(NULL), ns->ready_since, sizeof ns->ready_since);
  pthread_mutex_init(&ns->mu, NULL);
  tug_cond_init_monotonic(&ns->cond);
  ns->registered = calloc((size_t)o->count, sizeof *ns->registered);
  if (ns->registered == NULL) {
    agent_hollow_nodes_stop(ns);
    return tug_error_errno(err, ENOMEM, "allocate hollow nodes");
  }
  if (start_threads(ns, err) < 0) {
    agent_hollow_nodes_stop(ns);
    return -1;
  }
  *out = ns;
  return 0;
}

void agent_hollow_nodes_stop(agent_hollow_nodes *ns) {
  pthread_mutex_lock(&ns->mu);
  ns->stop = true;
  pthread_cond_broadcast(&ns->cond);
  pthread_mutex_unlock(&ns->mu);
  for (int i = 0; i < ns->started; i++) {
    pthread_join(ns->threads[i].thread, NULL);
    tug_client_free(ns->threads[i].client);
  }
  pthread_cond_destroy(&ns->cond);
  pthread_mutex_destroy(&ns->mu);
  free(ns->registered);
  free(ns);
}
