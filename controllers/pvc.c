/*
 * pvc.c — binds PersistentVolumeClaims to PersistentVolumes, provisions
 * local-path volumes, and lets a claim go once no pod uses it.
 *
 * One reconcile of a claim takes one step: a claim being deleted loses its
 * kubernetes.io/pvc-protection finalizer when no running pod mounts it; a
 * bound claim gets its status (Bound, or Lost when its volume is gone); an
 * unbound one is bound to the best Available volume (claimRef first, so a
 * volume is never given to two claims), or — for a class of the built-in
 * provisioner — gets a volume made for it: on the node the scheduler chose
 * (volume.kubernetes.io/selected-node) under WaitForFirstConsumer, on the
 * node with most room under Immediate. The new volume names the claim in its
 * claimRef, and its arrival brings the claim back here to be bound.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"
#include "quantity.h"
#include "volume-rules.h"

#define PVC_PROTECTION "kubernetes.io/pvc-protection"

static void claim_changed(tug_controller *c, const json_t *old, const json_t *obj, bool deleted,
                          void *arg) {
  (void)old, (void)deleted, (void)arg;
  tug_controller_enqueue_obj(c, obj);
}

/* A volume names its claim: that claim's key. */
static void volume_changed(tug_controller *c, const json_t *old, const json_t *pv, bool deleted,
                           void *arg) {
  (void)old, (void)deleted, (void)arg;
  const char *ns = tug_obj_get_str(pv, "spec.claimRef.namespace");
  const char *name = tug_obj_get_str(pv, "spec.claimRef.name");
  char key[512];
  if (ns && name && snprintf(key, sizeof key, "%s/%s", ns, name) < (int)sizeof key)
    tug_controller_enqueue(c, key);
}

/* A pod's claims, for the protection finalizer. */
static void pod_changed(tug_controller *c, const json_t *old, const json_t *pod, bool deleted,
                        void *arg) {
  (void)old, (void)deleted, (void)arg;
  size_t i;
  json_t *vol;
  char key[512];
  json_array_foreach(tug_obj_get(pod, "spec.volumes"), i, vol) {
    const char *claim = tug_obj_get_str(vol, "persistentVolumeClaim.claimName");
    if (claim &&
        snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(pod), claim) < (int)sizeof key)
      tug_controller_enqueue(c, key);
  }
}

/* ---- protection ---- */

static bool pod_uses(const json_t *pod, const char *claim) {
  const char *phase = tug_obj_get_str(pod, "status.phase");
  if (phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0))
    return false;
  size_t i;
  json_t *vol;
  json_array_foreach(tug_obj_get(pod, "spec.volumes"), i, vol) {
    const char *c = tug_obj_get_str(vol, "persistentVolumeClaim.claimName");
    if (c && strcmp(c, claim) == 0)
      return true;
  }
  return false;
}

static bool claim_in_use(ctl_ctx *x, const json_t *pvc) {
  _cleanup_json_ json_t *pods = ctl_list(x, CTL_PODS, tug_obj_namespace(pvc));
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    if (pod_uses(p, tug_obj_name(pvc)))
      return true;
  }
  return false;
}

/* ---- status ---- */

static int write_phase(ctl_ctx *x, const json_t *pvc, const json_t *pv, tug_error *err) {
  json_t *old = tug_obj_get(pvc, "status");
  _cleanup_json_ json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
  if (pv == NULL) {
    json_object_set_new(status, "phase", json_string("Lost"));
  } else {
    json_object_set_new(status, "phase", json_string("Bound"));
    json_object_set(status, "accessModes", tug_obj_get(pv, "spec.accessModes"));
    json_object_set(status, "capacity", tug_obj_get(pv, "spec.capacity"));
  }
  return ctl_write_status(x, pvc, status, err);
}

/* ---- binding ---- */

