/* Unit tests for the field manager's reading of the schema
 * (apiserver/fieldmanager.c): managedFields of real kinds come out in
 * Kubernetes' shape, and apply merges their lists by the schema's keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <string.h>

#include "cleanup.h"
#include "fieldmanager.h"
#include "fieldset.h"
#include "object.h"

#include "../../lib/tests/json_text.h"

static tug_ssa_schema schema_of(const char *api_version, const char *kind) {
  const api_kind *k = api_kind_by_gvk(api_version, kind);
  assert_non_null(k);
  return api_fm_schema(k);
}

static const tug_mf_op OP = {
    .manager = "m", .api_version = "apps/v1", .now = "2026-12-07T10:00:00Z"};

static void assert_json(const json_t *got, const char *want) {
  _cleanup_json_ json_t *w = js(want);
  if (!json_equal(got, w)) {
    _cleanup_free_ char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    fail_msg("got %s", g);
  }
}

/* As Kubernetes writes them: non-pointer structs and lists Go always writes
 * (spec, strategy, template, containers) are no members of their own; new
 * pointer structs, maps and omitempty lists are (rollingUpdate, labels,
 * ports); the selector is atomic. */
static void a_created_deployment_has_kubernetes_fields_v1(void **state) {
  (void)state;
  tug_ssa_schema s = schema_of("apps/v1", "Deployment");
  _cleanup_json_ json_t *d =
      js("{'apiVersion':'apps/"
         "v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web'}},"
         "'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},"
         "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%'}},"
         "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'main',"
         "'image':'busybox','ports':[{'containerPort':80,'protocol':'TCP'}]}]}}}}");
  tug_error err = {0};
  assert_int_equal(tug_mf_update(NULL, d, &OP, &s, &err), 0);
  assert_json(
      tug_obj_get(json_array_get(tug_obj_get(d, "metadata.managedFields"), 0), "fieldsV1"),
      "{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},'f:spec':{'f:replicas':{},'f:selector':{},"
      "'f:strategy':{'f:type':{},'f:rollingUpdate':{'.':{},'f:maxSurge':{}}},"
      "'f:template':{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},'f:spec':{'f:containers':{"
      "'k:{\\'name\\':\\'main\\'}':{'.':{},'f:name':{},'f:image':{},'f:ports':{'.':{},"
      "'k:{\\'containerPort\\':80,\\'protocol\\':\\'TCP\\'}':{'.':{},'f:containerPort':{},"
      "'f:protocol':{}}}}}}}}}");
}

/* Conditions merge by type, so an applier's condition leaves the others. */
static void apply_merges_conditions_by_type(void **state) {
  (void)state;
  tug_ssa_schema s = schema_of("v1", "Pod");
  _cleanup_json_ json_t *live = js(
      "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','managedFields':[{'manager':'agent',"
      "'operation':'Update','apiVersion':'v1','fieldsType':'FieldsV1','fieldsV1':{'f:status':{"
      "'f:conditions':{'k:{\\'type\\':\\'Ready\\'}':{'.':{},'f:type':{},'f:status':{}}}}}}]},"
      "'status':{'conditions':[{'type':'Ready','status':'True'}]}}");
  _cleanup_json_ json_t *config =
      js("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
         "'status':{'conditions':[{'type':'Custom','status':'False'}]}}");
  json_t *out = NULL, *conflicts = NULL;
  tug_error err = {0};
  tug_mf_op op = OP;
  op.api_version = "v1";
  assert_int_equal(tug_mf_apply(live, config, &op, &s, &out, &conflicts, &err), 0);
  assert_json(tug_obj_get(out, "status.conditions"),
              "[{'type':'Ready','status':'True'},{'type':'Custom','status':'False'}]");
  json_decref(out);
}

/* Tolerations have no list type: atomic, one leaf owned whole. */
static void a_list_without_a_type_is_atomic(void **state) {
  (void)state;
  tug_ssa_schema s = schema_of("v1", "Pod");
  _cleanup_json_ json_t *p =
      js("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{'containers':[],"
         "'tolerations':[{'key':'a','operator':'Exists'}]}}");
  json_t *set = NULL;
  tug_error err = {0};
  assert_int_equal(tug_ssa_fields(p, &s, &set, &err), 0);
  _cleanup_json_ json_t *spec = tug_fieldset_to_v1(json_object_get(set, "f:spec"));
  assert_json(spec, "{'f:tolerations':{}}");
  json_decref(set);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_created_deployment_has_kubernetes_fields_v1),
      cmocka_unit_test(apply_merges_conditions_by_type),
      cmocka_unit_test(a_list_without_a_type_is_atomic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
