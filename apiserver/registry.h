/*
 * registry.h — the kinds the API server serves, one table row each.
 *
 * Adding a kind is adding a row: its group, version, names, scope and
 * subresources, plus the functions that default and validate it and the
 * columns a Table shows for it. Everything generic (paths, storage, watch,
 * discovery, printing) reads this table and nothing else.
 */
#ifndef TUG_APISERVER_REGISTRY_H
#define TUG_APISERVER_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>

enum {
  API_SUB_STATUS = 1 << 0,  /* /status: writes only status; main writes keep status */
  API_SUB_SCALE = 1 << 1,   /* /scale: autoscaling/v1 Scale over spec.replicas */
  API_SUB_BINDING = 1 << 2, /* /binding: sets spec.nodeName once (pods) */
  API_SUB_LOG = 1 << 3,     /* /log: served by the node agent (pods) */
};

/*
 * Validation collects Kubernetes "causes": one per invalid field, as in a 422
 * Status's details.causes ({reason, message, field}). A validator appends to
 * causes and never stops at the first problem. old is the stored object on
 * update, NULL on create (for immutable fields).
 */
typedef void (*api_validate_fn)(const json_t *obj, const json_t *old, json_t *causes);
/* Fill defaults the way Kubernetes does before validation (restartPolicy, ...). */
typedef void (*api_default_fn)(json_t *obj);

/* One Table column: kubectl's name, type and format; priority 0 is shown by
 * default, 1 only with -o wide. cell() returns a new JSON value for a row. */
typedef struct api_column {
  const char *name;
  const char *type;   /* "string", "integer", "date", ... */
  const char *format; /* "name", "" */
  int priority;
  const char *description;
  json_t *(*cell)(const json_t *obj);
} api_column;

typedef struct api_kind {
  const char *group; /* "" for the core group */
  const char *version;
  const char *kind;
  const char *plural;
  const char *singular;
  const char *short_names[4]; /* NULL-terminated */
  bool namespaced;
  unsigned subresources;
  const char *const *verbs; /* for discovery */
  api_default_fn defaults;
  api_validate_fn validate;
  const api_column *columns; /* ends with name NULL; NULL = Name and Created At */
} api_kind;

/* All kinds, ending with an entry whose kind is NULL. */
extern const api_kind api_kinds[];

/* By plural resource name within a group/version; NULL when unknown. */
const api_kind *api_kind_by_resource(const char *group, const char *version,
                                     const char *plural);
/* By apiVersion ("v1", "apps/v1") and kind; NULL when unknown. */
const api_kind *api_kind_by_gvk(const char *api_version, const char *kind);
/* "v1" or "apps/v1". */
const char *api_kind_api_version(const api_kind *k, char *buf, size_t size);

/* Append one cause: reason is Kubernetes' ("FieldValueRequired",
 * "FieldValueInvalid", "FieldValueDuplicate", "FieldValueNotSupported",
 * "FieldValueForbidden", "FieldValueTooLong"), field a path like
 * "spec.containers[0].image". */
void api_cause(json_t *causes, const char *reason, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
