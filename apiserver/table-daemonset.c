/*
 * table-daemonset.c — DaemonSet columns as kubectl 1.32 prints them: NAME
 * DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE, and wide
 * CONTAINERS IMAGES SELECTOR.
 *
 * The counts are the controller's status, 0 until it has written one; NODE
 * SELECTOR is the template's nodeSelector ("<none>" when empty).
 */
#include "table-internal.h"
#include "table.h"

#include "object.h"

#define DS_POD_SPEC "spec.template.spec"

static json_t *ds_desired(const json_t *ds) {
  return table_int_cell(ds, "status.desiredNumberScheduled", 0);
}

static json_t *ds_current(const json_t *ds) {
  return table_int_cell(ds, "status.currentNumberScheduled", 0);
}

static json_t *ds_ready(const json_t *ds) {
  return table_int_cell(ds, "status.numberReady", 0);
}

static json_t *ds_updated(const json_t *ds) {
  return table_int_cell(ds, "status.updatedNumberScheduled", 0);
}

static json_t *ds_available(const json_t *ds) {
  return table_int_cell(ds, "status.numberAvailable", 0);
}

static json_t *ds_node_selector(const json_t *ds) {
  return table_format_labels(tug_obj_get(ds, DS_POD_SPEC ".nodeSelector"));
}

static json_t *ds_containers(const json_t *ds) {
  return table_container_names(ds, DS_POD_SPEC);
}

static json_t *ds_images(const json_t *ds) {
  return table_container_images(ds, DS_POD_SPEC);
}

static json_t *ds_selector(const json_t *ds) {
  return table_selector_cell(ds, "spec.selector");
}

const api_column api_columns_daemonset[] = {
    TABLE_COLUMN_NAME,
    {"Desired", "integer", "", 0,
     "The total number of nodes that should be running the daemon pod (including nodes "
     "correctly running the daemon pod).",
     ds_desired},
    {"Current", "integer", "", 0,
     "The number of nodes that are running at least 1 daemon pod and are supposed to run the "
     "daemon pod.",
     ds_current},
    {"Ready", "integer", "", 0,
     "numberReady is the number of nodes that should be running the daemon pod and have one or "
     "more of the daemon pod running with a Ready Condition.",
     ds_ready},
    {"Up-to-date", "integer", "", 0,
     "The total number of nodes that are running updated daemon pod", ds_updated},
    {"Available", "integer", "", 0,
     "The number of nodes that should be running the daemon pod and have one or more of the "
     "daemon pod running and available (ready for at least spec.minReadySeconds)",
     ds_available},
    {"Node Selector", "string", "", 0,
     "NodeSelector is a selector which must be true for the pod to fit on a node.",
     ds_node_selector},
    TABLE_COLUMN_AGE,
    {"Containers", "string", "", 1, TABLE_DESC_CONTAINERS, ds_containers},
    {"Images", "string", "", 1, TABLE_DESC_IMAGES, ds_images},
    {"Selector", "string", "", 1, "A label query over pods that are managed by the daemon set.",
     ds_selector},
    TABLE_COLUMN_END,
};
