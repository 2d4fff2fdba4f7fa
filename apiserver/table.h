/*
 * table.h — server-side printing: the meta.k8s.io/v1 Table that kubectl asks for
 * with "Accept: application/json;as=Table;v=v1;g=meta.k8s.io".
 *
 * The one idea: each kind's columns are defined once, here, as an array of
 * api_column (registry.h) whose cell functions turn one object into one JSON value
 * — kubectl 1.32's columns, names and formatting. The API server wraps them into
 * Tables; the tug CLI prints the same Tables. Every cell is computed, wide columns
 * included, and clients hide priority-1 columns unless asked for -o wide, exactly
 * as the Kubernetes API server and kubectl split the work.
 *
 * Cell functions accept any JSON (NULL, wrong types, missing fields) and print
 * what kubectl prints for missing data ("<none>", "0/1", "<unknown>").
 */
#ifndef TUG_APISERVER_TABLE_H
#define TUG_APISERVER_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "registry.h"

/* Per-kind columns, each ending with an entry whose name is NULL. */
extern const api_column api_columns_namespace[];
extern const api_column api_columns_node[];
extern const api_column api_columns_pod[];
extern const api_column api_columns_service[];
extern const api_column api_columns_endpoints[];
extern const api_column api_columns_configmap[];
extern const api_column api_columns_secret[];
extern const api_column api_columns_serviceaccount[];
extern const api_column api_columns_resourcequota[];
extern const api_column api_columns_limitrange[];
extern const api_column api_columns_event[];
extern const api_column api_columns_deployment[];
extern const api_column api_columns_replicaset[];
extern const api_column api_columns_job[];
extern const api_column api_columns_poddisruptionbudget[];
extern const api_column api_columns_replicationcontroller[];
extern const api_column api_columns_ingress[];
extern const api_column api_columns_priorityclass[];
extern const api_column api_columns_lease[];
extern const api_column api_columns_queue[];
extern const api_column api_columns_role[];
extern const api_column api_columns_clusterrole[];
extern const api_column api_columns_rolebinding[];
extern const api_column api_columns_clusterrolebinding[];
/* The access reviews are never listed: the default columns (NULL). */
#define api_columns_accessreview NULL
extern const api_column api_columns_customresourcedefinition[];
extern const api_column api_columns_cronjob[];   /* table-cronjob.c */
extern const api_column api_columns_daemonset[]; /* table-daemonset.c */
/* Persistent volumes and StatefulSets (table-storage.c). */
extern const api_column api_columns_persistentvolume[];
extern const api_column api_columns_persistentvolumeclaim[];
extern const api_column api_columns_storageclass[];
extern const api_column api_columns_statefulset[];
extern const api_column api_columns_networkpolicy[]; /* table-networkpolicy.c */
extern const api_column api_columns_controllerrevision[]; /* table-controllerrevision.c */
/* A custom kind's cell of column i: the value at the printer column's
 * JSONPath, of its type (a "date" as an age, "5m"); null when the object has
 * none. */
json_t *api_table_path_cell(const api_kind *kind, size_t i, const json_t *obj);

/* Kubernetes' default table (k8s.io/apiserver's DefaultTableConvertor), used for
 * kinds whose columns are NULL: Name, and "Created At" as an RFC 3339 timestamp. */
extern const api_column api_columns_default[];

/* The columns a kind prints: its own, or api_columns_default (also for kind NULL). */
const api_column *api_table_columns(const api_kind *kind);

/*
 * A whole Table: {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{...},
 * "columnDefinitions":[...],"rows":[{"cells":[...],"object":{...}}]}.
 * include_object_metadata chooses each row's object: a PartialObjectMetadata
 * holding the object's metadata (includeObject=Metadata, kubectl's default), or
 * else the whole object (includeObject=Object). resource_version and
 * continue_token go into metadata when not NULL or empty. NULL only when out of
 * memory. objects may hold NULL entries; they print as empty objects.
 */
json_t *api_table_build(const api_kind *kind, json_t *const *objects, size_t n,
                        bool include_object_metadata, const char *resource_version,
                        const char *continue_token);

/* One row, {"cells":[...],"conditions":[...]?,"object":{...}}, metadata_only as
 * include_object_metadata above. Pods that ended carry kubectl's "Completed" row
 * condition. NULL only when out of memory. */
json_t *api_table_row(const api_kind *kind, const json_t *obj, bool metadata_only);

/* The columnDefinitions array: [{"name","type","format","description","priority"}]. */
json_t *api_table_column_definitions(const api_kind *kind);

/*
 * The Table sent for one watch event: a single row, metadata.resourceVersion the
 * object's. Like the Kubernetes API server, a watch sends the column definitions
 * with its first event only: pass with_columns = true then, false afterwards (the
 * Table then has an empty columnDefinitions array).
 */
json_t *api_table_event(const api_kind *kind, const json_t *obj, bool metadata_only,
                        bool with_columns);

/*
 * Kubernetes' duration.HumanDuration: "<invalid>" below -1s, "0s" for -1s, then
 * "59s", "119s", "2m", "5m30s", "10m", "179m", "3h", "3h5m", "8h", "47h", "2d",
 * "2d3h", "8d", "729d", "2y", "3y120d", "8y". Returns buf.
 */
const char *api_human_duration(int64_t seconds, char *buf, size_t size);

/* Seconds from an RFC 3339 timestamp ("2024-06-01T12:00:00Z", fractions and
 * offsets allowed) to now; -1 when it does not parse. A timestamp one second in
 * the future gives 0, which prints the same ("0s"), so -1 is never ambiguous. */
int64_t api_age_seconds(const char *rfc3339, time_t now);

/* The clock ages are measured against; NULL restores time(). For tests: not
 * synchronised with Tables being built on other threads. */
void api_table_set_clock(time_t (*now)(void));

#endif
