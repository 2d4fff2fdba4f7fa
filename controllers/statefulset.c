/*
 * statefulset.c — StatefulSets: pods with stable names (<set>-<ordinal>),
 * each with claims of its own (<template>-<set>-<ordinal>), made, removed
 * and replaced in the order statefulset-plan.c decides.
 *
 * One reconcile: claim the namespace's pods the selector matches, read each
 * one's ordinal from its name, then take the plan's steps — create a pod
 * (after its claims, which outlive it unless the retention policy says
 * Delete), delete a condemned, failed or outdated one — and write status.
 * Each template the set has had is a ControllerRevision (history.h) named
 * <set>-<hash of the template>; a pod's controller-revision-hash label names
 * the revision it was made from. The set's updateRevision is its template
 * now, its currentRevision the one every pod had when a rollout last
 * finished; a pod below the partition is made again from the current
 * revision, as Kubernetes does. Names are fixed, so a second creation of the
 * same pod is a harmless 409.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "ctl.h"
#include "history.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"
#include "rollout.h"
#include "statefulset-plan.h"

#define LABEL_POD_NAME "statefulset.kubernetes.io/pod-name"
#define LABEL_POD_INDEX "apps.kubernetes.io/pod-index"
#define LABEL_REVISION "controller-revision-hash"
enum { MAX_ACTIONS = 512 };

/* The hash of the pod template, with status.collisionCount mixed in once a
 * collision made it non-zero; the revision is <set>-<hash>, Kubernetes'
 * naming. */
static void revision_hash(const json_t *sts, char *buf, size_t size) {
  char *text = json_dumps(tug_obj_get(sts, "spec.template"), JSON_SORT_KEYS | JSON_COMPACT);
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (const char *p = text ? text : ""; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ULL;
  free(text);
  int64_t collisions = tug_obj_get_int(sts, "status.collisionCount", 0);
  for (int64_t c = collisions; c > 0; c >>= 8)
    h = (h ^ (unsigned char)(c & 0xff)) * 1099511628211ULL;
  snprintf(buf, size, "%010llx", (unsigned long long)(h & 0xffffffffffULL));
}

/* The ordinal in a pod's name <set>-<n>, or -1. */
static int ordinal_of(const json_t *sts, const json_t *pod) {
  const char *set = tug_obj_name(sts), *name = tug_obj_name(pod);
  size_t n = strlen(set);
  if (name == NULL || strncmp(name, set, n) != 0 || name[n] != '-' || name[n + 1] == '\0' ||
      strspn(name + n + 1, "0123456789") != strlen(name + n + 1) || strlen(name + n + 1) > 9)
    return -1;
  return atoi(name + n + 1);
}

static void claim_name(const json_t *tmpl, const json_t *sts, int ordinal, char *buf, size_t size) {
  snprintf(buf, size, "%s-%s-%d", tug_obj_name(tmpl), tug_obj_name(sts), ordinal);
}

/* ---- claims ---- */

static json_t *claim_for(const json_t *sts, const json_t *tmpl, const char *name) {
  json_t *meta = json_deep_copy(json_object_get(tmpl, "metadata"));
  if (!json_is_object(meta)) {
    json_decref(meta);
    meta = json_object();
  }
  json_t *labels = json_object_get(meta, "labels");
  if (!json_is_object(labels)) {
    labels = json_object();
    json_object_set_new(meta, "labels", labels);
  }
  json_object_update(labels, tug_obj_get(sts, "spec.selector.matchLabels"));
  json_object_set_new(meta, "name", json_string(name));
  json_object_set_new(meta, "namespace", json_string(tug_obj_namespace(sts)));
  const char *when = tug_obj_get_str(sts, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted");
  if (when && strcmp(when, "Delete") == 0)
    json_object_set_new(meta, "ownerReferences", json_pack("[o]", tug_controller_ref_new(sts)));
  return json_pack("{s:s, s:s, s:o, s:O}", "apiVersion", "v1", "kind", "PersistentVolumeClaim",
                   "metadata", meta, "spec", json_object_get(tmpl, "spec"));
}

static int ensure_claims(ctl_ctx *x, const json_t *sts, int ordinal, tug_error *err) {
  size_t i;
  json_t *tmpl;
  json_array_foreach(tug_obj_get(sts, "spec.volumeClaimTemplates"), i, tmpl) {
    char name[300], key[600], path[700];
    claim_name(tmpl, sts, ordinal, name, sizeof name);
    snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(sts), name);
    _cleanup_json_ json_t *have = ctl_get(x, CTL_PVCS, key);
    if (have)
      continue;
    _cleanup_json_ json_t *pvc = claim_for(sts, tmpl, name);
    snprintf(path, sizeof path, "/api/v1/namespaces/%s/persistentvolumeclaims",
             tug_obj_namespace(sts));
    if (tug_client_create(x->client, path, pvc, NULL, err) < 0) {
      if (err->code == TUG_E_CONFLICT) {
        tug_error_clear(err);
        continue;
      }
      tug_event_record(x->events, sts, "Warning", "FailedCreate",
                       "create Claim %s for Pod %s-%d in StatefulSet %s failed error: %s", name,
                       tug_obj_name(sts), ordinal, tug_obj_name(sts), err->msg);
      return -1;
    }
    tug_event_record(x->events, sts, "Normal", "SuccessfulCreate",
                     "create Claim %s Pod %s-%d in StatefulSet %s success", name, tug_obj_name(sts),
                     ordinal, tug_obj_name(sts));
  }
  return 0;
}

/* Claims of ordinals scaled away, under whenScaled: Delete, once their pod is gone. */
static void delete_scaled_claims(ctl_ctx *x, const json_t *sts, int from, int to) {
  const char *when = tug_obj_get_str(sts, "spec.persistentVolumeClaimRetentionPolicy.whenScaled");
  if (when == NULL || strcmp(when, "Delete") != 0)
    return;
  size_t i;
  json_t *tmpl;
  json_array_foreach(tug_obj_get(sts, "spec.volumeClaimTemplates"), i, tmpl) {
    for (int o = from; o < to; o++) {
      char name[300], key[600];
      claim_name(tmpl, sts, o, name, sizeof name);
      snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(sts), name);
      _cleanup_json_ json_t *pvc = ctl_get(x, CTL_PVCS, key);
      tug_error err = {0};
      if (pvc && !tug_obj_deletion_timestamp(pvc) && ctl_delete(x, pvc, NULL, &err) < 0)
        tug_warn("delete claim", "claim=%s err=%s", key, err.msg);
    }
  }
}

