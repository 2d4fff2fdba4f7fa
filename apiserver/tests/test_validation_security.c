/* Unit tests for pod and container security validation (apiserver/validation-security.c and
 * workingDir in validation-container.c): types and ranges of securityContext fields,
 * Kubernetes' cross-field rules, and host namespaces refused as unsupported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "registry.h"
#include "validation.h"

#include "../../lib/tests/json_text.h"

/* A Pod whose spec has spec_members and whose one container has container_members, both
 * JSON object members written with ' for " ("" for none). */
static json_t *pod(const char *spec_members, const char *container_members) {
  size_t size = strlen(spec_members) + strlen(container_members) + 256;
  _cleanup_free_ char *text = malloc(size);
  snprintf(text, size,
           "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'default'},"
           "'spec':{%s%s'containers':[{'name':'c','image':'busybox'%s%s}]}}",
           spec_members, *spec_members ? "," : "", *container_members ? "," : "",
           container_members);
  return js(text);
}

/* The causes of creating obj (consumed), as the server runs it. */
static json_t *created(json_t *obj) {
  json_t *causes = json_array();
  api_default_pod(obj);
  api_validate_metadata(obj, "Pod", true, causes);
  api_validate_pod(obj, NULL, causes);
  json_decref(obj);
  return causes;
}

/* Creating obj yields exactly one cause, at field with message. */
static void refused(json_t *obj, const char *field, const char *message) {
  json_t *causes = created(obj);
  _cleanup_free_ char *dump = json_dumps(causes, JSON_INDENT(1));
  if (json_array_size(causes) != 1)
    fail_msg("expected one cause at %s, got: %s", field, dump);
  json_t *c = json_array_get(causes, 0);
  assert_string_equal(json_string_value(json_object_get(c, "field")), field);
  assert_string_equal(json_string_value(json_object_get(c, "message")), message);
  json_decref(causes);
}

static void valid(json_t *obj) {
  json_t *causes = created(obj);
  _cleanup_free_ char *dump = json_dumps(causes, JSON_INDENT(1));
  if (json_array_size(causes) != 0)
    fail_msg("expected no causes, got: %s", dump);
  json_decref(causes);
}

#define SC "spec.securityContext"
#define CSC "spec.containers[0].securityContext"

static void working_dir_must_be_absolute(void **state) {
  (void)state;
  refused(pod("", "'workingDir':'x'"), "spec.containers[0].workingDir",
          "Invalid value: \"x\": must be an absolute path");
  valid(pod("", "'workingDir':'/srv/app'"));
}

static void host_namespaces_are_refused_as_unsupported(void **state) {
  (void)state;
  static const char *const fields[] = {"hostNetwork", "hostPID", "hostIPC"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    char member[64], field[64];
    snprintf(member, sizeof member, "'%s':true", fields[i]);
    snprintf(field, sizeof field, "spec.%s", fields[i]);
    refused(pod(member, ""), field, "Forbidden: not supported by Tugboat");
    snprintf(member, sizeof member, "'%s':false", fields[i]);
    valid(pod(member, ""));
  }
  refused(pod("'hostNetwork':'yes'", ""), "spec.hostNetwork",
          "Invalid value: \"yes\": must be a boolean");
}

static void host_users_must_be_a_boolean(void **state) {
  (void)state;
  refused(pod("'hostUsers':1", ""), "spec.hostUsers", "Invalid value: 1: must be a boolean");
  valid(pod("'hostUsers':false", ""));
}

static void user_and_group_ids_are_non_negative_int32s(void **state) {
  (void)state;
  const char *range = "must be between 0 and 2147483647, inclusive";
  char want[128];
  snprintf(want, sizeof want, "Invalid value: -1: %s", range);
  refused(pod("'securityContext':{'runAsUser':-1}", ""), SC ".runAsUser", want);
  refused(pod("'securityContext':{'fsGroup':-1}", ""), SC ".fsGroup", want);
  refused(pod("", "'securityContext':{'runAsGroup':-1}"), CSC ".runAsGroup", want);
  snprintf(want, sizeof want, "Invalid value: 2147483648: %s", range);
  refused(pod("'securityContext':{'supplementalGroups':[1,2147483648]}", ""),
          SC ".supplementalGroups[1]", want);
  refused(pod("", "'securityContext':{'runAsUser':'1000'}"), CSC ".runAsUser",
          "Invalid value: \"1000\": must be an integer");
  valid(pod("'securityContext':{'runAsUser':0,'runAsGroup':2147483647,'fsGroup':2000,"
            "'supplementalGroups':[1,2]}",
            "'securityContext':{'runAsUser':1000,'runAsGroup':1000}"));
}

static void security_flags_are_booleans(void **state) {
  (void)state;
  static const char *const flags[] = {"runAsNonRoot", "readOnlyRootFilesystem",
                                      "allowPrivilegeEscalation", "privileged"};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    char member[96], field[128];
    snprintf(member, sizeof member, "'securityContext':{'%s':'true'}", flags[i]);
    snprintf(field, sizeof field, CSC ".%s", flags[i]);
    refused(pod("", member), field, "Invalid value: \"true\": must be a boolean");
  }
  refused(pod("'securityContext':{'runAsNonRoot':1}", ""), SC ".runAsNonRoot",
          "Invalid value: 1: must be a boolean");
  valid(pod("'securityContext':{'runAsNonRoot':true}",
            "'securityContext':{'runAsNonRoot':true,'readOnlyRootFilesystem':true,"
            "'allowPrivilegeEscalation':false,'privileged':false}"));
}

