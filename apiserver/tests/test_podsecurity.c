/* Unit tests for the Pod Security Standards' checks (apiserver/podsecurity.c): one test per
 * control of baseline and of restricted, each showing a pod refused and one allowed. */
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

#include "object.h"
#include "podsecurity.h"

#include "../../lib/tests/json_text.h"

#define BASELINE API_PODSEC_BASELINE
#define RESTRICTED API_PODSEC_RESTRICTED

/* A pod spec that baseline allows: one plain container. */
static json_t *plain_spec(void) {
  return js("{'containers':[{'name':'c','image':'busybox'}]}");
}

/* A pod spec that restricted allows. */
static json_t *locked_spec(void) {
  return js("{'securityContext':{'runAsNonRoot':true,'seccompProfile':{'type':'RuntimeDefault'}},"
            "'containers':[{'name':'c','image':'busybox','securityContext':{"
            "'allowPrivilegeEscalation':false,'capabilities':{'drop':['ALL']}}}]}");
}

/* Set the member at a dotted path of spec (".0." indexes containers) to JSON value. */
static void set(json_t *spec, const char *path, const char *value) {
  json_t *at = spec;
  const char *rest = path;
  if (strncmp(path, "containers.", 11) == 0 || strncmp(path, "initContainers.", 15) == 0) {
    char list[32];
    size_t n = strcspn(path, ".");
    snprintf(list, sizeof list, "%.*s", (int)n, path);
    char *end;
    long i = strtol(path + n + 1, &end, 10);
    json_t *arr = json_object_get(spec, list);
    if (arr == NULL)
      json_object_set_new(spec, list, arr = json_array());
    while (json_array_size(arr) <= (size_t)i)
      json_array_append_new(arr, json_pack("{s:s, s:s}", "name", "i", "image", "busybox"));
    at = json_array_get(arr, i);
    rest = end + 1;
  }
  assert_int_equal(tug_obj_set(at, rest, js(value), NULL), 0);
}

/* level's verdict on spec (taken) with metadata meta (taken, may be NULL) is want ("" allows). */
static void verdict_is(api_podsec_level level, json_t *meta, json_t *spec, const char *want) {
  json_t *v = api_podsec_check(level, meta, spec);
  char *text = api_podsec_describe(v);
  assert_string_equal(text, want);
  free(text);
  json_decref(v);
  json_decref(meta);
  json_decref(spec);
}

/* ---- baseline ---- */

static void baseline_refuses_host_process(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "securityContext.windowsOptions.hostProcess", "true");
  set(spec, "containers.0.securityContext.windowsOptions.hostProcess", "true");
  verdict_is(BASELINE, NULL, spec,
             "hostProcess (pod and container \"c\" must not set "
             "securityContext.windowsOptions.hostProcess=true)");
  spec = plain_spec();
  set(spec, "containers.0.securityContext.windowsOptions.hostProcess", "false");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_host_namespaces(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "hostNetwork", "true");
  set(spec, "hostIPC", "true");
  verdict_is(BASELINE, NULL, spec, "host namespaces (hostNetwork=true, hostIPC=true)");
  spec = plain_spec();
  set(spec, "hostPID", "false");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_privileged_containers_of_every_list(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "containers.0.securityContext.privileged", "true");
  set(spec, "initContainers.0.securityContext.privileged", "true");
  verdict_is(BASELINE, NULL, spec,
             "privileged (containers \"c\", \"i\" must not set securityContext.privileged=true)");
  spec = plain_spec();
  set(spec, "containers.0.securityContext.privileged", "false");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_capabilities_beyond_the_default_set(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "containers.0.securityContext.capabilities.add", "['CHOWN','SYS_ADMIN','NET_RAW']");
  verdict_is(BASELINE, NULL, spec,
             "non-default capabilities (container \"c\" must not include \"SYS_ADMIN\", "
             "\"NET_RAW\" in securityContext.capabilities.add)");
  spec = plain_spec();
  set(spec, "containers.0.securityContext.capabilities.add",
      "['AUDIT_WRITE','CHOWN','DAC_OVERRIDE','FOWNER','FSETID','KILL','MKNOD',"
      "'NET_BIND_SERVICE','SETFCAP','SETGID','SETPCAP','SETUID','SYS_CHROOT']");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_host_path_volumes(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "volumes", "[{'name':'root','hostPath':{'path':'/'}},{'name':'tmp','emptyDir':{}}]");
  verdict_is(BASELINE, NULL, spec, "hostPath volumes (volume \"root\")");
  spec = plain_spec();
  set(spec, "volumes", "[{'name':'tmp','emptyDir':{}},{'name':'nfs','nfs':{'server':'x'}}]");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_host_ports(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "containers.0.ports", "[{'containerPort':80,'hostPort':80}]");
  set(spec, "initContainers.0.ports", "[{'containerPort':81,'hostPort':81}]");
  verdict_is(BASELINE, NULL, spec, "hostPort (containers \"c\", \"i\" use hostPorts 80, 81)");
  spec = plain_spec();
  set(spec, "containers.0.ports", "[{'containerPort':80},{'containerPort':81,'hostPort':0}]");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_unconfined_apparmor(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "containers.0.securityContext.appArmorProfile", "{'type':'Unconfined'}");
  json_t *meta =
      js("{'annotations':{'container.apparmor.security.beta.kubernetes.io/c':'unconfined'}}");
  verdict_is(BASELINE, meta, spec,
             "forbidden AppArmor profiles (container \"c\" must not set "
             "securityContext.appArmorProfile.type to \"Unconfined\"; annotation "
             "container.apparmor.security.beta.kubernetes.io/c=\"unconfined\")");
  spec = plain_spec();
  set(spec, "securityContext.appArmorProfile", "{'type':'RuntimeDefault'}");
  set(spec, "containers.0.securityContext.appArmorProfile",
      "{'type':'Localhost','localhostProfile':'web'}");
  meta = js("{'annotations':{'container.apparmor.security.beta.kubernetes.io/c':'localhost/web'}}");
  verdict_is(BASELINE, meta, spec, "");
}