/* ---- pods ---- */

/* The template's volumes, with one persistentVolumeClaim volume per claim template. */
static void add_claim_volumes(json_t *spec, const json_t *sts, int ordinal) {
  json_t *vols = json_object_get(spec, "volumes");
  if (!json_is_array(vols)) {
    vols = json_array();
    json_object_set_new(spec, "volumes", vols);
  }
  size_t i, j;
  json_t *tmpl, *v;
  json_array_foreach(tug_obj_get(sts, "spec.volumeClaimTemplates"), i, tmpl) {
    char name[300];
    claim_name(tmpl, sts, ordinal, name, sizeof name);
    const char *vname = tug_obj_name(tmpl);
    json_array_foreach(vols, j, v) {
      if (json_is_string(json_object_get(v, "name")) &&
          strcmp(json_string_value(json_object_get(v, "name")), vname) == 0) {
        json_array_remove(vols, j);
        break;
      }
    }
    json_array_append_new(vols, json_pack("{s:s, s:{s:s}}", "name", vname, "persistentVolumeClaim",
                                          "claimName", name));
  }
}

/* A revision of the set: its name and the template it brings back. */
typedef struct sts_revision {
  const char *name;
  const json_t *template;
} sts_revision;

static json_t *pod_for(const json_t *sts, int ordinal, const sts_revision *rev) {
  char name[300], index[16];
  snprintf(name, sizeof name, "%s-%d", tug_obj_name(sts), ordinal);
  snprintf(index, sizeof index, "%d", ordinal);
  json_t *tmpl = json_deep_copy(rev->template);
  json_object_del(tmpl, "$patch");
  json_t *pod = ctl_pod_from_template(tmpl, sts, name);
  json_decref(tmpl);
  json_t *meta = json_object_get(pod, "metadata"), *spec = json_object_get(pod, "spec");
  json_object_del(meta, "generateName");
  json_object_set_new(meta, "name", json_string(name));
  json_t *labels = json_object_get(meta, "labels");
  if (!json_is_object(labels)) {
    labels = json_object();
    json_object_set_new(meta, "labels", labels);
  }
  json_object_set_new(labels, LABEL_POD_NAME, json_string(name));
  json_object_set_new(labels, LABEL_POD_INDEX, json_string(index));
  json_object_set_new(labels, LABEL_REVISION, json_string(rev->name));
  json_object_set_new(spec, "hostname", json_string(name));
  const char *svc = tug_obj_get_str(sts, "spec.serviceName");
  if (svc && svc[0])
    json_object_set_new(spec, "subdomain", json_string(svc));
  add_claim_volumes(spec, sts, ordinal);
  return pod;
}

