/* Unit tests for defaulting and validation of every kind (apiserver/validation*.c). */
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

#include "registry.h"
#include "validation.h"

#include "json_text.h"

/* ---- kinds and their valid examples ---- */

typedef struct kind_case {
  const char *kind;
  bool namespaced;
  api_default_fn defaults;
  api_validate_fn validate;
  const char *example; /* JSON with ' for " */
} kind_case;

static const kind_case kinds[] = {
    {"Namespace", false, api_default_namespace, api_validate_namespace,
     "{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'team-a','labels':{'team':'a'}},"
     "'spec':{'finalizers':['kubernetes']}}"},
    {"Node", false, api_default_node, api_validate_node,
     "{'apiVersion':'v1','kind':'Node','metadata':{'name':'node-1.example.com'},"
     "'spec':{'podCIDR':'198.18.1.0/24','podCIDRs':['198.18.1.0/24'],"
     "'taints':[{'key':'dedicated','value':'gpu','effect':'NoSchedule'}]},"
     "'status':{'capacity':{'cpu':'4','memory':'8Gi','pods':'110'}}}"},
    {"Pod", true, api_default_pod, api_validate_pod,
     "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web-1','namespace':'default',"
     "'labels':{'app':'web'},'annotations':{'example.com/owner':'team-a'}},"
     "'spec':{'containers':[{'name':'web','image':'busybox:1.36','command':['httpd','-f'],"
     "'args':['-p','8080'],'env':[{'name':'MODE','value':'prod'}],"
     "'ports':[{'name':'http','containerPort':8080}],"
     "'resources':{'requests':{'cpu':'250m','memory':'64Mi'},"
     "'limits':{'cpu':'500m','memory':'128Mi'}},"
     "'livenessProbe':{'httpGet':{'port':'http','path':'/healthz'},'periodSeconds':5},"
     "'readinessProbe':{'tcpSocket':{'port':8080}},"
     "'startupProbe':{'exec':{'command':['cat','/tmp/ready']}}}],"
     "'nodeSelector':{'disk':'ssd'},"
     "'tolerations':[{'key':'dedicated','operator':'Equal','value':'web','effect':'NoSchedule'}],"
     "'priorityClassName':'high','priority':1000}}"},
    {"Service", true, api_default_service, api_validate_service,
     "{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'default'},"
     "'spec':{'selector':{'app':'web'},'ports':[{'name':'http','port':80,'targetPort':'http'},"
     "{'name':'metrics','port':9090}]}}"},
    {"Endpoints", true, api_default_endpoints, api_validate_endpoints,
     "{'apiVersion':'v1','kind':'Endpoints','metadata':{'name':'web','namespace':'default'},"
     "'subsets':[{'addresses':[{'ip':'198.18.1.5','nodeName':'node-1'}],"
     "'notReadyAddresses':[{'ip':'198.18.2.7'}],'ports':[{'name':'http','port':8080}]}]}"},
    {"ConfigMap", true, api_default_configmap, api_validate_configmap,
     "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'game','namespace':'default'},"
     "'data':{'game.properties':'lives=3'},'binaryData':{'logo.png':'iVBORw0KGgo='},"
     "'immutable':true}"},
    {"Secret", true, api_default_secret, api_validate_secret,
     "{'apiVersion':'v1','kind':'Secret','metadata':{'name':'tls','namespace':'default'},"
     "'type':'kubernetes.io/tls','data':{'tls.crt':'Y2VydA=='},'stringData':{'tls.key':'k'}}"},
    {"ResourceQuota", true, api_default_resourcequota, api_validate_resourcequota,
     "{'apiVersion':'v1','kind':'ResourceQuota','metadata':{'name':'compute','namespace':'team-a'},"
     "'spec':{'hard':{'pods':'10','requests.cpu':'4','requests.memory':'8Gi','limits.cpu':'8',"
     "'limits.memory':'16Gi','services':3,'count/deployments.apps':'5'}}}"},
    {"LimitRange", true, api_default_limitrange, api_validate_limitrange,
     "{'apiVersion':'v1','kind':'LimitRange','metadata':{'name':'limits','namespace':'team-a'},"
     "'spec':{'limits':[{'type':'Container','max':{'cpu':'2'},'min':{'cpu':'100m'},"
     "'default':{'cpu':'500m'},'defaultRequest':{'cpu':'250m'},"
     "'maxLimitRequestRatio':{'cpu':'4'}},{'type':'Pod','max':{'memory':'4Gi'}}]}}"},
    {"Event", true, api_default_event, api_validate_event,
     "{'apiVersion':'v1','kind':'Event','metadata':{'name':'web-1.17a2b','namespace':'default'},"
     "'involvedObject':{'kind':'Pod','name':'web-1','namespace':'default'},"
     "'reason':'Scheduled','message':'Successfully assigned default/web-1 to node-1',"
     "'type':'Normal','count':1,'source':{'component':'tug-scheduler'},"
     "'firstTimestamp':'2024-05-01T10:00:00Z','lastTimestamp':'2024-05-01T10:00:00Z'}"},
    {"Deployment", true, api_default_deployment, api_validate_deployment,
     "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default'},"
     "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}},"
     "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1,'maxUnavailable':'10%'}},"
     "'minReadySeconds':5,'template':{'metadata':{'labels':{'app':'web','tier':'fe'}},"
     "'spec':{'containers':[{'name':'web','image':'busybox:1.36'}]}}}}"},
    {"ReplicaSet", true, api_default_replicaset, api_validate_replicaset,
     "{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'name':'web-5d4f','namespace':"
     "'default'},'spec':{'replicas':2,'selector':{'matchExpressions':[{'key':'app',"
     "'operator':'In','values':['web']}]},'template':{'metadata':{'labels':{'app':'web'}},"
     "'spec':{'containers':[{'name':'web','image':'busybox:1.36'}]}}}}"},
    {"Job", true, api_default_job, api_validate_job,
     "{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'report','namespace':'default'},"
     "'spec':{'backoffLimit':2,'activeDeadlineSeconds':600,'ttlSecondsAfterFinished':60,"
     "'template':{'spec':{'restartPolicy':'Never','containers':[{'name':'task',"
     "'image':'busybox:1.36','command':['true']}]}}}}"},
    {"PriorityClass", false, api_default_priorityclass, api_validate_priorityclass,
     "{'apiVersion':'scheduling.k8s.io/v1','kind':'PriorityClass','metadata':{'name':'high'},"
     "'value':1000,'globalDefault':false,'description':'important services'}"},
    {"Lease", true, api_default_lease, api_validate_lease,
     "{'apiVersion':'coordination.k8s.io/v1','kind':'Lease','metadata':{'name':'node-1',"
     "'namespace':'tug-node-lease'},'spec':{'holderIdentity':'node-1',"
     "'leaseDurationSeconds':40,'leaseTransitions':0,"
     "'acquireTime':'2024-05-01T10:00:00.000000Z','renewTime':'2024-05-01T10:00:30.123456+02:00'}"
     "}"},
    {"Queue", false, api_default_queue, api_validate_queue,
     "{'apiVersion':'scheduling.tug.io/v1','kind':'Queue','metadata':{'name':'team-a'},"
     "'spec':{'namespaces':['team-a','team-a-dev'],'cohort':'research',"
     "'nominal':{'cpu':'8','memory':'16Gi','pods':50},'borrowingLimit':{'cpu':'4'},"
     "'lendingLimit':{'cpu':'2'},'weight':2,'strictFIFO':true,"
     "'preemption':{'reclaimWithinCohort':'LowerPriority','withinQueue':'Never'}}}"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* ---- helpers ---- */

static const kind_case *kind_named(const char *kind) {
  for (size_t i = 0; i < NKINDS; i++)
    if (strcmp(kinds[i].kind, kind) == 0)
      return &kinds[i];
  fail_msg("no kind %s", kind);
  return NULL;
}

static json_t *example(const char *kind) {
  return js(kind_named(kind)->example);
}

/* The parent of the last step of a dotted path whose numeric steps index arrays; the
 * last step goes to last. A last step in brackets may hold dots: "spec.hard[limits.cpu]". */
static json_t *at_path(json_t *obj, const char *path, char *last, size_t size) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  size_t n = strlen(buf);
  char *cut = n && buf[n - 1] == ']' ? strrchr(buf, '[') : strrchr(buf, '.');
  if (cut && *cut == '[') {
    buf[n - 1] = '\0';
    snprintf(last, size, "%s", cut + 1);
  } else {
    snprintf(last, size, "%s", cut ? cut + 1 : buf);
  }
  if (cut == NULL)
    return obj;
  *cut = '\0';
  json_t *cur = obj;
  for (char *save, *step = strtok_r(buf, ".", &save); step && cur;
       step = strtok_r(NULL, ".", &save))
    cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(step)) : json_object_get(cur, step);
  return cur;
}

/* Set (value stolen) or, with value NULL, delete the member at path. */
static void put(json_t *obj, const char *path, json_t *value) {
  char last[256];
  json_t *parent = at_path(obj, path, last, sizeof last);
  if (parent == NULL)
    fail_msg("no parent for %s", path);
  if (json_is_array(parent)) {
    size_t i = (size_t)atoi(last);
    if (value && i >= json_array_size(parent))
      json_array_append_new(parent, value);
    else if (value)
      json_array_set_new(parent, i, value);
    else
      json_array_remove(parent, (size_t)atoi(last));
  } else if (value) {
    json_object_set_new(parent, last, value);
  } else {
    json_object_del(parent, last);
  }
}

static json_t *get(json_t *obj, const char *path) {
  char last[256];
  json_t *parent = at_path(obj, path, last, sizeof last);
  return json_is_array(parent) ? json_array_get(parent, (size_t)atoi(last))
                               : json_object_get(parent, last);
}

/* What the server does on a write: defaults, metadata, the kind's own rules. */
static json_t *run(const char *kind, json_t *obj, const json_t *old) {
  const kind_case *k = kind_named(kind);
  json_t *causes = json_array();
  k->defaults(obj);
  api_validate_metadata(obj, k->kind, k->namespaced, causes);
  k->validate(obj, old, causes);
  return causes;
}

static void fail_with(const json_t *causes, const char *what, const char *field,
                      const char *reason) {
  char *dump = json_dumps(causes, JSON_INDENT(1));
  fail_msg("%s %s %s in causes: %s", what, reason, field, dump);
}

static const json_t *find(const json_t *causes, const char *field, const char *reason) {
  size_t i;
  json_t *c;
  json_array_foreach(causes, i, c) {
    if (strcmp(json_string_value(json_object_get(c, "field")), field) == 0 &&
        strcmp(json_string_value(json_object_get(c, "reason")), reason) == 0)
      return c;
  }
  return NULL;
}

/* There is a cause with this field and reason. */
static const char *expect(const json_t *causes, const char *field, const char *reason) {
  const json_t *c = find(causes, field, reason);
  if (c == NULL)
    fail_with(causes, "expected", field, reason);
  return json_string_value(json_object_get(c, "message"));
}

/* That cause is the only one. */
static void expect_only(const json_t *causes, const char *field, const char *reason) {
  expect(causes, field, reason);
  if (json_array_size(causes) != 1)
    fail_with(causes, "expected only", field, reason);
}

static void expect_message(const json_t *causes, const char *field, const char *reason,
                           const char *message) {
  assert_string_equal(expect(causes, field, reason), message);
}

static void expect_none(const json_t *causes) {
  if (json_array_size(causes) != 0)
    fail_with(causes, "expected no causes, found", "", "");
}

static void expect_absent(const json_t *causes, const char *field, const char *reason) {
  if (find(causes, field, reason))
    fail_with(causes, "unexpected", field, reason);
}

