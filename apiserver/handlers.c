/*
 * handlers.c — GET, LIST, WATCH, POST, PUT, PATCH and DELETE on objects.
 *
 * Writes share one path: read the body, check it names the right kind,
 * namespace and name, default, validate, admit, then one etcd transaction.
 * Read-modify-write verbs (PATCH, subresources, graceful DELETE) go through
 * api_modify, which retries on conflict the way Kubernetes' GuaranteedUpdate
 * does, unless the client pinned a resourceVersion.
 */
#include "handlers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admission.h"
#include "cleanup.h"
#include "crd.h"
#include "fieldmanager.h"
#include "fieldvalidation.h"
#include "ignored.h"
#include "manifest.h"
#include "modify.h"
#include "object.h"
#include "patch.h"
#include "protobuf.h"
#include "status.h"
#include "storage.h"
#include "svcalloc.h"
#include "table.h"
#include "validation.h"
#include "watchcache.h"

/* GENERATE_NAME_ATTEMPTS: tries in all of a create whose generated name is
 * taken, each with a new suffix, as in Kubernetes (five random characters
 * collide about once in 5,000 creates of one prefix). */
enum {
  BODY_MAX_DEPTH = 100,
  BODY_MAX_NODES = 500000,
  CREATE_RETRIES = 10,
  GENERATE_NAME_ATTEMPTS = 8
};

bool api_wants_table(const api_request *r) {
  const char *accept = api_header(r, "Accept");
  return accept && strstr(accept, "as=Table") && strstr(accept, "g=meta.k8s.io");
}

bool api_dry_run(const api_request *r) {
  const char *d = api_query(r, "dryRun");
  return d && strcmp(d, "All") == 0;
}

int api_check_dry_run(const api_request *r, api_response *out) {
  const char *d = api_query(r, "dryRun");
  if (d == NULL || strcmp(d, "All") == 0)
    return 0;
  api_fail(out, 422, "dryRun: Unsupported value: \"%s\": supported values: \"All\"", d);
  return -1;
}

