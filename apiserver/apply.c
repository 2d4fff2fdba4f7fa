/*
 * apply.c — server-side apply: PATCH with application/apply-patch+yaml on an
 * object, its /status or its /scale.
 *
 * The body is the manager's whole intent for the fields it names (an apply
 * configuration), not a change: lib/managedfields.h merges it into the live
 * object by the schema's list semantics, removes what the manager stopped
 * applying, and reports conflicts with other managers (409, unless
 * force=true). An object that does not exist is created from the
 * configuration. The configuration is first put in the shape of the object
 * the route writes: without status on the object of a kind that has a
 * status subresource, only status on /status, and a Scale's spec.replicas as
 * the object's own on /scale (where Kubernetes keeps it too).
 */
#include <errno.h>
#include <string.h>

#include "fieldmanager.h"
#include "fieldvalidation.h"
#include "modify.h"
#include "object.h"
#include "patch.h"
#include "schema.h"

enum { CREATE_OR_UPDATE_TRIES = 3 };

typedef struct apply_arg {
  api_fm fm;
} apply_arg;

static int apply_mutation(json_t *cur, json_t *config, void *arg, api_response *out) {
  apply_arg *a = arg;
  json_t *res, *conflicts;
  tug_error err = {0};
  int rc = tug_mf_apply(cur, config, &a->fm.op, &a->fm.schema, &res, &conflicts, &err);
  if (rc == 1)
    api_fm_conflict(conflicts, out);
  else if (rc < 0)
    api_fail(out, err.code == ENOMEM ? 500 : 422, "%s", err.msg);
  json_decref(conflicts);
  if (rc != 0)
    return -1;
  json_object_clear(cur);
  json_object_update(cur, res);
  json_decref(res);
  return 0;
}

/* A Scale's configuration as the scaled object's own: only spec.replicas. */
static json_t *scale_config(const api_route *rt, json_t *scale, const api_message *m,
                            api_response *out) {
  const char *kind = tug_obj_kind(scale), *av = tug_obj_api_version(scale);
  if (kind == NULL || av == NULL || api_schema_find(av, kind) != m) {
    api_fail(out, 400, "an apply configuration of /scale must be an autoscaling/v1 Scale");
    return NULL;
  }
  char want[128];
  json_t *c = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion",
                        api_kind_api_version(rt->kind, want, sizeof want), "kind", rt->kind->kind,
                        "metadata", "name", rt->name);
  json_t *replicas = tug_obj_get(scale, "spec.replicas");
  if (replicas)
    tug_obj_set(c, "spec.replicas", json_incref(replicas), NULL);
  return c;
}

/* The configuration in the shape of what the route writes; NULL with out. */
static json_t *shaped_config(api_request *r, const api_route *rt, const char *sub, json_t *config,
                             api_response *out) {
  if (sub && strcmp(sub, "scale") == 0) {
    const api_message *m = api_schema_find("autoscaling/v1", "Scale");
    if (api_fv_check_object(r, m, config, out) < 0)
      return NULL;
    return scale_config(rt, config, m, out);
  }
  if (tug_obj_api_version(config) == NULL || tug_obj_kind(config) == NULL) {
    api_fail(out, 400, "an apply configuration must set apiVersion and kind");
    return NULL;
  }
  /* Ownership is the server's record, never part of an intent. */
  if (tug_obj_get(config, "metadata.managedFields")) {
    api_fail(out, 400, "metadata.managedFields must be nil");
    return NULL;
  }
  json_t *c = json_deep_copy(config);
  if (api_check_identity(rt, c, out) < 0 ||
      api_fv_check_kind(r, rt->kind, c, out) < 0) {
    json_decref(c);
    return NULL;
  }
  if (sub) {
    json_t *status = json_incref(json_object_get(c, "status"));
    json_object_del(c, "spec");
    json_object_del(c, "status");
    if (status)
      json_object_set_new(c, "status", status);
  } else if (rt->kind->subresources & API_SUB_STATUS) {
    json_object_del(c, "status");
  }
  return c;
}

/* The object is absent: create it from the configuration alone. */
static void create_from(api_request *r, const api_route *rt, apply_arg *a, json_t *config,
                        api_response *out) {
  json_t *obj, *conflicts;
  tug_error err = {0};
  if (tug_mf_apply(NULL, config, &a->fm.op, &a->fm.schema, &obj, &conflicts, &err) != 0) {
    json_decref(conflicts);
    api_fail(out, 422, "%s", err.msg);
    return;
  }
  api_create(r, rt, obj, false, out);
}

static bool is_not_found(const api_response *out) {
  return out->code == 404;
}

static bool already_exists(const api_response *out) {
  const char *reason = json_string_value(json_object_get(out->body, "reason"));
  return out->code == 409 && reason && strcmp(reason, "AlreadyExists") == 0;
}

static void reset(api_response *out) {
  json_decref(out->body);
  out->body = NULL;
  out->code = 0;
}

void api_handle_apply(api_request *r, const api_route *rt, const char *sub, json_t *config,
                      api_response *out) {
  apply_arg a = {0};
  json_t *c = NULL;
  if (api_fm_init(&a.fm, r, rt->kind, sub, true, out) < 0 ||
      (c = shaped_config(r, rt, sub, config, out)) == NULL) {
    api_fm_clear(&a.fm);
    return;
  }
  api_modify_opts o = {.mutate = apply_mutation,
                       .body = c,
                       .arg = &a,
                       .keep_status = sub == NULL,
                       .status_only = sub && strcmp(sub, "status") == 0,
                       .answer = sub && strcmp(sub, "scale") == 0 ? api_scale_of : NULL};
  const char *rv = tug_obj_resource_version(config);
  if (rv && rv[0] && api_parse_rv(rv, &o.precondition_rv, out) < 0)
    goto done;
  /* Create or update, whichever the object's presence asks; a create that
   * loses a race to another one updates instead. */
  for (int i = 0; i < CREATE_OR_UPDATE_TRIES; i++) {
    api_modify(r, rt, &o, out);
    if (!is_not_found(out) || sub || o.precondition_rv)
      break;
    reset(out);
    create_from(r, rt, &a, c, out);
    if (!already_exists(out))
      break;
    reset(out);
  }
done:
  json_decref(c);
  api_fm_clear(&a.fm);
}
