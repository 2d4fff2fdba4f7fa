/*
 * agent-hollow-nodes.c — register N hollow nodes and keep them alive.
 *
 * A few threads share the nodes (thread t has nodes t, t+T, t+2T, …), each
 * with its own connection. Node i beats in its slot t0 + k·period + i·period/N,
 * the first slot after its last write, so the N renewals of each 10 s period
 * end up spread evenly over it instead of arriving at once, and a thread that
 * falls behind beats each node once, late, never twice. Registration happens in
 * the same loop, taking turns with due beats, so early nodes keep their Leases
 * while thousands more register. Every AGENT_NODE_STATUS_SECONDS a beat also
 * refreshes the Ready condition, as the real agent does. A node whose
 * registration failed, or whose heartbeat finds it deleted, is registered again
 * at its next beat.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent-hollow.h"
#include "agent-node.h"
#include "agent-time.h"
#include "cleanup.h"
#include "clock.h"
#include "kubeconfig.h"
#include "log.h"
#include "object.h"
#include "stopper.h"

enum { STATUS_EVERY = AGENT_NODE_STATUS_SECONDS / AGENT_LEASE_RENEW_SECONDS };

typedef struct hollow_node {
  double next_due;     /* monotonic time of its next beat */
  unsigned char beats; /* since registration, modulo STATUS_EVERY */
  bool registered;
} hollow_node;

typedef struct beat_thread {
  agent_hollow_nodes *ns;
  int first;
  tug_client *client; /* its own, so that its one connection stays open */
  double next_warn;
  pthread_t thread;
} beat_thread;

