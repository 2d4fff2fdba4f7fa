/*
 * apply-plan.c — three-way merge patches and apply order (see apply-plan.h).
 */
#include "apply-plan.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "object.h"

bool cli_json_subset(const json_t *want, const json_t *have) {
  if (json_is_object(want)) {
    if (!json_is_object(have))
      return false;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)want, k, v) {
      if (!cli_json_subset(v, json_object_get(have, k)))
        return false;
    }
    return true;
  }
  if (json_is_array(want)) {
    if (!json_is_array(have) || json_array_size(want) != json_array_size(have))
      return false;
    for (size_t i = 0; i < json_array_size(want); i++)
      if (!cli_json_subset(json_array_get(want, i), json_array_get(have, i)))
        return false;
    return true;
  }
  /* 1 and 1.0 are the same number to a YAML reader and to the server. */
  if (json_is_number(want) && json_is_number(have))
    return json_number_value(want) == json_number_value(have);
  return json_equal((json_t *)want, (json_t *)have);
}

/* The patch for one object level; original and live may be NULL. */
static json_t *patch_object(const json_t *original, const json_t *modified, const json_t *live) {
  json_t *patch = json_object();
  if (patch == NULL)
    return NULL;
  const char *k;
  json_t *orig;
  json_object_foreach((json_t *)original, k, orig) {
    if (json_object_get(modified, k) == NULL && json_object_get(live, k) != NULL)
      json_object_set_new(patch, k, json_null());
  }
  json_t *mod;
  json_object_foreach((json_t *)modified, k, mod) {
    const json_t *o = json_object_get(original, k);
    const json_t *l = json_object_get(live, k);
    if (json_is_object(mod) && json_is_object(l)) {
      json_t *sub = patch_object(json_is_object(o) ? o : NULL, mod, l);
      if (sub == NULL) {
        json_decref(patch);
        return NULL;
      }
      if (json_object_size(sub) > 0)
        json_object_set_new(patch, k, sub);
      else
        json_decref(sub);
      continue;
    }
    bool changed_in_file = json_is_array(mod) && o && !json_equal((json_t *)o, mod);
    if (changed_in_file || !cli_json_subset(mod, l))
      json_object_set(patch, k, mod);
  }
  return patch;
}

json_t *cli_apply_patch(const json_t *original, const json_t *modified, const json_t *live) {
  return patch_object(json_is_object(original) ? original : NULL, modified, live);
}

json_t *cli_apply_annotate(const json_t *obj) {
  _cleanup_json_ json_t *bare = json_deep_copy(obj);
  if (bare == NULL)
    return NULL;
  json_t *ann = tug_obj_annotations(bare);
  if (ann) {
    json_object_del(ann, CLI_LAST_APPLIED);
    if (json_object_size(ann) == 0)
      tug_obj_del(bare, "metadata.annotations");
  }
  _cleanup_free_ char *text = json_dumps(bare, JSON_COMPACT | JSON_SORT_KEYS);
  json_t *out = json_deep_copy(bare);
  tug_error err;
  if (text == NULL || out == NULL ||
      tug_obj_set_annotation(out, CLI_LAST_APPLIED, text, &err) < 0) {
    json_decref(out);
    return NULL;
  }
  return out;
}

int cli_apply_rank(const char *kind) {
  static const struct {
    const char *kind;
    int rank;
  } ranks[] = {
      {"Namespace", 0},
      {"PriorityClass", 1},
      {"Queue", 1},
      {"ResourceQuota", 2},
      {"LimitRange", 2},
      {"ClusterRole", 3},
      {"ClusterRoleBinding", 3},
      {"Role", 3},
      {"RoleBinding", 3},
      {"ServiceAccount", 3},
      {"ConfigMap", 4},
      {"Secret", 4},
      {"Service", 5},
      {"Endpoints", 5},
      /* storage before the pods that mount it */
      {"StorageClass", 1},
      {"PersistentVolume", 4},
      {"PersistentVolumeClaim", 4},
  };
  for (size_t i = 0; kind && i < sizeof ranks / sizeof ranks[0]; i++)
    if (strcmp(ranks[i].kind, kind) == 0)
      return ranks[i].rank;
  return 6;
}

void cli_apply_order(const json_t *objs, size_t *order) {
  size_t n = json_array_size(objs);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  /* Insertion sort: stable, and manifests are short. */
  for (size_t i = 1; i < n; i++) {
    size_t cur = order[i];
    int rank = cli_apply_rank(tug_obj_kind(json_array_get(objs, cur)));
    size_t j = i;
    while (j > 0 && cli_apply_rank(tug_obj_kind(json_array_get(objs, order[j - 1]))) > rank) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = cur;
  }
}
