/* managedfields.c — field ownership on writes and apply (see managedfields.h). */
#include "managedfields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fieldset.h"
#include "object.h"

static const char BEFORE_FIRST_APPLY[] = "before-first-apply";
static const char ANCIENT_CHANGES[] = "ancient-changes";
/* Kubernetes keeps at most this many Update entries; older ones are folded. */
enum { MAX_UPDATE_MANAGERS = 10 };
static const char KUBECTL[] = "kubectl";

/* A manager is {"entry": its ManagedFieldsEntry without fieldsV1, "set": set}. */
static json_t *manager_new(const char *name, const char *operation, const char *api_version,
                           const char *subresource) {
  json_t *e = json_pack("{s:s, s:s, s:s}", "manager", name, "operation", operation, "apiVersion",
                        api_version ? api_version : "");
  if (subresource && subresource[0])
    json_object_set_new(e, "subresource", json_string(subresource));
  return json_pack("{s:o, s:o}", "entry", e, "set", json_object());
}

static const char *entry_str(const json_t *m, const char *key) {
  const char *v = json_string_value(json_object_get(json_object_get(m, "entry"), key));
  return v ? v : "";
}

static json_t *set_of(const json_t *m) {
  return json_object_get(m, "set");
}

static void set_set(json_t *m, json_t *set) {
  json_object_set_new(m, "set", set);
}

static bool same_manager(const json_t *m, const char *name, const char *operation,
                         const char *api_version, const char *subresource) {
  return strcmp(entry_str(m, "manager"), name) == 0 &&
         strcmp(entry_str(m, "operation"), operation) == 0 &&
         strcmp(entry_str(m, "subresource"), subresource ? subresource : "") == 0 &&
         (strcmp(operation, "Apply") == 0 || strcmp(entry_str(m, "apiVersion"), api_version) == 0);
}

/* The managers of obj's managedFields; -1 when they are malformed. An entry
 * with neither manager nor fields ([{}], Kubernetes' way to reset them) is
 * dropped. */
static int decode(const json_t *obj, json_t **out, tug_error *err) {
  json_t *list = tug_obj_get(obj, "metadata.managedFields");
  *out = json_array();
  if (list && !json_is_array(list))
    return tug_error_set(err, TUG_E_PARSE, "metadata.managedFields must be a list");
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    json_t *v1 = json_object_get(e, "fieldsV1"), *set;
    const char *type = json_string_value(json_object_get(e, "fieldsType"));
    if (!json_is_object(e) || (type && strcmp(type, "FieldsV1") != 0))
      return tug_error_set(err, TUG_E_PARSE, "metadata.managedFields[%zu]: no FieldsV1 entry", i);
    if (json_object_get(e, "manager") == NULL && v1 == NULL)
      continue;
    if (tug_fieldset_from_v1(v1, &set, err) < 0)
      return tug_error_wrap(err, "metadata.managedFields[%zu]", i);
    json_t *entry = json_deep_copy(e);
    json_object_del(entry, "fieldsV1");
    json_object_del(entry, "fieldsType");
    json_array_append_new(*out, json_pack("{s:o, s:o}", "entry", entry, "set", set));
  }
  return 0;
}

static int entry_order(const void *pa, const void *pb) {
  json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
  static const char *const keys[] = {"operation", "time", "manager", "apiVersion", "subresource"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    int c = strcmp(entry_str(a, keys[i]), entry_str(b, keys[i]));
    if (c)
      return c;
  }
  return 0;
}

