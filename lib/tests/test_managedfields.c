/* Unit tests for field management: Update operations on every write, and
 * server-side apply's merge, removal of given-up fields, conflicts, force,
 * and kubectl's upgrade from client-side apply. A small stand-in schema
 * plays the part of the API server's one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "json_text.h"
#include "managedfields.h"
#include "object.h"

/* A struct of the stand-in schema: names and their types, NULL-terminated. */
typedef struct msg {
  const char *names[12];
  tug_ssa_type types[12];
} msg;

static const char *const NAME_KEY[] = {"name", NULL};
static const char *const PORT_KEYS[] = {"containerPort", "protocol", NULL};
static const char *const PORT_DEFAULTS[] = {NULL, "\"TCP\"", NULL};

#define SCALAR                                                                                     \
  { .shape = TUG_SSA_SCALAR }
static const msg port = {{"containerPort", "protocol"}, {SCALAR, SCALAR}};
static const msg container = {
    {"name", "image", "args", "ports"},
    {SCALAR,
     SCALAR,
     {.shape = TUG_SSA_LIST, .atomic = true},
     {.shape = TUG_SSA_LIST, .keys = PORT_KEYS, .key_defaults = PORT_DEFAULTS, .elem = &port}}};
static const msg spec = {
    {"replicas", "selector", "containers", "paused"},
    {SCALAR,
     {.shape = TUG_SSA_STRUCT, .atomic = true},
     {.shape = TUG_SSA_LIST, .keys = NAME_KEY, .elem = &container, .implicit = true},
     SCALAR}};
static const msg meta = {{"name", "namespace", "uid", "resourceVersion", "labels", "annotations",
                          "finalizers", "managedFields"},
                         {SCALAR,
                          SCALAR,
                          SCALAR,
                          SCALAR,
                          {.shape = TUG_SSA_MAP},
                          {.shape = TUG_SSA_MAP},
                          {.shape = TUG_SSA_LIST},
                          {.shape = TUG_SSA_LIST, .atomic = true}}};
static const msg root = {{"apiVersion", "kind", "metadata", "spec", "data"},
                         {SCALAR,
                          SCALAR,
                          {.shape = TUG_SSA_STRUCT, .elem = &meta, .implicit = true},
                          {.shape = TUG_SSA_STRUCT, .elem = &spec, .implicit = true},
                          {.shape = TUG_SSA_MAP}}};

static bool field_of(const void *ctx, const void *elem, const char *name, tug_ssa_type *out) {
  (void)ctx;
  const msg *m = elem;
  for (size_t i = 0; m && m->names[i]; i++)
    if (strcmp(m->names[i], name) == 0) {
      *out = m->types[i];
      return true;
    }
  return false;
}

static const tug_ssa_schema schema = {.field = field_of, .root = &root};

static tug_mf_op op(const char *manager, bool force) {
  return (tug_mf_op){
      .manager = manager, .api_version = "v1", .now = "2026-12-07T10:00:00Z", .force = force};
}

static json_t *entry(const json_t *obj, const char *manager, const char *operation) {
  size_t i;
  json_t *e;
  json_array_foreach(tug_obj_get(obj, "metadata.managedFields"), i, e) {
    if (strcmp(json_string_value(json_object_get(e, "manager")), manager) == 0 &&
        strcmp(json_string_value(json_object_get(e, "operation")), operation) == 0)
      return e;
  }
  return NULL;
}

static void assert_fields(const json_t *obj, const char *manager, const char *operation,
                          const char *want) {
  json_t *e = entry(obj, manager, operation);
  if (want == NULL) {
    assert_null(e);
    return;
  }
  assert_non_null(e);
  _cleanup_json_ json_t *w = js(want);
  if (!json_equal(json_object_get(e, "fieldsV1"), w)) {
    _cleanup_free_ char *g = json_dumps(json_object_get(e, "fieldsV1"), JSON_COMPACT);
    fail_msg("%s %s: got %s, want %s", manager, operation, g, want);
  }
}

