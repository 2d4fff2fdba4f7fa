/*
 * table-networkpolicy.c — NetworkPolicy columns as kubectl 1.32 prints them:
 * the name, the pod selector ("<none>" when it selects every pod of the
 * namespace) and the age.
 */
#include "table-internal.h"
#include "table.h"

static json_t *netpol_pod_selector(const json_t *np) {
  return table_selector_cell(np, "spec.podSelector");
}

const api_column api_columns_networkpolicy[] = {
    TABLE_COLUMN_NAME,
    {"Pod-Selector", "string", "", 0,
     "Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is "
     "applied to any pods selected by this field. Multiple network policies can select the same "
     "set of pods. In this case, the ingress rules for each are combined additively. This field "
     "is NOT optional and follows standard label selector semantics. An empty podSelector "
     "matches all pods in this namespace.",
     netpol_pod_selector},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};
