/*
 * scheduler.c — the scheduler's state and decision loop (see scheduler.h).
 */
#include "scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "informer.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"
#include "preempt.h"
#include "quantity.h"

#define BACKOFF_BASE_S 1.0
#define BACKOFF_MAX_S 10.0

sched_core *sched_core_new(const sched_profile *profile, const sched_sink *sink, void *arg) {
  sched_core *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  pthread_mutex_init(&c->mu, NULL);
  c->cache = sched_cache_new();
  c->queues = sched_queues_new();
  c->fw = sched_framework_new(profile);
  c->pods = tug_hashmap_new();
  c->sink = *sink;
  c->sink_arg = arg;
  c->name = "tug-scheduler";
  if (!c->cache || !c->queues || !c->fw || !c->pods) {
    sched_core_free(c);
    return NULL;
  }
  return c;
}

static void free_pod(void *v) {
  sched_pod *p = v;
  p->node = NULL; /* the cache is freed whole */
  sched_pod_free(p);
}

void sched_core_free(sched_core *c) {
  if (c == NULL)
    return;
  tug_hashmap_free(c->pods, free_pod);
  sched_framework_free(c->fw);
  sched_queues_free(c->queues);
  sched_cache_free(c->cache);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

/* ---- pods ---- */

static bool ours(const sched_core *c, const json_t *pod) {
  const char *name = tug_obj_get_str(pod, "spec.schedulerName");
  return name == NULL || name[0] == '\0' || strcmp(name, "default-scheduler") == 0 ||
         strcmp(name, c->name) == 0;
}

/* A preemptor stops waiting: it was placed, deleted, or its victims are gone. */
static void stop_waiting(sched_pod *p) {
  if (p->victims_pending > 0 && p->queue)
    sched_res_sub(&p->queue->incoming, &p->req);
  p->victims_pending = 0;
}

/* A victim is gone: its preemptor stops waiting for it. */
static void victim_gone(sched_core *c, sched_pod *v) {
  if (v->preemptor == NULL)
    return;
  if (v->queue)
    sched_res_sub(&v->queue->outgoing, &v->req);
  sched_pod *p = tug_hashmap_get(c->pods, v->preemptor);
  if (p && p->victims_pending == 1)
    stop_waiting(p);
  else if (p && p->victims_pending > 1)
    p->victims_pending--;
}

static void drop_pod(sched_core *c, sched_pod *p) {
  stop_waiting(p);
  tug_hashmap_remove(c->pods, p->key);
  sched_queues_release(c->queues, p);
  sched_cache_remove_pod(c->cache, p);
  victim_gone(c, p);
  sched_pod_free(p);
  sched_queues_kick(c->queues);
}

static void refresh_obj(sched_pod *p, json_t *obj) {
  json_incref(obj);
  json_decref(p->obj);
  p->obj = obj;
  p->terminating = tug_obj_deletion_timestamp(obj) != NULL;
}

/* A pod that names a node: count it there (it may have been assumed). */
static void pod_on_node(sched_core *c, sched_pod *p, json_t *obj, const char *node) {
  refresh_obj(p, obj);
  if (p->node && strcmp(p->node->name, node) == 0) {
    p->state = SCHED_POD_BOUND;
    p->attempts = 0;
    return;
  }
  sched_queues_release(c->queues, p);
  sched_cache_add_pod(c->cache, p, node, SCHED_POD_BOUND);
  sched_queues_admit(c->queues, p);
}

static sched_pod *track(sched_core *c, json_t *obj, double now) {
  sched_pod *p = sched_pod_new(obj, ++c->seq);
  if (p == NULL)
    return NULL;
  p->enqueued = now;
  tug_hashmap_put(c->pods, p->key, p);
  return p;
}

void sched_core_pod_changed(sched_core *c, json_t *obj, double now) {
  char key[512];
  if (tug_informer_key(obj, key, sizeof key) < 0)
    return;
  pthread_mutex_lock(&c->mu);
  sched_pod *p = tug_hashmap_get(c->pods, key);
  const char *node = sched_pod_node_name(obj), *uid = tug_obj_uid(obj);
  if (p && uid && strcmp(p->uid, uid) != 0) {
    drop_pod(c, p); /* deleted and created again under the same name */
    p = NULL;
  }
  bool pending_here = node == NULL && ours(c, obj) && tug_obj_deletion_timestamp(obj) == NULL;
  if (tug_pod_terminal(obj) || (node == NULL && !pending_here)) {
    if (p && p->state != SCHED_POD_ASSUMED)
      drop_pod(c, p);
  } else if (node) {
    if (p || (p = track(c, obj, now)))
      pod_on_node(c, p, obj, node);
  } else if (p == NULL) {
    if ((p = track(c, obj, now)))
      sched_queues_push(c->queues, p);
  } else if (p->state == SCHED_POD_PENDING) {
    /* A pending pod changed: parse it again, keeping its place in line. */
    sched_pod *fresh = sched_pod_new(obj, p->seq);
    if (fresh) {
      fresh->enqueued = p->enqueued;
      fresh->attempts = p->attempts;
      sched_queues_release(c->queues, p);
      tug_hashmap_put(c->pods, fresh->key, fresh);
      sched_pod_free(p);
      sched_queues_push(c->queues, fresh);
    }
  } else {
    refresh_obj(p, obj); /* assumed: the bind's answer will tell */
  }
  pthread_mutex_unlock(&c->mu);
}

void sched_core_pod_deleted(sched_core *c, const json_t *obj) {
  char key[512];
  if (tug_informer_key(obj, key, sizeof key) < 0)
    return;
  pthread_mutex_lock(&c->mu);
  sched_pod *p = tug_hashmap_get(c->pods, key);
  if (p)
    drop_pod(c, p);
  pthread_mutex_unlock(&c->mu);
}

/* ---- nodes, queues, namespaces ---- */

static void capacity_changed(sched_core *c) {
  sched_res cap = sched_cache_capacity(c->cache);
  sched_queues_set_capacity(c->queues, &cap);
  sched_queues_kick(c->queues);
}

void sched_core_node_changed(sched_core *c, json_t *node) {
  pthread_mutex_lock(&c->mu);
  if (sched_cache_set_node(c->cache, node) == 0)
    capacity_changed(c);
  pthread_mutex_unlock(&c->mu);
}

void sched_core_node_deleted(sched_core *c, const char *name) {
  pthread_mutex_lock(&c->mu);
  sched_cache_delete_node(c->cache, name);
  capacity_changed(c);
  pthread_mutex_unlock(&c->mu);
}

void sched_core_storage_changed(sched_core *c, const char *kind, json_t *obj, bool deleted) {
  char key[512];
  if (tug_informer_key(obj, key, sizeof key) < 0)
    return;
  pthread_mutex_lock(&c->mu);
  json_t *map = strcmp(kind, "PersistentVolumeClaim") == 0 ? c->cache->claims
                : strcmp(kind, "PersistentVolume") == 0    ? c->cache->volumes
                                                           : c->cache->classes;
  sched_cache_set_storage(map, key, deleted ? NULL : obj);
  sched_queues_kick(c->queues);
  pthread_mutex_unlock(&c->mu);
}

void sched_core_queue_changed(sched_core *c, json_t *queue) {
  tug_error err;
  pthread_mutex_lock(&c->mu);
  if (sched_queues_set(c->queues, queue, &err) < 0)
    tug_warn("queue ignored", "queue=%s err=%s", tug_obj_name(queue), TUG_LOG_ERR(&err));
  pthread_mutex_unlock(&c->mu);
}

void sched_core_queue_deleted(sched_core *c, const char *name) {
  pthread_mutex_lock(&c->mu);
  sched_queues_delete(c->queues, name);
  pthread_mutex_unlock(&c->mu);
}

void sched_core_namespace_changed(sched_core *c, const char *name, json_t *labels) {
  pthread_mutex_lock(&c->mu);
  sched_queues_set_namespace(c->queues, name, labels);
  pthread_mutex_unlock(&c->mu);
}

void sched_core_kick(sched_core *c) {
  pthread_mutex_lock(&c->mu);
  sched_queues_kick(c->queues);
  pthread_mutex_unlock(&c->mu);
}

/* ---- decisions ---- */

static void evict(sched_core *c, sched_pod *p, const sched_victims *v) {
  for (size_t i = 0; i < v->n; i++) {
    sched_pod *victim = v->pods[i];
    if ((victim->preemptor = strdup(p->key)) == NULL)
      continue; /* not marked: chosen again next time */
    sched_res_add(&victim->queue->outgoing, &victim->req);
    c->sink.evict(c->sink_arg, victim, p);
  }
  if (p->victims_pending == 0)
    sched_res_add(&p->queue->incoming, &p->req);
  p->victims_pending += (int)v->n;
  c->stats.preemptions += v->n;
}

/* Nothing fits p now: evict for it if that helps, else say why. */
static void cannot_place(sched_core *c, sched_pod *p, const char *why) {
  sched_victims v;
  if (p->victims_pending > 0) {
    sched_queues_park(c->queues, p); /* room is being made for it already */
    return;
  }
  int rc = sched_preempt(c->cache, c->queues, c->fw, p, &v);
  if (rc > 0) {
    sched_pod_set_wait(p, SCHED_WAIT_PREEMPTING, "waiting for the pods it preempts to leave");
    evict(c, p, &v);
  } else {
    c->sink.unschedulable(c->sink_arg, p, why);
  }
  if (rc < 0)
    c->stats.errors++;
  else
    c->stats.unschedulable++;
  sched_victims_clear(&v);
  sched_queues_park(c->queues, p);
}

static void quota_message(const sched_pod *p, char *buf, size_t size) {
  char cpu[TUG_QUANTITY_BUFSIZE], mem[TUG_QUANTITY_BUFSIZE], used[TUG_QUANTITY_BUFSIZE];
  const sched_queue *q = p->queue;
  snprintf(buf, size,
           "queue %s has no room for cpu %s, memory %s: it uses cpu %s and may not borrow "
           "more from its cohort or the common pool.",
           q->name, tug_quantity_format_milli(p->req.v[SCHED_CPU], cpu, sizeof cpu),
           tug_quantity_format_bytes(p->req.v[SCHED_MEMORY], mem, sizeof mem),
           tug_quantity_format_milli(q->usage.v[SCHED_CPU], used, sizeof used));
}

bool sched_core_schedule_one(sched_core *c, double now) {
  sched_admit verdict;
  pthread_mutex_lock(&c->mu);
  sched_pod *p = sched_queues_pop(c->queues, now, &verdict);
  if (p == NULL) {
    pthread_mutex_unlock(&c->mu);
    return false;
  }
  char why[512];
  sched_result r = {0};
  if (sched_framework_place(c->fw, c->cache, p, &r) < 0) {
    c->stats.errors++;
    sched_queues_backoff(c->queues, p, now + BACKOFF_BASE_S);
    pthread_mutex_unlock(&c->mu);
    return true;
  }
  if (r.node && verdict != SCHED_ADMIT_NO) {
    stop_waiting(p);
    sched_pod_set_wait(p, SCHED_WAIT_NONE, NULL);
    if (p->queue)
      tug_histogram_observe(&p->queue->wait, now - p->enqueued);
    sched_cache_add_pod(c->cache, p, r.node->name, SCHED_POD_ASSUMED);
    sched_queues_admit(c->queues, p);
    c->stats.scheduled++;
    c->sink.bind(c->sink_arg, p, r.node->name);
    pthread_mutex_unlock(&c->mu);
    return true;
  }
  if (r.node) /* nodes have room, the queue's quota has not */
    quota_message(p, why, sizeof why);
  else
    sched_result_message(&r, why, sizeof why);
  sched_pod_set_wait(p, r.node ? sched_queue_quota_wait(p->queue, &p->req) : SCHED_WAIT_NODES, why);
  cannot_place(c, p, why);
  pthread_mutex_unlock(&c->mu);
  return true;
}

void sched_core_bind_failed(sched_core *c, const char *key, const char *uid, double now) {
  pthread_mutex_lock(&c->mu);
  sched_pod *p = tug_hashmap_get(c->pods, key);
  if (p && strcmp(p->uid, uid) == 0 && p->state == SCHED_POD_ASSUMED) {
    sched_queues_release(c->queues, p);
    sched_cache_remove_pod(c->cache, p);
    c->stats.bind_failures++;
    double delay = BACKOFF_BASE_S;
    for (int i = 0; i < p->attempts && delay < BACKOFF_MAX_S; i++)
      delay *= 2;
    p->attempts++;
    sched_pod_set_wait(p, SCHED_WAIT_BACKOFF, "its binding failed; it is tried again later");
    sched_queues_backoff(c->queues, p, now + (delay < BACKOFF_MAX_S ? delay : BACKOFF_MAX_S));
  }
  pthread_mutex_unlock(&c->mu);
}
