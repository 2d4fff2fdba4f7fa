/*
 * fieldvalidation.c — unknown and duplicate fields of written objects, and
 * what each fieldValidation mode makes of them (see fieldvalidation.h).
 *
 * Duplicates cost nothing on the common path: jansson rejects a repeated key
 * while it parses (JSON_REJECT_DUPLICATES), and only then is the text parsed
 * again, keeping last values, and walked once more by a small scanner that
 * knows the path of every key.
 */
#include "fieldvalidation.h"

#include <stdio.h>
#include <string.h>

#include "crd.h"
#include "status.h"

enum { PATH_MAX_LEN = 1024, PATCH_VALUE_SHOWN = 256 };

int api_fv_mode_of(const api_request *r, api_fv_mode *mode, api_response *out) {
  const char *v = api_query(r, "fieldValidation");
  if (v == NULL || v[0] == '\0' || strcmp(v, "Warn") == 0) {
    *mode = API_FV_WARN;
  } else if (strcmp(v, "Ignore") == 0) {
    *mode = API_FV_IGNORE;
  } else if (strcmp(v, "Strict") == 0) {
    *mode = API_FV_STRICT;
  } else {
    char detail[256];
    snprintf(detail, sizeof detail,
             "Unsupported value: \"%.100s\": supported values: \"\", \"Ignore\", \"Strict\", "
             "\"Warn\"",
             v);
    return api_options_invalid(r, out, "fieldValidation", "FieldValueNotSupported",
                               "Unsupported value", detail);
  }
  return 0;
}

int api_options_invalid(const api_request *r, api_response *out, const char *field,
                        const char *reason, const char *cause, const char *detail) {
  const char *options = strcmp(r->method, "POST") == 0  ? "CreateOptions"
                        : strcmp(r->method, "PUT") == 0 ? "UpdateOptions"
                                                        : "PatchOptions";
  json_t *causes =
      json_pack("[{s:s, s:s, s:s}]", "reason", reason, "field", field, "message", cause);
  json_t *details = json_pack("{s:s, s:s, s:s, s:o}", "name", "", "group", "meta.k8s.io", "kind",
                              options, "causes", causes);
  json_decref(out->body);
  out->code = 422;
  out->body = api_status(422, "Invalid", details, "%s.meta.k8s.io \"\" is invalid: %s: %s", options,
                         field, detail);
  return -1;
}

/* ---- duplicate keys ---- */

typedef struct dup_scan {
  const char *p, *end;
  char path[PATH_MAX_LEN];
  size_t len;
  json_t *errors;
} dup_scan;

static void skip_space(dup_scan *s) {
  while (s->p < s->end && strchr(" \t\r\n", *s->p))
    s->p++;
}

/* Past a string token; true when it holds an escape. */
static bool skip_string(dup_scan *s) {
  bool escaped = false;
  for (s->p++; s->p < s->end && *s->p != '"'; s->p++)
    if (*s->p == '\\') {
      escaped = true;
      s->p++;
    }
  s->p++;
  return escaped;
}

/* Append ".key" (or "key" at the root) or "[i]" to a path of PATH_MAX_LEN
 * bytes now len long; its new length. Cut short, never overrun. */
static size_t path_add(char *path, size_t len, const char *key, size_t index) {
  size_t room = PATH_MAX_LEN - len;
  int n = key ? snprintf(path + len, room, "%s%s", len ? "." : "", key)
              : snprintf(path + len, room, "[%zu]", index);
  return n < 0 ? len : (size_t)n >= room ? PATH_MAX_LEN - 1 : len + (size_t)n;
}

static void scan_value(dup_scan *s);

/* The value of a member or element whose path was added past saved, then
 * the path as it was and the comma. */
static void scan_member(dup_scan *s, size_t saved) {
  scan_value(s);
  s->len = saved;
  s->path[saved] = '\0';
  skip_space(s);
  if (s->p < s->end && *s->p == ',')
    s->p++;
}

static char *decode_key(const char *start, size_t n, bool escaped) {
  if (!escaped)
    return strndup(start + 1, n - 2);
  json_t *k = json_loadb(start, n, JSON_DECODE_ANY, NULL);
  char *key = strdup(json_is_string(k) ? json_string_value(k) : "");
  json_decref(k);
  return key;
}

