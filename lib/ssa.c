/* ssa.c — typed walks of server-side apply (see ssa.h). */
#include "ssa.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fieldset.h"

enum { PE_MAX = 4096 };

/* One part of a value: its path element, the value and its type. */
typedef struct part {
  char *pe;
  json_t *v;
  const char *key; /* in an object; NULL in a list */
  size_t index;    /* in a list */
  tug_ssa_type t;
  bool member; /* the part itself is a member of the value's field set */
  bool named;  /* a struct's field (not a map key or a list element) */
} part;

typedef struct parts {
  part *v;
  size_t n;
  json_t *index; /* pe -> position of its first part */
} parts;

static void parts_free(parts *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->v[i].pe);
  free(p->v);
  json_decref(p->index);
}

static bool is_leaf(const tug_ssa_type *t, const json_t *v) {
  switch (t->shape) {
  case TUG_SSA_SCALAR:
    return true;
  case TUG_SSA_DEDUCED:
    return !json_is_object(v);
  case TUG_SSA_STRUCT:
  case TUG_SSA_MAP:
    return t->atomic || !json_is_object(v);
  case TUG_SSA_LIST:
    /* A list of structs without keys has no way to name its elements. */
    return t->atomic || !json_is_array(v) || (t->keys == NULL && t->elem != NULL);
  }
  return true;
}

static tug_ssa_type elem_type(const tug_ssa_type *t) {
  tug_ssa_type e = {.shape = t->elem ? TUG_SSA_STRUCT : TUG_SSA_SCALAR, .elem = t->elem};
  if (t->shape == TUG_SSA_DEDUCED)
    e.shape = TUG_SSA_DEDUCED;
  return e;
}

static tug_ssa_type field_type(const tug_ssa_schema *s, const tug_ssa_type *t, const char *name,
                               bool *known) {
  tug_ssa_type f = {0};
  *known = false;
  if (t->shape == TUG_SSA_STRUCT)
    *known = s->field(s->ctx, t->elem, name, &f);
  else if (t->shape == TUG_SSA_MAP)
    f = elem_type(t);
  return f;
}

/* The key fields of a list-map element; strict fails on a missing key
 * without a default, lenient names the element by the keys it has. */
static char *list_key_pe(const tug_ssa_type *t, const json_t *e, size_t i, bool strict,
                         tug_error *err) {
  _cleanup_json_ json_t *keys = json_object();
  for (size_t k = 0; t->keys[k]; k++) {
    json_t *v = json_object_get(e, t->keys[k]);
    if (v)
      json_object_set(keys, t->keys[k], v);
    else if (t->key_defaults && t->key_defaults[k])
      json_object_set_new(keys, t->keys[k], json_loads(t->key_defaults[k], JSON_DECODE_ANY, NULL));
    else if (strict) {
      tug_error_set(err, EINVAL, "element %zu of a list keyed by \"%s\" has no \"%s\"", i,
                    t->keys[0], t->keys[k]);
      return NULL;
    }
  }
  char buf[PE_MAX];
  const char *pe = json_is_object(e) ? tug_fieldset_key_pe(keys, buf, sizeof buf) : NULL;
  if (pe == NULL)
    tug_error_set(err, EINVAL, "element %zu of a list keyed by \"%s\" is no object or too long", i,
                  t->keys[0]);
  return pe ? strdup(pe) : NULL;
}

static char *list_pe(const tug_ssa_type *t, const json_t *e, size_t i, bool strict,
                     tug_error *err) {
  if (t->keys)
    return list_key_pe(t, e, i, strict, err);
  char buf[PE_MAX];
  const char *pe = tug_fieldset_value_pe(e, buf, sizeof buf);
  if (pe == NULL)
    tug_error_set(err, EINVAL, "element %zu of a set is too long", i);
  return pe ? strdup(pe) : NULL;
}

static part *parts_add(parts *p, char *pe) {
  part *grown = realloc(p->v, (p->n + 1) * sizeof *p->v);
  if (grown == NULL) {
    free(pe);
    return NULL;
  }
  p->v = grown;
  part *x = &p->v[p->n];
  *x = (part){.pe = pe};
  if (json_object_get(p->index, pe) == NULL)
    json_object_set_new(p->index, pe, json_integer((json_int_t)p->n));
  p->n++;
  return x;
}

