/*
 * admission.c — namespace lifecycle, LimitRange, PriorityClass and
 * ResourceQuota admission, and Pod Security's lookups and answers (see admission.h).
 */
#include "admission.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "object.h"
#include "podsecurity.h"
#include "quantity.h"
#include "status.h"
#include "watchcache.h"

static api_watchcache *cache_of(api_server *s, const char *kind) {
  for (const api_kind *k = api_kinds; k->kind; k++)
    if (strcmp(k->kind, kind) == 0)
      return api_kind_cache(s, k);
  return NULL;
}

/* An object by key: from the cache, or from etcd when the cache has not seen it yet. */
static json_t *lookup(api_server *s, const char *kind, const char *ns, const char *name) {
  const api_kind *k = NULL;
  for (const api_kind *it = api_kinds; it->kind; it++)
    if (strcmp(it->kind, kind) == 0)
      k = it;
  char key[512];
  api_key(k, ns, name, key, sizeof key);
  api_cached *c = api_watchcache_get(cache_of(s, kind), key);
  if (c) {
    json_t *o = json_incref(c->obj);
    api_cached_unref(c);
    return o;
  }
  json_t *o = NULL;
  tug_error err = {0};
  api_storage_get(s, k, ns, name, &o, NULL, &err);
  return o;
}

static int admit_namespace(api_server *s, const api_kind *k, const json_t *obj, api_response *out) {
  if (!k->namespaced)
    return 0;
  const char *ns = tug_obj_namespace(obj);
  json_t *nso = lookup(s, "Namespace", NULL, ns);
  if (nso == NULL) {
    json_decref(out->body);
    out->code = 404;
    out->body =
        api_status(404, "NotFound", json_pack("{s:s, s:s}", "name", ns, "kind", "namespaces"),
                   "namespaces \"%s\" not found", ns);
    return -1;
  }
  bool terminating = tug_obj_deletion_timestamp(nso) != NULL;
  json_decref(nso);
  if (terminating) {
    api_fail(out, 403,
             "%s \"%s\" is forbidden: unable to create new content in namespace %s "
             "because it is being terminated",
             k->plural, tug_obj_name(obj), ns);
    return -1;
  }
  return 0;
}

/* ---- PriorityClass ---- */

static json_t *global_default_class(api_server *s) {
  api_filter all = {0};
  api_cached **items;
  size_t n;
  int64_t rev;
  api_watchcache_list(cache_of(s, "PriorityClass"), &all, &items, &n, &rev);
  json_t *found = NULL;
  for (size_t i = 0; i < n && !found; i++)
    if (json_is_true(json_object_get(items[i]->obj, "globalDefault")))
      found = json_incref(items[i]->obj);
  api_cached_list_free(items, n);
  return found;
}

static int admit_priority(api_server *s, json_t *pod, api_response *out) {
  const char *name = tug_obj_get_str(pod, "spec.priorityClassName");
  json_t *pc = name && name[0] ? lookup(s, "PriorityClass", NULL, name) : global_default_class(s);
  if (name && name[0] && pc == NULL) {
    api_fail(out, 403, "pods \"%s\" is forbidden: no PriorityClass with name %s was found",
             tug_obj_name(pod), name);
    return -1;
  }
  int64_t value = pc ? tug_obj_get_int(pc, "value", 0) : 0;
  json_t *given = tug_obj_get(pod, "spec.priority");
  if (json_is_integer(given) && json_integer_value(given) != value) {
    api_fail(out, 403,
             "pods \"%s\" is forbidden: the integer value of priority (%lld) must not "
             "be provided in pod spec; priority admission controller computed %lld "
             "from the given PriorityClass name",
             tug_obj_name(pod), (long long)json_integer_value(given), (long long)value);
    json_decref(pc);
    return -1;
  }
  tug_obj_set(pod, "spec.priority", json_integer(value), NULL);
  if (pc && (name == NULL || name[0] == '\0'))
    tug_obj_set_str(pod, "spec.priorityClassName", tug_obj_name(pc), NULL);
  const char *policy = pc ? tug_obj_get_str(pc, "preemptionPolicy") : NULL;
  tug_obj_set_str(pod, "spec.preemptionPolicy", policy ? policy : "PreemptLowerPriority", NULL);
  json_decref(pc);
  return 0;
}

/* ---- LimitRange ---- */

static bool is_cpu(const char *res) {
  return strstr(res, "cpu") != NULL;
}

static int parse_q(const char *res, const char *s, int64_t *v) {
  if (s == NULL)
    return -1;
  return is_cpu(res) ? tug_quantity_parse_milli(s, 0, v, NULL)
                     : tug_quantity_parse_value(s, 0, v, NULL);
}

