/* Unit tests for custom objects against their CRD's structural schema
 * (apiserver/jsonschema.c): pruning, defaulting, validation, and the rules a
 * schema must follow; and for the CRD's own validation (validation-crd.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../lib/tests/json_text.h"
#include "jsonschema.h"
#include "object.h"
#include "validation.h"

/* A widget's schema: spec.size (required enum), spec.replicas (0..10, default
 * 1), spec.color (pattern), spec.tags (unique strings, at most 2), spec.port
 * (int-or-string), spec.extra (keeps anything), spec.labels (a string map),
 * spec.template (an embedded object), spec.note (nullable). */
static const char *const widget_schema =
    "{'type':'object','properties':{'spec':{'type':'object','required':['size'],"
    "'properties':{"
    "'size':{'type':'string','enum':['small','large']},"
    "'replicas':{'type':'integer','minimum':0,'maximum':10,'default':1},"
    "'color':{'type':'string','pattern':'^[a-z]+$','maxLength':8},"
    "'tags':{'type':'array','maxItems':2,'uniqueItems':true,'items':{'type':'string'}},"
    "'port':{'x-kubernetes-int-or-string':true},"
    "'extra':{'type':'object','x-kubernetes-preserve-unknown-fields':true},"
    "'labels':{'type':'object','additionalProperties':{'type':'string'}},"
    "'template':{'type':'object','x-kubernetes-embedded-resource':true,"
    "'properties':{'spec':{'type':'object','properties':{'x':{'type':'string'}}}}},"
    "'note':{'type':'string','nullable':true},"
    "'items':{'type':'array','items':{'type':'object','properties':{'name':{'type':'string',"
    "'default':'none'}}}}"
    "}}}}";

/* The cause on field with reason, or NULL. */
static const json_t *cause(const json_t *causes, const char *field, const char *reason) {
  size_t i;
  json_t *c;
  json_array_foreach(causes, i,
                     c) if (strcmp(json_string_value(json_object_get(c, "field")), field) == 0 &&
                            strcmp(json_string_value(json_object_get(c, "reason")), reason) ==
                                0) return c;
  return NULL;
}

static void expect_cause(const json_t *causes, const char *field, const char *reason) {
  if (cause(causes, field, reason) == NULL) {
    char *text = json_dumps(causes, JSON_INDENT(1));
    fail_msg("no %s cause on %s in %s", reason, field, text);
  }
}

static json_t *validated(const char *object) {
  json_t *schema = js(widget_schema), *obj = js(object), *causes = json_array();
  api_jsonschema_validate(schema, obj, "", causes);
  json_decref(schema);
  json_decref(obj);
  return causes;
}

static void unknown_fields_are_pruned_and_named_at_any_depth(void **state) {
  (void)state;
  json_t *schema = js(widget_schema), *unknown = json_array();
  json_t *obj = js("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'},"
                   "'spec':{'size':'small','sise':1,'items':[{'name':'a','nmae':'b'}],"
                   "'extra':{'anything':{'goes':1}},'labels':{'a':'b'},"
                   "'template':{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
                   "'spec':{'x':'y','z':1}}},'bogus':true}");
  api_jsonschema_prune(schema, obj, true, unknown);
  assert_int_equal(json_array_size(unknown), 4);
  assert_string_equal(json_string_value(json_array_get(unknown, 0)), "unknown field \"spec.sise\"");
  json_t *want = js("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'},"
                    "'spec':{'size':'small','items':[{'name':'a'}],"
                    "'extra':{'anything':{'goes':1}},'labels':{'a':'b'},"
                    "'template':{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},"
                    "'spec':{'x':'y'}}}}");
  assert_true(json_equal(obj, want));
  json_t *text = json_pack("[s,s,s]", "unknown field \"spec.items[0].nmae\"",
                           "unknown field \"spec.template.spec.z\"", "unknown field \"bogus\"");
  for (size_t i = 0; i < json_array_size(text); i++) {
    bool found = false;
    for (size_t j = 0; j < json_array_size(unknown); j++)
      found |= json_equal(json_array_get(text, i), json_array_get(unknown, j));
    assert_true(found);
  }
  json_decref(text);
  json_decref(want);
  json_decref(obj);
  json_decref(unknown);
  json_decref(schema);
}

