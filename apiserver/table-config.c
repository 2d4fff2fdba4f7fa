/*
 * table-config.c — configmaps, secrets and serviceaccounts as kubectl 1.32 prints them.
 *
 * DATA counts keys, not bytes: a ConfigMap's data and binaryData together, a
 * Secret's data; SECRETS counts a ServiceAccount's listed secrets. Like
 * Kubernetes, these columns are declared strings and their cells are integers.
 */
#include "table-internal.h"
#include "table.h"

static json_t *key_count(const json_t *obj, const char *a, const char *b) {
  size_t n = json_object_size(json_object_get(obj, a));
  if (b)
    n += json_object_size(json_object_get(obj, b));
  return json_integer((json_int_t)n);
}

static json_t *configmap_data(const json_t *cm) {
  return key_count(cm, "data", "binaryData");
}

static json_t *secret_type(const json_t *secret) {
  return table_str_cell(secret, "type", "");
}

static json_t *secret_data(const json_t *secret) {
  return key_count(secret, "data", NULL);
}

static json_t *serviceaccount_secrets(const json_t *sa) {
  return json_integer((json_int_t)json_array_size(json_object_get(sa, "secrets")));
}

const api_column api_columns_configmap[] = {
    TABLE_COLUMN_NAME,
    {"Data", "string", "", 0,
     "Data contains the configuration data. Each key must consist of alphanumeric characters, "
     "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The "
     "keys stored in Data must not overlap with the keys in the BinaryData field, this is "
     "enforced during validation process.",
     configmap_data},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};

const api_column api_columns_secret[] = {
    TABLE_COLUMN_NAME,
    {"Type", "string", "", 0,
     "Used to facilitate programmatic handling of secret data. More info: "
     "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
     secret_type},
    {"Data", "string", "", 0,
     "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' "
     "or '.'. The serialized form of the secret data is a base64 encoded string, representing "
     "the arbitrary (possibly non-string) data value here. Described in "
     "https://tools.ietf.org/html/rfc4648#section-4",
     secret_data},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};

const api_column api_columns_serviceaccount[] = {
    TABLE_COLUMN_NAME,
    {"Secrets", "string", "", 0,
     "The Secrets in the account's namespace that its pods may use (legacy token Secrets).",
     serviceaccount_secrets},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};
