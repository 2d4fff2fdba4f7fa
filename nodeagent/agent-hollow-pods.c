/*
 * agent-hollow-pods.c — the pods of every hollow node: one informer, one work
 * queue, a few workers.
 *
 * A field selector cannot match a name prefix, so the informer follows every
 * bound pod (spec.nodeName != "") and its handlers queue only those whose node
 * parses as one of ours (agent_hollow_node_index, no lookup table). reconcile
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
#include "agent-time.h"
#include "cleanup.h"
#include "hashmap.h"
#include "informer.h"
#include "log.h"
#include "object.h"
#include "workqueue.h"
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
  tug_informer *inf;
  tug_workqueue *q;
  pthread_mutex_t mu; /* guards recs and ipam */
  tug_hashmap *recs;  /* "ns/name" → pod_rec */
  agent_hollow_ipam ipam;
  pthread_t workers[AGENT_HOLLOW_POD_WORKERS];
  int nworkers;
};

static void enqueue(json_t *pod, agent_hollow_pods *p) {
  char key[512];
  const char *node = tug_obj_get_str(pod, "spec.nodeName");
  if (agent_hollow_node_index(p->o.prefix, p->o.count, node) >= 0 &&
      tug_informer_key(pod, key, sizeof key) == 0)
    tug_workqueue_add(p->q, key);
}

static void on_add(json_t *obj, void *arg) {
  enqueue(obj, arg);
}
static void on_update(json_t *old_obj, json_t *new_obj, void *arg) {
  (void)old_obj;
  enqueue(new_obj, arg);
}
static void on_delete(json_t *obj, void *arg) {
  enqueue(obj, arg);
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

/* What the real agent does last: DELETE with grace 0 and a uid precondition. */
static int delete_for_good(agent_hollow_pods *p, const json_t *pod, tug_error *err) {
  char path[1024];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s", tug_obj_namespace(pod),
           tug_obj_name(pod));
  tug_delete_options opts = {.uid = tug_obj_uid(pod), .grace_set = true, .grace_seconds = 0};
  int rc = tug_client_delete_with(p->client, path, &opts, err);
  if (rc < 0 && err->code != ENOENT && err->code != TUG_E_CONFLICT)
    return tug_error_wrap(err, "delete pod %s/%s", tug_obj_namespace(pod), tug_obj_name(pod));
  tug_error_clear(err);
  return 0;
}

static int write_status(agent_hollow_pods *p, const json_t *pod, const pod_rec *r, time_t finished,
                        tug_error *err) {
  char ip[16], path[1024];
  agent_hollow_ip_format(r->ip, ip, sizeof ip);
  json_t *status = agent_hollow_pod_status(pod, p->o.host_ip, ip, r->started, finished);
  _cleanup_json_ json_t *patch = json_pack("{s:o}", "status", status);
  if (patch == NULL)
    return tug_error_errno(err, ENOMEM, "build status of pod %s/%s", tug_obj_namespace(pod),
                           tug_obj_name(pod));
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s/status", tug_obj_namespace(pod),
           tug_obj_name(pod));
  if (tug_client_patch(p->client, path, TUG_PATCH_MERGE, patch, NULL, err) < 0)
    return tug_error_wrap(err, "write status of pod %s/%s", tug_obj_namespace(pod),
                          tug_obj_name(pod));
  tug_debug("hollow pod status written", "pod=%s/%s node=%s ip=%s phase=%s", tug_obj_namespace(pod),
            tug_obj_name(pod), tug_obj_get_str(pod, "spec.nodeName"), ip,
            finished ? "Succeeded" : "Running");
  return 0;
}

/* Running, then (for a job-like pod whose time is up) Succeeded. */
static int run(agent_hollow_pods *p, const json_t *pod, pod_rec *r, long *requeue_ms,
               tug_error *err) {
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
    *requeue_ms = (long)(end - now) * 1000;
    return 0;
  }
  if (write_status(p, pod, r, now, err) < 0)
    return -1;
  r->wrote = WROTE_DONE;
  release_ip(p, r); /* the pod keeps showing it, as a finished pod does */
  return 0;
}

static int reconcile(agent_hollow_pods *p, const char *key, long *requeue_ms, tug_error *err) {
  _cleanup_json_ json_t *pod = tug_informer_get(p->inf, key);
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
    return delete_for_good(p, pod, err);
  }
  if (tug_pod_terminal(pod)) {
    rec_forget(p, key);
    return 0;
  }
  r = rec_get(p, key, pod);
  if (r == NULL)
    return tug_error_set(err, ENOSPC, "no fake pod IP left for %s", key);
  return run(p, pod, r, requeue_ms, err);
}

static int reconcile_key(void *arg, const char *key, long *requeue_ms, tug_error *err) {
  return reconcile(arg, key, requeue_ms, err);
}

static void *worker_main(void *arg) {
  agent_hollow_pods *p = arg;
  tug_workqueue_run(p->q, reconcile_key, p, "pod");
  return NULL;
}

int agent_hollow_pods_start(const agent_hollow_options *o, agent_hollow_pods **out,
                            tug_error *err) {
  agent_hollow_pods *p = calloc(1, sizeof *p);
  if (p == NULL)
    return tug_error_errno(err, ENOMEM, "allocate hollow pod controller");
  p->o = *o;
  pthread_mutex_init(&p->mu, NULL);
  agent_hollow_ipam_init(&p->ipam);
  p->recs = tug_hashmap_new();
  p->q = tug_workqueue_new(&(tug_workqueue_options){.base_delay_ms = 500, .max_delay_ms = 30000});
  if (p->recs == NULL || p->q == NULL) {
    agent_hollow_pods_stop(p);
    return tug_error_errno(err, ENOMEM, "allocate hollow pod controller");
  }
  tug_informer_handlers h = {.on_add = on_add, .on_update = on_update, .on_delete = on_delete};
  if ((p->client = tug_client_new(o->server, NULL, err)) == NULL ||
      (p->inf = tug_informer_new(p->client, "/api/v1/pods", NULL, "spec.nodeName!=", &h, p, err)) ==
          NULL ||
      tug_informer_start(p->inf, err) < 0) {
    agent_hollow_pods_stop(p);
    return tug_error_wrap(err, "watch pods of hollow nodes");
  }
  for (; p->nworkers < AGENT_HOLLOW_POD_WORKERS; p->nworkers++) {
    int rc = pthread_create(&p->workers[p->nworkers], NULL, worker_main, p);
    if (rc != 0) {
      agent_hollow_pods_stop(p);
      return tug_error_errno(err, rc, "start hollow pod worker");
    }
  }
  *out = p;
  return 0;
}

void agent_hollow_pods_stop(agent_hollow_pods *p) {
  if (p->inf)
    tug_informer_stop(p->inf);
  if (p->q)
    tug_workqueue_shutdown(p->q);
  for (int i = 0; i < p->nworkers; i++)
    pthread_join(p->workers[i], NULL);
  if (p->inf)
    tug_informer_free(p->inf);
  if (p->q)
    tug_workqueue_free(p->q);
  if (p->recs)
    tug_hashmap_free(p->recs, free);
  tug_client_free(p->client);
  pthread_mutex_destroy(&p->mu);
  free(p);
}
