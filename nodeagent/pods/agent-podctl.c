/*
 * agent-podctl.c — this node's pods on lib/controller: a shared informer on
 * the pods with spec.nodeName = this node → work queue → reconcile(key).
 *
 * reconcile compares the pod the informer holds under key with the local
 * agent_pod of that key and takes one step: tear down a local pod whose API
 * object is gone (or was replaced under the same name), stop a pod marked
 * for deletion and then delete its object for good, or create the pod and
 * sync its containers and status. The work queue hands a key to one worker
 * at a time, so a local pod is only ever touched by one thread; the map of
 * local pods itself is shared with the tick and has its own lock. Once the
 * informer has listed, and before any worker runs, the synced hook purges
 * what an earlier agent left of pods that are gone.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-pod-api.h"
#include "agent-podctl.h"
#include "cleanup.h"
#include "clock.h"
#include "controller.h"
#include "hashmap.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"

/* How soon a pod being stopped is looked at again. */
enum { TERMINATE_POLL_MS = 200 };
/* Status ticks between malloc_trim calls (10 s). */
enum { TRIM_EVERY_TICKS = 20 };
/* How long start waits for the first list before sweeping orphans. */
enum { SYNC_TIMEOUT_MS = 30000 };
/* How soon a pod stopped by fencing is looked at again while its fate is unknown. */
enum { FENCED_POLL_MS = 1000 };

struct agent_podctl {
  const agent_pod_env *env;
  int max_pods;
  tug_shared_informer *si;
  tug_controller *c;
  pthread_mutex_t mu; /* guards pods */
  tug_hashmap *pods;  /* "ns/name" → agent_pod */
  unsigned ticks;     /* only the ticker thread counts */
  const char *node_name;
  double fence_after_s;
  double (*last_renewed)(void *arg);
  void *renewed_arg;
  atomic_bool fenced;
  tug_hashmap *stopped; /* under mu: "ns/name" → uid (malloc'd) of pods fencing stopped */
};

static agent_pod *local_get(agent_podctl *m, const char *key) {
  pthread_mutex_lock(&m->mu);
  agent_pod *p = tug_hashmap_get(m->pods, key);
  pthread_mutex_unlock(&m->mu);
  return p;
}

static void local_put(agent_podctl *m, const char *key, agent_pod *p) {
  pthread_mutex_lock(&m->mu);
  if (p)
    tug_hashmap_put(m->pods, key, p);
  else
    tug_hashmap_remove(m->pods, key);
  pthread_mutex_unlock(&m->mu);
}

static size_t local_count(agent_podctl *m) {
  pthread_mutex_lock(&m->mu);
  size_t n = tug_hashmap_size(m->pods);
  pthread_mutex_unlock(&m->mu);
  return n;
}

static void teardown(agent_podctl *m, const char *key, agent_pod *p) {
  tug_error err = {0};
  local_put(m, key, NULL);
  if (agent_pod_destroy(p, &err) < 0)
    tug_warn("pod teardown incomplete", "pod=%s err=%s", key, TUG_LOG_ERR(&err));
  else
    tug_info("pod removed", "pod=%s", key);
}

/* Kubelet's admission: beyond --max-pods a pod fails with OutOfpods. */
static int reject(agent_podctl *m, const json_t *pod, tug_error *err) {
  _cleanup_json_ json_t *status =
      json_pack("{s:s, s:s, s:s}", "phase", "Failed", "reason", "OutOfpods", "message",
                "Node didn't have enough resource: pods");
  tug_warn("pod rejected: too many pods", "pod=%s/%s max_pods=%d", tug_obj_namespace(pod),
           tug_obj_name(pod), m->max_pods);
  return agent_pod_api_write_status(m->env->client, tug_obj_namespace(pod), tug_obj_name(pod),
                                    status, err);
}

static int64_t grace_seconds(const json_t *pod) {
  json_t *g = tug_obj_get(pod, "metadata.deletionGracePeriodSeconds");
  if (json_is_integer(g))
    return json_integer_value(g);
  return tug_obj_get_int(pod, "spec.terminationGracePeriodSeconds", 30);
}

/* ---- fencing ---- */

static void stopped_put(agent_podctl *m, const char *key, const char *uid) {
  char *copy = uid ? strdup(uid) : NULL;
  pthread_mutex_lock(&m->mu);
  free(uid ? tug_hashmap_put(m->stopped, key, copy) : tug_hashmap_remove(m->stopped, key));
  pthread_mutex_unlock(&m->mu);
}