static bool content_type_is(const char *ct, const char *want) {
  size_t n = strlen(want);
  return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Typed clients (kubectl create, drain, Go controllers) post built-in kinds this way. */
static json_t *read_protobuf_body(api_request *r, api_response *out) {
  char why[256];
  api_protobuf_error error;
  json_t *obj = api_protobuf_decode(r->body, r->body_len, &error, why, sizeof why);
  if (obj == NULL)
    api_fail(out, error == API_PROTOBUF_UNSUPPORTED ? 415 : 400, "%s", why);
  return obj;
}

/* An apply configuration: YAML (or JSON, which is YAML), one object with
 * apiVersion and kind, read by the manifest decoder `tug apply` uses. */
static json_t *read_apply_body(api_request *r, api_response *out) {
  tug_error err = {0};
  json_t *docs = NULL;
  if (tug_manifest_decode_buffer(r->body, r->body_len, "apply configuration", &docs, NULL, &err) <
      0) {
    api_fail(out, 400, "error decoding YAML: %s", err.msg);
    return NULL;
  }
  json_t *obj = json_array_size(docs) == 1 ? json_incref(json_array_get(docs, 0)) : NULL;
  json_decref(docs);
  if (obj == NULL)
    api_fail(out, 400, "an apply configuration must be exactly one object");
  else if (tug_obj_check_limits(obj, BODY_MAX_DEPTH, BODY_MAX_NODES, &err) < 0) {
    api_fail(out, 400, "the request body is too complex: %s", err.msg);
    json_decref(obj);
    obj = NULL;
  }
  return obj;
}

static int check_object(const json_t *body, api_response *out) {
  if (json_is_object(body))
    return 0;
  api_fail(out, 400, "the request body must be a JSON object, not %s", tug_obj_type_name(body));
  return -1;
}

json_t *api_read_body(api_request *r, api_response *out) {
  const char *ct = api_header(r, "Content-Type");
  bool patch = strcmp(r->method, "PATCH") == 0;
  api_patch_type pt = API_PATCH_MERGE;
  bool protobuf = !patch && content_type_is(ct, API_PROTOBUF_TYPE);
  bool ok_type = patch ? api_patch_type_of(ct, &pt)
                       : ct == NULL || content_type_is(ct, "application/json") || protobuf;
  if (!ok_type) {
    api_fail(out, 415,
             "the body of the request was in an unknown format - accepted media types "
             "include: %s",
             patch ? api_patch_media_types : "application/json, " API_PROTOBUF_TYPE);
    return NULL;
  }
  if (r->body == NULL || r->body_len == 0) {
    api_fail(out, 400, "the request body is empty");
    return NULL;
  }
  if (protobuf)
    return read_protobuf_body(r, out);
  if (patch && pt == API_PATCH_APPLY)
    return read_apply_body(r, out);
  api_fv_mode mode = API_FV_IGNORE;
  if (strcmp(r->method, "DELETE") != 0 && api_fv_mode_of(r, &mode, out) < 0)
    return NULL;
  json_error_t jerr;
  json_t *obj = api_fv_loadb(r, mode, &jerr);
  if (obj == NULL) {
    api_fail(out, 400, "the request body is not valid JSON: line %d, column %d: %s", jerr.line,
             jerr.column, jerr.text);
    return NULL;
  }
  tug_error err = {0};
  int shaped = patch ? api_patch_check_body(pt, obj, out) : check_object(obj, out);
  if (shaped == 0 && tug_obj_check_limits(obj, BODY_MAX_DEPTH, BODY_MAX_NODES, &err) < 0)
    api_fail(out, 400, "the request body is too complex: %s", err.msg);
  else if (shaped == 0)
    return obj;
  json_decref(obj);
  return NULL;
}

int api_check_identity(const api_route *rt, json_t *obj, api_response *out) {
  char want[128];
  api_kind_api_version(rt->kind, want, sizeof want);
  const char *av = tug_obj_api_version(obj), *kind = tug_obj_kind(obj);
  if (kind == NULL || av == NULL) {
    json_object_set_new(obj, "apiVersion", json_string(want));
    json_object_set_new(obj, "kind", json_string(rt->kind->kind));
  } else if (strcmp(av, want) != 0 || strcmp(kind, rt->kind->kind) != 0) {
    api_fail(out, 400,
             "the API version and kind in the data (%s, %s) do not match the expected "
             "ones (%s, %s)",
             av, kind, want, rt->kind->kind);
    return -1;
  }
  if (!json_is_object(json_object_get(obj, "metadata")))
    json_object_set_new(obj, "metadata", json_object());
  const char *ns = tug_obj_namespace(obj);
  if (!rt->kind->namespaced) {
    tug_obj_del(obj, "metadata.namespace");
  } else if (ns && ns[0] && strcmp(ns, rt->ns) != 0) {
    api_fail(out, 400,
             "the namespace of the provided object (%s) does not match the namespace "
             "sent on the request (%s)",
             ns, rt->ns);
    return -1;
  } else {
    tug_obj_set_namespace(obj, rt->ns, NULL);
  }
  const char *name = tug_obj_name(obj);
  if (rt->name && name && strcmp(name, rt->name) != 0) {
    api_fail(out, 400, "the name of the object (%s) does not match the name on the URL (%s)", name,
             rt->name);
    return -1;
  }
  if (rt->name && name == NULL)
    tug_obj_set_name(obj, rt->name, NULL);
  return 0;
}

/* Defaults and validation; 422 with field causes when invalid. A custom
 * kind's come from its schema. */
int api_validate(const api_kind *k, json_t *obj, const json_t *old, api_response *out) {
  if (k->defaults)
    k->defaults(obj);
  json_t *causes = json_array();
  api_validate_metadata(obj, k->kind, k->namespaced, causes);
  if (k->validate)
    k->validate(obj, old, causes);
  if (k->custom)
    api_custom_validate(k, obj, causes);
  if (json_array_size(causes) == 0) {
    json_decref(causes);
    return 0;
  }
  return api_invalid(k, obj, causes, out);
}

int api_invalid(const api_kind *k, const json_t *obj, json_t *causes, api_response *out) {
  char msg[1536];
  size_t o = 0;
  size_t i;
  json_t *c;
  json_array_foreach(causes, i, c) {
    int w = snprintf(msg + o, sizeof msg - o, "%s%s: %s", i ? ", " : "",
                     json_string_value(json_object_get(c, "field")),
                     json_string_value(json_object_get(c, "message")));
    if (w < 0 || (size_t)w >= sizeof msg - o)
      break;
    o += w;
  }
  const char *name = tug_obj_name(obj);
  json_t *details = api_status_details(k, name);
  json_object_set_new(details, "kind", json_string(k->kind));
  json_object_set_new(details, "causes", causes);
  json_decref(out->body);
  out->code = 422;
  out->body = api_status(422, "Invalid", details, "%s \"%s\" is invalid: %s%s%s", k->kind,
                         name ? name : "", json_array_size(causes) > 1 ? "[" : "", msg,
                         json_array_size(causes) > 1 ? "]" : "");
  return -1;
}

/* ---- GET ---- */

static void answer_object(api_request *r, const api_kind *k, json_t *obj, int code,
                          api_response *out) {
  out->code = code;
  if (api_wants_table(r)) {
    out->body = api_table_build(k, &obj, 1, true, tug_obj_resource_version(obj), NULL);
    json_decref(obj);
  } else {
    out->body = obj;
  }
}

/* Bring the kind's cache up to date for a read at resourceVersion rv (NULL:
 * consistent with etcd now, "0": as the cache is). False when it cannot. */
static bool cache_ready_for(api_request *r, api_watchcache *c, const char *rv) {
  int64_t want = 0;
  tug_error err = {0};
  if (rv && strcmp(rv, "0") == 0)
    return true;
  if (rv && (want = strtoll(rv, NULL, 10)) <= 0)
    return false;
  if (rv == NULL && api_revision_current(&r->server->revision, r->server->etcd, &want, &err) < 0)
    return false;
  return api_watchcache_sync_to(c, want, 1000, &err) == 0;
}

/* A cached object in protobuf, from the message the cache keeps for it. */
static bool answer_cached_protobuf(api_cached *o, api_response *out) {
  api_protobuf_raw raw;
  if (!api_cached_protobuf(o, &raw))
    return false;
  out->code = 200;
  out->text = (char *)api_protobuf_wrap(tug_obj_api_version(o->obj), tug_obj_kind(o->obj), raw,
                                        &out->text_len);
  out->content_type = API_PROTOBUF_TYPE;
  return true;
}

void api_handle_get(api_request *r, const api_route *rt, api_response *out) {
  api_watchcache *c = api_kind_cache(r->server, rt->kind);
  if (cache_ready_for(r, c, api_query(r, "resourceVersion"))) {
    char key[512];
    api_cached *o = api_watchcache_get(c, api_key(rt->kind, rt->ns, rt->name, key, sizeof key));
    if (o == NULL) {
      json_decref(out->body);
      out->code = 404;
      out->body = api_status(404, "NotFound", api_status_details(rt->kind, rt->name),
                             "%s \"%s\" not found", rt->kind->plural, rt->name);
    } else if (api_wants_table(r)) {
      answer_object(r, rt->kind, json_incref(o->obj), 200, out);
    } else if (!api_protobuf_accepted(api_header(r, "Accept")) || !answer_cached_protobuf(o, out)) {
      out->code = 200;
      out->text = strdup(o->json);
      out->content_type = "application/json";
    }
    api_cached_unref(o);
    return;
  }
  json_t *obj;
  tug_error err = {0};
  if (api_storage_get(r->server, rt->kind, rt->ns, rt->name, &obj, NULL, &err) < 0) {
    api_fail_error(out, rt->kind, rt->name, &err);
    return;
  }
  answer_object(r, rt->kind, obj, 200, out);
}

/* ---- POST ---- */

static void prepare_create(const api_kind *k, json_t *obj) {
  char now[32], uid[40];
  tug_obj_set_uid(obj, api_new_uid(uid, sizeof uid), NULL);
  tug_obj_set_str(obj, "metadata.creationTimestamp", api_now(now, sizeof now), NULL);
  tug_obj_del(obj, "metadata.resourceVersion");
  tug_obj_del(obj, "metadata.deletionTimestamp");
  tug_obj_del(obj, "metadata.deletionGracePeriodSeconds");
  if (json_object_get(obj, "spec"))
    tug_obj_set(obj, "metadata.generation", json_integer(1), NULL);
  const api_strategy *st = k->strategy;
  if (st->prepare_create)
    st->prepare_create(obj);
  else if ((k->subresources & API_SUB_STATUS) && !st->keep_status_on_create)
    json_object_del(obj, "status");
}

/* Name obj from its generateName when it has no name; true when it did. */
static bool fill_generated_name(json_t *obj) {
  const char *gen = tug_obj_generate_name(obj);
  if (tug_obj_name(obj) || gen == NULL)
    return false;
  char suffix[6], name[320];
  api_random_suffix(suffix);
  /* Kubernetes keeps 58 characters of the prefix, so that the name fits a label. */
  snprintf(name, sizeof name, "%.58s%s", gen, suffix);
  tug_obj_set_name(obj, name, NULL);
  return true;
}

static void already_exists(const api_kind *k, const json_t *obj, api_response *out) {
  json_decref(out->body);
  out->code = 409;
  out->body = api_status(409, "AlreadyExists", api_status_details(k, tug_obj_name(obj)),
                         "%s \"%s\" already exists", k->plural, tug_obj_name(obj));
}

/* EAGAIN means a compare of admission failed: a quota changed, or a Service's
 * picked address or port was taken meanwhile; both are worth another try. */
static int store_new(api_request *r, const api_kind *k, json_t *obj, api_response *out) {
  api_server *s = r->server;
  tug_error err = {0};
  for (int attempt = 0; attempt < CREATE_RETRIES; attempt++) {
    api_txn txn = {0};
    api_svc_claim claim = {0};
    if ((k->namespaced && api_quota_charge(s, k, obj, &txn, out) < 0) ||
        api_svcalloc_claim(s->svcalloc, k, obj, NULL, &txn, &claim, out) < 0) {
      api_svcalloc_done(s->svcalloc, &claim, false);
      api_txn_clear(&txn);
      return -1;
    }
    if (k->strategy->create_with)
      k->strategy->create_with(s, obj, &txn);
    int rc = api_storage_create(s, k, obj, &txn, &err);
    api_txn_clear(&txn);
    if (rc < 0 && err.code == EAGAIN && api_svcalloc_lost(s->svcalloc, &claim, obj, out) < 0) {
      api_svcalloc_done(s->svcalloc, &claim, false);
      return -1;
    }
    api_svcalloc_done(s->svcalloc, &claim, rc == 0);
    if (rc == 0)
      return 0;
    if (err.code != EAGAIN)
      break;
  }
  if (err.code == TUG_E_CONFLICT) {
    already_exists(k, obj, out);
    return -1;
  }
  api_fail_error(out, k, tug_obj_name(obj), &err);
  return -1;
}

/* dryRun=All: the checks of store_new (the name is free, quota admits it)
 * without the write. As in Kubernetes, the answer carries the uid and
 * creationTimestamp the object would have had, and no resourceVersion. */
static int dry_run_create(api_request *r, const api_kind *k, json_t *obj, api_response *out) {
  api_server *s = r->server;
  tug_error err = {0};
  json_t *existing = NULL;
  if (api_storage_get(s, k, tug_obj_namespace(obj), tug_obj_name(obj), &existing, NULL, &err) ==
      0) {
    json_decref(existing);
    already_exists(k, obj, out);
    return -1;
  }
  if (err.code != ENOENT) {
    api_fail_error(out, k, tug_obj_name(obj), &err);
    return -1;
  }
  api_txn txn = {0};
  int rc = k->namespaced ? api_quota_charge(s, k, obj, &txn, out) : 0;
  api_txn_clear(&txn);
  if (rc < 0)
    return -1;
  return api_svcalloc_preview(s->svcalloc, k, obj, NULL, out);
}

/* A kind that is asked, not stored: its spec is validated (it has no name)
 * and the strategy answers. */
static void review(api_request *r, const api_kind *k, json_t *obj, api_response *out) {
  json_t *causes = json_array();
  k->validate(obj, NULL, causes);
  if (json_array_size(causes) > 0) {
    api_invalid(k, obj, causes, out);
    return;
  }
  json_decref(causes);
  k->strategy->review(r, obj, out);
}

static bool is_already_exists(const api_response *out) {
  const char *reason = json_string_value(json_object_get(out->body, "reason"));
  return out->code == 409 && reason && strcmp(reason, "AlreadyExists") == 0;
}

/* Store obj (or check that it could be, for dryRun=All). A generated name
 * that is taken is drawn again rather than answered with 409; admission and
 * validation do not depend on the suffix, so only the write is retried. */
static int store_created(api_request *r, const api_kind *k, json_t *obj, bool generated,
                         api_response *out) {
  bool dry = api_dry_run(r);
  for (int attempt = 1;; attempt++) {
    int rc = dry ? dry_run_create(r, k, obj, out) : store_new(r, k, obj, out);
    if (rc == 0 || !generated || attempt == GENERATE_NAME_ATTEMPTS || !is_already_exists(out))
      return rc;
    json_decref(out->body);
    out->body = NULL;
    out->code = 200;
    tug_obj_del(obj, "metadata.name");
    fill_generated_name(obj);
  }
}

void api_create(api_request *r, const api_route *rt, json_t *obj, bool track, api_response *out) {
  const api_kind *k = rt->kind;
  bool generated = fill_generated_name(obj);
  if (k->strategy->review) {
    review(r, k, obj, out);
    json_decref(obj);
    return;
  }
  tug_error err = {0};
  /* Before the defaults: a warning is for what the client wrote. */
  api_warn_ignored(k, obj, NULL, out);
  if (api_admit_create(r->server, k, obj, out) < 0 || api_validate(k, obj, NULL, out) < 0 ||
      api_admit_request(r, k, obj, NULL, out) < 0 ||
      api_admit_pod_security(r->server, k, obj, NULL, out) < 0) {
    json_decref(obj);
    return;
  }
  prepare_create(k, obj);
  if ((track && api_fm_track(r, k, NULL, NULL, obj, out) < 0) ||
      (k->strategy->init_status && k->strategy->init_status(r->server, obj, &err) < 0)) {
    if (err.code)
      api_fail_error(out, k, tug_obj_name(obj), &err);
    json_decref(obj);
    return;
  }
  if (store_created(r, k, obj, generated, out) < 0) {
    json_decref(obj);
    return;
  }
  answer_object(r, k, obj, 201, out);
}

/* The body of a create or replace: an object of the route's kind, its
 * unknown fields pruned; NULL with out filled. */
static json_t *read_object(api_request *r, const api_route *rt, api_response *out) {
  json_t *obj = api_read_body(r, out);
  if (obj &&
      (api_check_identity(rt, obj, out) < 0 || api_fv_check_kind(r, rt->kind, obj, out) < 0)) {
    json_decref(obj);
    return NULL;
  }
  return obj;
}

void api_handle_create(api_request *r, const api_route *rt, api_response *out) {
  json_t *obj = read_object(r, rt, out);
  if (obj)
    api_create(r, rt, obj, true, out);
}

/* ---- PUT and PATCH ---- */

/* What a PUT body replaces the stored object with: everything but the
 * fields the server owns, and status when the kind has a status subresource. */
static int replace_mutation(json_t *cur, json_t *body, void *arg, api_response *out) {
  (void)arg, (void)out;
  json_t *meta = json_object_get(body, "metadata");
  static const char *const kept[] = {
      "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
      NULL};
  for (int i = 0; kept[i]; i++) {
    json_t *v = json_object_get(json_object_get(cur, "metadata"), kept[i]);
    if (v)
      json_object_set(meta, kept[i], v);
    else
      json_object_del(meta, kept[i]);
  }
  json_object_clear(cur);
  json_object_update(cur, body);
  return 0;
}

void api_handle_update(api_request *r, const api_route *rt, api_response *out) {
  json_t *body = read_object(r, rt, out);
  if (body == NULL)
    return;
  api_modify_opts o = {
      .mutate = replace_mutation, .body = body, .keep_status = true, .track = true};
  const char *rv = tug_obj_resource_version(body);
  if (rv && rv[0] && api_parse_rv(rv, &o.precondition_rv, out) < 0) {
    json_decref(body);
    return;
  }
  const char *uid = tug_obj_uid(body);
  o.precondition_uid = uid;
  api_modify(r, rt, &o, out);
  json_decref(body);
}

static int patch_mutation(json_t *cur, json_t *patch, void *arg, api_response *out) {
  const api_patch_type *type = arg;
  json_t *patched = api_patch_apply(*type, cur, patch, out);
  if (patched == NULL)
    return -1;
  json_object_clear(cur);
  json_object_update(cur, patched);
  json_decref(patched);
  return 0;
}

int api_check_patch_type(const api_kind *k, const char *content_type, api_response *out) {
  api_patch_type type = API_PATCH_MERGE;
  if (!k->custom || !api_patch_type_of(content_type, &type) || type != API_PATCH_STRATEGIC)
    return 0;
  /* Kubernetes: custom objects have no merge keys, so no strategic merge. */
  api_fail(out, 415,
           "the body of the request was in an unknown format - accepted media types include: "
           "application/json-patch+json, application/merge-patch+json, "
           "application/apply-patch+yaml");
  return -1;
}

void api_handle_patch(api_request *r, const api_route *rt, api_response *out) {
  if (api_check_patch_type(rt->kind, api_header(r, "Content-Type"), out) < 0)
    return;
  json_t *patch = api_read_body(r, out);
  if (patch == NULL)
    return;
  api_patch_type type = API_PATCH_MERGE;
  api_patch_type_of(api_header(r, "Content-Type"), &type);
  if (type == API_PATCH_APPLY) {
    api_handle_apply(r, rt, NULL, patch, out);
    json_decref(patch);
    return;
  }
  api_modify_opts o = {.mutate = patch_mutation,
                       .body = patch,
                       .arg = &type,
                       .keep_status = true,
                       .check_fields = true,
                       .track = true};
  const char *rv = tug_obj_resource_version(patch);
  if (rv && rv[0] && api_parse_rv(rv, &o.precondition_rv, out) < 0) {
    json_decref(patch);
    return;
  }
  api_modify(r, rt, &o, out);
  json_decref(patch);
}
