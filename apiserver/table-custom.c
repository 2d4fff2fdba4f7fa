/*
 * table-custom.c — the columns of CustomResourceDefinitions and of the
 * custom kinds they add: a custom column is a CRD's additionalPrinterColumn,
 * whose cell is the first value its JSONPath finds, typed as the column says
 * (Kubernetes' CRD table convertor): a "date" prints as an age.
 */
#include <string.h>

#include "crd.h"
#include "jsonpath.h"
#include "table-internal.h"

const api_column api_columns_customresourcedefinition[] = {
    TABLE_COLUMN_NAME,
    TABLE_COLUMN_CREATED_AT,
    TABLE_COLUMN_END,
};

static json_t *typed(const char *type, const json_t *v) {
  if (strcmp(type, "date") == 0 && json_is_string(v)) {
    char buf[32];
    return table_text(table_since(json_string_value(v), buf, sizeof buf));
  }
  if (strcmp(type, "integer") == 0 && json_is_number(v))
    return json_integer((json_int_t)json_number_value(v));
  if (strcmp(type, "number") == 0 && json_is_number(v))
    return json_real(json_number_value(v));
  if (strcmp(type, "boolean") == 0 && json_is_boolean(v))
    return json_incref((json_t *)v);
  if (strcmp(type, "string") == 0 || strcmp(type, "date") == 0) {
    char *text = tug_jsonpath_text(v);
    json_t *s = json_string(text ? text : "");
    free(text);
    return s;
  }
  return json_null();
}

json_t *api_table_path_cell(const api_kind *kind, size_t i, const json_t *obj) {
  const tug_jsonpath *path = kind->custom->column_paths[i];
  if (path == NULL)
    return json_null();
  tug_error err = {0};
  json_t *found = tug_jsonpath_find(path, obj, &err);
  json_t *first = json_array_get(found, 0);
  json_t *cell = first ? typed(kind->columns[i].type, first) : json_null();
  json_decref(found);
  return cell;
}
