/* modify.c — the guaranteed-update loop (see modify.h). */
#include "modify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "fieldmanager.h"
#include "fieldvalidation.h"
#include "ignored.h"
#include "object.h"
#include "status.h"
#include "storage.h"
#include "svcalloc.h"
#include "table.h"

enum { MODIFY_RETRIES = 10 };

int api_parse_rv(const char *s, int64_t *rv, api_response *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || end == s || v <= 0) {
    api_fail(out, 400, "invalid resourceVersion \"%s\": must be a positive integer", s);
    return -1;
  }
  *rv = v;
  return 0;
}

static int check_preconditions(const api_kind *k, const json_t *cur, int64_t rev,
                               const api_modify_opts *o, api_response *out) {
  const char *name = tug_obj_name(cur);
  if (o->precondition_rv && o->precondition_rv != rev) {
    json_decref(out->body);
    out->code = 409;
    out->body = api_status(409, "Conflict", api_status_details(k, name),
                           "Operation cannot be fulfilled on %s \"%s\": the object has been "
                           "modified; please apply your changes to the latest version and try "
                           "again",
                           k->plural, name);
    return -1;
  }
  const char *uid = tug_obj_uid(cur);
  if (o->precondition_uid && o->precondition_uid[0] && uid &&
      strcmp(o->precondition_uid, uid) != 0) {
    json_decref(out->body);
    out->code = 409;
    out->body = api_status(409, "Conflict", api_status_details(k, name),
                           "Precondition failed: UID in precondition: %s, UID in object meta: %s",
                           o->precondition_uid, uid);
    return -1;
  }
  return 0;
}

/* Put back what clients cannot change, from the stored copy. */
static int restore_owned(const api_kind *k, json_t *cur, const json_t *old,
                         const api_modify_opts *o, api_response *out) {
  const char *on = tug_obj_name(old), *nn = tug_obj_name(cur);
  if (nn == NULL || strcmp(on, nn) != 0) {
    api_fail(out, 400, "metadata.name cannot be changed (from \"%s\")", on);
    return -1;
  }
  json_t *om = json_object_get(old, "metadata"), *nm = json_object_get(cur, "metadata");
  static const char *const owned[] = {"uid",
                                      "creationTimestamp",
                                      "deletionTimestamp",
                                      "deletionGracePeriodSeconds",
                                      "generation",
                                      "namespace",
                                      NULL};
  for (int i = 0; owned[i]; i++) {
    json_t *v = json_object_get(om, owned[i]);
    if (v)
      json_object_set(nm, owned[i], v);
    else
      json_object_del(nm, owned[i]);
  }
  json_object_set(cur, "apiVersion", json_object_get(old, "apiVersion"));
  json_object_set(cur, "kind", json_object_get(old, "kind"));
  bool has_status_sub = (k->subresources & API_SUB_STATUS) != 0;
  json_t *old_status = json_object_get(old, "status");
  if (o->status_only) {
    /* Only status changes, and the managedFields an apply to it computed. */
    json_t *st = json_incref(json_object_get(cur, "status"));
    json_t *mf = json_incref(json_object_get(nm, "managedFields"));
    json_t *copy = json_deep_copy(old);
    json_object_clear(cur);
    json_object_update(cur, copy);
    json_decref(copy);
    if (st)
      json_object_set_new(cur, "status", st);
    if (mf)
      tug_obj_set(cur, "metadata.managedFields", mf, NULL);
    else
      tug_obj_del(cur, "metadata.managedFields");
  } else if (o->keep_status && has_status_sub) {
    if (old_status)
      json_object_set(cur, "status", old_status);
    else
      json_object_del(cur, "status");
  }
  return 0;
}

/* json_equal says no when both are NULL: a kind without a spec never changes it. */
static bool same_spec(const json_t *cur, const json_t *old) {
  const json_t *a = json_object_get(cur, "spec"), *b = json_object_get(old, "spec");
  return a == b || json_equal(a, b);
}

static void bump_generation(json_t *cur, const json_t *old) {
  if (same_spec(cur, old))
    return;
  int64_t gen = tug_obj_get_int(old, "metadata.generation", 0);
  tug_obj_set(cur, "metadata.generation", json_integer(gen + 1), NULL);
}

bool api_ready_to_remove(const api_kind *k, const json_t *obj) {
  if (tug_obj_deletion_timestamp(obj) == NULL)
    return false;
  if (json_array_size(tug_obj_get(obj, "metadata.finalizers")) > 0)
    return false;
  if (k->strategy->spec_finalizers && json_array_size(tug_obj_get(obj, "spec.finalizers")) > 0)
    return false;
  return tug_obj_get_int(obj, "metadata.deletionGracePeriodSeconds", 0) == 0;
}

int api_remove(api_server *s, const api_kind *k, const json_t *obj, int64_t rev,
               api_response *out) {
  api_txn txn = {0};
  int rc = api_remove_with(s, k, obj, rev, &txn, out);
  api_txn_clear(&txn);
  return rc;
}