/* The causes of kind's example after one edit (value stolen; NULL deletes). */
static json_t *edited(const char *kind, const char *path, json_t *value) {
  json_t *obj = example(kind);
  put(obj, path, value);
  json_t *causes = run(kind, obj, NULL);
  json_decref(obj);
  return causes;
}

/* Asserts that one edit of kind's example yields exactly this one cause. */
static void edit_yields(const char *kind, const char *path, const char *value_js, const char *field,
                        const char *reason) {
  json_t *causes = edited(kind, path, value_js ? js(value_js) : NULL);
  expect_only(causes, field, reason);
  json_decref(causes);
}

/* The same, also asserting the message. */
static void edit_yields_message(const char *kind, const char *path, const char *value_js,
                                const char *field, const char *reason, const char *message) {
  json_t *causes = edited(kind, path, value_js ? js(value_js) : NULL);
  expect_only(causes, field, reason);
  expect_message(causes, field, reason, message);
  json_decref(causes);
}

/* An update of kind's example (defaulted, as stored) by edit; its causes. */
static json_t *updated(const char *kind, const char *path, json_t *value) {
  json_t *old = example(kind);
  kind_named(kind)->defaults(old);
  json_t *obj = json_deep_copy(old);
  put(obj, path, value);
  json_t *causes = run(kind, obj, old);
  json_decref(obj);
  json_decref(old);
  return causes;
}

/* kind's example after defaulting, for default tests. */
static json_t *defaulted(const char *kind, const char *path, json_t *value) {
  json_t *obj = example(kind);
  if (path)
    put(obj, path, value);
  kind_named(kind)->defaults(obj);
  return obj;
}

static void expect_str_at(json_t *obj, const char *path, const char *want) {
  json_t *v = get(obj, path);
  if (!json_is_string(v))
    fail_msg("%s: expected \"%s\", found %s", path, want, v ? "another type" : "nothing");
  assert_string_equal(json_string_value(v), want);
}

static void expect_int_at(json_t *obj, const char *path, json_int_t want) {
  json_t *v = get(obj, path);
  if (!json_is_integer(v))
    fail_msg("%s: expected %lld, found %s", path, (long long)want, v ? "another type" : "nothing");
  assert_int_equal(json_integer_value(v), want);
}

/* ---- every kind ---- */

static void valid_example_of_every_kind_has_no_causes(void **state) {
  (void)state;
  for (size_t i = 0; i < NKINDS; i++) {
    json_t *obj = example(kinds[i].kind);
    json_t *causes = run(kinds[i].kind, obj, NULL);
    if (json_array_size(causes))
      fail_with(causes, kinds[i].kind, "example", "has causes");
    json_decref(causes);
    json_decref(obj);
  }
}

static void unchanged_update_of_every_kind_has_no_causes(void **state) {
  (void)state;
  for (size_t i = 0; i < NKINDS; i++) {
    json_t *old = example(kinds[i].kind);
    kinds[i].defaults(old);
    json_t *obj = json_deep_copy(old);
    json_t *causes = run(kinds[i].kind, obj, old);
    if (json_array_size(causes))
      fail_with(causes, kinds[i].kind, "update", "has causes");
    json_decref(causes);
    json_decref(obj);
    json_decref(old);
  }
}

static void defaults_are_idempotent_for_every_kind(void **state) {
  (void)state;
  for (size_t i = 0; i < NKINDS; i++) {
    json_t *once = example(kinds[i].kind);
    kinds[i].defaults(once);
    json_t *twice = json_deep_copy(once);
    kinds[i].defaults(twice);
    if (!json_equal(once, twice))
      fail_msg("%s: defaulting twice changed the object", kinds[i].kind);
    json_decref(once);
    json_decref(twice);
  }
}

/* ---- names ---- */

static void dns1123_label_allows_lowercase_alphanumerics_and_inner_dashes(void **state) {
  (void)state;
  assert_true(api_dns1123_label("web"));
  assert_true(api_dns1123_label("123-abc"));
  assert_true(api_dns1123_label("a"));
  assert_false(api_dns1123_label(""));
  assert_false(api_dns1123_label(NULL));
  assert_false(api_dns1123_label("Web"));
  assert_false(api_dns1123_label("-web"));
  assert_false(api_dns1123_label("web-"));
  assert_false(api_dns1123_label("a.b"));
  char s[80];
  memset(s, 'a', 63);
  s[63] = '\0';
  assert_true(api_dns1123_label(s));
  strcat(s, "a");
  assert_false(api_dns1123_label(s));
}

static void dns1123_subdomain_allows_dotted_labels_up_to_253(void **state) {
  (void)state;
  assert_true(api_dns1123_subdomain("example.com"));
  assert_true(api_dns1123_subdomain("node-1.example.com"));
  assert_false(api_dns1123_subdomain("example..com"));
  assert_false(api_dns1123_subdomain(".example"));
  assert_false(api_dns1123_subdomain("example."));
  assert_false(api_dns1123_subdomain("Bad_Name"));
  assert_false(api_dns1123_subdomain("a.-b"));
  char s[300];
  memset(s, 'a', 253);
  s[253] = '\0';
  assert_true(api_dns1123_subdomain(s));
  strcat(s, "a");
  assert_false(api_dns1123_subdomain(s));
}

/* ---- metadata ---- */

static void metadata_requires_a_name_or_generate_name(void **state) {
  (void)state;
  edit_yields_message("Pod", "metadata.name", NULL, "metadata.name", "FieldValueRequired",
                      "Required value: name or generateName is required");
  edit_yields("Pod", "metadata", NULL, "metadata.name", "FieldValueRequired");
  json_t *obj = example("Pod");
  put(obj, "metadata.name", NULL);
  put(obj, "metadata.generateName", json_string("web-"));
  json_t *causes = run("Pod", obj, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(obj);
}

static void metadata_generate_name_is_checked_as_a_prefix(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.generateName", "'Web-'", "metadata.generateName",
              "FieldValueInvalid");
  edit_yields("Service", "metadata.generateName", "'a.b-'", "metadata.generateName",
              "FieldValueInvalid");
}

static void metadata_name_of_most_kinds_is_a_dns_subdomain(void **state) {
  (void)state;
  edit_yields_message(
      "Pod", "metadata.name", "'Bad_Name'", "metadata.name", "FieldValueInvalid",
      "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case "
      "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
      "character (e.g. 'example.com', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  static const char *const subdomain_kinds[] = {"Node",  "Deployment", "Event",
                                                "Lease", "Job",        "PriorityClass"};
  for (size_t i = 0; i < sizeof subdomain_kinds / sizeof subdomain_kinds[0]; i++) {
    json_t *causes = edited(subdomain_kinds[i], "metadata.name", js("'a.b-c'"));
    expect_none(causes);
    json_decref(causes);
  }
}

static void metadata_name_of_namespaces_and_services_is_a_dns_label(void **state) {
  (void)state;
  edit_yields("Service", "metadata.name", "'web.v2'", "metadata.name", "FieldValueInvalid");
  json_t *obj = example("Namespace");
  put(obj, "metadata.name", json_string("team.a"));
  json_t *causes = run("Namespace", obj, NULL);
  expect(causes, "metadata.name", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
}

static void metadata_name_longer_than_the_limit_is_invalid(void **state) {
  (void)state;
  char name[300];
  memset(name, 'a', 254);
  name[254] = '\0';
  json_t *causes = edited("Pod", "metadata.name", json_string(name));
  /* The value is quoted cut short, the rule in full. */
  const char *msg = expect(causes, "metadata.name", "FieldValueInvalid");
  assert_non_null(strstr(msg, "...: must be no more than 253 characters"));
  assert_true(strlen(msg) < 200);
  json_decref(causes);
  name[64] = '\0';
  causes = edited("Service", "metadata.name", json_string(name));
  expect(causes, "metadata.name", "FieldValueInvalid");
  json_decref(causes);
}

static void metadata_namespace_is_forbidden_on_cluster_scoped_kinds(void **state) {
  (void)state;
  edit_yields("Node", "metadata.namespace", "'default'", "metadata.namespace",
              "FieldValueForbidden");
  edit_yields("Pod", "metadata.namespace", "'Team_A'", "metadata.namespace", "FieldValueInvalid");
}

static void metadata_labels_need_valid_keys_and_values(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.labels", "{'bad key':'x'}", "metadata.labels", "FieldValueInvalid");
  edit_yields("Pod", "metadata.labels", "{'app':'not valid!'}", "metadata.labels",
              "FieldValueInvalid");
  edit_yields("Pod", "metadata.labels", "{'app':3}", "metadata.labels[app]", "FieldValueInvalid");
  edit_yields("Pod", "metadata.labels", "['app']", "metadata.labels", "FieldValueInvalid");
  json_t *causes = edited("Pod", "metadata.labels",
                          js("{'app.kubernetes.io/name':'web','empty':'','v':'1.2_a-b'}"));
  expect_none(causes);
  json_decref(causes);
}

static void metadata_annotations_need_valid_keys_and_fit_in_256k(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.annotations", "{'bad key':'x'}", "metadata.annotations",
              "FieldValueInvalid");
  edit_yields("Pod", "metadata.annotations", "{'ok':1}", "metadata.annotations[ok]",
              "FieldValueInvalid");
  /* Keys are checked case-insensitively, so an uppercase prefix is fine. */
  json_t *causes = edited("Pod", "metadata.annotations", js("{'Example.COM/Owner':'x'}"));
  expect_none(causes);
  json_decref(causes);
  size_t big = 256 * 1024;
  char *value = malloc(big + 1);
  memset(value, 'x', big);
  value[big] = '\0';
  json_t *anns = json_object();
  json_object_set_new(anns, "a", json_string(value));
  free(value);
  causes = edited("Pod", "metadata.annotations", anns);
  expect_message(causes, "metadata.annotations", "FieldValueTooLong",
                 "Too long: must have at most 262144 bytes");
  json_decref(causes);
}

static void metadata_owner_references_need_api_version_kind_name_and_uid(void **state) {
  (void)state;
  json_t *causes = edited("Pod", "metadata.ownerReferences", js("[{'kind':'ReplicaSet'}]"));
  expect(causes, "metadata.ownerReferences[0].apiVersion", "FieldValueRequired");
  expect(causes, "metadata.ownerReferences[0].name", "FieldValueRequired");
  expect(causes, "metadata.ownerReferences[0].uid", "FieldValueRequired");
  expect_absent(causes, "metadata.ownerReferences[0].kind", "FieldValueRequired");
  assert_int_equal(json_array_size(causes), 3);
  json_decref(causes);
  edit_yields("Pod", "metadata.ownerReferences", "['rs']", "metadata.ownerReferences[0]",
              "FieldValueInvalid");
}

static void metadata_allows_one_controller_owner_only(void **state) {
  (void)state;
  edit_yields(
      "Pod", "metadata.ownerReferences",
      "[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'a','uid':'1','controller':true},"
      "{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'b','uid':'2','controller':true}]",
      "metadata.ownerReferences", "FieldValueInvalid");
}

static void metadata_finalizers_are_qualified_names(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.finalizers", "['example.com/cleanup','bad finalizer']",
              "metadata.finalizers", "FieldValueInvalid");
  edit_yields("Pod", "metadata.finalizers", "[7]", "metadata.finalizers[0]", "FieldValueInvalid");
  edit_yields("Pod", "metadata.finalizers", "['orphan','foregroundDeletion']",
              "metadata.finalizers", "FieldValueInvalid");
}

/* ---- Pod: containers ---- */

static void pod_requires_at_least_one_container(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers", "[]", "spec.containers", "FieldValueRequired");
  edit_yields("Pod", "spec.containers", NULL, "spec.containers", "FieldValueRequired");
  edit_yields("Pod", "spec", NULL, "spec.containers", "FieldValueRequired");
  edit_yields_message("Pod", "spec.containers", "{'name':'web'}", "spec.containers",
                      "FieldValueInvalid", "Invalid value: {\"name\":\"web\"}: must be an array");
  edit_yields_message("Pod", "spec", "'web'", "spec", "FieldValueInvalid",
                      "Invalid value: \"web\": must be an object");
}

