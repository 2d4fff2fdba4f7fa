/*
 * object.c — dotted-path access, metadata accessors, merge patches and size
 * limits on Kubernetes-shaped jansson objects (see object.h); the strategic
 * merge patch is in strategicpatch.c.
 *
 * Patches are built functionally: the result is a fresh value that copies each
 * target node once, keeps the target's key order and never touches the inputs,
 * so a failed patch leaves nothing half-applied.
 */
#include "object.h"

#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include "cleanup.h"

/* ---- paths ---- */

/* The value at the first len bytes of a dotted path. */
static json_t *obj_lookup(const json_t *obj, const char *path, size_t len) {
  const json_t *cur = obj;
  for (;;) {
    const char *dot = memchr(path, '.', len);
    size_t n = dot ? (size_t)(dot - path) : len;
    json_t *found = json_is_object(cur) && n > 0 ? json_object_getn(cur, path, n) : NULL;
    if (found == NULL || dot == NULL)
      return found;
    cur = found;
    len -= n + 1;
    path = dot + 1;
  }
}

json_t *tug_obj_get(const json_t *obj, const char *path) {
  return path ? obj_lookup(obj, path, strlen(path)) : NULL;
}

const char *tug_obj_get_str(const json_t *obj, const char *path) {
  return json_string_value(tug_obj_get(obj, path));
}

int64_t tug_obj_get_int(const json_t *obj, const char *path, int64_t dflt) {
  json_t *v = tug_obj_get(obj, path);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

json_t *tug_obj_get_named(const json_t *obj, const char *path, const char *name) {
  size_t i;
  json_t *item;
  json_array_foreach(path ? tug_obj_get(obj, path) : obj, i, item) {
    const char *n = json_string_value(json_object_get(item, "name"));
    if (n && name && strcmp(n, name) == 0)
      return item;
  }
  return NULL;
}

static bool obj_path_valid(const char *path) {
  size_t len = path ? strlen(path) : 0;
  return len > 0 && path[0] != '.' && path[len - 1] != '.' && strstr(path, "..") == NULL;
}

/* The object holding the last step of path, creating missing objects on the way. */
static json_t *obj_parent(json_t *obj, const char *path, const char **last, tug_error *err) {
  json_t *cur = obj;
  const char *step = path;
  const char *dot;
  while ((dot = strchr(step, '.')) != NULL) {
    size_t n = (size_t)(dot - step);
    json_t *next = json_object_getn(cur, step, n);
    if (next == NULL) {
      next = json_object();
      if (json_object_setn_new(cur, step, n, next) < 0)
        return tug_error_set(err, ENOMEM, "set %s: out of memory", path), NULL;
    } else if (!json_is_object(next)) {
      const char *type = tug_obj_type_name(next);
      tug_error_set(err, EINVAL, "set %s: %.*s is %s %s, not an object", path, (int)(dot - path),
                    path, strchr("aeiou", type[0]) ? "an" : "a", type);
      return NULL;
    }
    cur = next;
    step = dot + 1;
  }
  *last = step;
  return cur;
}

int tug_obj_set(json_t *obj, const char *path, json_t *value, tug_error *err) {
  _cleanup_json_ json_t *owned = value;
  if (value == NULL)
    return tug_error_set(err, EINVAL, "set %s: no value", path ? path : "");
  if (!obj_path_valid(path))
    return tug_error_set(err, EINVAL, "set \"%s\": not a dotted path", path ? path : "");
  if (!json_is_object(obj))
    return tug_error_set(err, EINVAL, "set %s: target is not an object", path);
  const char *last;
  json_t *parent = obj_parent(obj, path, &last, err);
  if (parent == NULL)
    return -1;
  if (json_object_set_new(parent, last, tug_steal_ptr(&owned)) < 0)
    return tug_error_set(err, ENOMEM, "set %s: out of memory", path);
  return 0;
}

int tug_obj_set_str(json_t *obj, const char *path, const char *s, tug_error *err) {
  if (s == NULL)
    return tug_error_set(err, EINVAL, "set %s: NULL string", path ? path : "");
  json_t *v = json_string(s);
  if (v == NULL)
    return tug_error_set(err, EINVAL, "set %s: value is not valid UTF-8", path ? path : "");
  return tug_obj_set(obj, path, v, err);
}

bool tug_obj_del(json_t *obj, const char *path) {
  if (path == NULL)
    return false;
  const char *dot = strrchr(path, '.');
  json_t *parent = dot ? obj_lookup(obj, path, (size_t)(dot - path)) : obj;
  return json_is_object(parent) && json_object_del(parent, dot ? dot + 1 : path) == 0;
}

const char *tug_obj_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "object";
  case JSON_ARRAY:
    return "array";
  case JSON_STRING:
    return "string";
  case JSON_INTEGER:
    return "integer";
  case JSON_REAL:
    return "number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "boolean";
  case JSON_NULL:
    break;
  }
  return "null";
}