static void baseline_refuses_selinux_options_beyond_container_types(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "securityContext.seLinuxOptions", "{'type':'spc_t','user':'system_u'}");
  verdict_is(BASELINE, NULL, spec,
             "seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"spc_t\"; "
             "user \"system_u\")");
  spec = plain_spec();
  set(spec, "securityContext.seLinuxOptions", "{'type':'container_init_t','level':'s0:c1'}");
  set(spec, "containers.0.securityContext.seLinuxOptions", "{'type':'container_t'}");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_unmasked_proc_mount(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "containers.0.securityContext.procMount", "'Unmasked'");
  verdict_is(BASELINE, NULL, spec,
             "procMount (container \"c\" must not set securityContext.procMount to "
             "\"Unmasked\")");
  spec = plain_spec();
  set(spec, "containers.0.securityContext.procMount", "'Default'");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_refuses_unconfined_seccomp(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "securityContext.seccompProfile.type", "'Unconfined'");
  verdict_is(BASELINE, NULL, spec,
             "seccompProfile (pod must not set securityContext.seccompProfile.type to "
             "\"Unconfined\")");
  spec = plain_spec();
  set(spec, "containers.0.securityContext.seccompProfile.type", "'RuntimeDefault'");
  verdict_is(BASELINE, NULL, spec, "");
}

static void baseline_allows_only_safe_sysctls(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "securityContext.sysctls",
      "[{'name':'kernel.msgmax','value':'1'},{'name':'net.ipv4.tcp_syncookies','value':'1'},"
      "{'name':'net.core.somaxconn','value':'1024'}]");
  verdict_is(BASELINE, NULL, spec, "forbidden sysctls (kernel.msgmax, net.core.somaxconn)");
  spec = plain_spec();
  set(spec, "securityContext.sysctls",
      "[{'name':'kernel.shm_rmid_forced','value':'1'},"
      "{'name':'net.ipv4.ip_local_port_range','value':'1024 65535'},"
      "{'name':'net.ipv4.tcp_keepalive_time','value':'60'}]");
  verdict_is(BASELINE, NULL, spec, "");
}

/* ---- restricted ---- */

