/*
 * gc.c — the garbage collector: objects whose owners are gone go too.
 *
 * It follows the kinds the controllers inform on (pods, ReplicaSets,
 * Deployments, Jobs, Services, Endpoints, ReplicationControllers, CronJobs, DaemonSets,
 * StatefulSets, ControllerRevisions); keys are "<resource>|ns/name". An object is deleted
 * (background cascade) once none of its ownerReferences points at a live owner: same name and uid,
 * checked against the API server before anything is deleted, so a cache that lags never costs an
 * object. References to owners that are gone while others live are dropped.
 *
 * DELETE with propagationPolicy leaves a finalizer on the owner (the API
 * server's delete.c): "orphan" — the GC strips the owner from its dependents'
 * ownerReferences, then removes the finalizer; "foregroundDeletion" — the GC
 * deletes the dependents (foreground too, so the cascade goes all the way
 * down) and removes the finalizer once none is left, which lets the owner go.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "object.h"
#include "kinds.h"

static const enum ctl_resource followed[] = {CTL_PODS,
                                             CTL_REPLICASETS,
                                             CTL_DEPLOYMENTS,
                                             CTL_JOBS,
                                             CTL_SERVICES,
                                             CTL_ENDPOINTS,
                                             CTL_REPLICATIONCONTROLLERS,
                                             CTL_CRONJOBS,
                                             CTL_DAEMONSETS,
                                             CTL_STATEFULSETS,
                                             CTL_CONTROLLERREVISIONS};
enum { N_FOLLOWED = sizeof followed / sizeof followed[0] };

static int resource_of_kind(const char *kind) {
  for (int i = 0; i < N_FOLLOWED; i++)
    if (kind && strcmp(ctl_resource_kinds[followed[i]], kind) == 0)
      return (int)followed[i];
  return -1;
}

static bool has_finalizer(const json_t *obj, const char *f) {
  size_t i;
  json_t *v;
  json_array_foreach(tug_obj_get(obj, "metadata.finalizers"), i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), f) == 0)
      return true;
  }
  return false;
}

static void enqueue(tug_controller *c, enum ctl_resource r, const json_t *obj) {
  char key[600], k[512];
  if (tug_informer_key(obj, k, sizeof k) < 0)
    return;
  snprintf(key, sizeof key, "%d|%s", (int)r, k);
  tug_controller_enqueue(c, key);
}

/* Every followed object in ns with an ownerReference to uid: a new array of
 * [resource, object] pairs. */
static json_t *dependents(ctl_ctx *x, const char *ns, const char *uid) {
  json_t *out = json_array();
  for (int i = 0; i < N_FOLLOWED; i++) {
    _cleanup_json_ json_t *objs = ctl_list(x, followed[i], ns);
    size_t j;
    json_t *o;
    json_array_foreach(objs, j, o) {
      if (ctl_owned_by(o, uid))
        json_array_append_new(out, json_pack("[i, O]", (int)followed[i], o));
    }
  }
  return out;
}

typedef struct gc_watch {
  ctl_ctx *x;
  enum ctl_resource r;
} gc_watch;

static gc_watch watches[CTL_N_RESOURCES];

static void changed(tug_controller *c, gc_watch *w, const json_t *obj) {
  if (json_array_size(tug_obj_get(obj, "metadata.ownerReferences")) > 0 ||
      (tug_obj_deletion_timestamp(obj) &&
       (has_finalizer(obj, "orphan") || has_finalizer(obj, "foregroundDeletion"))))
    enqueue(c, w->r, obj);
}

/* An object went: its dependents may be orphans now, and an owner waiting in
 * foreground deletion may have lost its last dependent. */
static void deleted(tug_controller *c, ctl_ctx *x, enum ctl_resource r, const json_t *obj) {
  size_t i;
  json_t *ref;
  json_array_foreach(tug_obj_get(obj, "metadata.ownerReferences"), i, ref) {
    int or = resource_of_kind(json_string_value(json_object_get(ref, "kind")));
    const char *name = json_string_value(json_object_get(ref, "name"));
    char key[600];
    if (or >= 0 && name) {
      snprintf(key, sizeof key, "%d|%s/%s", or, tug_obj_namespace(obj), name);
      tug_controller_enqueue(c, key);
    }
  }
  if (r == CTL_PODS || r == CTL_ENDPOINTS)
    return; /* never owners here */
  _cleanup_json_ json_t *deps = dependents(x, tug_obj_namespace(obj), tug_obj_uid(obj));
  json_t *pair;
  json_array_foreach(deps, i, pair) {
    enqueue(c, (enum ctl_resource)json_integer_value(json_array_get(pair, 0)),
            json_array_get(pair, 1));
  }
}

static void on_change(tug_controller *c, const json_t *old, const json_t *obj, bool gone,
                      void *arg) {
  (void)old;
  gc_watch *w = arg;
  if (gone)
    deleted(c, w->x, w->r, obj);
  else
    changed(c, w, obj);
}

/* ---- owners ---- */

/* 1 when the owner ref points at lives, 0 when it is gone, -1 when unknown. */
static int owner_alive(ctl_ctx *x, const json_t *obj, const json_t *ref, tug_error *err) {
  const char *kind = json_string_value(json_object_get(ref, "kind"));
  const char *name = json_string_value(json_object_get(ref, "name"));
  const char *uid = json_string_value(json_object_get(ref, "uid"));
  const char *av = json_string_value(json_object_get(ref, "apiVersion"));
  if (!kind || !name || !uid || !av)
    return 0;
  int r = resource_of_kind(kind);
  if (r >= 0) {
    char key[600];
    snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(obj), name);
    _cleanup_json_ json_t *cached = ctl_get(x, (enum ctl_resource)r, key);
    const char *cuid = tug_obj_uid(cached);
    if (cuid && strcmp(cuid, uid) == 0)
      return 1;
  }
  char path[768];
  const tug_kind *k = tug_kind_find(av, kind);
  /* An owner of a kind this process cannot look up is not known to be gone. */
  if (k == NULL || tug_kind_path(path, sizeof path, k, tug_obj_namespace(obj), name, NULL) < 0)
    return 1;
  _cleanup_json_ json_t *live = NULL;
  if (tug_client_get(x->client, path, &live, err) < 0)
    return err->code == ENOENT ? (tug_error_clear(err), 0) : -1;
  const char *luid = tug_obj_uid(live);
  return luid && strcmp(luid, uid) == 0;
}

