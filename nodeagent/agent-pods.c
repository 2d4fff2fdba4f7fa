/*
 * agent-pods.c — informer → work queue → reconcile(key) for this node's pods.
 *
 * reconcile compares the pod the informer holds under key with the local
 * agent_pod of that key and takes one step: tear down a local pod whose API
 * object is gone (or was replaced under the same name), stop a pod marked
 * for deletion and then delete its object for good, or create the pod and
 * sync its containers and status. The workqueue hands a key to one worker at
 * a time, so a local pod is only ever touched by one thread; the map of local
 * pods itself is shared with the ticker and has its own lock.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-pods.h"
#include "cleanup.h"
#include "clock.h"
#include "hashmap.h"
#include "informer.h"
#include "log.h"
#include "object.h"
#include "workqueue.h"
#include "pod-rules.h"

/* How soon a pod being stopped is looked at again. */
enum { TERMINATE_POLL_MS = 200 };
/* Status ticks between malloc_trim calls (10 s). */
enum { TRIM_EVERY_TICKS = 20 };
/* How long start waits for the first list before sweeping orphans. */
enum { SYNC_TIMEOUT_MS = 30000 };

struct agent_pods {
  const agent_pod_env *env;
  int max_pods;
  tug_informer *inf;
  tug_workqueue *q;
  pthread_mutex_t mu; /* guards pods */
  tug_hashmap *pods;  /* "ns/name" → agent_pod */
  pthread_t workers[AGENT_POD_WORKERS];
  int nworkers;
  pthread_t ticker;
  bool ticker_started;
  pthread_mutex_t tick_mu;
  pthread_cond_t tick_cond;
  bool stop;
};

static void enqueue(json_t *obj, void *arg) {
  agent_pods *m = arg;
  char key[512];
  if (tug_informer_key(obj, key, sizeof key) == 0)
    tug_workqueue_add(m->q, key);
}

static void on_add(json_t *obj, void *arg) {
  tug_debug("pod added", "pod=%s/%s", tug_obj_namespace(obj), tug_obj_name(obj));
  enqueue(obj, arg);
}
static void on_update(json_t *old_obj, json_t *new_obj, void *arg) {
  (void)old_obj;
  enqueue(new_obj, arg);
}
static void on_delete(json_t *obj, void *arg) {
  enqueue(obj, arg);
}

static agent_pod *local_get(agent_pods *m, const char *key) {
  pthread_mutex_lock(&m->mu);
  agent_pod *p = tug_hashmap_get(m->pods, key);
  pthread_mutex_unlock(&m->mu);
  return p;
}

static void local_put(agent_pods *m, const char *key, agent_pod *p) {
  pthread_mutex_lock(&m->mu);
  if (p)
    tug_hashmap_put(m->pods, key, p);
  else
    tug_hashmap_remove(m->pods, key);
  pthread_mutex_unlock(&m->mu);
}

static size_t local_count(agent_pods *m) {
  pthread_mutex_lock(&m->mu);
  size_t n = tug_hashmap_size(m->pods);
  pthread_mutex_unlock(&m->mu);
  return n;
}

static void teardown(agent_pods *m, const char *key, agent_pod *p) {
  tug_error err = {0};
  local_put(m, key, NULL);
  if (agent_pod_destroy(p, &err) < 0)
    tug_warn("pod teardown incomplete", "pod=%s err=%s", key, TUG_LOG_Q(err.msg));
  else
    tug_info("pod removed", "pod=%s", key);
}

/* The final DELETE: grace 0, and only the object we stopped (uid precondition). */
static int delete_object(agent_pods *m, const json_t *pod, tug_error *err) {
  char path[1024];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s", tug_obj_namespace(pod),
           tug_obj_name(pod));
  tug_delete_options opts = {.uid = tug_obj_uid(pod), .grace_set = true, .grace_seconds = 0};
  int rc = tug_client_delete_with(m->env->client, path, &opts, err);
  if (rc < 0 && err->code != ENOENT && err->code != TUG_E_CONFLICT)
    return tug_error_wrap(err, "delete pod %s/%s", tug_obj_namespace(pod), tug_obj_name(pod));
  tug_error_clear(err);
  return 0;
}