/* The volume's claimRef to pvc (kept when already there), then the claim's volumeName. */
static int bind(ctl_ctx *x, const json_t *pvc, const json_t *pv, tug_error *err) {
  if (!json_is_string(tug_obj_get(pv, "spec.claimRef.uid"))) {
    json_t *ref = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "PersistentVolumeClaim",
                            "apiVersion", "v1", "namespace", tug_obj_namespace(pvc), "name",
                            tug_obj_name(pvc), "uid", tug_obj_uid(pvc));
    _cleanup_json_ json_t *reserve = json_pack("{s:{s:o}}", "spec", "claimRef", ref);
    if (ctl_patch(x, pv, reserve, true, NULL, err) < 0)
      return -1;
  }
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:{s:s}}, s:{s:s}}", "metadata", "annotations", TUG_ANN_BIND_COMPLETED, "yes",
                "spec", "volumeName", tug_obj_name(pv));
  _cleanup_json_ json_t *bound = NULL;
  if (ctl_patch(x, pvc, patch, true, &bound, err) < 0)
    return -1;
  tug_info("bound claim", "claim=%s/%s volume=%s", tug_obj_namespace(pvc), tug_obj_name(pvc),
           tug_obj_name(pv));
  return write_phase(x, bound, pv, err);
}

/* ---- provisioning ---- */

/* The Ready node with the most local-path room left, for Immediate claims. */
static const char *roomiest_node(ctl_ctx *x, const json_t *pvs, json_t **nodes) {
  *nodes = ctl_list(x, CTL_NODES, NULL);
  const char *best = NULL;
  int64_t best_free = -1;
  size_t i;
  json_t *n;
  json_array_foreach(*nodes, i, n) {
    int64_t cap = tug_local_path_capacity(n);
    int64_t left = cap - tug_local_path_used(pvs, tug_obj_name(n));
    if (cap >= 0 && left > best_free) {
      best = tug_obj_name(n);
      best_free = left;
    }
  }
  return best;
}

static json_t *local_path_volume(const json_t *pvc, const json_t *sc, const char *node,
                                 const char *root) {
  char name[128], path[4096];
  snprintf(name, sizeof name, "pvc-%s", tug_obj_uid(pvc));
  snprintf(path, sizeof path, "%s/%s", root, name);
  const char *reclaim = tug_obj_get_str(sc, "reclaimPolicy");
  const char *mode = tug_obj_get_str(pvc, "spec.volumeMode");
  return json_pack(
      "{s:s, s:s, s:{s:s, s:{s:s}, s:[s]}, s:{s:{s:O}, s:O, s:s, s:s, s:s, s:{s:s}, "
      "s:{s:{s:[{s:[{s:s, s:s, s:[s]}]}]}}, s:{s:s, s:s, s:s, s:s, s:s}}}",
      "apiVersion", "v1", "kind", "PersistentVolume", "metadata", "name", name, "annotations",
      TUG_ANN_PROVISIONED_BY, TUG_LOCAL_PATH_PROVISIONER, "finalizers", TUG_FINALIZER_LOCAL_PATH,
      "spec", "capacity", "storage", tug_obj_get(pvc, "spec.resources.requests.storage"),
      "accessModes", tug_obj_get(pvc, "spec.accessModes"), "persistentVolumeReclaimPolicy",
      reclaim ? reclaim : "Delete", "storageClassName", tug_obj_name(sc), "volumeMode",
      mode ? mode : "Filesystem", "local", "path", path, "nodeAffinity", "required",
      "nodeSelectorTerms", "matchExpressions", "key", "kubernetes.io/hostname", "operator", "In",
      "values", node, "claimRef", "kind", "PersistentVolumeClaim", "apiVersion", "v1", "namespace",
      tug_obj_namespace(pvc), "name", tug_obj_name(pvc), "uid", tug_obj_uid(pvc));
}

/* Make pvc's volume on its node when that node has room; 0 also when it
 * must wait (no node chosen yet, no room: an Event says which). */