static void scan_object(dup_scan *s) {
  json_t *seen = json_object();
  s->p++;
  for (skip_space(s); s->p < s->end && *s->p != '}'; skip_space(s)) {
    const char *start = s->p;
    bool escaped = skip_string(s);
    char *key = decode_key(start, (size_t)(s->p - start), escaped);
    size_t saved = s->len;
    s->len = path_add(s->path, s->len, key, 0);
    if (json_object_get(seen, key))
      json_array_append_new(s->errors, json_sprintf("duplicate field \"%s\"", s->path));
    json_object_set_new(seen, key, json_true());
    free(key);
    skip_space(s);
    s->p++; /* ':' */
    scan_member(s, saved);
  }
  s->p++;
  json_decref(seen);
}

static void scan_array(dup_scan *s) {
  s->p++;
  size_t i = 0;
  for (skip_space(s); s->p < s->end && *s->p != ']'; skip_space(s), i++) {
    size_t saved = s->len;
    s->len = path_add(s->path, s->len, NULL, i);
    scan_member(s, saved);
  }
  s->p++;
}

static void scan_value(dup_scan *s) {
  skip_space(s);
  if (s->p >= s->end)
    return;
  if (*s->p == '{')
    scan_object(s);
  else if (*s->p == '[')
    scan_array(s);
  else if (*s->p == '"')
    skip_string(s);
  else
    while (s->p < s->end && !strchr(",]} \t\r\n", *s->p))
      s->p++;
}

json_t *api_fv_duplicates(const char *text, size_t len) {
  dup_scan s = {.p = text, .end = text + len, .errors = json_array()};
  scan_value(&s);
  if (json_array_size(s.errors) == 0) {
    json_decref(s.errors);
    return NULL;
  }
  return s.errors;
}

json_t *api_fv_loadb(api_request *r, api_fv_mode mode, json_error_t *jerr) {
  if (mode == API_FV_IGNORE)
    return json_loadb(r->body, r->body_len, 0, jerr);
  json_t *obj = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, jerr);
  if (obj || json_error_code(jerr) != json_error_duplicate_key)
    return obj;
  obj = json_loadb(r->body, r->body_len, 0, jerr);
  if (obj) {
    json_decref(r->strict_errors);
    r->strict_errors = api_fv_duplicates(r->body, r->body_len);
  }
  return obj;
}

/* ---- unknown fields ---- */

static void prune_at(const api_message *m, json_t *obj, char *path, size_t len, json_t *errors);

/* Descend into one value of field f (an element, a map value or the value). */
static void prune_value(const api_field *f, json_t *v, char *path, size_t len, json_t *errors) {
  if (f->type == API_SCHEMA_MESSAGE && json_is_object(v))
    prune_at(f->message, v, path, len, errors);
}

static void prune_field(const api_field *f, json_t *v, char *path, size_t len, json_t *errors) {
  if (f->shape == API_SCHEMA_LIST && json_is_array(v)) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) prune_value(f, e, path, path_add(path, len, NULL, i), errors);
  } else if (f->shape == API_SCHEMA_MAP && json_is_object(v)) {
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e) prune_value(f, e, path, path_add(path, len, k, 0), errors);
  } else if (f->shape == API_SCHEMA_SCALAR) {
    prune_value(f, v, path, len, errors);
  }
  path[len] = '\0';
}

static void prune_at(const api_message *m, json_t *obj, char *path, size_t len, json_t *errors) {
  const char *key;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(obj, tmp, key, v) {
    /* Every kind's object carries its type (Kubernetes' TypeMeta), which
     * the schemas leave out: protobuf sends it apart from the message. */
    if (len == 0 && (strcmp(key, "apiVersion") == 0 || strcmp(key, "kind") == 0))
      continue;
    size_t n = path_add(path, len, key, 0);
    const api_field *f = api_schema_field(m, key);
    if (f == NULL) {
      json_array_append_new(errors, json_sprintf("unknown field \"%s\"", path));
      json_object_del(obj, key);
    } else {
      prune_field(f, v, path, n, errors);
    }
    path[len] = '\0';
  }
}

void api_fv_prune(const api_message *m, json_t *obj, json_t *errors) {
  char path[PATH_MAX_LEN] = "";
  if (m && json_is_object(obj))
    prune_at(m, obj, path, 0, errors);
}

/* ---- answers ---- */

const api_message *api_fv_message(const api_kind *k) {
  return api_schema_find_gv(k->group, k->version, k->kind);
}

/* The request's strict errors about obj: the body's duplicates, then obj's
 * unknown fields (pruned). NULL when there are none. */