static void container_name_is_required_and_a_dns_label(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.name", NULL, "spec.containers[0].name",
              "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.name", "'Web'", "spec.containers[0].name",
              "FieldValueInvalid");
}

static void container_names_are_unique_across_containers_and_init_containers(void **state) {
  (void)state;
  json_t *obj = example("Pod");
  json_array_append_new(get(obj, "spec.containers"), js("{'name':'web','image':'b'}"));
  put(obj, "spec.initContainers", js("[{'name':'web','image':'b'}]"));
  json_t *causes = run("Pod", obj, NULL);
  expect_message(causes, "spec.containers[1].name", "FieldValueDuplicate",
                 "Duplicate value: \"web\"");
  expect(causes, "spec.initContainers[0].name", "FieldValueDuplicate");
  assert_int_equal(json_array_size(causes), 2);
  json_decref(causes);
  json_decref(obj);
}

static void container_image_is_required_without_surrounding_spaces(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.image", NULL, "spec.containers[0].image",
                      "FieldValueRequired", "Required value");
  edit_yields("Pod", "spec.containers.0.image", "''", "spec.containers[0].image",
              "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.image", "' busybox'", "spec.containers[0].image",
              "FieldValueInvalid");
}

static void container_command_and_args_are_lists_of_strings(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.command", "'httpd -f'", "spec.containers[0].command",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.args", "['-p',8080]", "spec.containers[0].args[1]",
              "FieldValueInvalid");
}

static void env_names_are_checked_and_values_are_strings(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.env.0.name", "'1MODE'", "spec.containers[0].env[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.env.0.name", "'MY MODE'", "spec.containers[0].env[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.env.0.name", NULL, "spec.containers[0].env[0].name",
              "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.env.0.value", "1", "spec.containers[0].env[0].value",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.env.0.valueFrom", "{'fieldRef':{}}",
              "spec.containers[0].env[0].valueFrom", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.env.0.name", js("'my.env-name_1'"));
  expect_none(causes);
  json_decref(causes);
}

static void container_ports_are_in_range_with_known_protocols(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.ports.0.containerPort", "70000",
                      "spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
                      "Invalid value: 70000: must be between 1 and 65535, inclusive");
  edit_yields("Pod", "spec.containers.0.ports.0.containerPort", "0",
              "spec.containers[0].ports[0].containerPort", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.containerPort", NULL,
              "spec.containers[0].ports[0].containerPort", "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.ports.0.containerPort", "'8080'",
              "spec.containers[0].ports[0].containerPort", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.hostPort", "-1",
              "spec.containers[0].ports[0].hostPort", "FieldValueInvalid");
  edit_yields_message("Pod", "spec.containers.0.ports.0.protocol", "'HTTP'",
                      "spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
                      "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
}

static void container_port_names_are_short_iana_names_and_unique(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.ports.0.name", "'http-frontend-01'",
                      "spec.containers[0].ports[0].name", "FieldValueInvalid",
                      "Invalid value: \"http-frontend-01\": must be no more than 15 characters");
  json_t *fifteen = edited("Pod", "spec.containers.0.ports.0.name", js("'http-frontend-1'"));
  expect_none(fifteen);
  json_decref(fifteen);
  edit_yields("Pod", "spec.containers.0.ports.0.name", "'8080'", "spec.containers[0].ports[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.name", "'a--b'", "spec.containers[0].ports[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.name", "'HTTP'", "spec.containers[0].ports[0].name",
              "FieldValueInvalid");
  json_t *obj = example("Pod");
  json_array_append_new(get(obj, "spec.containers.0.ports"),
                        js("{'name':'http','containerPort':8081}"));
  json_t *causes = run("Pod", obj, NULL);
  expect_only(causes, "spec.containers[0].ports[1].name", "FieldValueDuplicate");
  json_decref(causes);
  json_decref(obj);
}

/* ---- Pod: resources ---- */

static void resources_accept_standard_and_domain_prefixed_names_only(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.resources.requests", "{'gpu':'1'}",
                      "spec.containers[0].resources.requests[gpu]", "FieldValueInvalid",
                      "Invalid value: \"gpu\": must be a standard resource for containers");
  json_t *causes = edited("Pod", "spec.containers.0.resources",
                          js("{'limits':{'example.com/gpu':'1','ephemeral-storage':'1Gi',"
                             "'hugepages-2Mi':'4Mi','pods':'1'}}"));
  expect_none(causes);
  json_decref(causes);
}

static void resource_quantities_must_be_valid_and_not_negative(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.resources.requests.cpu", "'lots'",
              "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.resources.requests.memory", "'64MB'",
              "spec.containers[0].resources.requests[memory]", "FieldValueInvalid");
  edit_yields_message("Pod", "spec.containers.0.resources.requests.cpu", "'-1'",
                      "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
                      "Invalid value: \"-1\": must be greater than or equal to 0");
  edit_yields("Pod", "spec.containers.0.resources.requests.cpu", "true",
              "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.resources.requests.cpu", js("0.25"));
  expect_none(causes);
  json_decref(causes);
}

static void request_above_its_limit_is_invalid(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.resources.requests.cpu", "'600m'",
                      "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
                      "Invalid value: \"600m\": must be less than or equal to cpu limit of 500m");
  edit_yields("Pod", "spec.containers.0.resources.requests.memory", "'1Gi'",
              "spec.containers[0].resources.requests[memory]", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.resources.requests.cpu", js("'0.5'"));
  expect_none(causes);
  json_decref(causes);
}

/* ---- Pod: spec fields ---- */

static void restart_policy_must_be_always_on_failure_or_never(void **state) {
  (void)state;
  edit_yields_message(
      "Pod", "spec.restartPolicy", "'Sometimes'", "spec.restartPolicy", "FieldValueNotSupported",
      "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
}

static void termination_grace_period_must_not_be_negative(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.terminationGracePeriodSeconds", "-1",
                      "spec.terminationGracePeriodSeconds", "FieldValueInvalid",
                      "Invalid value: -1: must be greater than or equal to 0");
  edit_yields("Pod", "spec.terminationGracePeriodSeconds", "1.5",
              "spec.terminationGracePeriodSeconds", "FieldValueInvalid");
  edit_yields("Pod", "spec.activeDeadlineSeconds", "0", "spec.activeDeadlineSeconds",
              "FieldValueInvalid");
}

static void node_selector_needs_valid_labels(void **state) {
  (void)state;
  edit_yields("Pod", "spec.nodeSelector", "{'disk type':'ssd'}", "spec.nodeSelector",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.nodeSelector", "{'disk':true}", "spec.nodeSelector[disk]",
              "FieldValueInvalid");
}

static void tolerations_need_known_operators_and_effects(void **state) {
  (void)state;
  edit_yields("Pod", "spec.tolerations.0.operator", "'In'", "spec.tolerations[0].operator",
              "FieldValueNotSupported");
  edit_yields("Pod", "spec.tolerations.0.effect", "'NoRun'", "spec.tolerations[0].effect",
              "FieldValueNotSupported");
  edit_yields("Pod", "spec.tolerations.0", "{'operator':'Exists','value':'x'}",
              "spec.tolerations[0].operator", "FieldValueInvalid");
  edit_yields("Pod", "spec.tolerations.0", "{'value':'x'}", "spec.tolerations[0].operator",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.tolerations.0", "{'key':'a','tolerationSeconds':30}",
              "spec.tolerations[0].effect", "FieldValueInvalid");
  edit_yields("Pod", "spec.tolerations.0.key", "'bad key'", "spec.tolerations[0].key",
              "FieldValueInvalid");
  json_t *causes =
      edited("Pod", "spec.tolerations",
             js("[{'operator':'Exists'},{'key':'a','operator':'Exists',"
                "'effect':'NoExecute','tolerationSeconds':30},{'key':'b','effect':''}]"));
  expect_none(causes);
  json_decref(causes);
}

static void priority_is_an_int32_and_its_class_a_subdomain(void **state) {
  (void)state;
  edit_yields("Pod", "spec.priority", "'high'", "spec.priority", "FieldValueInvalid");
  edit_yields("Pod", "spec.priority", "3000000000", "spec.priority", "FieldValueInvalid");
  edit_yields("Pod", "spec.priorityClassName", "'High'", "spec.priorityClassName",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.nodeName", "'node_1'", "spec.nodeName", "FieldValueInvalid");
}

/* ---- Pod: probes ---- */

static void probe_needs_exactly_one_handler(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.livenessProbe", "{'periodSeconds':5}",
                      "spec.containers[0].livenessProbe", "FieldValueRequired",
                      "Required value: must specify a handler type");
  edit_yields("Pod", "spec.containers.0.readinessProbe.exec", "{'command':['true']}",
              "spec.containers[0].readinessProbe.tcpSocket", "FieldValueForbidden");
}

static void http_get_probe_needs_a_port_and_an_absolute_path(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.port", NULL,
              "spec.containers[0].livenessProbe.httpGet.port", "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.port", "0",
              "spec.containers[0].livenessProbe.httpGet.port", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.port", "'no_such port'",
              "spec.containers[0].livenessProbe.httpGet.port", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.path", "'healthz'",
              "spec.containers[0].livenessProbe.httpGet.path", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.scheme", "'FTP'",
              "spec.containers[0].livenessProbe.httpGet.scheme", "FieldValueNotSupported");
  edit_yields("Pod", "spec.containers.0.readinessProbe.tcpSocket.port", "65536",
              "spec.containers[0].readinessProbe.tcpSocket.port", "FieldValueInvalid");
}

static void exec_probe_needs_a_command(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.startupProbe.exec.command", "[]",
              "spec.containers[0].startupProbe.exec.command", "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.startupProbe.exec", "{}",
              "spec.containers[0].startupProbe.exec.command", "FieldValueRequired");
}

