/*
 * volume-rules.c — matching claims to volumes and counting a node's
 * local-path room (see volume-rules.h).
 */
#include "volume-rules.h"

#include <string.h>

#include "node-affinity.h"
#include "object.h"
#include "quantity.h"
#include "selector.h"

int64_t tug_storage_bytes(const json_t *map) {
  int64_t v;
  const char *s = json_string_value(json_object_get(map, "storage"));
  return s && tug_quantity_parse_resource("storage", s, &v) == 0 ? v : -1;
}

int64_t tug_claim_request(const json_t *pvc) {
  return tug_storage_bytes(tug_obj_get(pvc, "spec.resources.requests"));
}

const char *tug_claim_class(const json_t *pvc) {
  const char *c = tug_obj_get_str(pvc, "spec.storageClassName");
  return c ? c : "";
}

static bool has_string(const json_t *list, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
      return true;
  }
  return false;
}

static bool same_str(const char *a, const char *b, const char *dflt) {
  return strcmp(a ? a : dflt, b ? b : dflt) == 0;
}

/* Free for pvc: no claimRef, or one naming this very claim. */
static bool free_for(const json_t *pv, const json_t *pvc) {
  const json_t *ref = tug_obj_get(pv, "spec.claimRef");
  if (!json_is_object(ref))
    return true;
  const char *uid = tug_obj_get_str(ref, "uid");
  return same_str(tug_obj_get_str(ref, "name"), tug_obj_name(pvc), "") &&
         same_str(tug_obj_get_str(ref, "namespace"), tug_obj_namespace(pvc), "") &&
         (uid == NULL || uid[0] == '\0' || same_str(uid, tug_obj_uid(pvc), ""));
}

static bool selector_matches(const json_t *pv, const json_t *pvc) {
  const json_t *sel = tug_obj_get(pvc, "spec.selector");
  if (!json_is_object(sel))
    return true;
  tug_selector *s = NULL;
  if (tug_selector_from_match_labels(json_object_get(sel, "matchLabels"),
                                     json_object_get(sel, "matchExpressions"), &s, NULL) < 0)
    return false;
  json_t *labels = tug_obj_labels(pv);
  json_t *empty = labels ? NULL : json_object();
  bool ok = tug_selector_matches(s, labels ? labels : empty);
  json_decref(empty);
  tug_selector_free(s);
  return ok;
}

bool tug_volume_satisfies(const json_t *pv, const json_t *pvc) {
  const char *phase = tug_obj_get_str(pv, "status.phase");
  if (tug_obj_deletion_timestamp(pv) || (phase && strcmp(phase, "Released") == 0) ||
      (phase && strcmp(phase, "Failed") == 0) || !free_for(pv, pvc))
    return false;
  if (!same_str(tug_obj_get_str(pv, "spec.storageClassName"), tug_claim_class(pvc), ""))
    return false;
  int64_t want = tug_claim_request(pvc), have = tug_storage_bytes(tug_obj_get(pv, "spec.capacity"));
  if (want < 0 || have < want)
    return false;
  size_t i;
  json_t *mode;
  json_array_foreach(tug_obj_get(pvc, "spec.accessModes"), i, mode) {
    if (!json_is_string(mode) ||
        !has_string(tug_obj_get(pv, "spec.accessModes"), json_string_value(mode)))
      return false;
  }
  return same_str(tug_obj_get_str(pv, "spec.volumeMode"), tug_obj_get_str(pvc, "spec.volumeMode"),
                  "Filesystem") &&
         selector_matches(pv, pvc);
}

const json_t *tug_volume_best(const json_t *pvs, const json_t *pvc) {
  const json_t *best = NULL;
  int64_t best_size = -1;
  size_t i;
  json_t *pv;
  json_array_foreach(pvs, i, pv) {
    if (!tug_volume_satisfies(pv, pvc))
      continue;
    if (json_is_object(tug_obj_get(pv, "spec.claimRef")))
      return pv;
    int64_t size = tug_storage_bytes(tug_obj_get(pv, "spec.capacity"));
    if (best == NULL || size < best_size) {
      best = pv;
      best_size = size;
    }
  }
  return best;
}

static const json_t *affinity_terms(const json_t *pv) {
  return tug_obj_get(pv, "spec.nodeAffinity.required.nodeSelectorTerms");
}

const char *tug_volume_node(const json_t *pv) {
  size_t i, j;
  json_t *term, *req;
  json_array_foreach(affinity_terms(pv), i, term) {
    json_array_foreach(json_object_get(term, "matchExpressions"), j, req) {
      const char *key = tug_obj_get_str(req, "key"), *op = tug_obj_get_str(req, "operator");
      const json_t *values = json_object_get(req, "values");
      if (key && op && strcmp(key, "kubernetes.io/hostname") == 0 && strcmp(op, "In") == 0 &&
          json_array_size(values) == 1)
        return json_string_value(json_array_get(values, 0));
    }
  }
  return NULL;
}

bool tug_volume_node_matches(const json_t *pv, const char *node, const json_t *labels) {
  const json_t *terms = affinity_terms(pv);
  if (!json_is_object(tug_obj_get(pv, "spec.nodeAffinity.required")))
    return true;
  size_t i;
  json_t *term;
  json_array_foreach(terms, i, term) {
    if (tug_node_term_matches(term, node, labels))
      return true;
  }
  return false;
}

int64_t tug_local_path_used(const json_t *pvs, const char *node) {
  int64_t used = 0;
  size_t i;
  json_t *pv;
  json_array_foreach(pvs, i, pv) {
    const char *by = tug_obj_annotation(pv, TUG_ANN_PROVISIONED_BY);
    const char *on = tug_volume_node(pv);
    int64_t size = tug_storage_bytes(tug_obj_get(pv, "spec.capacity"));
    if (by && strcmp(by, TUG_LOCAL_PATH_PROVISIONER) == 0 && on && node && strcmp(on, node) == 0 &&
        size > 0)
      used += size;
  }
  return used;
}

int64_t tug_local_path_capacity(const json_t *node) {
  const char *s = tug_obj_annotation(node, TUG_ANN_LOCAL_PATH_CAPACITY);
  int64_t v;
  return s && tug_quantity_parse_resource("storage", s, &v) == 0 ? v : -1;
}
