/*
 * table-network.c — service and endpoints columns as kubectl 1.32 prints them.
 *
 * PORT(S) reads "80/TCP" or "80:30080/TCP" when a node port is allocated;
 * EXTERNAL-IP depends on the service type ("<none>", a load balancer's
 * addresses or "<pending>", an ExternalName's DNS name); ENDPOINTS lists at most
 * three "ip:port" pairs and counts the rest: "10.0.0.1:80,... + 2 more...".
 */
#include "table-internal.h"
#include "table.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "object.h"

/* ---- services ---- */

static json_t *service_type(const json_t *svc) {
  return table_str_cell(svc, "spec.type", "");
}

static json_t *service_cluster_ip(const json_t *svc) {
  json_t *ips = tug_obj_get(svc, "spec.clusterIPs");
  if (json_array_size(ips) > 0)
    return table_text(json_string_value(json_array_get(ips, 0)));
  return table_str_cell(svc, "spec.clusterIP", "<none>");
}

/* Appends the string entries of the array at path, comma-separated. */
static void add_strings(table_buf *b, const json_t *obj, const char *path, size_t *count) {
  size_t i;
  json_t *v;
  json_array_foreach(tug_obj_get(obj, path), i, v) {
    table_buf_sep(b, ",", count);
    table_buf_add(b, json_string_value(v));
  }
}

/* A load balancer's ingress IPs (or hostnames), sorted and without repeats. */
static void add_lb_ingress(table_buf *b, const json_t *svc) {
  json_t *ingress = tug_obj_get(svc, "status.loadBalancer.ingress");
  _cleanup_free_ const char **addrs = calloc(json_array_size(ingress) + 1, sizeof *addrs);
  size_t n = 0, i;
  json_t *in;
  if (addrs == NULL) {
    b->oom = true;
    return;
  }
  json_array_foreach(ingress, i, in) {
    const char *addr = table_str(in, "ip", table_str(in, "hostname", NULL));
    if (addr)
      addrs[n++] = addr;
  }
  table_add_sorted(b, addrs, n, ",", true);
}

static json_t *service_external_ip(const json_t *svc) {
  const char *type = table_str(svc, "spec.type", "");
  table_buf b = {0};
  size_t count = 0;
  if (strcmp(type, "ClusterIP") == 0 || strcmp(type, "NodePort") == 0) {
    add_strings(&b, svc, "spec.externalIPs", &count);
    return table_buf_json(&b, "<none>");
  }
  if (strcmp(type, "LoadBalancer") == 0) {
    add_lb_ingress(&b, svc);
    count = b.len > 0;
    add_strings(&b, svc, "spec.externalIPs", &count);
    return table_buf_json(&b, "<pending>");
  }
  if (strcmp(type, "ExternalName") == 0)
    return table_str_cell(svc, "spec.externalName", "");
  return table_text("<unknown>");
}

static json_t *service_ports(const json_t *svc) {
  table_buf b = {0};
  size_t i, count = 0;
  json_t *p;
  json_array_foreach(tug_obj_get(svc, "spec.ports"), i, p) {
    int64_t node_port = tug_obj_get_int(p, "nodePort", 0);
    table_buf_sep(&b, ",", &count);
    table_buf_addf(&b, "%" PRId64, tug_obj_get_int(p, "port", 0));
    if (node_port > 0)
      table_buf_addf(&b, ":%" PRId64, node_port);
    table_buf_addf(&b, "/%s", table_str(p, "protocol", ""));
  }
  return table_buf_json(&b, "<none>");
}

static json_t *service_selector(const json_t *svc) {
  return table_format_labels(tug_obj_get(svc, "spec.selector"));
}

const api_column api_columns_service[] = {
    TABLE_COLUMN_NAME,
    {"Type", "string", "", 0,
     "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
     "ExternalName, ClusterIP, NodePort, and LoadBalancer.",
     service_type},
    {"Cluster-IP", "string", "", 0,
     "clusterIP is the IP address of the service and is usually assigned randomly.",
     service_cluster_ip},
    {"External-IP", "string", "", 0,
     "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
     "traffic for this service.",
     service_external_ip},
    {"Port(s)", "string", "", 0, "The list of ports that are exposed by this service.",
     service_ports},
    TABLE_COLUMN_AGE,
    {"Selector", "string", "", 1,
     "Route service traffic to pods with label keys and values matching this selector.",
     service_selector},
    TABLE_COLUMN_END,
};

/* ---- endpoints ---- */

#define ENDPOINTS_SHOWN 3

typedef struct endpoint_list {
  table_buf b;
  size_t listed, count;
  bool more;
} endpoint_list;

/* net.JoinHostPort: brackets around IPv6 addresses. */
static void add_address(endpoint_list *l, const json_t *addr, const json_t *port) {
  const char *ip = table_str(addr, "ip", "");
  if (l->listed == ENDPOINTS_SHOWN) {
    l->more = true;
    return;
  }
  table_buf_sep(&l->b, ",", &l->listed);
  if (port == NULL)
    table_buf_add(&l->b, ip);
  else if (strchr(ip, ':'))
    table_buf_addf(&l->b, "[%s]:%" PRId64, ip, tug_obj_get_int(port, "port", 0));
  else
    table_buf_addf(&l->b, "%s:%" PRId64, ip, tug_obj_get_int(port, "port", 0));
}

/* Every address once per port, or once when the subset has no ports (headless). */
static void add_subset(endpoint_list *l, const json_t *subset) {
  json_t *addrs = json_object_get(subset, "addresses");
  json_t *ports = json_object_get(subset, "ports");
  size_t n_ports = json_array_size(ports), n_addrs = json_array_size(addrs);
  for (size_t p = 0; p < (n_ports ? n_ports : 1); p++) {
    l->count += n_addrs;
    for (size_t a = 0; a < n_addrs && !(l->listed == ENDPOINTS_SHOWN && l->more); a++)
      add_address(l, json_array_get(addrs, a), n_ports ? json_array_get(ports, p) : NULL);
  }
}

static json_t *endpoints_list(const json_t *ep) {
  json_t *subsets = json_object_get(ep, "subsets");
  endpoint_list l = {0};
  size_t i;
  json_t *subset;
  if (json_array_size(subsets) == 0)
    return table_text("<none>");
  json_array_foreach(subsets, i, subset) {
    add_subset(&l, subset);
  }
  if (l.more)
    table_buf_addf(&l.b, " + %zu more...", l.count - ENDPOINTS_SHOWN);
  return table_buf_json(&l.b, NULL);
}

const api_column api_columns_endpoints[] = {
    TABLE_COLUMN_NAME,
    {"Endpoints", "string", "", 0,
     "The set of all endpoints is the union of all subsets. Addresses are placed into subsets "
     "according to the IPs they share.",
     endpoints_list},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};
