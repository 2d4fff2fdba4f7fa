/*
 * table-internal.h — what the table*.c files share: a growable text buffer that
 * becomes a JSON string cell, timestamp parsing against the table clock, and the
 * cells and formatters several kinds use (name, age, label selectors, containers).
 *
 * Every helper takes any JSON, including NULL and values of the wrong type, and
 * falls back to what kubectl prints for missing data.
 */
#ifndef TUG_APISERVER_TABLE_INTERNAL_H
#define TUG_APISERVER_TABLE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "registry.h"

/* ---- text ---- */

/* A growing string. Zero-initialise; table_buf_json hands it over as a cell. After a
 * failed allocation it keeps what it had and table_buf_json returns NULL. */
typedef struct table_buf {
  char *s;
  size_t len, cap;
  bool oom;
} table_buf;

void table_buf_add(table_buf *b, const char *s);
void table_buf_addf(table_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds sep first unless this is the buffer's first piece (*count == 0); counts pieces. */
void table_buf_sep(table_buf *b, const char *sep, size_t *count);
/* The text so far, "" when empty. */
const char *table_buf_str(const table_buf *b);
/* A JSON string of the text, or dflt when the text is empty and dflt is not NULL;
 * frees the buffer. NULL only when out of memory. */
json_t *table_buf_json(table_buf *b, const char *dflt);
void table_buf_free(table_buf *b);

/* strcmp for qsort over an array of strings. */
int table_compare_str(const void *a, const void *b);
/* The keys of an object, sorted, borrowed from it; the array is the caller's to free.
 * NULL (with *n 0) when there are none or allocation failed. */
const char **table_sorted_keys(const json_t *o, size_t *n);
/* Sorts items and appends them joined by sep, repeats once only when unique. */
void table_add_sorted(table_buf *b, const char **items, size_t n, const char *sep, bool unique);

/* A JSON string of s ("" for NULL). */
json_t *table_text(const char *s);
/* The string at path, or dflt when it is missing, not a string or empty. */
const char *table_str(const json_t *obj, const char *path, const char *dflt);
/* A JSON string cell of table_str(obj, path, dflt). */
json_t *table_str_cell(const json_t *obj, const char *path, const char *dflt);
/* A JSON integer cell of the integer at path, dflt when missing or not an integer. */
json_t *table_int_cell(const json_t *obj, const char *path, int64_t dflt);
/* Scalars as text: strings as they are, integers in decimal, reals with at most three
 * decimals ("0.25"), booleans "true"/"false"; dflt for anything else. */
void table_add_scalar(table_buf *b, const json_t *v, const char *dflt);
/* The condition of a given type in the array at path ("status.conditions"), first match. */
const json_t *table_condition(const json_t *obj, const char *path, const char *type);
/* Whether that condition exists and its status is "True". */
bool table_condition_true(const json_t *obj, const char *path, const char *type);

/* ---- time ---- */

/* Go's zero time, 0001-01-01T00:00:00Z: what an unset metav1.Time reads as. */
#define TABLE_ZERO_TIME INT64_C(-62135596800)

time_t table_now(void);
/* RFC 3339 to seconds since the epoch; false when s is NULL or malformed. */
bool table_parse_time(const char *s, int64_t *out);
/* kubectl's translateTimestampSince: HumanDuration from ts to now, "<unknown>" when ts
 * is missing, malformed or the zero time. Returns buf. */
const char *table_since(const char *ts, char *buf, size_t size);

/* ---- shared cells and formatters ---- */

json_t *table_cell_name(const json_t *obj);
json_t *table_cell_age(const json_t *obj);
/* creationTimestamp as RFC 3339 in UTC, Go's zero time when unset (the default table). */
json_t *table_cell_created_at(const json_t *obj);

/* Container names and images of the pod spec at path, comma-joined ("a,b"). */
json_t *table_container_names(const json_t *obj, const char *podspec_path);
json_t *table_container_images(const json_t *obj, const char *podspec_path);

/* labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty. */
json_t *table_format_labels(const json_t *labels);
/* A LabelSelector ({matchLabels, matchExpressions}) as LabelSelectorAsSelector(s).String():
 * "app=web,tier in (a,b)", sorted by key; "" for none. False when it is invalid. */
bool table_format_selector(const json_t *selector, table_buf *out);
/* metav1.FormatLabelSelector of the LabelSelector at path: "<none>" when empty,
 * "<error>" when invalid (the wide SELECTOR column of workloads). */
json_t *table_selector_cell(const json_t *obj, const char *path);

/* Columns every kind shares. */
#define TABLE_DESC_NAME                                                                            \
  "Name must be unique within a namespace. Is required when creating resources, although some "    \
  "resources may allow a client to request the generation of a name automatically. Name is "       \
  "primarily intended for creation idempotence and configuration definition. Cannot be updated. "  \
  "More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define TABLE_DESC_CREATED                                                                         \
  "CreationTimestamp is a timestamp representing the server time when this object was created. "   \
  "It is not guaranteed to be set in happens-before order across separate operations. Clients "    \
  "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "  \
  "system. Read-only. Null for lists. More info: "                                                 \
  "https://git.k8s.io/community/contributors/devel/sig-architecture/"                              \
  "api-conventions.md#metadata"
#define TABLE_DESC_CONTAINERS "Names of each container in the template."
#define TABLE_DESC_IMAGES "Images referenced by each container in the template."

#define TABLE_COLUMN_NAME                                                                          \
  { "Name", "string", "name", 0, TABLE_DESC_NAME, table_cell_name }
#define TABLE_COLUMN_AGE                                                                           \
  { "Age", "string", "", 0, TABLE_DESC_CREATED, table_cell_age }
#define TABLE_COLUMN_CREATED_AT                                                                    \
  { "Created At", "date", "", 0, TABLE_DESC_CREATED, table_cell_created_at }
#define TABLE_COLUMN_END                                                                           \
  { NULL, NULL, NULL, 0, NULL, NULL }

/* ---- pods: the one kind whose rows carry conditions ---- */

/* kubectl's row conditions for a pod that ended ([{"type":"Completed",...}]), else NULL. */
json_t *table_pod_row_conditions(const json_t *pod);

#endif
