/*
 * validation-policy.c — PodDisruptionBudget and Ingress.
 *
 * A budget bounds its pods one way only: minAvailable or maxUnavailable, each
 * a count or a percentage of the owners' scale (at most 100%). Its selector
 * follows policy/v1: absent selects no pod, empty ({}) every pod of the
 * namespace. An Ingress is stored for an ingress controller to act on; it is
 * checked as Kubernetes checks it so that a manifest valid there is valid here.
 */
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

/* ---- PodDisruptionBudget ---- */

void api_default_poddisruptionbudget(json_t *obj) {
  (void)obj;
}

void api_validate_poddisruptionbudget(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const policies[] = {"IfHealthyBudget", "AlwaysAllow", NULL};
  (void)old;
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  if (val_present(&spec, "minAvailable") && val_present(&spec, "maxUnavailable"))
    val_invalid(&root, "spec", spec.json, "minAvailable and maxUnavailable cannot be both set");
  val_int_or_percent(&spec, "minAvailable", true);
  val_int_or_percent(&spec, "maxUnavailable", true);
  bool empty;
  _cleanup_selector_ tug_selector *sel = val_label_selector(&spec, "selector", &empty);
  val_enum(&spec, "unhealthyPodEvictionPolicy", policies);
}

/* ---- Ingress ---- */

void api_default_ingress(json_t *obj) {
  (void)obj;
}

/* A host name, or "*." and one: a wildcard covers one label. */
static void validate_host(const val_obj *o, const char *key) {
  const char *host = val_string(o, key);
  if (host == NULL || host[0] == '\0')
    return;
  const char *bare = strncmp(host, "*.", 2) == 0 ? host + 2 : host;
  if (!api_dns1123_subdomain(bare))
    val_invalid_str(o, key, host,
                    "a lowercase RFC 1123 subdomain (or '*.' and one) must consist of lower case "
                    "alphanumeric characters, '-' or '.', and must start and end with an "
                    "alphanumeric character (e.g. 'example.com')");
}

static void validate_backend(const val_obj *backend) {
  val_obj svc, port;
  bool has_service = val_present(backend, "service"),
       has_resource = val_present(backend, "resource");
  if (has_service && has_resource)
    val_invalid(backend, NULL, backend->json, "cannot set both resource and service backends");
  else if (!has_service && !has_resource)
    val_invalid(backend, NULL, backend->json, "resource or service backend is required");
  if (val_enter(&svc, backend, "service")) {
    if (val_string_required(&svc, "name"))
      val_dns_label(&svc, "name");
    if (val_enter(&port, &svc, "port")) {
      bool named = val_present(&port, "name"), numbered = val_present(&port, "number");
      if (named && numbered)
        val_invalid(&port, NULL, port.json, "cannot set both port name & port number");
      else if (!named && !numbered)
        val_required(&port, NULL, "port name or number is required");
      else if (numbered)
        val_port_number(&port, "number", true, NULL);
    } else {
      val_required(&svc, "port", "port name or number is required");
    }
  }
  val_obj res;
  if (val_enter(&res, backend, "resource")) {
    val_string_required(&res, "kind");
    val_string_required(&res, "name");
  }
}

static void validate_path(const val_obj *path) {
  static const char *const types[] = {"Exact", "Prefix", "ImplementationSpecific", NULL};
  val_obj backend;
  const char *type = val_enum(path, "pathType", types);
  if (!val_present(path, "pathType"))
    val_required(path, "pathType", "pathType must be specified");
  const char *p = val_string(path, "path");
  if (type && strcmp(type, "ImplementationSpecific") != 0 && (p == NULL || p[0] != '/'))
    val_invalid_str(path, "path", p ? p : "", "must be an absolute path");
  if (val_enter(&backend, path, "backend"))
    validate_backend(&backend);
  else
    val_required(path, "backend", NULL);
}

static void validate_rule(const val_obj *rule) {
  val_obj http, path;
  validate_host(rule, "host");
  if (!val_enter(&http, rule, "http"))
    return;
  size_t n = val_array_len(&http, "paths");
  if (n == 0)
    val_required(&http, "paths", NULL);
  for (size_t i = 0; i < n; i++)
    if (val_enter_item(&path, &http, "paths", i))
      validate_path(&path);
}

void api_validate_ingress(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec, item, backend;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec")) {
    val_invalid(&root, "spec", NULL, "either `defaultBackend` or `rules` must be specified");
    return;
  }
  bool has_default = val_enter(&backend, &spec, "defaultBackend");
  if (has_default)
    validate_backend(&backend);
  size_t n = val_array_len(&spec, "rules");
  if (!has_default && n == 0)
    val_invalid(&root, "spec", spec.json, "either `defaultBackend` or `rules` must be specified");
  for (size_t i = 0; i < n; i++)
    if (val_enter_item(&item, &spec, "rules", i))
      validate_rule(&item);
  size_t t = val_array_len(&spec, "tls");
  for (size_t i = 0; i < t; i++)
    if (val_enter_item(&item, &spec, "tls", i)) {
      val_string_list(&item, "hosts");
      val_string(&item, "secretName");
    }
  if (val_present(&spec, "ingressClassName"))
    val_subdomain(&spec, "ingressClassName");
}
