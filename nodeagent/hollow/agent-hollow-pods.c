/*
 * agent-hollow-pods.c — the pods of every hollow node, on lib/controller: one
 * shared informer, one work queue, a few workers.
 *
 * A field selector cannot match a name prefix, so the informer follows every
 * bound pod (spec.nodeName != "") and the controller queues only those whose
 * node parses as one of ours (agent_hollow_node_index, no lookup table). reconcile
 * keeps one small record per pod it has seen (uid, fake IP, start time, what
 * it last wrote) and takes one step: write Running with a fresh IP, write
 * Succeeded once a job-like pod's run time is over (the key comes back then
 * through add_after), delete for good a pod marked for deletion, or forget a
 * pod that is gone. The workqueue hands a key to one worker at a time, so a
 * record is only touched by one thread; the map and the IP pool have a lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent-hollow.h"
#include "agent-pod-api.h"
#include "agent-time.h"
#include "cleanup.h"
#include "controller.h"
#include "hashmap.h"
#include "kubeconfig.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"

typedef enum { WROTE_NOTHING, WROTE_RUNNING, WROTE_DONE } wrote;

typedef struct pod_rec {
  char uid[64];
  uint32_t ip; /* offset in 198.18.0.0/16; 0 once released */
  time_t started;
  wrote wrote;
} pod_rec;

struct agent_hollow_pods {
  agent_hollow_options o;
  tug_client *client;
  tug_shared_informer *si;
  tug_controller *c;
  pthread_mutex_t mu; /* guards recs and ipam */
  tug_hashmap *recs;  /* "ns/name" → pod_rec */
  agent_hollow_ipam ipam;
};

/* A pod's key is queued only when its node is one of ours. */
static void enqueue_ours(tug_controller *c, const json_t *old, const json_t *pod, bool deleted,
                         void *arg) {
  (void)old, (void)deleted;
  agent_hollow_pods *p = arg;
  const char *node = tug_obj_get_str(pod, "spec.nodeName");
  if (agent_hollow_node_index(p->o.prefix, p->o.count, node) >= 0)
    tug_controller_enqueue_obj(c, pod);
}

/* The pod's record, made (with an IP: the one it shows if that is free, else a
 * new one) when missing. NULL when no IP is left or memory runs out. */
static pod_rec *rec_get(agent_hollow_pods *p, const char *key, const json_t *pod) {
  pthread_mutex_lock(&p->mu);
  pod_rec *r = tug_hashmap_get(p->recs, key);
  if (r == NULL && (r = calloc(1, sizeof *r)) != NULL) {
    snprintf(r->uid, sizeof r->uid, "%s", tug_obj_uid(pod) ? tug_obj_uid(pod) : "");
    const char *phase = tug_obj_get_str(pod, "status.phase");
    uint32_t shown = agent_hollow_ip_parse(tug_obj_get_str(pod, "status.podIP"));
    if (phase && strcmp(phase, "Running") == 0 && agent_hollow_ipam_claim(&p->ipam, shown)) {
      r->ip = shown; /* adopted after a restart of the agent */
      r->wrote = WROTE_RUNNING;
      r->started = agent_time_parse(tug_obj_get_str(pod, "status.startTime"));
      if (r->started < 0)
        r->started = time(NULL);
    } else {
      r->ip = agent_hollow_ipam_alloc(&p->ipam);
    }
    if (r->ip != 0) {
      tug_hashmap_put(p->recs, key, r);
    } else {
      free(r);
      r = NULL;
    }
  }
  pthread_mutex_unlock(&p->mu);
  return r;
}

static void release_ip(agent_hollow_pods *p, pod_rec *r) {
  pthread_mutex_lock(&p->mu);
  agent_hollow_ipam_release(&p->ipam, r->ip);
  r->ip = 0;
  pthread_mutex_unlock(&p->mu);
}

static void rec_forget(agent_hollow_pods *p, const char *key) {
  pthread_mutex_lock(&p->mu);
  pod_rec *r = tug_hashmap_remove(p->recs, key);
  if (r)
    agent_hollow_ipam_release(&p->ipam, r->ip);
  pthread_mutex_unlock(&p->mu);
  free(r);
}

/* Who writes for the pod: its node (the informer reads as the agent). */
static tug_client *node_client(agent_hollow_pods *p, const json_t *pod, tug_error *err) {
  int i = agent_hollow_node_index(p->o.prefix, p->o.count, tug_obj_get_str(pod, "spec.nodeName"));
  return agent_hollow_client(&p->o, p->client, i, err);
}

