/*
 * Tests of the serviceaccounts controller's reconcile (serviceaccounts.c)
 * against a recording client: each live namespace gets its default
 * ServiceAccount and, with a root CA, its kube-root-ca.crt ConfigMap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_fixture.h"
#include "object.h"

#define CA "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

static json_t *ns(const char *name, const char *phase) {
  json_t *n = fx_object("v1", "Namespace", NULL, name, name);
  json_object_set_new(n, "status", json_pack("{s:s}", "phase", phase));
  return n;
}

static json_t *root_ca(const char *ns_name, const char *pem) {
  json_t *cm = fx_object("v1", "ConfigMap", ns_name, "kube-root-ca.crt", "cm-uid");
  json_object_set_new(cm, "data", json_pack("{s:s, s:s}", "ca.crt", pem, "extra", "kept"));
  return cm;
}

static void test_a_namespace_without_its_default_account_gets_one(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_serviceaccounts_new);
  fx_put(f, CTL_NAMESPACES, ns("team-a", "Active"));
  fx_reconcile(f, "team-a");
  json_t *sa = fx_body(f, "POST", "/api/v1/namespaces/team-a/serviceaccounts", 0);
  assert_string_equal(tug_obj_name(sa), "default");
  assert_string_equal(tug_obj_kind(sa), "ServiceAccount");
  /* No --root-ca-file: no ConfigMap. */
  assert_int_equal(fx_sent(f, NULL, "/api/v1/namespaces/team-a/configmaps"), 0);
  /* Once the account is there, nothing more is sent. */
  fx_put(f, CTL_SERVICEACCOUNTS, fx_object("v1", "ServiceAccount", "team-a", "default", "u"));
  fx_reconcile(f, "team-a");
  assert_int_equal(fx_sent(f, "POST", NULL), 1);
  fx_free(f);
}

static void test_a_terminating_namespace_is_left_alone(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_serviceaccounts_new);
  f->x.cfg.root_ca_pem = CA;
  fx_put(f, CTL_NAMESPACES, ns("going", "Terminating"));
  fx_reconcile(f, "going");
  fx_reconcile(f, "never-existed");
  assert_int_equal(fx_sent(f, NULL, NULL), 0);
  fx_free(f);
}

static void test_the_root_ca_is_published_and_put_back(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_serviceaccounts_new);
  f->x.cfg.root_ca_pem = CA;
  fx_put(f, CTL_NAMESPACES, ns("team-b", "Active"));
  fx_put(f, CTL_SERVICEACCOUNTS, fx_object("v1", "ServiceAccount", "team-b", "default", "u"));
  fx_reconcile(f, "team-b");
  json_t *cm = fx_body(f, "POST", "/api/v1/namespaces/team-b/configmaps", 0);
  assert_string_equal(tug_obj_name(cm), "kube-root-ca.crt");
  assert_string_equal(json_string_value(json_object_get(json_object_get(cm, "data"), "ca.crt")),
                      CA);
  /* The same CA: nothing to do; another: ca.crt put back, other keys kept. */
  fx_put(f, CTL_ROOT_CA, root_ca("team-b", CA));
  fx_reconcile(f, "team-b");
  assert_int_equal(fx_sent(f, NULL, NULL), 1);
  fx_put(f, CTL_ROOT_CA, root_ca("team-b", "tampered"));
  fx_reconcile(f, "team-b");
  json_t *put = fx_body(f, "PUT", "/api/v1/namespaces/team-b/configmaps/kube-root-ca.crt", 0);
  json_t *data = json_object_get(put, "data");
  assert_string_equal(json_string_value(json_object_get(data, "ca.crt")), CA);
  assert_string_equal(json_string_value(json_object_get(data, "extra")), "kept");
  assert_string_equal(tug_obj_get_str(put, "metadata.resourceVersion"), "1");
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_namespace_without_its_default_account_gets_one),
      cmocka_unit_test(test_a_terminating_namespace_is_left_alone),
      cmocka_unit_test(test_the_root_ca_is_published_and_put_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
