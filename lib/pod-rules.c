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

bool tug_ctr_is_sidecar(const json_t *ctr) {
  return same(tug_obj_get_str(ctr, "restartPolicy"), "Always");
}

int64_t tug_pod_effective(const json_t *spec, tug_ctr_value_fn value, void *arg) {
  int64_t running = 0, sidecars = 0, init_peak = 0;
  size_t i;
  const json_t *c;
  json_array_foreach(json_object_get(spec, "containers"), i, c) {
    running = tug_quantity_add_sat(running, value(c, arg));
  }
  json_array_foreach(json_object_get(spec, "initContainers"), i, c) {
    int64_t v = value(c, arg);
    if (tug_ctr_is_sidecar(c)) {
      sidecars = tug_quantity_add_sat(sidecars, v);
      continue;
    }
    int64_t peak = tug_quantity_add_sat(v, sidecars);
    init_peak = peak > init_peak ? peak : init_peak;
  }
  running = tug_quantity_add_sat(running, sidecars);
  return running > init_peak ? running : init_peak;
}

/* One container's figure of a quota resource; a missing one is noted. */
typedef struct quota_read {
  const char *res, *section, *field;
  bool missing;
} quota_read;

static int64_t quota_value(const json_t *c, void *arg) {
  quota_read *r = arg;
  const json_t *q =
      json_object_get(json_object_get(json_object_get(c, "resources"), r->section), r->field);
  int64_t v;
  if (tug_quantity_parse_resource(r->res, json_string_value(q), &v) == 0)
    return v;
  r->missing = true;
  return 0;
}

int64_t tug_pod_quota_usage(const json_t *pod, const char *res, bool *missing) {
  quota_read r = {.res = res, .section = "requests", .field = res};
  if (strncmp(res, "requests.", 9) == 0)
    r.field = res + 9;
  else if (strncmp(res, "limits.", 7) == 0)
    r.field = res + 7, r.section = "limits";
  int64_t total = tug_pod_effective(tug_obj_get(pod, "spec"), quota_value, &r);
  if (missing)
    *missing = r.missing;
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
