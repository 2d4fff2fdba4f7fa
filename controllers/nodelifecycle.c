/*
 * nodelifecycle.c — notices nodes that stopped talking and moves their pods.
 *
 * A node is alive while its agent renews its Lease (or posts a heartbeat).
 * Freshness is judged on this process's clock — when *we* last saw the Lease
 * change — so clock skew between hosts never matters, and a restarted
 * controller gives every node a full grace period again. After --node-grace
 * without a renewal the node's conditions turn Unknown, its pods are marked
 * not Ready (so Services stop sending them traffic) and it gets the NoExecute
 * taint node.kubernetes.io/unreachable. Pods are then evicted (deleted
 * gracefully; their owners make replacements elsewhere) once the taint is
 * older than their toleration: their own tolerationSeconds for that taint,
 * none at all (they stay) for a toleration without seconds, or
 * --default-unreachable-toleration when they have none. A node whose agent
 * comes back and reports Ready loses the taint.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "clock.h"
#include "ctl.h"
#include "hashmap.h"
#include "log.h"
#include "object.h"
#include "timestamp.h"
#include "pod-rules.h"
#include "kinds.h"

#define TAINT_UNREACHABLE "node.kubernetes.io/unreachable"
#define TAINT_NOT_READY "node.kubernetes.io/not-ready"

typedef struct seen {
  char *mark;   /* lease renewTime | Ready heartbeat, as last seen */
  double probe; /* monotonic time the mark last changed */
} seen;

typedef struct lifecycle {
  ctl_ctx *x;
  pthread_mutex_t mu;
  tug_hashmap *seen; /* node name → seen */
} lifecycle;

static lifecycle the_lc = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void seen_free(void *p) {
  seen *s = p;
  if (s)
    free(s->mark);
  free(s);
}

/* Seconds since the node last showed a sign of life. */
static double silence(lifecycle *lc, const json_t *node) {
  char key[300], mark[256];
  snprintf(key, sizeof key, "tug-node-lease/%s", tug_obj_name(node));
  _cleanup_json_ json_t *lease = ctl_get(lc->x, CTL_LEASES, key);
  const char *renew = tug_obj_get_str(lease, "spec.renewTime");
  const char *beat =
      json_string_value(json_object_get(ctl_condition(node, "Ready"), "lastHeartbeatTime"));
  snprintf(mark, sizeof mark, "%s|%s", renew ? renew : "", beat ? beat : "");
  double now = tug_monotonic_seconds();
  pthread_mutex_lock(&lc->mu);
  seen *s = tug_hashmap_get(lc->seen, tug_obj_name(node));
  if (s == NULL && (s = calloc(1, sizeof *s)) != NULL) {
    s->probe = now;
    tug_hashmap_put(lc->seen, tug_obj_name(node), s);
  }
  if (s && (s->mark == NULL || strcmp(s->mark, mark) != 0)) {
    free(s->mark);
    s->mark = strdup(mark);
    s->probe = now;
  }
  double quiet = s ? now - s->probe : 0;
  pthread_mutex_unlock(&lc->mu);
  return quiet;
}

/* ---- conditions ---- */

static int mark_unknown(lifecycle *lc, const json_t *node, tug_error *err) {
  _cleanup_json_ json_t *status =
      json_pack("{s:O}", "conditions",
                tug_obj_get(node, "status.conditions") ? tug_obj_get(node, "status.conditions")
                                                       : json_array());
  json_t *conds = json_object_get(status, "conditions");
  json_t *copy = json_deep_copy(conds);
  json_object_set_new(status, "conditions", copy);
  char now[TUG_TIME_BUFSIZE];
  tug_time_now(now, sizeof now);
  size_t i;
  json_t *c;
  bool has_ready = false;
  json_array_foreach(copy, i, c) {
    const char *type = json_string_value(json_object_get(c, "type"));
    has_ready |= type && strcmp(type, "Ready") == 0;
    json_object_set_new(c, "status", json_string("Unknown"));
    json_object_set_new(c, "reason", json_string("NodeStatusUnknown"));
    json_object_set_new(c, "message", json_string("Kubelet stopped posting node status."));
    json_object_set_new(c, "lastTransitionTime", json_string(now));
  }
  if (!has_ready)
    json_array_append_new(copy, json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "Ready", "status",
                                          "Unknown", "reason", "NodeStatusUnknown", "message",
                                          "Kubelet stopped posting node status.",
                                          "lastTransitionTime", now));
  char path[400];
  if (tug_api_path(path, sizeof path, "Node", NULL, tug_obj_name(node), "status", err) < 0)
    return -1;
  _cleanup_json_ json_t *patch = json_pack("{s:O, s:{s:s}}", "status", status, "metadata",
                                           "resourceVersion", tug_obj_resource_version(node));
  if (tug_client_patch(lc->x->client, path, TUG_PATCH_MERGE, patch, NULL, err) < 0)
    return tug_error_wrap(err, "mark node %s unknown", tug_obj_name(node));
  tug_warn("node stopped reporting", "node=%s audit_id=%s", tug_obj_name(node),
           tug_client_audit_id());
  tug_event_record(lc->x->events, node, "Normal", "NodeNotReady",
                   "Node %s status is now: NodeNotReady", tug_obj_name(node));
  return 0;
}

