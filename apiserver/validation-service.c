/*
 * validation-service.c — Service and Endpoints: ports, selectors and addresses.
 *
 * Every agent turns these objects into nftables rules, so what reaches it must
 * be well-formed: numeric ports in range, IPv4 addresses, port names that
 * endpoints can be matched by. We serve ClusterIP and NodePort Services only;
 * LoadBalancer and ExternalName are refused rather than silently ignored.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "validation-internal.h"
#include "validation.h"

static int node_port_min = 30000, node_port_max = 32767;

void api_service_set_node_port_range(int min, int max) {
  node_port_min = min;
  node_port_max = max;
}

/* Names tell ports apart, so several ports each need a distinct one. */
static void validate_port_name(const val_obj *p, size_t nports, json_t *names) {
  const char *name = nports > 1 ? val_string_required(p, "name") : val_string(p, "name");
  if (name == NULL || *name == '\0' || !val_dns_label(p, "name"))
    return;
  if (json_object_get(names, name))
    val_duplicate(p, "name", json_object_get(p->json, "name"));
  else
    json_object_set_new(names, name, json_true());
}

static void validate_port_protocol_unique(const val_obj *p, int64_t port, json_t *seen) {
  const char *protocol = json_string_value(json_object_get(p->json, "protocol"));
  char key[64];
  snprintf(key, sizeof key, "%" PRId64 "/%.16s", port, protocol ? protocol : "TCP");
  if (json_object_get(seen, key))
    val_duplicate(p, NULL, p->json);
  else
    json_object_set_new(seen, key, json_true());
}

/* ---- Service ---- */

static void validate_node_port(const val_obj *p, bool node_port_type) {
  int64_t port;
  if (!val_int(p, "nodePort", &port) || port == 0)
    return;
  if (!node_port_type)
    val_forbidden(p, "nodePort", "may not be used when `type` is 'ClusterIP'");
  else if (port < node_port_min || port > node_port_max)
    val_invalid(p, "nodePort", json_object_get(p->json, "nodePort"),
                "provided port is not in the valid range. The range of valid ports is %d-%d",
                node_port_min, node_port_max);
}

/* Two ports may share a node port only with different protocols. */
static void validate_node_port_unique(const val_obj *p, json_t *seen) {
  int64_t port;
  if (!val_int(p, "nodePort", &port) || port == 0)
    return;
  const char *protocol = json_string_value(json_object_get(p->json, "protocol"));
  char key[64];
  snprintf(key, sizeof key, "%" PRId64 "/%.16s", port, protocol ? protocol : "TCP");
  if (json_object_get(seen, key))
    val_duplicate(p, "nodePort", json_object_get(p->json, "nodePort"));
  else
    json_object_set_new(seen, key, json_true());
}

static void validate_service_ports(const val_obj *spec, bool node_port_type) {
  json_t *ports = json_object_get(spec->json, "ports");
  if (!val_present(spec, "ports") || (json_is_array(ports) && json_array_size(ports) == 0))
    val_required(spec, "ports", NULL);
  json_t *names = json_object(), *seen = json_object(), *node_ports = json_object();
  size_t n = val_array_len(spec, "ports");
  for (size_t i = 0; i < n; i++) {
    val_obj p;
    int64_t port;
    if (!val_enter_item(&p, spec, "ports", i))
      continue;
    if (val_port_number(&p, "port", true, &port))
      validate_port_protocol_unique(&p, port, seen);
    val_protocol(&p, "protocol");
    validate_port_name(&p, n, names);
    if (val_present(&p, "targetPort"))
      val_port_or_name(&p, "targetPort");
    validate_node_port(&p, node_port_type);
    validate_node_port_unique(&p, node_ports);
  }
  json_decref(names);
  json_decref(seen);
  json_decref(node_ports);
}

