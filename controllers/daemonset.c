/*
 * daemonset.c — one pod per matching node for each DaemonSet (apps/v1).
 *
 * One reconcile: claim the DaemonSet's pods and group them by the node each
 * is for (bound, or pinned by node affinity and not yet bound); then, for
 * every node, create the pod it lacks, delete pods it should no longer run
 * (and, at once, every pod of a node that left the cluster), and — while the rollout
 * is RollingUpdate — replace old pods as daemonset-plan.c allows; then write
 * status. A new pod is pinned with required node affinity
 * `metadata.name In [node]` and bound by the scheduler, as Kubernetes does
 * since 1.12, so resources, ports and readiness are checked as for any pod.
 *
 * Revisions: each template the DaemonSet has had is a ControllerRevision
 * (history.h) named <set>-<hash>, the hash being the Deployments'
 * pod-template-hash function of the template; the current one's hash is its
 * pods' controller-revision-hash label. After a pass, revisions no pod uses
 * go beyond revisionHistoryLimit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "cleanup.h"
#include "ctl.h"
#include "daemonset-plan.h"
#include "history.h"
#include "kinds.h"
#include "object.h"
#include "pod-rules.h"
#include "rollout.h"

/* Kubernetes' failedPodsBackoff: a daemon pod that keeps failing on a node
 * is replaced after 1 s, 2 s, 4 s, ... up to 15 min, per DaemonSet and node,
 * so that the controller does not fight a node that rejects it. In memory, as
 * in Kubernetes: one DaemonSet controller per process, made with it. */
#define FAILED_POD_BACKOFF_S 1.0
#define FAILED_POD_BACKOFF_MAX_S (15 * 60.0)
static ctl_backoff *failed_pods;

/* What one reconcile knows about one node. */
typedef struct ds_node {
  const json_t *node;
  bool run, keep;
  json_t *pods; /* this DaemonSet's pods for the node, oldest first */
} ds_node;

typedef struct ds_pass {
  ctl_ctx *x;
  tug_controller *c;
  const char *key;
  const json_t *ds;
  char hash[32];
  ds_node *nodes;
  size_t n_nodes;
  json_t *create;    /* node names that get a new pod */
  json_t *doomed;    /* pods to delete */
  json_t *orphaned;  /* pods of nodes that are gone (or of none) */
  json_t *revisions; /* the DaemonSet's ControllerRevisions */
  char current[300]; /* the name of the one in force */
} ds_pass;

static bool is_new(const ds_pass *p, const json_t *pod) {
  const char *h = json_string_value(json_object_get(tug_obj_labels(pod), CTL_DS_HASH_LABEL));
  return h && strcmp(h, p->hash) == 0;
}

static int by_creation(const void *a, const void *b) {
  const char *x = tug_obj_get_str(*(json_t *const *)a, "metadata.creationTimestamp");
  const char *y = tug_obj_get_str(*(json_t *const *)b, "metadata.creationTimestamp");
  int c = strcmp(x ? x : "", y ? y : "");
  return c ? c : strcmp(tug_obj_name(*(json_t *const *)a), tug_obj_name(*(json_t *const *)b));
}

static ds_node *node_named(ds_pass *p, const char *name) {
  for (size_t i = 0; name && i < p->n_nodes; i++)
    if (strcmp(tug_obj_name(p->nodes[i].node), name) == 0)
      return &p->nodes[i];
  return NULL;
}

/* Every node with its should-run answers and the pods claimed for it. */
static void group_pods(ds_pass *p, json_t *nodes, json_t *mine) {
  const json_t *spec = tug_obj_get(p->ds, "spec.template.spec");
  size_t i;
  json_t *v;
  p->n_nodes = json_array_size(nodes);
  json_array_foreach(nodes, i, v) {
    ds_node *d = &p->nodes[i];
    d->node = v;
    d->pods = json_array();
    ctl_ds_should_run(spec, v, &d->run, &d->keep);
  }
  json_array_foreach(mine, i, v) {
    ds_node *d = node_named(p, ctl_ds_pod_node(v));
    if (d)
      json_array_append(d->pods, v);
    else
      json_array_append(p->orphaned, v);
  }
  for (i = 0; i < p->n_nodes; i++)
    ctl_sort(p->nodes[i].pods, by_creation);
}