static int write_status(agent_hollow_pods *p, const json_t *pod, const pod_rec *r, time_t finished,
                        tug_error *err) {
  char ip[16];
  agent_hollow_ip_format(r->ip, ip, sizeof ip);
  _cleanup_json_ json_t *status =
      agent_hollow_pod_status(pod, p->o.host_ip, ip, r->started, finished);
  if (status == NULL)
    return tug_error_errno(err, ENOMEM, "build status of pod %s/%s", tug_obj_namespace(pod),
                           tug_obj_name(pod));
  tug_client *client = node_client(p, pod, err);
  if (client == NULL || agent_pod_api_write_status(client, tug_obj_namespace(pod),
                                                   tug_obj_name(pod), status, err) < 0)
    return -1;
  tug_debug("hollow pod status written", "pod=%s/%s node=%s ip=%s phase=%s", tug_obj_namespace(pod),
            tug_obj_name(pod), tug_obj_get_str(pod, "spec.nodeName"), ip,
            finished ? "Succeeded" : "Running");
  return 0;
}

/* Running, then (for a job-like pod whose time is up) Succeeded. */
static int run(tug_controller *c, agent_hollow_pods *p, const char *key, const json_t *pod,
               pod_rec *r, tug_error *err) {
  if (r->wrote == WROTE_NOTHING) {
    r->started = time(NULL);
    if (write_status(p, pod, r, 0, err) < 0)
      return -1;
    r->wrote = WROTE_RUNNING;
  }
  long run_seconds = agent_hollow_run_seconds(pod, p->o.job_seconds);
  if (r->wrote != WROTE_RUNNING || run_seconds < 0)
    return 0;
  time_t now = time(NULL), end = r->started + run_seconds;
  if (now < end) {
    tug_controller_enqueue_after(c, key, (long)(end - now) * 1000);
    return 0;
  }
  if (write_status(p, pod, r, now, err) < 0)
    return -1;
  r->wrote = WROTE_DONE;
  release_ip(p, r); /* the pod keeps showing it, as a finished pod does */
  return 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  agent_hollow_pods *p = arg;
  _cleanup_json_ json_t *pod = tug_informer_get(tug_shared_informer_informer(p->si), key);
  const char *uid = pod ? tug_obj_uid(pod) : NULL;
  pthread_mutex_lock(&p->mu);
  pod_rec *r = tug_hashmap_get(p->recs, key);
  bool stale = r && (uid == NULL || strcmp(uid, r->uid) != 0);
  pthread_mutex_unlock(&p->mu);
  if (stale)
    rec_forget(p, key); /* gone, or replaced by a pod of the same name */
  if (pod == NULL ||
      agent_hollow_node_index(p->o.prefix, p->o.count, tug_obj_get_str(pod, "spec.nodeName")) < 0)
    return 0;
  if (tug_obj_deletion_timestamp(pod)) {
    rec_forget(p, key);
    tug_client *client = node_client(p, pod, err);
    return client ? agent_pod_api_delete_for_good(client, pod, err) : -1;
  }
  if (tug_pod_terminal(pod)) {
    rec_forget(p, key);
    return 0;
  }
  r = rec_get(p, key, pod);
  if (r == NULL)
    return tug_error_set(err, ENOSPC, "no fake pod IP left for %s", key);
  return run(c, p, key, pod, r, err);
}

int agent_hollow_pods_start(const agent_hollow_options *o, agent_hollow_pods **out,
                            tug_error *err) {
  agent_hollow_pods *p = calloc(1, sizeof *p);
  if (p == NULL)
    return tug_error_errno(err, ENOMEM, "allocate hollow pod controller");
  p->o = *o;
  pthread_mutex_init(&p->mu, NULL);
  agent_hollow_ipam_init(&p->ipam);
  if ((p->recs = tug_hashmap_new()) == NULL) {
    agent_hollow_pods_stop(p);
    return tug_error_errno(err, ENOMEM, "allocate hollow pod controller");
  }
  tug_controller_options co = {.name = "hollow-pods",
                               .reconcile = reconcile,
                               .arg = p,
                               .workers = AGENT_HOLLOW_POD_WORKERS,
                               .base_delay_ms = 500,
                               .max_delay_ms = 30000};
  tug_shared_informer_options io = {.path = "/api/v1/pods", .field_selector = "spec.nodeName!="};
  if ((p->client = tug_kubeconfig_client_for_flags(o->kubeconfig, o->server, NULL, err)) == NULL ||
      (p->c = tug_controller_new(&co, err)) == NULL ||
      (p->si = tug_shared_informer_new_with(p->client, &io, err)) == NULL ||
      tug_controller_watch_fn(p->c, p->si, enqueue_ours, p, err) < 0 ||
      tug_shared_informer_start(p->si, err) < 0 || tug_controller_start(p->c, err) < 0) {
    agent_hollow_pods_stop(p);
    return tug_error_wrap(err, "pods of hollow nodes");
  }
  *out = p;
  return 0;
}

void agent_hollow_pods_stop(agent_hollow_pods *p) {
  tug_controller_stop(p->c);
  tug_shared_informer_free(p->si); /* before the controller its handlers queue into */
  tug_controller_free(p->c);
  if (p->recs)
    tug_hashmap_free(p->recs, free);
  tug_client_free(p->client);
  pthread_mutex_destroy(&p->mu);
  free(p);
}
