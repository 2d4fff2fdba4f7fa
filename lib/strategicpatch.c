/*
 * strategicpatch.c — strategic merge patch with its directives (see
 * strategicpatch.h).
 *
 * The result is built functionally, like tug_obj_merge_patch: each target
 * node is copied once and the inputs are never touched, so a failed patch
 * leaves nothing half-applied. An object is merged key by key; a list field
 * is merged with everything the parent object says about it ($setElementOrder,
 * $deleteFromPrimitiveList), which is why lists are handled from their parent
 * (smp_field) rather than on their own.
 *
 * The order of a merged list follows Kubernetes: elements named by the patch
 * (or by $setElementOrder) in that order, the others in their stored order,
 * interleaved where the stored order relates the two.
 */
#include "strategicpatch.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "hashmap.h"
#include "object.h"

#define ORDER_PREFIX "$setElementOrder/"
#define DELETE_PREFIX "$deleteFromPrimitiveList/"

enum smp_directive { SMP_NONE, SMP_MERGE, SMP_REPLACE, SMP_DELETE };

typedef struct smp {
  const tug_smp_schema *schema;
  tug_error *err;
} smp;

static int smp_value(smp *c, const json_t *target, const json_t *patch, const char *path,
                     json_t **out);
static int smp_list(smp *c, const json_t *target, const json_t *patch, const json_t *order,
                    const json_t *dels, const char *path, json_t **out);

static int smp_oom(smp *c) {
  return tug_error_set(c->err, ENOMEM, "strategic merge patch: out of memory");
}

static const char *smp_where(const char *path) {
  return path[0] ? path : "the object";
}

/* The "$patch" directive of v, SMP_NONE when it has none, -1 when unknown. */
static int smp_directive(smp *c, const json_t *v, const char *path) {
  json_t *d = json_object_get(v, "$patch");
  const char *s = json_string_value(d);
  if (d == NULL)
    return SMP_NONE;
  if (s && strcmp(s, "merge") == 0)
    return SMP_MERGE;
  if (s && strcmp(s, "replace") == 0)
    return SMP_REPLACE;
  if (s && strcmp(s, "delete") == 0)
    return SMP_DELETE;
  return tug_error_set(c->err, TUG_E_PARSE,
                       "strategic merge patch: unknown $patch directive %s%s%s in %s (want "
                       "merge, replace or delete)",
                       s ? "\"" : "", s ? s : tug_obj_type_name(d), s ? "\"" : "", smp_where(path));
}

/* "path.key" (or "key" at the top), malloc'd; NULL when memory runs out. */
static char *smp_child(const char *path, const char *key, size_t klen) {
  size_t plen = strlen(path);
  char *s = malloc(plen + klen + 2);
  if (s == NULL)
    return NULL;
  if (plen)
    memcpy(s, path, plen), s[plen++] = '.';
  memcpy(s + plen, key, klen);
  s[plen + klen] = '\0';
  return s;
}

static bool smp_has_prefix(const char *key, size_t klen, const char *prefix) {
  size_t n = strlen(prefix);
  return klen > n && strncmp(key, prefix, n) == 0;
}

/* The list directive for field key in patch: patch["<prefix><key>"]. */
static json_t *smp_list_directive(const json_t *patch, const char *prefix, const char *key,
                                  size_t klen) {
  char name[512];
  int n = snprintf(name, sizeof name, "%s%.*s", prefix, (int)klen, key);
  return n > 0 && (size_t)n < sizeof name ? json_object_get(patch, name) : NULL;
}

/* ---- which lists merge ---- */

/* An array whose objects all carry a string "name" (the {"$patch":"replace"}
 * marker aside), and at least one does. */
static bool smp_named(const json_t *a) {
  size_t i, named = 0;
  json_t *e;
  json_array_foreach(a, i, e) {
    bool marker = json_object_size(e) == 1 && json_object_get(e, "$patch");
    if (!marker && !json_is_string(json_object_get(e, "name")))
      return false;
    named += !marker;
  }
  return named > 0;
}

static bool smp_scalars(const json_t *a) {
  size_t i;
  json_t *e;
  json_array_foreach(a, i, e) {
    if (json_is_object(e) || json_is_array(e))
      return false;
  }
  return true;
}

/* How the list at path merges: the schema's answer, else a guess from the
 * values (hinted: the patch gave the list an order or a deletion list, which
 * clients send only for merging lists). */