static void default_container(json_t *c, const json_t *limit) {
  static const char *const kinds[][2] = {{"default", "limits"}, {"defaultRequest", "requests"}};
  for (int i = 0; i < 2; i++) {
    json_t *src = json_object_get(limit, kinds[i][0]);
    const char *res;
    json_t *v;
    json_object_foreach(src, res, v) {
      char path[128];
      snprintf(path, sizeof path, "resources.%s", kinds[i][1]);
      json_t *dst = tug_obj_get(c, path);
      if (!json_is_object(dst)) {
        dst = json_object();
        tug_obj_set(c, path, dst, NULL);
      }
      if (json_object_get(dst, res) == NULL)
        json_object_set(dst, res, v);
    }
  }
  /* Without a defaultRequest, Kubernetes requests what the limit allows. */
  json_t *lim = tug_obj_get(c, "resources.limits"), *req = tug_obj_get(c, "resources.requests");
  const char *res;
  json_t *v;
  json_object_foreach(lim, res, v) if (json_is_object(req) && !json_object_get(req, res))
      json_object_set(req, res, v);
}

static int check_max(const json_t *c, const json_t *limit, const char *pod, api_response *out) {
  const char *res;
  json_t *max;
  json_object_foreach(json_object_get(limit, "max"), res, max) {
    int64_t hard, have;
    char path[128];
    snprintf(path, sizeof path, "resources.limits");
    json_t *lim = json_object_get(tug_obj_get(c, path), res);
    if (parse_q(res, json_string_value(max), &hard) < 0 || !json_is_string(lim) ||
        parse_q(res, json_string_value(lim), &have) < 0)
      continue;
    if (have > hard) {
      api_fail(out, 403,
               "pods \"%s\" is forbidden: maximum %s usage per Container is %s, but "
               "limit is %s",
               pod, res, json_string_value(max), json_string_value(lim));
      return -1;
    }
  }
  return 0;
}

/* A Container limit applies to init containers too, as in Kubernetes: quota
 * counts their requests. */
static int limit_containers(json_t *pod, const json_t *limit, api_response *out) {
  static const char *const lists[] = {"spec.containers", "spec.initContainers"};
  int rc = 0;
  for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
    size_t ci;
    json_t *c;
    json_array_foreach(tug_obj_get(pod, lists[l]), ci, c) {
      if (!json_is_object(c))
        continue;
      default_container(c, limit);
      if (rc == 0 && check_max(c, limit, tug_obj_name(pod), out) < 0)
        rc = -1;
    }
  }
  return rc;
}

static int admit_limit_ranges(api_server *s, json_t *pod, api_response *out) {
  api_filter f = {.namespace = tug_obj_namespace(pod)};
  api_cached **items;
  size_t n;
  int64_t rev;
  api_watchcache_list(cache_of(s, "LimitRange"), &f, &items, &n, &rev);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    size_t j;
    json_t *limit;
    json_array_foreach(tug_obj_get(items[i]->obj, "spec.limits"), j, limit) {
      const char *type = json_string_value(json_object_get(limit, "type"));
      if (type != NULL && strcmp(type, "Container") == 0 && rc == 0)
        rc = limit_containers(pod, limit, out);
    }
  }
  api_cached_list_free(items, n);
  return rc;
}

int api_admit_pod_defaults(api_server *s, json_t *pod, api_response *out) {
  if (!json_is_array(tug_obj_get(pod, "spec.containers")))
    return 0; /* validation will say what is wrong */
  if (admit_limit_ranges(s, pod, out) < 0 || admit_priority(s, pod, out) < 0)
    return -1;
  return 0;
}

int api_admit_request(api_request *r, const api_kind *k, const json_t *obj, const json_t *old,
                      api_response *out) {
  return k->strategy->admit_request ? k->strategy->admit_request(r, obj, old, out) : 0;
}

int api_admit_create(api_server *s, const api_kind *k, json_t *obj, api_response *out) {
  if (admit_namespace(s, k, obj, out) < 0)
    return -1;
  return k->strategy->admit_create ? k->strategy->admit_create(s, obj, out) : 0;
}

/* ---- Pod Security (the checks are podsecurity.c's) ---- */

static void namespace_policy(api_server *s, const char *ns, api_podsec_policy *p) {
  json_t *nso = lookup(s, "Namespace", NULL, ns);
  api_podsec_policy_of(tug_obj_labels(nso), s->cfg.pod_security_default, p);
  json_decref(nso);
}

/* The violations of (meta, spec) at level as text; NULL when there are none. */
static char *violations_at(api_podsec_level level, const json_t *meta, const json_t *spec) {
  json_t *v = api_podsec_check(level, meta, spec);
  char *text = json_array_size(v) > 0 ? api_podsec_describe(v) : NULL;
  json_decref(v);
  return text;
}

