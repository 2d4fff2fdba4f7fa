/*
 * validation-config.c — ConfigMap and Secret: keys that become file names,
 * base64 values, a 1 MiB ceiling, and `immutable`.
 *
 * The one idea: a Secret's stringData is write-only. Like kube-apiserver's
 * conversion to its internal type, defaulting merges it into data (base64,
 * stringData winning key by key) and drops it, so validation, storage and
 * every reader only ever see data. Values are kept in Go's canonical base64,
 * so comparing two objects compares their bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "registry.h"
#include "validation-internal.h"
#include "validation.h"

#define CONFIG_KEY_MAX 253
#define CONFIG_SIZE_MAX (1024 * 1024)
#define CONFIG_KEY_CHARS "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define REDACTED "<secret contents redacted>"
#define IMMUTABLE_SET "field is immutable when `immutable` is set"

#define SECRET_SA_TOKEN "kubernetes.io/service-account-token"
#define SECRET_DOCKERCFG "kubernetes.io/dockercfg"
#define SECRET_DOCKER_JSON "kubernetes.io/dockerconfigjson"
#define SECRET_BASIC_AUTH "kubernetes.io/basic-auth"
#define SECRET_SSH_AUTH "kubernetes.io/ssh-auth"
#define SECRET_TLS "kubernetes.io/tls"

/* ---- shared: keys, base64 values, immutability ---- */

/* IsConfigMapKey: each problem is its own cause, as in Kubernetes. */
static void validate_key(const val_obj *map, const char *key, size_t len) {
  val_field at = val_bracket(key);
  if (len > CONFIG_KEY_MAX)
    val_invalid_str(map, at.s, key, "must be no more than %d characters", CONFIG_KEY_MAX);
  if (len == 0 || strlen(key) != len || strspn(key, CONFIG_KEY_CHARS) != len)
    val_invalid_str(map, at.s, key,
                    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                    "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
                    "is '[-._a-zA-Z0-9]+')");
  if (strcmp(key, ".") == 0)
    val_invalid_str(map, at.s, key, "must not be '.'");
  else if (strcmp(key, "..") == 0)
    val_invalid_str(map, at.s, key, "must not be '..'");
  else if (strncmp(key, "..", 2) == 0)
    val_invalid_str(map, at.s, key, "must not start with '..'");
}

/* The byte count of a base64 map value; a cause when it is not base64. A
 * secret's value never appears in a message. */
static size_t base64_value(const val_obj *map, const char *key, const json_t *v, bool secret) {
  json_t *shown = secret ? json_string(REDACTED) : json_incref((json_t *)v);
  size_t len = 0, bad_at;
  if (!json_is_string(v))
    val_invalid(map, val_bracket(key).s, shown, "must be a base64-encoded string");
  else if (tug_base64_decode(json_string_value(v), json_string_length(v), NULL, &len, &bad_at) < 0)
    val_invalid(map, val_bracket(key).s, shown, "illegal base64 data at input byte %zu", bad_at);
  json_decref(shown);
  return len;
}

/* A map of base64 values (binaryData, a Secret's data): valid keys and values;
 * the byte count of its values. */
static size_t validate_base64_map(const val_obj *map, bool secret) {
  size_t total = 0, len;
  const char *key;
  json_t *v;
  json_object_keylen_foreach((json_t *)map->json, key, len, v) {
    validate_key(map, key, len);
    total += base64_value(map, key, v, secret);
  }
  return total;
}

/* Valid base64 values rewritten as Go re-encodes them (no newlines). */
static void canonical_base64(json_t *map) {
  const char *key;
  json_t *v;
  json_object_foreach(map, key, v) {
    unsigned char *bytes;
    size_t len, bad_at;
    if (!json_is_string(v) ||
        tug_base64_decode(json_string_value(v), json_string_length(v), &bytes, &len, &bad_at) < 0)
      continue;
    char *again = tug_base64_encode(bytes, len);
    if (again && strcmp(again, json_string_value(v)) != 0)
      json_string_set(v, again);
    free(again);
    free(bytes);
  }
}

