/*
 * delete.c — DELETE of one object or a collection.
 *
 * Deleting is immediate unless something must happen first: a pod running on
 * a node gets a grace period (its agent stops it, then deletes it with grace
 * 0), an object with finalizers waits for them to be removed, and a Namespace
 * turns Terminating until its contents are gone. In those cases the object
 * gets a deletionTimestamp and stays; the last update that leaves it ready
 * (modify.c) removes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "modify.h"
#include "object.h"
#include "status.h"
#include "storage.h"
#include "watchcache.h"

/* A century: the furthest a deletionTimestamp is put in the future. */
#define MAX_GRACE_SECONDS (100LL * 365 * 24 * 3600)

typedef struct delete_opts {
  int64_t grace; /* -1: the object's own */
  const char *propagation;
  const char *precondition_uid;
  int64_t precondition_rv;
  bool dry_run; /* dryRun=All in the query or ["All"] in the DeleteOptions */
} delete_opts;

/* DeleteOptions.dryRun: a list whose only allowed value is "All" (client-go
 * sends it in the body, not the query). */
static int parse_body_dry_run(const json_t *body, delete_opts *d, api_response *out) {
  json_t *list = json_object_get(body, "dryRun");
  size_t i;
  json_t *v;
  if (list == NULL || json_is_null(list))
    return 0;
  if (!json_is_array(list)) {
    api_fail(out, 400, "DeleteOptions.dryRun must be a list of strings");
    return -1;
  }
  json_array_foreach(list, i, v) {
    const char *s = json_string_value(v);
    if (s == NULL || strcmp(s, "All") != 0) {
      api_fail(out, 422, "dryRun: Unsupported value: \"%s\": supported values: \"All\"",
               s ? s : tug_obj_type_name(v));
      return -1;
    }
    d->dry_run = true;
  }
  return 0;
}

/* The members of a DeleteOptions body. */
static int parse_body_opts(const json_t *body, delete_opts *d, api_response *out) {
  json_t *g = json_object_get(body, "gracePeriodSeconds");
  if (json_is_integer(g))
    d->grace = json_integer_value(g);
  d->propagation = tug_obj_get_str(body, "propagationPolicy");
  d->precondition_uid = tug_obj_get_str(body, "preconditions.uid");
  const char *rv = tug_obj_get_str(body, "preconditions.resourceVersion");
  if (rv && api_parse_rv(rv, &d->precondition_rv, out) < 0)
    return -1;
  return parse_body_dry_run(body, d, out);
}

static int check_propagation(delete_opts *d, api_response *out) {
  if (d->grace < -1)
    d->grace = 0;
  if (d->propagation && strcmp(d->propagation, "Foreground") != 0 &&
      strcmp(d->propagation, "Background") != 0 && strcmp(d->propagation, "Orphan") != 0) {
    api_fail(out, 400,
             "propagationPolicy: Unsupported value: \"%s\": supported values: "
             "\"Foreground\", \"Background\", \"Orphan\"",
             d->propagation);
    return -1;
  }
  return 0;
}

static int parse_delete_opts(api_request *r, delete_opts *d, json_t **body, api_response *out) {
  d->grace = -1;
  *body = NULL;
  if (r->body_len > 0) {
    *body = api_read_body(r, out);
    if (*body == NULL || parse_body_opts(*body, d, out) < 0)
      return -1;
  }
  d->dry_run = d->dry_run || api_dry_run(r);
  if (api_query_int(r, "gracePeriodSeconds", d->grace, &d->grace, out) < 0)
    return -1;
  const char *p = api_query(r, "propagationPolicy");
  if (p)
    d->propagation = p;
  return check_propagation(d, out);
}

void api_add_finalizer(json_t *obj, const char *f) {
  json_t *list = tug_obj_get(obj, "metadata.finalizers");
  if (!json_is_array(list)) {
    list = json_array();
    tug_obj_set(obj, "metadata.finalizers", list, NULL);
  }
  size_t i;
  json_t *v;
  json_array_foreach(list, i,
                     v) if (json_is_string(v) && strcmp(json_string_value(v), f) == 0) return;
  json_array_append_new(list, json_string(f));
}