/* Pods not being deleted, of the node. */
static size_t live_pods(const ds_node *d, json_t **first_new, json_t **first_old,
                        const ds_pass *p) {
  size_t n = 0, i;
  json_t *pod;
  *first_new = *first_old = NULL;
  json_array_foreach(d->pods, i, pod) {
    if (tug_obj_deletion_timestamp(pod))
      continue;
    n++;
    json_t **slot = is_new(p, pod) ? first_new : first_old;
    if (*slot == NULL)
      *slot = pod;
  }
  return n;
}

/* A failed pod goes unless the node's back-off holds it; then look again
 * when the back-off ends. */
static bool replace_failed(ds_pass *p, const ds_node *d, const json_t *pod) {
  char key[400];
  double delay, now = (double)time(NULL);
  snprintf(key, sizeof key, "%s/%s", tug_obj_uid(p->ds), tug_obj_name(d->node));
  if (ctl_backoff_waiting(failed_pods, key, now, &delay)) {
    tug_controller_enqueue_after(p->c, p->key, (long)(delay * 1000));
    return false;
  }
  ctl_backoff_next(failed_pods, key, now);
  tug_event_record(p->x->events, p->ds, "Warning", "FailedDaemonPod",
                   "Found failed daemon pod %s/%s on node %s, will try to kill it",
                   tug_obj_namespace(pod), tug_obj_name(pod), tug_obj_name(d->node));
  return true;
}

/* Kubernetes' podsShouldBeOnNode for one node. */
static void manage_node(ds_pass *p, ds_node *d, bool surge) {
  size_t i;
  json_t *pod, *newest = NULL, *oldest = NULL;
  if (d->run && json_array_size(d->pods) == 0) {
    json_array_append_new(p->create, json_string(tug_obj_name(d->node)));
    return;
  }
  if (!d->keep) {
    json_array_foreach(d->pods, i, pod) if (!tug_obj_deletion_timestamp(pod))
        json_array_append(p->doomed, pod);
    return;
  }
  json_array_foreach(d->pods, i, pod) {
    if (tug_obj_deletion_timestamp(pod))
      continue;
    const char *phase = tug_obj_get_str(pod, "status.phase");
    json_t **slot = surge && is_new(p, pod) ? &newest : &oldest;
    if (phase && strcmp(phase, "Failed") == 0) {
      if (replace_failed(p, d, pod)) /* replaced on the next pass */
        json_array_append(p->doomed, pod);
    } else if (*slot != NULL) {
      json_array_append(p->doomed, pod);
    } else {
      *slot = pod;
    }
  }
  /* Under surge an old and a new pod may share a node until the new is ready. */
  if (newest && oldest && (!tug_pod_ready(oldest) || tug_pod_ready(newest)))
    json_array_append(p->doomed, oldest);
}

static int64_t rollout_bound(const json_t *ds, const char *which, int64_t total, int64_t dflt) {
  char path[128];
  snprintf(path, sizeof path, "spec.updateStrategy.rollingUpdate.%s", which);
  return ctl_int_or_percent(tug_obj_get(ds, path), total, true, dflt);
}

static bool rolling(const json_t *ds) {
  const char *type = tug_obj_get_str(ds, "spec.updateStrategy.type");
  return type == NULL || strcmp(type, "RollingUpdate") == 0;
}

/* The rolling update's decisions, over the nodes that should run a pod. */
static int roll(ds_pass *p, int64_t desired) {
  ctl_ds_update_node *u = calloc(p->n_nodes ? p->n_nodes : 1, sizeof *u);
  ds_node **of = calloc(p->n_nodes ? p->n_nodes : 1, sizeof *of);
  size_t n = 0;
  int64_t min_ready = tug_obj_get_int(p->ds, "spec.minReadySeconds", 0);
  double now = (double)time(NULL);
  if (u == NULL || of == NULL) {
    free(u), free(of);
    return -1;
  }
  for (size_t i = 0; i < p->n_nodes; i++) {
    json_t *first_new, *first_old;
    if (!p->nodes[i].run || live_pods(&p->nodes[i], &first_new, &first_old, p) == 0)
      continue;
    of[n] = &p->nodes[i];
    u[n] = (ctl_ds_update_node){
        .has_old = first_old != NULL,
        .has_new = first_new != NULL,
        .old_available = first_old && ctl_pod_available(first_old, min_ready, now),
        .new_available = first_new && ctl_pod_available(first_new, min_ready, now),
    };
    n++;
  }
  ctl_ds_rolling_update(u, n, rollout_bound(p->ds, "maxUnavailable", desired, 1),
                        rollout_bound(p->ds, "maxSurge", desired, 0));
  for (size_t i = 0; i < n; i++) {
    json_t *first_new, *first_old;
    live_pods(of[i], &first_new, &first_old, p);
    if (u[i].delete_old)
      json_array_append(p->doomed, first_old);
    if (u[i].create_new)
      json_array_append_new(p->create, json_string(tug_obj_name(of[i]->node)));
  }
  free(u), free(of);
  return 0;
}