static int drop_refs(ctl_ctx *x, const json_t *obj, json_t *keep, tug_error *err) {
  _cleanup_json_ json_t *patch = json_pack("{s:{s:O}}", "metadata", "ownerReferences", keep);
  return ctl_patch(x, obj, patch, true, NULL, err);
}

static int check_owners(ctl_ctx *x, const json_t *obj, tug_error *err) {
  json_t *refs = tug_obj_get(obj, "metadata.ownerReferences");
  if (json_array_size(refs) == 0 || tug_obj_deletion_timestamp(obj))
    return 0;
  _cleanup_json_ json_t *alive = json_array();
  size_t i;
  json_t *ref;
  json_array_foreach(refs, i, ref) {
    int rc = owner_alive(x, obj, ref, err);
    if (rc < 0)
      return -1;
    if (rc)
      json_array_append(alive, ref);
  }
  if (json_array_size(alive) == json_array_size(refs))
    return 0;
  if (json_array_size(alive) > 0)
    return drop_refs(x, obj, alive, err);
  json_t *first = json_array_get(refs, 0);
  tug_info("collecting", "kind=%s obj=%s/%s owner=%s/%s", tug_obj_kind(obj), tug_obj_namespace(obj),
           tug_obj_name(obj), json_string_value(json_object_get(first, "kind")),
           json_string_value(json_object_get(first, "name")));
  tug_event_record(x->events, obj, "Normal", "GarbageCollected", "Deleted: owner %s %s is gone",
                   json_string_value(json_object_get(first, "kind")),
                   json_string_value(json_object_get(first, "name")));
  return ctl_delete(x, obj, "Background", err);
}

/* ---- finalizers ---- */

static int remove_finalizer(ctl_ctx *x, const json_t *obj, const char *f, tug_error *err) {
  _cleanup_json_ json_t *keep = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(tug_obj_get(obj, "metadata.finalizers"), i, v) {
    if (!(json_is_string(v) && strcmp(json_string_value(v), f) == 0))
      json_array_append(keep, v);
  }
  _cleanup_json_ json_t *patch = json_pack("{s:{s:O}}", "metadata", "finalizers", keep);
  return ctl_patch(x, obj, patch, true, NULL, err);
}

static int orphan_dependents(ctl_ctx *x, const json_t *owner, tug_error *err) {
  _cleanup_json_ json_t *deps = dependents(x, tug_obj_namespace(owner), tug_obj_uid(owner));
  size_t i, j;
  json_t *pair, *ref;
  json_array_foreach(deps, i, pair) {
    json_t *dep = json_array_get(pair, 1);
    _cleanup_json_ json_t *keep = json_array();
    json_array_foreach(tug_obj_get(dep, "metadata.ownerReferences"), j, ref) {
      const char *u = json_string_value(json_object_get(ref, "uid"));
      if (!(u && strcmp(u, tug_obj_uid(owner)) == 0))
        json_array_append(keep, ref);
    }
    if (drop_refs(x, dep, keep, err) < 0 && err->code != ENOENT)
      return -1;
  }
  if (json_array_size(deps) > 0)
    tug_event_record(x->events, owner, "Normal", "OrphanedDependents",
                     "Left %zu dependents without this owner", json_array_size(deps));
  return remove_finalizer(x, owner, "orphan", err);
}

static int delete_dependents(ctl_ctx *x, const json_t *owner, tug_error *err) {
  _cleanup_json_ json_t *deps = dependents(x, tug_obj_namespace(owner), tug_obj_uid(owner));
  if (json_array_size(deps) == 0)
    return remove_finalizer(x, owner, "foregroundDeletion", err);
  size_t i;
  json_t *pair;
  json_array_foreach(deps, i, pair) {
    json_t *dep = json_array_get(pair, 1);
    if (tug_obj_deletion_timestamp(dep) == NULL && ctl_delete(x, dep, "Foreground", err) < 0)
      return -1;
  }
  return 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  ctl_ctx *x = arg;
  char *end;
  long r = strtol(key, &end, 10);
  if (*end != '|' || r < 0 || r >= CTL_N_RESOURCES || x->inf[r] == NULL)
    return 0;
  _cleanup_json_ json_t *obj = ctl_get(x, (enum ctl_resource)r, end + 1);
  if (obj == NULL)
    return 0;
  if (tug_obj_deletion_timestamp(obj)) {
    if (has_finalizer(obj, "orphan"))
      return orphan_dependents(x, obj, err);
    if (has_finalizer(obj, "foregroundDeletion"))
      return delete_dependents(x, obj, err);
    return 0;
  }
  return check_owners(x, obj, err);
}

tug_controller *ctl_gc_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "garbagecollector", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  for (int i = 0; i < N_FOLLOWED; i++) {
    watches[followed[i]] = (gc_watch){x, followed[i]};
    if (tug_controller_watch_fn(c, x->inf[followed[i]], on_change, &watches[followed[i]], err) <
        0) {
      tug_controller_free(c);
      return NULL;
    }
  }
  return c;
}
