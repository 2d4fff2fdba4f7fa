/*
 * ctl_fixture.c — a controller on a recording client and unstarted informers
 * (see ctl_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "ctl_fixture.h"
#include "object.h"

ctl_fixture *fx_new(ctl_make_fn make) {
  ctl_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_non_null(f->api = fake_api_new());
  f->x = (ctl_ctx){.client = fake_api_client(f->api),
                   .cfg = {.workers = 1,
                           .node_grace_s = 40,
                           .unreachable_toleration_s = 300,
                           .node_monitor_period_s = 5,
                           .cluster_cidr = "10.64.0.0/16",
                           .node_cidr_mask = 24,
                           .job_backoff_s = 10,
                           .quota_resync_s = 300}};
  tug_error err = {0};
  if (ctl_open_informers(&f->x, &err) < 0 || (f->c = make(&f->x, &err)) == NULL)
    fail_msg("fixture: %s", err.msg);
  return f;
}

static int no_reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c, (void)key, (void)arg, (void)err;
  return 0;
}

tug_controller *fx_bare_controller(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {.name = "bare", .reconcile = no_reconcile, .arg = x};
  return tug_controller_new(&o, err);
}

void fx_free(ctl_fixture *f) {
  tug_controller_free(f->c);
  ctl_close_informers(&f->x);
  fake_api_free(f->api);
  free(f);
}

static void apply(ctl_fixture *f, enum ctl_resource r, const char *type, json_t *obj) {
  tug_error err = {0};
  int rc = tug_informer_apply(tug_shared_informer_informer(f->x.inf[r]), type, obj, &err);
  json_decref(obj);
  if (rc < 0)
    fail_msg("%s: %s", type, err.msg);
}

void fx_put(ctl_fixture *f, enum ctl_resource r, json_t *obj) {
  apply(f, r, "MODIFIED", obj);
}

void fx_remove(ctl_fixture *f, enum ctl_resource r, json_t *obj) {
  apply(f, r, "DELETED", obj);
}

int fx_reconcile_rc(ctl_fixture *f, const char *key, tug_error *err) {
  return tug_controller_reconcile(f->c, key, err);
}

void fx_reconcile(ctl_fixture *f, const char *key) {
  tug_error err = {0};
  if (fx_reconcile_rc(f, key, &err) < 0) {
    fake_api_dump(f->api);
    fail_msg("reconcile %s: %s", key, err.msg);
  }
}

size_t fx_sent(ctl_fixture *f, const char *method, const char *path_prefix) {
  return fake_api_count(f->api, method, path_prefix);
}

json_t *fx_body(ctl_fixture *f, const char *method, const char *path_prefix, size_t nth) {
  const fake_call *c = fake_api_find(f->api, method, path_prefix, nth);
  if (c == NULL || c->body == NULL) {
    fake_api_dump(f->api);
    fail_msg("no %s %s #%zu with a body was sent", method, path_prefix, nth);
  }
  return c->body;
}

json_t *fx_object(const char *api_version, const char *kind, const char *ns, const char *name,
                  const char *uid) {
  json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "apiVersion", api_version, "kind",
                        kind, "metadata", "name", name, "uid", uid, "resourceVersion", "1",
                        "creationTimestamp", "2026-01-01T00:00:00Z");
  if (ns)
    json_object_set_new(json_object_get(o, "metadata"), "namespace", json_string(ns));
  return o;
}

json_t *fx_pod(const char *ns, const char *name, const char *uid, const char *labels,
               const char *phase, bool ready, const json_t *owner) {
  json_t *p = fx_object("v1", "Pod", ns, name, uid);
  json_t *md = json_object_get(p, "metadata");
  if (labels)
    json_object_set_new(md, "labels", json_loads(labels, 0, NULL));
  if (owner)
    json_object_set_new(md, "ownerReferences", json_pack("[o]", tug_controller_ref_new(owner)));
  json_object_set_new(p, "spec",
                      json_pack("{s:[{s:s, s:s}]}", "containers", "name", "c", "image", "busybox"));
  json_object_set_new(p, "status",
                      json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "phase", phase, "conditions", "type",
                                "Ready", "status", ready ? "True" : "False", "lastTransitionTime",
                                "2026-01-01T00:00:00Z"));
  return p;
}
