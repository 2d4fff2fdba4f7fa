/*
 * table-policy.c — PodDisruptionBudget and Ingress columns as kubectl 1.32
 * prints them.
 *
 * A budget shows both bounds, "N/A" for the one it does not set, and the
 * disruptions its status allows. An Ingress shows its class ("<none>"), up to
 * three hosts ("*" when no rule names one), the addresses an ingress
 * controller wrote into its status, and its ports: 80, plus 443 with TLS.
 */
#include "table-internal.h"
#include "table.h"

#include <stdlib.h>

#include "object.h"

/* ---- poddisruptionbudgets ---- */

/* IntOrString.String(): 2 → "2", "50%" → "50%"; "N/A" when unset. */
static json_t *int_or_string_cell(const json_t *obj, const char *path) {
  table_buf b = {0};
  table_add_scalar(&b, tug_obj_get(obj, path), "");
  return table_buf_json(&b, "N/A");
}

static json_t *pdb_min_available(const json_t *pdb) {
  return int_or_string_cell(pdb, "spec.minAvailable");
}

static json_t *pdb_max_unavailable(const json_t *pdb) {
  return int_or_string_cell(pdb, "spec.maxUnavailable");
}

static json_t *pdb_allowed(const json_t *pdb) {
  return table_int_cell(pdb, "status.disruptionsAllowed", 0);
}

const api_column api_columns_poddisruptionbudget[] = {
    TABLE_COLUMN_NAME,
    {"Min Available", "string", "", 0, "The minimum number of pods that must be available.",
     pdb_min_available},
    {"Max Unavailable", "string", "", 0, "The maximum number of pods that may be unavailable.",
     pdb_max_unavailable},
    {"Allowed Disruptions", "integer", "", 0,
     "Calculated number of pods that may be disrupted at this time.", pdb_allowed},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};

/* ---- ingresses ---- */

static json_t *ingress_class(const json_t *ing) {
  return table_str_cell(ing, "spec.ingressClassName", "<none>");
}

/* formatHosts: the first three rules' hosts, then "+ N more...". */
static json_t *ingress_hosts(const json_t *ing) {
  json_t *rules = tug_obj_get(ing, "spec.rules");
  table_buf b = {0};
  size_t listed = 0, i;
  json_t *rule;
  json_array_foreach(rules, i, rule) {
    if (i == 3)
      break;
    const char *host = json_string_value(json_object_get(rule, "host"));
    if (host && host[0]) {
      table_buf_sep(&b, ",", &listed);
      table_buf_add(&b, host);
    }
  }
  if (json_array_size(rules) > 3 && listed > 0)
    table_buf_addf(&b, " + %zu more...", json_array_size(rules) - 3);
  return table_buf_json(&b, "*");
}

/* The load balancer's IPs, else hostnames, sorted and unique. */
static json_t *ingress_address(const json_t *ing) {
  json_t *list = tug_obj_get(ing, "status.loadBalancer.ingress");
  size_t n = json_array_size(list), k = 0, i;
  const char **items = n ? calloc(n, sizeof *items) : NULL;
  json_t *e;
  json_array_foreach(list, i, e) {
    const char *ip = json_string_value(json_object_get(e, "ip"));
    const char *host = json_string_value(json_object_get(e, "hostname"));
    if (items && ip && ip[0])
      items[k++] = ip;
    else if (items && host && host[0])
      items[k++] = host;
  }
  table_buf b = {0};
  table_add_sorted(&b, items, k, ",", true);
  free(items);
  return table_buf_json(&b, NULL);
}

static json_t *ingress_ports(const json_t *ing) {
  return table_text(json_array_size(tug_obj_get(ing, "spec.tls")) ? "80, 443" : "80");
}

const api_column api_columns_ingress[] = {
    TABLE_COLUMN_NAME,
    {"Class", "string", "", 0,
     "The name of the IngressClass resource that should be used for additional configuration",
     ingress_class},
    {"Hosts", "string", "", 0,
     "Hosts that incoming requests are matched against before the ingress rule", ingress_hosts},
    {"Address", "string", "", 0,
     "Address is a list containing ingress points for the load-balancer", ingress_address},
    {"Ports", "string", "", 0, "Ports of TLS configurations that open", ingress_ports},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};