/* Apply config (single-quoted JSON) as manager over live; the result. */
static json_t *apply(const json_t *live, const char *config, const char *manager, bool force) {
  _cleanup_json_ json_t *c = js(config);
  json_t *out = NULL, *conflicts = NULL;
  tug_error err = {0};
  tug_mf_op o = op(manager, force);
  int rc = tug_mf_apply(live, c, &o, &schema, &out, &conflicts, &err);
  if (rc != 0) {
    _cleanup_free_ char *m = tug_mf_conflict_message(conflicts);
    json_decref(conflicts);
    fail_msg("apply %s: %s", config, rc < 0 ? err.msg : m);
  }
  return out;
}

/* The conflict message of an apply that must conflict. */
static char *conflict(const json_t *live, const char *config, const char *manager) {
  _cleanup_json_ json_t *c = js(config), *conflicts = NULL;
  json_t *out = NULL;
  tug_error err = {0};
  tug_mf_op o = op(manager, false);
  assert_int_equal(tug_mf_apply(live, c, &o, &schema, &out, &conflicts, &err), 1);
  assert_null(out);
  return tug_mf_conflict_message(conflicts);
}

static json_t *created(const char *obj, const char *manager) {
  json_t *o = js(obj);
  tug_error err = {0};
  tug_mf_op u = op(manager, false);
  assert_int_equal(tug_mf_update(NULL, o, &u, &schema, &err), 0);
  return o;
}

static const char DEPLOY[] =
    "{'apiVersion':'v1','kind':'D','metadata':{'name':'web','uid':'u1','labels':{'app':'web'}},"
    "'spec':{'replicas':2,'selector':{'app':'web'},'containers':[{'name':'web','image':'a',"
    "'ports':[{'containerPort':80,'protocol':'TCP'}]}]}}";

static void a_create_gives_the_manager_every_field_it_wrote(void **state) {
  (void)state;
  _cleanup_json_ json_t *o = created(DEPLOY, "kubectl-create");
  assert_fields(
      o, "kubectl-create", "Update",
      "{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},'f:spec':{'f:replicas':{},'f:selector':{},"
      "'f:containers':{'k:{\\'name\\':\\'web\\'}':{'.':{},'f:name':{},'f:image':{},'f:ports':{'.':{"
      "},"
      "'k:{\\'containerPort\\':80,\\'protocol\\':\\'TCP\\'}':{'.':{},'f:containerPort':{},"
      "'f:protocol':{}}}}}}}");
  json_t *e = entry(o, "kubectl-create", "Update");
  assert_string_equal(json_string_value(json_object_get(e, "time")), "2026-12-07T10:00:00Z");
  assert_string_equal(json_string_value(json_object_get(e, "fieldsType")), "FieldsV1");
}

static void an_update_takes_what_it_changed_from_other_managers(void **state) {
  (void)state;
  _cleanup_json_ json_t *old = created(DEPLOY, "kubectl-create");
  _cleanup_json_ json_t *new = json_deep_copy(old);
  tug_obj_set(new, "spec.replicas", json_integer(5), NULL);
  tug_error err = {0};
  tug_mf_op u = op("kubectl-scale", false);
  assert_int_equal(tug_mf_update(old, new, &u, &schema, &err), 0);
  assert_fields(new, "kubectl-scale", "Update", "{'f:spec':{'f:replicas':{}}}");
  json_t *e = entry(new, "kubectl-create", "Update");
  assert_null(
      json_object_get(json_object_get(json_object_get(e, "fieldsV1"), "f:spec"), "f:replicas"));
}