static void capabilities_are_lists_of_strings(void **state) {
  (void)state;
  refused(pod("", "'securityContext':{'capabilities':{'add':'NET_ADMIN'}}"),
          CSC ".capabilities.add", "Invalid value: \"NET_ADMIN\": must be an array");
  refused(pod("", "'securityContext':{'capabilities':{'drop':['ALL',1]}}"),
          CSC ".capabilities.drop[1]", "Invalid value: 1: must be a string");
  valid(pod("", "'securityContext':{'capabilities':{'add':['NET_BIND_SERVICE'],'drop':['ALL']}}"));
}

static void seccomp_profile_type_and_localhost_profile_go_together(void **state) {
  (void)state;
  refused(pod("'securityContext':{'seccompProfile':{'type':'Strict'}}", ""),
          SC ".seccompProfile.type",
          "Unsupported value: \"Strict\": supported values: \"Localhost\", \"RuntimeDefault\", "
          "\"Unconfined\"");
  refused(pod("'securityContext':{'seccompProfile':{}}", ""), SC ".seccompProfile.type",
          "Required value");
  refused(pod("", "'securityContext':{'seccompProfile':{'type':'Localhost'}}"),
          CSC ".seccompProfile.localhostProfile",
          "Required value: must be set when seccomp type is Localhost");
  refused(pod("", "'securityContext':{'seccompProfile':{'type':'RuntimeDefault',"
                  "'localhostProfile':'p.json'}}"),
          CSC ".seccompProfile.localhostProfile",
          "Invalid value: \"p.json\": can only be set when seccomp type is Localhost");
  refused(pod("", "'securityContext':{'seccompProfile':{'type':'Localhost',"
                  "'localhostProfile':'/etc/p.json'}}"),
          CSC ".seccompProfile.localhostProfile",
          "Invalid value: \"/etc/p.json\": must be a relative path");
  refused(pod("", "'securityContext':{'seccompProfile':{'type':'Localhost',"
                  "'localhostProfile':'a/../../p.json'}}"),
          CSC ".seccompProfile.localhostProfile",
          "Invalid value: \"a/../../p.json\": must not contain '..'");
  valid(pod("'securityContext':{'seccompProfile':{'type':'RuntimeDefault'}}",
            "'securityContext':{'seccompProfile':{'type':'Localhost',"
            "'localhostProfile':'profiles/a..b.json'}}"));
}

static void proc_mount_is_default_or_unmasked(void **state) {
  (void)state;
  refused(pod("", "'securityContext':{'procMount':'Masked'}"), CSC ".procMount",
          "Unsupported value: \"Masked\": supported values: \"Default\", \"Unmasked\"");
  valid(pod("", "'securityContext':{'procMount':'Unmasked'}"));
}

static void no_escalation_contradicts_privileged_and_sys_admin(void **state) {
  (void)state;
  json_t *causes = created(pod("", "'securityContext':{'allowPrivilegeEscalation':false,"
                                   "'privileged':true}"));
  assert_int_equal(json_array_size(causes), 1);
  const char *msg = json_string_value(json_object_get(json_array_get(causes, 0), "message"));
  assert_non_null(strstr(msg, "cannot set `allowPrivilegeEscalation` to false and `privileged` "
                              "to true"));
  assert_string_equal(json_string_value(json_object_get(json_array_get(causes, 0), "field")), CSC);
  json_decref(causes);
  causes = created(pod("", "'securityContext':{'allowPrivilegeEscalation':false,"
                           "'capabilities':{'add':['CAP_SYS_ADMIN']}}"));
  assert_int_equal(json_array_size(causes), 1);
  msg = json_string_value(json_object_get(json_array_get(causes, 0), "message"));
  assert_non_null(strstr(msg, "cannot set `allowPrivilegeEscalation` to false and "
                              "`capabilities.Add` CAP_SYS_ADMIN"));
  json_decref(causes);
  valid(pod("", "'securityContext':{'allowPrivilegeEscalation':true,'privileged':true,"
                "'capabilities':{'add':['SYS_ADMIN']}}"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(working_dir_must_be_absolute),
      cmocka_unit_test(host_namespaces_are_refused_as_unsupported),
      cmocka_unit_test(host_users_must_be_a_boolean),
      cmocka_unit_test(user_and_group_ids_are_non_negative_int32s),
      cmocka_unit_test(security_flags_are_booleans),
      cmocka_unit_test(capabilities_are_lists_of_strings),
      cmocka_unit_test(seccomp_profile_type_and_localhost_profile_go_together),
      cmocka_unit_test(proc_mount_is_default_or_unmasked),
      cmocka_unit_test(no_escalation_contradicts_privileged_and_sys_admin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
