/* Unit tests of which pods `tug drain` removes, skips or stops at (kubectl's rules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "cleanup.h"
#include "cli_test.h"
#include "drain.h"

#define OWNED(kind)                                                                                \
  "\"ownerReferences\":[{\"kind\":\"" kind "\",\"name\":\"o\",\"uid\":\"u\",\"controller\":true}]"

static cli_drain_action filter(const char *pod, cli_drain_flags f, const char **why) {
  _cleanup_json_ json_t *p = J(pod);
  return cli_drain_filter(p, &f, why);
}

static void a_replicaset_pod_is_removed_without_a_word(void **state) {
  (void)state;
  const char *why;
  assert_int_equal(filter("{\"metadata\":{" OWNED("ReplicaSet") "}}", (cli_drain_flags){0}, &why),
                   CLI_DRAIN_REMOVE);
  assert_null(why);
}

static void daemonset_pods_stop_the_drain_unless_ignored(void **state) {
  (void)state;
  const char *why, *pod = "{\"metadata\":{" OWNED("DaemonSet") "}}";
  assert_int_equal(filter(pod, (cli_drain_flags){0}, &why), CLI_DRAIN_REFUSE);
  assert_non_null(strstr(why, "--ignore-daemonsets"));
  assert_int_equal(filter(pod, (cli_drain_flags){.ignore_daemonsets = true}, &why), CLI_DRAIN_SKIP);
  assert_string_equal(why, "ignoring DaemonSet-managed Pods");
}

static void emptydir_and_unowned_pods_need_their_flags_unless_finished(void **state) {
  (void)state;
  const char *why;
  const char *scratch = "{\"metadata\":{" OWNED(
      "ReplicaSet") "},"
                    "\"spec\":{\"volumes\":[{\"name\":\"s\",\"emptyDir\":{}}]}}";
  assert_int_equal(filter(scratch, (cli_drain_flags){0}, &why), CLI_DRAIN_REFUSE);
  assert_non_null(strstr(why, "--delete-emptydir-data"));
  assert_int_equal(filter(scratch, (cli_drain_flags){.delete_emptydir_data = true}, &why),
                   CLI_DRAIN_REMOVE);
  const char *bare = "{\"metadata\":{\"name\":\"b\"}}";
  assert_int_equal(filter(bare, (cli_drain_flags){0}, &why), CLI_DRAIN_REFUSE);
  assert_non_null(strstr(why, "--force"));
  assert_int_equal(filter(bare, (cli_drain_flags){.force = true}, &why), CLI_DRAIN_REMOVE);
  assert_string_equal(why, "deleting Pods that declare no controller");
  assert_int_equal(filter("{\"status\":{\"phase\":\"Succeeded\"}}", (cli_drain_flags){0}, &why),
                   CLI_DRAIN_REMOVE);
}

static void mirror_pods_are_left_alone(void **state) {
  (void)state;
  const char *why;
  assert_int_equal(
      filter("{\"metadata\":{\"annotations\":{\"kubernetes.io/config.mirror\":\"x\"}}}",
             (cli_drain_flags){.force = true}, &why),
      CLI_DRAIN_SKIP);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_replicaset_pod_is_removed_without_a_word),
      cmocka_unit_test(daemonset_pods_stop_the_drain_unless_ignored),
      cmocka_unit_test(emptydir_and_unowned_pods_need_their_flags_unless_finished),
      cmocka_unit_test(mirror_pods_are_left_alone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
