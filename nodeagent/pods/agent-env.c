/*
 * agent-env.c — a container's environment from envFrom and env[].valueFrom,
 * with kubelet's precedence, messages and $(VAR) expansion (agent-env.h).
 *
 * The one idea: everything the API server holds is fetched first
 * (agent_env_fetch), so the rules themselves (agent_env_resolve) read only
 * JSON and can be tested as a pure function.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-env.h"
#include "agent-volumes-internal.h"
#include "cleanup.h"
#include "object.h"
#include "quantity.h"

/* The two kinds a variable may come from, as env, envFrom and the API name them. */
typedef struct source_kind {
  const char *resource; /* the API's plural, and the key of agent_env_fetch's objects */
  const char *singular; /* kubelet's `configmap "x" not found` */
  const char *kind;     /* kubelet's `couldn't find key k in ConfigMap ns/x` */
  const char *key_ref;  /* env[].valueFrom.<key_ref> */
  const char *from_ref; /* envFrom[].<from_ref> */
  bool secret;
} source_kind;

static const source_kind kinds[] = {
    {"configmaps", "configmap", "ConfigMap", "configMapKeyRef", "configMapRef", false},
    {"secrets", "secret", "Secret", "secretKeyRef", "secretRef", true},
};
enum { N_KINDS = sizeof kinds / sizeof kinds[0] };

static const char *str_at(const json_t *obj, const char *key) {
  return json_string_value(json_object_get(obj, key));
}

/* ---- fetching ---- */

static int fetch_one(json_t *into, const char *ns, const source_kind *k, const char *name,
                     agent_volume_get_fn get, void *arg, tug_error *err) {
  if (name == NULL || json_object_get(into, name))
    return 0;
  /* The name goes into a URL path: an object name's characters only. */
  if (*name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(name))
    return tug_error_set(err, EINVAL, "invalid %s name \"%s\"", k->singular, name);
  char path[1024];
  if (snprintf(path, sizeof path, "/api/v1/namespaces/%s/%s/%s", ns, k->resource, name) >=
      (int)sizeof path)
    return tug_error_set(err, ENAMETOOLONG, "%s name \"%s\" is too long", k->singular, name);
  json_t *obj = NULL;
  tug_error gerr = {0};
  if (get(arg, path, &obj, &gerr) < 0) {
    if (gerr.code != ENOENT)
      return tug_error_set(err, gerr.code, "get %s \"%s\": %s", k->singular, name, gerr.msg);
    obj = json_null();
  }
  return json_object_set_new(into, name, obj) == 0 ? 0
                                                   : tug_error_errno(err, ENOMEM, "keep %s", name);
}

int agent_env_fetch(const json_t *ctr, const char *ns, agent_volume_get_fn get, void *arg,
                    json_t **objects, tug_error *err) {
  _cleanup_json_ json_t *out = json_object();
  if (out == NULL)
    return tug_error_errno(err, ENOMEM, "allocate env objects");
  for (size_t k = 0; k < N_KINDS; k++) {
    json_t *into = json_object();
    if (into == NULL || json_object_set_new(out, kinds[k].resource, into) < 0)
      return tug_error_errno(err, ENOMEM, "allocate env objects");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ctr, "envFrom"), i, e) {
      if (fetch_one(into, ns, &kinds[k], str_at(json_object_get(e, kinds[k].from_ref), "name"), get,
                    arg, err) < 0)
        return -1;
    }
    json_array_foreach(json_object_get(ctr, "env"), i, e) {
      const json_t *ref = json_object_get(json_object_get(e, "valueFrom"), kinds[k].key_ref);
      if (fetch_one(into, ns, &kinds[k], str_at(ref, "name"), get, arg, err) < 0)
        return -1;
    }
  }
  *objects = json_incref(out);
  return 0;
}

/* ---- $(VAR) expansion ---- */

static const char *lookup(const json_t *env, const json_t *service_env, const char *name) {
  const char *v = str_at(env, name);
  return v ? v : str_at(service_env, name);
}

/* kubelet's expansion: $(NAME) → its value, an unknown one kept as written;
 * $$ → $; a $ before anything else, or an unclosed $(, stays. With missing,
 * the names that are unknown or empty are added to it (as keys). */
