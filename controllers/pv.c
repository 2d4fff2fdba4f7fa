/*
 * pv.c — a PersistentVolume's phase and what becomes of it when its claim
 * goes: Available (no claim), Bound (its claim names it back), Released (its
 * claim is gone), then by its reclaim policy Retain (kept, Released, until an
 * administrator deletes it) or Delete.
 *
 * A deleted local-path volume disappears only once its node's agent removed
 * the directory (the tugboat.io/local-path-cleanup finalizer); a volume of
 * another kind with Delete has nobody to delete it and turns Failed, as in
 * Kubernetes without a deleter. kubernetes.io/pv-protection is let go once
 * the volume is bound to no live claim.
 */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "object.h"
#include "timestamp.h"
#include "volume-rules.h"

#define PV_PROTECTION "kubernetes.io/pv-protection"

static void volume_changed(tug_controller *c, const json_t *old, const json_t *pv, bool deleted,
                           void *arg) {
  (void)old, (void)deleted, (void)arg;
  tug_controller_enqueue_obj(c, pv);
}

/* A claim names its volume once bound; a claim that goes releases it. */
static void claim_changed(tug_controller *c, const json_t *old, const json_t *pvc, bool deleted,
                          void *arg) {
  (void)old, (void)deleted, (void)arg;
  const char *volume = tug_obj_get_str(pvc, "spec.volumeName");
  if (volume && volume[0])
    tug_controller_enqueue(c, volume);
}

/* The claim the volume's claimRef names, when it still is that claim. */
static json_t *bound_claim(ctl_ctx *x, const json_t *pv) {
  const char *ns = tug_obj_get_str(pv, "spec.claimRef.namespace");
  const char *name = tug_obj_get_str(pv, "spec.claimRef.name");
  const char *uid = tug_obj_get_str(pv, "spec.claimRef.uid");
  char key[512];
  if (ns == NULL || name == NULL || snprintf(key, sizeof key, "%s/%s", ns, name) >= (int)sizeof key)
    return NULL;
  json_t *pvc = ctl_get(x, CTL_PVCS, key);
  if (pvc && uid && uid[0] && strcmp(uid, tug_obj_uid(pvc) ? tug_obj_uid(pvc) : "") != 0) {
    json_decref(pvc);
    return NULL;
  }
  return pvc;
}

static int write_phase(ctl_ctx *x, const json_t *pv, const char *phase, const char *reason,
                       const char *message, tug_error *err) {
  json_t *old = tug_obj_get(pv, "status");
  _cleanup_json_ json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
  const char *was = json_string_value(json_object_get(status, "phase"));
  json_object_set_new(status, "phase", json_string(phase));
  json_object_del(status, "reason");
  json_object_del(status, "message");
  if (reason)
    json_object_set_new(status, "reason", json_string(reason));
  if (message)
    json_object_set_new(status, "message", json_string(message));
  if (was == NULL || strcmp(was, phase) != 0) {
    char now[40];
    tug_time_now(now, sizeof now);
    json_object_set_new(status, "lastPhaseTransitionTime", json_string(now));
  }
  return ctl_write_status(x, pv, status, err);
}

static bool provisioned_here(const json_t *pv) {
  const char *by = tug_obj_annotation(pv, TUG_ANN_PROVISIONED_BY);
  return by && strcmp(by, TUG_LOCAL_PATH_PROVISIONER) == 0;
}

/* Its claim is gone: Released, then reclaimed by policy. */
static int release(ctl_ctx *x, const json_t *pv, tug_error *err) {
  const char *policy = tug_obj_get_str(pv, "spec.persistentVolumeReclaimPolicy");
  if (policy == NULL || strcmp(policy, "Delete") != 0)
    return write_phase(x, pv, "Released", NULL, NULL, err);
  if (!provisioned_here(pv))
    return write_phase(x, pv, "Failed", "VolumeFailedDelete",
                       "no deleter for this kind of volume: delete it by hand", err);
  if (write_phase(x, pv, "Released", NULL, NULL, err) < 0)
    return -1;
  tug_info("deleting released volume", "volume=%s node=%s", tug_obj_name(pv),
           tug_volume_node(pv) ? tug_volume_node(pv) : "");
  return ctl_delete(x, pv, NULL, err);
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *pv = ctl_get(x, CTL_PVS, key);
  if (pv == NULL)
    return 0;
  _cleanup_json_ json_t *pvc = bound_claim(x, pv);
  if (tug_obj_deletion_timestamp(pv))
    return pvc ? 0 : ctl_drop_finalizer(x, pv, PV_PROTECTION, err);
  if (!json_is_object(tug_obj_get(pv, "spec.claimRef")))
    return write_phase(x, pv, "Available", NULL, NULL, err);
  if (pvc == NULL) {
    const char *uid = tug_obj_get_str(pv, "spec.claimRef.uid");
    /* reserved for a claim not made yet: still Available to it alone */
    if (uid == NULL || uid[0] == '\0')
      return write_phase(x, pv, "Available", NULL, NULL, err);
    return release(x, pv, err);
  }
  const char *named = tug_obj_get_str(pvc, "spec.volumeName");
  bool bound = named && strcmp(named, key) == 0;
  return write_phase(x, pv, bound ? "Bound" : "Available", NULL, NULL, err);
}

tug_controller *ctl_pv_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "persistentvolume-reclaimer", .reconcile = reconcile, .arg = x, .workers = 1};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch_fn(c, x->inf[CTL_PVS], volume_changed, x, err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_PVCS], claim_changed, x, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