static int create_pod(ctl_ctx *x, const json_t *sts, int ordinal, const sts_revision *rev,
                      tug_error *err) {
  if (ensure_claims(x, sts, ordinal, err) < 0)
    return -1;
  _cleanup_json_ json_t *pod = pod_for(sts, ordinal, rev);
  char path[512];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods", tug_obj_namespace(sts));
  if (tug_client_create(x->client, path, pod, NULL, err) < 0) {
    if (err->code == TUG_E_CONFLICT)
      return tug_error_clear(err), 0;
    tug_event_record(x->events, sts, "Warning", "FailedCreate",
                     "create Pod %s in StatefulSet %s failed error: %s", tug_obj_name(pod),
                     tug_obj_name(sts), err->msg);
    return -1;
  }
  tug_event_record(x->events, sts, "Normal", "SuccessfulCreate",
                   "create Pod %s in StatefulSet %s successful", tug_obj_name(pod),
                   tug_obj_name(sts));
  return 0;
}

static const json_t *pod_at(json_t *pods, const json_t *sts, int ordinal) {
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    if (ordinal_of(sts, p) == ordinal)
      return p;
  }
  return NULL;
}

static int delete_pod(ctl_ctx *x, const json_t *sts, const json_t *pod, tug_error *err) {
  if (ctl_delete(x, pod, NULL, err) < 0 && err->code != ENOENT)
    return -1;
  tug_error_clear(err);
  tug_event_record(x->events, sts, "Normal", "SuccessfulDelete",
                   "delete Pod %s in StatefulSet %s successful", tug_obj_name(pod),
                   tug_obj_name(sts));
  return 0;
}

/* ---- status ---- */

static bool is_phase(const json_t *pod, const char *phase) {
  const char *p = tug_obj_get_str(pod, "status.phase");
  return p && strcmp(p, phase) == 0;
}

static const char *revision_label(const json_t *pod) {
  return json_string_value(json_object_get(tug_obj_labels(pod), LABEL_REVISION));
}

static void write_counts(const json_t *sts, json_t *pods, const char *update, json_t *status,
                         double *soonest) {
  int64_t min_ready = tug_obj_get_int(sts, "spec.minReadySeconds", 0);
  const char *current = tug_obj_get_str(sts, "status.currentRevision");
  double now = (double)time(NULL);
  int64_t n = 0, ready = 0, available = 0, cur = 0, upd = 0;
  size_t i;
  json_t *p;
  *soonest = -1;
  json_array_foreach(pods, i, p) {
    if (ordinal_of(sts, p) < 0)
      continue;
    const char *rev = revision_label(p);
    n++;
    ready += is_phase(p, "Running") && tug_pod_ready(p);
    double in = ctl_pod_available_in(p, min_ready, now);
    available += in == 0;
    if (in > 0 && (*soonest < 0 || in < *soonest))
      *soonest = in;
    cur += rev && current && strcmp(rev, current) == 0;
    upd += rev && strcmp(rev, update) == 0;
  }
  /* a rollout is over when every wanted pod runs the update revision */
  if (current == NULL || upd == tug_obj_get_int(sts, "spec.replicas", 1)) {
    current = update;
    cur = upd;
  }
  json_object_set_new(status, "observedGeneration",
                      json_integer(tug_obj_get_int(sts, "metadata.generation", 0)));
  json_object_set_new(status, "replicas", json_integer(n));
  json_object_set_new(status, "readyReplicas", json_integer(ready));
  json_object_set_new(status, "currentReplicas", json_integer(cur));
  json_object_set_new(status, "updatedReplicas", json_integer(upd));
  json_object_set_new(status, "availableReplicas", json_integer(available));
  json_object_set_new(status, "currentRevision", json_string(current));
  json_object_set_new(status, "updateRevision", json_string(update));
  if (!json_is_integer(json_object_get(status, "collisionCount")))
    json_object_set_new(status, "collisionCount", json_integer(0));
}