/* Whether key's pod (uid) was stopped by fencing and may not run yet. */
static bool stopped_holds(agent_podctl *m, const char *key, const json_t *pod) {
  pthread_mutex_lock(&m->mu);
  const char *uid = tug_hashmap_get(m->stopped, key);
  bool same = uid && pod && tug_obj_uid(pod) && strcmp(uid, tug_obj_uid(pod)) == 0;
  pthread_mutex_unlock(&m->mu);
  if (uid && (!same || tug_obj_deletion_timestamp(pod)))
    stopped_put(m, key, NULL); /* gone, replaced or being deleted: the usual path now */
  return same && !tug_obj_deletion_timestamp(pod);
}

/* Fenced: stop key's local pod (its grace, at most AGENT_FENCE_GRACE_S),
 * remember it, start nothing. */
static int fenced_step(agent_podctl *m, const char *key, long *requeue_ms) {
  agent_pod *p = local_get(m, key);
  if (p == NULL)
    return 0;
  _cleanup_json_ json_t *pod = tug_informer_get(tug_shared_informer_informer(m->si), key);
  int64_t grace = pod ? grace_seconds(pod) : AGENT_FENCE_GRACE_S;
  if (!agent_pod_terminate(p, grace < AGENT_FENCE_GRACE_S ? grace : AGENT_FENCE_GRACE_S)) {
    *requeue_ms = TERMINATE_POLL_MS;
    return 0;
  }
  stopped_put(m, key, agent_pod_uid(p));
  tug_warn("pod stopped by fencing", "pod=%s uid=%s", key, agent_pod_uid(p));
  teardown(m, key, p);
  return 0;
}

/* One step for key; *requeue_ms >= 0 asks for another look that much later. */
static int step(agent_podctl *m, const char *key, long *requeue_ms, tug_error *err) {
  if (atomic_load(&m->fenced))
    return fenced_step(m, key, requeue_ms);
  _cleanup_json_ json_t *pod = tug_informer_get(tug_shared_informer_informer(m->si), key);
  if (stopped_holds(m, key, pod)) {
    *requeue_ms = FENCED_POLL_MS; /* until a fresh list or the informer settles it */
    return 0;
  }
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
    return agent_pod_api_delete_for_good(m->env->client, pod, err);
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

json_t *agent_podctl_images(agent_podctl *m) {
  json_t *out = json_array();
  _cleanup_json_ json_t *pods = tug_informer_list(tug_shared_informer_informer(m->si));
  static const char *const lists[] = {"spec.containers", "spec.initContainers",
                                      "spec.ephemeralContainers"};
  size_t i, j;
  json_t *pod, *ctr;
  json_array_foreach(pods, i, pod) {
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
      json_array_foreach(tug_obj_get(pod, lists[k]), j, ctr) {
        const char *image = tug_obj_get_str(ctr, "image");
        if (image)
          json_array_append_new(out, json_string(image));
      }
  }
  return out;
}

/* The synced hook, before any worker runs: an earlier agent's sandboxes whose pod is
 * gone or finished are purged, processes and all (the pods that still run
 * are adopted by reconcile), and so are the logs of pods that are gone. */
static void sweep_orphans(tug_controller *c, void *arg) {
  (void)c;
  agent_podctl *m = arg;
  tug_error err = {0};
  char **uids = agent_runtime_sandbox_list(m->env->rt, &err);
  _cleanup_json_ json_t *pods = tug_informer_list(tug_shared_informer_informer(m->si));
  if (uids == NULL || pods == NULL) {
    tug_warn("orphan sweep skipped", "err=%s", TUG_LOG_ERR(&err));
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

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  long requeue_ms = -1;
  if (step(arg, key, &requeue_ms, err) < 0)
    return -1;
  if (requeue_ms >= 0)
    tug_controller_enqueue_after(c, key, requeue_ms);
  return 0;
}

/* A fresh list of the node's pods: those fencing stopped that it still binds
 * here, undeleted, may run again. False when the API server did not answer. */
static bool release_stopped(agent_podctl *m) {
  char selector[300];
  snprintf(selector, sizeof selector, "spec.nodeName=%s", m->node_name);
  tug_list_options lo = {.field_selector = selector};
  _cleanup_json_ json_t *list = NULL;
  tug_error err = {0};
  if (tug_client_list(m->env->client, "/api/v1/pods", &lo, &list, &err) < 0)
    return false;
  size_t i;
  json_t *pod;
  json_array_foreach(json_object_get(list, "items"), i, pod) {
    char key[512];
    snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(pod), tug_obj_name(pod));
    pthread_mutex_lock(&m->mu);
    const char *uid = tug_hashmap_get(m->stopped, key);
    bool alive = uid && tug_obj_uid(pod) && strcmp(uid, tug_obj_uid(pod)) == 0 &&
                 !tug_obj_deletion_timestamp(pod);
    pthread_mutex_unlock(&m->mu);
    if (alive)
      stopped_put(m, key, NULL);
  }
  return true;
}

/* Fence when the Lease went unrenewed too long; lift the fence once it is
 * renewed and a fresh list says which stopped pods may run. True when the
 * state changed (every key is then looked at again). */
static bool check_fence(agent_podctl *m) {
  if (m->fence_after_s <= 0 || m->last_renewed == NULL)
    return false;
  double quiet = tug_monotonic_seconds() - m->last_renewed(m->renewed_arg);
  bool fenced = atomic_load(&m->fenced);
  if (!fenced && quiet > m->fence_after_s) {
    atomic_store(&m->fenced, true);
    tug_warn("fencing: no Lease renewal, stopping this node's pods", "node=%s quiet_s=%.1f",
             m->node_name, quiet);
    return true;
  }
  if (fenced && quiet <= m->fence_after_s && release_stopped(m)) {
    atomic_store(&m->fenced, false);
    tug_info("fence lifted: Lease renewed", "node=%s", m->node_name);
    return true;
  }
  return false;
}

/* Every local pod again each tick, so exits are noticed and status reported
 * without a watch event. */
static void tick(tug_controller *c, void *arg) {
  agent_podctl *m = arg;
  if (check_fence(m)) { /* the informer's keys too: stopped pods have no local one */
    _cleanup_json_ json_t *keys = tug_informer_list(tug_shared_informer_informer(m->si));
    size_t i;
    json_t *pod;
    json_array_foreach(keys, i, pod) {
      char key[512];
      snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(pod), tug_obj_name(pod));
      tug_controller_enqueue(c, key);
    }
  }
  pthread_mutex_lock(&m->mu);
  tug_hashmap_iter it;
  const char *key;
  void *value;
  tug_hashmap_iter_init(&it, m->pods);
  while (tug_hashmap_next(&it, &key, &value))
    tug_controller_enqueue(c, key);
  pthread_mutex_unlock(&m->mu);
  /* Workers' malloc arenas keep what a burst of pod starts freed; hand it
   * back to the kernel now and then (agent RSS is a goal, issue 4). */
  if (++m->ticks % TRIM_EVERY_TICKS == 0)
    malloc_trim(0);
}

