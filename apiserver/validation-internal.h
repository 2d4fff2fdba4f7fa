/*
 * validation-internal.h — the building blocks the validation-*.c files share.
 *
 * The one idea: a rule works on a val_obj, the JSON object that holds a field
 * together with that object's field path ("spec.containers[0]") and the causes
 * to add to. A rule reads a member by key and, when something is wrong, names
 * it as path + key ("spec.containers[0].image"); a key starting with '[' is
 * appended without a dot ("...requests" + "[cpu]"), a NULL key names the object.
 *
 * Getters return NULL/false for an absent member or a JSON null (Go decodes
 * both to the zero value) and add one "must be ..." cause for a member of the
 * wrong type, so a caller tests the result once and never sees a bad type.
 */
#ifndef TUG_APISERVER_VALIDATION_INTERNAL_H
#define TUG_APISERVER_VALIDATION_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "selector.h"

/* Field paths longer than this are cut short in messages, never overflowed. */
#define VAL_FIELD_MAX 256

typedef struct val_obj {
  const json_t *json; /* NULL when absent; getters then find nothing */
  json_t *causes;
  char at[VAL_FIELD_MAX]; /* "" at the top of the object */
} val_obj;

typedef struct val_field {
  char s[VAL_FIELD_MAX];
} val_field;

/* ---- paths (validation.c) ---- */

/* The whole object, path "". */
void val_root(val_obj *root, const json_t *json, json_t *causes);
/* child = parent's member key holding json, unchecked (json may be NULL). */
void val_descend(val_obj *child, const val_obj *parent, const char *key, const json_t *json);
/* child = parent's member key; true when it is an object. Otherwise false (with a cause
 * when it has another type) and child still names the path, with no JSON behind it. */
bool val_enter(val_obj *child, const val_obj *parent, const char *key);
/* Element i of the array parent.key when it is an object; a cause when it is not. */
bool val_enter_item(val_obj *child, const val_obj *parent, const char *key, size_t i);
/* The path of o's member key, as described at the top. */
val_field val_path(const val_obj *o, const char *key);
/* "[name]", the key of a map entry or "[3]" of a list element, for the key arguments. */
val_field val_bracket(const char *name);
val_field val_bracket_index(size_t i);

/* ---- causes with Kubernetes' reasons and messages (validation.c) ---- */

