/*
 * registry.h — the kinds the API server serves, one table row each.
 *
 * Adding a kind is adding a row: its group, version, names, scope and
 * subresources, plus the functions that default and validate it, the
 * columns a Table shows for it, and — for a kind that behaves unlike the
 * others — its strategy (Kubernetes' registry strategies: what create, delete
 * and admission do for it), in a strategy-<kind>.c of its own. Everything
 * generic (paths, storage, watch, discovery, printing, admission) reads this
 * table and never tests a kind's name (scripts/lint.sh checks).
 *
 * Kinds are also added at run time, one per served version of a
 * CustomResourceDefinition (crd.h): they follow the built-in table, carry
 * their schema in `custom`, and are never freed (a request may still hold
 * one), only retired. Built-in lookups stay a walk of the static table.
 */
#ifndef TUG_APISERVER_REGISTRY_H
#define TUG_APISERVER_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

enum {
  API_SUB_STATUS = 1 << 0,      /* /status: writes only status; main writes keep status */
  API_SUB_SCALE = 1 << 1,       /* /scale: autoscaling/v1 Scale over spec.replicas */
  API_SUB_BINDING = 1 << 2,     /* /binding: sets spec.nodeName once (pods) */
  API_SUB_LOG = 1 << 3,         /* /log: served by the node agent (pods) */
  API_SUB_FINALIZE = 1 << 4,    /* /finalize: PUT of spec.finalizers (namespaces) */
  API_SUB_TOKEN = 1 << 5,       /* /token: a TokenRequest issues a token (serviceaccounts) */
  API_SUB_EVICTION = 1 << 6,    /* /eviction: a delete that honours disruption budgets (pods) */
  API_SUB_EXEC = 1 << 7,        /* /exec: a WebSocket to a command in a container (pods) */
  API_SUB_ATTACH = 1 << 8,      /* /attach: a WebSocket to a container's output (pods) */
  API_SUB_PORTFORWARD = 1 << 9, /* /portforward: a WebSocket to the pod's ports (pods) */
  API_SUB_PENDING = 1 << 10,    /* /pendingworkloads: a queue's waiting pods, in order (queues) */
};

/*
 * What discovery says of a subresource: its verbs and the kind its answers
 * carry (kind NULL: the parent's own kind, as for status; group and version
 * NULL: the parent's). One row per API_SUB_* bit, in discovery's order.
 */
typedef struct api_subresource {
  unsigned bit;
  const char *name;
  const char *const *verbs;
  const char *group, *version, *kind;
} api_subresource;

/* Ends with an entry whose name is NULL. */
extern const api_subresource api_subresources[];

struct api_server;
struct api_request;
struct api_response;
struct api_txn;
struct api_custom;
struct api_watchcache;

/*
 * What a kind does unlike the generic path; every member is optional.
 *  - prepare_create: the status a new object starts with, whatever the
 *    client sent (else: none for a kind with a status subresource, what was
 *    sent for the others).
 *  - keep_status_on_create: the client's status is kept (a Node's first report).
 *  - admit_create / admit_update: admission of the kind's own (a Pod's
 *    LimitRange and priority; a Namespace's Pod Security label change);
 *    -1 with out filled when refused.
 *  - init_status: status the server computes whenever spec is written (a
 *    ResourceQuota's hard and used).
 *  - delete_grace: the grace period a delete gives obj, from the one asked
 *    for (-1: none); a kind without it goes at once.
 *  - mark_deleting: what a deletionTimestamp comes with (a Namespace turns
 *    Terminating); spec_finalizers: spec.finalizers hold deletion too.
 *  - pod_template: where Pod Security finds the pod ("" the object itself,
 *    "spec.template" a workload's template); NULL: no pod.
 *  - selectable_fields: field selectors beyond metadata.name and namespace.
 *  - create_with: more objects stored in a new obj's own transaction (a
 *    Namespace's default ServiceAccount, so a pod can be made in it at once).
 *  - admit_request: admission that needs to know who asks (r->user) and how
 *    (r->resource names the subresource): RBAC's escalation checks, the
 *    node restriction on pods; called on create (old NULL) and on every
 *    update, status included.
 *  - review: the kind is asked, never stored (the access reviews): create
 *    fills obj's status for r and answers it; nothing is written.
 */
