/*
 * validation.c — field paths, causes and typed getters for every validator,
 * the DNS-1123 name rules, and the metadata rules common to all kinds.
 *
 * Messages are Kubernetes' word for word where it has one, so that what users
 * search for finds answers. Values are quoted as JSON with non-ASCII escaped and
 * long ones cut short: a cause must stay valid UTF-8, or api_cause drops it.
 */
#include "validation.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "validation-internal.h"

/* ---- paths ---- */

/* Cut a truncated path back to a whole UTF-8 character, so it stays valid. */
static void utf8_trim(char *s) {
  size_t n = strlen(s), i = n;
  while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
    i--;
  if (i == 0 || ((unsigned char)s[i - 1] & 0x80) == 0)
    return;
  unsigned char lead = (unsigned char)s[i - 1];
  size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (n - (i - 1) < want)
    s[i - 1] = '\0';
}

static void path_join(char *out, const char *parent, const char *key) {
  int n;
  if (key == NULL)
    n = snprintf(out, VAL_FIELD_MAX, "%s", parent);
  else if (parent[0] == '\0' || key[0] == '[')
    n = snprintf(out, VAL_FIELD_MAX, "%s%s", parent, key);
  else
    n = snprintf(out, VAL_FIELD_MAX, "%s.%s", parent, key);
  if (n >= VAL_FIELD_MAX)
    utf8_trim(out);
}

val_field val_path(const val_obj *o, const char *key) {
  val_field f;
  path_join(f.s, o->at, key);
  return f;
}

val_field val_bracket(const char *name) {
  val_field f;
  if (snprintf(f.s, sizeof f.s, "[%s]", name) >= (int)sizeof f.s)
    utf8_trim(f.s);
  return f;
}

val_field val_bracket_index(size_t i) {
  val_field f;
  snprintf(f.s, sizeof f.s, "[%zu]", i);
  return f;
}

void val_root(val_obj *root, const json_t *json, json_t *causes) {
  root->json = json_is_object(json) ? json : NULL;
  root->causes = causes;
  root->at[0] = '\0';
}

void val_descend(val_obj *child, const val_obj *parent, const char *key, const json_t *json) {
  child->json = json;
  child->causes = parent->causes;
  path_join(child->at, parent->at, key);
}

bool val_enter(val_obj *child, const val_obj *parent, const char *key) {
  val_descend(child, parent, key, val_object(parent, key));
  return child->json != NULL;
}

bool val_enter_item(val_obj *child, const val_obj *parent, const char *key, size_t i) {
  val_obj list;
  val_descend(&list, parent, key, NULL);
  json_t *item = json_array_get(json_object_get(parent->json, key), i);
  val_field idx = val_bracket_index(i);
  val_descend(child, &list, idx.s, NULL);
  if (item == NULL)
    return false;
  if (!json_is_object(item)) {
    val_invalid(&list, idx.s, item, "must be an object");
    return false;
  }
  child->json = item;
  return true;
}

/* ---- causes ---- */

/* value as JSON, ASCII only, at most ~100 characters. */
static const char *render(const json_t *value, char *buf, size_t size) {
  char *s = value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII |
                                          JSON_REAL_PRECISION(15))
                  : NULL;
  const size_t max = 100;
  if (s == NULL)
    snprintf(buf, size, "null");
  else if (strlen(s) > max)
    snprintf(buf, size, "%.*s...", (int)max, s);
  else
    snprintf(buf, size, "%s", s);
  free(s);
  return buf;
}

void val_required(const val_obj *o, const char *key, const char *detail) {
  val_field f = val_path(o, key);
  if (detail)
    api_cause(o->causes, "FieldValueRequired", f.s, "Required value: %s", detail);
  else
    api_cause(o->causes, "FieldValueRequired", f.s, "Required value");
}

static void invalid_v(const val_obj *o, const char *key, const json_t *value, const char *fmt,
                      va_list ap) {
  char detail[384], shown[128];
  if (vsnprintf(detail, sizeof detail, fmt, ap) >= (int)sizeof detail)
    utf8_trim(detail);
  val_field f = val_path(o, key);
  api_cause(o->causes, "FieldValueInvalid", f.s, "Invalid value: %s: %s",
            render(value, shown, sizeof shown), detail);
}