static char *expand(const char *s, const json_t *env, const json_t *service_env, json_t *missing) {
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (f == NULL)
    return NULL;
  for (const char *p = s; *p; p++) {
    if (*p != '$' || p[1] == '\0') {
      fputc(*p, f);
      continue;
    }
    const char *close = p[1] == '(' ? strchr(p + 2, ')') : NULL;
    if (p[1] == '$') {
      fputc('$', f);
      p++;
    } else if (close) {
      _cleanup_free_ char *name = strndup(p + 2, (size_t)(close - p - 2));
      const char *v = name ? lookup(env, service_env, name) : NULL;
      if (missing && name && (v == NULL || v[0] == '\0'))
        json_object_set_new(missing, name, json_true());
      if (v)
        fputs(v, f);
      else
        fprintf(f, "%.*s", (int)(close - p + 1), p);
      p = close;
    } else {
      fputc('$', f); /* the next character is copied on its own turn */
    }
  }
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

char *agent_env_expand(const char *s, const json_t *env, const json_t *service_env) {
  return expand(s, env, service_env, NULL);
}

int agent_env_expand_strict(const char *s, const json_t *env, const json_t *service_env, char **out,
                            tug_error *err) {
  _cleanup_json_ json_t *missing = json_object();
  if (missing == NULL || (*out = expand(s, env, service_env, missing)) == NULL)
    return tug_error_errno(err, ENOMEM, "expand %s", s);
  if (json_object_size(missing) == 0)
    return 0;
  free(*out);
  *out = NULL;
  char names[512] = "";
  const char *k;
  json_t *v;
  json_object_foreach(missing, k, v) { /* jansson keeps insertion order: first seen first */
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", names[0] ? ", " : "", k);
  }
  return tug_error_set(err, EINVAL, "missing value for %s", names);
}

/* ---- valueFrom ---- */

/* A value that is in place: 1 with *value set; 0 when an optional source
 * lacks it (the variable is then not set); -1 with err. */
typedef int value_fn(const json_t *pod, const json_t *ctr, const json_t *ref, const json_t *objects,
                     const agent_env_node *node, char **value, tug_error *err);

static int key_ref_value(const source_kind *k, const json_t *ref, const json_t *objects,
                         const char *ns, char **value, tug_error *err) {
  const char *name = str_at(ref, "name") ?: "", *key = str_at(ref, "key") ?: "";
  bool optional = json_is_true(json_object_get(ref, "optional"));
  const json_t *obj = json_object_get(json_object_get(objects, k->resource), name);
  if (obj == NULL || json_is_null(obj))
    return optional ? 0 : tug_error_set(err, ENOENT, "%s \"%s\" not found", k->singular, name);
  int found;
  if (k->secret)
    found = agent_volume_key_value(obj, true, key, value, err);
  else if ((found = str_at(json_object_get(obj, "data"), key) != NULL) &&
           (*value = strdup(str_at(json_object_get(obj, "data"), key))) == NULL)
    return tug_error_errno(err, ENOMEM, "copy key %s", key);
  if (found != 0)
    return found;
  return optional ? 0
                  : tug_error_set(err, ENOENT, "couldn't find key %s in %s %s/%s", key, k->kind, ns,
                                  name);
}

static int configmap_value(const json_t *pod, const json_t *ctr, const json_t *ref,
                           const json_t *objects, const agent_env_node *node, char **value,
                           tug_error *err) {
  (void)ctr, (void)node;
  return key_ref_value(&kinds[0], ref, objects, tug_obj_namespace(pod) ?: "default", value, err);
}

static int secret_value(const json_t *pod, const json_t *ctr, const json_t *ref,
                        const json_t *objects, const agent_env_node *node, char **value,
                        tug_error *err) {
  (void)ctr, (void)node;
  return key_ref_value(&kinds[1], ref, objects, tug_obj_namespace(pod) ?: "default", value, err);
}

static int copy_value(const char *v, char **value, tug_error *err) {
  return (*value = strdup(v ? v : "")) ? 1 : tug_error_errno(err, ENOMEM, "copy value");
}

/* fieldRef.fieldPath: what Kubernetes allows in env. */
static int field_value(const json_t *pod, const json_t *ctr, const json_t *ref,
                       const json_t *objects, const agent_env_node *node, char **value,
                       tug_error *err) {
  (void)ctr, (void)objects;
  static const char *const in_pod[] = {"metadata.name", "metadata.uid", "spec.nodeName",
                                       "spec.serviceAccountName", NULL};
  const char *field = str_at(ref, "fieldPath") ?: "";
  for (const char *const *f = in_pod; *f; f++)
    if (strcmp(field, *f) == 0)
      return copy_value(tug_obj_get_str(pod, field), value, err);
  if (strcmp(field, "metadata.namespace") == 0)
    return copy_value(tug_obj_namespace(pod) ?: "default", value, err);
  /* One address each here: the plural fields hold the same one. */
  if (strcmp(field, "status.podIP") == 0 || strcmp(field, "status.podIPs") == 0)
    return copy_value(node->pod_ip, value, err);
  if (strcmp(field, "status.hostIP") == 0 || strcmp(field, "status.hostIPs") == 0)
    return copy_value(node->host_ip, value, err);
  char map[32], key[256], end;
  if (sscanf(field, "metadata.%31[a-z]['%255[^']']%c", map, key, &end) == 2 &&
      (strcmp(map, "labels") == 0 || strcmp(map, "annotations") == 0))
    return copy_value(str_at(json_object_get(json_object_get(pod, "metadata"), map), key), value,
                      err);
  return tug_error_set(err, EINVAL, "unsupported fieldPath: %s", field);
}

/* The container the reference names (containerName), else ctr itself. */
static const json_t *named_container(const json_t *pod, const json_t *ctr, const char *name) {
  static const char *const lists[] = {"containers", "initContainers"};
  if (name == NULL || *name == '\0')
    return ctr;
  for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(pod, "spec"), lists[l]), i, c) {
      if (strcmp(str_at(c, "name") ?: "", name) == 0)
        return c;
    }
  }
  return NULL;
}