static int object_parts(const tug_ssa_schema *s, json_t *v, const tug_ssa_type *t, parts *p,
                        tug_error *err) {
  const char *key;
  json_t *cv;
  json_object_foreach(v, key, cv) {
    char *pe = malloc(strlen(key) + 3);
    if (pe)
      strcpy(pe, "f:"), strcat(pe, key);
    part *x = pe ? parts_add(p, pe) : NULL;
    if (x == NULL)
      return tug_error_set(err, ENOMEM, "no memory");
    bool known;
    x->v = cv, x->key = key;
    x->t = field_type(s, t, key, &known);
    x->named = known;
    x->member = !known || json_is_null(cv) || (json_is_object(cv) && json_object_size(cv) == 0);
  }
  return 0;
}

/* The parts of a value that is not a leaf of type t. */
static int parts_of(const tug_ssa_schema *s, const json_t *v, const tug_ssa_type *t, bool strict,
                    parts *p, tug_error *err) {
  *p = (parts){.index = json_object()};
  if (json_is_object(v))
    return object_parts(s, (json_t *)v, t, p, err);
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    if (json_is_null(e))
      continue;
    char *pe = list_pe(t, e, i, strict, err);
    part *x = pe ? parts_add(p, pe) : NULL;
    if (x == NULL)
      return pe ? tug_error_set(err, ENOMEM, "no memory") : -1;
    x->v = e, x->index = i, x->t = elem_type(t), x->member = true;
  }
  return 0;
}

static part *part_named(const parts *p, const char *pe) {
  json_t *i = json_object_get(p->index, pe);
  return i ? &p->v[json_integer_value(i)] : NULL;
}

/* Hang child below node as pe when it holds a member; sets are built bottom
 * up, so an empty child is one without any. */
static void attach(json_t *node, const char *pe, json_t *child) {
  if (json_object_size(child))
    json_object_set_new(node, pe, child);
  else
    json_decref(child);
}

/* ---- the fields an object sets ---- */

static int fields(const tug_ssa_schema *s, const json_t *v, const tug_ssa_type *t, json_t *node,
                  tug_error *err) {
  if (is_leaf(t, v)) {
    tug_fieldset_mark(node);
    return 0;
  }
  parts p;
  int rc = parts_of(s, v, t, true, &p, err);
  for (size_t i = 0; rc == 0 && i < p.n; i++) {
    json_t *child = json_object_get(node, p.v[i].pe);
    bool fresh = child == NULL; /* duplicates of a list element share a node */
    if (fresh)
      child = json_object();
    rc = fields(s, p.v[i].v, &p.v[i].t, child, err);
    if (p.v[i].member)
      tug_fieldset_mark(child);
    if (fresh)
      attach(node, p.v[i].pe, child);
  }
  parts_free(&p);
  return rc;
}

int tug_ssa_fields(const json_t *obj, const tug_ssa_schema *s, json_t **out, tug_error *err) {
  tug_ssa_type root = {.shape = TUG_SSA_STRUCT, .elem = s->root};
  *out = json_object();
  if (fields(s, obj, &root, *out, err) == 0) {
    json_object_del(*out, ".");
    return 0;
  }
  json_decref(*out);
  *out = NULL;
  return -1;
}

/* ---- what a change touches ---- */

typedef struct diff {
  json_t *changed, *removed;
} diff;

static int compare(const tug_ssa_schema *s, const json_t *o, const json_t *n, const tug_ssa_type *t,
                   diff d, tug_error *err);

/* The change of one part, hung below d's nodes as its element. */
static int compare_part(const tug_ssa_schema *s, const json_t *o, const json_t *n, const part *x,
                        diff d, tug_error *err) {
  diff c = {json_object(), json_object()};
  int rc = compare(s, o, n, &x->t, c, err);
  attach(d.changed, x->pe, c.changed);
  attach(d.removed, x->pe, c.removed);
  return rc;
}