struct agent_hollow_nodes {
  agent_hollow_options o;
  char ready_since[AGENT_TIME_BUFSIZE];
  double t0;
  hollow_node *nodes; /* each entry is touched by its node's thread only */
  beat_thread threads[AGENT_HOLLOW_HEARTBEAT_THREADS];
  int nthreads, started;
  tug_stopper stopper; /* the beats' sleeps */
  pthread_mutex_t mu;  /* passes_done, failed */
  pthread_cond_t cond;
  int passes_done; /* threads whose nodes have all had a first registration */
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

/* Node i and its Lease; with retrying, as agent_node_register_retrying does. */
static int register_node(agent_hollow_nodes *ns, tug_client *shared, int i, bool retrying,
                         tug_error *err) {
  tug_client *client = agent_hollow_client(&ns->o, shared, i, err);
  if (client == NULL)
    return -1;
  char name[AGENT_HOLLOW_MAX_PREFIX + 16];
  agent_hollow_node_name(ns->o.prefix, i, name, sizeof name);
  _cleanup_json_ json_t *node = node_object(ns, name);
  if (node == NULL)
    return tug_error_errno(err, ENOMEM, "build node %s", name);
  if (retrying ? agent_node_register_retrying(client, node, err) < 0
               : agent_node_register(client, node, err) < 0 ||
                     agent_node_renew_lease(client, name, err) < 0)
    return -1;
  ns->nodes[i].registered = true;
  ns->nodes[i].beats = 0;
  return 0;
}

/* While the API server is away every beat fails: one line per thread and
 * period is enough to say so. */
static void warn_rarely(beat_thread *t, const char *msg, const char *node, const tug_error *err) {
  double now = tug_monotonic_seconds();
  if (now < t->next_warn)
    return;
  t->next_warn = now + AGENT_LEASE_RENEW_SECONDS;
  tug_warn(msg, "node=%s err=%s (more failures in the next %d s not logged)", node,
           TUG_LOG_ERR(err), AGENT_LEASE_RENEW_SECONDS);
}

static void schedule(agent_hollow_nodes *ns, int i) {
  double period = AGENT_LEASE_RENEW_SECONDS;
  ns->nodes[i].next_due =
      agent_hollow_next_beat(ns->t0, period, period * i / ns->o.count, tug_monotonic_seconds());
}

/* Renew node i's Lease, and every STATUS_EVERY beats its Ready condition;
 * register it instead when it is not (or no longer) registered. */
static void beat(beat_thread *t, int i) {
  agent_hollow_nodes *ns = t->ns;
  hollow_node *n = &ns->nodes[i];
  char name[AGENT_HOLLOW_MAX_PREFIX + 16];
  tug_error err = {0};
  agent_hollow_node_name(ns->o.prefix, i, name, sizeof name);
  if (!n->registered) {
    if (register_node(ns, t->client, i, false, &err) < 0)
      warn_rarely(t, "hollow node registration failed", name, &err);
    return;
  }
  tug_client *client = agent_hollow_client(&ns->o, t->client, i, &err);
  if (client == NULL) {
    warn_rarely(t, "hollow node identity failed", name, &err);
    return;
  }
  if (agent_node_renew_lease(client, name, &err) < 0)
    warn_rarely(t, "lease renewal failed", name, &err);
  n->beats = (unsigned char)((n->beats + 1) % STATUS_EVERY);
  if (n->beats != 0)
    return;
  tug_error_clear(&err);
  if (agent_node_heartbeat(client, name, ns->ready_since, &err) < 0) {
    warn_rarely(t, "node heartbeat failed", name, &err);
    if (err.code == ENOENT)
      n->registered = false;
  }
}

/* Sleep until the monotonic time until; true when asked to stop. */
static bool wait_until(agent_hollow_nodes *ns, double until) {
  double left = until - tug_monotonic_seconds();
  return !tug_stopper_sleep_ms(&ns->stopper, left > 0 ? (long)(left * 1000) + 1 : 0);
}

static void pass_done(agent_hollow_nodes *ns, int failed) {
  pthread_mutex_lock(&ns->mu);
  ns->failed += failed;
  ns->passes_done++;
  pthread_cond_broadcast(&ns->cond);
  pthread_mutex_unlock(&ns->mu);
}

/*
 * The thread's nodes form a cycle, joined in index order as they are first
 * registered. While some are still to join, the thread alternates between the
 * due beat of the node at the cursor and registering the next node (which then
 * joins), so that neither starves when the API server is slow; then it only
 * beats, sleeping until the cursor's beat is due. Nodes join (and so are
 * written) in cycle order and each is next due within one period of its last
 * write, so the cursor always meets the earliest beat, and a lagging thread
 * beats each node once, late, not twice.
 */
static void *beat_main(void *arg) {
  beat_thread *t = arg;
  agent_hollow_nodes *ns = t->ns;
  int mine = (ns->o.count - t->first + ns->nthreads - 1) / ns->nthreads;
  int joined = 0, cursor = 0, failed = 0;
  bool joined_last = false;
  while (!tug_stopper_stopped(&ns->stopper)) {
    int i = t->first + cursor * ns->nthreads;
    bool due = joined > 0 && ns->nodes[i].next_due <= tug_monotonic_seconds();
    if (due && (joined_last || joined == mine)) {
      beat(t, i);
      schedule(ns, i);
      cursor = (cursor + 1) % joined;
      joined_last = false;
    } else if (joined < mine) {
      joined_last = true;
      int j = t->first + joined * ns->nthreads;
      tug_error err = {0};
      if (!ns->nodes[j].registered && register_node(ns, t->client, j, false, &err) < 0 &&
          failed++ == 0)
        tug_warn("hollow node registration failed, retried at its next beat", "node=%s-%d err=%s",
                 ns->o.prefix, j, TUG_LOG_ERR(&err));
      schedule(ns, j);
      if (++joined == mine)
        pass_done(ns, failed);
    } else if (wait_until(ns, ns->nodes[i].next_due)) {
      break;
    }
  }
  if (joined < mine)
    pass_done(ns, failed);
  return NULL;
}

static int start_threads(agent_hollow_nodes *ns, tug_error *err) {
  ns->nthreads =
      ns->o.count < AGENT_HOLLOW_HEARTBEAT_THREADS ? ns->o.count : AGENT_HOLLOW_HEARTBEAT_THREADS;
  for (; ns->started < ns->nthreads; ns->started++) {
    beat_thread *t = &ns->threads[ns->started];
    *t = (beat_thread){.ns = ns, .first = ns->started};
    if ((t->client = tug_kubeconfig_client_for_flags(ns->o.kubeconfig, ns->o.server, NULL, err)) ==
        NULL)
      return -1;
    /* Node 0 first, retried while the API server is not up yet, as the real
     * agent does; the rest in parallel once it answers. */
    if (ns->started == 0 && register_node(ns, t->client, 0, true, err) < 0) {
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
  tug_stopper_init(&ns->stopper);
  ns->nodes = calloc((size_t)o->count, sizeof *ns->nodes);
  if (ns->nodes == NULL) {
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
  tug_stopper_stop(&ns->stopper);
  for (int i = 0; i < ns->started; i++) {
    pthread_join(ns->threads[i].thread, NULL);
    tug_client_free(ns->threads[i].client);
  }
  tug_stopper_destroy(&ns->stopper);
  pthread_cond_destroy(&ns->cond);
  pthread_mutex_destroy(&ns->mu);
  free(ns->nodes);
  free(ns);
}