/* Absent, null and {} all mean "no entries" (Go's nil map and empty map). */
static bool same_entries(const json_t *a, const json_t *b) {
  if (json_object_size(a) == 0 && json_object_size(b) == 0)
    return true;
  return json_equal(a, b);
}

/* Once stored with immutable: true, the object keeps it and its contents. */
static void validate_immutable_update(const val_obj *root, const json_t *old,
                                      const char *const *contents) {
  if (!json_is_true(json_object_get(old, "immutable")))
    return;
  if (!json_is_true(json_object_get(root->json, "immutable")))
    val_forbidden(root, "immutable", IMMUTABLE_SET);
  for (size_t i = 0; contents[i]; i++)
    if (!same_entries(json_object_get(root->json, contents[i]), json_object_get(old, contents[i])))
      val_forbidden(root, contents[i], IMMUTABLE_SET);
}

static void too_big(const val_obj *root, const char *detail) {
  val_field f = val_path(root, "data");
  api_cause(root->causes, "FieldValueTooLong", f.s, "Too long: must have at most %d bytes%s",
            CONFIG_SIZE_MAX, detail);
}

/* ---- ConfigMap ---- */

void api_default_configmap(json_t *obj) {
  canonical_base64(json_object_get(obj, "binaryData"));
}

void api_validate_configmap(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const contents[] = {"data", "binaryData", NULL};
  val_obj root, data, binary;
  val_root(&root, obj, causes);
  val_descend(&data, &root, "data", val_string_map(&root, "data"));
  val_descend(&binary, &root, "binaryData", val_object(&root, "binaryData"));
  size_t total = 0, len;
  const char *key;
  json_t *v;
  json_object_keylen_foreach((json_t *)data.json, key, len, v) {
    validate_key(&data, key, len);
    if (json_object_get(binary.json, key))
      val_invalid_str(&data, val_bracket(key).s, key, "duplicate of key present in binaryData");
    total += json_string_length(v);
  }
  total += validate_base64_map(&binary, false);
  if (total > CONFIG_SIZE_MAX)
    too_big(&root, " in data and binaryData together");
  val_bool(&root, "immutable");
  validate_immutable_update(&root, old, contents);
}

/* ---- Secret ---- */

static bool all_strings(const json_t *map) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)map, key, v) {
    if (!json_is_string(v))
      return false;
  }
  return true;
}

/* kube-apiserver's v1 → internal conversion: stringData overwrites data key by
 * key. Left in place when it is not a map of strings or data is not a map, for
 * validation to name. */
static void merge_string_data(json_t *secret) {
  json_t *sd = json_object_get(secret, "stringData");
  json_t *data = json_object_get(secret, "data");
  if (sd == NULL || (!json_is_null(sd) && !(json_is_object(sd) && all_strings(sd))))
    return;
  if (json_object_size(sd) > 0 && (data == NULL || json_is_null(data))) {
    data = json_object();
    json_object_set_new(secret, "data", data);
  }
  if (json_object_size(sd) > 0 && !json_is_object(data))
    return;
  const char *key;
  size_t len;
  json_t *v;
  json_object_keylen_foreach(sd, key, len, v) {
    char *coded = tug_base64_encode(json_string_value(v), json_string_length(v));
    if (coded == NULL)
      return;
    json_object_setn_new(data, key, len, json_string(coded));
    free(coded);
  }
  json_object_del(secret, "stringData");
}

void api_default_secret(json_t *obj) {
  if (!json_is_object(obj))
    return;
  json_t *type = json_object_get(obj, "type");
  if (type == NULL || json_is_null(type) || (json_is_string(type) && json_string_length(type) == 0))
    json_object_set_new(obj, "type", json_string("Opaque"));
  merge_string_data(obj);
  canonical_base64(json_object_get(obj, "data"));
}