/* "Required value", or "Required value: <detail>". */
void val_required(const val_obj *o, const char *key, const char *detail);
/* "Invalid value: <value as JSON>: <detail>". */
void val_invalid(const val_obj *o, const char *key, const json_t *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void val_invalid_str(const val_obj *o, const char *key, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "Unsupported value: "x": supported values: "a", "b"" (supported is NULL-terminated). */
void val_not_supported(const val_obj *o, const char *key, const json_t *value,
                       const char *const *supported);
void val_duplicate(const val_obj *o, const char *key, const json_t *value);
void val_forbidden(const val_obj *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void val_too_long(const val_obj *o, const char *key, size_t max_bytes);

/* ---- typed getters (validation.c) ---- */

json_t *val_object(const val_obj *o, const char *key);
json_t *val_array(const val_obj *o, const char *key);
const char *val_string(const val_obj *o, const char *key);
/* A JSON integer (1.0 is not one, as in Go). */
bool val_int(const val_obj *o, const char *key, int64_t *out);
bool val_bool(const val_obj *o, const char *key);
/* An integer or a real. */
bool val_number(const val_obj *o, const char *key, double *out);
/* Whether o has member key with a value other than null. */
bool val_present(const val_obj *o, const char *key);
/* The array's length (0 when absent or not an array). */
size_t val_array_len(const val_obj *o, const char *key);

/* ---- names (validation.c) ---- */

/* Name checks of a string member, Kubernetes' messages; true when absent or valid. */
bool val_dns_label(const val_obj *o, const char *key);
bool val_subdomain(const val_obj *o, const char *key);

/* ---- rules on one field (validation-fields.c) ---- */

/* A string member that must be present and non-empty; NULL (with a cause) otherwise. */
const char *val_string_required(const val_obj *o, const char *key);
/* An int32 member of at least min: "must be greater than or equal to <min>". */
bool val_int_min(const val_obj *o, const char *key, int64_t min, int64_t *out);
/* An integer member in [min, max]: "must be between <min> and <max>, inclusive". */
bool val_int_between(const val_obj *o, const char *key, int64_t min, int64_t max, int64_t *out);
/* An IntOrString member that is a non-negative count or a percentage ("25%"),
 * at most 100% if asked: its number, or -1 when absent or invalid (reported).
 * In validation-workloads.c, beside its first users (a rollout's bounds). */
int64_t val_int_or_percent(const val_obj *o, const char *key, bool at_most_100);
/* A string member among supported (NULL-terminated); NULL when absent or unsupported. */
const char *val_enum(const val_obj *o, const char *key, const char *const *supported);
/* An array of strings (command, args). */
void val_string_list(const val_obj *o, const char *key);
/* An array of {name (required), value} string pairs (httpHeaders, sysctls). */
void val_name_value_list(const val_obj *o, const char *key);
/* An object of string values; NULL when absent or wrong. */
json_t *val_string_map(const val_obj *o, const char *key);
/* Labels-like map: valid label keys and values (labels, nodeSelector, selector). */
void val_label_map(const val_obj *o, const char *key);
/* A qualified name (label-key syntax) with why in *why; used by finalizers and taints. */
bool val_qualified_name(const char *s, const char **why);
/* Same value in obj and old at a dotted path, else "field is immutable" on key. */
void val_immutable(const val_obj *o, const char *key, const json_t *old_holder);

/* ---- ports, protocols, addresses, times (validation-fields.c) ---- */

/* IANA_SVC_NAME: the first problem with s as a port name, NULL when valid. */
const char *val_port_name_problem(const char *s);
/* A port number member: required or not, 1..65535 when present. */
bool val_port_number(const val_obj *o, const char *key, bool required, int64_t *out);
/* A required int 1..65535 or port name (httpGet.port, targetPort). */
void val_port_or_name(const val_obj *o, const char *key);
/* Protocol TCP|UDP|SCTP when present. */
void val_protocol(const val_obj *o, const char *key);
/* A taint's (or toleration's) effect member: NoSchedule|PreferNoSchedule|NoExecute. */
void val_taint_effect(const val_obj *o, bool allow_empty);
bool val_ipv4(const char *s);
bool val_cidr4(const char *s);
/* RFC 3339 with optional fraction: "2024-05-01T10:00:00.000000Z". */
bool val_rfc3339(const char *s);

/* ---- quantities (validation-fields.c) ---- */

/* Parses v, a string or a JSON number, in the unit that suits resource (milli for
 * cpu-like names, whole units otherwise); false when it is not a valid quantity. */
bool val_quantity_parse(const char *resource, const json_t *v, int64_t *out);
/* Like val_quantity_parse, adding a cause at o + key for a bad or negative value. */
bool val_quantity(const val_obj *o, const char *key, const char *resource, const json_t *v,
                  int64_t *out);
/* Resource map o.key: each name passes name_ok (which adds its own cause) and each value is
 * a non-negative quantity. Returns the map, NULL when absent or not an object. */
typedef bool (*val_resource_name_fn)(const val_obj *map, const char *name);
json_t *val_resource_map(const val_obj *o, const char *key, val_resource_name_fn name_ok);
/* The text a quantity was given as, for messages. */
const char *val_quantity_text(const json_t *v, char *buf, size_t size);
/* Numbers in a resource map become strings ("cpu: 2" → "2"), as Kubernetes stores them. */
void val_normalize_quantities(json_t *map);

/* ---- label selectors (validation-fields.c) ---- */

/* A LabelSelector member; the parsed selector (free it) when valid, NULL otherwise.
 * *empty tells whether it has neither matchLabels nor matchExpressions. */
tug_selector *val_label_selector(const val_obj *o, const char *key, bool *empty);

/* ---- defaults (validation-fields.c) ---- */

/* Set obj.key to value (stolen) when obj is an object and key is absent or null. */
void val_default(json_t *obj, const char *key, json_t *value);
/* obj.key as an object, created empty when absent; NULL when it has another type. */
json_t *val_default_object(json_t *obj, const char *key);

/* ---- metadata parts reused by templates (validation.c) ---- */

/* labels and annotations of a metadata object. */
void val_labels_and_annotations(const val_obj *meta);

/* ---- pods and pod templates (validation-pod.c, validation-container.c) ---- */

typedef enum val_pod_use {
  VAL_POD,          /* a Pod's own spec */
  VAL_POD_TEMPLATE, /* Deployment/ReplicaSet: restartPolicy Always */
  VAL_JOB_TEMPLATE, /* Job: restartPolicy OnFailure or Never, no default */
} val_pod_use;

/* spec is the pod spec object itself, its path in spec->at. */
void val_pod_spec(const val_obj *spec, val_pod_use use);
void val_default_pod_spec(json_t *spec, val_pod_use use);
/* The template member of a workload spec: metadata labels/annotations and spec. */
void val_pod_template(const val_obj *workload_spec, val_pod_use use);
void val_default_pod_template(json_t *workload_spec, val_pod_use use);

/* The containers (or initContainers) list of a pod spec; names collects container
 * names across both lists for the uniqueness rule. */
void val_containers(const val_obj *spec, const char *key, json_t *names);
/* Kubernetes' container defaults; pod: a Pod's own (requests from limits). */
void val_default_container(json_t *container, bool pod);
/* Security: the pod's securityContext and host namespace switches, and one
 * container's securityContext (validation-security.c). */
void val_pod_security(const val_obj *spec);
void val_container_security(const val_obj *container);

/* A resource name containers may request (also LimitRange's); adds its own cause. */
bool val_container_resource_name(const val_obj *map, const char *name);

/* ---- workloads (validation-workloads.c) ---- */
/* A workload's spec.selector: a valid, non-empty LabelSelector that selects the
 * template's labels; kind_word names the kind in messages ("daemonset"). */
void val_workload_selector(const val_obj *spec, bool required, const char *kind_word);
/* A Job's spec (a Job's own, or a CronJob's jobTemplate.spec). */
void val_job_spec(const val_obj *spec);
/* A PersistentVolumeClaim's spec, also a StatefulSet's claim template's
 * (validation-storage.c). */
void val_pvc_spec(const val_obj *spec);

#endif