/* Managers with fields, sorted as Kubernetes sorts them, into obj. */
static void encode(const json_t *managers, json_t *obj) {
  size_t n = json_array_size(managers), k = 0;
  json_t **v = calloc(n + 1, sizeof *v);
  for (size_t i = 0; v && i < n; i++)
    if (!tug_fieldset_empty(set_of(json_array_get(managers, i))))
      v[k++] = json_array_get(managers, i);
  if (v)
    qsort(v, k, sizeof *v, entry_order);
  json_t *list = json_array();
  for (size_t i = 0; i < k; i++) {
    json_t *e = json_object();
    static const char *const order[] = {"manager", "operation", "apiVersion", "time"};
    for (size_t j = 0; j < sizeof order / sizeof order[0]; j++)
      if (entry_str(v[i], order[j])[0])
        json_object_set_new(e, order[j], json_string(entry_str(v[i], order[j])));
    json_object_set_new(e, "fieldsType", json_string("FieldsV1"));
    json_object_set_new(e, "fieldsV1", tug_fieldset_to_v1(set_of(v[i])));
    if (entry_str(v[i], "subresource")[0])
      json_object_set_new(e, "subresource", json_string(entry_str(v[i], "subresource")));
    json_array_append_new(list, e);
  }
  free(v);
  if (k)
    tug_obj_set(obj, "metadata.managedFields", list, NULL);
  else
    json_decref(list), tug_obj_del(obj, "metadata.managedFields");
}

static int by_age(const void *pa, const void *pb) {
  json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
  int c = strcmp(entry_str(a, "time"), entry_str(b, "time"));
  return c ? c : strcmp(entry_str(a, "manager"), entry_str(b, "manager"));
}

/* Beyond MAX_UPDATE_MANAGERS Update entries, the oldest are folded, as in
 * Kubernetes, into one "ancient-changes" entry per apiVersion, so that a
 * long life of many writers does not grow the object without bound. */
static void fold_ancient(json_t *managers) {
  size_t n = 0, i;
  json_t *m, **v = calloc(json_array_size(managers) + 1, sizeof *v);
  if (v == NULL)
    return;
  json_array_foreach(managers, i, m) {
    if (strcmp(entry_str(m, "operation"), "Update") == 0 && !tug_fieldset_empty(set_of(m)))
      v[n++] = m;
  }
  qsort(v, n, sizeof *v, by_age);
  _cleanup_json_ json_t *first = json_object(); /* apiVersion -> its oldest entry */
  size_t count = n;
  for (i = 0; i < n && count > MAX_UPDATE_MANAGERS; i++) {
    json_t *at = json_object_get(first, entry_str(v[i], "apiVersion"));
    if (at == NULL) {
      json_object_set_new(first, entry_str(v[i], "apiVersion"), json_integer((json_int_t)i));
      continue;
    }
    json_t *bucket = v[json_integer_value(at)], *e = json_object_get(bucket, "entry");
    json_object_set_new(e, "manager", json_string(ANCIENT_CHANGES));
    json_object_del(e, "subresource");
    json_object_set(e, "time", json_object_get(json_object_get(v[i], "entry"), "time"));
    set_set(bucket, tug_fieldset_union(set_of(bucket), set_of(v[i])));
    set_set(v[i], json_object()); /* empty: encode leaves it out */
    count--;
  }
  free(v);
}