static void restricted_allows_only_volume_types_that_cannot_reach_the_host(void **state) {
  (void)state;
  json_t *spec = locked_spec();
  set(spec, "volumes",
      "[{'name':'root','hostPath':{'path':'/'}},{'name':'share','nfs':{'server':'x'}},"
      "{'name':'data','emptyDir':{}}]");
  /* Restricted's volume check replaces baseline's hostPath one: one reason, not two. */
  verdict_is(RESTRICTED, NULL, spec,
             "restricted volume types (volumes \"root\", \"share\" use restricted volume types "
             "\"hostPath\", \"nfs\")");
  spec = locked_spec();
  set(spec, "volumes",
      "[{'name':'a','configMap':{'name':'x'}},{'name':'b','csi':{'driver':'d'}},"
      "{'name':'c','downwardAPI':{}},{'name':'d','emptyDir':{}},{'name':'e','ephemeral':{}},"
      "{'name':'f','persistentVolumeClaim':{'claimName':'x'}},{'name':'g','projected':{}},"
      "{'name':'h','secret':{'secretName':'x'}}]");
  verdict_is(RESTRICTED, NULL, spec, "");
}

static void restricted_requires_allow_privilege_escalation_false(void **state) {
  (void)state;
  json_t *spec = locked_spec();
  set(spec, "containers.0.securityContext.allowPrivilegeEscalation", "true");
  verdict_is(RESTRICTED, NULL, spec,
             "allowPrivilegeEscalation != false (container \"c\" must set "
             "securityContext.allowPrivilegeEscalation=false)");
  verdict_is(RESTRICTED, NULL, locked_spec(), "");
}

static void restricted_requires_run_as_non_root_on_the_pod_or_every_container(void **state) {
  (void)state;
  json_t *spec = locked_spec();
  set(spec, "securityContext.runAsNonRoot", "null");
  set(spec, "containers.1.securityContext.runAsNonRoot", "false");
  /* A second container, locked down but for runAsNonRoot=false. */
  set(spec, "containers.1.securityContext.allowPrivilegeEscalation", "false");
  set(spec, "containers.1.securityContext.capabilities.drop", "['ALL']");
  verdict_is(RESTRICTED, NULL, spec,
             "runAsNonRoot != true (container \"i\" must not set "
             "securityContext.runAsNonRoot=false; pod or container \"c\" must set "
             "securityContext.runAsNonRoot=true)");
  spec = locked_spec();
  set(spec, "securityContext.runAsNonRoot", "null");
  set(spec, "containers.0.securityContext.runAsNonRoot", "true");
  verdict_is(RESTRICTED, NULL, spec, "");
}

static void restricted_refuses_run_as_user_zero(void **state) {
  (void)state;
  json_t *spec = locked_spec();
  set(spec, "securityContext.runAsUser", "0");
  set(spec, "containers.0.securityContext.runAsUser", "0");
  verdict_is(RESTRICTED, NULL, spec,
             "runAsUser=0 (pod must not set runAsUser=0; container \"c\" must not set "
             "runAsUser=0)");
  spec = locked_spec();
  set(spec, "securityContext.runAsUser", "1000");
  verdict_is(RESTRICTED, NULL, spec, "");
}

static void restricted_requires_runtime_default_or_localhost_seccomp(void **state) {
  (void)state;
  json_t *spec = locked_spec();
  set(spec, "securityContext.seccompProfile", "null");
  verdict_is(RESTRICTED, NULL, spec,
             "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type "
             "to \"RuntimeDefault\" or \"Localhost\")");
  spec = locked_spec();
  set(spec, "containers.0.securityContext.seccompProfile.type", "'Unconfined'");
  verdict_is(RESTRICTED, NULL, spec,
             "seccompProfile (container \"c\" must not set securityContext.seccompProfile.type "
             "to \"Unconfined\")");
  spec = locked_spec();
  set(spec, "securityContext.seccompProfile", "null");
  set(spec, "containers.0.securityContext.seccompProfile",
      "{'type':'Localhost','localhostProfile':'p.json'}");
  verdict_is(RESTRICTED, NULL, spec, "");
}

static void restricted_requires_dropping_all_capabilities(void **state) {
  (void)state;
  json_t *spec = locked_spec();
  set(spec, "containers.0.securityContext.capabilities", "{'drop':['NET_RAW'],'add':['CHOWN']}");
  /* Restricted's capability check replaces baseline's (CHOWN is in the baseline set). */
  verdict_is(RESTRICTED, NULL, spec,
             "unrestricted capabilities (container \"c\" must set "
             "securityContext.capabilities.drop=[\"ALL\"]; container \"c\" must not include "
             "\"CHOWN\" in securityContext.capabilities.add)");
  spec = locked_spec();
  set(spec, "containers.0.securityContext.capabilities.add", "['NET_BIND_SERVICE']");
  verdict_is(RESTRICTED, NULL, spec, "");
}

