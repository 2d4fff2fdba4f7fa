/*
 * subresources.c — /status, /scale and /binding.
 *
 * /status writes only status (spec and metadata stay as stored); /scale reads
 * and writes spec.replicas (a custom kind's specReplicasPath) through an
 * autoscaling/v1 Scale; /binding places a
 * pod on a node by setting spec.nodeName, once: binding a bound pod is 409.
 */
#include <stdio.h>
#include <string.h>

#include "crd.h"
#include "handlers.h"
#include "modify.h"
#include "object.h"
#include "patch.h"
#include "status.h"
#include "storage.h"

static int take_status(json_t *cur, json_t *body, void *arg, api_response *out) {
  (void)arg, (void)out;
  json_t *st = json_object_get(body, "status");
  if (st)
    json_object_set(cur, "status", st);
  else
    json_object_del(cur, "status");
  return 0;
}

static int patch_status(json_t *cur, json_t *patch, void *arg, api_response *out) {
  const api_patch_type *type = arg;
  json_t *p = api_patch_apply(*type, cur, patch, out);
  if (p == NULL)
    return -1;
  json_t *st = json_object_get(p, "status");
  if (st)
    json_object_set(cur, "status", st);
  else
    json_object_del(cur, "status");
  json_decref(p);
  return 0;
}

static void handle_status(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "GET") == 0) {
    api_handle_get(r, rt, out);
    return;
  }
  bool put = strcmp(r->method, "PUT") == 0, patch = strcmp(r->method, "PATCH") == 0;
  if (!put && !patch) {
    api_fail(out, 405, "method %s not allowed on status", r->method);
    return;
  }
  if (patch && api_check_patch_type(rt->kind, api_header(r, "Content-Type"), out) < 0)
    return;
  json_t *body = api_read_body(r, out);
  if (body == NULL)
    return;
  api_patch_type type = API_PATCH_MERGE;
  api_patch_type_of(api_header(r, "Content-Type"), &type);
  if (patch && type == API_PATCH_APPLY) {
    api_handle_apply(r, rt, "status", body, out);
    json_decref(body);
    return;
  }
  api_modify_opts o = {.mutate = put ? take_status : patch_status,
                       .body = body,
                       .arg = &type,
                       .status_only = true,
                       .check_fields = true,
                       .track = true,
                       .sub = "status"};
  const char *rv = tug_obj_resource_version(body);
  if (put && rv && rv[0] && api_parse_rv(rv, &o.precondition_rv, out) < 0) {
    json_decref(body);
    return;
  }
  api_modify(r, rt, &o, out);
  json_decref(body);
}

/* ---- scale ---- */

/* Where a kind keeps what its Scale shows: spec.replicas and status.replicas
 * and a matchLabels selector, or a custom kind's paths (crd.h). k may be
 * NULL: a built-in workload's. */
static const char *spec_replicas(const api_kind *k) {
  return k && k->custom ? k->custom->scale_spec : "spec.replicas";
}

static const char *status_replicas(const api_kind *k) {
  return k && k->custom ? k->custom->scale_status : "status.replicas";
}

/* The selector as text: matchLabels "a=b,c=d", or a custom kind's string. */
static void scale_selector(const api_kind *k, const json_t *obj, char *sel, size_t size) {
  sel[0] = '\0';
  if (k && k->custom) {
    const char *s =
        k->custom->scale_selector ? tug_obj_get_str(obj, k->custom->scale_selector) : NULL;
    snprintf(sel, size, "%s", s ? s : "");
    return;
  }
  /* A LabelSelector's matchLabels, or an equality map (a ReplicationController's). */
  json_t *selector = tug_obj_get(obj, "spec.selector.matchLabels");
  if (selector == NULL &&
      json_is_string(json_object_iter_value(json_object_iter(tug_obj_get(obj, "spec.selector")))))
    selector = tug_obj_get(obj, "spec.selector");
  size_t o = 0;
  const char *key;
  json_t *v;
  json_object_foreach(selector, key, v) {
    int w = snprintf(sel + o, size - o, "%s%s=%s", o ? "," : "", key,
                     json_string_value(v) ? json_string_value(v) : "");
    if (w < 0 || (size_t)w >= size - o)
      break;
    o += w;
  }
}