/* Kubelet's admission: beyond --max-pods a pod fails with OutOfpods. */
static int reject(agent_pods *m, const json_t *pod, tug_error *err) {
  char path[1024];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s/status", tug_obj_namespace(pod),
           tug_obj_name(pod));
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:s, s:s, s:s}}", "status", "phase", "Failed", "reason", "OutOfpods",
                "message", "Node didn't have enough resource: pods");
  tug_warn("pod rejected: too many pods", "pod=%s/%s max_pods=%d", tug_obj_namespace(pod),
           tug_obj_name(pod), m->max_pods);
  return tug_client_patch(m->env->client, path, TUG_PATCH_MERGE, patch, NULL, err) < 0 ? -1 : 0;
}

static int64_t grace_seconds(const json_t *pod) {
  json_t *g = tug_obj_get(pod, "metadata.deletionGracePeriodSeconds");
  if (json_is_integer(g))
    return json_integer_value(g);
  return tug_obj_get_int(pod, "spec.terminationGracePeriodSeconds", 30);
}

static int reconcile(agent_pods *m, const char *key, long *requeue_ms, tug_error *err) {
  _cleanup_json_ json_t *pod = tug_informer_get(m->inf, key);
  agent_pod *p = local_get(m, key);
  if (p && (pod == NULL || strcmp(tug_obj_uid(pod) ? tug_obj_uid(pod) : "", agent_pod_uid(p)))) {
    teardown(m, key, p);
    p = NULL;
  }
  if (pod == NULL)
    return 0;
  if (tug_obj_deletion_timestamp(pod)) {
    if (p && !agent_pod_terminate(p, grace_seconds(pod))) {
      *requeue_ms = TERMINATE_POLL_MS;
      return 0;
    }
    if (p)
      teardown(m, key, p);
    else /* finished before this agent started, or never started here */
      agent_pod_forget(m->env, tug_obj_namespace(pod), tug_obj_name(pod), tug_obj_uid(pod));
    return delete_object(m, pod, err);
  }
  if (p == NULL) {
    if (tug_pod_terminal(pod))
      return 0;
    if (m->max_pods > 0 && local_count(m) >= (size_t)m->max_pods)
      return reject(m, pod, err);
    if (agent_pod_create(m->env, pod, &p, err) < 0)
      return -1;
    local_put(m, key, p);
    tug_info("pod sandbox created", "pod=%s uid=%s", key, agent_pod_uid(p));
  }
  *requeue_ms = agent_pod_sync(p);
  return agent_pod_report(p, err);
}

/* At start, before any worker runs: an earlier agent's sandboxes whose pod is
 * gone or finished are purged, processes and all (the pods that still run
 * are adopted by reconcile), and so are the logs of pods that are gone. */
static void sweep_orphans(agent_pods *m) {
  tug_error err = {0};
  char **uids = agent_runtime_sandbox_list(m->env->rt, &err);
  _cleanup_json_ json_t *pods = tug_informer_list(m->inf);
  if (uids == NULL || pods == NULL) {
    tug_warn("orphan sweep skipped", "err=%s", TUG_LOG_Q(err.msg));
    agent_runtime_free_list(uids);
    return;
  }
  for (char **uid = uids; *uid; uid++) {
    size_t i;
    json_t *pod;
    bool keep = false;
    json_array_foreach(pods, i, pod) {
      const char *u = tug_obj_uid(pod);
      if (u && strcmp(u, *uid) == 0)
        keep = !tug_pod_terminal(pod);
    }
    if (!keep) {
      tug_info("purging orphaned sandbox", "uid=%s", *uid);
      agent_pod_forget(m->env, NULL, NULL, *uid);
    }
  }
  agent_runtime_free_list(uids);
}

static int reconcile_key(void *arg, const char *key, long *requeue_ms, tug_error *err) {
  return reconcile(arg, key, requeue_ms, err);
}

static void *worker_main(void *arg) {
  agent_pods *m = arg;
  tug_workqueue_run(m->q, reconcile_key, m, "pod");
  return NULL;
}

static void queue_all_local(agent_pods *m) {
  pthread_mutex_lock(&m->mu);
  tug_hashmap_iter it;
  const char *key;
  void *value;
  tug_hashmap_iter_init(&it, m->pods);
  while (tug_hashmap_next(&it, &key, &value))
    tug_workqueue_add(m->q, key);
  pthread_mutex_unlock(&m->mu);
}