static void audit(const api_kind *k, const json_t *obj, api_podsec_level level, const char *text) {
  char quoted[2048];
  tug_warn("pod security audit", "namespace=%s kind=%s name=%s policy=%s:latest violations=%s",
           tug_obj_namespace(obj), k->kind, tug_obj_name(obj), api_podsec_level_name(level),
           tug_log_quote(quoted, sizeof quoted, text));
}

/* Whether obj is a pod itself (refused when it violates) rather than a
 * workload whose template is only warned about, as Kubernetes does. */
static bool is_pod(const api_kind *k) {
  return k->strategy->pod_template && k->strategy->pod_template[0] == '\0';
}

/* What a Pod, or a workload's template, is checked on: NULL when it carries none. */
static const json_t *pod_of(const api_kind *k, const json_t *obj) {
  const char *where = k->strategy->pod_template;
  if (where == NULL)
    return NULL;
  return is_pod(k) ? obj : tug_obj_get(obj, where);
}

static bool worth_checking(const api_kind *k, const json_t *obj, const json_t *old) {
  if (old == NULL)
    return true;
  if (is_pod(k))
    return api_podsec_significant_update(obj, old);
  return !json_equal(pod_of(k, obj), pod_of(k, old));
}

static int admit_pod_security(api_server *s, const api_kind *k, const json_t *obj,
                              const json_t *old, api_response *out) {
  const json_t *pod = pod_of(k, obj);
  if (!json_is_object(pod) || !worth_checking(k, obj, old))
    return 0;
  const json_t *meta = json_object_get(pod, "metadata"), *spec = json_object_get(pod, "spec");
  api_podsec_policy p;
  namespace_policy(s, tug_obj_namespace(obj), &p);
  bool is_pod = pod == obj;
  /* Audited first: a refused pod is worth a line too. */
  char *text = NULL;
  if (p.audit != API_PODSEC_PRIVILEGED && (text = violations_at(p.audit, meta, spec)) != NULL) {
    audit(k, obj, p.audit, text);
    free(text);
  }
  text = violations_at(p.enforce, meta, spec);
  if (text && is_pod) {
    api_fail(out, 403, "pods \"%s\" is forbidden: violates PodSecurity \"%s:latest\": %s",
             tug_obj_name(obj), api_podsec_level_name(p.enforce), text);
    free(text);
    return -1;
  }
  if (text)
    api_warn(out, "would violate PodSecurity \"%s:latest\": %s", api_podsec_level_name(p.enforce),
             text);
  free(text);
  if (p.warn != p.enforce && (text = violations_at(p.warn, meta, spec)) != NULL) {
    api_warn(out, "would violate PodSecurity \"%s:latest\": %s", api_podsec_level_name(p.warn),
             text);
    free(text);
  }
  return 0;
}

/* A stricter enforce label does not touch running pods; as Kubernetes does,
 * it tells whoever sets it which of them it would have refused. */
int api_podsec_namespace_update(api_server *s, const json_t *ns, const json_t *old,
                                api_response *out) {
  api_podsec_policy now, before;
  api_podsec_policy_of(tug_obj_labels(ns), s->cfg.pod_security_default, &now);
  api_podsec_policy_of(tug_obj_labels(old), s->cfg.pod_security_default, &before);
  if (now.enforce <= before.enforce)
    return 0;
  api_filter f = {.namespace = tug_obj_name(ns)};
  api_cached **items;
  size_t n;
  int64_t rev;
  api_watchcache_list(cache_of(s, "Pod"), &f, &items, &n, &rev);
  bool first = true;
  for (size_t i = 0; i < n; i++) {
    const json_t *pod = items[i]->obj;
    char *text =
        violations_at(now.enforce, json_object_get(pod, "metadata"), json_object_get(pod, "spec"));
    if (text && first)
      api_warn(out,
               "existing pods in namespace \"%s\" violate the new PodSecurity enforce level "
               "\"%s:latest\"",
               tug_obj_name(ns), api_podsec_level_name(now.enforce));
    if (text)
      api_warn(out, "%s: %s", tug_obj_name(pod), text);
    first = first && text == NULL;
    free(text);
  }
  api_cached_list_free(items, n);
  return 0;
}

int api_admit_pod_security(api_server *s, const api_kind *k, const json_t *obj, const json_t *old,
                           api_response *out) {
  if (old && k->strategy->admit_update && k->strategy->admit_update(s, obj, old, out) < 0)
    return -1;
  return admit_pod_security(s, k, obj, old, out);
}