static tug_smp_field smp_meta(smp *c, const char *path, const json_t *target, const json_t *patch,
                              bool hinted) {
  tug_smp_field f = {0};
  if (c->schema && c->schema->lookup && c->schema->lookup(c->schema->ctx, path, &f))
    return f;
  bool target_named = !json_is_array(target) || json_array_size(target) == 0 || smp_named(target);
  if (json_is_array(patch) && smp_named(patch) && target_named)
    return (tug_smp_field){.merge = true, .merge_key = "name"};
  if (hinted && json_is_array(target) && smp_named(target))
    return (tug_smp_field){.merge = true, .merge_key = "name"};
  if (hinted && (!json_is_array(target) || smp_scalars(target)) &&
      (!json_is_array(patch) || smp_scalars(patch)))
    return (tug_smp_field){.merge = true};
  return f;
}

/* ---- element identity and list order ---- */

/* Where elements sit in a list, by identity (the merge key's value, or the
 * element itself for scalars). Patches may carry lists of many thousands, so
 * finding an element must not scan the list. */
typedef struct smp_ids {
  tug_hashmap *pos; /* identity as JSON text → position + 1, first occurrence */
} smp_ids;

/* The identity of e as JSON text, malloc'd; NULL when e lacks the key. */
static char *smp_id(const json_t *e, const char *key) {
  const json_t *id = key ? json_object_get(e, key) : e;
  return id ? json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
}

static void smp_ids_free(smp_ids *x) {
  tug_hashmap_free(x->pos, NULL);
  x->pos = NULL;
}

/* Note that e sits at position at, unless its identity is already known. */
static void smp_ids_add(smp_ids *x, const json_t *e, const char *key, size_t at) {
  _cleanup_free_ char *id = smp_id(e, key);
  if (id && tug_hashmap_get(x->pos, id) == NULL)
    tug_hashmap_put(x->pos, id, (void *)(uintptr_t)(at + 1));
}

static int smp_ids_build(smp *c, smp_ids *x, const json_t *list, const char *key) {
  size_t i;
  json_t *e;
  if ((x->pos = tug_hashmap_new()) == NULL)
    return smp_oom(c);
  json_array_foreach(list, i, e) smp_ids_add(x, e, key, i);
  return 0;
}

/* The position of the element with e's identity; -1 when none. */
static ssize_t smp_ids_find(const smp_ids *x, const json_t *e, const char *key) {
  _cleanup_free_ char *id = smp_id(e, key);
  void *v = id ? tug_hashmap_get(x->pos, id) : NULL;
  return v ? (ssize_t)(uintptr_t)v - 1 : -1;
}

/* list without the elements whose identity one of drop has; new array. */
static int smp_drop(smp *c, const json_t *list, const json_t *drop, const char *key, json_t **out) {
  smp_ids gone;
  size_t i;
  json_t *e;
  if (smp_ids_build(c, &gone, drop, key) < 0)
    return -1;
  *out = json_array();
  json_array_foreach(list, i, e) {
    if (*out && smp_ids_find(&gone, e, key) < 0 && json_array_append(*out, e) < 0)
      json_decref(tug_steal_ptr(out));
  }
  smp_ids_free(&gone);
  return *out ? 0 : smp_oom(c);
}

/* One element of a merged list and where it sits in the order and the stored list. */
typedef struct smp_slot {
  json_t *e;
  ssize_t ordered, stored; /* -1: not there */
  size_t seq;              /* position in the merged list, for stable sorting */
} smp_slot;