/* Pods on a silent node cannot be trusted to serve: Ready goes False. */
static void mark_pod_not_ready(lifecycle *lc, const json_t *pod) {
  json_t *conds = json_deep_copy(tug_obj_get(pod, "status.conditions"));
  size_t i;
  json_t *c;
  char now[TUG_TIME_BUFSIZE];
  tug_time_now(now, sizeof now);
  json_array_foreach(conds, i, c) {
    const char *type = json_string_value(json_object_get(c, "type"));
    if (type && strcmp(type, "Ready") == 0) {
      json_object_set_new(c, "status", json_string("False"));
      json_object_set_new(c, "reason", json_string("NodeLost"));
      json_object_set_new(c, "lastTransitionTime", json_string(now));
    }
  }
  char path[600];
  _cleanup_json_ json_t *patch = json_pack("{s:{s:o}}", "status", "conditions", conds);
  tug_error err = {0};
  if (tug_obj_path(path, sizeof path, pod, "status", &err) < 0 ||
      tug_client_patch(lc->x->client, path, TUG_PATCH_MERGE, patch, NULL, &err) < 0)
    tug_debug("pod not marked not ready", "pod=%s/%s err=%s", tug_obj_namespace(pod),
              tug_obj_name(pod), TUG_LOG_ERR(&err));
}

/* ---- taints ---- */

static bool is_ours(const json_t *taint) {
  const char *k = json_string_value(json_object_get(taint, "key"));
  const char *e = json_string_value(json_object_get(taint, "effect"));
  return k && e && strcmp(e, "NoExecute") == 0 &&
         (strcmp(k, TAINT_UNREACHABLE) == 0 || strcmp(k, TAINT_NOT_READY) == 0);
}

static json_t *our_taint(const json_t *node) {
  size_t i;
  json_t *t;
  json_array_foreach(tug_obj_get(node, "spec.taints"), i, t) if (is_ours(t)) return t;
  return NULL;
}

/* Make the node carry exactly want (NULL: none) of our two taints. */
static int set_taint(lifecycle *lc, const json_t *node, const char *want, tug_error *err) {
  json_t *have = our_taint(node);
  const char *hk = have ? json_string_value(json_object_get(have, "key")) : NULL;
  if ((want == NULL && hk == NULL) || (want && hk && strcmp(want, hk) == 0))
    return 0;
  _cleanup_json_ json_t *taints = json_array();
  size_t i;
  json_t *t;
  json_array_foreach(tug_obj_get(node, "spec.taints"), i, t) if (!is_ours(t))
      json_array_append(taints, t);
  char now[TUG_TIME_BUFSIZE];
  if (want)
    json_array_append_new(taints, json_pack("{s:s, s:s, s:s}", "key", want, "effect", "NoExecute",
                                            "timeAdded", tug_time_now(now, sizeof now)));
  _cleanup_json_ json_t *patch = json_pack("{s:{s:O}}", "spec", "taints", taints);
  if (ctl_patch(lc->x, node, patch, true, NULL, err) < 0)
    return -1;
  if (want == NULL)
    tug_event_record(lc->x->events, node, "Normal", "NodeReady", "Node %s status is now: NodeReady",
                     tug_obj_name(node));
  tug_info(want ? "node tainted" : "node taint removed", "node=%s taint=%s", tug_obj_name(node),
           want ? want : hk);
  return 0;
}

/* ---- eviction ---- */

/* How long pod tolerates taint: seconds, -1 for ever. */
static double toleration(lifecycle *lc, const json_t *pod, const json_t *taint) {
  const char *key = tug_obj_get_str(taint, "key"), *value = tug_obj_get_str(taint, "value"),
             *effect = tug_obj_get_str(taint, "effect");
  double min = -2;
  bool matched = false;
  size_t i;
  json_t *t;
  json_array_foreach(tug_obj_get(pod, "spec.tolerations"), i, t) {
    tug_toleration to;
    tug_toleration_parse(t, &to);
    if (!tug_toleration_matches(&to, key, value, effect ? effect : "NoExecute"))
      continue;
    matched = true;
    json_t *secs = json_object_get(t, "tolerationSeconds");
    if (json_is_integer(secs) && (min < -1 || (double)json_integer_value(secs) < min))
      min = json_integer_value(secs) < 0 ? 0 : (double)json_integer_value(secs);
  }
  if (!matched)
    return lc->x->cfg.unreachable_toleration_s;
  return min < -1 ? -1 : min;
}

