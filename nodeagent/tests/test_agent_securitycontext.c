/*
 * Unit tests of securityContext → agent_security: Kubernetes' precedence of
 * the container's fields over the pod's, runAsNonRoot's refusals, capability
 * names, seccomp profile types, and refusals of what the node cannot honour.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>
#include <linux/capability.h>
#include <string.h>

#include "agent-securitycontext.h"
#include "cleanup.h"

static json_t *parse(const char *text) {
  json_error_t jerr;
  json_t *v = json_loads(text, 0, &jerr);
  if (v == NULL)
    fail_msg("bad test JSON: %s", jerr.text);
  return v;
}

/* sec from a pod spec's securityContext and one container's, as JSON. */
static int from(const char *pod_sc, const char *ctr_sc, agent_security *sec, tug_error *err) {
  char pod[1024], ctr[1024];
  snprintf(pod, sizeof pod, "{\"securityContext\": %s}", pod_sc);
  snprintf(ctr, sizeof ctr, "{\"name\": \"app\", \"securityContext\": %s}", ctr_sc);
  _cleanup_json_ json_t *p = parse(pod), *c = parse(ctr);
  return agent_securitycontext(p, c, sec, err);
}

#define BIT(c) (UINT64_C(1) << (c))

static void test_no_security_context_is_the_zero_value(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = parse("{}"), *ctr = parse("{\"name\": \"app\"}");
  agent_security sec, zero = {0};
  tug_error err = {0};
  assert_int_equal(agent_securitycontext(pod, ctr, &sec, &err), 0);
  assert_memory_equal(&sec, &zero, sizeof sec);
}

static void test_the_container_overrides_the_pod(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(
      from("{\"runAsUser\": 1000, \"runAsGroup\": 2000}", "{\"runAsUser\": 1001}", &sec, &err), 0);
  assert_true(sec.run_as_user);
  assert_int_equal(sec.uid, 1001);
  assert_true(sec.run_as_group);
  assert_int_equal(sec.gid, 2000);
}

static void test_supplemental_groups_then_fs_group_once_each(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(from("{\"supplementalGroups\": [5, 6, 5], \"fsGroup\": 6}", "{}", &sec, &err),
                   0);
  assert_int_equal(sec.n_groups, 2);
  assert_int_equal(sec.groups[0], 5);
  assert_int_equal(sec.groups[1], 6);
}

static void test_run_as_non_root_refuses_an_image_that_runs_as_root(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  _cleanup_json_ json_t *pod = parse("{\"securityContext\": {\"runAsNonRoot\": true}}"),
                        *ctr = parse("{\"name\": \"app\"}");
  assert_int_equal(from("{\"runAsNonRoot\": true}", "{}", &sec, &err), 0);
  assert_int_equal(agent_securitycontext_image_user(pod, ctr, &sec, "", &err), -1);
  assert_string_equal(err.msg,
                      "container has runAsNonRoot and image will run as root (container: app)");
  assert_int_equal(agent_securitycontext_image_user(pod, ctr, &sec, "0:1000", &err), -1);
  assert_int_equal(agent_securitycontext_image_user(pod, ctr, &sec, "nobody", &err), -1);
  assert_string_equal(err.msg, "container has runAsNonRoot and image has non-numeric user "
                               "(nobody), cannot verify user is non-root (container: app)");
  assert_int_equal(agent_securitycontext_image_user(pod, ctr, &sec, "1000:0", &err), 0);
  err = (tug_error){0};
  assert_int_equal(from("{\"runAsNonRoot\": true}", "{\"runAsUser\": 0}", &sec, &err), -1);
  assert_non_null(strstr(err.msg, "runAsUser breaks non-root policy"));
  assert_int_equal(from("{\"runAsNonRoot\": true}", "{\"runAsUser\": 1000}", &sec, &err), 0);
  /* The container may lift the pod's demand. */
  assert_int_equal(from("{\"runAsNonRoot\": true}", "{\"runAsNonRoot\": false}", &sec, &err), 0);
}

static void test_capabilities_by_name_with_or_without_prefix_and_all(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(from("{}",
                        "{\"capabilities\": {\"drop\": [\"ALL\"], "
                        "\"add\": [\"NET_BIND_SERVICE\", \"CAP_NET_ADMIN\"]}}",
                        &sec, &err),
                   0);
  assert_true(sec.drop_all);
  assert_int_equal(sec.cap_add, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_ADMIN));
  assert_int_equal(
      from("{}", "{\"capabilities\": {\"drop\": [\"MKNOD\", \"net_raw\"]}}", &sec, &err), 0);
  assert_false(sec.drop_all);
  assert_int_equal(sec.cap_drop, BIT(CAP_MKNOD) | BIT(CAP_NET_RAW));
  assert_int_equal(from("{}", "{\"capabilities\": {\"add\": [\"ALL\"]}}", &sec, &err), 0);
  assert_true(sec.cap_add & BIT(CAP_SYS_ADMIN));
  assert_true(sec.cap_add & BIT(CAP_CHECKPOINT_RESTORE));
}

static void test_an_unknown_capability_is_refused_by_name(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(
      from("{}", "{\"capabilities\": {\"add\": [\"NET_BIND_SERVICE\", \"FLY\"]}}", &sec, &err), -1);
  assert_string_equal(err.msg, "securityContext.capabilities.add[1]: unknown capability \"FLY\"");
}