/* A container's figure, as kubelet's downward API defaults it: a limit not
 * set is the node's allocatable; a request not set is the limit set, else 0. */
static int64_t resource_figure(const json_t *c, const char *kind, bool cpu,
                               const agent_env_node *node) {
  const json_t *res = json_object_get(c, "resources");
  const char *lim = str_at(json_object_get(res, "limits"), cpu ? "cpu" : "memory");
  const char *req = str_at(json_object_get(res, "requests"), cpu ? "cpu" : "memory");
  const char *s = strcmp(kind, "limits") == 0 ? lim : req ? req : lim;
  int64_t v = 0;
  tug_error ignored = {0};
  if (s && (cpu ? tug_quantity_parse_milli(s, 0, &v, &ignored)
                : tug_quantity_parse_value(s, 0, &v, &ignored)) == 0)
    return v;
  if (strcmp(kind, "limits") != 0)
    return 0;
  return cpu ? node->alloc_cpu_milli : node->alloc_memory;
}

/* resourceFieldRef: ceil(figure / divisor), divisor 1 by default, as kubelet formats it. */
static int resource_value(const json_t *pod, const json_t *ctr, const json_t *ref,
                          const json_t *objects, const agent_env_node *node, char **value,
                          tug_error *err) {
  (void)objects;
  const char *resource = str_at(ref, "resource") ?: "", *div = str_at(ref, "divisor");
  char kind[16], what[16], end;
  if (sscanf(resource, "%15[a-z].%15[a-z]%c", kind, what, &end) != 2 ||
      (strcmp(kind, "limits") != 0 && strcmp(kind, "requests") != 0) ||
      (strcmp(what, "cpu") != 0 && strcmp(what, "memory") != 0))
    return tug_error_set(err, EINVAL, "unsupported container resource: %s", resource);
  bool cpu = strcmp(what, "cpu") == 0;
  const json_t *c = named_container(pod, ctr, str_at(ref, "containerName"));
  if (c == NULL)
    return tug_error_set(err, EINVAL, "resourceFieldRef: no container named \"%s\"",
                         str_at(ref, "containerName"));
  int64_t d = cpu ? 1000 : 1;
  if (div && strcmp(div, "0") != 0 &&
      (cpu ? tug_quantity_parse_milli(div, 0, &d, err)
           : tug_quantity_parse_value(div, 0, &d, err)) < 0)
    return tug_error_wrap(err, "resourceFieldRef divisor");
  if (d <= 0)
    return tug_error_set(err, EINVAL, "resourceFieldRef divisor %s is not positive", div);
  int64_t v = resource_figure(c, kind, cpu, node);
  return asprintf(value, "%lld", (long long)(v / d + (v % d != 0))) < 0
             ? (*value = NULL, tug_error_errno(err, ENOMEM, "format %s", resource))
             : 1;
}

static const struct {
  const char *ref;
  value_fn *fn;
} value_from[] = {
    {"configMapKeyRef", configmap_value},
    {"secretKeyRef", secret_value},
    {"fieldRef", field_value},
    {"resourceFieldRef", resource_value},
};

/* ---- the whole environment ---- */