static json_t *strict_errors(api_request *r, const api_kind *k, const api_message *m, json_t *obj) {
  json_t *errors = r->strict_errors ? json_deep_copy(r->strict_errors) : json_array();
  if (k && k->custom)
    api_custom_prune(k, obj, errors);
  else
    api_fv_prune(m, obj, errors);
  if (json_array_size(errors) == 0) {
    json_decref(errors);
    return NULL;
  }
  return errors;
}

/* "strict decoding error: unknown field \"a\", duplicate field \"b\"" */
static char *strict_message(const json_t *errors) {
  size_t size = 64;
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) size += strlen(json_string_value(e)) + 2;
  char *msg = malloc(size);
  size_t o = (size_t)sprintf(msg, "strict decoding error: ");
  json_array_foreach(errors, i, e) o +=
      (size_t)sprintf(msg + o, "%s%s", i ? ", " : "", json_string_value(e));
  return msg;
}

/* Prune obj and weigh the request's strict errors about it by its mode: 0
 * when the write goes on (warned under Warn), 1 with *msg (to free) under
 * Strict, -1 with out filled for a bad fieldValidation. */
static int judge(api_request *r, const api_kind *k, const api_message *m, json_t *obj, char **msg,
                 api_response *out) {
  api_fv_mode mode;
  if (api_fv_mode_of(r, &mode, out) < 0)
    return -1;
  json_t *errors = strict_errors(r, k, m, obj);
  int rc = 0;
  if (errors && mode == API_FV_STRICT) {
    *msg = strict_message(errors);
    rc = 1;
  } else if (errors && mode == API_FV_WARN) {
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) api_warn(out, "%s", json_string_value(e));
  }
  json_decref(errors);
  return rc;
}

/* k (NULL: none) or m says what obj is; a custom kind is pruned by its CRD's
 * schema (crd.h). */
static int check_object(api_request *r, const api_kind *k, const api_message *m, json_t *obj,
                        api_response *out) {
  char *msg = NULL;
  int rc = judge(r, k, m, obj, &msg, out);
  if (rc <= 0)
    return rc;
  const api_schema_kind *sk = api_schema_kind_of(m);
  const char *kind = k ? k->kind : sk ? sk->kind : "object";
  const char *version = k ? k->version : sk ? sk->version : "";
  api_fail(out, 400, "%s in version \"%s\" cannot be handled as a %s: %s", kind, version, kind,
           msg);
  free(msg);
  return -1;
}

int api_fv_check_object(api_request *r, const api_message *m, json_t *obj, api_response *out) {
  return check_object(r, NULL, m, obj, out);
}

int api_fv_check_kind(api_request *r, const api_kind *k, json_t *obj, api_response *out) {
  return check_object(r, k, api_fv_message(k), obj, out);
}

/* Kubernetes' 422 for a patch whose result has strict errors: the cause is
 * on the field "patch", quoting the patch (here cut short). */
static void fail_patch(api_response *out, const json_t *patch, const char *msg) {
  char *text = json_dumps(patch, JSON_COMPACT);
  if (text && strlen(text) > PATCH_VALUE_SHOWN)
    strcpy(text + PATCH_VALUE_SHOWN - 3, "...");
  json_t *quoted = json_string(text ? text : "");
  char *value = json_dumps(quoted, JSON_ENCODE_ANY);
  char *cause_msg = NULL;
  if (asprintf(&cause_msg, "Invalid value: %s: %s", value, msg) < 0)
    cause_msg = NULL;
  json_t *causes = json_pack("[{s:s, s:s, s:s}]", "reason", "FieldValueInvalid", "field", "patch",
                             "message", cause_msg ? cause_msg : msg);
  json_decref(out->body);
  out->code = 422;
  out->body = api_status(422, "Invalid", json_pack("{s:s, s:o}", "name", "", "causes", causes),
                         " \"\" is invalid: patch: %s", cause_msg ? cause_msg : msg);
  free(cause_msg);
  free(value);
  json_decref(quoted);
  free(text);
}

int api_fv_check_patched(api_request *r, const api_message *m, json_t *obj, const json_t *patch,
                         api_response *out) {
  return api_fv_check_patched_kind(r, NULL, m, obj, patch, out);
}

int api_fv_check_patched_kind(api_request *r, const api_kind *k, const api_message *m, json_t *obj,
                              const json_t *patch, api_response *out) {
  char *msg = NULL;
  int rc = judge(r, k, m, obj, &msg, out);
  if (rc <= 0)
    return rc;
  fail_patch(out, patch, msg);
  free(msg);
  return -1;
}