void val_invalid(const val_obj *o, const char *key, const json_t *value, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  invalid_v(o, key, value, fmt, ap);
  va_end(ap);
}

void val_invalid_str(const val_obj *o, const char *key, const char *value, const char *fmt, ...) {
  json_t *v = json_string(value ? value : "");
  va_list ap;
  va_start(ap, fmt);
  invalid_v(o, key, v, fmt, ap);
  va_end(ap);
  json_decref(v);
}

void val_not_supported(const val_obj *o, const char *key, const json_t *value,
                       const char *const *supported) {
  char list[256] = "", shown[128];
  size_t used = 0;
  for (size_t i = 0; supported[i] && used < sizeof list; i++)
    used +=
        (size_t)snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? ", " : "", supported[i]);
  val_field f = val_path(o, key);
  api_cause(o->causes, "FieldValueNotSupported", f.s, "Unsupported value: %s: supported values: %s",
            render(value, shown, sizeof shown), list);
}

void val_duplicate(const val_obj *o, const char *key, const json_t *value) {
  char shown[128];
  val_field f = val_path(o, key);
  api_cause(o->causes, "FieldValueDuplicate", f.s, "Duplicate value: %s",
            render(value, shown, sizeof shown));
}

void val_forbidden(const val_obj *o, const char *key, const char *fmt, ...) {
  char detail[448];
  va_list ap;
  va_start(ap, fmt);
  if (vsnprintf(detail, sizeof detail, fmt, ap) >= (int)sizeof detail)
    utf8_trim(detail);
  va_end(ap);
  val_field f = val_path(o, key);
  api_cause(o->causes, "FieldValueForbidden", f.s, "Forbidden: %s", detail);
}

void val_too_long(const val_obj *o, const char *key, size_t max_bytes) {
  val_field f = val_path(o, key);
  api_cause(o->causes, "FieldValueTooLong", f.s, "Too long: must have at most %zu bytes",
            max_bytes);
}

/* ---- typed getters ---- */

typedef enum { WANT_OBJECT, WANT_ARRAY, WANT_STRING, WANT_INTEGER, WANT_BOOL, WANT_NUMBER } want;

static bool has_type(const json_t *v, want w) {
  switch (w) {
  case WANT_OBJECT:
    return json_is_object(v);
  case WANT_ARRAY:
    return json_is_array(v);
  case WANT_STRING:
    return json_is_string(v);
  case WANT_INTEGER:
    return json_is_integer(v);
  case WANT_BOOL:
    return json_is_boolean(v);
  case WANT_NUMBER:
    return json_is_number(v);
  }
  return false;
}

static const char *const want_names[] = {"an object",  "an array",  "a string",
                                         "an integer", "a boolean", "a number"};

static json_t *get_typed(const val_obj *o, const char *key, want w) {
  json_t *v = json_object_get(o->json, key);
  if (v == NULL || json_is_null(v))
    return NULL;
  if (!has_type(v, w)) {
    val_invalid(o, key, v, "must be %s", want_names[w]);
    return NULL;
  }
  return v;
}

json_t *val_object(const val_obj *o, const char *key) {
  return get_typed(o, key, WANT_OBJECT);
}
json_t *val_array(const val_obj *o, const char *key) {
  return get_typed(o, key, WANT_ARRAY);
}

const char *val_string(const val_obj *o, const char *key) {
  return json_string_value(get_typed(o, key, WANT_STRING));
}

bool val_int(const val_obj *o, const char *key, int64_t *out) {
  json_t *v = get_typed(o, key, WANT_INTEGER);
  if (v && out)
    *out = (int64_t)json_integer_value(v);
  return v != NULL;
}

bool val_bool(const val_obj *o, const char *key) {
  return get_typed(o, key, WANT_BOOL) != NULL;
}

bool val_number(const val_obj *o, const char *key, double *out) {
  json_t *v = get_typed(o, key, WANT_NUMBER);
  if (v && out)
    *out = json_number_value(v);
  return v != NULL;
}