/* The pod for node: the template, the revision labels, the daemon
 * tolerations and the pin to node. */
static json_t *pod_for(const ds_pass *p, const char *node) {
  json_t *tmpl = json_deep_copy(tug_obj_get(p->ds, "spec.template"));
  json_t *pod = ctl_pod_from_template(tmpl, p->ds, tug_obj_name(p->ds));
  char gen[32];
  json_decref(tmpl);
  snprintf(gen, sizeof gen, "%lld", (long long)tug_obj_get_int(p->ds, "metadata.generation", 0));
  tug_obj_set_label(pod, CTL_DS_HASH_LABEL, p->hash, NULL);
  tug_obj_set_label(pod, "pod-template-generation", gen, NULL);
  json_t *spec = json_object_get(pod, "spec");
  ctl_ds_add_tolerations(spec);
  ctl_ds_pin_to_node(spec, node);
  return pod;
}

static int create_pods(ds_pass *p, tug_error *err) {
  size_t n = json_array_size(p->create), i;
  json_t *name;
  int rc = 0;
  if (n == 0)
    return 0;
  tug_expectations *exp = tug_controller_expectations(p->c);
  tug_expectations_expect_creations(exp, p->key, (int)n);
  json_array_foreach(p->create, i, name) {
    char path[512];
    _cleanup_json_ json_t *pod = pod_for(p, json_string_value(name)), *made = NULL;
    tug_error e = {0};
    if (rc < 0 ||
        tug_api_path(path, sizeof path, "Pod", tug_obj_namespace(p->ds), NULL, NULL, &e) < 0 ||
        tug_client_create(p->x->client, path, pod, &made, &e) < 0) {
      if (rc == 0) {
        *err = e;
        tug_event_record(p->x->events, p->ds, "Warning", "FailedCreate", "Error creating: %s",
                         e.msg);
      }
      tug_expectations_creation_observed(exp, p->key);
      rc = -1;
      continue;
    }
    tug_event_record(p->x->events, p->ds, "Normal", "SuccessfulCreate", "Created pod: %s",
                     tug_obj_name(made));
  }
  return rc;
}

static void set_count(json_t *status, const char *key, int64_t v, bool omit_zero) {
  if (omit_zero && v == 0)
    json_object_del(status, key);
  else
    json_object_set_new(status, key, json_integer(v));
}

/* Kubernetes' updateDaemonSetStatus: per node, its oldest pod counts. */
static void count(const ds_pass *p, json_t *status) {
  int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  int64_t min_ready = tug_obj_get_int(p->ds, "spec.minReadySeconds", 0);
  double now = (double)time(NULL);
  for (size_t i = 0; i < p->n_nodes; i++) {
    const ds_node *d = &p->nodes[i];
    json_t *pod = json_array_get(d->pods, 0);
    if (!d->run) {
      misscheduled += pod != NULL;
      continue;
    }
    desired++;
    if (pod == NULL)
      continue;
    current++;
    if (tug_pod_ready(pod)) {
      ready++;
      available += ctl_pod_available(pod, min_ready, now);
    }
    updated += is_new(p, pod);
  }
  set_count(status, "desiredNumberScheduled", desired, false);
  set_count(status, "currentNumberScheduled", current, false);
  set_count(status, "numberMisscheduled", misscheduled, false);
  set_count(status, "numberReady", ready, false);
  set_count(status, "updatedNumberScheduled", updated, true);
  set_count(status, "numberAvailable", available, true);
  set_count(status, "numberUnavailable", desired - available, true);
  set_count(status, "observedGeneration", tug_obj_get_int(p->ds, "metadata.generation", 0), false);
}

