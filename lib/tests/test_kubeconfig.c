/* Unit tests for lib/kubeconfig.c: Kubernetes' kubeconfig files read and written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kubeconfig.h"

static const char two_contexts[] =
    "apiVersion: v1\n"
    "kind: Config\n"
    "clusters:\n"
    "- name: a\n"
    "  cluster: {server: \"https://127.0.0.1:6443\", certificate-authority-data: Q0EK}\n"
    "- name: b\n"
    "  cluster: {server: \"https://10.0.0.1:6443\", certificate-authority: ca.crt}\n"
    "users:\n"
    "- name: cert\n"
    "  user: {client-certificate-data: Q0VSVAo=, client-key-data: S0VZCg==}\n"
    "- name: tok\n"
    "  user: {token: s3cret}\n"
    "contexts:\n"
    "- name: one\n"
    "  context: {cluster: a, user: cert, namespace: team-a}\n"
    "- name: two\n"
    "  context: {cluster: b, user: tok}\n"
    "current-context: one\n";

static int parse(const char *text, const char *context, tug_kubeconfig *k, tug_error *err) {
  return tug_kubeconfig_parse(text, strlen(text), "/nowhere/config", context, k, err);
}

static void the_current_context_picks_cluster_user_and_namespace(void **state) {
  (void)state;
  tug_kubeconfig k;
  tug_error err = {0};
  assert_int_equal(parse(two_contexts, NULL, &k, &err), 0);
  assert_string_equal(k.context, "one");
  assert_string_equal(k.server, "https://127.0.0.1:6443");
  assert_string_equal(k.namespace, "team-a");
  assert_string_equal(k.ca_pem, "CA\n");
  assert_string_equal(k.cert_pem, "CERT\n");
  assert_string_equal(k.key_pem, "KEY\n");
  assert_null(k.token);
  tug_kubeconfig_clear(&k);
}

static void file_paths_are_relative_to_the_kubeconfig(void **state) {
  (void)state;
  tug_kubeconfig k;
  tug_error err = {0};
  assert_int_equal(parse(two_contexts, "two", &k, &err), -1);
  assert_int_equal(err.code, ENOENT);
  assert_non_null(strstr(err.msg, "/nowhere/ca.crt"));
}

static void a_named_context_with_a_token(void **state) {
  (void)state;
  char dir[] = "/tmp/test-kc.XXXXXX", path[128], ca[128];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/config", dir);
  snprintf(ca, sizeof ca, "%s/ca.crt", dir);
  FILE *f = fopen(path, "w");
  fputs(two_contexts, f);
  fclose(f);
  f = fopen(ca, "w");
  fputs("FILE CA\n", f);
  fclose(f);
  tug_kubeconfig k;
  tug_error err = {0};
  assert_int_equal(tug_kubeconfig_load(path, "two", &k, &err), 0);
  assert_string_equal(k.server, "https://10.0.0.1:6443");
  assert_string_equal(k.ca_pem, "FILE CA\n");
  assert_string_equal(k.token, "s3cret");
  assert_null(k.cert_pem);
  assert_null(k.namespace);
  tug_kubeconfig_clear(&k);
  unlink(path);
  unlink(ca);
  rmdir(dir);
}

static void mistakes_name_the_field(void **state) {
  (void)state;
  tug_kubeconfig k;
  tug_error err = {0};
  assert_int_equal(parse(two_contexts, "three", &k, &err), -1);
  assert_non_null(strstr(err.msg, "no context named \"three\""));
  assert_int_equal(parse("apiVersion: v1\nkind: Pod\n", NULL, &k, &err), -1);
  assert_non_null(strstr(err.msg, "not a kubeconfig"));
  const char *half = "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                     "clusters: [{name: a, cluster: {server: \"https://x:1\"}}]\n"
                     "users: [{name: u, user: {client-certificate-data: Q0VSVAo=}}]\n"
                     "contexts: [{name: c, context: {cluster: a, user: u}}]\n";
  assert_int_equal(parse(half, NULL, &k, &err), -1);
  assert_non_null(strstr(err.msg, "needs its key"));
  const char *bad64 = "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                      "clusters: [{name: a, cluster: {server: \"https://x:1\", "
                      "certificate-authority-data: \"!!\"}}]\n"
                      "contexts: [{name: c, context: {cluster: a}}]\n";
  assert_int_equal(parse(bad64, NULL, &k, &err), -1);
  assert_non_null(strstr(err.msg, "certificate-authority-data: not base64"));
}

static void what_is_written_reads_back_private(void **state) {
  (void)state;
  char dir[] = "/tmp/test-kc.XXXXXX", path[128];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/admin.kubeconfig", dir);
  tug_kubeconfig_spec spec = {.name = "tugboat",
                              .server = "https://127.0.0.1:6443",
                              .namespace = "default",
                              .ca_pem = "CA PEM\n",
                              .cert_pem = "CERT PEM\n",
                              .key_pem = "KEY PEM\n"};
  tug_error err = {0};
  assert_int_equal(tug_kubeconfig_write(path, &spec, &err), 0);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  tug_kubeconfig k;
  assert_int_equal(tug_kubeconfig_load(path, NULL, &k, &err), 0);
  assert_string_equal(k.server, spec.server);
  assert_string_equal(k.namespace, "default");
  assert_string_equal(k.ca_pem, spec.ca_pem);
  assert_string_equal(k.cert_pem, spec.cert_pem);
  assert_string_equal(k.key_pem, spec.key_pem);
  tug_kubeconfig_clear(&k);
  unlink(path);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_current_context_picks_cluster_user_and_namespace),
      cmocka_unit_test(file_paths_are_relative_to_the_kubeconfig),
      cmocka_unit_test(a_named_context_with_a_token),
      cmocka_unit_test(mistakes_name_the_field),
      cmocka_unit_test(what_is_written_reads_back_private),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