static int smp_by_order(const void *a, const void *b) {
  const smp_slot *x = a, *y = b;
  if (x->ordered != y->ordered)
    return x->ordered < y->ordered ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Stored elements by stored position; elements the stored list lacks last. */
static int smp_by_stored(const void *a, const void *b) {
  const smp_slot *x = a, *y = b;
  if ((x->stored < 0) != (y->stored < 0))
    return x->stored < 0 ? 1 : -1;
  if (x->stored != y->stored)
    return x->stored < y->stored ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Interleave named (in order) and rest (stored order) the way Kubernetes
 * does: a stored-only element goes first only when the stored list puts it
 * before the next named one. */
static json_t *smp_interleave(const smp_slot *named, size_t nn, const smp_slot *rest, size_t nr) {
  _cleanup_json_ json_t *out = json_array();
  size_t j = 0, k = 0;
  while (out && (j < nr || k < nn)) {
    bool left = k == nn || (j < nr && rest[j].stored >= 0 && named[k].stored >= 0 &&
                            rest[j].stored < named[k].stored);
    if (json_array_append(out, left ? rest[j++].e : named[k++].e) < 0)
      return NULL;
  }
  return tug_steal_ptr(&out);
}

/* merged reordered: the elements order names, in its order, interleaved with
 * the rest in the stored order (original). New array, NULL when out of memory. */
static json_t *smp_order(smp *c, const json_t *merged, const json_t *order, const json_t *original,
                         const char *key) {
  size_t n = json_array_size(merged), nn = 0, nr = 0, i;
  smp_ids in_order = {0}, in_stored = {0};
  _cleanup_free_ smp_slot *named = calloc(n + 1, sizeof *named);
  _cleanup_free_ smp_slot *rest = calloc(n + 1, sizeof *rest);
  json_t *e, *out = NULL;
  if (named && rest && smp_ids_build(c, &in_order, order, key) == 0 &&
      smp_ids_build(c, &in_stored, original, key) == 0) {
    json_array_foreach(merged, i, e) {
      smp_slot s = {e, smp_ids_find(&in_order, e, key), smp_ids_find(&in_stored, e, key), i};
      if (s.ordered >= 0)
        named[nn++] = s;
      else
        rest[nr++] = s;
    }
    qsort(named, nn, sizeof *named, smp_by_order);
    qsort(rest, nr, sizeof *rest, smp_by_stored);
    out = smp_interleave(named, nn, rest, nr);
  }
  smp_ids_free(&in_order);
  smp_ids_free(&in_stored);
  if (out == NULL)
    smp_oom(c);
  return out;
}

/* ---- lists ---- */

/* The patch list as a value of its own (nothing to merge into): directive
 * elements dropped, directives inside the others applied. */
static int smp_fresh_list(smp *c, const json_t *patch, const char *path, json_t **out) {
  _cleanup_json_ json_t *res = json_array();
  size_t i;
  json_t *e, *nv;
  if (res == NULL)
    return smp_oom(c);
  json_array_foreach(patch, i, e) {
    if (json_is_object(e) && json_object_get(e, "$patch")) {
      if (smp_directive(c, e, path) < 0)
        return -1;
      continue;
    }
    if (smp_value(c, NULL, e, path, &nv) < 0)
      return -1;
    if (nv && json_array_append_new(res, nv) < 0)
      return smp_oom(c);
  }
  *out = tug_steal_ptr(&res);
  return 0;
}

/* Sort the patch list's elements: {"$patch":"delete"} ones to gone, plain ones
 * to items; *replace when the patch replaces the list. */
static int smp_specials(smp *c, const json_t *patch, const char *key, const char *path,
                        json_t *gone, json_t *items, bool *replace) {
  size_t i;
  json_t *e;
  json_array_foreach(patch, i, e) {
    if (!json_is_object(e))
      return tug_error_set(c->err, EINVAL,
                           "strategic merge patch: %s merges by \"%s\" but its patch holds %s",
                           path, key, tug_obj_type_name(e));
    int d = smp_directive(c, e, path);
    if (d < 0)
      return -1;
    if (d == SMP_MERGE)
      return tug_error_set(c->err, TUG_E_PARSE,
                           "strategic merge patch: \"$patch\": \"merge\" is not allowed in "
                           "the list %s",
                           path);
    if (d == SMP_REPLACE) {
      *replace = true;
      continue;
    }
    if (json_object_get(e, key) == NULL)
      return tug_error_set(c->err, EINVAL,
                           "strategic merge patch: an element of %s lacks its merge key \"%s\"",
                           path, key);
    if (json_array_append(d == SMP_DELETE ? gone : items, e) < 0)
      return smp_oom(c);
  }
  return 0;
}

/* Merge each of items into the element of base with its key, or append it. */
static int smp_merge_items(smp *c, json_t *base, smp_ids *ids, const json_t *items, const char *key,
                           const char *path) {
  size_t i;
  json_t *e, *nv;
  json_array_foreach(items, i, e) {
    ssize_t at = smp_ids_find(ids, e, key);
    if (smp_value(c, at >= 0 ? json_array_get(base, (size_t)at) : NULL, e, path, &nv) < 0)
      return -1;
    if (at < 0)
      smp_ids_add(ids, e, key, json_array_size(base));
    int rc = at >= 0 ? json_array_set_new(base, (size_t)at, nv) : json_array_append_new(base, nv);
    if (rc < 0)
      return smp_oom(c);
  }
  return 0;
}

/* Merge a list of objects by key into base (owned copy of the target list). */
static int smp_keyed(smp *c, json_t **base, const json_t *patch, const char *key, const char *path,
                     json_t *items) {
  bool replace = false;
  _cleanup_json_ json_t *gone = json_array(), *kept = NULL;
  if (gone == NULL)
    return smp_oom(c);
  if (smp_specials(c, patch, key, path, gone, items, &replace) < 0 ||
      smp_drop(c, *base, gone, key, &kept) < 0)
    return -1;
  if (replace)
    json_array_clear(kept);
  json_decref(*base);
  *base = tug_steal_ptr(&kept);
  smp_ids ids;
  if (smp_ids_build(c, &ids, *base, key) < 0)
    return -1;
  int rc = smp_merge_items(c, *base, &ids, items, key, path);
  smp_ids_free(&ids);
  return rc;
}

/* Append the patch's scalars that base lacks; items gets the patch's values. */
static int smp_union(smp *c, json_t *base, const json_t *patch, json_t *items) {
  smp_ids ids;
  size_t i;
  json_t *e;
  int rc = smp_ids_build(c, &ids, base, NULL);
  json_array_foreach(patch, i, e) {
    if (rc < 0)
      break;
    if (json_array_append(items, e) < 0)
      rc = smp_oom(c);
    else if (smp_ids_find(&ids, e, NULL) < 0) {
      smp_ids_add(&ids, e, NULL, json_array_size(base));
      rc = json_array_append(base, e) < 0 ? smp_oom(c) : 0;
    }
  }
  smp_ids_free(&ids);
  return rc;
}

/* The stored list with the values of dels (a $deleteFromPrimitiveList) removed. */
static int smp_base(smp *c, const json_t *target, const json_t *dels, const char *path,
                    json_t **out) {
  if (dels && !json_is_array(dels))
    return tug_error_set(c->err, TUG_E_PARSE,
                         "strategic merge patch: $deleteFromPrimitiveList/%s must be a list", path);
  _cleanup_json_ json_t *copy = json_is_array(target) ? json_deep_copy(target) : json_array();
  if (copy == NULL)
    return smp_oom(c);
  if (dels == NULL) {
    *out = tug_steal_ptr(&copy);
    return 0;
  }
  return smp_drop(c, copy, dels, NULL, out);
}

static int smp_list(smp *c, const json_t *target, const json_t *patch, const json_t *order,
                    const json_t *dels, const char *path, json_t **out) {
  if (order && !json_is_array(order))
    return tug_error_set(c->err, TUG_E_PARSE,
                         "strategic merge patch: $setElementOrder/%s must be a list", path);
  tug_smp_field f = smp_meta(c, path, target, patch, order || dels);
  bool merging = f.merge && json_is_array(target) && patch;
  _cleanup_json_ json_t *base = NULL, *items = json_array();
  if (items == NULL)
    return smp_oom(c);
  if (smp_base(c, target, dels, path, &base) < 0)
    return -1;
  if (patch && !merging) {
    json_decref(base);
    base = NULL;
    if (smp_fresh_list(c, patch, path, &base) < 0)
      return -1;
  } else if (merging && (f.merge_key ? smp_keyed(c, &base, patch, f.merge_key, path, items)
                                     : smp_union(c, base, patch, items)) < 0) {
    return -1;
  }
  if (!merging && !order) {
    *out = tug_steal_ptr(&base);
    return 0;
  }
  const json_t *stored = json_is_array(target) ? target : base;
  *out = smp_order(c, base, order ? order : items, stored, f.merge_key);
  return *out ? 0 : -1;
}

/* ---- objects ---- */

/* Whether key is one of the directives an object may hold. */
static bool smp_known_directive(const char *key, size_t klen) {
  return strcmp(key, "$patch") == 0 || strcmp(key, "$retainKeys") == 0 ||
         smp_has_prefix(key, klen, ORDER_PREFIX) || smp_has_prefix(key, klen, DELETE_PREFIX);
}

/* Refuse "$"-keys that are no directive: stored, they would be data. */
static int smp_check_keys(smp *c, const json_t *patch, const char *path) {
  const char *key;
  size_t klen;
  json_t *v;
  json_object_keylen_foreach((json_t *)patch, key, klen, v) {
    if (key[0] == '$' && !smp_known_directive(key, klen))
      return tug_error_set(c->err, TUG_E_PARSE,
                           "strategic merge patch: unknown directive \"%s\" in %s", key,
                           smp_where(path));
  }
  return 0;
}

static bool smp_retained(const json_t *retain, const char *key) {
  size_t i;
  json_t *v;
  if (retain == NULL)
    return true;
  json_array_foreach(retain, i, v) {
    if (strcmp(json_string_value(v), key) == 0)
      return true;
  }
  return false;
}

/* $retainKeys: a list of key names that every non-null patch key is in. */
static int smp_retain(smp *c, const json_t *patch, const char *path, const json_t **retain) {
  const char *key;
  size_t i;
  json_t *v;
  *retain = json_object_get(patch, "$retainKeys");
  if (*retain == NULL)
    return 0;
  json_array_foreach(*retain, i, v) {
    if (!json_is_string(v))
      break;
  }
  if (!json_is_array(*retain) || i < json_array_size(*retain))
    return tug_error_set(c->err, TUG_E_PARSE,
                         "strategic merge patch: $retainKeys in %s must be a list of keys",
                         smp_where(path));
  json_object_foreach((json_t *)patch, key, v) {
    if (key[0] == '$' || json_is_null(v) || smp_retained(*retain, key))
      continue;
    return tug_error_set(c->err, EINVAL,
                         "strategic merge patch: %s sets \"%s\", which its $retainKeys omits",
                         smp_where(path), key);
  }
  return 0;
}

/* The merged value of one field into *out (NULL: the field goes). */
static int smp_field(smp *c, const json_t *tv, const json_t *patch, const char *key, size_t klen,
                     const char *path, json_t **out) {
  _cleanup_free_ char *child = smp_child(path, key, klen);
  const json_t *pv = json_object_getn(patch, key, klen);
  const json_t *order = smp_list_directive(patch, ORDER_PREFIX, key, klen);
  const json_t *dels = smp_list_directive(patch, DELETE_PREFIX, key, klen);
  *out = NULL;
  if (child == NULL)
    return smp_oom(c);
  if (json_is_null(pv))
    return 0;
  bool list = json_is_array(pv) || (pv == NULL && json_is_array(tv) && (order || dels));
  if (list)
    return smp_list(c, tv, pv, order, dels, child, out);
  if (pv)
    return smp_value(c, tv, pv, child, out);
  if (tv && (*out = json_deep_copy(tv)) == NULL)
    return smp_oom(c);
  return 0;
}

static int smp_object(smp *c, const json_t *target, const json_t *patch, const char *path,
                      json_t **out) {
  const json_t *retain;
  const char *key;
  size_t klen;
  json_t *v, *nv;
  if (smp_check_keys(c, patch, path) < 0 || smp_retain(c, patch, path, &retain) < 0)
    return -1;
  _cleanup_json_ json_t *res = json_object();
  if (res == NULL)
    return smp_oom(c);
  json_object_keylen_foreach((json_t *)target, key, klen, v) {
    if (!smp_retained(retain, key))
      continue;
    if (smp_field(c, v, patch, key, klen, path, &nv) < 0)
      return -1;
    if (nv && json_object_setn_new(res, key, klen, nv) < 0)
      return smp_oom(c);
  }
  json_object_keylen_foreach((json_t *)patch, key, klen, v) {
    if (key[0] == '$' || json_object_getn(target, key, klen))
      continue;
    if (smp_field(c, NULL, patch, key, klen, path, &nv) < 0)
      return -1;
    if (nv && json_object_setn_new(res, key, klen, nv) < 0)
      return smp_oom(c);
  }
  *out = tug_steal_ptr(&res);
  return 0;
}

/* *out is NULL when the patch leaves no value: {"$patch":"delete"} on a field
 * the target lacks. On one it has, Kubernetes leaves an empty object. */
static int smp_value(smp *c, const json_t *target, const json_t *patch, const char *path,
                     json_t **out) {
  *out = NULL;
  if (json_is_object(patch)) {
    int d = smp_directive(c, patch, path);
    if (d < 0)
      return -1;
    if (d == SMP_DELETE && json_is_object(target) && (*out = json_object()) == NULL)
      return smp_oom(c);
    if (d == SMP_DELETE)
      return 0;
    return smp_object(c, d == SMP_REPLACE || !json_is_object(target) ? NULL : target, patch, path,
                      out);
  }
  if (json_is_array(patch))
    return smp_list(c, target, patch, NULL, NULL, path, out);
  if ((*out = json_deep_copy(patch)) == NULL)
    return smp_oom(c);
  return 0;
}

int tug_smp_apply(const json_t *target, const json_t *patch, const tug_smp_schema *schema,
                  json_t **out, tug_error *err) {
  smp c = {.schema = schema, .err = err};
  *out = NULL;
  if (patch == NULL)
    return tug_error_set(err, EINVAL, "strategic merge patch: no patch");
  if (smp_value(&c, target, patch, "", out) < 0)
    return -1;
  if (*out == NULL || smp_directive(&c, patch, "") == SMP_DELETE) {
    json_decref(*out);
    *out = NULL;
    return tug_error_set(err, TUG_E_PARSE,
                         "strategic merge patch: \"$patch\": \"delete\" applies to a field or "
                         "list element, not the whole object");
  }
  return 0;
}
