/* fieldset.c — field path sets and FieldsV1 (see fieldset.h). */
#include "fieldset.h"

#include <stdio.h>
#include <string.h>

#include "cleanup.h"

static const char MEMBER[] = ".";

static bool valid_pe(const char *pe) {
  if (strcmp(pe, MEMBER) == 0)
    return true;
  return strlen(pe) > 2 && pe[1] == ':' && strchr("fkvi", pe[0]) != NULL;
}

static int from_v1(const json_t *v1, json_t *out, int depth, tug_error *err) {
  if (!json_is_object(v1))
    return tug_error_set(err, TUG_E_PARSE, "fieldsV1: a node must be an object");
  if (depth > 100)
    return tug_error_set(err, TUG_E_PARSE, "fieldsV1: nested too deep");
  if (json_object_size(v1) == 0) {
    tug_fieldset_mark(out);
    return 0;
  }
  const char *pe;
  json_t *child;
  json_object_foreach((json_t *)v1, pe, child) {
    if (!valid_pe(pe))
      return tug_error_set(err, TUG_E_PARSE, "fieldsV1: \"%s\" is no path element", pe);
    if (strcmp(pe, MEMBER) == 0)
      tug_fieldset_mark(out);
    else if (from_v1(child, tug_fieldset_child(out, pe), depth + 1, err) < 0)
      return -1;
  }
  return 0;
}

int tug_fieldset_from_v1(const json_t *v1, json_t **out, tug_error *err) {
  json_t *set = json_object();
  if (v1 && from_v1(v1, set, 0, err) < 0) {
    json_decref(set);
    return -1;
  }
  /* The root itself is never a member; "{}" as a whole means "nothing". */
  json_object_del(set, MEMBER);
  *out = set;
  return 0;
}

json_t *tug_fieldset_to_v1(const json_t *set) {
  json_t *v1 = json_object();
  const char *pe;
  json_t *child;
  json_object_foreach((json_t *)set, pe, child) {
    if (strcmp(pe, MEMBER) == 0) {
      if (json_object_size(set) > 1)
        json_object_set_new(v1, MEMBER, json_object());
    } else {
      json_object_set_new(v1, pe, tug_fieldset_to_v1(child));
    }
  }
  return v1;
}

json_t *tug_fieldset_child(json_t *set, const char *pe) {
  json_t *c = json_object_get(set, pe);
  if (c == NULL) {
    c = json_object();
    json_object_set_new(set, pe, c);
  }
  return c;
}

void tug_fieldset_mark(json_t *node) {
  json_object_set_new(node, MEMBER, json_object());
}

bool tug_fieldset_is_member(const json_t *node) {
  return json_object_get(node, MEMBER) != NULL;
}

bool tug_fieldset_empty(const json_t *set) {
  const char *pe;
  json_t *child;
  json_object_foreach((json_t *)set, pe, child) {
    if (strcmp(pe, MEMBER) == 0 || !tug_fieldset_empty(child))
      return false;
  }
  return true;
}

/* The three operations walk a's and b's trees together; op says which
 * members survive: a member of a (in_a) and/or of b (in_b). */
typedef bool (*keep_fn)(bool in_a, bool in_b);

static json_t *combine(const json_t *a, const json_t *b, keep_fn keep, bool walk_b) {
  json_t *out = json_object();
  if (keep(tug_fieldset_is_member(a), tug_fieldset_is_member(b)))
    tug_fieldset_mark(out);
  const char *pe;
  json_t *child;
  json_object_foreach((json_t *)a, pe, child) {
    if (strcmp(pe, MEMBER) == 0)
      continue;
    json_t *other = json_object_get(b, pe);
    json_t *c = combine(child, other, keep, walk_b);
    if (json_object_size(c))
      json_object_set_new(out, pe, c);
    else
      json_decref(c);
  }
  if (walk_b)
    json_object_foreach((json_t *)b, pe, child) {
      if (strcmp(pe, MEMBER) == 0 || json_object_get(a, pe))
        continue;
      json_t *c = combine(NULL, child, keep, walk_b);
      if (json_object_size(c))
        json_object_set_new(out, pe, c);
      else
        json_decref(c);
    }
  return out;
}