static void probe_timings_have_minimums(void **state) {
  (void)state;
  static const struct {
    const char *key;
    const char *bad;
  } cases[] = {{"initialDelaySeconds", "-1"},
               {"periodSeconds", "0"},
               {"timeoutSeconds", "0"},
               {"failureThreshold", "0"},
               {"successThreshold", "0"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[128], field[128];
    snprintf(path, sizeof path, "spec.containers.0.readinessProbe.%s", cases[i].key);
    snprintf(field, sizeof field, "spec.containers[0].readinessProbe.%s", cases[i].key);
    edit_yields("Pod", path, cases[i].bad, field, "FieldValueInvalid");
  }
}

static void liveness_and_startup_probes_succeed_once(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.livenessProbe.successThreshold", "2",
                      "spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid",
                      "Invalid value: 2: must be 1");
  edit_yields("Pod", "spec.containers.0.startupProbe.successThreshold", "3",
              "spec.containers[0].startupProbe.successThreshold", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.readinessProbe.successThreshold", js("3"));
  expect_none(causes);
  json_decref(causes);
}

/* ---- Pod: defaults ---- */

static void pod_defaults_fill_what_kubernetes_fills(void **state) {
  (void)state;
  json_t *pod = defaulted("Pod", NULL, NULL);
  expect_str_at(pod, "spec.restartPolicy", "Always");
  expect_int_at(pod, "spec.terminationGracePeriodSeconds", 30);
  expect_str_at(pod, "spec.dnsPolicy", "ClusterFirst");
  expect_str_at(pod, "spec.schedulerName", "default-scheduler");
  expect_str_at(pod, "spec.containers.0.imagePullPolicy", "IfNotPresent");
  expect_str_at(pod, "spec.containers.0.terminationMessagePath", "/dev/termination-log");
  expect_str_at(pod, "spec.containers.0.terminationMessagePolicy", "File");
  expect_str_at(pod, "spec.containers.0.ports.0.protocol", "TCP");
  expect_int_at(pod, "spec.containers.0.livenessProbe.timeoutSeconds", 1);
  expect_int_at(pod, "spec.containers.0.livenessProbe.successThreshold", 1);
  expect_int_at(pod, "spec.containers.0.livenessProbe.failureThreshold", 3);
  expect_int_at(pod, "spec.containers.0.readinessProbe.periodSeconds", 10);
  expect_str_at(pod, "spec.containers.0.livenessProbe.httpGet.scheme", "HTTP");
  assert_null(get(pod, "status"));
  json_decref(pod);
  pod = defaulted("Pod", "spec.containers.0.livenessProbe.httpGet.path", NULL);
  expect_str_at(pod, "spec.containers.0.livenessProbe.httpGet.path", "/");
  json_decref(pod);
}

static void pod_defaults_keep_values_already_set(void **state) {
  (void)state;
  json_t *pod = example("Pod");
  put(pod, "spec.restartPolicy", json_string("Never"));
  put(pod, "spec.terminationGracePeriodSeconds", json_integer(5));
  put(pod, "spec.dnsPolicy", json_string("Default"));
  put(pod, "spec.schedulerName", json_string("batch"));
  put(pod, "spec.containers.0.imagePullPolicy", json_string("Never"));
  put(pod, "spec.containers.0.ports.0.protocol", json_string("UDP"));
  put(pod, "spec.containers.0.terminationMessagePolicy", json_string("FallbackToLogsOnError"));
  api_default_pod(pod);
  expect_str_at(pod, "spec.restartPolicy", "Never");
  expect_int_at(pod, "spec.terminationGracePeriodSeconds", 5);
  expect_str_at(pod, "spec.dnsPolicy", "Default");
  expect_str_at(pod, "spec.schedulerName", "batch");
  expect_str_at(pod, "spec.containers.0.imagePullPolicy", "Never");
  expect_str_at(pod, "spec.containers.0.ports.0.protocol", "UDP");
  expect_str_at(pod, "spec.containers.0.terminationMessagePolicy", "FallbackToLogsOnError");
  expect_int_at(pod, "spec.containers.0.livenessProbe.periodSeconds", 5);
  expect_str_at(pod, "spec.containers.0.livenessProbe.httpGet.path", "/healthz");
  json_decref(pod);
}

static void image_pull_policy_is_always_for_latest_or_untagged_images(void **state) {
  (void)state;
  static const struct {
    const char *image, *policy;
  } cases[] = {
      {"busybox", "Always"},
      {"busybox:latest", "Always"},
      {"localhost:5000/busybox", "Always"},
      {"localhost:5000/busybox:1.36", "IfNotPresent"},
      {"busybox:1.36", "IfNotPresent"},
      {"busybox@sha256:0123456789abcdef", "IfNotPresent"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *pod = defaulted("Pod", "spec.containers.0.image", json_string(cases[i].image));
    json_t *v = get(pod, "spec.containers.0.imagePullPolicy");
    if (strcmp(json_string_value(v), cases[i].policy) != 0)
      fail_msg("%s: expected %s, got %s", cases[i].image, cases[i].policy, json_string_value(v));
    json_decref(pod);
  }
}

static void requests_default_to_limits_and_numbers_become_strings(void **state) {
  (void)state;
  json_t *pod = defaulted("Pod", "spec.containers.0.resources",
                          js("{'limits':{'cpu':1,'memory':'128Mi','example.com/gpu':'1'},"
                             "'requests':{'memory':'64Mi'}}"));
  expect_str_at(pod, "spec.containers.0.resources.requests.cpu", "1");
  expect_str_at(pod, "spec.containers.0.resources.limits.cpu", "1");
  expect_str_at(pod, "spec.containers.0.resources.requests.memory", "64Mi");
  expect_str_at(pod, "spec.containers.0.resources.requests[example.com/gpu]", "1");
  json_decref(pod);
  pod = defaulted("Pod", "spec.containers.0.resources", js("{'requests':{'cpu':0.5}}"));
  expect_str_at(pod, "spec.containers.0.resources.requests.cpu", "0.5");
  assert_null(get(pod, "spec.containers.0.resources.limits"));
  json_decref(pod);
}

/* Kubernetes defaults requests from limits on Pods only: a template keeps
 * what kubectl set (`set resources --limits`), its pods get the default. */
static void templates_keep_limits_without_requests(void **state) {
  (void)state;
  const char *kinds[] = {"Deployment", "ReplicaSet", "Job"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    json_t *obj = defaulted(kinds[i], "spec.template.spec.containers.0.resources",
                            js("{'limits':{'cpu':'200m'}}"));
    expect_str_at(obj, "spec.template.spec.containers.0.resources.limits.cpu", "200m");
    if (get(obj, "spec.template.spec.containers.0.resources.requests"))
      fail_msg("%s: requests defaulted on a template", kinds[i]);
    json_decref(obj);
  }
}

/* ---- Pod: updates ---- */

static void pod_update_may_change_container_images(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.containers.0.image", json_string("busybox:1.37"));
  expect_none(causes);
  json_decref(causes);
}

static void pod_update_may_not_change_other_spec_fields(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.containers.0.command", js("['sh']"));
  const char *msg = expect(causes, "spec", "FieldValueForbidden");
  assert_non_null(strstr(msg, "Forbidden: pod updates may not change fields other than "));
  json_decref(causes);
  causes = updated("Pod", "spec.restartPolicy", json_string("Never"));
  expect_only(causes, "spec", "FieldValueForbidden");
  json_decref(causes);
}

static void pod_update_may_add_tolerations_but_not_remove_them(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.tolerations.1", js("{'operator':'Exists'}"));
  expect_none(causes);
  json_decref(causes);
  causes = updated("Pod", "spec.tolerations", js("[]"));
  expect_only(causes, "spec.tolerations", "FieldValueForbidden");
  json_decref(causes);
}

static void pod_update_may_set_node_name_once(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.nodeName", json_string("node-1"));
  expect_none(causes);
  json_decref(causes);
  json_t *old = defaulted("Pod", "spec.nodeName", json_string("node-1"));
  json_t *obj = json_deep_copy(old);
  put(obj, "spec.nodeName", json_string("node-2"));
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.nodeName", "FieldValueForbidden");
  json_decref(causes);
  put(obj, "spec.nodeName", NULL);
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.nodeName", "FieldValueForbidden");
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

static void pod_update_may_only_shorten_active_deadline(void **state) {
  (void)state;
  json_t *old = defaulted("Pod", "spec.activeDeadlineSeconds", json_integer(100));
  json_t *obj = json_deep_copy(old);
  put(obj, "spec.activeDeadlineSeconds", json_integer(50));
  json_t *causes = run("Pod", obj, old);
  expect_none(causes);
  json_decref(causes);
  put(obj, "spec.activeDeadlineSeconds", json_integer(200));
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.activeDeadlineSeconds", "FieldValueInvalid");
  json_decref(causes);
  put(obj, "spec.activeDeadlineSeconds", NULL);
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.activeDeadlineSeconds", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

/* ---- Deployment ---- */

static void deployment_requires_a_selector_matching_its_template(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.selector", NULL, "spec.selector", "FieldValueRequired");
  edit_yields_message("Deployment", "spec.selector.matchLabels.app", "'api'",
                      "spec.template.metadata.labels", "FieldValueInvalid",
                      "Invalid value: {\"app\":\"web\",\"tier\":\"fe\"}: `selector` does not "
                      "match template `labels`");
  edit_yields("Deployment", "spec.selector", "{}", "spec.selector", "FieldValueInvalid");
  edit_yields("Deployment", "spec.selector.matchLabels", "{'bad key':'x'}", "spec.selector",
              "FieldValueInvalid");
  edit_yields("Deployment", "spec.template.metadata.labels", NULL, "spec.template.metadata.labels",
              "FieldValueInvalid");
}

static void deployment_replicas_and_durations_are_not_negative(void **state) {
  (void)state;
  edit_yields_message("Deployment", "spec.replicas", "-1", "spec.replicas", "FieldValueInvalid",
                      "Invalid value: -1: must be greater than or equal to 0");
  edit_yields("Deployment", "spec.minReadySeconds", "-5", "spec.minReadySeconds",
              "FieldValueInvalid");
  edit_yields("Deployment", "spec.revisionHistoryLimit", "-1", "spec.revisionHistoryLimit",
              "FieldValueInvalid");
  edit_yields_message("Deployment", "spec.progressDeadlineSeconds", "5",
                      "spec.progressDeadlineSeconds", "FieldValueInvalid",
                      "Invalid value: 5: must be greater than minReadySeconds");
}

static void deployment_strategy_is_rolling_update_or_recreate(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.strategy.type", "'BlueGreen'", "spec.strategy.type",
              "FieldValueNotSupported");
  edit_yields("Deployment", "spec.strategy.type", "'Recreate'", "spec.strategy.rollingUpdate",
              "FieldValueForbidden");
  json_t *causes = edited("Deployment", "spec.strategy", js("{'type':'Recreate'}"));
  expect_none(causes);
  json_decref(causes);
}

static void rolling_update_bounds_are_counts_or_percents_not_both_zero(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.strategy.rollingUpdate.maxSurge", "'25'",
              "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid");
  edit_yields("Deployment", "spec.strategy.rollingUpdate.maxSurge", "-1",
              "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid");
  edit_yields("Deployment", "spec.strategy.rollingUpdate.maxUnavailable", "'150%'",
              "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid");
  json_t *causes = edited("Deployment", "spec.strategy.rollingUpdate",
                          js("{'maxSurge':0,'maxUnavailable':'0%'}"));
  expect_only(causes, "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid");
  expect_message(causes, "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
                 "Invalid value: \"0%\": may not be 0 when `maxSurge` is 0");
  json_decref(causes);
}

static void deployment_template_is_a_pod_spec_that_restarts_always(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.template.spec.containers.0.image", NULL,
              "spec.template.spec.containers[0].image", "FieldValueRequired");
  edit_yields_message("Deployment", "spec.template.spec.restartPolicy", "'OnFailure'",
                      "spec.template.spec.restartPolicy", "FieldValueNotSupported",
                      "Unsupported value: \"OnFailure\": supported values: \"Always\"");
  edit_yields("Deployment", "spec.template", NULL, "spec.template", "FieldValueRequired");
  edit_yields("Deployment", "spec.template.metadata.annotations", "{'a b':'c'}",
              "spec.template.metadata.annotations", "FieldValueInvalid");
  edit_yields("Deployment", "spec", NULL, "spec", "FieldValueRequired");
}

static void deployment_defaults_replicas_strategy_and_limits(void **state) {
  (void)state;
  json_t *d = example("Deployment");
  put(d, "spec.replicas", NULL);
  put(d, "spec.strategy", NULL);
  api_default_deployment(d);
  expect_int_at(d, "spec.replicas", 1);
  expect_str_at(d, "spec.strategy.type", "RollingUpdate");
  expect_str_at(d, "spec.strategy.rollingUpdate.maxSurge", "25%");
  expect_str_at(d, "spec.strategy.rollingUpdate.maxUnavailable", "25%");
  expect_int_at(d, "spec.revisionHistoryLimit", 10);
  expect_int_at(d, "spec.progressDeadlineSeconds", 600);
  expect_str_at(d, "spec.template.spec.restartPolicy", "Always");
  expect_str_at(d, "spec.template.spec.containers.0.imagePullPolicy", "IfNotPresent");
  json_decref(d);
  d = defaulted("Deployment", NULL, NULL);
  expect_int_at(d, "spec.replicas", 3);
  expect_int_at(d, "spec.strategy.rollingUpdate.maxSurge", 1);
  expect_str_at(d, "spec.strategy.rollingUpdate.maxUnavailable", "10%");
  json_decref(d);
  d = defaulted("Deployment", "spec.strategy", js("{'type':'Recreate'}"));
  assert_null(get(d, "spec.strategy.rollingUpdate"));
  json_decref(d);
}

/* Kubernetes defaults requests from limits on Pods, never in a template. */
static void templates_keep_limits_without_copying_them_to_requests(void **state) {
  (void)state;
  static const char *const kinds[] = {"Deployment", "ReplicaSet", "Job"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    json_t *w = defaulted(kinds[i], "spec.template.spec.containers.0.resources",
                          js("{'limits':{'cpu':'500m','memory':128}}"));
    expect_str_at(w, "spec.template.spec.containers.0.resources.limits.memory", "128");
    assert_null(get(w, "spec.template.spec.containers.0.resources.requests"));
    json_decref(w);
  }
}

static void deployment_selector_is_immutable(void **state) {
  (void)state;
  json_t *causes = updated("Deployment", "spec.selector.matchLabels.tier", json_string("fe"));
  expect_message(causes, "spec.selector", "FieldValueInvalid",
                 "Invalid value: {\"matchLabels\":{\"app\":\"web\",\"tier\":\"fe\"}}: field is "
                 "immutable");
  assert_int_equal(json_array_size(causes), 1);
  json_decref(causes);
  causes = updated("Deployment", "spec.replicas", json_integer(10));
  expect_none(causes);
  json_decref(causes);
}

/* ---- ReplicaSet ---- */

static void replicaset_rules_match_deployment_rules(void **state) {
  (void)state;
  edit_yields("ReplicaSet", "spec.replicas", "-2", "spec.replicas", "FieldValueInvalid");
  edit_yields("ReplicaSet", "spec.selector", NULL, "spec.selector", "FieldValueRequired");
  edit_yields("ReplicaSet", "spec.selector.matchExpressions.0.values.0", "'api'",
              "spec.template.metadata.labels", "FieldValueInvalid");
  edit_yields("ReplicaSet", "spec.selector.matchExpressions.0.operator", "'Like'", "spec.selector",
              "FieldValueInvalid");
  edit_yields("ReplicaSet", "spec.template.spec.containers.0.name", "'Web'",
              "spec.template.spec.containers[0].name", "FieldValueInvalid");
  json_t *rs = defaulted("ReplicaSet", "spec.replicas", NULL);
  expect_int_at(rs, "spec.replicas", 1);
  expect_str_at(rs, "spec.template.spec.restartPolicy", "Always");
  json_decref(rs);
  json_t *causes = updated("ReplicaSet", "spec.selector", js("{'matchLabels':{'app':'web'}}"));
  expect_only(causes, "spec.selector", "FieldValueInvalid");
  json_decref(causes);
}

/* ---- Job ---- */

static void job_template_must_restart_on_failure_or_never(void **state) {
  (void)state;
  edit_yields("Job", "spec.template.spec.restartPolicy", NULL, "spec.template.spec.restartPolicy",
              "FieldValueRequired");
  edit_yields_message("Job", "spec.template.spec.restartPolicy", "'Always'",
                      "spec.template.spec.restartPolicy", "FieldValueNotSupported",
                      "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
  json_t *job = defaulted("Job", "spec.template.spec.restartPolicy", NULL);
  assert_null(get(job, "spec.template.spec.restartPolicy"));
  expect_int_at(job, "spec.template.spec.terminationGracePeriodSeconds", 30);
  json_decref(job);
}

static void job_counts_and_limits_are_not_negative(void **state) {
  (void)state;
  edit_yields("Job", "spec.parallelism", "-1", "spec.parallelism", "FieldValueInvalid");
  edit_yields("Job", "spec.completions", "-1", "spec.completions", "FieldValueInvalid");
  edit_yields("Job", "spec.backoffLimit", "-1", "spec.backoffLimit", "FieldValueInvalid");
  edit_yields("Job", "spec.activeDeadlineSeconds", "0", "spec.activeDeadlineSeconds",
              "FieldValueInvalid");
  edit_yields("Job", "spec.ttlSecondsAfterFinished", "-1", "spec.ttlSecondsAfterFinished",
              "FieldValueInvalid");
  edit_yields("Job", "spec.selector", "{'matchLabels':{'job':'x'}}",
              "spec.template.metadata.labels", "FieldValueInvalid");
}

static void job_defaults_one_completion_only_when_neither_count_is_set(void **state) {
  (void)state;
  json_t *job = defaulted("Job", NULL, NULL);
  expect_int_at(job, "spec.completions", 1);
  expect_int_at(job, "spec.parallelism", 1);
  expect_int_at(job, "spec.backoffLimit", 2);
  json_decref(job);
  job = defaulted("Job", "spec.parallelism", json_integer(4));
  assert_null(get(job, "spec.completions"));
  expect_int_at(job, "spec.parallelism", 4);
  json_decref(job);
  job = defaulted("Job", "spec.completions", json_integer(5));
  expect_int_at(job, "spec.completions", 5);
  expect_int_at(job, "spec.parallelism", 1);
  json_decref(job);
  job = defaulted("Job", "spec.backoffLimit", NULL);
  expect_int_at(job, "spec.backoffLimit", 6);
  json_decref(job);
}

static void job_template_and_completions_are_immutable(void **state) {
  (void)state;
  json_t *causes = updated("Job", "spec.template.spec.containers.0.image", json_string("b:2"));
  expect_only(causes, "spec.template", "FieldValueInvalid");
  json_decref(causes);
  causes = updated("Job", "spec.completions", json_integer(3));
  expect_only(causes, "spec.completions", "FieldValueInvalid");
  json_decref(causes);
  causes = updated("Job", "spec.backoffLimit", json_integer(3));
  expect_none(causes);
  json_decref(causes);
}

/* ---- Service ---- */

static void service_requires_ports(void **state) {
  (void)state;
  edit_yields("Service", "spec.ports", "[]", "spec.ports", "FieldValueRequired");
  edit_yields("Service", "spec", NULL, "spec.ports", "FieldValueRequired");
}

static void service_type_is_cluster_ip_or_node_port(void **state) {
  (void)state;
  edit_yields_message("Service", "spec.type", "'LoadBalancer'", "spec.type",
                      "FieldValueNotSupported",
                      "Unsupported value: \"LoadBalancer\": supported values: \"ClusterIP\", "
                      "\"NodePort\"");
  edit_yields("Service", "spec.type", "'ExternalName'", "spec.type", "FieldValueNotSupported");
}

static void service_ports_are_in_range_named_and_unique(void **state) {
  (void)state;
  edit_yields("Service", "spec.ports.0.port", "0", "spec.ports[0].port", "FieldValueInvalid");
  edit_yields("Service", "spec.ports.0.port", NULL, "spec.ports[0].port", "FieldValueRequired");
  edit_yields("Service", "spec.ports.0.protocol", "'ICMP'", "spec.ports[0].protocol",
              "FieldValueNotSupported");
  edit_yields("Service", "spec.ports.1.name", NULL, "spec.ports[1].name", "FieldValueRequired");
  edit_yields_message("Service", "spec.ports.1.name", "'http'", "spec.ports[1].name",
                      "FieldValueDuplicate", "Duplicate value: \"http\"");
  edit_yields("Service", "spec.ports.1.port", "80", "spec.ports[1]", "FieldValueDuplicate");
  edit_yields("Service", "spec.ports.0.targetPort", "70000", "spec.ports[0].targetPort",
              "FieldValueInvalid");
  edit_yields("Service", "spec.ports.0.targetPort", "'not a name'", "spec.ports[0].targetPort",
              "FieldValueInvalid");
  edit_yields("Service", "spec.ports.0.targetPort", "true", "spec.ports[0].targetPort",
              "FieldValueInvalid");
  json_t *causes = edited("Service", "spec.ports", js("[{'port':80}]"));
  expect_none(causes);
  json_decref(causes);
}

static void node_ports_are_in_range_and_only_for_node_port_services(void **state) {
  (void)state;
  edit_yields("Service", "spec.ports.0.nodePort", "30080", "spec.ports[0].nodePort",
              "FieldValueForbidden");
  json_t *obj = example("Service");
  put(obj, "spec.type", json_string("NodePort"));
  put(obj, "spec.ports.0.nodePort", json_integer(8080));
  json_t *causes = run("Service", obj, NULL);
  expect_message(causes, "spec.ports[0].nodePort", "FieldValueInvalid",
                 "Invalid value: 8080: provided port is not in the valid range. The range of "
                 "valid ports is 30000-32767");
  assert_int_equal(json_array_size(causes), 1);
  json_decref(causes);
  put(obj, "spec.ports.0.nodePort", json_integer(30080));
  causes = run("Service", obj, NULL);
  expect_none(causes);
  json_decref(causes);
  /* Two ports share a node port only with different protocols. */
  put(obj, "spec.ports.1.nodePort", json_integer(30080));
  causes = run("Service", obj, NULL);
  expect_message(causes, "spec.ports[1].nodePort", "FieldValueDuplicate", "Duplicate value: 30080");
  json_decref(causes);
  put(obj, "spec.ports.1.protocol", json_string("UDP"));
  causes = run("Service", obj, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(obj);
}

static void service_selector_and_cluster_ip_are_checked(void **state) {
  (void)state;
  edit_yields("Service", "spec.selector", "{'app':'web!'}", "spec.selector", "FieldValueInvalid");
  edit_yields("Service", "spec.clusterIP", "'198.19.0.300'", "spec.clusterIP", "FieldValueInvalid");
  edit_yields("Service", "spec.clusterIP", "'fd00::1'", "spec.clusterIP", "FieldValueInvalid");
  edit_yields("Service", "spec.sessionAffinity", "'Cookie'", "spec.sessionAffinity",
              "FieldValueNotSupported");
  json_t *causes = edited("Service", "spec.clusterIP", js("'None'"));
  expect_none(causes);
  json_decref(causes);
  causes = edited("Service", "spec.clusterIP", js("'198.19.0.10'"));
  expect_none(causes);
  json_decref(causes);
}

static void service_defaults_type_affinity_protocol_and_target_port(void **state) {
  (void)state;
  json_t *svc = defaulted("Service", NULL, NULL);
  expect_str_at(svc, "spec.type", "ClusterIP");
  expect_str_at(svc, "spec.sessionAffinity", "None");
  expect_str_at(svc, "spec.ports.0.protocol", "TCP");
  expect_str_at(svc, "spec.ports.0.targetPort", "http");
  expect_int_at(svc, "spec.ports.1.targetPort", 9090);
  json_decref(svc);
}

static void service_cluster_ip_is_immutable_once_set(void **state) {
  (void)state;
  json_t *causes = updated("Service", "spec.clusterIP", json_string("198.19.0.10"));
  expect_none(causes);
  json_decref(causes);
  json_t *old = defaulted("Service", "spec.clusterIP", json_string("198.19.0.10"));
  json_t *obj = json_deep_copy(old);
  put(obj, "spec.clusterIP", json_string("198.19.0.11"));
  causes = run("Service", obj, old);
  expect_only(causes, "spec.clusterIP", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

/* ---- Endpoints ---- */

static void endpoints_addresses_are_ipv4_and_ports_valid(void **state) {
  (void)state;
  edit_yields("Endpoints", "subsets.0.addresses.0.ip", "'198.18.1'", "subsets[0].addresses[0].ip",
              "FieldValueInvalid");
  edit_yields("Endpoints", "subsets.0.addresses.0.ip", NULL, "subsets[0].addresses[0].ip",
              "FieldValueRequired");
  edit_yields("Endpoints", "subsets.0.notReadyAddresses.0", "{'ip':'x'}",
              "subsets[0].notReadyAddresses[0].ip", "FieldValueInvalid");
  edit_yields("Endpoints", "subsets.0.ports.0.port", "0", "subsets[0].ports[0].port",
              "FieldValueInvalid");
  edit_yields("Endpoints", "subsets.0.ports.0.protocol", "'tcp'", "subsets[0].ports[0].protocol",
              "FieldValueNotSupported");
  json_t *ep = defaulted("Endpoints", NULL, NULL);
  expect_str_at(ep, "subsets.0.ports.0.protocol", "TCP");
  json_decref(ep);
}

/* ---- Namespace and Node ---- */

static void namespace_is_labelled_with_its_name(void **state) {
  (void)state;
  json_t *ns = defaulted("Namespace", NULL, NULL);
  expect_str_at(ns, "metadata.labels[kubernetes.io/metadata.name]", "team-a");
  expect_str_at(ns, "metadata.labels.team", "a");
  json_decref(ns);
  edit_yields("Namespace", "spec.finalizers", "['bad finalizer']", "spec.finalizers[0]",
              "FieldValueInvalid");
}

static void node_pod_cidr_and_taints_are_checked(void **state) {
  (void)state;
  edit_yields("Node", "spec.podCIDR", "'198.18.1.0'", "spec.podCIDR", "FieldValueInvalid");
  edit_yields("Node", "spec.podCIDR", "'198.18.1.0/33'", "spec.podCIDR", "FieldValueInvalid");
  edit_yields("Node", "spec.podCIDRs.0", "'x'", "spec.podCIDRs[0]", "FieldValueInvalid");
  edit_yields("Node", "spec.taints.0.effect", NULL, "spec.taints[0].effect", "FieldValueRequired");
  edit_yields("Node", "spec.taints.0.effect", "'NoRun'", "spec.taints[0].effect",
              "FieldValueNotSupported");
  edit_yields("Node", "spec.taints.0.key", "'bad key'", "spec.taints[0].key", "FieldValueInvalid");
  edit_yields("Node", "spec.taints.1", "{'key':'dedicated','value':'x','effect':'NoSchedule'}",
              "spec.taints[1]", "FieldValueDuplicate");
  edit_yields("Node", "spec.unschedulable", "'yes'", "spec.unschedulable", "FieldValueInvalid");
}

static void node_pod_cidr_is_set_once(void **state) {
  (void)state;
  json_t *causes = updated("Node", "spec.podCIDR", json_string("198.18.2.0/24"));
  expect_only(causes, "spec.podCIDR", "FieldValueForbidden");
  json_decref(causes);
  json_t *old = defaulted("Node", "spec.podCIDR", NULL);
  json_t *obj = defaulted("Node", NULL, NULL);
  causes = run("Node", obj, old);
  expect_none(causes);
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

static void node_allocatable_defaults_to_capacity(void **state) {
  (void)state;
  json_t *node = defaulted("Node", NULL, NULL);
  expect_str_at(node, "status.allocatable.cpu", "4");
  json_decref(node);
  node = defaulted("Node", "status.allocatable", js("{'cpu':'3'}"));
  expect_str_at(node, "status.allocatable.cpu", "3");
  json_decref(node);
}

/* ---- Event ---- */

static void event_needs_an_involved_object_with_kind_and_name(void **state) {
  (void)state;
  edit_yields("Event", "involvedObject", NULL, "involvedObject", "FieldValueRequired");
  edit_yields("Event", "involvedObject.kind", NULL, "involvedObject.kind", "FieldValueRequired");
  edit_yields("Event", "involvedObject.name", "''", "involvedObject.name", "FieldValueRequired");
  edit_yields("Event", "involvedObject.namespace", "'other'", "involvedObject.namespace",
              "FieldValueInvalid");
  edit_yields("Event", "reason", "42", "reason", "FieldValueInvalid");
  edit_yields("Event", "message", "['a']", "message", "FieldValueInvalid");
  edit_yields("Event", "lastTimestamp", "'yesterday'", "lastTimestamp", "FieldValueInvalid");
}

/* ---- ResourceQuota and LimitRange ---- */

static void quota_names_only_resources_admission_counts(void **state) {
  (void)state;
  edit_yields("ResourceQuota", "spec.hard[request.cpu]", "'1'", "spec.hard[request.cpu]",
              "FieldValueInvalid");
  edit_yields("ResourceQuota", "spec.hard.count/Pods", "'1'", "spec.hard[count/Pods]",
              "FieldValueInvalid");
  json_t *causes = edited("ResourceQuota", "spec.hard[count/jobs.batch]", js("'2'"));
  expect_none(causes);
  json_decref(causes);
  causes = edited("ResourceQuota", "spec.hard.secrets", js("'2'"));
  expect_none(causes);
  json_decref(causes);
}

static void quota_values_are_non_negative_and_counts_whole(void **state) {
  (void)state;
  edit_yields("ResourceQuota", "spec.hard[requests.cpu]", "'-1'", "spec.hard[requests.cpu]",
              "FieldValueInvalid");
  edit_yields("ResourceQuota", "spec.hard[requests.memory]", "'8 Gi'", "spec.hard[requests.memory]",
              "FieldValueInvalid");
  edit_yields_message("ResourceQuota", "spec.hard.pods", "'1.5'", "spec.hard[pods]",
                      "FieldValueInvalid", "Invalid value: \"1.5\": must be an integer");
  edit_yields("ResourceQuota", "spec.hard", "['pods']", "spec.hard", "FieldValueInvalid");
  json_t *quota = defaulted("ResourceQuota", NULL, NULL);
  json_t *services = json_object_get(get(quota, "spec.hard"), "services");
  assert_string_equal(json_string_value(services), "3");
  json_decref(quota);
}

static void limit_range_items_have_a_type_and_ordered_bounds(void **state) {
  (void)state;
  edit_yields("LimitRange", "spec.limits.0.type", "'Volume'", "spec.limits[0].type",
              "FieldValueNotSupported");
  edit_yields("LimitRange", "spec.limits.0.type", NULL, "spec.limits[0].type",
              "FieldValueRequired");
  /* Above max, a min is above the defaults too: each pair is its own cause. */
  json_t *causes = edited("LimitRange", "spec.limits.0.min.cpu", js("'3'"));
  expect_message(causes, "spec.limits[0].min[cpu]", "FieldValueInvalid",
                 "Invalid value: \"3\": min value 3 is greater than max value 2");
  expect_message(causes, "spec.limits[0].defaultRequest[cpu]", "FieldValueInvalid",
                 "Invalid value: \"250m\": min value 3 is greater than default request value 250m");
  expect(causes, "spec.limits[0].default[cpu]", "FieldValueInvalid");
  assert_int_equal(json_array_size(causes), 3);
  json_decref(causes);
  causes = edited("LimitRange", "spec.limits.0.defaultRequest.cpu", js("'1'"));
  expect_only(causes, "spec.limits[0].defaultRequest[cpu]", "FieldValueInvalid");
  json_decref(causes);
  edit_yields("LimitRange", "spec.limits.0.default.cpu", "'3'", "spec.limits[0].default[cpu]",
              "FieldValueInvalid");
  edit_yields("LimitRange", "spec.limits.0.maxLimitRequestRatio.cpu", "'0.5'",
              "spec.limits[0].maxLimitRequestRatio[cpu]", "FieldValueInvalid");
  edit_yields("LimitRange", "spec.limits.1.default", "{'memory':'1Gi'}", "spec.limits[1].default",
              "FieldValueForbidden");
  edit_yields("LimitRange", "spec.limits.1.max.gpu", "'1'", "spec.limits[1].max[gpu]",
              "FieldValueInvalid");
}

static void limit_range_defaults_chain_from_max_and_min(void **state) {
  (void)state;
  json_t *lr = defaulted("LimitRange", "spec.limits.0",
                         js("{'type':'Container','max':{'cpu':'2','memory':'1Gi'},"
                            "'min':{'memory':'64Mi'},'default':{'cpu':1}}"));
  expect_str_at(lr, "spec.limits.0.default.cpu", "1");
  expect_str_at(lr, "spec.limits.0.default.memory", "1Gi");
  expect_str_at(lr, "spec.limits.0.defaultRequest.cpu", "1");
  expect_str_at(lr, "spec.limits.0.defaultRequest.memory", "1Gi");
  assert_null(get(lr, "spec.limits.1.default"));
  json_decref(lr);
  lr = defaulted("LimitRange", "spec.limits.0", js("{'type':'Container','min':{'cpu':'100m'}}"));
  expect_str_at(lr, "spec.limits.0.defaultRequest.cpu", "100m");
  assert_null(get(lr, "spec.limits.0.default"));
  json_decref(lr);
}

/* ---- PriorityClass and Lease ---- */

static void priority_class_value_is_required_and_bounded(void **state) {
  (void)state;
  edit_yields("PriorityClass", "value", NULL, "value", "FieldValueRequired");
  edit_yields_message("PriorityClass", "value", "1000000001", "value", "FieldValueInvalid",
                      "Invalid value: 1000000001: maximum allowed value of a user defined "
                      "priority is 1000000000");
  edit_yields("PriorityClass", "value", "-2147483649", "value", "FieldValueInvalid");
  edit_yields("PriorityClass", "value", "'high'", "value", "FieldValueInvalid");
  edit_yields("PriorityClass", "globalDefault", "'yes'", "globalDefault", "FieldValueInvalid");
  edit_yields("PriorityClass", "preemptionPolicy", "'Always'", "preemptionPolicy",
              "FieldValueNotSupported");
  json_t *causes = edited("PriorityClass", "value", js("-2147483648"));
  expect_none(causes);
  json_decref(causes);
  json_t *pc = example("PriorityClass");
  put(pc, "metadata.name", json_string("system-node-critical"));
  put(pc, "value", json_integer(2000001000));
  causes = run("PriorityClass", pc, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(pc);
}

static void priority_class_value_and_policy_are_immutable(void **state) {
  (void)state;
  json_t *pc = defaulted("PriorityClass", NULL, NULL);
  expect_str_at(pc, "preemptionPolicy", "PreemptLowerPriority");
  json_decref(pc);
  json_t *causes = updated("PriorityClass", "value", json_integer(2000));
  expect_message(causes, "value", "FieldValueForbidden",
                 "Forbidden: may not be changed in an update.");
  assert_int_equal(json_array_size(causes), 1);
  json_decref(causes);
  causes = updated("PriorityClass", "preemptionPolicy", json_string("Never"));
  expect_only(causes, "preemptionPolicy", "FieldValueInvalid");
  json_decref(causes);
  causes = updated("PriorityClass", "description", json_string("changed"));
  expect_none(causes);
  json_decref(causes);
}

static void lease_durations_are_positive_and_times_rfc3339(void **state) {
  (void)state;
  edit_yields("Lease", "spec.leaseDurationSeconds", "0", "spec.leaseDurationSeconds",
              "FieldValueInvalid");
  edit_yields("Lease", "spec.leaseTransitions", "-1", "spec.leaseTransitions", "FieldValueInvalid");
  edit_yields("Lease", "spec.holderIdentity", "7", "spec.holderIdentity", "FieldValueInvalid");
  static const char *const bad_times[] = {"'2024-05-01 10:00:00Z'", "'2024-13-01T10:00:00Z'",
                                          "'2024-05-01T10:00:00'",  "'2024-05-01T10:00:00.Z'",
                                          "'2024-05-01T25:00:00Z'", "'now'"};
  for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++)
    edit_yields("Lease", "spec.renewTime", bad_times[i], "spec.renewTime", "FieldValueInvalid");
  json_t *causes = edited("Lease", "spec.acquireTime", js("'2024-05-01T10:00:00Z'"));
  expect_none(causes);
  json_decref(causes);
}

/* ---- Queue ---- */

static void queue_takes_namespaces_or_a_selector_not_both(void **state) {
  (void)state;
  edit_yields("Queue", "spec.namespaceSelector", "{'matchLabels':{'team':'a'}}",
              "spec.namespaceSelector", "FieldValueForbidden");
  edit_yields("Queue", "spec.namespaces.1", "'Team_B'", "spec.namespaces[1]", "FieldValueInvalid");
  edit_yields("Queue", "spec.namespaces.1", "'team-a'", "spec.namespaces[1]",
              "FieldValueDuplicate");
  json_t *obj = example("Queue");
  put(obj, "spec.namespaces", NULL);
  put(obj, "spec.namespaceSelector", js("{'matchExpressions':[{'key':'team','operator':'Nope'}]}"));
  json_t *causes = run("Queue", obj, NULL);
  expect_only(causes, "spec.namespaceSelector", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
}

static void queue_quotas_cover_cpu_memory_and_pods(void **state) {
  (void)state;
  edit_yields_message(
      "Queue", "spec.nominal.gpu", "'1'", "spec.nominal[gpu]", "FieldValueNotSupported",
      "Unsupported value: \"gpu\": supported values: \"cpu\", \"memory\", \"pods\"");
  edit_yields("Queue", "spec.nominal.memory", "'-1Gi'", "spec.nominal[memory]",
              "FieldValueInvalid");
  edit_yields("Queue", "spec.cohort", "'Research'", "spec.cohort", "FieldValueInvalid");
}

static void queue_lends_at_most_its_nominal_quota_and_only_in_a_cohort(void **state) {
  (void)state;
  edit_yields_message("Queue", "spec.lendingLimit.cpu", "'9'", "spec.lendingLimit[cpu]",
                      "FieldValueInvalid",
                      "Invalid value: \"9\": must be less than or equal to nominal cpu of 8");
  json_t *obj = example("Queue");
  put(obj, "spec.nominal.pods", NULL);
  put(obj, "spec.lendingLimit.pods", json_integer(1));
  json_t *causes = run("Queue", obj, NULL);
  expect_only(causes, "spec.lendingLimit[pods]", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
  obj = example("Queue");
  put(obj, "spec.cohort", NULL);
  causes = run("Queue", obj, NULL);
  expect(causes, "spec.borrowingLimit", "FieldValueInvalid");
  expect(causes, "spec.lendingLimit", "FieldValueInvalid");
  assert_int_equal(json_array_size(causes), 2);
  json_decref(causes);
  json_decref(obj);
}

static void queue_weight_is_positive_and_preemption_known(void **state) {
  (void)state;
  edit_yields("Queue", "spec.weight", "0", "spec.weight", "FieldValueInvalid");
  edit_yields("Queue", "spec.weight", "-0.5", "spec.weight", "FieldValueInvalid");
  edit_yields("Queue", "spec.weight", "'2'", "spec.weight", "FieldValueInvalid");
  edit_yields("Queue", "spec.strictFIFO", "1", "spec.strictFIFO", "FieldValueInvalid");
  edit_yields("Queue", "spec.preemption.reclaimWithinCohort", "'Always'",
              "spec.preemption.reclaimWithinCohort", "FieldValueNotSupported");
  edit_yields("Queue", "spec.preemption.withinQueue", "'Any'", "spec.preemption.withinQueue",
              "FieldValueNotSupported");
  json_t *causes = edited("Queue", "spec.weight", js("0.5"));
  expect_none(causes);
  json_decref(causes);
}

static void queue_defaults_weight_fifo_and_preemption(void **state) {
  (void)state;
  json_t *q = js("{'apiVersion':'scheduling.tug.io/v1','kind':'Queue','metadata':{'name':'q'}}");
  api_default_queue(q);
  expect_int_at(q, "spec.weight", 1);
  assert_true(json_is_false(get(q, "spec.strictFIFO")));
  expect_str_at(q, "spec.preemption.reclaimWithinCohort", "Never");
  expect_str_at(q, "spec.preemption.withinQueue", "Never");
  json_t *causes = run("Queue", q, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(q);
  q = defaulted("Queue", NULL, NULL);
  expect_int_at(q, "spec.weight", 2);
  assert_true(json_is_true(get(q, "spec.strictFIFO")));
  expect_str_at(q, "spec.preemption.reclaimWithinCohort", "LowerPriority");
  expect_str_at(q, "spec.nominal.pods", "50");
  json_decref(q);
}

/* ---- robustness: any JSON, anywhere ---- */

/* Paths worth breaking, per kind, each with the type class the field accepts:
 * o object, a array, s string, i integer, n number, b boolean, q quantity (string or
 * number), p port (integer or string). */
static const struct {
  const char *kind;
  const char *const paths[72];
} typed_paths[] = {
    {"Pod",
     {"o:metadata",
      "s:metadata.name",
      "s:metadata.generateName",
      "s:metadata.namespace",
      "o:metadata.labels",
      "s:metadata.labels.app",
      "o:metadata.annotations",
      "s:metadata.annotations[example.com/owner]",
      "a:metadata.ownerReferences",
      "a:metadata.finalizers",
      "o:spec",
      "a:spec.containers",
      "o:spec.containers.0",
      "s:spec.containers.0.name",
      "s:spec.containers.0.image",
      "a:spec.containers.0.command",
      "s:spec.containers.0.command.0",
      "a:spec.containers.0.args",
      "s:spec.containers.0.workingDir",
      "a:spec.containers.0.env",
      "o:spec.containers.0.env.0",
      "s:spec.containers.0.env.0.name",
      "s:spec.containers.0.env.0.value",
      "o:spec.containers.0.env.0.valueFrom",
      "a:spec.containers.0.ports",
      "o:spec.containers.0.ports.0",
      "i:spec.containers.0.ports.0.containerPort",
      "i:spec.containers.0.ports.0.hostPort",
      "s:spec.containers.0.ports.0.name",
      "s:spec.containers.0.ports.0.protocol",
      "s:spec.containers.0.ports.0.hostIP",
      "o:spec.containers.0.resources",
      "o:spec.containers.0.resources.requests",
      "o:spec.containers.0.resources.limits",
      "q:spec.containers.0.resources.limits.cpu",
      "o:spec.containers.0.livenessProbe",
      "o:spec.containers.0.livenessProbe.httpGet",
      "p:spec.containers.0.livenessProbe.httpGet.port",
      "s:spec.containers.0.livenessProbe.httpGet.path",
      "a:spec.containers.0.livenessProbe.httpGet.httpHeaders",
      "i:spec.containers.0.livenessProbe.periodSeconds",
      "i:spec.containers.0.livenessProbe.successThreshold",
      "o:spec.containers.0.readinessProbe.tcpSocket",
      "o:spec.containers.0.startupProbe.exec",
      "a:spec.containers.0.startupProbe.exec.command",
      "s:spec.containers.0.imagePullPolicy",
      "a:spec.initContainers",
      "s:spec.restartPolicy",
      "i:spec.terminationGracePeriodSeconds",
      "i:spec.activeDeadlineSeconds",
      "s:spec.dnsPolicy",
      "o:spec.nodeSelector",
      "s:spec.nodeSelector.disk",
      "s:spec.nodeName",
      "a:spec.tolerations",
      "o:spec.tolerations.0",
      "s:spec.tolerations.0.key",
      "s:spec.tolerations.0.operator",
      "s:spec.tolerations.0.value",
      "s:spec.tolerations.0.effect",
      "i:spec.tolerations.0.tolerationSeconds",
      "i:spec.priority",
      "s:spec.priorityClassName",
      "b:spec.hostNetwork"}},
    {"Deployment",
     {"o:spec",
      "i:spec.replicas",
      "o:spec.selector",
      "o:spec.selector.matchLabels",
      "s:spec.selector.matchLabels.app",
      "a:spec.selector.matchExpressions",
      "o:spec.strategy",
      "s:spec.strategy.type",
      "o:spec.strategy.rollingUpdate",
      "p:spec.strategy.rollingUpdate.maxSurge",
      "p:spec.strategy.rollingUpdate.maxUnavailable",
      "i:spec.minReadySeconds",
      "i:spec.revisionHistoryLimit",
      "i:spec.progressDeadlineSeconds",
      "b:spec.paused",
      "o:spec.template",
      "o:spec.template.metadata",
      "o:spec.template.metadata.labels",
      "o:spec.template.spec",
      "a:spec.template.spec.containers",
      "o:spec.template.spec.containers.0",
      "s:spec.template.spec.containers.0.image",
      "s:spec.template.spec.restartPolicy"}},
    {"ReplicaSet",
     {"o:spec", "i:spec.replicas", "o:spec.selector", "a:spec.selector.matchExpressions",
      "o:spec.selector.matchExpressions.0", "s:spec.selector.matchExpressions.0.key",
      "s:spec.selector.matchExpressions.0.operator", "a:spec.selector.matchExpressions.0.values",
      "o:spec.template", "o:spec.template.spec", "i:spec.minReadySeconds"}},
    {"Job",
     {"o:spec", "i:spec.parallelism", "i:spec.completions", "i:spec.backoffLimit",
      "i:spec.activeDeadlineSeconds", "i:spec.ttlSecondsAfterFinished", "b:spec.suspend",
      "o:spec.selector", "o:spec.template", "o:spec.template.spec",
      "s:spec.template.spec.restartPolicy", "a:spec.template.spec.containers"}},
    {"Service",
     {"o:spec", "s:spec.type", "a:spec.ports", "o:spec.ports.0", "i:spec.ports.0.port",
      "s:spec.ports.0.name", "s:spec.ports.0.protocol", "p:spec.ports.0.targetPort",
      "i:spec.ports.0.nodePort", "o:spec.selector", "s:spec.selector.app", "s:spec.clusterIP",
      "s:spec.sessionAffinity"}},
    {"Endpoints",
     {"a:subsets", "o:subsets.0", "a:subsets.0.addresses", "o:subsets.0.addresses.0",
      "s:subsets.0.addresses.0.ip", "s:subsets.0.addresses.0.nodeName",
      "s:subsets.0.addresses.0.hostname", "o:subsets.0.addresses.0.targetRef",
      "a:subsets.0.notReadyAddresses", "a:subsets.0.ports", "o:subsets.0.ports.0",
      "i:subsets.0.ports.0.port", "s:subsets.0.ports.0.name", "s:subsets.0.ports.0.protocol"}},
    {"Namespace",
     {"o:metadata", "s:metadata.name", "o:metadata.labels", "o:spec", "a:spec.finalizers",
      "s:spec.finalizers.0"}},
    {"Node",
     {"o:spec", "s:spec.podCIDR", "a:spec.podCIDRs", "s:spec.podCIDRs.0", "a:spec.taints",
      "o:spec.taints.0", "s:spec.taints.0.key", "s:spec.taints.0.value", "s:spec.taints.0.effect",
      "b:spec.unschedulable", "~:status", "~:status.capacity"}},
    {"ResourceQuota",
     {"o:spec", "o:spec.hard", "q:spec.hard.pods", "q:spec.hard[requests.cpu]",
      "q:spec.hard[count/deployments.apps]"}},
    {"LimitRange",
     {"o:spec", "a:spec.limits", "o:spec.limits.0", "s:spec.limits.0.type", "o:spec.limits.0.max",
      "q:spec.limits.0.max.cpu", "o:spec.limits.0.min", "o:spec.limits.0.default",
      "o:spec.limits.0.defaultRequest", "o:spec.limits.0.maxLimitRequestRatio",
      "q:spec.limits.0.maxLimitRequestRatio.cpu"}},
    {"Event",
     {"o:involvedObject", "s:involvedObject.kind", "s:involvedObject.name",
      "s:involvedObject.namespace", "s:reason", "s:message", "s:type", "i:count", "o:source",
      "s:firstTimestamp", "s:lastTimestamp", "s:eventTime"}},
    {"PriorityClass", {"i:value", "b:globalDefault", "s:description", "s:preemptionPolicy"}},
    {"Lease",
     {"o:spec", "s:spec.holderIdentity", "i:spec.leaseDurationSeconds", "i:spec.leaseTransitions",
      "s:spec.acquireTime", "s:spec.renewTime"}},
    {"Queue",
     {"o:spec", "a:spec.namespaces", "s:spec.namespaces.0", "o:spec.namespaceSelector",
      "s:spec.cohort", "o:spec.nominal", "q:spec.nominal.cpu", "o:spec.borrowingLimit",
      "o:spec.lendingLimit", "q:spec.lendingLimit.cpu", "n:spec.weight", "b:spec.strictFIFO",
      "o:spec.preemption", "s:spec.preemption.reclaimWithinCohort",
      "s:spec.preemption.withinQueue"}},
};

static const char *const wrong_values[] = {
    "'x y'", "7", "1.5", "true", "null", "{}", "[]", "[7]", "{'a':[{}]}", "[[{'a':null}]]",
};

static bool accepts(char type_class, const json_t *v) {
  switch (type_class) {
  case 'o':
    return json_is_object(v);
  case 'a':
    return json_is_array(v);
  case 's':
    return json_is_string(v);
  case 'i':
    return json_is_integer(v);
  case 'n':
    return json_is_number(v);
  case 'b':
    return json_is_boolean(v);
  case 'q':
    return json_is_string(v) || json_is_number(v);
  case 'p':
    return json_is_string(v) || json_is_integer(v);
  }
  return true;
}

/* Every value of every type at every path: never a crash (ASan watches), always valid
 * causes, and a cause whenever the type is wrong (null means absent, never wrong). */
static void every_validator_survives_wrong_types_at_every_path(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof typed_paths / sizeof typed_paths[0]; k++) {
    for (size_t p = 0; typed_paths[k].paths[p]; p++) {
      const char *entry = typed_paths[k].paths[p], *path = entry + 2;
      for (size_t w = 0; w < sizeof wrong_values / sizeof wrong_values[0]; w++) {
        json_t *value = js(wrong_values[w]);
        bool wrong = !json_is_null(value) && !accepts(entry[0], value);
        json_t *obj = example(typed_paths[k].kind);
        put(obj, path, value);
        json_t *causes = run(typed_paths[k].kind, obj, NULL);
        size_t i;
        json_t *c;
        json_array_foreach(causes, i, c) {
          assert_true(json_is_string(json_object_get(c, "field")));
          assert_true(json_is_string(json_object_get(c, "message")));
        }
        if (wrong && json_array_size(causes) == 0)
          fail_msg("%s %s = %s: no cause", typed_paths[k].kind, path, wrong_values[w]);
        /* An update from the broken object must survive as well. */
        json_t *again = json_deep_copy(obj);
        json_t *update_causes = run(typed_paths[k].kind, again, obj);
        json_decref(update_causes);
        json_decref(again);
        json_decref(causes);
        json_decref(obj);
      }
    }
  }
}

static void every_validator_survives_any_top_level_value(void **state) {
  (void)state;
  for (size_t k = 0; k < NKINDS; k++) {
    for (size_t w = 0; w < sizeof wrong_values / sizeof wrong_values[0]; w++) {
      json_t *obj = js(wrong_values[w]);
      json_t *old = example(kinds[k].kind);
      json_t *causes = run(kinds[k].kind, obj, NULL);
      expect(causes, "metadata.name", "FieldValueRequired");
      json_decref(causes);
      causes = run(kinds[k].kind, obj, old);
      json_decref(causes);
      causes = run(kinds[k].kind, old, obj);
      json_decref(causes);
      json_decref(old);
      json_decref(obj);
    }
  }
}

static void causes_stay_valid_utf8_with_long_non_ascii_keys(void **state) {
  (void)state;
  /* A path or message cut short in the middle of a character would make api_cause drop
   * the cause, so every one must still be there. */
  char key[600] = "";
  for (int i = 0; i < 200; i++)
    strcat(key, "\xc3\xa9");
  json_t *obj = example("Pod");
  json_t *selector = json_object(), *limits = json_object(), *requests = json_object();
  json_object_set_new(selector, key, json_string("x"));
  json_object_set_new(limits, key, json_string("1"));
  json_object_set_new(requests, key, json_string("2"));
  put(obj, "spec.nodeSelector", selector);
  put(obj, "spec.containers.0.resources.limits", limits);
  put(obj, "spec.containers.0.resources.requests", requests);
  json_t *causes = run("Pod", obj, NULL);
  /* The node selector's key, both resource names, and the request above its limit. */
  assert_int_equal(json_array_size(causes), 4);
  json_decref(causes);
  json_decref(obj);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(valid_example_of_every_kind_has_no_causes),
      cmocka_unit_test(unchanged_update_of_every_kind_has_no_causes),
      cmocka_unit_test(defaults_are_idempotent_for_every_kind),
      cmocka_unit_test(dns1123_label_allows_lowercase_alphanumerics_and_inner_dashes),
      cmocka_unit_test(dns1123_subdomain_allows_dotted_labels_up_to_253),
      cmocka_unit_test(metadata_requires_a_name_or_generate_name),
      cmocka_unit_test(metadata_generate_name_is_checked_as_a_prefix),
      cmocka_unit_test(metadata_name_of_most_kinds_is_a_dns_subdomain),
      cmocka_unit_test(metadata_name_of_namespaces_and_services_is_a_dns_label),
      cmocka_unit_test(metadata_name_longer_than_the_limit_is_invalid),
      cmocka_unit_test(metadata_namespace_is_forbidden_on_cluster_scoped_kinds),
      cmocka_unit_test(metadata_labels_need_valid_keys_and_values),
      cmocka_unit_test(metadata_annotations_need_valid_keys_and_fit_in_256k),
      cmocka_unit_test(metadata_owner_references_need_api_version_kind_name_and_uid),
      cmocka_unit_test(metadata_allows_one_controller_owner_only),
      cmocka_unit_test(metadata_finalizers_are_qualified_names),
      cmocka_unit_test(pod_requires_at_least_one_container),
      cmocka_unit_test(container_name_is_required_and_a_dns_label),
      cmocka_unit_test(container_names_are_unique_across_containers_and_init_containers),
      cmocka_unit_test(container_image_is_required_without_surrounding_spaces),
      cmocka_unit_test(container_command_and_args_are_lists_of_strings),
      cmocka_unit_test(env_names_are_checked_and_values_are_strings),
      cmocka_unit_test(container_ports_are_in_range_with_known_protocols),
      cmocka_unit_test(container_port_names_are_short_iana_names_and_unique),
      cmocka_unit_test(resources_accept_standard_and_domain_prefixed_names_only),
      cmocka_unit_test(resource_quantities_must_be_valid_and_not_negative),
      cmocka_unit_test(request_above_its_limit_is_invalid),
      cmocka_unit_test(restart_policy_must_be_always_on_failure_or_never),
      cmocka_unit_test(termination_grace_period_must_not_be_negative),
      cmocka_unit_test(node_selector_needs_valid_labels),
      cmocka_unit_test(tolerations_need_known_operators_and_effects),
      cmocka_unit_test(priority_is_an_int32_and_its_class_a_subdomain),
      cmocka_unit_test(probe_needs_exactly_one_handler),
      cmocka_unit_test(http_get_probe_needs_a_port_and_an_absolute_path),
      cmocka_unit_test(exec_probe_needs_a_command),
      cmocka_unit_test(probe_timings_have_minimums),
      cmocka_unit_test(liveness_and_startup_probes_succeed_once),
      cmocka_unit_test(pod_defaults_fill_what_kubernetes_fills),
      cmocka_unit_test(pod_defaults_keep_values_already_set),
      cmocka_unit_test(image_pull_policy_is_always_for_latest_or_untagged_images),
      cmocka_unit_test(requests_default_to_limits_and_numbers_become_strings),
      cmocka_unit_test(templates_keep_limits_without_requests),
      cmocka_unit_test(pod_update_may_change_container_images),
      cmocka_unit_test(pod_update_may_not_change_other_spec_fields),
      cmocka_unit_test(pod_update_may_add_tolerations_but_not_remove_them),
      cmocka_unit_test(pod_update_may_set_node_name_once),
      cmocka_unit_test(pod_update_may_only_shorten_active_deadline),
      cmocka_unit_test(deployment_requires_a_selector_matching_its_template),
      cmocka_unit_test(deployment_replicas_and_durations_are_not_negative),
      cmocka_unit_test(deployment_strategy_is_rolling_update_or_recreate),
      cmocka_unit_test(rolling_update_bounds_are_counts_or_percents_not_both_zero),
      cmocka_unit_test(deployment_template_is_a_pod_spec_that_restarts_always),
      cmocka_unit_test(deployment_defaults_replicas_strategy_and_limits),
      cmocka_unit_test(templates_keep_limits_without_copying_them_to_requests),
      cmocka_unit_test(deployment_selector_is_immutable),
      cmocka_unit_test(replicaset_rules_match_deployment_rules),
      cmocka_unit_test(job_template_must_restart_on_failure_or_never),
      cmocka_unit_test(job_counts_and_limits_are_not_negative),
      cmocka_unit_test(job_defaults_one_completion_only_when_neither_count_is_set),
      cmocka_unit_test(job_template_and_completions_are_immutable),
      cmocka_unit_test(service_requires_ports),
      cmocka_unit_test(service_type_is_cluster_ip_or_node_port),
      cmocka_unit_test(service_ports_are_in_range_named_and_unique),
      cmocka_unit_test(node_ports_are_in_range_and_only_for_node_port_services),
      cmocka_unit_test(service_selector_and_cluster_ip_are_checked),
      cmocka_unit_test(service_defaults_type_affinity_protocol_and_target_port),
      cmocka_unit_test(service_cluster_ip_is_immutable_once_set),
      cmocka_unit_test(endpoints_addresses_are_ipv4_and_ports_valid),
      cmocka_unit_test(namespace_is_labelled_with_its_name),
      cmocka_unit_test(node_pod_cidr_and_taints_are_checked),
      cmocka_unit_test(node_pod_cidr_is_set_once),
      cmocka_unit_test(node_allocatable_defaults_to_capacity),
      cmocka_unit_test(event_needs_an_involved_object_with_kind_and_name),
      cmocka_unit_test(quota_names_only_resources_admission_counts),
      cmocka_unit_test(quota_values_are_non_negative_and_counts_whole),
      cmocka_unit_test(limit_range_items_have_a_type_and_ordered_bounds),
      cmocka_unit_test(limit_range_defaults_chain_from_max_and_min),
      cmocka_unit_test(priority_class_value_is_required_and_bounded),
      cmocka_unit_test(priority_class_value_and_policy_are_immutable),
      cmocka_unit_test(lease_durations_are_positive_and_times_rfc3339),
      cmocka_unit_test(queue_takes_namespaces_or_a_selector_not_both),
      cmocka_unit_test(queue_quotas_cover_cpu_memory_and_pods),
      cmocka_unit_test(queue_lends_at_most_its_nominal_quota_and_only_in_a_cohort),
      cmocka_unit_test(queue_weight_is_positive_and_preemption_known),
      cmocka_unit_test(queue_defaults_weight_fifo_and_preemption),
      cmocka_unit_test(every_validator_survives_wrong_types_at_every_path),
      cmocka_unit_test(every_validator_survives_any_top_level_value),
      cmocka_unit_test(causes_stay_valid_utf8_with_long_non_ascii_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