/* The active pods on node, from the pods informer's node index: eviction
 * runs for every tainted node on every pass, so scanning all pods for each
 * would make a pass cost nodes × pods. A new array. */
static json_t *pods_on(lifecycle *lc, const char *node) {
  json_t *all = ctl_pods_on_node(lc->x, node), *out = json_array();
  size_t i;
  json_t *p;
  json_array_foreach(all, i, p) {
    if (ctl_pod_active(p))
      json_array_append(out, p);
  }
  json_decref(all);
  return out;
}

static void evict(lifecycle *lc, tug_controller *c, const json_t *node, const json_t *taint,
                  bool silent) {
  double added = tug_time_parse(json_string_value(json_object_get(taint, "timeAdded")));
  double age = added < 0 ? 0 : (double)time(NULL) - added;
  _cleanup_json_ json_t *pods = pods_on(lc, tug_obj_name(node));
  size_t i;
  json_t *cached;
  json_array_foreach(pods, i, cached) {
    /* The index may be a moment old: act on the pod as the cache has it now. */
    char key[600];
    if (tug_informer_key(cached, key, sizeof key) < 0)
      continue;
    _cleanup_json_ json_t *p = ctl_get(lc->x, CTL_PODS, key);
    if (p == NULL || !ctl_pod_active(p))
      continue;
    if (silent && tug_pod_ready(p))
      mark_pod_not_ready(lc, p);
    double tol = toleration(lc, p, taint);
    if (tol < 0)
      continue;
    if (age < tol) {
      tug_controller_enqueue_after(c, tug_obj_name(node), (long)((tol - age) * 1000) + 100);
      continue;
    }
    tug_error err = {0};
    tug_event_record(lc->x->events, p, "Normal", "TaintManagerEviction",
                     "Marking for deletion Pod %s/%s", tug_obj_namespace(p), tug_obj_name(p));
    if (ctl_delete(lc->x, p, NULL, &err) < 0)
      tug_warn("eviction failed", "pod=%s/%s err=%s", tug_obj_namespace(p), tug_obj_name(p),
               TUG_LOG_ERR(&err));
    else
      tug_info("pod evicted", "pod=%s/%s node=%s", tug_obj_namespace(p), tug_obj_name(p),
               tug_obj_name(node));
  }
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  lifecycle *lc = arg;
  _cleanup_json_ json_t *node = ctl_get(lc->x, CTL_NODES, key);
  if (node == NULL) {
    pthread_mutex_lock(&lc->mu);
    seen_free(tug_hashmap_remove(lc->seen, key));
    pthread_mutex_unlock(&lc->mu);
    return 0;
  }
  bool silent = silence(lc, node) > lc->x->cfg.node_grace_s;
  const char *ready = json_string_value(json_object_get(ctl_condition(node, "Ready"), "status"));
  if (silent && !(ready && strcmp(ready, "Unknown") == 0))
    return mark_unknown(lc, node, err); /* the update brings the node back here */
  const char *want = NULL;
  if (ready == NULL || strcmp(ready, "Unknown") == 0)
    want = ready ? TAINT_UNREACHABLE : NULL;
  else if (strcmp(ready, "False") == 0)
    want = TAINT_NOT_READY;
  if (set_taint(lc, node, want, err) < 0)
    return -1;
  json_t *taint = our_taint(node);
  if (want && taint && strcmp(json_string_value(json_object_get(taint, "key")), want) == 0)
    evict(lc, c, node, taint, silent);
  return 0;
}

tug_controller *ctl_nodelifecycle_new(ctl_ctx *x, tug_error *err) {
  lifecycle *lc = &the_lc;
  lc->x = x;
  if (lc->seen == NULL && (lc->seen = tug_hashmap_new()) == NULL) {
    tug_error_set(err, ENOMEM, "node lifecycle");
    return NULL;
  }
  (void)seen_free;
  tug_controller_options o = {.name = "nodelifecycle",
                              .reconcile = reconcile,
                              .arg = lc,
                              .workers = 2,
                              .base_delay_ms = 200,
                              .resync_period_ms = (long)(x->cfg.node_monitor_period_s * 1000)};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_NODES], err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