bool val_present(const val_obj *o, const char *key) {
  json_t *v = json_object_get(o->json, key);
  return v != NULL && !json_is_null(v);
}

size_t val_array_len(const val_obj *o, const char *key) {
  return json_array_size(val_array(o, key));
}

/* ---- DNS-1123 names ---- */

#define DNS1123_LABEL_MAX 63
#define DNS1123_SUBDOMAIN_MAX 253

static const char dns1123_label_msg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
static const char dns1123_subdomain_msg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

static bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n), any length. */
static bool label_syntax(const char *s, size_t n) {
  if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!lower_alnum(s[i]) && s[i] != '-')
      return false;
  return true;
}

/* Labels joined by dots; Kubernetes' regex bounds only the total length. */
static bool subdomain_syntax(const char *s) {
  for (;;) {
    const char *dot = strchr(s, '.');
    size_t n = dot ? (size_t)(dot - s) : strlen(s);
    if (!label_syntax(s, n))
      return false;
    if (dot == NULL)
      return true;
    s = dot + 1;
  }
}

bool api_dns1123_label(const char *s) {
  return s && strlen(s) <= DNS1123_LABEL_MAX && label_syntax(s, strlen(s));
}

bool api_dns1123_subdomain(const char *s) {
  return s && strlen(s) <= DNS1123_SUBDOMAIN_MAX && subdomain_syntax(s);
}

/* One cause per broken rule, as Kubernetes' IsDNS1123Label/Subdomain report them.
 * shown is what the message quotes (the user's generateName, not its mask). */
static void name_rule(const val_obj *o, const char *key, const char *s, const char *shown,
                      bool label) {
  size_t max = label ? DNS1123_LABEL_MAX : DNS1123_SUBDOMAIN_MAX;
  if (strlen(s) > max)
    val_invalid_str(o, key, shown, "must be no more than %zu characters", max);
  if (label ? !label_syntax(s, strlen(s)) : !subdomain_syntax(s))
    val_invalid_str(o, key, shown, "%s", label ? dns1123_label_msg : dns1123_subdomain_msg);
}

bool val_dns_label(const val_obj *o, const char *key) {
  const char *s = val_string(o, key);
  if (s && !api_dns1123_label(s)) {
    name_rule(o, key, s, s, true);
    return false;
  }
  return true;
}

bool val_subdomain(const val_obj *o, const char *key) {
  const char *s = val_string(o, key);
  if (s && !api_dns1123_subdomain(s)) {
    name_rule(o, key, s, s, false);
    return false;
  }
  return true;
}

/* ---- metadata ---- */

#define ANNOTATIONS_MAX_BYTES (256 * 1024)

/* Kubernetes names Namespaces and Services by DNS label (they become DNS names
 * themselves); every other kind we serve by subdomain. */
static bool names_are_labels(const char *kind) {
  return kind && (strcmp(kind, "Namespace") == 0 || strcmp(kind, "Service") == 0);
}

static void validate_generate_name(const val_obj *meta, const char *prefix, bool label) {
  /* A prefix may end in '-' since a random suffix follows; Kubernetes masks it. */
  char masked[DNS1123_SUBDOMAIN_MAX + 2];
  snprintf(masked, sizeof masked, "%s", prefix);
  size_t n = strlen(masked);
  if (n > 1 && masked[n - 1] == '-')
    masked[n - 1] = 'a';
  if (strlen(prefix) > sizeof masked - 2)
    val_invalid_str(meta, "generateName", prefix, "must be no more than %d characters",
                    label ? DNS1123_LABEL_MAX : DNS1123_SUBDOMAIN_MAX);
  else if (label ? !api_dns1123_label(masked) : !api_dns1123_subdomain(masked))
    name_rule(meta, "generateName", masked, prefix, label);
}