static void *ticker_main(void *arg) {
  agent_pods *m = arg;
  unsigned ticks = 0;
  pthread_mutex_lock(&m->tick_mu);
  while (!m->stop) {
    struct timespec deadline = tug_deadline_ms(AGENT_STATUS_TICK_MS);
    while (!m->stop && pthread_cond_timedwait(&m->tick_cond, &m->tick_mu, &deadline) == 0)
      ;
    if (m->stop)
      break;
    pthread_mutex_unlock(&m->tick_mu);
    queue_all_local(m);
    /* Workers' malloc arenas keep what a burst of pod starts freed; hand it
     * back to the kernel now and then (agent RSS is a goal, issue 4). */
    if (++ticks % TRIM_EVERY_TICKS == 0)
      malloc_trim(0);
    pthread_mutex_lock(&m->tick_mu);
  }
  pthread_mutex_unlock(&m->tick_mu);
  return NULL;
}

int agent_pods_start(const agent_pods_options *o, agent_pods **out, tug_error *err) {
  agent_pods *m = calloc(1, sizeof *m);
  if (m == NULL)
    return tug_error_errno(err, ENOMEM, "allocate pod controller");
  m->env = o->env;
  m->max_pods = o->max_pods;
  pthread_mutex_init(&m->mu, NULL);
  pthread_mutex_init(&m->tick_mu, NULL);
  tug_cond_init_monotonic(&m->tick_cond);
  m->pods = tug_hashmap_new();
  m->q = tug_workqueue_new(&(tug_workqueue_options){.base_delay_ms = 500, .max_delay_ms = 30000});
  char selector[300];
  snprintf(selector, sizeof selector, "spec.nodeName=%s", o->node_name);
  tug_informer_handlers h = {.on_add = on_add, .on_update = on_update, .on_delete = on_delete};
  if (m->pods == NULL || m->q == NULL) {
    tug_error_errno(err, ENOMEM, "allocate pod controller");
    agent_pods_stop(m);
    return -1;
  }
  m->inf = tug_informer_new(o->env->client, "/api/v1/pods", NULL, selector, &h, m, err);
  if (m->inf == NULL || tug_informer_start(m->inf, err) < 0) {
    agent_pods_stop(m);
    return tug_error_wrap(err, "watch pods of node %s", o->node_name);
  }
  if (tug_informer_wait_synced(m->inf, SYNC_TIMEOUT_MS))
    sweep_orphans(m);
  else
    tug_warn("pods not listed in time; no orphan sweep", "timeout_ms=%d", SYNC_TIMEOUT_MS);
  for (; m->nworkers < AGENT_POD_WORKERS; m->nworkers++) {
    int rc = pthread_create(&m->workers[m->nworkers], NULL, worker_main, m);
    if (rc != 0) {
      agent_pods_stop(m);
      return tug_error_errno(err, rc, "start pod worker");
    }
  }
  int rc = pthread_create(&m->ticker, NULL, ticker_main, m);
  if (rc != 0) {
    agent_pods_stop(m);
    return tug_error_errno(err, rc, "start status ticker");
  }
  m->ticker_started = true;
  *out = m;
  return 0;
}

static void release_pod(void *p) {
  agent_pod_release(p);
}

void agent_pods_stop(agent_pods *m) {
  pthread_mutex_lock(&m->tick_mu);
  m->stop = true;
  pthread_cond_broadcast(&m->tick_cond);
  pthread_mutex_unlock(&m->tick_mu);
  if (m->ticker_started)
    pthread_join(m->ticker, NULL);
  if (m->inf)
    tug_informer_stop(m->inf);
  if (m->q)
    tug_workqueue_shutdown(m->q);
  for (int i = 0; i < m->nworkers; i++)
    pthread_join(m->workers[i], NULL);
  if (m->inf)
    tug_informer_free(m->inf);
  if (m->q)
    tug_workqueue_free(m->q);
  if (m->pods)
    tug_hashmap_free(m->pods, release_pod);
  pthread_cond_destroy(&m->tick_cond);
  pthread_mutex_destroy(&m->tick_mu);
  pthread_mutex_destroy(&m->mu);
  free(m);
}
