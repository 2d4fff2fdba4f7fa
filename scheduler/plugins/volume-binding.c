/*
 * volume-binding.c — VolumeBinding: a pod goes where its claims' volumes
 * can be reached. A bound claim's volume must accept the node (its
 * nodeAffinity: a local volume pins the pod to its node, so a pod that
 * comes back returns to its data); claims not bound yet under
 * WaitForFirstConsumer must fit in the node's local-path room, counted from
 * the volumes already provisioned there. A missing claim, or one unbound
 * under Immediate binding, holds the pod back on every node, as in
 * Kubernetes. The node is written on the claims at bind time (bind.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "plugin.h"
#include "volume-rules.h"

typedef struct binding {
  const char *fail;  /* every node fails for this reason */
  json_t *bound;     /* the volumes of bound claims */
  int64_t provision; /* bytes of unbound local-path claims */
  json_t *all_volumes;
} binding;

static void release(void *state) {
  binding *b = state;
  if (b == NULL)
    return;
  json_decref(b->bound);
  json_decref(b->all_volumes);
  free(b);
}

static json_t *map_values(const json_t *map) {
  json_t *out = json_array();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)map, k, v) json_array_append(out, v);
  return out;
}

/* One claim of the pod into b; false when the pod cannot go anywhere. */
static bool add_claim(const sched_cache *c, const sched_pod *p, const char *name, binding *b) {
  char key[512];
  snprintf(key, sizeof key, "%s/%s", p->ns, name);
  const json_t *pvc = json_object_get(c->claims, key);
  if (pvc == NULL) {
    b->fail = "persistentvolumeclaim not found";
    return false;
  }
  const char *volume = tug_obj_get_str(pvc, "spec.volumeName");
  if (volume && volume[0]) {
    const json_t *pv = json_object_get(c->volumes, volume);
    if (pv == NULL) {
      b->fail = "pod has a bound PersistentVolumeClaim whose volume is gone";
      return false;
    }
    json_array_append(b->bound, (json_t *)pv);
    return true;
  }
  const json_t *sc = json_object_get(c->classes, tug_claim_class(pvc));
  const char *mode = tug_obj_get_str(sc, "volumeBindingMode");
  if (mode == NULL || strcmp(mode, "WaitForFirstConsumer") != 0) {
    b->fail = "pod has unbound immediate PersistentVolumeClaims";
    return false;
  }
  const char *prov = tug_obj_get_str(sc, "provisioner");
  if (prov && strcmp(prov, TUG_LOCAL_PATH_PROVISIONER) == 0 && tug_claim_request(pvc) > 0)
    b->provision += tug_claim_request(pvc);
  return true;
}

static int prepare(const sched_cache *c, const sched_pod *p, void **state) {
  size_t i;
  json_t *vol;
  binding *b = NULL;
  json_array_foreach(tug_obj_get(p->obj, "spec.volumes"), i, vol) {
    const char *claim = tug_obj_get_str(vol, "persistentVolumeClaim.claimName");
    if (claim == NULL)
      continue;
    if (b == NULL && (b = calloc(1, sizeof *b)) == NULL)
      return -1;
    if (b->bound == NULL)
      b->bound = json_array();
    if (!add_claim(c, p, claim, b))
      break;
  }
  if (b == NULL)
    return 1;
  if (b->provision > 0)
    b->all_volumes = map_values(c->volumes);
  *state = b;
  return 0;
}

static const char *filter(const sched_pod *p, void *state, const sched_node *n) {
  (void)p;
  const binding *b = state;
  if (b->fail)
    return b->fail;
  size_t i;
  json_t *pv;
  json_array_foreach(b->bound, i, pv) {
    if (!tug_volume_node_matches(pv, n->name, n->labels))
      return "node(s) had volume node affinity conflict";
  }
  if (b->provision == 0)
    return NULL;
  int64_t cap = tug_local_path_capacity(n->obj);
  if (cap < 0 || tug_local_path_used(b->all_volumes, n->name) + b->provision > cap)
    return "node(s) did not have enough free storage";
  return NULL;
}

const sched_plugin sched_plugin_volume_binding = {
    .name = "VolumeBinding", .prepare = prepare, .filter = filter, .release = release};
