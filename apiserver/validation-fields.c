/*
 * validation-fields.c — rules on single fields that many kinds share: numbers,
 * enums, string lists and maps, label maps, ports, addresses, times,
 * quantities, label selectors, and the small helpers defaulting uses.
 *
 * Each rule reads the member itself through the typed getters of validation.c,
 * so a value of the wrong type is reported once and the rule goes no further.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "quantity.h"
#include "validation-internal.h"

/* ---- numbers, strings, maps ---- */

static json_t *present(const json_t *holder, const char *key) {
  json_t *v = json_object_get(holder, key);
  return json_is_null(v) ? NULL : v;
}

const char *val_string_required(const val_obj *o, const char *key) {
  json_t *v = present(o->json, key);
  if (v != NULL && !json_is_string(v)) {
    val_invalid(o, key, v, "must be a string");
    return NULL;
  }
  const char *s = json_string_value(v);
  if (s == NULL || *s == '\0') {
    val_required(o, key, NULL);
    return NULL;
  }
  return s;
}

bool val_int_min(const val_obj *o, const char *key, int64_t min, int64_t *out) {
  int64_t v;
  if (!val_int(o, key, &v))
    return false;
  if (v < min) {
    val_invalid(o, key, json_object_get(o->json, key), "must be greater than or equal to %" PRId64,
                min);
    return false;
  }
  if (out)
    *out = v;
  return true;
}

bool val_int_between(const val_obj *o, const char *key, int64_t min, int64_t max, int64_t *out) {
  int64_t v;
  if (!val_int(o, key, &v))
    return false;
  if (v < min || v > max) {
    val_invalid(o, key, json_object_get(o->json, key),
                "must be between %" PRId64 " and %" PRId64 ", inclusive", min, max);
    return false;
  }
  if (out)
    *out = v;
  return true;
}

static bool among(const char *s, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (strcmp(s, list[i]) == 0)
      return true;
  return false;
}

const char *val_enum(const val_obj *o, const char *key, const char *const *supported) {
  const char *s = val_string(o, key);
  if (s && !among(s, supported)) {
    val_not_supported(o, key, json_object_get(o->json, key), supported);
    return NULL;
  }
  return s;
}

void val_string_list(const val_obj *o, const char *key) {
  val_obj list;
  val_descend(&list, o, key, val_array(o, key));
  for (size_t i = 0; i < json_array_size(list.json); i++) {
    json_t *v = json_array_get(list.json, i);
    if (!json_is_string(v))
      val_invalid(&list, val_bracket_index(i).s, v, "must be a string");
  }
}

void val_name_value_list(const val_obj *o, const char *key) {
  size_t n = val_array_len(o, key);
  for (size_t i = 0; i < n; i++) {
    val_obj item;
    if (val_enter_item(&item, o, key, i)) {
      val_string_required(&item, "name");
      val_string(&item, "value");
    }
  }
}

json_t *val_string_map(const val_obj *o, const char *key) {
  val_obj map;
  val_descend(&map, o, key, val_object(o, key));
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)map.json, k, v) {
    if (!json_is_string(v))
      val_invalid(&map, val_bracket(k).s, v, "must be a string");
  }
  return (json_t *)map.json;
}

/* Kubernetes reports label problems on the map itself ("metadata.labels"),
 * quoting the bad key or value. */
void val_label_map(const val_obj *o, const char *key) {
  json_t *map = val_string_map(o, key);
  const char *k, *why;
  json_t *v;
  json_object_foreach(map, k, v) {
    if (!tug_label_key_valid(k, &why))
      val_invalid_str(o, key, k, "%s", why);
    if (json_is_string(v) && !tug_label_value_valid(json_string_value(v), &why))
      val_invalid(o, key, v, "%s", why);
  }
}

bool val_qualified_name(const char *s, const char **why) {
  return tug_label_key_valid(s, why);
}

void val_immutable(const val_obj *o, const char *key, const json_t *old_holder) {
  json_t *now = present(o->json, key), *before = present(old_holder, key);
  if (now == before || (now && before && json_equal(now, before)))
    return;
  val_invalid(o, key, now, "field is immutable");
}

/* ---- ports ---- */

#define PORT_NAME_MAX 15