int api_remove_with(api_server *s, const api_kind *k, const json_t *obj, int64_t rev, api_txn *txn,
                    api_response *out) {
  tug_error err = {0};
  int rc = api_quota_release(s, k, obj, txn, &err);
  if (rc == 0)
    rc = api_svcalloc_release(s->svcalloc, k, obj, txn, &err);
  if (rc == 0)
    rc = api_storage_delete(s, k, tug_obj_namespace(obj), tug_obj_name(obj), rev, txn, NULL, &err);
  /* The object or a quota it gives back to changed since they were read (the
   * quota controller writes status.used all the time): read again and retry,
   * never a 409 for a race the client did not cause. */
  if (rc < 0 && err.code == TUG_E_CONFLICT)
    return 1;
  if (rc < 0)
    api_fail_error(out, k, tug_obj_name(obj), &err);
  return rc;
}

static void answer(api_request *r, const api_kind *k, json_t *obj, const api_modify_opts *o,
                   api_response *out) {
  json_decref(out->body);
  out->code = 200;
  if (o->answer) {
    out->body = o->answer(k, obj);
    json_decref(obj);
  } else if (api_wants_table(r)) {
    out->body = api_table_build(k, &obj, 1, true, tug_obj_resource_version(obj), NULL);
    json_decref(obj);
  } else {
    out->body = obj;
  }
}

/* Write cur over old, with the Service addresses and ports the change takes
 * and gives back in the same transaction. 1 to retry, 0 (cur answered and
 * taken) or -1. */
static int store_update(api_request *r, const api_route *rt, const api_modify_opts *o, json_t *cur,
                        const json_t *old, int64_t rev, api_response *out) {
  const api_kind *k = rt->kind;
  api_server *s = r->server;
  tug_error err = {0};
  api_txn txn = {0};
  api_svc_claim claim = {0};
  int rc = api_svcalloc_claim(s->svcalloc, k, cur, old, &txn, &claim, out);
  if (rc == 0 && (rc = api_storage_update(s, k, cur, rev, &txn, &err)) == 0)
    answer(r, k, cur, o, out);
  else if (rc < 0 && err.code == EAGAIN)
    rc = api_svcalloc_lost(s->svcalloc, &claim, cur, out) < 0 ? -1 : 1;
  else if (rc < 0 && err.code == TUG_E_CONFLICT && o->precondition_rv == 0)
    rc = 1;
  else if (rc < 0 && err.code)
    api_fail_error(out, k, rt->name, &err);
  api_svcalloc_done(s->svcalloc, &claim, rc == 0);
  api_txn_clear(&txn);
  return rc;
}

/* One attempt: 1 when it should be retried, 0 done, -1 failed (out filled). */
static int attempt(api_request *r, const api_route *rt, const api_modify_opts *o,
                   api_response *out) {
  const api_kind *k = rt->kind;
  api_server *s = r->server;
  tug_error err = {0};
  json_t *cur;
  int64_t rev;
  bool stale = false; /* sealed with an older key: even an unchanged object is written */
  if (api_storage_get_stale(s, k, rt->ns, rt->name, &cur, &rev, &stale, &err) < 0) {
    api_fail_error(out, k, rt->name, &err);
    return -1;
  }
  json_t *old = json_deep_copy(cur);
  int rc = -1;
  /* Warnings are about the attempt that is stored, not one retried. */
  json_decref(out->warnings);
  out->warnings = NULL;
  if (check_preconditions(k, cur, rev, o, out) < 0 || o->mutate(cur, o->body, o->arg, out) < 0 ||
      (o->check_fields &&
       api_fv_check_patched_kind(r, k, api_fv_message(k), cur, o->body, out) < 0) ||
      restore_owned(k, cur, old, o, out) < 0)
    goto done;
  api_svcalloc_prepare_update(k, cur, old);
  /* Before the defaults: a warning is for what the client wrote. */
  if (!o->status_only)
    api_warn_ignored(k, cur, old, out);
  if (api_validate(k, cur, old, out) < 0 || api_admit_request(r, k, cur, old, out) < 0 ||
      (!o->status_only && api_admit_pod_security(s, k, cur, old, out) < 0) ||
      (o->track && api_fm_track(r, k, o->sub, old, cur, out) < 0))
    goto done;
  bump_generation(cur, old);
  if (k->strategy->init_status && !o->status_only && !same_spec(cur, old) &&
      k->strategy->init_status(s, cur, &err) < 0) {
    api_fail_error(out, k, rt->name, &err);
    goto done;
  }
  if ((json_equal(cur, old) && !stale) || api_dry_run(r)) {
    if (!json_equal(cur, old) && api_svcalloc_preview(s->svcalloc, k, cur, old, out) < 0)
      goto done;
    answer(r, k, cur, o, out);
    cur = NULL;
    rc = 0;
  } else if (api_ready_to_remove(k, cur)) {
    rc = api_remove(s, k, old, rev, out);
    if (rc == 0) {
      answer(r, k, cur, o, out);
      cur = NULL;
    }
  } else {
    rc = store_update(r, rt, o, cur, old, rev, out);
    if (rc == 0)
      cur = NULL;
  }
done:
  json_decref(cur);
  json_decref(old);
  return rc;
}

void api_modify(api_request *r, const api_route *rt, const api_modify_opts *o, api_response *out) {
  for (int i = 0; i < MODIFY_RETRIES; i++)
    if (attempt(r, rt, o, out) <= 0)
      return;
  api_fail(out, 409, "%s \"%s\": too many concurrent changes, try again", rt->kind->plural,
           rt->name);
}