static int compare_parts(const tug_ssa_schema *s, const parts *po, const parts *pn, diff d,
                         tug_error *err) {
  for (size_t i = 0; i < pn->n; i++) {
    part *x = &pn->v[i], *old = part_named(po, x->pe);
    if (compare_part(s, old ? old->v : NULL, x->v, x, d, err) < 0)
      return -1;
  }
  for (size_t i = 0; i < po->n; i++) {
    part *x = &po->v[i];
    if (part_named(pn, x->pe) == NULL && compare_part(s, x->v, NULL, x, d, err) < 0)
      return -1;
  }
  return 0;
}

static int compare(const tug_ssa_schema *s, const json_t *o, const json_t *n, const tug_ssa_type *t,
                   diff d, tug_error *err) {
  /* Most of a write leaves most of the object as it was. */
  if (o && n && json_equal(o, n))
    return 0;
  if ((o && is_leaf(t, o)) || (n && is_leaf(t, n)) ||
      (o && n && json_typeof(o) != json_typeof(n))) {
    if (o == NULL || (n && !json_equal(o, n)))
      tug_fieldset_mark(d.changed);
    else if (n == NULL)
      tug_fieldset_mark(d.removed);
    return 0;
  }
  parts po = {0}, pn = {0};
  int rc = 0;
  if ((o && (rc = parts_of(s, o, t, false, &po, err)) < 0) ||
      (n && (rc = parts_of(s, n, t, false, &pn, err)) < 0) ||
      (rc = compare_parts(s, &po, &pn, d, err)) < 0)
    goto out;
  if (o == NULL && !t->implicit)
    tug_fieldset_mark(d.changed);
  else if (n == NULL)
    tug_fieldset_mark(d.removed);
out:
  parts_free(&po);
  parts_free(&pn);
  return rc;
}

int tug_ssa_compare(const json_t *old, const json_t *new, const tug_ssa_schema *s, json_t **changed,
                    json_t **removed, tug_error *err) {
  tug_ssa_type root = {.shape = TUG_SSA_STRUCT, .elem = s->root, .implicit = true};
  _cleanup_json_ json_t *empty = json_object();
  diff d = {json_object(), json_object()};
  if (compare(s, old ? old : empty, new, &root, d, err) < 0) {
    json_decref(d.changed), json_decref(d.removed);
    return -1;
  }
  json_object_del(d.changed, ".");
  json_object_del(d.removed, ".");
  *changed = d.changed, *removed = d.removed;
  return 0;
}

/* ---- merging an applied configuration ---- */

static json_t *merge(const tug_ssa_schema *s, const json_t *l, const json_t *c,
                     const tug_ssa_type *t, tug_error *err);

/* Every value of live is copied once: whole where config leaves it alone,
 * through the merge where config touches it. */
static json_t *merge_object(const tug_ssa_schema *s, const json_t *l, const json_t *c,
                            const tug_ssa_type *t, tug_error *err) {
  json_t *out = json_object();
  const char *key;
  json_t *cv;
  json_object_foreach((json_t *)l, key, cv) {
    if (json_object_get(c, key) == NULL)
      json_object_set_new(out, key, json_deep_copy(cv));
  }
  json_object_foreach((json_t *)c, key, cv) {
    bool known;
    tug_ssa_type ft = field_type(s, t, key, &known);
    if (json_is_null(cv))
      continue;
    json_t *m = merge(s, json_object_get(l, key), cv, &ft, err);
    if (m == NULL) {
      json_decref(out);
      return NULL;
    }
    json_object_set_new(out, key, m);
  }
  return out;
}

/* Append config element k merged with its live match, once. */
static int emit_config(const tug_ssa_schema *s, const parts *pl, const parts *pc, size_t k,
                       bool *emitted, json_t *out, tug_error *err) {
  if (emitted[k])
    return 0;
  emitted[k] = true;
  part *live = part_named(pl, pc->v[k].pe);
  json_t *m = merge(s, live ? live->v : NULL, pc->v[k].v, &pc->v[k].t, err);
  return m ? json_array_append_new(out, m) : -1;
}

