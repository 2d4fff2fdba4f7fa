/*
 * validation-container.c — one container of a pod spec: name, image, command,
 * env, ports, resources and probes (its securityContext is validation-security.c's),
 * and the defaults Kubernetes gives them.
 *
 * Containers are where users make most of their mistakes (a request above its
 * limit, a probe without a handler, a port name too long), so every rule here
 * names the exact field, e.g. spec.containers[1].resources.requests[cpu].
 */
#include <string.h>

#include "validation-internal.h"
#include "validation.h"

/* ---- name, image, env ---- */

static const char env_name_msg[] =
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

static bool env_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_' ||
         (!first && c >= '0' && c <= '9');
}

static bool env_name_valid(const char *s) {
  for (size_t i = 0; s[i]; i++)
    if (!env_char(s[i], i == 0))
      return false;
  return s[0] != '\0';
}

static void validate_env(const val_obj *c) {
  size_t n = val_array_len(c, "env");
  for (size_t i = 0; i < n; i++) {
    val_obj e;
    if (!val_enter_item(&e, c, "env", i))
      continue;
    const char *name = val_string_required(&e, "name");
    if (name && !env_name_valid(name))
      val_invalid_str(&e, "name", name, "%s", env_name_msg);
    const char *value = val_string(&e, "value");
    if (val_object(&e, "valueFrom") && value && *value)
      val_invalid_str(&e, "valueFrom", "", "may not be specified when `value` is not empty");
  }
}

static void validate_container_name(const val_obj *c, json_t *names) {
  const char *name = val_string_required(c, "name");
  if (name == NULL || !val_dns_label(c, "name"))
    return;
  if (json_object_get(names, name))
    val_duplicate(c, "name", json_object_get(c->json, "name"));
  else
    json_object_set_new(names, name, json_true());
}

static void validate_image(const val_obj *c) {
  const char *image = val_string_required(c, "image");
  size_t n = image ? strlen(image) : 0;
  if (n && (strchr(" \t\r\n", image[0]) || strchr(" \t\r\n", image[n - 1])))
    val_invalid_str(c, "image", image, "must not have leading or trailing whitespace");
}

/* ---- ports ---- */

static void validate_port(const val_obj *p, json_t *names) {
  val_port_number(p, "containerPort", true, NULL);
  val_int_between(p, "hostPort", 0, 65535, NULL);
  val_protocol(p, "protocol");
  const char *ip = val_string(p, "hostIP");
  if (ip && *ip && !val_ipv4(ip))
    val_invalid_str(p, "hostIP", ip, "must be a valid IP address, (e.g. 10.9.8.7)");
  const char *name = val_string(p, "name"), *problem;
  if (name == NULL || *name == '\0')
    return;
  if ((problem = val_port_name_problem(name)) != NULL)
    val_invalid_str(p, "name", name, "%s", problem);
  else if (json_object_get(names, name))
    val_duplicate(p, "name", json_object_get(p->json, "name"));
  else
    json_object_set_new(names, name, json_true());
}

static void validate_ports(const val_obj *c) {
  json_t *names = json_object();
  size_t n = val_array_len(c, "ports");
  for (size_t i = 0; i < n; i++) {
    val_obj p;
    if (val_enter_item(&p, c, "ports", i))
      validate_port(&p, names);
  }
  json_decref(names);
}

/* ---- resources ---- */

/* Kubernetes' standard container resources (plus pods, which our quota counts),
 * hugepages-<size>, or an extended resource named by a domain ("example.com/gpu"). */
bool val_container_resource_name(const val_obj *map, const char *name) {
  static const char *const standard[] = {"cpu", "memory", "pods", "ephemeral-storage"};
  const char *why;
  for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++)
    if (strcmp(name, standard[i]) == 0)
      return true;
  if (strncmp(name, "hugepages-", 10) == 0 || (strchr(name, '/') && val_qualified_name(name, &why)))
    return true;
  val_invalid_str(map, val_bracket(name).s, name, "must be a standard resource for containers");
  return false;
}

