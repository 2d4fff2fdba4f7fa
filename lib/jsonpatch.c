/*
 * jsonpatch.c — RFC 6902 operations over RFC 6901 pointers (see jsonpatch.h).
 *
 * A pointer is parsed once into its unescaped reference tokens; every
 * operation then resolves the parent of its last token and acts there, so
 * "add", "remove" and "replace" are one lookup and one jansson call each.
 * The operations edit a deep copy that only replaces the caller's result when
 * the whole patch applied.
 */
#include "jsonpatch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "object.h"

/* A parsed JSON Pointer: n unescaped reference tokens. */
typedef struct jp_ptr {
  char **tok;
  size_t n;
} jp_ptr;

static void jp_ptr_free(jp_ptr *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->tok[i]);
  free(p->tok);
  p->tok = NULL;
  p->n = 0;
}

/* One token of len bytes with ~1 → "/" and ~0 → "~"; NULL when a "~" is not
 * followed by 0 or 1 (errno EINVAL) or memory runs out. */
static char *jp_unescape(const char *s, size_t len) {
  char *t = malloc(len + 1), *o = t;
  if (t == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    if (s[i] != '~') {
      *o++ = s[i];
    } else if (i + 1 < len && (s[i + 1] == '0' || s[i + 1] == '1')) {
      *o++ = s[++i] == '0' ? '~' : '/';
    } else {
      free(t);
      errno = EINVAL;
      return NULL;
    }
  }
  *o = '\0';
  return t;
}

/* Split s into tokens; -1 (errno EINVAL or ENOMEM) when it is not a pointer. */
static int jp_ptr_parse(const char *s, jp_ptr *p) {
  *p = (jp_ptr){0};
  if (s[0] == '\0')
    return 0;
  if (s[0] != '/')
    return errno = EINVAL, -1;
  size_t slashes = 0;
  for (const char *c = s; *c; c++)
    slashes += *c == '/';
  if ((p->tok = calloc(slashes, sizeof *p->tok)) == NULL)
    return -1;
  for (const char *c = s + 1;; c++) {
    size_t len = strcspn(c, "/");
    if ((p->tok[p->n] = jp_unescape(c, len)) == NULL) {
      int saved = errno;
      jp_ptr_free(p);
      return errno = saved, -1;
    }
    p->n++;
    c += len;
    if (*c == '\0')
      return 0;
  }
}

/* An array index token: "0" or digits without a leading zero, below limit
 * (and "-" as limit itself when dash_ok: the place after the last element). */
static bool jp_index(const char *tok, size_t limit, bool dash_ok, size_t *idx) {
  if (dash_ok && strcmp(tok, "-") == 0) {
    *idx = limit;
    return true;
  }
  size_t len = strlen(tok);
  if (len == 0 || len > 18 || strspn(tok, "0123456789") != len || (tok[0] == '0' && len > 1))
    return false;
  *idx = (size_t)strtoull(tok, NULL, 10);
  return *idx < limit || (dash_ok && *idx == limit);
}

/* The value the first depth tokens of p name, borrowed; NULL when none. */
static json_t *jp_resolve(json_t *root, const jp_ptr *p, size_t depth) {
  json_t *cur = root;
  for (size_t i = 0; i < depth && cur; i++) {
    size_t idx;
    if (json_is_object(cur))
      cur = json_object_get(cur, p->tok[i]);
    else if (json_is_array(cur) && jp_index(p->tok[i], json_array_size(cur), false, &idx))
      cur = json_array_get(cur, idx);
    else
      cur = NULL;
  }
  return cur;
}

json_t *tug_json_pointer_get(const json_t *doc, const char *pointer) {
  jp_ptr p;
  if (doc == NULL || pointer == NULL || jp_ptr_parse(pointer, &p) < 0)
    return NULL;
  json_t *v = jp_resolve((json_t *)doc, &p, p.n);
  jp_ptr_free(&p);
  return v;
}

bool tug_json_patch_equal(const json_t *a, const json_t *b) {
  if (json_is_number(a) && json_is_number(b)) {
    if (json_is_integer(a) && json_is_integer(b))
      return json_integer_value(a) == json_integer_value(b);
    return json_number_value(a) == json_number_value(b);
  }
  if (json_typeof(a) != json_typeof(b))
    return false;
  if (json_is_array(a)) {
    if (json_array_size(a) != json_array_size(b))
      return false;
    for (size_t i = 0; i < json_array_size(a); i++)
      if (!tug_json_patch_equal(json_array_get(a, i), json_array_get(b, i)))
        return false;
    return true;
  }
  if (json_is_object(a)) {
    const char *k;
    json_t *v;
    if (json_object_size(a) != json_object_size(b))
      return false;
    json_object_foreach((json_t *)a, k, v) {
      json_t *w = json_object_get(b, k);
      if (w == NULL || !tug_json_patch_equal(v, w))
        return false;
    }
    return true;
  }
  return json_equal(a, b);
}

/* ---- operations ---- */

