/*
 * table-controllerrevision.c — ControllerRevision columns as kubectl 1.32
 * prints them: NAME CONTROLLER REVISION AGE, the controller as
 * <kind>.<group>/<name> ("daemonset.apps/fluentd"), "<none>" without one.
 */
#include <ctype.h>
#include <string.h>

#include "table-internal.h"
#include "table.h"

#include "object.h"

static json_t *cr_controller(const json_t *cr) {
  size_t i;
  json_t *ref;
  json_array_foreach(tug_obj_get(cr, "metadata.ownerReferences"), i, ref) {
    if (!json_is_true(json_object_get(ref, "controller")))
      continue;
    const char *kind = table_str(ref, "kind", ""), *api = table_str(ref, "apiVersion", "");
    const char *slash = strchr(api, '/');
    table_buf b = {0};
    for (const char *k = kind; *k; k++)
      table_buf_addf(&b, "%c", tolower((unsigned char)*k));
    if (slash)
      table_buf_addf(&b, ".%.*s", (int)(slash - api), api);
    table_buf_addf(&b, "/%s", table_str(ref, "name", ""));
    return table_buf_json(&b, NULL);
  }
  return table_text("<none>");
}

static json_t *cr_revision(const json_t *cr) {
  return table_int_cell(cr, "revision", 0);
}

const api_column api_columns_controllerrevision[] = {
    TABLE_COLUMN_NAME,
    {"Controller", "string", "", 0, "Controller of the object", cr_controller},
    {"Revision", "string", "", 0,
     "Revision indicates the revision of the state represented by Data.", cr_revision},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};