/* Config's elements in config's order; live-only ones stay where they were
 * among them. */
static json_t *merge_list(const tug_ssa_schema *s, const json_t *l, const json_t *c,
                          const tug_ssa_type *t, tug_error *err) {
  parts pl = {0}, pc = {0};
  json_t *out = json_array();
  bool *emitted = NULL;
  int rc = -1;
  if (parts_of(s, l, t, false, &pl, err) < 0 || parts_of(s, c, t, true, &pc, err) < 0)
    goto done;
  if (json_object_size(pc.index) != pc.n) {
    tug_error_set(err, EINVAL, "the applied list has duplicate entries");
    goto done;
  }
  if ((emitted = calloc(pc.n + 1, sizeof *emitted)) == NULL) {
    tug_error_set(err, ENOMEM, "no memory");
    goto done;
  }
  size_t next = 0;
  for (size_t i = 0; i < pl.n; i++) {
    json_t *j = json_object_get(pc.index, pl.v[i].pe);
    if (j == NULL) {
      json_array_append_new(out, json_deep_copy(pl.v[i].v));
      continue;
    }
    /* A shared element: the configuration's elements up to it come first. */
    size_t at = (size_t)json_integer_value(j);
    for (; next <= at; next++)
      if (emit_config(s, &pl, &pc, next, emitted, out, err) < 0)
        goto done;
  }
  for (size_t k = 0; k < pc.n; k++)
    if (emit_config(s, &pl, &pc, k, emitted, out, err) < 0)
      goto done;
  rc = 0;
done:
  free(emitted);
  parts_free(&pl), parts_free(&pc);
  if (rc < 0) {
    json_decref(out);
    out = NULL;
  }
  return out;
}

static json_t *merge(const tug_ssa_schema *s, const json_t *l, const json_t *c,
                     const tug_ssa_type *t, tug_error *err) {
  if (l == NULL || is_leaf(t, c) || is_leaf(t, l) || json_typeof(l) != json_typeof(c))
    return json_deep_copy(c);
  if (json_is_object(c))
    return merge_object(s, l, c, t, err);
  return merge_list(s, l, c, t, err);
}

int tug_ssa_merge(const json_t *live, const json_t *config, const tug_ssa_schema *s, json_t **out,
                  tug_error *err) {
  tug_ssa_type root = {.shape = TUG_SSA_STRUCT, .elem = s->root};
  *out = merge(s, live, config, &root, err);
  return *out ? 0 : -1;
}

/* ---- removing what a manager gave up ---- */

static bool empty_container(const json_t *v) {
  return (json_is_object(v) && json_object_size(v) == 0) ||
         (json_is_array(v) && json_array_size(v) == 0);
}

static void remove_fields(json_t *v, const json_t *drop, const json_t *kept,
                          const tug_ssa_schema *s, const tug_ssa_type *t) {
  parts p;
  tug_error err = {0};
  if (is_leaf(t, v) || parts_of(s, v, t, false, &p, &err) < 0)
    return;
  /* Backwards, so that removing a list element leaves the indices before it. */
  for (size_t i = p.n; i-- > 0;) {
    part *x = &p.v[i];
    json_t *d = json_object_get(drop, x->pe), *k = json_object_get(kept, x->pe);
    if (d == NULL)
      continue;
    bool gone = k == NULL && (x->named ? false : tug_fieldset_is_member(d));
    if (!gone) {
      remove_fields(x->v, d, k, s, &x->t);
      gone = k == NULL && x->named && (tug_fieldset_is_member(d) || empty_container(x->v));
    }
    if (gone && x->key)
      json_object_del(v, x->key);
    else if (gone)
      json_array_remove(v, x->index);
  }
  parts_free(&p);
}

void tug_ssa_remove(json_t *obj, const json_t *drop, const json_t *kept, const tug_ssa_schema *s) {
  tug_ssa_type root = {.shape = TUG_SSA_STRUCT, .elem = s->root};
  remove_fields(obj, drop, kept, s, &root);
}