/* What the server sets and nobody owns (Kubernetes strips the same). */
static json_t *untracked(const tug_mf_op *op) {
  json_t *meta = json_object();
  static const char *const fields[] = {"f:name",       "f:namespace",     "f:creationTimestamp",
                                       "f:selfLink",   "f:uid",           "f:clusterName",
                                       "f:generation", "f:managedFields", "f:resourceVersion"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    tug_fieldset_mark(tug_fieldset_child(meta, fields[i]));
  json_t *set = json_pack("{s:o, s:{s:{}}, s:{s:{}}}", "f:metadata", meta, "f:apiVersion", ".",
                          "f:kind", ".");
  if (op->ignored) {
    json_t *u = tug_fieldset_union(set, op->ignored);
    json_decref(set);
    set = u;
  }
  return set;
}

/* set without what op does not track (new). */
static json_t *tracked(json_t *set, const tug_mf_op *op) {
  _cleanup_json_ json_t *skip = untracked(op);
  json_t *t = tug_fieldset_within(set, skip, false);
  if (op->only) {
    json_t *in = tug_fieldset_within(t, op->only, true);
    json_decref(t);
    t = in;
  }
  return t;
}

static void subtract(json_t *m, const json_t *set) {
  set_set(m, tug_fieldset_difference(set_of(m), set));
}

/* Nobody owns what a write removed any more, and only its manager (self)
 * owns what it changed. */
static void give_up(json_t *managers, const json_t *self, const json_t *changed,
                    const json_t *removed) {
  size_t i;
  json_t *m;
  json_array_foreach(managers, i, m) {
    subtract(m, removed);
    if (m != self)
      subtract(m, changed);
  }
}

/* The change old → new, tracked parts only. */
static int changes(const json_t *old, const json_t *new, const tug_mf_op *op,
                   const tug_ssa_schema *s, json_t **changed, json_t **removed, tug_error *err) {
  json_t *c, *r;
  if (tug_ssa_compare(old, new, s, &c, &r, err) < 0)
    return -1;
  *changed = tracked(c, op), *removed = tracked(r, op);
  json_decref(c), json_decref(r);
  return 0;
}

static json_t *find_or_add(json_t *managers, const char *name, const char *operation,
                           const tug_mf_op *op) {
  size_t i;
  json_t *m;
  json_array_foreach(managers, i, m) {
    if (same_manager(m, name, operation, op->api_version, op->subresource))
      return m;
  }
  m = manager_new(name, operation, op->api_version, op->subresource);
  json_array_append_new(managers, m);
  return m;
}

static void stamp(json_t *m, const char *api_version, const char *now) {
  json_object_set_new(json_object_get(m, "entry"), "apiVersion", json_string(api_version));
  json_object_set_new(json_object_get(m, "entry"), "time", json_string(now));
}

/* new keeps the record old had, untouched. */
static void keep_stored(const json_t *old, json_t *new) {
  json_t *stored = old ? tug_obj_get(old, "metadata.managedFields") : NULL;
  if (stored)
    tug_obj_set(new, "metadata.managedFields", json_deep_copy(stored), NULL);
  else
    tug_obj_del(new, "metadata.managedFields");
}

int tug_mf_update(const json_t *old, json_t *new, const tug_mf_op *op, const tug_ssa_schema *s,
                  tug_error *err) {
  _cleanup_json_ json_t *managers = NULL, *changed = NULL, *removed = NULL;
  tug_error ignore = {0};
  if (changes(old, new, op, s, &changed, &removed, err) < 0)
    return -1;
  json_t *given = tug_obj_get(new, "metadata.managedFields");
  bool own = !(op->subresource && op->subresource[0]) && json_array_size(given) > 0 &&
             decode(new, &managers, &ignore) == 0;
  /* A write that changes nothing tracked leaves the record as it was (or
   * as the client wrote it), without decoding it. */
  bool nothing = tug_fieldset_empty(changed) && tug_fieldset_empty(removed);
  if (nothing && !own) {
    keep_stored(old, new);
    return 0;
  }
  if (!own) {
    json_decref(managers);
    if (decode(old, &managers, &ignore) < 0) /* unreadable: start over, as Kubernetes does */
      json_array_clear(managers);
  }
  json_t *self = find_or_add(managers, op->manager, "Update", op);
  give_up(managers, self, changed, removed);
  if (!tug_fieldset_empty(changed)) {
    set_set(self, tug_fieldset_union(set_of(self), changed));
    stamp(self, op->api_version, op->now);
  }
  fold_ancient(managers);
  encode(managers, new);
  return 0;
}

/* ---- apply ---- */

/* How Kubernetes names a manager in a conflict. */
static json_t *display(const json_t *m) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "\"%s\"", entry_str(m, "manager"));
  if (entry_str(m, "subresource")[0] && n > 0 && (size_t)n < sizeof buf)
    n += snprintf(buf + n, sizeof buf - n, " with subresource \"%s\"", entry_str(m, "subresource"));
  if (strcmp(entry_str(m, "operation"), "Update") == 0 && n > 0 && (size_t)n < sizeof buf)
    snprintf(buf + n, sizeof buf - n, " using %s", entry_str(m, "apiVersion"));
  return json_string(buf);
}