json_t *api_scale_of(const api_kind *k, json_t *obj) {
  json_t *meta = json_pack(
      "{s:O*, s:O*, s:O*, s:O*, s:O*}", "name", tug_obj_get(obj, "metadata.name"), "namespace",
      tug_obj_get(obj, "metadata.namespace"), "uid", tug_obj_get(obj, "metadata.uid"),
      "resourceVersion", tug_obj_get(obj, "metadata.resourceVersion"), "creationTimestamp",
      tug_obj_get(obj, "metadata.creationTimestamp"));
  char sel[1024];
  scale_selector(k, obj, sel, sizeof sel);
  return json_pack("{s:s, s:s, s:o, s:{s:I}, s:{s:I, s:s}}", "kind", "Scale", "apiVersion",
                   "autoscaling/v1", "metadata", meta, "spec", "replicas",
                   (json_int_t)tug_obj_get_int(obj, spec_replicas(k), 0), "status", "replicas",
                   (json_int_t)tug_obj_get_int(obj, status_replicas(k), 0), "selector", sel);
}

/* What a write of /scale needs: the patch format and the kind's paths. */
typedef struct scale_arg {
  api_patch_type type;
  const api_kind *kind;
} scale_arg;

static int set_replicas(json_t *cur, json_t *body, void *arg, api_response *out) {
  const scale_arg *a = arg;
  json_t *rep = tug_obj_get(body, "spec.replicas");
  if (!json_is_integer(rep) || json_integer_value(rep) < 0) {
    api_fail(out, 422, "Scale.spec.replicas: Invalid value: must be a non-negative integer");
    return -1;
  }
  tug_obj_set(cur, spec_replicas(a->kind), json_incref(rep), NULL);
  return 0;
}

/* A PATCH of /scale patches the Scale the object shows, then takes its replicas. */
static int patch_scale(json_t *cur, json_t *patch, void *arg, api_response *out) {
  const scale_arg *a = arg;
  json_t *scale = api_scale_of(a->kind, cur);
  json_t *p = api_patch_apply(a->type, scale, patch, out);
  json_decref(scale);
  if (p == NULL)
    return -1;
  int rc = set_replicas(cur, p, arg, out);
  json_decref(p);
  return rc;
}

static void handle_scale(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "GET") == 0) {
    json_t *obj;
    tug_error err = {0};
    if (api_storage_get(r->server, rt->kind, rt->ns, rt->name, &obj, NULL, &err) < 0) {
      api_fail_error(out, rt->kind, rt->name, &err);
      return;
    }
    out->code = 200;
    out->body = api_scale_of(rt->kind, obj);
    json_decref(obj);
    return;
  }
  json_t *body = api_read_body(r, out);
  if (body == NULL)
    return;
  bool patch = strcmp(r->method, "PATCH") == 0;
  scale_arg arg = {API_PATCH_MERGE, rt->kind};
  api_patch_type_of(api_header(r, "Content-Type"), &arg.type);
  if (patch && arg.type == API_PATCH_APPLY) {
    api_handle_apply(r, rt, "scale", body, out);
    json_decref(body);
    return;
  }
  api_modify_opts o = {.mutate = patch ? patch_scale : set_replicas,
                       .body = body,
                       .arg = &arg,
                       .keep_status = true,
                       .answer = api_scale_of,
                       .track = true,
                       .sub = "scale"};
  const char *rv = tug_obj_resource_version(body);
  if (strcmp(r->method, "PUT") == 0 && rv && rv[0] &&
      api_parse_rv(rv, &o.precondition_rv, out) < 0) {
    json_decref(body);
    return;
  }
  api_modify(r, rt, &o, out);
  json_decref(body);
}

/* ---- binding ---- */

