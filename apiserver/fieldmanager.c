/* fieldmanager.c — managers, tracked fields and the schema's list semantics (see fieldmanager.h).
 */
#include "fieldmanager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fieldset.h"
#include "fieldvalidation.h"
#include "object.h"
#include "schema.h"
#include "status.h"
#include "storage.h"

/* Kubernetes' limit on fieldManager. */
enum { MANAGER_MAX = 128 };

/* The only list-map key of a built-in kind that has a default: ports'
 * protocol. An applied port that omits it names the port the live object,
 * defaulted, holds. */
static const char *const PROTOCOL_SECOND[] = {NULL, "\"TCP\"", NULL};

static const char *const *key_defaults(const char *const *keys) {
  return keys && keys[0] && keys[1] && strcmp(keys[1], "protocol") == 0 ? PROTOCOL_SECOND : NULL;
}

static void list_type(const api_field *f, tug_ssa_type *t) {
  t->shape = TUG_SSA_LIST;
  if (f->list_type == API_LIST_MAP && f->list_keys) {
    t->keys = f->list_keys;
    t->key_defaults = key_defaults(f->list_keys);
  } else if (f->list_type != API_LIST_SET) {
    t->atomic = true;
  }
}

static bool field_of(const void *ctx, const void *elem, const char *name, tug_ssa_type *out) {
  (void)ctx;
  const api_field *f = elem ? api_schema_field(elem, name) : NULL;
  if (f == NULL)
    return false;
  const api_message *m = f->type == API_SCHEMA_MESSAGE ? f->message : NULL;
  /* Go writes a field without omitempty (and any non-pointer struct) even
   * when empty, so an empty object of the kind already has it: never added. */
  bool always = !(f->flags & API_FIELD_POINTER) && !(f->flags & API_FIELD_OMITEMPTY);
  *out = (tug_ssa_type){.elem = m, .implicit = always};
  if (f->shape == API_SCHEMA_LIST) {
    list_type(f, out);
  } else if (f->shape == API_SCHEMA_MAP) {
    out->shape = TUG_SSA_MAP;
    out->atomic = (f->flags & API_FIELD_ATOMIC) != 0;
  } else if (m) {
    out->shape = TUG_SSA_STRUCT;
    out->atomic = (f->flags & API_FIELD_ATOMIC) || m->atomic;
    out->implicit = !(f->flags & API_FIELD_POINTER);
  } else {
    out->shape = TUG_SSA_SCALAR;
  }
  return true;
}

tug_ssa_schema api_fm_schema(const api_kind *k) {
  return (tug_ssa_schema){.field = field_of, .root = api_fv_message(k)};
}

/* A set of one path given as field names, "status" or "spec.replicas". */
static json_t *subtree(const char *path) {
  json_t *set = json_object(), *node = set;
  char buf[128];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *save = NULL, *step = strtok_r(buf, ".", &save); step;
       step = strtok_r(NULL, ".", &save)) {
    char pe[130];
    snprintf(pe, sizeof pe, "f:%s", step);
    node = tug_fieldset_child(node, pe);
  }
  tug_fieldset_mark(node);
  return set;
}

static int manager_of(api_fm *fm, api_request *r, bool apply, api_response *out) {
  const char *given = api_query(r, "fieldManager");
  if (given && strlen(given) > MANAGER_MAX)
    return api_options_invalid(r, out, "fieldManager", "FieldValueTooLong", "Too long",
                               "Too long: may not be more than 128 bytes");
  for (const char *p = given; p && *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return api_options_invalid(r, out, "fieldManager", "FieldValueInvalid", "Invalid value",
                                 "Invalid value: must only contain printable characters");
  if (apply && (given == NULL || given[0] == '\0'))
    return api_options_invalid(r, out, "fieldManager", "FieldValueRequired", "Required value",
                               "Required value: is required for apply patch");
  const char *ua = api_header(r, "User-Agent");
  if (given && given[0])
    snprintf(fm->manager, sizeof fm->manager, "%s", given);
  else
    snprintf(fm->manager, sizeof fm->manager, "%.*s", (int)strcspn(ua ? ua : "", "/"),
             ua ? ua : "");
  fm->manager[MANAGER_MAX] = '\0';
  return 0;
}

int api_fm_init(api_fm *fm, api_request *r, const api_kind *k, const char *sub, bool apply,
                api_response *out) {
  *fm = (api_fm){0};
  if (!apply && strcmp(r->method, "PATCH") == 0 && api_query(r, "force"))
    return api_options_invalid(r, out, "force", "FieldValueForbidden", "Forbidden",
                               "Forbidden: may not be specified for non-apply patch");
  if (manager_of(fm, r, apply, out) < 0)
    return -1;
  api_kind_api_version(k, fm->api_version, sizeof fm->api_version);
  api_now(fm->now, sizeof fm->now);
  fm->op = (tug_mf_op){.manager = fm->manager,
                       .api_version = fm->api_version,
                       .subresource = sub,
                       .now = fm->now,
                       .force = apply && api_query_bool(r, "force")};
  if (sub && strcmp(sub, "status") == 0)
    fm->op.only = subtree("status");
  else if (sub && strcmp(sub, "scale") == 0)
    fm->op.only = subtree("spec.replicas");
  else if (k->subresources & API_SUB_STATUS)
    fm->op.ignored = subtree("status");
  fm->schema = api_fm_schema(k);
  return 0;
}

void api_fm_clear(api_fm *fm) {
  json_decref((json_t *)fm->op.only);
  json_decref((json_t *)fm->op.ignored);
}

int api_fm_track(api_request *r, const api_kind *k, const char *sub, const json_t *old, json_t *obj,
                 api_response *out) {
  api_fm fm;
  tug_error err = {0};
  if (api_fm_init(&fm, r, k, sub, false, out) < 0)
    return -1;
  int rc = tug_mf_update(old, obj, &fm.op, &fm.schema, &err);
  api_fm_clear(&fm);
  if (rc < 0)
    api_fail(out, err.code == ENOMEM ? 500 : 422, "managedFields: %s", err.msg);
  return rc;
}

void api_fm_conflict(const json_t *conflicts, api_response *out) {
  json_t *causes = json_array();
  size_t i;
  json_t *c;
  json_array_foreach(conflicts, i, c) {
    char msg[600];
    snprintf(msg, sizeof msg, "conflict with %s", json_string_value(json_object_get(c, "manager")));
    json_array_append_new(causes, json_pack("{s:s, s:s, s:O}", "reason", "FieldManagerConflict",
                                            "message", msg, "field", json_object_get(c, "field")));
  }
  _cleanup_free_ char *msg = tug_mf_conflict_message(conflicts);
  json_decref(out->body);
  out->code = 409;
  out->body = api_status(409, "Conflict", json_pack("{s:o}", "causes", causes), "%s",
                         msg ? msg : "Apply failed");
}