static void defaults_fill_missing_fields_of_present_objects_only(void **state) {
  (void)state;
  json_t *schema = js(widget_schema);
  json_t *obj = js("{'spec':{'size':'small','replicas':3,'items':[{},{'name':'x'}]}}");
  api_jsonschema_default(schema, obj);
  assert_int_equal(tug_obj_get_int(obj, "spec.replicas", 0), 3);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(tug_obj_get(obj, "spec.items"), 0), "name")),
      "none");
  json_decref(obj);
  obj = js("{'spec':{'size':'small'}}");
  api_jsonschema_default(schema, obj);
  assert_int_equal(tug_obj_get_int(obj, "spec.replicas", 0), 1);
  json_decref(obj);
  obj = js("{'metadata':{}}");
  api_jsonschema_default(schema, obj);
  assert_null(json_object_get(obj, "spec"));
  json_decref(obj);
  json_decref(schema);
}

static void a_valid_object_has_no_causes(void **state) {
  (void)state;
  json_t *causes = validated("{'metadata':{'name':'Not-A-Schema-Matter'},'spec':{'size':'large',"
                             "'replicas':10,'color':'red','tags':['a','b'],'port':'http',"
                             "'note':null,'template':{'apiVersion':'v1','kind':'Pod'}}}");
  assert_int_equal(json_array_size(causes), 0);
  json_decref(causes);
}

static void each_keyword_gives_kubernetes_cause_and_path(void **state) {
  (void)state;
  json_t *causes = validated("{'spec':{'replicas':11,'color':'Red','tags':['a','a','b'],"
                             "'port':1.5,'note':3,'template':{'spec':{}}}}");
  expect_cause(causes, "spec.size", "FieldValueRequired");
  expect_cause(causes, "spec.replicas", "FieldValueInvalid");
  expect_cause(causes, "spec.color", "FieldValueInvalid");
  expect_cause(causes, "spec.tags", "FieldValueTooMany");
  expect_cause(causes, "spec.tags[1]", "FieldValueDuplicate");
  expect_cause(causes, "spec.port", "FieldValueTypeInvalid");
  expect_cause(causes, "spec.note", "FieldValueTypeInvalid");
  expect_cause(causes, "spec.template.apiVersion", "FieldValueRequired");
  assert_string_equal(
      json_string_value(
          json_object_get(cause(causes, "spec.replicas", "FieldValueInvalid"), "message")),
      "Invalid value: 11: spec.replicas in body should be less than or equal to 10");
  json_decref(causes);
  causes = validated("{'spec':{'size':'huge','replicas':'3','color':'abcdefghij'}}");
  assert_string_equal(json_string_value(json_object_get(
                          cause(causes, "spec.size", "FieldValueNotSupported"), "message")),
                      "Unsupported value: \"huge\": supported values: \"small\", \"large\"");
  assert_string_equal(
      json_string_value(
          json_object_get(cause(causes, "spec.replicas", "FieldValueTypeInvalid"), "message")),
      "Invalid value: \"string\": spec.replicas in body must be of type integer: \"3\"");
  expect_cause(causes, "spec.color", "FieldValueTooLong");
  json_decref(causes);
}

static void null_is_refused_unless_nullable(void **state) {
  (void)state;
  json_t *causes = validated("{'spec':{'size':null,'note':null}}");
  expect_cause(causes, "spec.size", "FieldValueTypeInvalid");
  assert_null(cause(causes, "spec.note", "FieldValueTypeInvalid"));
  json_decref(causes);
}

