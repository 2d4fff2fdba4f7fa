/* Unit tests for fieldValidation's findings (apiserver/fieldvalidation.c): keys given twice,
 * with their paths, and fields a kind's schema does not have, pruned at any depth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fieldvalidation.h"

#include "../../lib/tests/json_text.h"

/* The findings as one string: "a; b". */
static char *joined(const json_t *errors) {
  static char buf[2048];
  size_t o = 0;
  size_t i;
  json_t *e;
  buf[0] = '\0';
  json_array_foreach(errors, i, e) o +=
      (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? "; " : "", json_string_value(e));
  return buf;
}

static char *duplicates(const char *text) {
  json_t *d = api_fv_duplicates(text, strlen(text));
  char *s = d ? strdup(joined(d)) : NULL;
  json_decref(d);
  return s;
}

static void repeated_keys_are_named_by_their_path(void **state) {
  (void)state;
  char *d = duplicates("{\"metadata\":{\"name\":\"a\",\"labels\":{},\"name\":\"b\"},"
                       "\"spec\":{\"containers\":[{\"name\":\"x\"},"
                       "{\"name\":\"y\",\"image\":\"i\",\"name\":\"z\"}]},\"kind\":1,\"kind\":2}");
  assert_string_equal(d, "duplicate field \"metadata.name\"; "
                         "duplicate field \"spec.containers[1].name\"; duplicate field \"kind\"");
  free(d);
}

static void keys_are_compared_as_decoded_and_strings_are_skipped(void **state) {
  (void)state;
  char *d = duplicates("{\"a\\u0062\":1, \"ab\" : 2}");
  assert_string_equal(d, "duplicate field \"ab\"");
  free(d);
  assert_null(duplicates("{\"a\":\"}\\\"{,\\\"a\\\":\",\"b\":[1,{\"a\":2}],\"c\":{\"a\":3}}"));
  assert_null(duplicates("[{\"a\":1},{\"a\":1}]"));
}

static void long_paths_are_cut_short_not_overrun(void **state) {
  (void)state;
  char text[8192];
  size_t o = 0;
  for (int i = 0; i < 300; i++)
    o += (size_t)sprintf(text + o, "{\"key%03d\":", i);
  o += (size_t)sprintf(text + o, "{\"x\":1,\"x\":2}");
  for (int i = 0; i < 300; i++)
    text[o++] = '}';
  text[o] = '\0';
  json_t *d = api_fv_duplicates(text, o);
  assert_int_equal(json_array_size(d), 1);
  assert_true(strlen(json_string_value(json_array_get(d, 0))) < 1100);
  json_decref(d);
}

static json_t *pruned(const char *kind, const char *api_version, json_t *obj, json_t *errors) {
  api_fv_prune(api_schema_find(api_version, kind), obj, errors);
  return obj;
}

static void unknown_fields_are_pruned_wherever_they_are(void **state) {
  (void)state;
  json_t *errors = json_array();
  json_t *pod = pruned("Pod", "v1",
                       js("{'apiVersion':'v1','kind':'Pod','typo':1,"
                          "'metadata':{'name':'p','labels':{'any.key/x':'v'},'nmae':'q'},"
                          "'spec':{'containers':[{'name':'a','image':'i'},"
                          "{'name':'b','imagee':'i','resources':{'limits':{'cpu':'1'}}}],"
                          "'nodeSelector':{'disk':'ssd'}}}"),
                       errors);
  assert_string_equal(joined(errors), "unknown field \"typo\"; unknown field \"metadata.nmae\"; "
                                      "unknown field \"spec.containers[1].imagee\"");
  json_t *want = js("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p',"
                    "'labels':{'any.key/x':'v'}},'spec':{'containers':[{'name':'a','image':'i'},"
                    "{'name':'b','resources':{'limits':{'cpu':'1'}}}],"
                    "'nodeSelector':{'disk':'ssd'}}}");
  assert_true(json_equal(pod, want));
  json_decref(want);
  json_decref(pod);
  json_decref(errors);
}

static void inlined_fields_and_map_values_are_known(void **state) {
  (void)state;
  json_t *errors = json_array();
  json_t *pod =
      pruned("Pod", "v1",
             js("{'metadata':{'name':'p'},'spec':{'containers':[],"
                "'ephemeralContainers':[{'name':'debug','image':'i','targetContainerName':"
                "'a','stdin':true,'bogus':1}]}}"),
             errors);
  assert_string_equal(joined(errors), "unknown field \"spec.ephemeralContainers[0].bogus\"");
  json_decref(pod);
  json_array_clear(errors);
  pod = pruned(
      "Pod", "v1",
      js("{'spec':{'containers':[{'name':'a','livenessProbe':{'exec':{'command':['x']},"
         "'periodSeconds':5},'env':[{'name':'E','valueFrom':{'configMapKeyRef':"
         "{'name':'cm','key':'k'}}}]}],'volumes':[{'name':'v','configMap':{'name':'cm'}}]}}"),
      errors);
  assert_int_equal(json_array_size(errors), 0);
  json_decref(pod);
  json_array_clear(errors);
  json_t *dep = pruned("Deployment", "apps/v1",
                       js("{'spec':{'template':{'spec':{'containers':[{'name':'a',"
                          "'ports':[{'containerPort':80,'protocl':'TCP'}]}]}}}}"),
                       errors);
  assert_string_equal(joined(errors),
                      "unknown field \"spec.template.spec.containers[0].ports[0].protocl\"");
  json_decref(dep);
  json_decref(errors);
}

static void values_of_the_wrong_shape_are_left_to_validation(void **state) {
  (void)state;
  json_t *errors = json_array();
  json_t *pod = pruned("Pod", "v1", js("{'metadata':'x','spec':{'containers':{'a':1}}}"), errors);
  assert_int_equal(json_array_size(errors), 0);
  json_decref(pod);
  json_decref(errors);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(repeated_keys_are_named_by_their_path),
      cmocka_unit_test(keys_are_compared_as_decoded_and_strings_are_skipped),
      cmocka_unit_test(long_paths_are_cut_short_not_overrun),
      cmocka_unit_test(unknown_fields_are_pruned_wherever_they_are),
      cmocka_unit_test(inlined_fields_and_map_values_are_known),
      cmocka_unit_test(values_of_the_wrong_shape_are_left_to_validation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