/* ---- metadata ---- */

const char *tug_obj_kind(const json_t *o) {
  return tug_obj_get_str(o, "kind");
}
const char *tug_obj_api_version(const json_t *o) {
  return tug_obj_get_str(o, "apiVersion");
}
const char *tug_obj_name(const json_t *o) {
  return tug_obj_get_str(o, "metadata.name");
}
const char *tug_obj_namespace(const json_t *o) {
  return tug_obj_get_str(o, "metadata.namespace");
}
const char *tug_obj_uid(const json_t *o) {
  return tug_obj_get_str(o, "metadata.uid");
}

const char *tug_obj_resource_version(const json_t *o) {
  return tug_obj_get_str(o, "metadata.resourceVersion");
}

const char *tug_obj_generate_name(const json_t *o) {
  return tug_obj_get_str(o, "metadata.generateName");
}

const char *tug_obj_deletion_timestamp(const json_t *o) {
  return tug_obj_get_str(o, "metadata.deletionTimestamp");
}

static json_t *obj_get_object(const json_t *o, const char *path) {
  json_t *v = tug_obj_get(o, path);
  return json_is_object(v) ? v : NULL;
}

json_t *tug_obj_labels(const json_t *o) {
  return obj_get_object(o, "metadata.labels");
}
json_t *tug_obj_annotations(const json_t *o) {
  return obj_get_object(o, "metadata.annotations");
}

const char *tug_obj_label(const json_t *o, const char *key) {
  return key ? json_string_value(json_object_get(tug_obj_labels(o), key)) : NULL;
}

const char *tug_obj_annotation(const json_t *o, const char *key) {
  return key ? json_string_value(json_object_get(tug_obj_annotations(o), key)) : NULL;
}

int tug_obj_set_name(json_t *o, const char *name, tug_error *err) {
  return tug_obj_set_str(o, "metadata.name", name, err);
}

int tug_obj_set_namespace(json_t *o, const char *ns, tug_error *err) {
  return tug_obj_set_str(o, "metadata.namespace", ns, err);
}

int tug_obj_set_uid(json_t *o, const char *uid, tug_error *err) {
  return tug_obj_set_str(o, "metadata.uid", uid, err);
}

int tug_obj_set_resource_version(json_t *o, const char *rv, tug_error *err) {
  return tug_obj_set_str(o, "metadata.resourceVersion", rv, err);
}

int tug_obj_set_generate_name(json_t *o, const char *prefix, tug_error *err) {
  return tug_obj_set_str(o, "metadata.generateName", prefix, err);
}

int tug_obj_set_deletion_timestamp(json_t *o, const char *ts, tug_error *err) {
  return tug_obj_set_str(o, "metadata.deletionTimestamp", ts, err);
}

/* Set map[key] = value inside the object at path, creating the object if needed. */
static int obj_set_in_map(json_t *o, const char *path, const char *key, const char *value,
                          tug_error *err) {
  if (key == NULL || value == NULL)
    return tug_error_set(err, EINVAL, "set %s: NULL key or value", path);
  json_t *map = tug_obj_get(o, path);
  if (map == NULL) {
    if (tug_obj_set(o, path, json_object(), err) < 0)
      return -1;
    map = tug_obj_get(o, path);
  }
  if (!json_is_object(map))
    return tug_error_set(err, EINVAL, "set %s[%s]: %s is not an object", path, key, path);
  if (json_object_set_new(map, key, json_string(value)) < 0)
    return tug_error_set(err, EINVAL, "set %s[%s]: value is not valid UTF-8", path, key);
  return 0;
}

int tug_obj_set_label(json_t *o, const char *key, const char *value, tug_error *err) {
  return obj_set_in_map(o, "metadata.labels", key, value, err);
}