/* Pods not yet available: look again when the soonest may be. */
static void requeue_for_availability(const ds_pass *p) {
  int64_t min_ready = tug_obj_get_int(p->ds, "spec.minReadySeconds", 0);
  double now = (double)time(NULL), soonest = -1;
  for (size_t i = 0; i < p->n_nodes; i++) {
    double in = ctl_pod_available_in(json_array_get(p->nodes[i].pods, 0), min_ready, now);
    if (in > 0 && (soonest < 0 || in < soonest))
      soonest = in;
  }
  if (soonest > 0)
    tug_controller_enqueue_after(p->c, p->key, (long)(soonest * 1000) + 100);
}

/* Pods of a node that is gone: no agent will ever confirm their end, so they
 * go at once (grace 0), as Kubernetes' pod garbage collector removes them. */
static int delete_orphans(ds_pass *p) {
  size_t i;
  json_t *pod;
  int rc = 0;
  json_array_foreach(p->orphaned, i, pod) {
    char path[768];
    tug_error err = {0};
    tug_delete_options o = {.uid = tug_obj_uid(pod), .grace_set = true, .grace_seconds = 0};
    if (tug_obj_path(path, sizeof path, pod, NULL, &err) < 0 ||
        (tug_client_delete_with(p->x->client, path, &o, &err) < 0 && err.code != ENOENT)) {
      tug_event_record(p->x->events, p->ds, "Warning", "FailedDelete", "Error deleting: %s",
                       err.msg);
      rc = -1;
      continue;
    }
    tug_event_record(p->x->events, p->ds, "Normal", "SuccessfulDelete", "Deleted pod: %s",
                     tug_obj_name(pod));
  }
  return rc;
}

static int manage(ds_pass *p, tug_error *err) {
  bool surge = rolling(p->ds) && rollout_bound(p->ds, "maxSurge", 1, 0) > 0;
  int64_t desired = 0;
  for (size_t i = 0; i < p->n_nodes; i++) {
    manage_node(p, &p->nodes[i], surge);
    desired += p->nodes[i].run;
  }
  if (rolling(p->ds) && roll(p, desired) < 0)
    return tug_error_set(err, ENOMEM, "daemonset %s", p->key);
  int rc = create_pods(p, err);
  if (delete_orphans(p) < 0)
    rc = -1;
  if (json_array_size(p->doomed) &&
      ctl_delete_pods(p->x, p->c, p->key, p->ds, p->doomed, (int)json_array_size(p->doomed)) < 0)
    rc = -1;
  return rc;
}

/* Kubernetes' constructHistory: the revision of the template in force, made
 * or renumbered as the newest; its hash labels the pods. */
static int sync_history(ds_pass *p, const tug_selector *sel, int *failures, tug_error *err) {
  char name[300];
  ctl_template_hash(tug_obj_get(p->ds, "spec.template"),
                    tug_obj_get_int(p->ds, "status.collisionCount", 0), p->hash, sizeof p->hash);
  if (tug_obj_deletion_timestamp(p->ds))
    return 0;
  p->revisions = ctl_history_list(p->x, p->ds, sel, failures);
  snprintf(name, sizeof name, "%s-%s", tug_obj_name(p->ds), p->hash);
  _cleanup_json_ json_t *data = ctl_history_template_data(p->ds);
  _cleanup_json_ json_t *cur = ctl_history_current(
      p->x, p->ds, p->revisions, data,
      &(ctl_history_name){.name = name, .hash = p->hash, .owner_annotations = true}, err);
  if (cur == NULL)
    return -1;
  const char *hash =
      json_string_value(json_object_get(tug_obj_labels(cur), CTL_REVISION_HASH_LABEL));
  if (hash)
    snprintf(p->hash, sizeof p->hash, "%s", hash);
  snprintf(p->current, sizeof p->current, "%s", tug_obj_name(cur));
  return 0;
}

/* Kubernetes' cleanupHistory: revisions that no pod runs, oldest first. */
static void truncate_history(ds_pass *p) {
  _cleanup_json_ json_t *live = json_object();
  for (size_t i = 0; i < p->n_nodes; i++) {
    size_t j;
    json_t *pod;
    json_array_foreach(p->nodes[i].pods, j, pod) {
      const char *h = json_string_value(json_object_get(tug_obj_labels(pod), CTL_DS_HASH_LABEL));
      if (h)
        json_object_set_new(live, h, json_true());
    }
  }
  ctl_history_truncate(p->x, p->ds, p->revisions, live, p->current, true);
}