/* kubelet skips envFrom keys that are no valid variable names (with an Event). */
static bool env_name_ok(const char *s) {
  if (*s == '\0' || (*s >= '0' && *s <= '9'))
    return false;
  for (; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._", *s))
      return false;
  return true;
}

static int set_var(json_t *env, const char *name, const char *value, tug_error *err) {
  return json_object_set_new(env, name, json_string(value)) == 0
             ? 0
             : tug_error_errno(err, ENOMEM, "set %s", name);
}

/* Every key of one envFrom source, prefixed. */
static int from_source(json_t *env, const json_t *src, const json_t *objects, tug_error *err) {
  for (size_t k = 0; k < N_KINDS; k++) {
    const json_t *ref = json_object_get(src, kinds[k].from_ref);
    if (ref == NULL)
      continue;
    const char *name = str_at(ref, "name") ?: "";
    const json_t *obj = json_object_get(json_object_get(objects, kinds[k].resource), name);
    if (obj == NULL || json_is_null(obj)) {
      if (json_is_true(json_object_get(ref, "optional")))
        continue;
      return tug_error_set(err, ENOENT, "%s \"%s\" not found", kinds[k].singular, name);
    }
    /* A Secret's stringData (where the store keeps it) wins over its data. */
    const char *maps[2] = {"data", kinds[k].secret ? "stringData" : NULL};
    for (size_t m = 0; m < 2 && maps[m]; m++) {
      const char *key;
      json_t *v;
      json_object_foreach(json_object_get(obj, maps[m]), key, v) {
        _cleanup_free_ char *full = NULL, *value = NULL;
        if (asprintf(&full, "%s%s", str_at(src, "prefix") ?: "", key) < 0)
          return tug_error_errno(err, ENOMEM, "name %s", key);
        if (!env_name_ok(full))
          continue;
        if (agent_volume_key_value(obj, kinds[k].secret, key, &value, err) < 0 ||
            set_var(env, full, value ? value : "", err) < 0)
          return tug_error_wrap(err, "%s \"%s\"", kinds[k].singular, name);
      }
    }
  }
  return 0;
}

/* One env[] entry: value expanded over what is set so far, or valueFrom. */
static int one_var(json_t *env, const json_t *pod, const json_t *ctr, const json_t *e,
                   const json_t *objects, const json_t *service_env, const agent_env_node *node,
                   tug_error *err) {
  const char *name = str_at(e, "name"), *value = str_at(e, "value");
  const json_t *from = json_object_get(e, "valueFrom");
  if (name == NULL)
    return 0;
  _cleanup_free_ char *v = NULL;
  if ((value && *value) || from == NULL) {
    if ((v = agent_env_expand(value ? value : "", env, service_env)) == NULL)
      return tug_error_errno(err, ENOMEM, "expand %s", name);
    return set_var(env, name, v, err);
  }
  for (size_t i = 0; i < sizeof value_from / sizeof value_from[0]; i++) {
    const json_t *ref = json_object_get(from, value_from[i].ref);
    if (ref == NULL)
      continue;
    int rc = value_from[i].fn(pod, ctr, ref, objects, node, &v, err);
    return rc <= 0 ? rc : set_var(env, name, v, err);
  }
  return tug_error_set(err, EINVAL, "env %s: valueFrom names no source", name);
}

int agent_env_resolve(const json_t *pod, const json_t *ctr, const json_t *objects,
                      const json_t *service_env, const agent_env_node *node, json_t **env,
                      tug_error *err) {
  _cleanup_json_ json_t *out = json_object();
  if (out == NULL)
    return tug_error_errno(err, ENOMEM, "allocate env");
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(ctr, "envFrom"), i, e) {
    if (from_source(out, e, objects, err) < 0)
      return -1;
  }
  json_array_foreach(json_object_get(ctr, "env"), i, e) {
    if (one_var(out, pod, ctr, e, objects, service_env, node, err) < 0)
      return -1;
  }
  *env = json_incref(out);
  return 0;
}

/* A copy of a command or args array with every string expanded. */
static json_t *expand_all(const json_t *arr, const json_t *env, const json_t *service_env) {
  json_t *out = json_array();
  size_t i;
  json_t *s;
  json_array_foreach(arr, i, s) {
    char *x = json_is_string(s) ? agent_env_expand(json_string_value(s), env, service_env) : NULL;
    if (out == NULL || x == NULL || json_array_append_new(out, json_string(x)) < 0) {
      free(x);
      json_decref(out);
      return NULL;
    }
    free(x);
  }
  return out;
}

json_t *agent_env_container(const json_t *ctr, const json_t *env, const json_t *service_env) {
  _cleanup_json_ json_t *c = json_copy((json_t *)ctr), *list = json_array();
  if (c == NULL || list == NULL)
    return NULL;
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)env, name, v) {
    if (json_array_append_new(list, json_pack("{s:s, s:O}", "name", name, "value", v)) < 0)
      return NULL;
  }
  if (json_object_set(c, "env", list) < 0)
    return NULL;
  static const char *const argv_keys[] = {"command", "args"};
  for (size_t k = 0; k < 2; k++) {
    const json_t *arr = json_object_get(ctr, argv_keys[k]);
    if (arr && json_object_set_new(c, argv_keys[k], expand_all(arr, env, service_env)) < 0)
      return NULL;
  }
  return json_incref(c);
}