typedef struct api_strategy {
  void (*prepare_create)(json_t *obj);
  bool keep_status_on_create;
  int (*admit_create)(struct api_server *s, json_t *obj, struct api_response *out);
  int (*admit_update)(struct api_server *s, const json_t *obj, const json_t *old,
                      struct api_response *out);
  int (*init_status)(struct api_server *s, json_t *obj, tug_error *err);
  int64_t (*delete_grace)(const json_t *obj, int64_t requested);
  void (*mark_deleting)(json_t *obj);
  bool spec_finalizers;
  const char *pod_template;
  const char *const *selectable_fields;
  void (*create_with)(struct api_server *s, const json_t *obj, struct api_txn *txn);
  int (*admit_request)(struct api_request *r, const json_t *obj, const json_t *old,
                       struct api_response *out);
  int (*review)(struct api_request *r, json_t *obj, struct api_response *out);
  /* A field the watch cache indexes its objects by (api_watchcache_list_indexed), or NULL. */
  const char *indexed_field;
} api_strategy;

/* The strategies of the kinds that have one (strategy-*.c). */
extern const api_strategy api_strategy_pod, api_strategy_namespace, api_strategy_node,
    api_strategy_event, api_strategy_resourcequota, api_strategy_workload, api_strategy_lease,
    api_strategy_rbac_role, api_strategy_rbac_binding, api_strategy_access_review,
    api_strategy_rules_review, api_strategy_crd;
/* CronJobs: Pod Security looks at spec.jobTemplate.spec.template. */
extern const api_strategy api_strategy_cronjob;
/* Persistent volumes (strategy-storage.c). */
extern const api_strategy api_strategy_persistentvolume, api_strategy_persistentvolumeclaim;

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
 * default, 1 only with -o wide. cell() returns a new JSON value for a row;
 * a custom kind's printer column has none (its JSONPath is in crd.h). */
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
  const char *short_names[8]; /* NULL-terminated */
  bool namespaced;
  unsigned subresources;
  /* What discovery announces and the routes allow ("list", "deletecollection"...);
   * categories group kinds for `kubectl get <category>` ("all"). Both
   * NULL-terminated; categories may be NULL. */
  const char *const *verbs;
  const char *const *categories;
  api_default_fn defaults;
  api_validate_fn validate;
  const api_column *columns;    /* ends with name NULL; NULL = Name and Created At */
  const api_strategy *strategy; /* never NULL: the generic one when the kind has none */
  /* A kind added at run time: its CustomResourceDefinition's schema, columns
   * and watch cache (crd.h); NULL for built-in kinds. */
  struct api_custom *custom;
} api_kind;

/* All built-in kinds, ending with an entry whose kind is NULL. */
extern const api_kind api_kinds[];
/* Every verb: what custom kinds and most built-in kinds allow. */
extern const char *const api_verbs_all[];

/* Every kind served now: the built-in ones, then the live ones added at
 * run time. for (k = api_kind_first(); k; k = api_kind_next(k)) */
const api_kind *api_kind_first(void);
const api_kind *api_kind_next(const api_kind *k);
/* Serve k from now on (k stays allocated for good); -1 when the table of run
 * time kinds is full. */
int api_kind_add(const api_kind *k, tug_error *err);
/* Stop serving k: lookups and walks skip it from now on. */
void api_kind_retire(const api_kind *k);
/* The watch cache of k (built-in: s->caches; run time: its own). */
struct api_watchcache *api_kind_cache(const struct api_server *s, const api_kind *k);

/* By plural resource name within a group/version; NULL when unknown. */
const api_kind *api_kind_by_resource(const char *group, const char *version, const char *plural);
/* By apiVersion ("v1", "apps/v1") and kind; NULL when unknown. */
const api_kind *api_kind_by_gvk(const char *api_version, const char *kind);
/* Whether discovery announces verb ("get", "deletecollection", ...) for k. */
bool api_kind_allows(const api_kind *k, const char *verb);
/* "v1" or "apps/v1". */
const char *api_kind_api_version(const api_kind *k, char *buf, size_t size);

/* Append one cause: reason is Kubernetes' ("FieldValueRequired",
 * "FieldValueInvalid", "FieldValueDuplicate", "FieldValueNotSupported",
 * "FieldValueForbidden", "FieldValueTooLong"), field a path like
 * "spec.containers[0].image". */
void api_cause(json_t *causes, const char *reason, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