/* The decoded bytes of data[key] (NUL-terminated, free them); NULL when absent or bad. */
static unsigned char *secret_bytes(const val_obj *data, const char *key, size_t *len) {
  json_t *v = json_object_get(data->json, key);
  unsigned char *bytes = NULL;
  size_t bad_at;
  *len = 0;
  if (json_is_string(v) &&
      tug_base64_decode(json_string_value(v), json_string_length(v), &bytes, len, &bad_at) < 0)
    bytes = NULL;
  return bytes;
}

/* data[key] must exist and hold a JSON object (docker configs). */
static void require_json_key(const val_obj *data, const char *key) {
  val_field at = val_bracket(key);
  size_t len;
  if (json_object_get(data->json, key) == NULL) {
    val_required(data, at.s, NULL);
    return;
  }
  unsigned char *bytes = secret_bytes(data, key, &len);
  json_error_t jerr;
  json_t *parsed = bytes ? json_loadb((const char *)bytes, len, 0, &jerr) : NULL;
  if (bytes && !json_is_object(parsed))
    val_invalid_str(data, at.s, REDACTED, "%s", parsed ? "must be a JSON object" : jerr.text);
  json_decref(parsed);
  free(bytes);
}

static void require_key(const val_obj *data, const char *key) {
  if (json_object_get(data->json, key) == NULL)
    val_required(data, val_bracket(key).s, NULL);
}

static void validate_secret_type(const val_obj *root, const val_obj *data, const char *type) {
  size_t len;
  if (strcmp(type, SECRET_SA_TOKEN) == 0) {
    val_obj meta, annotations;
    json_t *m = json_object_get(root->json, "metadata");
    val_descend(&meta, root, "metadata", m);
    val_descend(&annotations, &meta, "annotations", json_object_get(m, "annotations"));
    const char *sa =
        json_string_value(json_object_get(annotations.json, "kubernetes.io/service-account.name"));
    if (sa == NULL || *sa == '\0')
      val_required(&annotations, "[kubernetes.io/service-account.name]", NULL);
  } else if (strcmp(type, SECRET_DOCKERCFG) == 0) {
    require_json_key(data, ".dockercfg");
  } else if (strcmp(type, SECRET_DOCKER_JSON) == 0) {
    require_json_key(data, ".dockerconfigjson");
  } else if (strcmp(type, SECRET_BASIC_AUTH) == 0) {
    if (json_object_get(data->json, "username") == NULL &&
        json_object_get(data->json, "password") == NULL) {
      require_key(data, "username");
      require_key(data, "password");
    }
  } else if (strcmp(type, SECRET_SSH_AUTH) == 0) {
    unsigned char *key = secret_bytes(data, "ssh-privatekey", &len);
    if (json_object_get(data->json, "ssh-privatekey") == NULL || (key && len == 0))
      val_required(data, "[ssh-privatekey]", NULL);
    free(key);
  } else if (strcmp(type, SECRET_TLS) == 0) {
    require_key(data, "tls.crt");
    require_key(data, "tls.key");
  }
}

/* stringData is only still there when it could not be merged into data. */
static void validate_unmerged_string_data(const val_obj *root) {
  val_obj sd;
  val_descend(&sd, root, "stringData", val_object(root, "stringData"));
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)sd.json, key, v) {
    if (!json_is_string(v))
      val_invalid_str(&sd, val_bracket(key).s, REDACTED, "must be a string");
  }
}

void api_validate_secret(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const contents[] = {"data", NULL};
  val_obj root, data;
  val_root(&root, obj, causes);
  val_descend(&data, &root, "data", val_object(&root, "data"));
  if (validate_base64_map(&data, true) > CONFIG_SIZE_MAX)
    too_big(&root, "");
  validate_unmerged_string_data(&root);
  const char *type = val_string(&root, "type");
  if (type)
    validate_secret_type(&root, &data, type);
  val_bool(&root, "immutable");
  if (old)
    val_immutable(&root, "type", old);
  validate_immutable_update(&root, old, contents);
}