static int bind_pod(json_t *cur, json_t *binding, void *arg, api_response *out) {
  (void)arg;
  const char *node = tug_obj_get_str(binding, "target.name");
  const char *current = tug_obj_get_str(cur, "spec.nodeName");
  if (node == NULL || node[0] == '\0') {
    api_fail(out, 422, "Binding.target.name: Required value");
    return -1;
  }
  if (tug_obj_deletion_timestamp(cur)) {
    api_fail(out, 409, "pod %s is being deleted, cannot be assigned to a host", tug_obj_name(cur));
    return -1;
  }
  if (current && current[0]) {
    json_decref(out->body);
    out->code = 409;
    out->body = api_status(409, "Conflict", NULL, "pod %s is already assigned to node \"%s\"",
                           tug_obj_name(cur), current);
    return -1;
  }
  tug_obj_set_str(cur, "spec.nodeName", node, NULL);
  json_t *conds = tug_obj_get(cur, "status.conditions");
  if (!json_is_array(conds)) {
    conds = json_array();
    tug_obj_set(cur, "status.conditions", conds, NULL);
  }
  char now[32];
  json_array_append_new(conds, json_pack("{s:s, s:s, s:s}", "type", "PodScheduled", "status",
                                         "True", "lastTransitionTime", api_now(now, sizeof now)));
  return 0;
}

static json_t *binding_success(const api_kind *k, json_t *obj) {
  return api_status_success(k, tug_obj_name(obj));
}

static void handle_binding(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "POST") != 0) {
    api_fail(out, 405, "method %s not allowed on binding", r->method);
    return;
  }
  json_t *body = api_read_body(r, out);
  if (body == NULL)
    return;
  const char *name = tug_obj_name(body);
  if (name && strcmp(name, rt->name) != 0) {
    api_fail(out, 400, "the name of the binding (%s) does not match the pod (%s)", name, rt->name);
    json_decref(body);
    return;
  }
  api_modify_opts o = {.mutate = bind_pod, .body = body, .answer = binding_success};
  api_modify(r, rt, &o, out);
  if (out->code == 200)
    out->code = 201;
  json_decref(body);
}

/* ---- namespace finalize: the namespace controller's last step ---- */

static int take_finalizers(json_t *cur, json_t *body, void *arg, api_response *out) {
  (void)arg, (void)out;
  json_t *f = tug_obj_get(body, "spec.finalizers");
  tug_obj_set(cur, "spec.finalizers", f ? json_incref(f) : json_array(), NULL);
  return 0;
}

static void handle_finalize(api_request *r, const api_route *rt, api_response *out) {
  json_t *body = api_read_body(r, out);
  if (body == NULL)
    return;
  api_modify_opts o = {.mutate = take_finalizers, .body = body, .keep_status = true};
  api_modify(r, rt, &o, out);
  json_decref(body);
}

void api_handle_subresource(api_request *r, const api_route *rt, api_response *out) {
  unsigned subs = rt->kind->subresources;
  if (strcmp(rt->sub, "status") == 0 && (subs & API_SUB_STATUS))
    handle_status(r, rt, out);
  else if (strcmp(rt->sub, "scale") == 0 && (subs & API_SUB_SCALE))
    handle_scale(r, rt, out);
  else if (strcmp(rt->sub, "binding") == 0 && (subs & API_SUB_BINDING))
    handle_binding(r, rt, out);
  else if (strcmp(rt->sub, "log") == 0 && (subs & API_SUB_LOG))
    api_handle_log(r, rt, out);
  else if ((strcmp(rt->sub, "exec") == 0 && (subs & API_SUB_EXEC)) ||
           (strcmp(rt->sub, "attach") == 0 && (subs & API_SUB_ATTACH)) ||
           (strcmp(rt->sub, "portforward") == 0 && (subs & API_SUB_PORTFORWARD)))
    api_handle_stream(r, rt, out);
  else if (strcmp(rt->sub, "token") == 0 && (subs & API_SUB_TOKEN))
    api_handle_token(r, rt, out);
  else if (strcmp(rt->sub, "eviction") == 0 && (subs & API_SUB_EVICTION))
    api_handle_eviction(r, rt, out);
  else if (strcmp(rt->sub, "pendingworkloads") == 0 && (subs & API_SUB_PENDING))
    api_handle_queue_pending(r, rt, out);
  else if (strcmp(rt->sub, "finalize") == 0 && (subs & API_SUB_FINALIZE) &&
           strcmp(r->method, "PUT") == 0)
    handle_finalize(r, rt, out);
  else
    api_fail(out, 404, "the server could not find the requested resource (%s/%s)", rt->kind->plural,
             rt->sub);
}