static void validate_request_within_limit(const val_obj *res, const json_t *requests,
                                          const json_t *limits) {
  val_obj req;
  val_descend(&req, res, "requests", requests);
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)requests, name, v) {
    json_t *limit = json_object_get(limits, name);
    int64_t r, l;
    char text[64];
    if (limit && val_quantity_parse(name, v, &r) && val_quantity_parse(name, limit, &l) && r > l)
      val_invalid(&req, val_bracket(name).s, v, "must be less than or equal to %s limit of %s",
                  name, val_quantity_text(limit, text, sizeof text));
  }
}

static void validate_resources(const val_obj *c) {
  val_obj res;
  if (!val_enter(&res, c, "resources"))
    return;
  json_t *limits = val_resource_map(&res, "limits", val_container_resource_name);
  json_t *requests = val_resource_map(&res, "requests", val_container_resource_name);
  validate_request_within_limit(&res, requests, limits);
}

/* ---- probes ---- */

static void validate_http_get(const val_obj *h) {
  static const char *const schemes[] = {"HTTP", "HTTPS", NULL};
  val_port_or_name(h, "port");
  const char *path = val_string(h, "path");
  if (path && path[0] != '/')
    val_invalid_str(h, "path", path, "must be an absolute path starting with \"/\"");
  val_enum(h, "scheme", schemes);
  val_string(h, "host");
  val_name_value_list(h, "httpHeaders");
}

static void validate_probe_handler(const val_obj *p) {
  static const char *const handlers[] = {"exec", "httpGet", "tcpSocket", "grpc"};
  int count = 0;
  for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
    if (val_present(p, handlers[i]) && ++count > 1)
      val_forbidden(p, handlers[i], "may not specify more than 1 handler type");
  if (count == 0)
    val_required(p, NULL, "must specify a handler type");
  val_obj h;
  if (val_enter(&h, p, "exec")) {
    json_t *command = json_object_get(h.json, "command");
    val_string_list(&h, "command");
    if (!val_present(&h, "command") || (json_is_array(command) && json_array_size(command) == 0))
      val_required(&h, "command", NULL);
  }
  if (val_enter(&h, p, "httpGet"))
    validate_http_get(&h);
  if (val_enter(&h, p, "tcpSocket"))
    val_port_or_name(&h, "port");
  if (val_present(p, "grpc"))
    val_forbidden(p, "grpc", "gRPC probes are not supported");
}

/* Liveness and startup probes must succeed once: more makes no sense for them. */
static void validate_probe(const val_obj *c, const char *key, bool success_must_be_one) {
  val_obj p;
  if (!val_enter(&p, c, key))
    return;
  validate_probe_handler(&p);
  int64_t success;
  val_int_min(&p, "initialDelaySeconds", 0, NULL);
  val_int_min(&p, "periodSeconds", 1, NULL);
  val_int_min(&p, "timeoutSeconds", 1, NULL);
  val_int_min(&p, "failureThreshold", 1, NULL);
  val_int_min(&p, "terminationGracePeriodSeconds", 1, NULL);
  if (val_int_min(&p, "successThreshold", 1, &success) && success_must_be_one && success != 1)
    val_invalid(&p, "successThreshold", json_object_get(p.json, "successThreshold"), "must be 1");
}

/* ---- the container ---- */

/* The runtime starts the process there, inside the container's root: a
 * relative path would depend on where the image happens to leave us. */
static void validate_working_dir(const val_obj *c) {
  const char *dir = val_string(c, "workingDir");
  if (dir && *dir && dir[0] != '/')
    val_invalid_str(c, "workingDir", dir, "must be an absolute path");
}

/* ---- init containers and sidecars ---- */

/* Kubernetes 1.33: a container-level restartPolicy exists for init containers
 * only, and its one value, Always, makes the init container a sidecar. A
 * regular init container runs to completion, so what only makes sense for a
 * container that keeps running is refused on it. True for a sidecar. */
static bool validate_restart_policy(const val_obj *c, bool init) {
  static const char *const always[] = {"Always", NULL};
  static const char *const running_only[] = {"lifecycle", "livenessProbe", "readinessProbe",
                                             "startupProbe"};
  if (!init) {
    if (val_present(c, "restartPolicy"))
      val_forbidden(c, "restartPolicy", "may not be set for non-init containers");
    return false;
  }
  if (val_present(c, "restartPolicy") && val_enum(c, "restartPolicy", always))
    return true;
  for (size_t i = 0; i < sizeof running_only / sizeof running_only[0]; i++)
    if (val_present(c, running_only[i]))
      val_forbidden(c, running_only[i],
                    "may not be set for init containers without restartPolicy=Always");
  return false;
}