/* ---- levels, policies, updates ---- */

static void reasons_come_in_kubernetes_order_and_privileged_allows_all(void **state) {
  (void)state;
  json_t *spec = plain_spec();
  set(spec, "containers.0.securityContext.privileged", "true");
  set(spec, "hostNetwork", "true");
  verdict_is(BASELINE, NULL, json_incref(spec),
             "host namespaces (hostNetwork=true), privileged (container \"c\" must not set "
             "securityContext.privileged=true)");
  verdict_is(API_PODSEC_PRIVILEGED, NULL, spec, "");
}

static void namespace_labels_choose_the_levels(void **state) {
  (void)state;
  api_podsec_policy p;
  api_podsec_policy_of(NULL, BASELINE, &p);
  assert_true(p.enforce == BASELINE && p.warn == BASELINE && p.audit == API_PODSEC_PRIVILEGED);
  json_t *labels = js("{'pod-security.kubernetes.io/enforce':'privileged',"
                      "'pod-security.kubernetes.io/enforce-version':'v1.29',"
                      "'pod-security.kubernetes.io/audit':'restricted'}");
  api_podsec_policy_of(labels, BASELINE, &p);
  assert_true(p.enforce == API_PODSEC_PRIVILEGED && p.warn == API_PODSEC_PRIVILEGED &&
              p.audit == RESTRICTED);
  json_decref(labels);
  labels = js("{'pod-security.kubernetes.io/enforce':'strict','pod-security.kubernetes.io/warn':"
              "'baseline'}");
  api_podsec_policy_of(labels, API_PODSEC_PRIVILEGED, &p);
  assert_true(p.enforce == RESTRICTED && p.warn == BASELINE); /* unknown levels fail closed */
  json_decref(labels);
}

static void only_images_ephemeral_containers_and_profiles_make_an_update_significant(void **state) {
  (void)state;
  json_t *old = js("{'metadata':{'annotations':{}},'spec':{'containers':[{'name':'c','image':'a'}],"
                   "'activeDeadlineSeconds':60}}");
  json_t *pod = json_deep_copy(old);
  tug_obj_set(pod, "spec.activeDeadlineSeconds", json_integer(30), NULL);
  tug_obj_set(pod, "metadata.labels", js("{'x':'y'}"), NULL);
  assert_false(api_podsec_significant_update(pod, old));
  set(json_object_get(pod, "spec"), "containers.0.image", "'b'");
  assert_true(api_podsec_significant_update(pod, old));
  json_decref(pod);
  pod = json_deep_copy(old);
  tug_obj_set(pod, "metadata.annotations",
              js("{'container.apparmor.security.beta.kubernetes.io/c':'unconfined'}"), NULL);
  assert_true(api_podsec_significant_update(pod, old));
  json_decref(pod);
  json_decref(old);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(baseline_refuses_host_process),
      cmocka_unit_test(baseline_refuses_host_namespaces),
      cmocka_unit_test(baseline_refuses_privileged_containers_of_every_list),
      cmocka_unit_test(baseline_refuses_capabilities_beyond_the_default_set),
      cmocka_unit_test(baseline_refuses_host_path_volumes),
      cmocka_unit_test(baseline_refuses_host_ports),
      cmocka_unit_test(baseline_refuses_unconfined_apparmor),
      cmocka_unit_test(baseline_refuses_selinux_options_beyond_container_types),
      cmocka_unit_test(baseline_refuses_unmasked_proc_mount),
      cmocka_unit_test(baseline_refuses_unconfined_seccomp),
      cmocka_unit_test(baseline_allows_only_safe_sysctls),
      cmocka_unit_test(restricted_allows_only_volume_types_that_cannot_reach_the_host),
      cmocka_unit_test(restricted_requires_allow_privilege_escalation_false),
      cmocka_unit_test(restricted_requires_run_as_non_root_on_the_pod_or_every_container),
      cmocka_unit_test(restricted_refuses_run_as_user_zero),
      cmocka_unit_test(restricted_requires_runtime_default_or_localhost_seccomp),
      cmocka_unit_test(restricted_requires_dropping_all_capabilities),
      cmocka_unit_test(reasons_come_in_kubernetes_order_and_privileged_allows_all),
      cmocka_unit_test(namespace_labels_choose_the_levels),
      cmocka_unit_test(only_images_ephemeral_containers_and_profiles_make_an_update_significant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