static void validate_name(const val_obj *meta, const char *kind) {
  bool label = names_are_labels(kind);
  const char *name = val_string(meta, "name");
  const char *gen = val_string(meta, "generateName");
  if (gen && *gen)
    validate_generate_name(meta, gen, label);
  if (name && *name) {
    if (label ? !api_dns1123_label(name) : !api_dns1123_subdomain(name))
      name_rule(meta, "name", name, name, label);
  } else if (gen == NULL || *gen == '\0') {
    val_required(meta, "name", "name or generateName is required");
  }
}

static void validate_namespace_field(const val_obj *meta, bool namespaced) {
  const char *ns = val_string(meta, "namespace");
  if (ns == NULL || *ns == '\0')
    return; /* the server fills it from the request path */
  if (!namespaced)
    val_forbidden(meta, "namespace", "not allowed on this type");
  else
    val_dns_label(meta, "namespace");
}

/* Kubernetes checks annotation keys case-insensitively. */
static bool annotation_key_valid(const char *key, const char **why) {
  char *lower = strdup(key);
  if (lower == NULL) {
    *why = "out of memory";
    return false;
  }
  for (char *p = lower; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  bool ok = val_qualified_name(lower, why);
  free(lower);
  return ok;
}

static void validate_annotations(const val_obj *meta) {
  val_obj anns;
  val_descend(&anns, meta, "annotations", val_object(meta, "annotations"));
  const char *key, *why;
  json_t *value;
  size_t total = 0;
  json_object_foreach((json_t *)anns.json, key, value) {
    if (!annotation_key_valid(key, &why))
      val_invalid_str(meta, "annotations", key, "%s", why);
    if (!json_is_string(value)) {
      val_invalid(&anns, val_bracket(key).s, value, "must be a string");
      continue;
    }
    total += strlen(key) + json_string_length(value);
  }
  if (total > ANNOTATIONS_MAX_BYTES)
    val_too_long(meta, "annotations", ANNOTATIONS_MAX_BYTES);
}

void val_labels_and_annotations(const val_obj *meta) {
  val_label_map(meta, "labels");
  validate_annotations(meta);
}

static void validate_owner_reference(const val_obj *ref) {
  static const char *const required[] = {"apiVersion", "kind", "name", "uid"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    val_string_required(ref, required[i]);
  val_bool(ref, "controller");
  val_bool(ref, "blockOwnerDeletion");
}

static void validate_owner_references(const val_obj *meta) {
  size_t n = val_array_len(meta, "ownerReferences"), controllers = 0;
  for (size_t i = 0; i < n; i++) {
    val_obj ref;
    if (!val_enter_item(&ref, meta, "ownerReferences", i))
      continue;
    validate_owner_reference(&ref);
    controllers += json_is_true(json_object_get(ref.json, "controller"));
  }
  if (controllers > 1)
    val_invalid(meta, "ownerReferences", json_object_get(meta->json, "ownerReferences"),
                "Only one reference can have Controller set to true");
}

static void validate_finalizers(const val_obj *meta) {
  json_t *list = val_array(meta, "finalizers");
  bool orphan = false, foreground = false;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *v = json_array_get(list, i);
    const char *s = json_string_value(v), *why;
    if (s == NULL) {
      val_obj fin;
      val_descend(&fin, meta, "finalizers", list);
      val_invalid(&fin, val_bracket_index(i).s, v, "must be a string");
      continue;
    }
    if (!val_qualified_name(s, &why))
      val_invalid_str(meta, "finalizers", s, "%s", why);
    orphan |= strcmp(s, "orphan") == 0;
    foreground |= strcmp(s, "foregroundDeletion") == 0;
  }
  if (orphan && foreground)
    val_invalid(meta, "finalizers", list,
                "finalizer orphan and foregroundDeletion cannot be both set");
}

void api_validate_metadata(const json_t *obj, const char *kind, bool namespaced, json_t *causes) {
  val_obj root, meta;
  val_root(&root, obj, causes);
  /* Absent metadata is checked like an empty one: the name is missing. */
  val_enter(&meta, &root, "metadata");
  validate_name(&meta, kind);
  validate_namespace_field(&meta, namespaced);
  val_labels_and_annotations(&meta);
  validate_owner_references(&meta);
  validate_finalizers(&meta);
}