/* Mark obj as being deleted; false when it can go at once instead. */
static bool mark_deleting(const api_kind *k, json_t *obj, const delete_opts *d) {
  int64_t grace = k->strategy->delete_grace ? k->strategy->delete_grace(obj, d->grace) : 0;
  const char *already = tug_obj_deletion_timestamp(obj);
  if (already) {
    int64_t cur = tug_obj_get_int(obj, "metadata.deletionGracePeriodSeconds", 0);
    if (grace < cur)
      tug_obj_set(obj, "metadata.deletionGracePeriodSeconds", json_integer(grace), NULL);
    return !api_ready_to_remove(k, obj);
  }
  if (d->propagation && strcmp(d->propagation, "Foreground") == 0)
    api_add_finalizer(obj, "foregroundDeletion");
  else if (d->propagation && strcmp(d->propagation, "Orphan") == 0)
    api_add_finalizer(obj, "orphan");
  if (k->strategy->mark_deleting)
    k->strategy->mark_deleting(obj);
  /* A grace period of centuries (any int64 is valid) still makes a
   * timestamp RFC 3339 can write: past MAX_GRACE_SECONDS it is the same. */
  time_t when = time(NULL) + (grace < MAX_GRACE_SECONDS ? grace : MAX_GRACE_SECONDS);
  struct tm tm;
  char ts[32];
  gmtime_r(&when, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  tug_obj_set_deletion_timestamp(obj, ts, NULL);
  tug_obj_set(obj, "metadata.deletionGracePeriodSeconds", json_integer(grace), NULL);
  return !api_ready_to_remove(k, obj);
}

/* One attempt, with extra's compares and writes (may be NULL); 1 to retry
 * after a conflict. */
static int delete_once(api_request *r, const api_route *rt, const delete_opts *d, api_txn *extra,
                       api_response *out) {
  const api_kind *k = rt->kind;
  tug_error err = {0};
  json_t *cur;
  int64_t rev;
  if (api_storage_get(r->server, k, rt->ns, rt->name, &cur, &rev, &err) < 0) {
    api_fail_error(out, k, rt->name, &err);
    return -1;
  }
  const char *uid = tug_obj_uid(cur);
  if ((d->precondition_uid && uid && strcmp(d->precondition_uid, uid) != 0) ||
      (d->precondition_rv && d->precondition_rv != rev)) {
    json_decref(out->body);
    out->code = 409;
    out->body = api_status(409, "Conflict", api_status_details(k, rt->name),
                           "Precondition failed: the object does not match the preconditions");
    json_decref(cur);
    return -1;
  }
  json_t *before = json_deep_copy(cur);
  bool keep = mark_deleting(k, cur, d);
  int rc = 0;
  if (d->dry_run)
    rc = 0;
  else if (!keep && extra)
    rc = api_remove_with(r->server, k, before, rev, extra, out);
  else if (!keep)
    rc = api_remove(r->server, k, before, rev, out);
  else if ((extra || !json_equal(cur, before)) &&
           api_storage_update(r->server, k, cur, rev, extra, &err) < 0)
    rc = err.code == TUG_E_CONFLICT || err.code == EAGAIN
             ? 1
             : (api_fail_error(out, k, rt->name, &err), -1);
  json_decref(before);
  if (rc != 0) {
    json_decref(cur);
    return rc;
  }
  json_decref(out->body);
  out->code = 200;
  out->body = cur;
  return 0;
}

void api_handle_delete(api_request *r, const api_route *rt, api_response *out) {
  delete_opts d = {0};
  json_t *body;
  if (parse_delete_opts(r, &d, &body, out) < 0) {
    json_decref(body);
    return;
  }
  int rc = 1;
  for (int i = 0; i < 10 && rc == 1; i++)
    rc = delete_once(r, rt, &d, NULL, out);
  if (rc == 1)
    api_fail(out, 409, "%s \"%s\": too many concurrent changes, try again", rt->kind->plural,
             rt->name);
  json_decref(body);
}

int api_delete_attempt(api_request *r, const api_route *rt, const json_t *options, api_txn *extra,
                       api_response *out) {
  delete_opts d = {.grace = -1};
  if (options && parse_body_opts(options, &d, out) < 0)
    return -1;
  d.dry_run = d.dry_run || api_dry_run(r);
  if (check_propagation(&d, out) < 0)
    return -1;
  return delete_once(r, rt, &d, extra, out);
}

void api_handle_delete_collection(api_request *r, const api_route *rt, api_response *out) {
  tug_selector *labels = NULL;
  api_fieldsel *fields = NULL;
  tug_error err = {0};
  if (tug_selector_parse(api_query(r, "labelSelector"), &labels, &err) < 0 ||
      api_fieldsel_parse(api_query(r, "fieldSelector"), rt->kind->strategy->selectable_fields,
                         &fields, &err) < 0) {
    api_fail(out, 400, "%s", err.msg);
    tug_selector_free(labels);
    return;
  }
  api_filter f = {rt->ns, NULL, labels, fields};
  api_cached **items;
  size_t n;
  int64_t rev;
  api_watchcache *c = api_kind_cache(r->server, rt->kind);
  api_watchcache_list(c, &f, &items, &n, &rev);
  json_t *deleted = json_array();
  for (size_t i = 0; i < n; i++) {
    api_route one = *rt;
    one.ns = tug_obj_namespace(items[i]->obj);
    one.name = tug_obj_name(items[i]->obj);
    api_response each = {0};
    api_handle_delete(r, &one, &each);
    if (each.code == 200)
      json_array_append(deleted, each.body);
    json_decref(each.body);
  }
  api_cached_list_free(items, n);
  tug_selector_free(labels);
  api_fieldsel_free(fields);
  char av[128];
  out->code = 200;
  json_decref(out->body);
  out->body =
      json_pack("{s:s, s:s, s:{}, s:o}", "kind", "List", "apiVersion",
                api_kind_api_version(rt->kind, av, sizeof av), "metadata", "items", deleted);
}