/* Other managers' fields that the apply changes: [{manager, field}] sorted. */
static json_t *find_conflicts(const json_t *managers, const json_t *self, const json_t *changed,
                              json_t **fields) {
  json_t *out = json_array();
  *fields = json_object();
  size_t i;
  json_t *m;
  json_array_foreach(managers, i, m) {
    if (m == self)
      continue;
    _cleanup_json_ json_t *both = tug_fieldset_intersection(set_of(m), changed);
    _cleanup_json_ json_t *paths = json_array();
    json_t *u = tug_fieldset_union(*fields, both);
    json_decref(*fields);
    *fields = u;
    tug_fieldset_paths(both, paths);
    size_t j;
    json_t *p;
    json_array_foreach(paths, j, p) {
      json_array_append_new(out, json_pack("{s:o, s:O}", "manager", display(m), "field", p));
    }
  }
  return out;
}

static int by_manager(const void *pa, const void *pb) {
  json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
  return strcmp(json_string_value(json_object_get(a, "manager")),
                json_string_value(json_object_get(b, "manager")));
}

static void sort_conflicts(json_t *conflicts) {
  size_t n = json_array_size(conflicts);
  json_t **v = calloc(n + 1, sizeof *v);
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(conflicts, i));
  /* Stable enough: paths of one manager keep their order by index. */
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && by_manager(&v[j - 1], &v[j]) > 0; j--) {
      json_t *t = v[j];
      v[j] = v[j - 1], v[j - 1] = t;
    }
  json_array_clear(conflicts);
  for (size_t i = 0; i < n; i++)
    json_array_append_new(conflicts, v[i]);
  free(v);
}

/* kubectl's upgrade from client-side apply: the fields its last-applied
 * annotation names may be taken without force (NULL: none may). */
static json_t *last_applied_fields(const json_t *live, const tug_mf_op *op,
                                   const tug_ssa_schema *s) {
  const char *text = tug_obj_annotation(live, TUG_MF_LAST_APPLIED);
  if (strcmp(op->manager, KUBECTL) != 0 || text == NULL || text[0] == '\0')
    return NULL;
  _cleanup_json_ json_t *last = json_loads(text, 0, NULL);
  json_t *set = NULL;
  tug_error err = {0};
  if (!json_is_object(last) || tug_ssa_fields(last, s, &set, &err) < 0)
    return NULL;
  json_t *t = tracked(set, op);
  json_decref(set);
  return t;
}

/* After kubectl's apply, its annotation says what it applied now. */
static void rewrite_last_applied(const json_t *live, const json_t *config, const tug_mf_op *op,
                                 json_t *out) {
  if (strcmp(op->manager, KUBECTL) != 0 || tug_obj_annotation(live, TUG_MF_LAST_APPLIED) == NULL)
    return;
  _cleanup_json_ json_t *copy = json_deep_copy(config);
  tug_obj_del(copy, "metadata.annotations." TUG_MF_LAST_APPLIED);
  if (json_object_size(tug_obj_annotations(copy)) == 0)
    tug_obj_del(copy, "metadata.annotations");
  _cleanup_free_ char *text = json_dumps(copy, JSON_COMPACT);
  if (text)
    tug_obj_set_annotation(out, TUG_MF_LAST_APPLIED, text, NULL);
}

/* An object nobody manages yet was written before apply existed: its fields
 * go to "before-first-apply", so that the first apply conflicts with them. */
static int adopt_unmanaged(const json_t *live, json_t *managers, const tug_mf_op *op,
                           const tug_ssa_schema *s, tug_error *err) {
  if (live == NULL || json_array_size(managers) > 0)
    return 0;
  json_t *changed, *removed;
  if (changes(NULL, live, op, s, &changed, &removed, err) < 0)
    return -1;
  json_decref(removed);
  const char *av = tug_obj_api_version(live);
  json_t *m = manager_new(BEFORE_FIRST_APPLY, "Update", av, op->subresource);
  set_set(m, changed);
  stamp(m, av ? av : op->api_version, op->now);
  json_array_append_new(managers, m);
  return 0;
}