const char *val_port_name_problem(const char *s) {
  size_t n = strlen(s);
  bool letter = false;
  if (n > PORT_NAME_MAX)
    return "must be no more than 15 characters";
  for (size_t i = 0; i < n; i++) {
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
      return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
    letter |= s[i] >= 'a' && s[i] <= 'z';
  }
  if (n == 0)
    return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
  if (!letter)
    return "must contain at least one letter (a-z)";
  if (strstr(s, "--"))
    return "must not contain consecutive hyphens";
  if (s[0] == '-' || s[n - 1] == '-')
    return "must not begin or end with a hyphen";
  return NULL;
}

bool val_port_number(const val_obj *o, const char *key, bool required, int64_t *out) {
  if (present(o->json, key) == NULL) {
    if (required)
      val_required(o, key, NULL);
    return false;
  }
  return val_int_between(o, key, 1, 65535, out);
}

void val_port_or_name(const val_obj *o, const char *key) {
  json_t *v = present(o->json, key);
  const char *problem;
  if (v == NULL)
    val_required(o, key, NULL);
  else if (json_is_integer(v))
    val_port_number(o, key, true, NULL);
  else if (!json_is_string(v))
    val_invalid(o, key, v, "must be an integer or a string");
  else if ((problem = val_port_name_problem(json_string_value(v))) != NULL)
    val_invalid(o, key, v, "%s", problem);
}

void val_protocol(const val_obj *o, const char *key) {
  static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};
  val_enum(o, key, protocols);
}

void val_taint_effect(const val_obj *o, bool allow_empty) {
  static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
  bool given = val_present(o, "effect");
  const char *effect = val_string(o, "effect");
  if (effect && *effect)
    val_enum(o, "effect", effects);
  else if (!allow_empty && (!given || effect != NULL)) /* absent or "", not of a wrong type */
    val_required(o, "effect", NULL);
}

/* ---- addresses and times ---- */

bool val_ipv4(const char *s) {
  struct in_addr a;
  return s && inet_pton(AF_INET, s, &a) == 1;
}

bool val_cidr4(const char *s) {
  const char *slash = s ? strchr(s, '/') : NULL;
  char ip[INET_ADDRSTRLEN];
  size_t n = slash ? (size_t)(slash - s) : 0;
  if (slash == NULL || n >= sizeof ip)
    return false;
  memcpy(ip, s, n);
  ip[n] = '\0';
  const char *bits = slash + 1;
  size_t len = strlen(bits);
  if (len == 0 || len > 2 || (len == 2 && bits[0] == '0') || strspn(bits, "0123456789") != len)
    return false;
  return val_ipv4(ip) && atoi(bits) <= 32;
}

/* n digits at s within [lo, hi]. */
static bool digits(const char *s, int n, int lo, int hi) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  return v >= lo && v <= hi;
}

static bool rfc3339_zone(const char *s) {
  if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0)
    return true;
  return (s[0] == '+' || s[0] == '-') && digits(s + 1, 2, 0, 23) && s[3] == ':' &&
         digits(s + 4, 2, 0, 59) && s[6] == '\0';
}

bool val_rfc3339(const char *s) {
  if (s == NULL || strlen(s) < 20)
    return false;
  bool date = digits(s, 4, 0, 9999) && s[4] == '-' && digits(s + 5, 2, 1, 12) && s[7] == '-' &&
              digits(s + 8, 2, 1, 31) && (s[10] == 'T' || s[10] == 't');
  bool time = digits(s + 11, 2, 0, 23) && s[13] == ':' && digits(s + 14, 2, 0, 59) &&
              s[16] == ':' && digits(s + 17, 2, 0, 60);
  if (!date || !time)
    return false;
  const char *p = s + 19;
  if (*p == '.') {
    size_t frac = strspn(p + 1, "0123456789");
    if (frac == 0 || frac > 9)
      return false;
    p += 1 + frac;
  }
  return rfc3339_zone(p);
}

/* ---- quantities ---- */

static bool cpu_like(const char *resource) {
  size_t n = strlen(resource);
  return strcmp(resource, "cpu") == 0 || (n > 4 && strcmp(resource + n - 4, ".cpu") == 0);
}