static bool keep_union(bool in_a, bool in_b) {
  return in_a || in_b;
}
static bool keep_difference(bool in_a, bool in_b) {
  return in_a && !in_b;
}
static bool keep_intersection(bool in_a, bool in_b) {
  return in_a && in_b;
}

json_t *tug_fieldset_union(const json_t *a, const json_t *b) {
  return combine(a, b, keep_union, true);
}
json_t *tug_fieldset_difference(const json_t *a, const json_t *b) {
  return combine(a, b, keep_difference, false);
}
json_t *tug_fieldset_intersection(const json_t *a, const json_t *b) {
  return combine(a, b, keep_intersection, false);
}

json_t *tug_fieldset_within(const json_t *set, const json_t *subtrees, bool inside) {
  if (subtrees && tug_fieldset_is_member(subtrees))
    return inside ? json_deep_copy(set) : json_object();
  json_t *out = json_object();
  if (!inside && tug_fieldset_is_member(set))
    tug_fieldset_mark(out);
  const char *pe;
  json_t *child;
  json_object_foreach((json_t *)set, pe, child) {
    json_t *sub = json_object_get(subtrees, pe);
    if (strcmp(pe, MEMBER) == 0 || (inside && sub == NULL))
      continue;
    json_t *c = sub ? tug_fieldset_within(child, sub, inside) : json_deep_copy(child);
    if (json_object_size(c))
      json_object_set_new(out, pe, c);
    else
      json_decref(c);
  }
  return out;
}

/* ".name", "[name=\"web\",port=80]", "[=\"x\"]" or "[3]" after prefix. */
static void print_pe(char *buf, size_t size, const char *prefix, const char *pe) {
  const char *rest = pe + 2;
  if (pe[0] == 'f') {
    snprintf(buf, size, "%s.%s", prefix, rest);
  } else if (pe[0] == 'v' || pe[0] == 'i') {
    snprintf(buf, size, "%s[%s%s]", prefix, pe[0] == 'v' ? "=" : "", rest);
  } else {
    _cleanup_json_ json_t *keys = json_loads(rest, JSON_DECODE_ANY, NULL);
    size_t o = (size_t)snprintf(buf, size, "%s[", prefix);
    const char *k;
    json_t *v;
    json_object_foreach(keys, k, v) {
      _cleanup_free_ char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
      if (o < size)
        o += (size_t)snprintf(buf + o, size - o, "%s%s=%s", buf[o - 1] == '[' ? "" : ",", k,
                              text ? text : "");
    }
    if (o < size)
      snprintf(buf + o, size - o, "]");
  }
}

static void paths_below(const json_t *set, const char *prefix, json_t *paths) {
  const char *pe;
  json_t *child;
  json_object_foreach((json_t *)set, pe, child) {
    if (strcmp(pe, MEMBER) == 0)
      continue;
    char path[2048];
    print_pe(path, sizeof path, prefix, pe);
    if (tug_fieldset_is_member(child))
      json_array_append_new(paths, json_string(path));
    paths_below(child, path, paths);
  }
}

void tug_fieldset_paths(const json_t *set, json_t *paths) {
  paths_below(set, "", paths);
}

static const char *pe_of(char kind, const json_t *v, size_t flags, char *buf, size_t size) {
  _cleanup_free_ char *text = json_dumps(v, flags | JSON_ENCODE_ANY | JSON_COMPACT);
  if (text == NULL || (size_t)snprintf(buf, size, "%c:%s", kind, text) >= size)
    return NULL;
  return buf;
}

const char *tug_fieldset_key_pe(const json_t *keys, char *buf, size_t size) {
  return pe_of('k', keys, JSON_SORT_KEYS, buf, size);
}

const char *tug_fieldset_value_pe(const json_t *value, char *buf, size_t size) {
  return pe_of('v', value, 0, buf, size);
}
