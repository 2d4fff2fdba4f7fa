/*
 * jsonschema.c — structural schemas applied to custom objects (see
 * jsonschema.h). Every function accepts any JSON for both schema and value:
 * a schema was checked when its CRD was written, but an object may be
 * anything a client sent.
 */
#include "jsonschema.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "registry.h"

enum { PATH_LEN = 1024 };

static bool flag(const json_t *schema, const char *key) {
  return json_is_true(json_object_get(schema, key));
}

static const char *type_of(const json_t *schema) {
  return json_string_value(json_object_get(schema, "type"));
}

/* The path of a member or element below path, in buf. */
static const char *below(char *buf, const char *path, const char *key, size_t index) {
  if (key)
    snprintf(buf, PATH_LEN, "%s%s%s", path, path[0] ? "." : "", key);
  else
    snprintf(buf, PATH_LEN, "%s[%zu]", path, index);
  return buf;
}

/* The schema of obj's member key: a declared property, additionalProperties
 * (when a schema), or NULL when the member is unknown. *known is false only
 * for a member the schema does not allow. */
static const json_t *member_schema(const json_t *schema, const char *key, bool *known) {
  const json_t *props = json_object_get(schema, "properties");
  const json_t *extra = json_object_get(schema, "additionalProperties");
  const json_t *s = json_object_get(props, key);
  *known = s != NULL || json_is_object(extra) || json_is_true(extra) ||
           flag(schema, "x-kubernetes-preserve-unknown-fields");
  if (s == NULL && json_is_object(extra))
    s = extra;
  return s;
}

/* ---- pruning ---- */

static void prune_at(const json_t *schema, json_t *v, bool keep_type_meta, char *path,
                     json_t *unknown);

static void prune_object(const json_t *schema, json_t *obj, bool keep_type_meta, char *path,
                         json_t *unknown) {
  const char *key;
  json_t *member;
  void *tmp;
  json_object_foreach_safe(obj, tmp, key, member) {
    if (keep_type_meta && (strcmp(key, "apiVersion") == 0 || strcmp(key, "kind") == 0 ||
                           strcmp(key, "metadata") == 0))
      continue;
    char sub[PATH_LEN];
    bool known;
    const json_t *s = member_schema(schema, key, &known);
    below(sub, path, key, 0);
    if (!known) {
      if (unknown)
        json_array_append_new(unknown, json_sprintf("unknown field \"%s\"", sub));
      json_object_del(obj, key);
    } else if (s) {
      prune_at(s, member, false, sub, unknown);
    }
  }
}

static void prune_at(const json_t *schema, json_t *v, bool keep_type_meta, char *path,
                     json_t *unknown) {
  if (!json_is_object(schema))
    return;
  if (json_is_object(v)) {
    keep_type_meta |= flag(schema, "x-kubernetes-embedded-resource");
    /* A node that declares nothing and preserves unknown fields keeps all. */
    if (json_object_get(schema, "properties") == NULL &&
        json_object_get(schema, "additionalProperties") == NULL &&
        flag(schema, "x-kubernetes-preserve-unknown-fields"))
      return;
    prune_object(schema, v, keep_type_meta, path, unknown);
  } else if (json_is_array(v) && json_is_object(json_object_get(schema, "items"))) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      char sub[PATH_LEN];
      prune_at(json_object_get(schema, "items"), e, false, (char *)below(sub, path, NULL, i),
               unknown);
    }
  }
}

void api_jsonschema_prune(const json_t *schema, json_t *obj, bool root, json_t *unknown) {
  char path[PATH_LEN] = "";
  prune_at(schema, obj, root, path, unknown);
}

/* ---- defaulting ---- */

void api_jsonschema_default(const json_t *schema, json_t *v) {
  if (!json_is_object(schema))
    return;
  if (json_is_array(v)) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) api_jsonschema_default(json_object_get(schema, "items"), e);
    return;
  }
  if (!json_is_object(v))
    return;
  const char *key;
  json_t *s;
  json_object_foreach((json_t *)json_object_get(schema, "properties"), key, s) {
    const json_t *dflt = json_object_get(s, "default");
    if (dflt && json_object_get(v, key) == NULL)
      json_object_set_new(v, key, json_deep_copy(dflt));
  }
  json_t *member;
  json_object_foreach(v, key, member) {
    bool known;
    const json_t *ms = member_schema(schema, key, &known);
    if (ms)
      api_jsonschema_default(ms, member);
  }
}

