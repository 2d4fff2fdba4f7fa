/*
 * bind.c — bind and eviction workers (see bind.h).
 */
#include "bind.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "object.h"
#include "kinds.h"
#include "volume-rules.h"

typedef enum { JOB_BIND, JOB_EVICT } job_kind;

typedef struct job {
  job_kind kind;
  char *ns, *name, *uid, *key, *node;
  json_t *claims; /* the pod's PersistentVolumeClaim names (binds only) */
  double enqueued;
  struct job *next;
} job;

struct sched_binder {
  tug_client *cli;
  tug_events *events;
  sched_metrics *metrics;
  sched_core *core;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  job *head, *tail;
  bool stopping;
  pthread_t *threads;
  int n_threads;
};

static void job_free(job *j) {
  free(j->ns);
  free(j->name);
  free(j->uid);
  free(j->key);
  free(j->node);
  json_decref(j->claims);
  free(j);
}

/* The names of the claims among the pod's volumes, or NULL when none. */
static json_t *claim_names(const json_t *pod) {
  json_t *out = NULL;
  size_t i;
  json_t *vol;
  json_array_foreach(tug_obj_get(pod, "spec.volumes"), i, vol) {
    const char *claim = tug_obj_get_str(vol, "persistentVolumeClaim.claimName");
    if (claim == NULL)
      continue;
    if (out == NULL)
      out = json_array();
    json_array_append_new(out, json_string(claim));
  }
  return out;
}

/* Kubernetes' volume binding at pre-bind: every claim of the pod still
 * unbound learns the node chosen (volume.kubernetes.io/selected-node), so
 * that its provisioner makes the volume there. */
static int select_node_for_claims(sched_binder *b, const job *j, tug_error *err) {
  size_t i;
  json_t *name;
  json_array_foreach(j->claims, i, name) {
    char path[768];
    json_t *pvc = NULL;
    snprintf(path, sizeof path, "/api/v1/namespaces/%s/persistentvolumeclaims/%s", j->ns,
             json_string_value(name));
    if (tug_client_get(b->cli, path, &pvc, err) < 0)
      return tug_error_wrap(err, "claim %s", json_string_value(name));
    const char *volume = tug_obj_get_str(pvc, "spec.volumeName");
    const char *selected = tug_obj_annotation(pvc, TUG_ANN_SELECTED_NODE);
    bool done = (volume && volume[0]) || (selected && strcmp(selected, j->node) == 0);
    json_decref(pvc);
    if (done)
      continue;
    json_t *patch =
        json_pack("{s:{s:{s:s}}}", "metadata", "annotations", TUG_ANN_SELECTED_NODE, j->node);
    int rc = tug_client_patch(b->cli, path, TUG_PATCH_MERGE, patch, NULL, err);
    json_decref(patch);
    if (rc < 0)
      return tug_error_wrap(err, "claim %s", json_string_value(name));
  }
  return 0;
}

static void push(sched_binder *b, job_kind kind, const sched_pod *p, const char *node) {
  job *j = calloc(1, sizeof *j);
  if (j == NULL)
    return;
  j->kind = kind;
  j->ns = strdup(p->ns);
  j->name = strdup(p->name);
  j->uid = strdup(p->uid);
  j->key = strdup(p->key);
  j->node = node ? strdup(node) : NULL;
  j->claims = kind == JOB_BIND ? claim_names(p->obj) : NULL;
  j->enqueued = p->enqueued;
  if (!j->ns || !j->name || !j->uid || !j->key || (node && !j->node)) {
    job_free(j);
    return;
  }
  pthread_mutex_lock(&b->mu);
  if (b->tail)
    b->tail->next = j;
  else
    b->head = j;
  b->tail = j;
  pthread_cond_signal(&b->cond);
  pthread_mutex_unlock(&b->mu);
}

static void do_bind(sched_binder *b, job *j) {
  char path[512];
  tug_error err = {0};
  json_t *body =
      json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}}", "apiVersion", "v1", "kind",
                "Binding", "metadata", "name", j->name, "namespace", j->ns, "uid", j->uid, "target",
                "apiVersion", "v1", "kind", "Node", "name", j->node);
  int rc = select_node_for_claims(b, j, &err) < 0                                        ? -1
           : tug_api_path(path, sizeof path, "Pod", j->ns, j->name, "binding", &err) < 0 ? -1
           : body ? tug_client_create(b->cli, path, body, NULL, &err)
                  : tug_error_set(&err, ENOMEM, "binding");
  json_decref(body);
  double now = tug_monotonic_seconds();
  if (rc >= 0) {
    if (b->metrics)
      sched_metrics_observe_latency(b->metrics, now - j->enqueued);
    tug_debug("bound", "pod=%s node=%s audit_id=%s", j->key, j->node, tug_client_audit_id());
    return;
  }
  tug_warn("bind failed", "pod=%s node=%s err=%s", j->key, j->node, TUG_LOG_ERR(&err));
  if (b->core)
    sched_core_bind_failed(b->core, j->key, j->uid, now);
}