/* One operation being applied: where it sits in the patch, for messages. */
typedef struct jp_op {
  size_t index;
  const char *name;
  const char *path;
  jp_ptr ptr;
} jp_op;

static int jp_fail(tug_error *err, const jp_op *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* EINVAL "operation N (op): <what>"; returns -1. */
static int jp_fail(tug_error *err, const jp_op *op, const char *fmt, ...) {
  char what[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tug_error_set(err, EINVAL, "operation %zu (%s): %s", op->index, op->name, what);
}

static int jp_oom(tug_error *err, const jp_op *op) {
  return tug_error_set(err, ENOMEM, "operation %zu (%s): out of memory", op->index, op->name);
}

/* The container holding the target of op and its last token. */
static json_t *jp_parent(json_t *root, const jp_op *op, const char **last, tug_error *err) {
  json_t *parent = jp_resolve(root, &op->ptr, op->ptr.n - 1);
  *last = op->ptr.tok[op->ptr.n - 1];
  if (parent == NULL) {
    jp_fail(err, op, "the parent of path %s does not exist", op->path);
    return NULL;
  }
  if (!json_is_object(parent) && !json_is_array(parent)) {
    jp_fail(err, op, "the parent of path %s is %s, not an object or array", op->path,
            tug_obj_type_name(parent));
    return NULL;
  }
  return parent;
}

/* Insert value (stolen) at op's path: a member set, an array insertion. */
static int jp_add(json_t **root, const jp_op *op, json_t *value, tug_error *err) {
  _cleanup_json_ json_t *owned = value;
  if (op->ptr.n == 0) {
    json_decref(*root);
    *root = tug_steal_ptr(&owned);
    return 0;
  }
  const char *last;
  json_t *parent = jp_parent(*root, op, &last, err);
  size_t idx;
  if (parent == NULL)
    return -1;
  if (json_is_object(parent))
    return json_object_set_new(parent, last, tug_steal_ptr(&owned)) < 0 ? jp_oom(err, op) : 0;
  if (!jp_index(last, json_array_size(parent), true, &idx))
    return jp_fail(err, op, "%s is not an index of the array (0 to its length, or -)", op->path);
  if (json_array_insert_new(parent, idx, tug_steal_ptr(&owned)) < 0)
    return jp_oom(err, op);
  return 0;
}

/* Take the existing value at op's path out; *taken gets it when not NULL. */
static int jp_remove(json_t *root, const jp_op *op, json_t **taken, tug_error *err) {
  if (op->ptr.n == 0)
    return jp_fail(err, op, "the whole document cannot be removed");
  const char *last;
  json_t *parent = jp_parent(root, op, &last, err);
  json_t *v = NULL;
  size_t idx = 0;
  if (parent == NULL)
    return -1;
  if (json_is_object(parent))
    v = json_object_get(parent, last);
  else if (jp_index(last, json_array_size(parent), false, &idx))
    v = json_array_get(parent, idx);
  if (v == NULL)
    return jp_fail(err, op, "path %s does not exist", op->path);
  if (taken)
    *taken = json_incref(v);
  if (json_is_object(parent))
    json_object_del(parent, last);
  else
    json_array_remove(parent, idx);
  return 0;
}

static int jp_replace(json_t **root, const jp_op *op, json_t *value, tug_error *err) {
  if (jp_resolve(*root, &op->ptr, op->ptr.n) == NULL) {
    json_decref(value);
    return jp_fail(err, op, "path %s does not exist", op->path);
  }
  if (op->ptr.n == 0)
    return jp_add(root, op, value, err);
  const char *last;
  json_t *parent = jp_parent(*root, op, &last, err);
  size_t idx;
  if (json_is_object(parent))
    return json_object_set_new(parent, last, value) < 0 ? jp_oom(err, op) : 0;
  jp_index(last, json_array_size(parent), false, &idx);
  return json_array_set_new(parent, idx, value) < 0 ? jp_oom(err, op) : 0;
}

/* Whether pointer a is a proper prefix of pointer b ("/a" of "/a/b", not of "/ab"). */
static bool jp_is_prefix(const char *a, const char *b) {
  size_t n = strlen(a);
  return strncmp(a, b, n) == 0 && b[n] == '/';
}

/* The value at from for move and copy: op's "from" parsed into fp. */
static json_t *jp_source(json_t *root, const jp_op *op, const char *from, tug_error *err) {
  jp_ptr fp;
  if (jp_ptr_parse(from, &fp) < 0) {
    jp_fail(err, op, "from \"%s\" is not a JSON Pointer", from);
    return NULL;
  }
  json_t *v = jp_resolve(root, &fp, fp.n);
  jp_ptr_free(&fp);
  if (v == NULL)
    jp_fail(err, op, "from %s does not exist", from);
  return v;
}

static int jp_move(json_t **root, const jp_op *op, const char *from, tug_error *err) {
  json_t *v = jp_source(*root, op, from, err);
  if (v == NULL)
    return -1;
  if (strcmp(from, op->path) == 0)
    return 0;
  if (jp_is_prefix(from, op->path))
    return jp_fail(err, op, "%s cannot be moved into its own child %s", from, op->path);
  jp_op src = {.index = op->index, .name = op->name, .path = from};
  json_t *taken = NULL;
  if (jp_ptr_parse(from, &src.ptr) < 0)
    return jp_oom(err, op);
  int rc = jp_remove(*root, &src, &taken, err);
  jp_ptr_free(&src.ptr);
  return rc < 0 ? -1 : jp_add(root, op, taken, err);
}

static int jp_copy(json_t **root, const jp_op *op, const char *from, tug_error *err) {
  json_t *v = jp_source(*root, op, from, err);
  if (v == NULL)
    return -1;
  json_t *copy = json_deep_copy(v);
  if (copy == NULL)
    return jp_oom(err, op);
  return jp_add(root, op, copy, err);
}

static int jp_test(json_t *root, const jp_op *op, const json_t *value, tug_error *err) {
  json_t *v = jp_resolve(root, &op->ptr, op->ptr.n);
  if (v == NULL)
    return jp_fail(err, op, "path %s does not exist", op->path);
  if (!tug_json_patch_equal(v, value))
    return jp_fail(err, op, "testing value %s failed: test failed", op->path);
  return 0;
}

/* The string member name of the operation object o; NULL with err set when
 * it is missing or not a string. */
static const char *jp_member(const json_t *o, const jp_op *op, const char *name, tug_error *err) {
  const char *s = json_string_value(json_object_get(o, name));
  if (s == NULL)
    jp_fail(err, op, "\"%s\" is missing or not a string", name);
  return s;
}

static const json_t *jp_value(const json_t *o, const jp_op *op, tug_error *err) {
  const json_t *v = json_object_get(o, "value");
  if (v == NULL)
    jp_fail(err, op, "\"value\" is missing");
  return v;
}

/* Copy of the op's "value" for add and replace; NULL with err set. */
static json_t *jp_value_copy(const json_t *o, const jp_op *op, tug_error *err) {
  const json_t *v = jp_value(o, op, err);
  json_t *c = v ? json_deep_copy(v) : NULL;
  if (v && c == NULL)
    jp_oom(err, op);
  return c;
}

static int jp_dispatch(json_t **root, const json_t *o, jp_op *op, tug_error *err) {
  const char *name = op->name, *from;
  json_t *v;
  if (strcmp(name, "add") == 0 || strcmp(name, "replace") == 0) {
    if ((v = jp_value_copy(o, op, err)) == NULL)
      return -1;
    return name[0] == 'a' ? jp_add(root, op, v, err) : jp_replace(root, op, v, err);
  }
  if (strcmp(name, "remove") == 0)
    return jp_remove(*root, op, NULL, err);
  if (strcmp(name, "test") == 0) {
    const json_t *want = jp_value(o, op, err);
    return want ? jp_test(*root, op, want, err) : -1;
  }
  if (strcmp(name, "move") == 0 || strcmp(name, "copy") == 0) {
    if ((from = jp_member(o, op, "from", err)) == NULL)
      return -1;
    return name[0] == 'm' ? jp_move(root, op, from, err) : jp_copy(root, op, from, err);
  }
  return jp_fail(err, op, "unknown op \"%s\" (want add, remove, replace, move, copy or test)",
                 name);
}

static int jp_apply_one(json_t **root, const json_t *o, size_t index, tug_error *err) {
  jp_op op = {.index = index, .name = "?"};
  if ((op.name = jp_member(o, &op, "op", err)) == NULL ||
      (op.path = jp_member(o, &op, "path", err)) == NULL)
    return -1;
  if (jp_ptr_parse(op.path, &op.ptr) < 0)
    return errno == ENOMEM ? jp_oom(err, &op)
                           : jp_fail(err, &op, "path \"%s\" is not a JSON Pointer", op.path);
  int rc = jp_dispatch(root, o, &op, err);
  jp_ptr_free(&op.ptr);
  return rc;
}

int tug_json_patch(const json_t *doc, const json_t *patch, json_t **out, tug_error *err) {
  size_t i;
  json_t *o;
  *out = NULL;
  if (!json_is_array(patch))
    return tug_error_set(err, TUG_E_PARSE, "a JSON patch must be an array of operations, not %s",
                         patch ? tug_obj_type_name(patch) : "nothing");
  json_array_foreach(patch, i, o) {
    if (!json_is_object(o))
      return tug_error_set(err, TUG_E_PARSE, "operation %zu of the JSON patch is %s, not an object",
                           i, tug_obj_type_name(o));
  }
  _cleanup_json_ json_t *root = doc ? json_deep_copy(doc) : json_null();
  if (root == NULL)
    return tug_error_set(err, ENOMEM, "JSON patch: out of memory");
  json_array_foreach(patch, i, o) {
    if (jp_apply_one(&root, o, i, err) < 0)
      return -1;
  }
  *out = tug_steal_ptr(&root);
  return 0;
}