static int sync_daemonset(ds_pass *p, json_t *mine, tug_error *err) {
  _cleanup_json_ json_t *nodes = ctl_list(p->x, CTL_NODES, NULL);
  p->nodes = calloc(json_array_size(nodes) + 1, sizeof *p->nodes);
  if (p->nodes == NULL)
    return tug_error_set(err, ENOMEM, "daemonset %s", p->key);
  group_pods(p, nodes, mine);
  int rc = 0;
  if (tug_expectations_satisfied(tug_controller_expectations(p->c), p->key) &&
      tug_obj_deletion_timestamp(p->ds) == NULL) {
    rc = manage(p, err);
    truncate_history(p);
  }
  json_t *old = tug_obj_get(p->ds, "status");
  _cleanup_json_ json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
  count(p, status);
  requeue_for_availability(p);
  tug_error werr = {0};
  if (ctl_write_status(p->x, p->ds, status, &werr) < 0 && rc == 0) {
    *err = werr;
    rc = -1;
  }
  for (size_t i = 0; i < p->n_nodes; i++)
    json_decref(p->nodes[i].pods);
  free(p->nodes);
  return rc;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *ds = ctl_get(x, CTL_DAEMONSETS, key);
  if (ds == NULL) {
    tug_expectations_forget(tug_controller_expectations(c), key);
    return 0;
  }
  _cleanup_selector_ tug_selector *sel = NULL;
  if (ctl_selector(ds, &sel) < 0)
    return 0; /* the API server refuses such objects */
  _cleanup_json_ json_t *candidates = ctl_list(x, CTL_PODS, tug_obj_namespace(ds));
  int failures = 0;
  _cleanup_json_ json_t *mine = ctl_claim(x, ds, sel, candidates, &failures);
  _cleanup_json_ json_t *create = json_array(), *doomed = json_array(), *orphaned = json_array();
  ds_pass p = {.x = x,
               .c = c,
               .key = key,
               .ds = ds,
               .create = create,
               .doomed = doomed,
               .orphaned = orphaned};
  int rc = sync_history(&p, sel, &failures, err);
  if (rc == 0)
    rc = sync_daemonset(&p, mine, err);
  json_decref(p.revisions);
  if (rc < 0)
    return -1;
  if (failures)
    return tug_error_set(err, EAGAIN, "daemonset %s: some pods could not be claimed", key);
  return 0;
}

/* A node joined, left or changed: every DaemonSet may want it. */
static void node_changed(tug_controller *c, const json_t *old, const json_t *node, bool deleted,
                         void *arg) {
  ctl_ctx *x = arg;
  (void)node, (void)deleted;
  if (old && json_equal(tug_obj_labels(old), tug_obj_labels(node)) &&
      json_equal(tug_obj_get(old, "spec"), tug_obj_get(node, "spec")))
    return; /* a heartbeat: nothing a DaemonSet decides on changed */
  _cleanup_json_ json_t *all = ctl_list(x, CTL_DAEMONSETS, NULL);
  size_t i;
  json_t *ds;
  json_array_foreach(all, i, ds) tug_controller_enqueue_obj(c, ds);
}

static void pod_changed(tug_controller *c, const json_t *old, const json_t *pod, bool deleted,
                        void *arg) {
  (void)deleted;
  if (tug_controller_ref(pod) == NULL && ctl_pod_active(pod))
    ctl_enqueue_selecting(c, arg, CTL_DAEMONSETS, old, pod);
}

tug_controller *ctl_daemonset_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "daemonset", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  if (failed_pods == NULL &&
      (failed_pods = ctl_backoff_new(FAILED_POD_BACKOFF_S, FAILED_POD_BACKOFF_MAX_S)) == NULL) {
    tug_error_set(err, ENOMEM, "daemonset controller: no memory");
    return NULL;
  }
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_DAEMONSETS], err) < 0 ||
      tug_controller_watch_owned(c, x->inf[CTL_PODS], "DaemonSet", err) < 0 ||
      tug_controller_watch_owned(c, x->inf[CTL_CONTROLLERREVISIONS], "DaemonSet", err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_PODS], pod_changed, x, err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_NODES], node_changed, x, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