/* The merged object, less what the applier gave up and nobody else owns. */
static int merge_and_prune(const json_t *live, const json_t *config, json_t *managers, json_t *self,
                           const tug_mf_op *op, const tug_ssa_schema *s, json_t **out,
                           tug_error *err) {
  json_t *applied;
  _cleanup_json_ json_t *empty = json_object();
  if (tug_ssa_merge(live ? live : empty, config, s, out, err) < 0 ||
      tug_ssa_fields(config, s, &applied, err) < 0)
    return -1;
  _cleanup_json_ json_t *last = json_incref(set_of(self));
  set_set(self, tracked(applied, op));
  json_decref(applied);
  _cleanup_json_ json_t *owned = json_object();
  size_t i;
  json_t *m;
  json_array_foreach(managers, i, m) {
    json_t *u = tug_fieldset_union(owned, set_of(m));
    json_decref(owned);
    owned = u;
  }
  tug_ssa_remove(*out, last, owned, s);
  return 0;
}

int tug_mf_apply(const json_t *live, const json_t *config, const tug_mf_op *op,
                 const tug_ssa_schema *s, json_t **out, json_t **conflicts, tug_error *err) {
  _cleanup_json_ json_t *managers = NULL, *changed = NULL, *removed = NULL, *taken = NULL;
  tug_error ignore = {0};
  *out = NULL, *conflicts = NULL;
  if (live && decode(live, &managers, &ignore) < 0)
    json_array_clear(managers);
  if (managers == NULL)
    managers = json_array();
  if (adopt_unmanaged(live, managers, op, s, err) < 0)
    return -1;
  json_t *self = find_or_add(managers, op->manager, "Apply", op);
  json_t *merged = NULL;
  if (merge_and_prune(live, config, managers, self, op, s, &merged, err) < 0 ||
      changes(live, merged, op, s, &changed, &removed, err) < 0) {
    json_decref(merged);
    return -1;
  }
  *conflicts = find_conflicts(managers, self, changed, &taken);
  _cleanup_json_ json_t *allowed = last_applied_fields(live, op, s);
  _cleanup_json_ json_t *beyond = allowed ? tug_fieldset_difference(taken, allowed) : NULL;
  if (json_array_size(*conflicts) && !op->force &&
      (beyond == NULL || !tug_fieldset_empty(beyond))) {
    sort_conflicts(*conflicts);
    json_decref(merged);
    return 1;
  }
  json_decref(*conflicts);
  *conflicts = NULL;
  give_up(managers, self, changed, removed);
  bool noop = tug_fieldset_empty(changed) && tug_fieldset_empty(removed);
  if (!noop || entry_str(self, "time")[0] == '\0')
    stamp(self, op->api_version, op->now);
  else
    stamp(self, op->api_version, entry_str(self, "time"));
  rewrite_last_applied(live, config, op, merged);
  encode(managers, merged);
  *out = merged;
  return 0;
}

char *tug_mf_conflict_message(const json_t *conflicts) {
  size_t n = json_array_size(conflicts), cap = 256, len;
  char *msg = malloc(cap);
  if (msg == NULL)
    return NULL;
  len = (size_t)snprintf(msg, cap, "Apply failed with %zu conflict%s: ", n, n == 1 ? "" : "s");
  const char *prev = NULL;
  size_t i;
  json_t *c;
  json_array_foreach(conflicts, i, c) {
    const char *mgr = json_string_value(json_object_get(c, "manager"));
    const char *field = json_string_value(json_object_get(c, "field"));
    char line[2048];
    if (n == 1)
      snprintf(line, sizeof line, "conflict with %s: %s", mgr, field);
    else if (prev == NULL || strcmp(prev, mgr) != 0)
      snprintf(line, sizeof line, "%sconflicts with %s:\n- %s", prev ? "\n" : "", mgr, field);
    else
      snprintf(line, sizeof line, "\n- %s", field);
    prev = mgr;
    size_t need = len + strlen(line) + 1;
    if (need > cap) {
      char *grown = realloc(msg, cap = need * 2);
      if (grown == NULL)
        return msg;
      msg = grown;
    }
    memcpy(msg + len, line, strlen(line) + 1);
    len += strlen(line);
  }
  return msg;
}