static void an_update_that_changes_nothing_leaves_managed_fields_alone(void **state) {
  (void)state;
  _cleanup_json_ json_t *old = created(DEPLOY, "kubectl-create");
  _cleanup_json_ json_t *new = json_deep_copy(old);
  tug_error err = {0};
  tug_mf_op u = op("someone", false);
  assert_int_equal(tug_mf_update(old, new, &u, &schema, &err), 0);
  assert_true(json_equal(old, new));
}

static void managed_fields_a_client_writes_replace_the_stored_ones(void **state) {
  (void)state;
  _cleanup_json_ json_t *old = created(DEPLOY, "kubectl-create");
  _cleanup_json_ json_t *new = json_deep_copy(old);
  tug_obj_set(new, "metadata.managedFields", js("[{}]"), NULL);
  tug_error err = {0};
  tug_mf_op u = op("cleaner", false);
  assert_int_equal(tug_mf_update(old, new, &u, &schema, &err), 0);
  assert_null(tug_obj_get(new, "metadata.managedFields"));
}

static void apply_creates_with_only_the_applied_fields(void **state) {
  (void)state;
  _cleanup_json_ json_t *o =
      apply(NULL,
            "{'apiVersion':'v1','kind':'D','metadata':{'name':'web','labels':{'app':'web'}},"
            "'spec':{'replicas':1}}",
            "ssa", false);
  assert_fields(o, "ssa", "Apply",
                "{'f:metadata':{'f:labels':{'f:app':{}}},'f:spec':{'f:replicas':{}}}");
  assert_int_equal(tug_obj_get_int(o, "spec.replicas", 0), 1);
}

static void apply_conflicts_with_a_field_another_manager_set(void **state) {
  (void)state;
  _cleanup_json_ json_t *live = created(DEPLOY, "kubectl-client-side-apply");
  _cleanup_free_ char *msg = conflict(
      live, "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'replicas':3}}",
      "ops");
  assert_string_equal(msg, "Apply failed with 1 conflict: conflict with "
                           "\"kubectl-client-side-apply\" using v1: .spec.replicas");
}

static void applying_the_same_value_shares_the_field(void **state) {
  (void)state;
  _cleanup_json_ json_t *live = created(DEPLOY, "creator");
  _cleanup_json_ json_t *o =
      apply(live, "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'replicas':2}}",
            "ops", false);
  assert_fields(o, "ops", "Apply", "{'f:spec':{'f:replicas':{}}}");
  json_t *e = entry(o, "creator", "Update");
  assert_non_null(
      json_object_get(json_object_get(json_object_get(e, "fieldsV1"), "f:spec"), "f:replicas"));
}

static void force_takes_the_field_from_the_other_manager(void **state) {
  (void)state;
  _cleanup_json_ json_t *live = created(DEPLOY, "creator");
  _cleanup_json_ json_t *o =
      apply(live, "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'replicas':7}}",
            "ops", true);
  assert_int_equal(tug_obj_get_int(o, "spec.replicas", 0), 7);
  json_t *e = entry(o, "creator", "Update");
  assert_null(
      json_object_get(json_object_get(json_object_get(e, "fieldsV1"), "f:spec"), "f:replicas"));
}

static void conflicts_with_several_managers_are_listed_by_manager(void **state) {
  (void)state;
  _cleanup_json_ json_t *a = created(DEPLOY, "b-team");
  _cleanup_json_ json_t *b = json_deep_copy(a);
  tug_obj_set(b, "spec.paused", json_true(), NULL);
  tug_error err = {0};
  tug_mf_op u = op("a-team", false);
  assert_int_equal(tug_mf_update(a, b, &u, &schema, &err), 0);
  _cleanup_free_ char *msg = conflict(b,
                                      "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'"
                                      "spec':{'replicas':3,'paused':false}}",
                                      "ops");
  assert_string_equal(msg, "Apply failed with 2 conflicts: conflicts with \"a-team\" using v1:\n"
                           "- .spec.paused\nconflicts with \"b-team\" using v1:\n- .spec.replicas");
}