int tug_obj_set_annotation(json_t *o, const char *key, const char *value, tug_error *err) {
  return obj_set_in_map(o, "metadata.annotations", key, value, err);
}

/* ---- RFC 7386 merge patch ---- */

static json_t *merge_value(const json_t *target, const json_t *patch);

/* Patch object over target (any value): target keys keep their order, new ones follow. */
static json_t *merge_object(const json_t *target, const json_t *patch) {
  _cleanup_json_ json_t *out = json_object();
  const char *key;
  size_t klen;
  json_t *v;
  if (out == NULL)
    return NULL;
  if (json_is_object(target)) {
    json_object_keylen_foreach((json_t *)target, key, klen, v) {
      json_t *pv = json_object_getn(patch, key, klen);
      if (json_is_null(pv))
        continue;
      json_t *nv = pv ? merge_value(v, pv) : json_deep_copy(v);
      if (json_object_setn_new(out, key, klen, nv) < 0)
        return NULL;
    }
  }
  json_object_keylen_foreach((json_t *)patch, key, klen, v) {
    if (json_is_null(v) || json_object_getn(target, key, klen))
      continue;
    if (json_object_setn_new(out, key, klen, merge_value(NULL, v)) < 0)
      return NULL;
  }
  return tug_steal_ptr(&out);
}

static json_t *merge_value(const json_t *target, const json_t *patch) {
  return json_is_object(patch) ? merge_object(target, patch) : json_deep_copy(patch);
}

json_t *tug_obj_merge_patch(const json_t *target, const json_t *patch) {
  return patch ? merge_value(target, patch) : NULL;
}

/* ---- limits ---- */

/* One open container during the walk, and where we are in it. */
typedef struct limits_frame {
  const json_t *v;
  void *iter; /* objects */
  size_t idx; /* arrays */
} limits_frame;

/* The next child of the container in f, or NULL when it has none left. */
static const json_t *limits_next(limits_frame *f) {
  if (json_is_array(f->v))
    return f->idx < json_array_size(f->v) ? json_array_get(f->v, f->idx++) : NULL;
  if (f->iter == NULL)
    return NULL;
  const json_t *child = json_object_iter_value(f->iter);
  f->iter = json_object_iter_next((json_t *)f->v, f->iter);
  return child;
}

/* Count v and, when it is a container, push it; depth is the number of open frames. */
static int limits_visit(const json_t *v, limits_frame **stack, size_t *depth, size_t *cap,
                        size_t max_depth, tug_error *err) {
  if (!json_is_object(v) && !json_is_array(v))
    return 0;
  if (*depth >= max_depth)
    return tug_error_set(err, TUG_E_PARSE, "JSON is nested deeper than %zu levels", max_depth);
  if (*depth == *cap) {
    size_t ncap = *cap ? *cap * 2 : 16;
    limits_frame *ns = reallocarray(*stack, ncap, sizeof **stack);
    if (ns == NULL)
      return tug_error_set(err, ENOMEM, "check JSON limits: out of memory");
    *stack = ns;
    *cap = ncap;
  }
  (*stack)[(*depth)++] =
      (limits_frame){.v = v, .iter = json_is_object(v) ? json_object_iter((json_t *)v) : NULL};
  return 0;
}

int tug_obj_check_limits(const json_t *v, int max_depth, size_t max_nodes, tug_error *err) {
  _cleanup_free_ limits_frame *stack = NULL;
  size_t depth = 0, cap = 0, nodes = 1;
  size_t maxd = max_depth > 0 ? (size_t)max_depth : 0;
  if (v == NULL)
    return 0;
  if (nodes > max_nodes)
    return tug_error_set(err, TUG_E_PARSE, "JSON has more than %zu values", max_nodes);
  if (limits_visit(v, &stack, &depth, &cap, maxd, err) < 0)
    return -1;
  while (depth > 0) {
    const json_t *child = limits_next(&stack[depth - 1]);
    if (child == NULL) {
      depth--;
      continue;
    }
    if (++nodes > max_nodes)
      return tug_error_set(err, TUG_E_PARSE, "JSON has more than %zu values", max_nodes);
    if (limits_visit(child, &stack, &depth, &cap, maxd, err) < 0)
      return -1;
  }
  return 0;
}

bool tug_json_same(const json_t *a, const json_t *b) {
  return (a == NULL && b == NULL) || json_equal(a, b);
}