int agent_podctl_start(const agent_podctl_options *o, agent_podctl **out, tug_error *err) {
  agent_podctl *m = calloc(1, sizeof *m);
  if (m == NULL)
    return tug_error_errno(err, ENOMEM, "allocate pod controller");
  m->env = o->env;
  m->max_pods = o->max_pods;
  m->node_name = o->node_name;
  m->fence_after_s = o->fence_after_s;
  m->last_renewed = o->last_renewed;
  m->renewed_arg = o->renewed_arg;
  atomic_init(&m->fenced, false);
  pthread_mutex_init(&m->mu, NULL);
  char selector[300];
  snprintf(selector, sizeof selector, "spec.nodeName=%s", o->node_name);
  tug_controller_options co = {.name = "pods",
                               .reconcile = reconcile,
                               .arg = m,
                               .workers = AGENT_PODCTL_WORKERS,
                               .base_delay_ms = 500,
                               .max_delay_ms = 30000,
                               .tick_period_ms = AGENT_STATUS_TICK_MS,
                               .tick = tick,
                               .on_synced = sweep_orphans,
                               .sync_timeout_ms = SYNC_TIMEOUT_MS};
  tug_shared_informer_options io = {.path = "/api/v1/pods", .field_selector = selector};
  if ((m->pods = tug_hashmap_new()) == NULL || (m->stopped = tug_hashmap_new()) == NULL) {
    agent_podctl_stop(m);
    return tug_error_errno(err, ENOMEM, "allocate pod controller");
  }
  if ((m->c = tug_controller_new(&co, err)) == NULL ||
      (m->si = tug_shared_informer_new_with(o->env->client, &io, err)) == NULL ||
      tug_controller_watch(m->c, m->si, err) < 0 || tug_shared_informer_start(m->si, err) < 0 ||
      tug_controller_start(m->c, err) < 0) {
    agent_podctl_stop(m);
    return tug_error_wrap(err, "pods of node %s", o->node_name);
  }
  *out = m;
  return 0;
}

tug_controller *agent_podctl_controller(agent_podctl *m) {
  return m->c;
}

static void release_pod(void *p) {
  agent_pod_release(p);
}

void agent_podctl_stop(agent_podctl *m) {
  tug_controller_stop(m->c);
  tug_shared_informer_free(m->si); /* before the controller its handlers queue into */
  tug_controller_free(m->c);
  if (m->pods)
    tug_hashmap_free(m->pods, release_pod);
  if (m->stopped)
    tug_hashmap_free(m->stopped, free);
  pthread_mutex_destroy(&m->mu);
  free(m);
}