static void fields_no_longer_applied_are_removed_unless_someone_else_owns_them(void **state) {
  (void)state;
  _cleanup_json_ json_t *first =
      apply(NULL,
            "{'apiVersion':'v1','kind':'D','metadata':{'name':'c'},'data':{'a':'1','b':'2'},"
            "'spec':{'paused':true}}",
            "ssa", false);
  _cleanup_json_ json_t *shared =
      apply(first, "{'apiVersion':'v1','kind':'D','metadata':{'name':'c'},'data':{'b':'2'}}",
            "other", false);
  _cleanup_json_ json_t *second =
      apply(shared, "{'apiVersion':'v1','kind':'D','metadata':{'name':'c'}}", "ssa", false);
  _cleanup_json_ json_t *want = js("{'b':'2'}");
  assert_true(json_equal(json_object_get(second, "data"), want));
  assert_null(tug_obj_get(second, "spec.paused"));
  /* A manager left with no field has no entry. */
  assert_null(entry(second, "ssa", "Apply"));
}

static void list_elements_merge_by_key_and_others_keep_theirs(void **state) {
  (void)state;
  _cleanup_json_ json_t *live =
      created("{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'containers':["
              "{'name':'a','image':'a1','args':['x']},{'name':'sidecar','image':'s1'}]}}",
              "creator");
  _cleanup_json_ json_t *o =
      apply(live,
            "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'containers':["
            "{'name':'b','image':'b1'},{'name':'a','image':'a1','args':['y']}]}}",
            "ssa", true);
  _cleanup_json_ json_t *want =
      js("[{'name':'b','image':'b1'},{'name':'a','image':'a1','args':['y']},"
         "{'name':'sidecar','image':'s1'}]");
  if (!json_equal(tug_obj_get(o, "spec.containers"), want)) {
    _cleanup_free_ char *g = json_dumps(tug_obj_get(o, "spec.containers"), JSON_COMPACT);
    fail_msg("got %s", g);
  }
}

static void a_port_without_protocol_is_the_defaulted_one(void **state) {
  (void)state;
  _cleanup_json_ json_t *live =
      apply(NULL,
            "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'containers':["
            "{'name':'a','ports':[{'containerPort':80}]}]}}",
            "ssa", false);
  /* The server's defaulting fills protocol in. */
  tug_obj_set(json_array_get(
                  tug_obj_get(json_array_get(tug_obj_get(live, "spec.containers"), 0), "ports"), 0),
              "protocol", json_string("TCP"), NULL);
  _cleanup_json_ json_t *o =
      apply(live,
            "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'containers':["
            "{'name':'a','ports':[{'containerPort':80}]}]}}",
            "ssa", false);
  assert_int_equal(
      json_array_size(tug_obj_get(json_array_get(tug_obj_get(o, "spec.containers"), 0), "ports")),
      1);
}

static void an_applied_element_without_its_key_is_refused(void **state) {
  (void)state;
  _cleanup_json_ json_t *c = js("{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'"
                                "containers':[{'image':'x'}]}}");
  json_t *out = NULL, *conflicts = NULL;
  tug_error err = {0};
  tug_mf_op o = op("ssa", false);
  assert_int_equal(tug_mf_apply(NULL, c, &o, &schema, &out, &conflicts, &err), -1);
  assert_non_null(strstr(err.msg, "has no \"name\""));
}

static void an_unmanaged_object_belongs_to_before_first_apply(void **state) {
  (void)state;
  _cleanup_json_ json_t *live = js(DEPLOY);
  _cleanup_free_ char *msg = conflict(
      live, "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'replicas':9}}",
      "ops");
  assert_string_equal(msg, "Apply failed with 1 conflict: conflict with \"before-first-apply\" "
                           "using v1: .spec.replicas");
}