static void validate_cluster_ip(const val_obj *spec, bool node_port_type) {
  const char *ip = val_string(spec, "clusterIP");
  if (ip == NULL || *ip == '\0')
    return;
  if (strcmp(ip, "None") == 0) {
    if (node_port_type)
      val_invalid_str(spec, "clusterIP", ip, "may not be set to 'None' for NodePort services");
  } else if (!val_ipv4(ip)) {
    val_invalid_str(spec, "clusterIP", ip, "must be a valid IP address, (e.g. 10.9.8.7)");
  }
}

void api_default_service(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec))
    return;
  val_default(spec, "type", json_string("ClusterIP"));
  val_default(spec, "sessionAffinity", json_string("None"));
  json_t *ports = json_object_get(spec, "ports");
  for (size_t i = 0; i < json_array_size(ports); i++) {
    json_t *p = json_array_get(ports, i), *port = json_object_get(p, "port");
    val_default(p, "protocol", json_string("TCP"));
    if (json_is_integer(port))
      val_default(p, "targetPort", json_integer(json_integer_value(port)));
  }
}

void api_validate_service(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const types[] = {"ClusterIP", "NodePort", NULL};
  static const char *const affinities[] = {"ClientIP", "None", NULL};
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec") && val_present(&root, "spec"))
    return;
  const char *type = val_enum(&spec, "type", types);
  bool node_port_type = type && strcmp(type, "NodePort") == 0;
  validate_service_ports(&spec, node_port_type);
  val_label_map(&spec, "selector");
  validate_cluster_ip(&spec, node_port_type);
  val_enum(&spec, "sessionAffinity", affinities);
  /* An allocated address is what clients already use: it stays. */
  json_t *old_spec = json_object_get(old, "spec");
  const char *old_ip = json_string_value(json_object_get(old_spec, "clusterIP"));
  if (old_ip && *old_ip)
    val_immutable(&spec, "clusterIP", old_spec);
}

/* ---- Endpoints ---- */

static void validate_endpoint_address(const val_obj *a) {
  const char *ip = val_string_required(a, "ip");
  if (ip && !val_ipv4(ip))
    val_invalid_str(a, "ip", ip, "must be a valid IP address, (e.g. 10.9.8.7)");
  val_dns_label(a, "hostname");
  val_subdomain(a, "nodeName");
  val_object(a, "targetRef");
}

static void validate_endpoint_addresses(const val_obj *subset, const char *key) {
  size_t n = val_array_len(subset, key);
  for (size_t i = 0; i < n; i++) {
    val_obj a;
    if (val_enter_item(&a, subset, key, i))
      validate_endpoint_address(&a);
  }
}

static void validate_endpoint_ports(const val_obj *subset) {
  json_t *names = json_object();
  size_t n = val_array_len(subset, "ports");
  for (size_t i = 0; i < n; i++) {
    val_obj p;
    if (!val_enter_item(&p, subset, "ports", i))
      continue;
    val_port_number(&p, "port", true, NULL);
    val_protocol(&p, "protocol");
    validate_port_name(&p, n, names);
  }
  json_decref(names);
}

void api_default_endpoints(json_t *obj) {
  json_t *subsets = json_object_get(obj, "subsets");
  for (size_t i = 0; i < json_array_size(subsets); i++) {
    json_t *ports = json_object_get(json_array_get(subsets, i), "ports");
    for (size_t j = 0; j < json_array_size(ports); j++)
      val_default(json_array_get(ports, j), "protocol", json_string("TCP"));
  }
}

void api_validate_endpoints(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root;
  val_root(&root, obj, causes);
  size_t n = val_array_len(&root, "subsets");
  for (size_t i = 0; i < n; i++) {
    val_obj subset;
    if (!val_enter_item(&subset, &root, "subsets", i))
      continue;
    validate_endpoint_addresses(&subset, "addresses");
    validate_endpoint_addresses(&subset, "notReadyAddresses");
    validate_endpoint_ports(&subset);
  }
}