static json_t *checked(const char *schema) {
  json_t *s = js(schema), *causes = json_array();
  api_jsonschema_check(s, "spec.versions[0].schema.openAPIV3Schema", true, causes);
  json_decref(s);
  return causes;
}

static void structural_rules_refuse_what_kubernetes_refuses(void **state) {
  (void)state;
  const char *root = "spec.versions[0].schema.openAPIV3Schema";
  char field[256];
  json_t *causes = checked("{'type':'object','properties':{'spec':{'properties':{}}}}");
  snprintf(field, sizeof field, "%s.properties[spec].type", root);
  expect_cause(causes, field, "FieldValueRequired");
  json_decref(causes);
  causes = checked("{'type':'array','items':{'type':'string'}}");
  snprintf(field, sizeof field, "%s.type", root);
  expect_cause(causes, field, "FieldValueInvalid");
  json_decref(causes);
  causes =
      checked("{'type':'object','properties':{'a':{'type':'array'},"
              "'b':{'type':'object','properties':{},'additionalProperties':{'type':'string'}},"
              "'c':{'type':'string','x-kubernetes-int-or-string':true},"
              "'d':{'type':'int'},'e':{'type':'string','pattern':'('},"
              "'f':{'type':'integer','default':'x'},"
              "'g':{'type':'string','x-kubernetes-validations':[{'rule':'self.size() > 0'}]}}}");
  snprintf(field, sizeof field, "%s.properties[a].items", root);
  expect_cause(causes, field, "FieldValueRequired");
  snprintf(field, sizeof field, "%s.properties[b].additionalProperties", root);
  expect_cause(causes, field, "FieldValueForbidden");
  snprintf(field, sizeof field, "%s.properties[c].type", root);
  expect_cause(causes, field, "FieldValueForbidden");
  snprintf(field, sizeof field, "%s.properties[d].type", root);
  expect_cause(causes, field, "FieldValueNotSupported");
  snprintf(field, sizeof field, "%s.properties[e].pattern", root);
  expect_cause(causes, field, "FieldValueInvalid");
  snprintf(field, sizeof field, "%s.properties[f].default", root);
  expect_cause(causes, field, "FieldValueTypeInvalid");
  snprintf(field, sizeof field, "%s.properties[g].x-kubernetes-validations", root);
  expect_cause(causes, field, "FieldValueForbidden");
  json_decref(causes);
  causes = checked("{'type':'object','properties':{'metadata':{'type':'object','properties':"
                   "{'labels':{'type':'object'}}}}}");
  snprintf(field, sizeof field, "%s.properties[metadata].properties[labels]", root);
  expect_cause(causes, field, "FieldValueForbidden");
  json_decref(causes);
  causes = checked(widget_schema);
  assert_int_equal(json_array_size(causes), 0);
  json_decref(causes);
}

/* ---- the CRD itself ---- */

static json_t *crd(void) {
  json_t *c = js("{'apiVersion':'apiextensions.k8s.io/v1','kind':'CustomResourceDefinition',"
                 "'metadata':{'name':'widgets.example.com'},'spec':{'group':'example.com',"
                 "'scope':'Namespaced','names':{'plural':'widgets','kind':'Widget',"
                 "'shortNames':['wg']},'versions':[{'name':'v1','served':true,'storage':true,"
                 "'schema':{'openAPIV3Schema':{'type':'object'}},"
                 "'subresources':{'status':{},'scale':{'specReplicasPath':'.spec.replicas',"
                 "'statusReplicasPath':'.status.replicas'}},"
                 "'additionalPrinterColumns':[{'name':'Size','type':'string',"
                 "'jsonPath':'.spec.size'}]}]}}");
  api_default_customresourcedefinition(c);
  return c;
}

static json_t *crd_causes(json_t *c) {
  json_t *causes = json_array();
  api_validate_customresourcedefinition(c, NULL, causes);
  json_decref(c);
  return causes;
}