/* ---- reconcile ---- */

static ctl_sts_spec spec_of(const json_t *sts) {
  const char *policy = tug_obj_get_str(sts, "spec.podManagementPolicy");
  const char *type = tug_obj_get_str(sts, "spec.updateStrategy.type");
  return (ctl_sts_spec){
      .replicas = (int)tug_obj_get_int(sts, "spec.replicas", 1),
      .start = (int)tug_obj_get_int(sts, "spec.ordinals.start", 0),
      .parallel = policy && strcmp(policy, "Parallel") == 0,
      .on_delete = type && strcmp(type, "OnDelete") == 0,
      .partition = (int)tug_obj_get_int(sts, "spec.updateStrategy.rollingUpdate.partition", 0),
      .max_unavailable = (int)ctl_int_or_percent(
          tug_obj_get(sts, "spec.updateStrategy.rollingUpdate.maxUnavailable"),
          tug_obj_get_int(sts, "spec.replicas", 1), false, 1),
  };
}

static size_t pod_states(const json_t *sts, json_t *pods, const char *update, ctl_sts_pod *out,
                         size_t max) {
  size_t n = 0, i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    int o = ordinal_of(sts, p);
    const char *rev = revision_label(p);
    if (o < 0 || n == max)
      continue;
    out[n++] = (ctl_sts_pod){
        .ordinal = o,
        .terminating = tug_obj_deletion_timestamp(p) != NULL,
        .failed = is_phase(p, "Succeeded") || is_phase(p, "Failed"),
        .ready = is_phase(p, "Running") && tug_pod_ready(p),
        .updated = rev && strcmp(rev, update) == 0,
    };
  }
  return n;
}

/* The set's two revisions: the one every pod had when the last rollout
 * finished, and the one it rolls out now (the same outside a rollout). */
typedef struct sts_revisions {
  json_t *list; /* the set's ControllerRevisions */
  json_t *made; /* the update revision as stored */
  sts_revision current, update;
} sts_revisions;

static void sts_revisions_clear(sts_revisions *r) {
  json_decref(r->list);
  json_decref(r->made);
}

/* Kubernetes' getStatefulSetRevisions: the update revision made, or the
 * older one with the same template renumbered as the newest. */
static int sync_history(ctl_ctx *x, const json_t *sts, const tug_selector *sel, sts_revisions *r,
                        int *failures, tug_error *err) {
  char hash[32], name[300];
  revision_hash(sts, hash, sizeof hash);
  snprintf(name, sizeof name, "%s-%s", tug_obj_name(sts), hash);
  r->list = ctl_history_list(x, sts, sel, failures);
  _cleanup_json_ json_t *data = ctl_history_template_data(sts);
  if ((r->made = ctl_history_current(x, sts, r->list, data,
                                     &(ctl_history_name){.name = name, .hash = hash}, err)) == NULL)
    return -1;
  r->update = (sts_revision){tug_obj_name(r->made), tug_obj_get(sts, "spec.template")};
  r->current = r->update;
  const char *cur = tug_obj_get_str(sts, "status.currentRevision");
  size_t i;
  json_t *rev;
  json_array_foreach(r->list, i, rev) {
    if (cur && strcmp(tug_obj_name(rev), cur) == 0 && ctl_history_template(rev))
      r->current = (sts_revision){tug_obj_name(rev), ctl_history_template(rev)};
  }
  return 0;
}

