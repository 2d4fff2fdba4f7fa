/* Unit tests for the table of built-in kinds and the paths built from it (lib/kinds.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "kinds.h"

static void test_namespaced_kinds_get_a_namespace_and_cluster_kinds_none(void **state) {
  (void)state;
  char p[256];
  tug_error err = {0};
  assert_int_equal(tug_api_path(p, sizeof p, "ReplicaSet", "ns", "web", "scale", &err), 0);
  assert_string_equal(p, "/apis/apps/v1/namespaces/ns/replicasets/web/scale");
  assert_int_equal(tug_api_path(p, sizeof p, "Pod", NULL, NULL, NULL, &err), 0);
  assert_string_equal(p, "/api/v1/pods");
  assert_int_equal(tug_api_path(p, sizeof p, "Node", "ignored", "n1", "status", &err), 0);
  assert_string_equal(p, "/api/v1/nodes/n1/status");
  assert_int_equal(tug_api_path(p, sizeof p, "Endpoints", "ns", NULL, NULL, &err), 0);
  assert_string_equal(p, "/api/v1/namespaces/ns/endpoints");
  assert_int_equal(tug_api_path(p, sizeof p, "PriorityClass", NULL, "high", NULL, &err), 0);
  assert_string_equal(p, "/apis/scheduling.k8s.io/v1/priorityclasses/high");
}

static void test_an_unknown_kind_is_an_error_not_a_guess(void **state) {
  (void)state;
  char p[256];
  tug_error err = {0};
  assert_int_equal(tug_api_path(p, sizeof p, "Widget", "ns", "w", NULL, &err), -1);
  assert_int_equal(err.code, ENOENT);
  assert_null(tug_kind_find("apps/v2", "Deployment"));
  assert_null(tug_kind_find("v1", "Deployment"));
  assert_non_null(tug_kind_find("apps/v1", "Deployment"));
}

static void test_an_object_path_follows_its_api_version_and_kind(void **state) {
  (void)state;
  char p[256];
  tug_error err = {0};
  json_t *job = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "batch/v1", "kind", "Job",
                          "metadata", "name", "j", "namespace", "ns");
  assert_int_equal(tug_obj_path(p, sizeof p, job, "status", &err), 0);
  assert_string_equal(p, "/apis/batch/v1/namespaces/ns/jobs/j/status");
  assert_ptr_equal(tug_kind_by_resource("batch", "jobs"), tug_kind_find(NULL, "Job"));
  json_decref(job);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_namespaced_kinds_get_a_namespace_and_cluster_kinds_none),
      cmocka_unit_test(test_an_unknown_kind_is_an_error_not_a_guess),
      cmocka_unit_test(test_an_object_path_follows_its_api_version_and_kind),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
