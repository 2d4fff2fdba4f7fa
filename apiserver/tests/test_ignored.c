/* Unit tests for the warnings about fields Tugboat accepts and ignores
 * (apiserver/admission-ignored.c over schema/ignored-fields.c): the paths a
 * warning names, list indexes, honoured values, and updates that warn only
 * about what they change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <string.h>

#include "ignored.h"

#include "../../lib/tests/json_text.h"

/* The warnings for obj (taken) of apiVersion/kind, over old (taken, may be
 * NULL), joined by "|"; "" for none. */
static char *warnings(const char *api_version, const char *kind, json_t *obj, json_t *old) {
  static char text[4096];
  const api_kind *k = api_kind_by_gvk(api_version, kind);
  assert_non_null(k);
  api_response out = {0};
  api_warn_ignored(k, obj, old, &out);
  text[0] = '\0';
  size_t i;
  json_t *w;
  json_array_foreach(out.warnings, i, w) {
    if (i)
      strcat(text, "|");
    strcat(text, json_string_value(w));
  }
  json_decref(out.warnings);
  json_decref(obj);
  json_decref(old);
  return text;
}

static void test_plain_pod_warns_nothing(void **state) {
  (void)state;
  json_t *pod = js("{'spec':{'containers':[{'name':'c','image':'busybox','env':[{'name':'A',"
                   "'value':'1'}]}],'dnsPolicy':'ClusterFirst','os':{'name':'linux'},"
                   "'readinessGates':[],'shareProcessNamespace':false}}");
  assert_string_equal(warnings("v1", "Pod", pod, NULL), "");
}

static void test_pod_fields_name_their_path(void **state) {
  (void)state;
  json_t *pod =
      js("{'spec':{'readinessGates':[{'conditionType':'x'}],'dnsPolicy':'None',"
         "'initContainers':[{'name':'i','lifecycle':{'preStop':{'exec':{'command':['true']}}}}],"
         "'containers':[{'name':'a'},{'name':'b','env':[{'name':'A','value':'1'},"
         "{'name':'B','valueFrom':{'fieldRef':{'fieldPath':'metadata.name'}}}],"
         "'envFrom':[{'configMapRef':{'name':'x'}}],'volumeMounts':[{'name':'v','mountPath':'/a'},"
         "{'name':'v','mountPath':'/b','mountPropagation':'HostToContainer'}]}]}}");
  assert_string_equal(
      warnings("v1", "Pod", pod, NULL),
      "spec.readinessGates: ignored by Tugboat: Ready does not wait for the gates' conditions|"
      "spec.dnsPolicy: ignored by Tugboat: /etc/resolv.conf always names the cluster's DNS|"
      "spec.initContainers[0].lifecycle: ignored by Tugboat: postStart and preStop hooks are not "
      "run|"
      "spec.containers[1].volumeMounts[1].mountPropagation: ignored by Tugboat: mounts are "
      "private to the container");
}

static void test_templates_warn_at_their_place(void **state) {
  (void)state;
  json_t *deploy = js("{'spec':{'template':{'spec':{'containers':[{'name':'c',"
                      "'lifecycle':{'postStart':{'exec':{'command':['true']}}}}]}}}}");
  assert_string_equal(warnings("apps/v1", "Deployment", deploy, NULL),
                      "spec.template.spec.containers[0].lifecycle: ignored by Tugboat: postStart "
                      "and preStop hooks are not run");
  json_t *cj = js("{'spec':{'jobTemplate':{'spec':{'completionMode':'Indexed','template':{"
                  "'spec':{'affinity':{'podAntiAffinity':{'x':1}},'containers':[]}}}}}}");
  assert_string_equal(warnings("batch/v1", "CronJob", cj, NULL),
                      "spec.jobTemplate.spec.template.spec.affinity.podAntiAffinity: ignored by "
                      "Tugboat: the scheduler has no inter-pod anti-affinity|"
                      "spec.jobTemplate.spec.completionMode: ignored by Tugboat: pods get no "
                      "completion index");
}

static void test_kinds_own_fields(void **state) {
  (void)state;
  json_t *sts = js("{'spec':{'updateStrategy':{'rollingUpdate':{'partition':1,'maxUnavailable':2}},"
                   "'template':{'spec':{'containers':[{'name':'c'}]}}}}");
  assert_string_equal(warnings("apps/v1", "StatefulSet", sts, NULL), ""); /* honoured */
  json_t *job = js("{'spec':{'completionMode':'NonIndexed','template':{'spec':{}}}}");
  assert_string_equal(warnings("batch/v1", "Job", job, NULL), "");
  json_t *sc = js("{'provisioner':'x','allowVolumeExpansion':true,'parameters':{'a':'b'}}");
  assert_string_equal(warnings("storage.k8s.io/v1", "StorageClass", sc, NULL),
                      "parameters: ignored by Tugboat: the local-path provisioner takes none|"
                      "allowVolumeExpansion: ignored by Tugboat: claims are not resized");
  json_t *pvc = js("{'spec':{'resources':{'requests':{'storage':'1Gi'}}}}");
  assert_string_equal(warnings("v1", "PersistentVolumeClaim", pvc, NULL), "");
  json_t *pdb = js("{'spec':{'minAvailable':1,'selector':{}}}");
  assert_string_equal(warnings("policy/v1", "PodDisruptionBudget", pdb, NULL), "");
}

/* An update warns about what it adds or changes, not what the stored object
 * already had (the server's defaults among it). */
static void test_update_warns_about_changes_only(void **state) {
  (void)state;
  const char *stored = "{'spec':{'revisionHistoryLimit':10,'template':{'spec':{'containers':["
                       "{'name':'c','image':'a','terminationMessagePath':'/dev/termination-log'}"
                       "]}}}}";
  json_t *same = js("{'spec':{'revisionHistoryLimit':10,'template':{'spec':{'containers':["
                    "{'name':'c','image':'b','terminationMessagePath':'/dev/termination-log'}"
                    "]}}}}");
  assert_string_equal(warnings("apps/v1", "DaemonSet", same, js(stored)), "");
  json_t *changed = js("{'spec':{'revisionHistoryLimit':3,'template':{'spec':{'containers':["
                       "{'name':'c','image':'b','terminationMessagePath':'/dev/termination-log',"
                       "'resizePolicy':[{'resourceName':'cpu'}]}]}}}}");
  /* revisionHistoryLimit is honoured (ControllerRevisions are kept) */
  assert_string_equal(warnings("apps/v1", "DaemonSet", changed, js(stored)),
                      "spec.template.spec.containers[0].resizePolicy: ignored by Tugboat: "
                      "resources are not resized in place");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_pod_warns_nothing),
      cmocka_unit_test(test_pod_fields_name_their_path),
      cmocka_unit_test(test_templates_warn_at_their_place),
      cmocka_unit_test(test_kinds_own_fields),
      cmocka_unit_test(test_update_warns_about_changes_only),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