/* Kubernetes' truncateHistory: revisions neither the set nor a pod uses. */
static void truncate_history(ctl_ctx *x, const json_t *sts, json_t *pods, const sts_revisions *r) {
  _cleanup_json_ json_t *live = json_pack("{s:b, s:b}", r->current.name, 1, r->update.name, 1);
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    if (revision_label(p))
      json_object_set_new(live, revision_label(p), json_true());
  }
  ctl_history_truncate(x, sts, r->list, live, r->update.name, false);
}

/* Kubernetes' newVersionedStatefulSetPod: below the partition, the current revision. */
static const sts_revision *revision_for(const ctl_sts_spec *spec, const sts_revisions *r,
                                        int ordinal) {
  if (!spec->on_delete && ordinal < spec->start + spec->partition)
    return &r->current;
  return &r->update;
}

static int act(ctl_ctx *x, const json_t *sts, json_t *pods, const sts_revisions *r,
               tug_error *err) {
  ctl_sts_spec spec = spec_of(sts);
  static __thread ctl_sts_pod states[MAX_ACTIONS];
  static __thread ctl_sts_action actions[MAX_ACTIONS];
  size_t n = pod_states(sts, pods, r->update.name, states, MAX_ACTIONS);
  size_t k = ctl_sts_plan(&spec, states, n, actions, MAX_ACTIONS);
  int rc = 0;
  for (size_t i = 0; i < k; i++) {
    const json_t *pod = pod_at(pods, sts, actions[i].ordinal);
    if (actions[i].verb == CTL_STS_CREATE)
      rc |= create_pod(x, sts, actions[i].ordinal, revision_for(&spec, r, actions[i].ordinal), err);
    else if (pod)
      rc |= delete_pod(x, sts, pod, err);
  }
  int highest = spec.start + spec.replicas;
  for (size_t i = 0; i < n; i++)
    if (states[i].ordinal + 1 > highest)
      highest = states[i].ordinal + 1;
  delete_scaled_claims(x, sts, spec.start + spec.replicas, highest + 64);
  truncate_history(x, sts, pods, r);
  return rc;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *sts = ctl_get(x, CTL_STATEFULSETS, key);
  if (sts == NULL)
    return 0;
  _cleanup_selector_ tug_selector *sel = NULL;
  if (ctl_selector(sts, &sel) < 0)
    return 0;
  _cleanup_json_ json_t *candidates = ctl_list(x, CTL_PODS, tug_obj_namespace(sts));
  int failures = 0;
  _cleanup_json_ json_t *pods = ctl_claim(x, sts, sel, candidates, &failures);
  if (tug_obj_deletion_timestamp(sts))
    return failures ? tug_error_set(err, EAGAIN, "statefulset %s: claims failed", key) : 0;
  __attribute__((cleanup(sts_revisions_clear))) sts_revisions r = {0};
  if (sync_history(x, sts, sel, &r, &failures, err) < 0)
    return -1;
  int rc = act(x, sts, pods, &r, err);
  json_t *old = tug_obj_get(sts, "status");
  _cleanup_json_ json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
  double soonest;
  write_counts(sts, pods, r.update.name, status, &soonest);
  if (soonest >= 0)
    tug_controller_enqueue_after(c, key, (long)(soonest * 1000) + 100);
  if (ctl_write_status(x, sts, status, err) < 0)
    return -1;
  if (rc < 0 || failures)
    return tug_error_set(err, EAGAIN, "statefulset %s: some writes failed", key);
  return 0;
}

static void pod_changed(tug_controller *c, const json_t *old, const json_t *pod, bool deleted,
                        void *arg) {
  (void)deleted;
  if (tug_controller_ref(pod) == NULL)
    ctl_enqueue_selecting(c, arg, CTL_STATEFULSETS, old, pod);
}

tug_controller *ctl_statefulset_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "statefulset", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_STATEFULSETS], err) < 0 ||
      tug_controller_watch_owned(c, x->inf[CTL_PODS], "StatefulSet", err) < 0 ||
      tug_controller_watch_owned(c, x->inf[CTL_CONTROLLERREVISIONS], "StatefulSet", err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_PODS], pod_changed, x, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