static void kubectl_takes_over_what_its_client_side_apply_set(void **state) {
  (void)state;
  _cleanup_json_ json_t *live = created(DEPLOY, "kubectl-client-side-apply");
  tug_obj_set_annotation(live, TUG_MF_LAST_APPLIED,
                         "{\"apiVersion\":\"v1\",\"kind\":\"D\",\"metadata\":{\"name\":\"web\"},"
                         "\"spec\":{\"replicas\":2}}",
                         NULL);
  const char *config =
      "{'apiVersion':'v1','kind':'D','metadata':{'name':'web'},'spec':{'replicas':4}}";
  _cleanup_json_ json_t *o = apply(live, config, "kubectl", false);
  assert_int_equal(tug_obj_get_int(o, "spec.replicas", 0), 4);
  _cleanup_json_ json_t *last = json_loads(tug_obj_annotation(o, TUG_MF_LAST_APPLIED), 0, NULL);
  assert_int_equal(tug_obj_get_int(last, "spec.replicas", 0), 4);
  /* Another manager has no such right. */
  _cleanup_free_ char *msg = conflict(live, config, "ops");
  assert_non_null(strstr(msg, "kubectl-client-side-apply"));
}

static void the_oldest_of_many_update_managers_are_folded(void **state) {
  (void)state;
  _cleanup_json_ json_t *o =
      created("{'apiVersion':'v1','kind':'D','metadata':{'name':'c'}}", "m0");
  for (int i = 1; i <= 12; i++) {
    _cleanup_json_ json_t *next = json_deep_copy(o);
    char key[16], manager[16], now[32];
    snprintf(key, sizeof key, "k%02d", i);
    snprintf(manager, sizeof manager, "m%02d", i);
    snprintf(now, sizeof now, "2026-12-07T10:00:%02dZ", i);
    tug_obj_set(next, "data", json_object(), NULL);
    json_object_update(json_object_get(next, "data"), json_object_get(o, "data"));
    json_object_set_new(json_object_get(next, "data"), key, json_string("v"));
    tug_mf_op u = op(manager, false);
    u.now = now;
    tug_error err = {0};
    assert_int_equal(tug_mf_update(o, next, &u, &schema, &err), 0);
    json_decref(o);
    o = json_incref(next);
  }
  /* Ten entries: m04..m12 and the bucket holding m01..m03's fields. */
  assert_int_equal(json_array_size(tug_obj_get(o, "metadata.managedFields")), 10);
  assert_fields(o, "ancient-changes", "Update",
                "{'f:data':{'.':{},'f:k01':{},'f:k02':{},'f:k03':{}}}");
  assert_null(entry(o, "m02", "Update"));
  assert_fields(o, "m12", "Update", "{'f:data':{'f:k12':{}}}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_create_gives_the_manager_every_field_it_wrote),
      cmocka_unit_test(an_update_takes_what_it_changed_from_other_managers),
      cmocka_unit_test(an_update_that_changes_nothing_leaves_managed_fields_alone),
      cmocka_unit_test(managed_fields_a_client_writes_replace_the_stored_ones),
      cmocka_unit_test(apply_creates_with_only_the_applied_fields),
      cmocka_unit_test(apply_conflicts_with_a_field_another_manager_set),
      cmocka_unit_test(applying_the_same_value_shares_the_field),
      cmocka_unit_test(force_takes_the_field_from_the_other_manager),
      cmocka_unit_test(conflicts_with_several_managers_are_listed_by_manager),
      cmocka_unit_test(fields_no_longer_applied_are_removed_unless_someone_else_owns_them),
      cmocka_unit_test(list_elements_merge_by_key_and_others_keep_theirs),
      cmocka_unit_test(a_port_without_protocol_is_the_defaulted_one),
      cmocka_unit_test(an_applied_element_without_its_key_is_refused),
      cmocka_unit_test(an_unmanaged_object_belongs_to_before_first_apply),
      cmocka_unit_test(kubectl_takes_over_what_its_client_side_apply_set),
      cmocka_unit_test(the_oldest_of_many_update_managers_are_folded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
