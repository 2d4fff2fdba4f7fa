/*
 * schema.h — one schema per built-in kind: the single source of every
 * field's name, type, protobuf number and list semantics.
 *
 * Protobuf bodies (protobuf.c), the OpenAPI documents, strict field
 * validation, strategic-merge keys and `explain` text are all read from
 * these tables; none of them knows a kind by name. A message is a table of
 * fields; a kind names its root message. The tables are data, one file per
 * group-version under apiserver/schema/ (core-v1.c, apps-v1.c, ...), with
 * their messages declared in apiserver/schema/messages.h.
 *
 * Field names, types, numbers, omitempty and merge keys are the facts of
 * Kubernetes' published wire format (k8s.io/api); descriptions are ours, one
 * short line, and may be empty for obscure fields.
 *
 * Adding a kind (Role, CronJob, ...):
 *   1. write its messages in apiserver/schema/<group>-<version>.c (a new file
 *      for a new group-version), reusing the shared ones (ObjectMeta,
 *      PodTemplateSpec, LabelSelector, ...), and declare them in messages.h;
 *   2. add {group, version, kind, &root} and {..., kind "List", &list} rows to
 *      that file's api_schema_kinds_<gv>[] (and, for a new file, its table to
 *      api_schema_groups[] in schema.c).
 * That is all: protobuf, OpenAPI, validation and patching pick it up.
 */
#ifndef TUG_APISERVER_SCHEMA_H
#define TUG_APISERVER_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one value is; the JSON and protobuf forms of each are fixed. */
typedef enum api_schema_type {
  API_SCHEMA_STRING = 1,
  API_SCHEMA_BOOL,
  API_SCHEMA_INT32,
  API_SCHEMA_INT64,
  API_SCHEMA_DOUBLE,
  API_SCHEMA_BYTES,         /* base64 text in JSON; bytes in protobuf */
  API_SCHEMA_MESSAGE,       /* an object: field.message */
  API_SCHEMA_QUANTITY,      /* "500m", "1Gi"; protobuf {string string = 1} */
  API_SCHEMA_INT_OR_STRING, /* 8080 or "http"; protobuf {type 1, intVal 2, strVal 3} */
  API_SCHEMA_TIME,          /* RFC 3339 to the second; protobuf {seconds 1, nanos 2} */
  API_SCHEMA_MICROTIME,     /* RFC 3339 to the microsecond; same protobuf */
  API_SCHEMA_DURATION,      /* Go duration text "1h2m3s"; protobuf {int64 duration = 1} */
  API_SCHEMA_JSON,          /* any JSON (RawExtension, FieldsV1); protobuf {bytes raw = 1} */
} api_schema_type;

/* How many values a field holds. Map keys are always strings. */
typedef enum api_schema_shape {
  API_SCHEMA_SCALAR = 0,
  API_SCHEMA_LIST,
  API_SCHEMA_MAP,
} api_schema_shape;

/* x-kubernetes-list-type; UNSET behaves as atomic for SSA and as "replace"
 * for strategic merge unless patch_strategy says otherwise. */
typedef enum api_list_type {
  API_LIST_UNSET = 0,
  API_LIST_ATOMIC,
  API_LIST_SET,
  API_LIST_MAP,
} api_list_type;

enum api_field_flags {
  /* Go's omitempty on a field that is no pointer: a zero value means "not
   * set", so a protobuf zero (which Go's encoder always writes) is dropped
   * when turning protobuf into JSON. */
  API_FIELD_OMITEMPTY = 1 << 0,
  /* An optional pointer (*int32, *bool, *Struct): zero is a value and kept
   * (Deployment spec.replicas: 0). */
  API_FIELD_POINTER = 1 << 1,
  /* Required in OpenAPI (no omitempty and not marked optional). */
  API_FIELD_REQUIRED = 1 << 2,
  /* x-kubernetes-map-type: atomic — a map or struct replaced whole. */
  API_FIELD_ATOMIC = 1 << 3,
  /* Go's json:",inline": the message's fields sit in the parent's JSON object
   * (EphemeralContainer's common part); name is "". */
  API_FIELD_INLINE = 1 << 4,
};

struct api_message;

typedef struct api_field {
  const char *name;                  /* JSON name */
  uint32_t number;                   /* protobuf field number */
  api_schema_type type;              /* of the value, or of each element/map value */
  api_schema_shape shape;            /* scalar, list or map<string, type> */
  const struct api_message *message; /* type MESSAGE: the element's message */
  unsigned flags;                    /* API_FIELD_* */
  api_list_type list_type;
  const char *const *list_keys;   /* list-map keys, NULL-terminated; NULL when none */
  const char *patch_strategy;     /* "merge", "replace", "retainKeys", "merge,retainKeys" */
  const char *patch_merge_key;    /* strategic merge key of a merged list */
  const char *const *enum_values; /* allowed strings, NULL-terminated; NULL: any */
  const char *description;        /* one line of ours; NULL when none */
} api_field;

typedef struct api_message {
  const char *name;        /* OpenAPI definition name: "io.k8s.api.core.v1.PodSpec" */
  const char *description; /* one line of ours */
  const api_field *fields;
  size_t n_fields;
  bool atomic; /* x-kubernetes-map-type: atomic on the struct (LabelSelector, ...) */
} api_message;

/* A kind's root message ("Pod", "PodList", "Scale", "Status", "DeleteOptions"). */
typedef struct api_schema_kind {
  const char *group; /* "" for the core group */
  const char *version;
  const char *kind;
  const api_message *message;
} api_schema_kind;

/* Every kind with a schema, ending with an entry whose kind is NULL. Generic
 * code walks it (OpenAPI documents); lookups go through the functions below. */
typedef struct api_schema_group {
  const api_schema_kind *kinds;
} api_schema_group;
extern const api_schema_group api_schema_groups[];

/* The root message of apiVersion ("v1", "apps/v1") and kind; NULL if none. */
const api_message *api_schema_find(const char *api_version, const char *kind);
/* The same by group ("" core) and version. */
const api_message *api_schema_find_gv(const char *group, const char *version, const char *kind);
/* The schema kind (group, version, kind) whose root is m; NULL if m is no root. */
const api_schema_kind *api_schema_kind_of(const api_message *m);

/* A field by JSON name (looking into inlined messages too) or by protobuf
 * number (of m's own fields); NULL when m has none. */
const api_field *api_schema_field(const api_message *m, const char *name);
const api_field *api_schema_field_by_number(const api_message *m, uint32_t number);

/* The field's value at a path of JSON names ("spec.template.spec.containers"),
 * descending through messages (a list's or map's elements count as the
 * field's message). NULL when some step is unknown or not a message. */
const api_field *api_schema_path(const api_message *m, const char *path);

/* The message of list-kind items ("PodList" → Pod); NULL when m is no list. */
const api_message *api_schema_list_item(const api_message *m);

/* OpenAPI's type and format of a value of type t ("integer", "int32"). */
const char *api_schema_openapi_type(api_schema_type t);
const char *api_schema_openapi_format(api_schema_type t);

#endif
