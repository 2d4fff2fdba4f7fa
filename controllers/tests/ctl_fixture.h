/*
 * ctl_fixture.h — one controller under test with no server behind it: a
 * ctl_ctx whose client is a recording fake (lib/tests/fake_api.h) and whose
 * shared informers are real but never started, filled by the test as a watch
 * would fill them (tug_informer_apply). A test puts objects into the caches,
 * runs reconcile(key) once, and reads the requests the controller sent.
 */
#ifndef CTL_FIXTURE_H
#define CTL_FIXTURE_H

#include <jansson.h>

#include "ctl.h"
#include "../../lib/tests/fake_api.h"

typedef struct ctl_fixture {
  fake_api *api;
  ctl_ctx x;
  tug_controller *c;
} ctl_fixture;

typedef tug_controller *(*ctl_make_fn)(ctl_ctx *x, tug_error *err);

/* The context (default flags, no Event recorder) and the controller make builds on it. */
ctl_fixture *fx_new(ctl_make_fn make);
void fx_free(ctl_fixture *f);
/* A controller that watches nothing and whose reconcile does nothing: for
 * tests of the helpers controllers share (claims, pod control, expectations). */
tug_controller *fx_bare_controller(ctl_ctx *x, tug_error *err);

/* obj (stolen) into resource r's cache, added or updated, with the handlers run. */
void fx_put(ctl_fixture *f, enum ctl_resource r, json_t *obj);
/* obj (stolen) out of r's cache, as a DELETED event. */
void fx_remove(ctl_fixture *f, enum ctl_resource r, json_t *obj);

/* reconcile(key) once; the test fails when it fails. */
void fx_reconcile(ctl_fixture *f, const char *key);
/* reconcile(key) once; its result, and err filled on failure. */
int fx_reconcile_rc(ctl_fixture *f, const char *key, tug_error *err);

/* Requests sent, by method and path prefix (NULL: any). */
size_t fx_sent(ctl_fixture *f, const char *method, const char *path_prefix);
/* The body of the nth such request (borrowed); the test fails when there is none. */
json_t *fx_body(ctl_fixture *f, const char *method, const char *path_prefix, size_t nth);

/* {apiVersion, kind, metadata: {name, namespace (NULL: none), uid, resourceVersion "1",
 * creationTimestamp}}, a new object to add fields to. */
json_t *fx_object(const char *api_version, const char *kind, const char *ns, const char *name,
                  const char *uid);
/* A pod with labels (a JSON object literal such as "{\"app\": \"web\"}", or NULL),
 * phase, Ready condition, and a controller reference to owner (NULL: none). */
json_t *fx_pod(const char *ns, const char *name, const char *uid, const char *labels,
               const char *phase, bool ready, const json_t *owner);

#endif
