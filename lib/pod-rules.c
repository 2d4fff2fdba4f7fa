/*
 * pod-rules.c — the shared pod rules (see pod-rules.h).
 */
#include "pod-rules.h"

#include <stdint.h>
#include <string.h>

#include "object.h"
#include "quantity.h"

static bool same(const char *a, const char *b) {
  return strcmp(a ? a : "", b ? b : "") == 0;
}

bool tug_quota_compute_resource(const char *res) {
  return strcmp(res, "cpu") == 0 || strcmp(res, "memory") == 0 ||
         strncmp(res, "requests.", 9) == 0 || strncmp(res, "limits.", 7) == 0;
}

int64_t tug_pod_quota_usage(const json_t *pod, const char *res, bool *missing) {
  const char *field = res, *section = "requests";
  if (strncmp(res, "requests.", 9) == 0)
    field = res + 9;
  else if (strncmp(res, "limits.", 7) == 0)
    field = res + 7, section = "limits";
  int64_t total = 0, v;
  size_t i;
  const json_t *c;
  if (missing)
    *missing = false;
  json_array_foreach(tug_obj_get(pod, "spec.containers"), i, c) {
    const json_t *q =
        json_object_get(json_object_get(json_object_get(c, "resources"), section), field);
    if (tug_quantity_parse_resource(res, json_string_value(q), &v) == 0)
      total = tug_quantity_add_sat(total, v);
    else if (missing)
      *missing = true;
  }
  return total;
}

bool tug_pod_terminal(const json_t *pod) {
  const char *phase = tug_obj_get_str(pod, "status.phase");
  return phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0);
}

bool tug_pod_ready(const json_t *pod) {
  size_t i;
  const json_t *c;
  json_array_foreach(tug_obj_get(pod, "status.conditions"), i, c) {
    if (same(tug_obj_get_str(c, "type"), "Ready"))
      return same(tug_obj_get_str(c, "status"), "True");
  }
  return false;
}

void tug_toleration_parse(const json_t *toleration, tug_toleration *out) {
  out->key = tug_obj_get_str(toleration, "key");
  out->value = tug_obj_get_str(toleration, "value");
  out->effect = tug_obj_get_str(toleration, "effect");
  out->exists = same(tug_obj_get_str(toleration, "operator"), "Exists");
}

bool tug_toleration_matches(const tug_toleration *t, const char *key, const char *value,
                            const char *effect) {
  if (t->effect && t->effect[0] && !same(t->effect, effect))
    return false;
  if (t->key == NULL || t->key[0] == '\0')
    return t->exists;
  if (!same(t->key, key))
    return false;
  return t->exists || same(t->value, value);
}