/* ---- validation ---- */

/* value as Kubernetes quotes it in a message (JSON, cut short). */
static const char *shown(const json_t *value, char *buf, size_t size) {
  char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
  snprintf(buf, size, "%s", text ? text : "null");
  if (text && strlen(text) >= size && size > 4)
    strcpy(buf + size - 4, "...");
  free(text);
  return buf;
}

static void invalid(json_t *causes, const char *path, const json_t *value, const char *what) {
  char v[128];
  api_cause(causes, "FieldValueInvalid", path, "Invalid value: %s: %s in body %s",
            shown(value, v, sizeof v), path, what);
}

static bool has_type(const json_t *v, const char *type, bool int_or_string) {
  if (int_or_string)
    return json_is_integer(v) || json_is_string(v);
  if (type == NULL)
    return true;
  if (strcmp(type, "object") == 0)
    return json_is_object(v);
  if (strcmp(type, "array") == 0)
    return json_is_array(v);
  if (strcmp(type, "string") == 0)
    return json_is_string(v);
  if (strcmp(type, "integer") == 0)
    return json_is_integer(v) ||
           (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
  if (strcmp(type, "number") == 0)
    return json_is_number(v);
  if (strcmp(type, "boolean") == 0)
    return json_is_boolean(v);
  return false;
}

static void check_enum(const json_t *schema, const json_t *v, const char *path, json_t *causes) {
  const json_t *values = json_object_get(schema, "enum");
  if (!json_is_array(values))
    return;
  size_t i;
  json_t *e;
  json_array_foreach(values, i, e) if (json_equal(e, (json_t *)v)) return;
  char list[512] = "", one[128];
  size_t o = 0;
  json_array_foreach(values, i, e) {
    int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", shown(e, one, sizeof one));
    if (w < 0 || (size_t)w >= sizeof list - o)
      break;
    o += (size_t)w;
  }
  api_cause(causes, "FieldValueNotSupported", path, "Unsupported value: %s: supported values: %s",
            shown(v, one, sizeof one), list);
}

static void check_number(const json_t *schema, const json_t *v, const char *path, json_t *causes) {
  double x = json_number_value(v);
  const json_t *min = json_object_get(schema, "minimum"), *max = json_object_get(schema, "maximum");
  bool xmin = flag(schema, "exclusiveMinimum"), xmax = flag(schema, "exclusiveMaximum");
  char what[128];
  if (json_is_number(min) && (xmin ? x <= json_number_value(min) : x < json_number_value(min))) {
    snprintf(what, sizeof what, "should be greater than %s%g", xmin ? "" : "or equal to ",
             json_number_value(min));
    invalid(causes, path, v, what);
  }
  if (json_is_number(max) && (xmax ? x >= json_number_value(max) : x > json_number_value(max))) {
    snprintf(what, sizeof what, "should be less than %s%g", xmax ? "" : "or equal to ",
             json_number_value(max));
    invalid(causes, path, v, what);
  }
  const json_t *mul = json_object_get(schema, "multipleOf");
  if (json_is_number(mul) && json_number_value(mul) > 0) {
    double q = x / json_number_value(mul);
    if (fabs(q - round(q)) > 1e-9) {
      snprintf(what, sizeof what, "should be a multiple of %g", json_number_value(mul));
      invalid(causes, path, v, what);
    }
  }
}

static bool matches(const char *pattern, const char *s) {
  regex_t re;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return true; /* refused when the CRD was written; never here */
  bool ok = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

static void check_string(const json_t *schema, const json_t *v, const char *path, json_t *causes) {
  size_t len = json_string_length(v);
  const json_t *min = json_object_get(schema, "minLength"),
               *max = json_object_get(schema, "maxLength");
  char what[160];
  if (json_is_integer(min) && (json_int_t)len < json_integer_value(min)) {
    snprintf(what, sizeof what, "should be at least %lld chars long",
             (long long)json_integer_value(min));
    invalid(causes, path, v, what);
  }
  if (json_is_integer(max) && (json_int_t)len > json_integer_value(max))
    api_cause(causes, "FieldValueTooLong", path, "Too long: may not be more than %lld bytes",
              (long long)json_integer_value(max));
  const char *pattern = json_string_value(json_object_get(schema, "pattern"));
  if (pattern && !matches(pattern, json_string_value(v))) {
    snprintf(what, sizeof what, "should match '%s'", pattern);
    invalid(causes, path, v, what);
  }
}

static void validate_at(const json_t *schema, const json_t *v, const char *path, bool root,
                        json_t *causes);

static void check_array(const json_t *schema, const json_t *v, const char *path, json_t *causes) {
  size_t n = json_array_size(v);
  const json_t *min = json_object_get(schema, "minItems"),
               *max = json_object_get(schema, "maxItems");
  char what[96];
  if (json_is_integer(min) && (json_int_t)n < json_integer_value(min)) {
    snprintf(what, sizeof what, "should have at least %lld items",
             (long long)json_integer_value(min));
    invalid(causes, path, v, what);
  }
  if (json_is_integer(max) && (json_int_t)n > json_integer_value(max))
    api_cause(causes, "FieldValueTooMany", path, "Too many: %zu: must have at most %lld items", n,
              (long long)json_integer_value(max));
  size_t i, j;
  json_t *e;
  json_array_foreach(v, i, e) {
    char sub[PATH_LEN];
    validate_at(json_object_get(schema, "items"), e, below(sub, path, NULL, i), false, causes);
    for (j = 0; flag(schema, "uniqueItems") && j < i; j++)
      if (json_equal(e, json_array_get(v, j)))
        api_cause(causes, "FieldValueDuplicate", sub, "Duplicate value: %s",
                  shown(e, what, sizeof what));
  }
}

static void check_object(const json_t *schema, const json_t *v, const char *path, bool root,
                         json_t *causes) {
  const json_t *req = json_object_get(schema, "required");
  size_t i;
  json_t *name;
  char sub[PATH_LEN];
  json_array_foreach(req, i, name) if (json_is_string(name) &&
                                       json_object_get(v, json_string_value(name)) == NULL)
      api_cause(causes, "FieldValueRequired", below(sub, path, json_string_value(name), 0),
                "Required value");
  if (flag(schema, "x-kubernetes-embedded-resource"))
    for (const char *const *k = (const char *const[]){"apiVersion", "kind", NULL}; *k; k++)
      if (!json_is_string(json_object_get(v, *k)))
        api_cause(causes, "FieldValueRequired", below(sub, path, *k, 0),
                  "Required value: must not be empty");
  const json_t *min = json_object_get(schema, "minProperties"),
               *max = json_object_get(schema, "maxProperties");
  if (json_is_integer(min) && (json_int_t)json_object_size(v) < json_integer_value(min))
    invalid(causes, path, v, "should have at least the minimum number of properties");
  if (json_is_integer(max) && (json_int_t)json_object_size(v) > json_integer_value(max))
    invalid(causes, path, v, "should have at most the maximum number of properties");
  const char *key;
  json_t *member;
  json_object_foreach((json_t *)v, key, member) {
    if (root && strcmp(key, "metadata") == 0)
      continue; /* ObjectMeta's own validation */
    bool known;
    const json_t *ms = member_schema(schema, key, &known);
    if (ms)
      validate_at(ms, member, below(sub, path, key, 0), false, causes);
  }
}

/* allOf, anyOf, oneOf and not: each branch validated apart. */
static size_t passing(const json_t *branches, const json_t *v, const char *path, json_t *causes) {
  size_t i, n = 0;
  json_t *b;
  json_array_foreach(branches, i, b) {
    json_t *mine = json_array();
    validate_at(b, v, path, false, mine);
    n += json_array_size(mine) == 0;
    if (causes)
      json_array_extend(causes, mine);
    json_decref(mine);
  }
  return n;
}

static void check_combinators(const json_t *schema, const json_t *v, const char *path,
                              json_t *causes) {
  const json_t *any = json_object_get(schema, "anyOf"), *one = json_object_get(schema, "oneOf");
  passing(json_object_get(schema, "allOf"), v, path, causes);
  if (json_array_size(any) && passing(any, v, path, NULL) == 0)
    invalid(causes, path, v, "must validate at least one schema (anyOf)");
  if (json_array_size(one) && passing(one, v, path, NULL) != 1)
    invalid(causes, path, v, "must validate one and only one schema (oneOf)");
  const json_t *not = json_object_get(schema, "not");
  if (json_is_object(not )) {
    json_t *mine = json_array();
    validate_at(not, v, path, false, mine);
    if (json_array_size(mine) == 0)
      invalid(causes, path, v, "must not validate the schema (not)");
    json_decref(mine);
  }
}

static void validate_at(const json_t *schema, const json_t *v, const char *path, bool root,
                        json_t *causes) {
  if (!json_is_object(schema))
    return;
  if (json_is_null(v)) {
    if (!flag(schema, "nullable") &&
        (type_of(schema) || flag(schema, "x-kubernetes-int-or-string")))
      api_cause(causes, "FieldValueTypeInvalid", path,
                "Invalid value: \"null\": %s in body must be of type %s: \"null\"", path,
                type_of(schema) ? type_of(schema) : "integer or string");
    return;
  }
  const char *type = type_of(schema);
  bool ios = flag(schema, "x-kubernetes-int-or-string");
  if (!has_type(v, type, ios)) {
    char got[128];
    api_cause(causes, "FieldValueTypeInvalid", path,
              "Invalid value: \"%s\": %s in body must be of type %s: %s", tug_obj_type_name(v),
              path, ios ? "integer or string" : type, shown(v, got, sizeof got));
    return;
  }
  check_enum(schema, v, path, causes);
  check_combinators(schema, v, path, causes);
  if (json_is_number(v))
    check_number(schema, v, path, causes);
  else if (json_is_string(v))
    check_string(schema, v, path, causes);
  else if (json_is_array(v))
    check_array(schema, v, path, causes);
  else if (json_is_object(v))
    check_object(schema, v, path, root, causes);
}

void api_jsonschema_validate(const json_t *schema, const json_t *value, const char *path,
                             json_t *causes) {
  validate_at(schema, value, path, path[0] == '\0', causes);
}

/* ---- structural rules ---- */

static bool known_type(const char *t) {
  static const char *const types[] = {"object", "array",   "string", "integer",
                                      "number", "boolean", NULL};
  for (int i = 0; types[i]; i++)
    if (strcmp(t, types[i]) == 0)
      return true;
  return false;
}

static void check_node(const json_t *schema, const char *path, bool root, json_t *causes);

/* Kubernetes' type rules: every node but int-or-string and free ones has one. */
static void check_type(const json_t *schema, const char *path, bool root, json_t *causes) {
  const json_t *t = json_object_get(schema, "type");
  char sub[PATH_LEN];
  below(sub, path, "type", 0);
  bool ios = flag(schema, "x-kubernetes-int-or-string");
  if (t && !json_is_string(t))
    api_cause(causes, "FieldValueInvalid", sub, "Invalid value: must be a string");
  else if (t && !known_type(json_string_value(t)))
    api_cause(causes, "FieldValueNotSupported", sub,
              "Unsupported value: \"%s\": supported values: \"array\", \"boolean\", \"integer\", "
              "\"number\", \"object\", \"string\"",
              json_string_value(t));
  else if (t && ios)
    api_cause(causes, "FieldValueForbidden", sub,
              "Forbidden: must be empty if x-kubernetes-int-or-string is true");
  else if (root && (t == NULL || strcmp(json_string_value(t), "object") != 0))
    api_cause(causes, "FieldValueInvalid", sub, "Invalid value: must be object at the root");
  else if (t == NULL && !ios && !flag(schema, "x-kubernetes-preserve-unknown-fields"))
    api_cause(causes, "FieldValueRequired", sub,
              "Required value: must not be empty for specified "
              "object fields");
}

static void check_keywords(const json_t *schema, const char *path, bool root, json_t *causes) {
  char sub[PATH_LEN];
  if (json_object_get(schema, "$ref"))
    api_cause(causes, "FieldValueForbidden", below(sub, path, "$ref", 0),
              "Forbidden: $ref is not supported");
  if (json_object_get(schema, "x-kubernetes-validations"))
    api_cause(causes, "FieldValueForbidden", below(sub, path, "x-kubernetes-validations", 0),
              "Forbidden: validation rules (CEL) are not supported by this server");
  const json_t *extra = json_object_get(schema, "additionalProperties");
  if (extra && json_object_get(schema, "properties"))
    api_cause(causes, "FieldValueForbidden", below(sub, path, "additionalProperties", 0),
              "Forbidden: additionalProperties and properties are mutual exclusive");
  else if (extra && !json_is_object(extra) && !json_is_true(extra))
    api_cause(causes, "FieldValueForbidden", below(sub, path, "additionalProperties", 0),
              "Forbidden: must be a schema");
  const char *type = type_of(schema);
  if (type && strcmp(type, "array") == 0 && !json_is_object(json_object_get(schema, "items")))
    api_cause(causes, "FieldValueRequired", below(sub, path, "items", 0),
              "Required value: must be specified for arrays");
  const char *pattern = json_string_value(json_object_get(schema, "pattern"));
  regex_t re;
  if (pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    api_cause(causes, "FieldValueInvalid", below(sub, path, "pattern", 0),
              "Invalid value: \"%s\": not a regular expression this server supports", pattern);
  else if (pattern)
    regfree(&re);
  const json_t *e = json_object_get(schema, "enum");
  if (e && !json_is_array(e))
    api_cause(causes, "FieldValueInvalid", below(sub, path, "enum", 0),
              "Invalid value: must be a list");
  const json_t *dflt = json_object_get(schema, "default");
  if (dflt && root)
    api_cause(causes, "FieldValueForbidden", below(sub, path, "default", 0),
              "Forbidden: must not be set at the root");
  else if (dflt)
    validate_at(schema, dflt, below(sub, path, "default", 0), false, causes);
}

/* At the root, metadata may only constrain name and generateName, as strings. */
static void check_root_metadata(const json_t *schema, const char *path, json_t *causes) {
  const json_t *meta = json_object_get(json_object_get(schema, "properties"), "metadata");
  if (meta == NULL)
    return;
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)meta, key, v) {
    if (strcmp(key, "type") == 0 || strcmp(key, "properties") == 0 ||
        strcmp(key, "description") == 0)
      continue;
    char sub[PATH_LEN];
    snprintf(sub, sizeof sub, "%s.properties[metadata].%s", path, key);
    api_cause(causes, "FieldValueForbidden", sub, "Forbidden: must not be specified");
  }
  json_object_foreach(json_object_get(meta, "properties"), key, v) {
    if (strcmp(key, "name") != 0 && strcmp(key, "generateName") != 0) {
      char sub[PATH_LEN];
      snprintf(sub, sizeof sub, "%s.properties[metadata].properties[%s]", path, key);
      api_cause(causes, "FieldValueForbidden", sub,
                "Forbidden: only name and generateName may be specified");
    }
  }
}

static void check_children(const json_t *schema, const char *path, json_t *causes) {
  char sub[PATH_LEN];
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(schema, "properties"), key, v) {
    snprintf(sub, sizeof sub, "%s.properties[%s]", path, key);
    check_node(v, sub, false, causes);
  }
  const json_t *items = json_object_get(schema, "items");
  if (json_is_object(items))
    check_node(items, below(sub, path, "items", 0), false, causes);
  const json_t *extra = json_object_get(schema, "additionalProperties");
  if (json_is_object(extra))
    check_node(extra, below(sub, path, "additionalProperties", 0), false, causes);
}

static void check_node(const json_t *schema, const char *path, bool root, json_t *causes) {
  if (!json_is_object(schema)) {
    api_cause(causes, "FieldValueInvalid", path, "Invalid value: must be a schema object");
    return;
  }
  check_type(schema, path, root, causes);
  check_keywords(schema, path, root, causes);
  if (root)
    check_root_metadata(schema, path, causes);
  check_children(schema, path, causes);
}

void api_jsonschema_check(const json_t *schema, const char *path, bool root, json_t *causes) {
  check_node(schema, path, root, causes);
}