static int provision(ctl_ctx *x, const json_t *pvc, const json_t *sc, const json_t *pvs,
                     tug_error *err) {
  const char *mode = tug_obj_get_str(sc, "volumeBindingMode");
  const char *node_name = tug_obj_annotation(pvc, TUG_ANN_SELECTED_NODE);
  _cleanup_json_ json_t *nodes = NULL;
  if (node_name == NULL && mode && strcmp(mode, "WaitForFirstConsumer") == 0) {
    tug_event_record(x->events, pvc, "Normal", "WaitForFirstConsumer",
                     "waiting for first consumer to be created before binding");
    return 0;
  }
  if (node_name == NULL && (node_name = roomiest_node(x, pvs, &nodes)) == NULL) {
    tug_event_record(x->events, pvc, "Warning", "ProvisioningFailed",
                     "no node offers local-path storage");
    return 0;
  }
  _cleanup_json_ json_t *node = ctl_get(x, CTL_NODES, node_name);
  const char *root = tug_obj_annotation(node, TUG_ANN_LOCAL_PATH_ROOT);
  int64_t cap = tug_local_path_capacity(node), want = tug_claim_request(pvc);
  int64_t used = tug_local_path_used(pvs, node_name);
  if (root == NULL || cap < 0 || used + want > cap) {
    char left[32];
    tug_quantity_format_bytes(cap > used ? cap - used : 0, left, sizeof left);
    tug_event_record(x->events, pvc, "Warning", "ProvisioningFailed",
                     "node %s has %s of local-path storage left, the claim asks for %s", node_name,
                     root ? left : "none", tug_obj_get_str(pvc, "spec.resources.requests.storage"));
    return 0;
  }
  _cleanup_json_ json_t *pv = local_path_volume(pvc, sc, node_name, root);
  if (tug_client_create(x->client, "/api/v1/persistentvolumes", pv, NULL, err) < 0) {
    if (err->code == TUG_E_CONFLICT)
      return tug_error_clear(err), 0; /* made already; its arrival brings the claim back */
    return tug_error_wrap(err, "provision volume for %s/%s", tug_obj_namespace(pvc),
                          tug_obj_name(pvc));
  }
  tug_event_record(x->events, pvc, "Normal", "ProvisioningSucceeded",
                   "Successfully provisioned volume %s on node %s", tug_obj_name(pv), node_name);
  return 0;
}

static int bind_or_provision(ctl_ctx *x, const json_t *pvc, tug_error *err) {
  _cleanup_json_ json_t *pvs = ctl_list(x, CTL_PVS, NULL);
  const json_t *pv = tug_volume_best(pvs, pvc);
  if (pv)
    return bind(x, pvc, pv, err);
  const char *cls = tug_claim_class(pvc);
  _cleanup_json_ json_t *sc = cls[0] ? ctl_get(x, CTL_STORAGECLASSES, cls) : NULL;
  const char *prov = tug_obj_get_str(sc, "provisioner");
  if (prov && strcmp(prov, TUG_LOCAL_PATH_PROVISIONER) == 0)
    return provision(x, pvc, sc, pvs, err);
  return 0; /* a volume that fits may come; its arrival brings the claim back */
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *pvc = ctl_get(x, CTL_PVCS, key);
  if (pvc == NULL)
    return 0;
  if (tug_obj_deletion_timestamp(pvc))
    return claim_in_use(x, pvc) ? 0 : ctl_drop_finalizer(x, pvc, PVC_PROTECTION, err);
  const char *volume = tug_obj_get_str(pvc, "spec.volumeName");
  if (volume && volume[0]) {
    _cleanup_json_ json_t *pv = ctl_get(x, CTL_PVS, volume);
    return write_phase(x, pvc, pv, err);
  }
  return bind_or_provision(x, pvc, err);
}

tug_controller *ctl_pvc_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "persistentvolume-binder", .reconcile = reconcile, .arg = x, .workers = 1};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch_fn(c, x->inf[CTL_PVCS], claim_changed, x, err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_PVS], volume_changed, x, err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_PODS], pod_changed, x, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