static void a_crd_is_defaulted_and_valid(void **state) {
  (void)state;
  json_t *c = crd();
  assert_string_equal(tug_obj_get_str(c, "spec.names.singular"), "widget");
  assert_string_equal(tug_obj_get_str(c, "spec.names.listKind"), "WidgetList");
  assert_string_equal(tug_obj_get_str(c, "spec.conversion.strategy"), "None");
  json_t *causes = crd_causes(c);
  assert_int_equal(json_array_size(causes), 0);
  json_decref(causes);
}

static void a_crd_needs_its_name_one_storage_version_and_sound_parts(void **state) {
  (void)state;
  json_t *c = crd();
  tug_obj_set_name(c, "gadgets.example.com", NULL);
  json_t *causes = crd_causes(c);
  expect_cause(causes, "metadata.name", "FieldValueInvalid");
  json_decref(causes);
  c = crd();
  json_array_append_new(tug_obj_get(c, "spec.versions"),
                        js("{'name':'v2','served':true,'storage':true,"
                           "'schema':{'openAPIV3Schema':{'type':'object'}}}"));
  causes = crd_causes(c);
  expect_cause(causes, "spec.versions", "FieldValueInvalid");
  json_decref(causes);
  c = crd();
  tug_obj_set(c, "spec.group", json_string("example"), NULL);
  tug_obj_set(c, "spec.scope", json_string("Global"), NULL);
  tug_obj_set(c, "spec.names.kind", json_string("Wid get"), NULL);
  tug_obj_set(c, "spec.conversion.strategy", json_string("Webhook"), NULL);
  json_t *v = json_array_get(tug_obj_get(c, "spec.versions"), 0);
  json_object_del(v, "schema");
  tug_obj_set(v, "subresources.scale.specReplicasPath", json_string(".status.replicas"), NULL);
  json_object_set_new(json_array_get(json_object_get(v, "additionalPrinterColumns"), 0), "type",
                      json_string("float"));
  causes = crd_causes(c);
  expect_cause(causes, "spec.group", "FieldValueInvalid");
  expect_cause(causes, "spec.scope", "FieldValueNotSupported");
  expect_cause(causes, "spec.names.kind", "FieldValueInvalid");
  expect_cause(causes, "spec.conversion.strategy", "FieldValueNotSupported");
  expect_cause(causes, "spec.versions[0].schema.openAPIV3Schema", "FieldValueRequired");
  expect_cause(causes, "spec.versions[0].subresources.scale.specReplicasPath", "FieldValueInvalid");
  expect_cause(causes, "spec.versions[0].additionalPrinterColumns[0].type",
               "FieldValueNotSupported");
  json_decref(causes);
}

static void a_crd_keeps_its_scope_and_group(void **state) {
  (void)state;
  json_t *old = crd(), *c = crd(), *causes = json_array();
  tug_obj_set(c, "spec.scope", json_string("Cluster"), NULL);
  api_validate_customresourcedefinition(c, old, causes);
  expect_cause(causes, "spec.scope", "FieldValueInvalid");
  json_decref(causes);
  json_decref(c);
  json_decref(old);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unknown_fields_are_pruned_and_named_at_any_depth),
      cmocka_unit_test(defaults_fill_missing_fields_of_present_objects_only),
      cmocka_unit_test(a_valid_object_has_no_causes),
      cmocka_unit_test(each_keyword_gives_kubernetes_cause_and_path),
      cmocka_unit_test(null_is_refused_unless_nullable),
      cmocka_unit_test(structural_rules_refuse_what_kubernetes_refuses),
      cmocka_unit_test(a_crd_is_defaulted_and_valid),
      cmocka_unit_test(a_crd_needs_its_name_one_storage_version_and_sound_parts),
      cmocka_unit_test(a_crd_keeps_its_scope_and_group),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
