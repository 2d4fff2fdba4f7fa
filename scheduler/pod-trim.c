/*
 * pod-trim.c — cutting Pod objects down and sharing their common values (see
 * pod-trim.h).
 *
 * The table maps a value's compact JSON text to the value. A value only the
 * table still holds (refcount 1) is dropped by a sweep, run whenever the
 * table has doubled since the last one, so the table stays proportional to
 * the values live pods share.
 */
#include "pod-trim.h"

#include <stdlib.h>

#include "hashmap.h"

enum { FIRST_SWEEP = 1024 };

struct sched_trimmer {
  tug_hashmap *values; /* compact JSON → json_t (one reference) */
  size_t sweep_at;
};

sched_trimmer *sched_trimmer_new(void) {
  sched_trimmer *t = calloc(1, sizeof *t);
  if (t == NULL || (t->values = tug_hashmap_new()) == NULL) {
    free(t);
    return NULL;
  }
  t->sweep_at = FIRST_SWEEP;
  return t;
}

static void decref_value(void *v) {
  json_decref(v);
}

void sched_trimmer_free(sched_trimmer *t) {
  if (t == NULL)
    return;
  tug_hashmap_free(t->values, decref_value);
  free(t);
}

size_t sched_trimmer_size(const sched_trimmer *t) {
  return tug_hashmap_size(t->values);
}

static void sweep(sched_trimmer *t) {
  size_t n = tug_hashmap_size(t->values), k = 0;
  char **unused = malloc(n * sizeof *unused);
  if (unused == NULL)
    return;
  tug_hashmap_iter it;
  const char *key;
  void *v;
  tug_hashmap_iter_init(&it, t->values);
  while (tug_hashmap_next(&it, &key, &v))
    if (((json_t *)v)->refcount == 1)
      unused[k++] = (char *)key;
  for (size_t i = 0; i < k; i++)
    json_decref(tug_hashmap_remove(t->values, unused[i]));
  free(unused);
  n = tug_hashmap_size(t->values);
  t->sweep_at = n * 2 > FIRST_SWEEP ? n * 2 : FIRST_SWEEP;
}

/* v, or an equal value seen before: a new reference either way. */
static json_t *shared(sched_trimmer *t, json_t *v) {
  if (t == NULL || v == NULL)
    return json_incref(v);
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  if (text == NULL)
    return json_incref(v);
  json_t *seen = tug_hashmap_get(t->values, text);
  if (seen == NULL) {
    if (tug_hashmap_size(t->values) >= t->sweep_at)
      sweep(t);
    tug_hashmap_put(t->values, text, json_incref(v));
    seen = v;
  }
  free(text);
  return json_incref(seen);
}

/* dst[key] = src[key] when src has it; shared through t when share is set. */
static void keep(sched_trimmer *t, json_t *dst, const json_t *src, const char *key, int share) {
  json_t *v = json_object_get(src, key);
  if (v && !json_is_null(v))
    json_object_set_new(dst, key, share ? shared(t, v) : json_incref(v));
}

/* Containers reduced to resources, host ports and the restartPolicy that
 * makes an init container a sidecar (its request adds to the app's); an
 * empty object still counts, for the non-zero request defaults. */
static json_t *trim_containers(const json_t *list) {
  json_t *out = json_array();
  size_t i, j;
  json_t *c, *port;
  json_array_foreach(list, i, c) {
    json_t *one = json_object();
    json_t *res = json_object_get(c, "resources");
    if (res)
      json_object_set(one, "resources", res);
    json_t *policy = json_object_get(c, "restartPolicy");
    if (json_is_string(policy))
      json_object_set(one, "restartPolicy", policy);
    json_t *ports = json_array();
    json_array_foreach(json_object_get(c, "ports"), j, port) {
      if (json_integer_value(json_object_get(port, "hostPort")) > 0)
        json_array_append(ports, port);
    }
    if (json_array_size(ports) > 0)
      json_object_set(one, "ports", ports);
    json_decref(ports);
    json_array_append_new(out, one);
  }
  return out;
}

static void keep_containers(sched_trimmer *t, json_t *dst, const json_t *spec, const char *key) {
  json_t *list = json_object_get(spec, key);
  if (!json_is_array(list))
    return;
  json_t *trimmed = trim_containers(list);
  json_object_set_new(dst, key, shared(t, trimmed));
  json_decref(trimmed);
}

json_t *sched_pod_trim(json_t *obj, void *arg) {
  sched_trimmer *t = arg;
  if (!json_is_object(obj))
    return NULL;
  const json_t *md = json_object_get(obj, "metadata"), *spec = json_object_get(obj, "spec");
  json_t *out = json_object(), *m = json_object(), *s = json_object();
  keep(t, out, obj, "apiVersion", 1);
  keep(t, out, obj, "kind", 1);
  keep(t, m, md, "name", 0);
  keep(t, m, md, "uid", 0);
  keep(t, m, md, "resourceVersion", 0);
  keep(t, m, md, "namespace", 1);
  keep(t, m, md, "labels", 1);
  keep(t, m, md, "creationTimestamp", 1);
  keep(t, m, md, "deletionTimestamp", 1);
  static const char *const from_spec[] = {"nodeName",     "schedulerName",
                                          "priority",     "preemptionPolicy",
                                          "nodeSelector", "affinity",
                                          "tolerations",  "topologySpreadConstraints",
                                          "volumes",      NULL};
  for (const char *const *k = from_spec; *k; k++)
    keep(t, s, spec, *k, 1);
  keep_containers(t, s, spec, "containers");
  keep_containers(t, s, spec, "initContainers");
  json_object_set_new(out, "metadata", m);
  json_object_set_new(out, "spec", s);
  json_t *st = json_object();
  keep(t, st, json_object_get(obj, "status"), "phase", 1);
  if (json_object_size(st) > 0)
    json_object_set_new(out, "status", shared(t, st));
  json_decref(st);
  return out;
}