static void validate_container(const val_obj *c, json_t *names, bool init) {
  static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};
  static const char *const message_policies[] = {"File", "FallbackToLogsOnError", NULL};
  validate_container_name(c, names);
  validate_image(c);
  val_string_list(c, "command");
  val_string_list(c, "args");
  validate_working_dir(c);
  validate_env(c);
  validate_ports(c);
  validate_resources(c);
  bool sidecar = validate_restart_policy(c, init);
  if (!init || sidecar) {
    validate_probe(c, "livenessProbe", true);
    validate_probe(c, "readinessProbe", false);
    validate_probe(c, "startupProbe", true);
  }
  val_enum(c, "imagePullPolicy", pull_policies);
  val_enum(c, "terminationMessagePolicy", message_policies);
  val_string(c, "terminationMessagePath");
  val_container_security(c);
}

void val_containers(const val_obj *spec, const char *key, json_t *names) {
  bool init = strcmp(key, "initContainers") == 0;
  size_t n = val_array_len(spec, key);
  for (size_t i = 0; i < n; i++) {
    val_obj c;
    if (val_enter_item(&c, spec, key, i))
      validate_container(&c, names, init);
  }
}

/* ---- defaults ---- */

/* Kubernetes pulls "latest" (or untagged) images every time, pinned ones once.
 * A digest pins an image; a ':' after the last '/' starts the tag. */
static const char *pull_policy_for(const char *image) {
  if (*image == '\0' || strchr(image, '@'))
    return "IfNotPresent";
  const char *slash = strrchr(image, '/');
  const char *colon = strchr(slash ? slash : image, ':');
  if (colon == NULL || strcmp(colon + 1, "latest") == 0)
    return "Always";
  return "IfNotPresent";
}

static void default_probe(json_t *probe) {
  if (!json_is_object(probe))
    return;
  val_default(probe, "timeoutSeconds", json_integer(1));
  val_default(probe, "periodSeconds", json_integer(10));
  val_default(probe, "successThreshold", json_integer(1));
  val_default(probe, "failureThreshold", json_integer(3));
  json_t *http = json_object_get(probe, "httpGet");
  if (json_is_object(http)) {
    val_default(http, "path", json_string("/"));
    val_default(http, "scheme", json_string("HTTP"));
  }
}

/* A limit without a request means "request what you limit", as in Kubernetes,
 * which does so for Pods only: a template keeps what its author wrote, and
 * its pods get the default when they are created. Quantities are kept in
 * their canonical form either way. */
static void default_resources(json_t *c, bool pod) {
  json_t *res = json_object_get(c, "resources");
  json_t *limits = json_object_get(res, "limits");
  if (pod && json_is_object(limits) && json_object_size(limits) > 0) {
    json_t *requests = val_default_object(res, "requests");
    const char *name;
    json_t *v;
    json_object_foreach(limits, name, v) {
      val_default(requests, name, json_deep_copy(v));
    }
  }
  val_normalize_quantities(json_object_get(res, "limits"));
  val_normalize_quantities(json_object_get(res, "requests"));
}

void val_default_container(json_t *c, bool pod) {
  if (!json_is_object(c))
    return;
  const char *image = json_string_value(json_object_get(c, "image"));
  if (image)
    val_default(c, "imagePullPolicy", json_string(pull_policy_for(image)));
  val_default(c, "terminationMessagePath", json_string("/dev/termination-log"));
  val_default(c, "terminationMessagePolicy", json_string("File"));
  json_t *ports = json_object_get(c, "ports");
  for (size_t i = 0; i < json_array_size(ports); i++)
    val_default(json_array_get(ports, i), "protocol", json_string("TCP"));
  default_probe(json_object_get(c, "livenessProbe"));
  default_probe(json_object_get(c, "readinessProbe"));
  default_probe(json_object_get(c, "startupProbe"));
  default_resources(c, pod);
}
