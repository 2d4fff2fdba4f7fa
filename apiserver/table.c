/*
 * table.c — the meta.k8s.io/v1 Table envelope around the per-kind columns (see
 * table.h): column definitions, one row of cells per object, and each row's
 * object as a PartialObjectMetadata or the whole object.
 *
 * Every cell is computed, wide ones included, as the Kubernetes API server does;
 * clients drop priority-1 columns unless printing wide. Objects are deep-copied
 * into rows, so a Table never aliases a cached object.
 */
#include "table.h"
#include "table-internal.h"

#include "cleanup.h"
#include "object.h"

#define TABLE_API_VERSION "meta.k8s.io/v1"

const api_column api_columns_default[] = {
    TABLE_COLUMN_NAME,
    TABLE_COLUMN_CREATED_AT,
    TABLE_COLUMN_END,
};

const api_column *api_table_columns(const api_kind *kind) {
  return kind && kind->columns ? kind->columns : api_columns_default;
}

static json_t *column_definition(const api_column *c) {
  return json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", c->name, "type", c->type ? c->type : "",
                   "format", c->format ? c->format : "", "description",
                   c->description ? c->description : "", "priority", c->priority);
}

json_t *api_table_column_definitions(const api_kind *kind) {
  json_t *defs = json_array();
  for (const api_column *c = api_table_columns(kind); defs && c->name; c++) {
    if (json_array_append_new(defs, column_definition(c)) < 0) {
      json_decref(defs);
      return NULL;
    }
  }
  return defs;
}

/* Stores value under key, stealing it also on failure; false when value is NULL. */
static bool put(json_t *o, const char *key, json_t *value) {
  return value != NULL && json_object_set_new(o, key, value) == 0;
}

/* {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}. */
static json_t *partial_object_metadata(const json_t *obj) {
  json_t *meta = tug_obj_get(obj, "metadata");
  _cleanup_json_ json_t *partial = json_object();
  if (partial == NULL || !put(partial, "kind", json_string("PartialObjectMetadata")) ||
      !put(partial, "apiVersion", json_string(TABLE_API_VERSION)) ||
      !put(partial, "metadata", json_is_object(meta) ? json_deep_copy(meta) : json_object()))
    return NULL;
  return tug_steal_ptr(&partial);
}

static json_t *row_object(const json_t *obj, bool metadata_only) {
  if (metadata_only)
    return partial_object_metadata(obj);
  return json_is_object(obj) ? json_deep_copy(obj) : json_object();
}

static json_t *row_cells(const api_kind *kind, const api_column *columns, const json_t *obj) {
  json_t *cells = json_array();
  for (const api_column *c = columns; cells && c->name; c++) {
    json_t *cell = c->cell                ? c->cell(obj)
                   : kind && kind->custom ? api_table_path_cell(kind, (size_t)(c - columns), obj)
                                          : json_string("");
    if (json_array_append_new(cells, cell) < 0) {
      json_decref(cells);
      return NULL;
    }
  }
  return cells;
}

json_t *api_table_row(const api_kind *kind, const json_t *obj, bool metadata_only) {
  const api_column *columns = api_table_columns(kind);
  _cleanup_json_ json_t *row = json_object();
  if (row == NULL || !put(row, "cells", row_cells(kind, columns, obj)))
    return NULL;
  if (columns == api_columns_pod) {
    json_t *conditions = table_pod_row_conditions(obj);
    if (conditions && !put(row, "conditions", conditions))
      return NULL;
  }
  if (!put(row, "object", row_object(obj, metadata_only)))
    return NULL;
  return tug_steal_ptr(&row);
}

/* ListMeta: resourceVersion and continue, each only when set. */
static json_t *list_metadata(const char *resource_version, const char *continue_token) {
  json_t *meta = json_object();
  if (meta && resource_version && *resource_version)
    json_object_set_new(meta, "resourceVersion", json_string(resource_version));
  if (meta && continue_token && *continue_token)
    json_object_set_new(meta, "continue", json_string(continue_token));
  return meta;
}

/* The Table around its parts, which it steals (also on failure). */
static json_t *table_envelope(json_t *metadata, json_t *columns, json_t *rows) {
  _cleanup_json_ json_t *table = json_object();
  bool ok = put(table, "kind", json_string("Table"));
  ok &= put(table, "apiVersion", json_string(TABLE_API_VERSION));
  ok &= put(table, "metadata", metadata);
  ok &= put(table, "columnDefinitions", columns);
  ok &= put(table, "rows", rows);
  return ok ? tug_steal_ptr(&table) : NULL;
}

json_t *api_table_build(const api_kind *kind, json_t *const *objects, size_t n,
                        bool include_object_metadata, const char *resource_version,
                        const char *continue_token) {
  _cleanup_json_ json_t *rows = json_array();
  for (size_t i = 0; rows && i < n; i++) {
    json_t *row = api_table_row(kind, objects ? objects[i] : NULL, include_object_metadata);
    if (json_array_append_new(rows, row) < 0)
      return NULL;
  }
  if (rows == NULL)
    return NULL;
  return table_envelope(list_metadata(resource_version, continue_token),
                        api_table_column_definitions(kind), tug_steal_ptr(&rows));
}

json_t *api_table_event(const api_kind *kind, const json_t *obj, bool metadata_only,
                        bool with_columns) {
  json_t *rows = json_array();
  if (rows && json_array_append_new(rows, api_table_row(kind, obj, metadata_only)) < 0) {
    json_decref(rows);
    rows = NULL;
  }
  return table_envelope(list_metadata(tug_obj_resource_version(obj), NULL),
                        with_columns ? api_table_column_definitions(kind) : json_array(), rows);
}