const char *val_quantity_text(const json_t *v, char *buf, size_t size) {
  if (json_is_string(v))
    snprintf(buf, size, "%s", json_string_value(v));
  else if (json_is_integer(v))
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  else if (json_is_real(v))
    snprintf(buf, size, "%.15g", json_real_value(v));
  else
    return NULL;
  return buf;
}

static int parse_text(const char *resource, const char *text, int64_t *out, tug_error *err) {
  return cpu_like(resource) ? tug_quantity_parse_milli(text, 0, out, err)
                            : tug_quantity_parse_value(text, 0, out, err);
}

bool val_quantity_parse(const char *resource, const json_t *v, int64_t *out) {
  char buf[128];
  tug_error err;
  int64_t q;
  const char *text = val_quantity_text(v, buf, sizeof buf);
  if (text == NULL || parse_text(resource, text, &q, &err) < 0)
    return false;
  if (out)
    *out = q;
  return true;
}

/* The part of a quantity error after its "quantity "<text>": " prefix. */
static const char *quantity_problem(const tug_error *err, const char *text) {
  size_t n = strlen(text);
  if (strncmp(err->msg, "quantity \"", 10) == 0 && strncmp(err->msg + 10, text, n) == 0 &&
      strncmp(err->msg + 10 + n, "\": ", 3) == 0)
    return err->msg + 13 + n;
  return err->msg;
}

bool val_quantity(const val_obj *o, const char *key, const char *resource, const json_t *v,
                  int64_t *out) {
  char buf[128];
  tug_error err = {0};
  int64_t q;
  const char *text = val_quantity_text(v, buf, sizeof buf);
  if (text == NULL) {
    val_invalid(o, key, v, "must be a quantity such as \"500m\" or \"128Mi\"");
    return false;
  }
  if (text[0] == '-') {
    val_invalid(o, key, v, "must be greater than or equal to 0");
    return false;
  }
  if (parse_text(resource, text, &q, &err) < 0) {
    val_invalid(o, key, v, "%s", quantity_problem(&err, text));
    return false;
  }
  if (out)
    *out = q;
  return true;
}

json_t *val_resource_map(const val_obj *o, const char *key, val_resource_name_fn name_ok) {
  val_obj map;
  val_descend(&map, o, key, val_object(o, key));
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)map.json, name, v) {
    if (name_ok(&map, name))
      val_quantity(&map, val_bracket(name).s, name, v, NULL);
  }
  return (json_t *)map.json;
}

void val_normalize_quantities(json_t *map) {
  const char *name;
  json_t *v;
  char buf[64];
  /* Replacing the value of an existing key keeps the iteration valid. */
  json_object_foreach(map, name, v) {
    if (json_is_number(v))
      json_object_set_new(map, name, json_string(val_quantity_text(v, buf, sizeof buf)));
  }
}

/* ---- label selectors ---- */

static bool nothing_in(const json_t *v) {
  return v == NULL || json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0) ||
         (json_is_array(v) && json_array_size(v) == 0);
}

tug_selector *val_label_selector(const val_obj *o, const char *key, bool *empty) {
  json_t *sel = val_object(o, key);
  json_t *labels = json_object_get(sel, "matchLabels");
  json_t *exprs = json_object_get(sel, "matchExpressions");
  *empty = nothing_in(labels) && nothing_in(exprs);
  if (sel == NULL)
    return NULL;
  tug_error err = {0};
  tug_selector *out = NULL;
  if (tug_selector_from_match_labels(labels, exprs, &out, &err) < 0) {
    val_invalid(o, key, sel, "%s", err.msg);
    return NULL;
  }
  return out;
}

/* ---- defaults ---- */

void val_default(json_t *obj, const char *key, json_t *value) {
  if (!json_is_object(obj) || present(obj, key) != NULL) {
    json_decref(value);
    return;
  }
  json_object_set_new(obj, key, value);
}

json_t *val_default_object(json_t *obj, const char *key) {
  if (!json_is_object(obj))
    return NULL;
  json_t *v = present(obj, key);
  if (v == NULL) {
    v = json_object();
    if (json_object_set_new(obj, key, v) < 0)
      return NULL;
  }
  return json_is_object(v) ? v : NULL;
}