static void do_evict(sched_binder *b, job *j) {
  char path[512];
  tug_delete_options opts = {.uid = j->uid};
  tug_error err = {0};
  int rc = tug_api_path(path, sizeof path, "Pod", j->ns, j->name, NULL, &err) < 0
               ? -1
               : tug_client_delete_with(b->cli, path, &opts, &err);
  if (rc < 0 && err.code != ENOENT)
    tug_warn("eviction failed", "pod=%s err=%s", j->key, TUG_LOG_ERR(&err));
  else
    tug_info("evicted", "pod=%s for=%s audit_id=%s", j->key, j->node, tug_client_audit_id());
}

static void *worker(void *arg) {
  sched_binder *b = arg;
  pthread_mutex_lock(&b->mu);
  for (;;) {
    while (b->head == NULL && !b->stopping)
      pthread_cond_wait(&b->cond, &b->mu);
    job *j = b->head;
    if (j == NULL)
      break;
    b->head = j->next;
    if (b->head == NULL)
      b->tail = NULL;
    pthread_mutex_unlock(&b->mu);
    if (j->kind == JOB_BIND)
      do_bind(b, j);
    else
      do_evict(b, j);
    job_free(j);
    pthread_mutex_lock(&b->mu);
  }
  pthread_mutex_unlock(&b->mu);
  return NULL;
}

sched_binder *sched_binder_new(tug_client *cli, tug_events *events, sched_metrics *metrics,
                               int workers, tug_error *err) {
  sched_binder *b = calloc(1, sizeof *b);
  if (b == NULL || (b->threads = calloc((size_t)workers, sizeof *b->threads)) == NULL) {
    free(b);
    tug_error_set(err, ENOMEM, "bind workers");
    return NULL;
  }
  b->cli = cli;
  b->events = events;
  b->metrics = metrics;
  pthread_mutex_init(&b->mu, NULL);
  pthread_cond_init(&b->cond, NULL);
  for (; b->n_threads < workers; b->n_threads++) {
    int rc = pthread_create(&b->threads[b->n_threads], NULL, worker, b);
    if (rc != 0) {
      tug_error_errno(err, rc, "start bind worker");
      sched_binder_free(b);
      return NULL;
    }
  }
  return b;
}

void sched_binder_attach(sched_binder *b, sched_core *core) {
  b->core = core;
}

void sched_binder_free(sched_binder *b) {
  if (b == NULL)
    return;
  pthread_mutex_lock(&b->mu);
  b->stopping = true;
  pthread_cond_broadcast(&b->cond);
  pthread_mutex_unlock(&b->mu);
  for (int i = 0; i < b->n_threads; i++)
    pthread_join(b->threads[i], NULL);
  free(b->threads);
  pthread_mutex_destroy(&b->mu);
  pthread_cond_destroy(&b->cond);
  free(b);
}

/* ---- the sink: called under the core's lock, so only queue work ---- */

static void sink_bind(void *arg, const sched_pod *p, const char *node) {
  push(arg, JOB_BIND, p, node);
}

static void sink_evict(void *arg, const sched_pod *victim, const sched_pod *preemptor) {
  sched_binder *b = arg;
  const char *node = victim->node ? victim->node->name : "";
  if (b->events)
    tug_event_record(b->events, victim->obj, "Normal", "Preempted", "Preempted by %s on node %s",
                     preemptor->key, node);
  push(b, JOB_EVICT, victim, preemptor->key);
}

static void sink_unschedulable(void *arg, const sched_pod *p, const char *message) {
  sched_binder *b = arg;
  if (b->events)
    tug_event_record(b->events, p->obj, "Warning", "FailedScheduling", "%s", message);
  tug_debug("unschedulable", "pod=%s", p->key);
}

const sched_sink sched_binder_sink = {sink_bind, sink_evict, sink_unschedulable};
