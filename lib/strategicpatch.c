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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
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

/* ---- list order ---- */

/* What identifies element e: its merge key's value, or itself for scalars. */
static const json_t *smp_id(const json_t *e, const char *key) {
  return key ? json_object_get(e, key) : e;
}

static ssize_t smp_index(const json_t *list, const json_t *e, const char *key) {
  const json_t *id = smp_id(e, key);
  size_t i;
  json_t *x;
  if (id == NULL)
    return -1;
  json_array_foreach(list, i, x) {
    const json_t *xid = smp_id(x, key);
    if (xid && json_equal(xid, id))
      return (ssize_t)i;
  }
  return -1;
}

/* Stable insertion sort of a by position in ref; elements not in ref last. */
static void smp_sort_by(json_t *a, const json_t *ref, const char *key) {
  size_t n = json_array_size(a);
  for (size_t i = 1; i < n; i++) {
    json_t *e = json_incref(json_array_get(a, i));
    ssize_t ei = smp_index(ref, e, key);
    size_t j = i;
    while (j > 0 && ei >= 0) {
      ssize_t pi = smp_index(ref, json_array_get(a, j - 1), key);
      if (pi >= 0 && pi <= ei)
        break;
      json_array_set(a, j, json_array_get(a, j - 1));
      j--;
    }
    json_array_set_new(a, j, e);
  }
}

/* merged reordered: the elements order names, in its order, interleaved with
 * the rest in the stored order (original). New array, NULL when out of memory. */
static json_t *smp_order(const json_t *merged, const json_t *order, const json_t *original,
                         const char *key) {
  _cleanup_json_ json_t *named = json_array(), *rest = json_array(), *out = json_array();
  size_t i, j = 0, k = 0;
  json_t *e;
  if (named == NULL || rest == NULL || out == NULL)
    return NULL;
  json_array_foreach(merged, i, e) {
    if (json_array_append(smp_index(order, e, key) >= 0 ? named : rest, e) < 0)
      return NULL;
  }
  smp_sort_by(named, order, key);
  smp_sort_by(rest, original, key);
  while (j < json_array_size(rest) || k < json_array_size(named)) {
    json_t *l = json_array_get(rest, j), *r = json_array_get(named, k);
    ssize_t li = l ? smp_index(original, l, key) : -1, ri = r ? smp_index(original, r, key) : -1;
    bool left = r == NULL || (l && li >= 0 && ri >= 0 && li < ri);
    if (json_array_append(out, left ? l : r) < 0)
      return NULL;
    if (left)
      j++;
    else
      k++;
  }
  return tug_steal_ptr(&out);
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

/* Remove from list every element whose key equals the key of e. */
static void smp_remove_matching(json_t *list, const json_t *e, const char *key) {
  ssize_t at;
  while ((at = smp_index(list, e, key)) >= 0)
    json_array_remove(list, (size_t)at);
}

/* Apply the list's special elements ({"$patch": ...}) to base; the others go
 * to items. *replace when the patch replaces the list. */
static int smp_specials(smp *c, json_t *base, const json_t *patch, const char *key,
                        const char *path, json_t *items, bool *replace) {
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
    if (d == SMP_DELETE)
      smp_remove_matching(base, e, key);
    else if (json_array_append(items, e) < 0)
      return smp_oom(c);
  }
  return 0;
}

/* Merge a list of objects by key into base (owned copy of the target list). */
static int smp_keyed(smp *c, json_t **base, const json_t *patch, const char *key, const char *path,
                     json_t *items) {
  bool replace = false;
  size_t i;
  json_t *e, *nv;
  if (smp_specials(c, *base, patch, key, path, items, &replace) < 0)
    return -1;
  if (replace)
    json_array_clear(*base);
  json_array_foreach(items, i, e) {
    ssize_t at = smp_index(*base, e, key);
    if (smp_value(c, at >= 0 ? json_array_get(*base, (size_t)at) : NULL, e, path, &nv) < 0)
      return -1;
    int rc = at >= 0 ? json_array_set_new(*base, (size_t)at, nv) : json_array_append_new(*base, nv);
    if (rc < 0)
      return smp_oom(c);
  }
  return 0;
}

/* Append the patch's scalars that base lacks; items gets the patch's values. */
static int smp_union(smp *c, json_t *base, const json_t *patch, json_t *items) {
  size_t i;
  json_t *e;
  json_array_foreach(patch, i, e) {
    if (json_array_append(items, e) < 0)
      return smp_oom(c);
    if (smp_index(base, e, NULL) < 0 && json_array_append(base, e) < 0)
      return smp_oom(c);
  }
  return 0;
}

/* The stored list with the values of dels (a $deleteFromPrimitiveList) removed. */
static int smp_base(smp *c, const json_t *target, const json_t *dels, const char *path,
                    json_t **out) {
  size_t i;
  json_t *e;
  if (dels && !json_is_array(dels))
    return tug_error_set(c->err, TUG_E_PARSE,
                         "strategic merge patch: $deleteFromPrimitiveList/%s must be a list", path);
  if ((*out = json_is_array(target) ? json_deep_copy(target) : json_array()) == NULL)
    return smp_oom(c);
  json_array_foreach(dels, i, e) smp_remove_matching(*out, e, NULL);
  return 0;
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
  *out = smp_order(base, order ? order : items, stored, f.merge_key);
  return *out ? 0 : smp_oom(c);
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