static void test_seccomp_profile_types(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(from("{\"seccompProfile\": {\"type\": \"Unconfined\"}}", "{}", &sec, &err), 0);
  assert_int_equal(sec.seccomp, AGENT_SECCOMP_UNCONFINED);
  /* The profile's name is borrowed from the container's JSON. */
  _cleanup_json_ json_t *pod = parse("{\"securityContext\": {\"seccompProfile\": "
                                     "{\"type\": \"Unconfined\"}}}"),
                        *ctr =
                            parse("{\"name\": \"app\", \"securityContext\": {\"seccompProfile\": "
                                  "{\"type\": \"Localhost\", \"localhostProfile\": "
                                  "\"strict.json\"}}}");
  assert_int_equal(agent_securitycontext(pod, ctr, &sec, &err), 0);
  assert_int_equal(sec.seccomp, AGENT_SECCOMP_LOCALHOST);
  assert_string_equal(sec.seccomp_profile, "strict.json");
  assert_int_equal(from("{}", "{\"seccompProfile\": {\"type\": \"RuntimeDefault\"}}", &sec, &err),
                   0);
  assert_int_equal(sec.seccomp, AGENT_SECCOMP_RUNTIME_DEFAULT);
  assert_int_equal(from("{}", "{\"seccompProfile\": {\"type\": \"Localhost\"}}", &sec, &err), -1);
  assert_non_null(strstr(err.msg, "needs localhostProfile"));
  assert_int_equal(from("{}", "{\"seccompProfile\": {\"type\": \"Lax\"}}", &sec, &err), -1);
  assert_non_null(strstr(err.msg, "not supported"));
}

static void test_privileged_allows_escalation_and_flags_are_read(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(from("{}", "{\"privileged\": true}", &sec, &err), 0);
  assert_true(sec.privileged);
  assert_true(sec.allow_privilege_escalation);
  assert_int_equal(from("{}",
                        "{\"procMount\": \"Unmasked\", \"readOnlyRootFilesystem\": true, "
                        "\"allowPrivilegeEscalation\": true}",
                        &sec, &err),
                   0);
  assert_false(sec.privileged);
  assert_true(sec.unmasked_proc);
  assert_true(sec.read_only_rootfs);
  assert_true(sec.allow_privilege_escalation);
}

static void test_what_the_node_cannot_do_is_refused(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(from("{\"sysctls\": [{\"name\": \"net.core.somaxconn\", \"value\": \"1024\"}]}",
                        "{}", &sec, &err),
                   -1);
  assert_non_null(strstr(err.msg, "sysctls"));
  assert_int_equal(from("{}", "{\"windowsOptions\": {\"hostProcess\": true}}", &sec, &err), -1);
  assert_int_equal(
      from("{\"appArmorProfile\": {\"type\": \"Localhost\", \"localhostProfile\": \"x\"}}", "{}",
           &sec, &err),
      -1);
  assert_non_null(strstr(err.msg, "AppArmor is not enabled"));
  assert_int_equal(from("{}", "{\"appArmorProfile\": {\"type\": \"RuntimeDefault\"}}", &sec, &err),
                   0);
}

static void test_wrong_types_are_errors_not_crashes(void **state) {
  (void)state;
  agent_security sec;
  tug_error err = {0};
  assert_int_equal(from("{\"runAsUser\": \"root\"}", "{}", &sec, &err), -1);
  assert_int_equal(from("{\"runAsGroup\": -1}", "{}", &sec, &err), -1);
  assert_int_equal(from("{\"supplementalGroups\": [1, \"x\"]}", "{}", &sec, &err), -1);
  assert_int_equal(from("{}", "{\"capabilities\": {\"add\": [7]}}", &sec, &err), -1);
  assert_int_equal(from("{}", "{\"capabilities\": \"ALL\"}", &sec, &err), 0);
  assert_int_equal(from("{}", "{\"seccompProfile\": 3}", &sec, &err), -1);
  _cleanup_json_ json_t *pod = parse("{\"securityContext\": [1]}"), *ctr = parse("[]");
  assert_int_equal(agent_securitycontext(pod, ctr, &sec, &err), 0);
}

static void test_host_users_false_asks_for_a_user_namespace(void **state) {
  (void)state;
  _cleanup_json_ json_t *off = parse("{\"hostUsers\": false}"),
                        *on = parse("{\"hostUsers\": true}"), *unset = parse("{}");
  assert_true(agent_securitycontext_user_namespace(off));
  assert_false(agent_securitycontext_user_namespace(on));
  assert_false(agent_securitycontext_user_namespace(unset));
  assert_false(agent_securitycontext_user_namespace(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_security_context_is_the_zero_value),
      cmocka_unit_test(test_the_container_overrides_the_pod),
      cmocka_unit_test(test_supplemental_groups_then_fs_group_once_each),
      cmocka_unit_test(test_run_as_non_root_refuses_an_image_that_runs_as_root),
      cmocka_unit_test(test_capabilities_by_name_with_or_without_prefix_and_all),
      cmocka_unit_test(test_an_unknown_capability_is_refused_by_name),
      cmocka_unit_test(test_seccomp_profile_types),
      cmocka_unit_test(test_privileged_allows_escalation_and_flags_are_read),
      cmocka_unit_test(test_what_the_node_cannot_do_is_refused),
      cmocka_unit_test(test_wrong_types_are_errors_not_crashes),
      cmocka_unit_test(test_host_users_false_asks_for_a_user_namespace),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
