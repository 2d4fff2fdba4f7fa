/*
 * validation_cases.c — what the validation tests share (see validation_cases.h):
 * a valid example of every kind, and edits, runs and cause checks on them.
 */
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

#include "../../lib/tests/json_text.h"
#include "validation_cases.h"

/* ---- kinds and their valid examples ---- */

const kind_case kinds[] = {
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
     "'preemption':{'reclaimWithinCohort':'LowerPriority','withinQueue':'Never'},"
     "'aging':{'intervalSeconds':0,'maxBoost':100},"
     "'budget':{'windowSeconds':86400,'limits':{'cpu':'100'}}}}"},
    {"CronJob", true, api_default_cronjob, api_validate_cronjob,
     "{'apiVersion':'batch/v1','kind':'CronJob','metadata':{'name':'nightly','namespace':"
     "'default'},'spec':{'schedule':'30 2 * * 1-5','timeZone':'Europe/Berlin',"
     "'startingDeadlineSeconds':300,'jobTemplate':{'metadata':{'labels':{'app':'report'}},"
     "'spec':{'backoffLimit':1,'template':{'spec':{'restartPolicy':'OnFailure',"
     "'containers':[{'name':'task','image':'busybox:1.36','command':['true']}]}}}}}}"},
    {"DaemonSet", true, api_default_daemonset, api_validate_daemonset,
     "{'apiVersion':'apps/v1','kind':'DaemonSet','metadata':{'name':'logs','namespace':"
     "'default'},'spec':{'selector':{'matchLabels':{'app':'logs'}},'minReadySeconds':5,"
     "'template':{'metadata':{'labels':{'app':'logs'}},'spec':{'containers':[{'name':"
     "'shipper','image':'busybox:1.36'}]}}}}"},
};
const size_t n_kinds = sizeof kinds / sizeof kinds[0];

const kind_case *kind_named(const char *kind) {
  for (size_t i = 0; i < n_kinds; i++)
    if (strcmp(kinds[i].kind, kind) == 0)
      return &kinds[i];
  fail_msg("no kind %s", kind);
  return NULL;
}

json_t *example(const char *kind) {
  return js(kind_named(kind)->example);
}

/* The parent of the last step of a dotted path whose numeric steps index arrays; the
 * last step goes to last. A last step in brackets may hold dots: "spec.hard[limits.cpu]". */
json_t *at_path(json_t *obj, const char *path, char *last, size_t size) {
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
void put(json_t *obj, const char *path, json_t *value) {
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

json_t *get(json_t *obj, const char *path) {
  char last[256];
  json_t *parent = at_path(obj, path, last, sizeof last);
  return json_is_array(parent) ? json_array_get(parent, (size_t)atoi(last))
                               : json_object_get(parent, last);
}

/* What the server does on a write: defaults, metadata, the kind's own rules. */
json_t *run(const char *kind, json_t *obj, const json_t *old) {
  const kind_case *k = kind_named(kind);
  json_t *causes = json_array();
  k->defaults(obj);
  api_validate_metadata(obj, k->kind, k->namespaced, causes);
  k->validate(obj, old, causes);
  return causes;
}

void fail_with(const json_t *causes, const char *what, const char *field, const char *reason) {
  char *dump = json_dumps(causes, JSON_INDENT(1));
  fail_msg("%s %s %s in causes: %s", what, reason, field, dump);
}

const json_t *find(const json_t *causes, const char *field, const char *reason) {
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
const char *expect(const json_t *causes, const char *field, const char *reason) {
  const json_t *c = find(causes, field, reason);
  if (c == NULL)
    fail_with(causes, "expected", field, reason);
  return json_string_value(json_object_get(c, "message"));
}

/* That cause is the only one. */
void expect_only(const json_t *causes, const char *field, const char *reason) {
  expect(causes, field, reason);
  if (json_array_size(causes) != 1)
    fail_with(causes, "expected only", field, reason);
}

void expect_message(const json_t *causes, const char *field, const char *reason,
                    const char *message) {
  assert_string_equal(expect(causes, field, reason), message);
}

void expect_none(const json_t *causes) {
  if (json_array_size(causes) != 0)
    fail_with(causes, "expected no causes, found", "", "");
}

void expect_absent(const json_t *causes, const char *field, const char *reason) {
  if (find(causes, field, reason))
    fail_with(causes, "unexpected", field, reason);
}

/* The causes of kind's example after one edit (value stolen; NULL deletes). */
json_t *edited(const char *kind, const char *path, json_t *value) {
  json_t *obj = example(kind);
  put(obj, path, value);
  json_t *causes = run(kind, obj, NULL);
  json_decref(obj);
  return causes;
}

/* Asserts that one edit of kind's example yields exactly this one cause. */
void edit_yields(const char *kind, const char *path, const char *value_js, const char *field,
                 const char *reason) {
  json_t *causes = edited(kind, path, value_js ? js(value_js) : NULL);
  expect_only(causes, field, reason);
  json_decref(causes);
}

/* The same, also asserting the message. */
void edit_yields_message(const char *kind, const char *path, const char *value_js,
                         const char *field, const char *reason, const char *message) {
  json_t *causes = edited(kind, path, value_js ? js(value_js) : NULL);
  expect_only(causes, field, reason);
  expect_message(causes, field, reason, message);
  json_decref(causes);
}

/* An update of kind's example (defaulted, as stored) by edit; its causes. */
json_t *updated(const char *kind, const char *path, json_t *value) {
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
json_t *defaulted(const char *kind, const char *path, json_t *value) {
  json_t *obj = example(kind);
  if (path)
    put(obj, path, value);
  kind_named(kind)->defaults(obj);
  return obj;
}

void expect_str_at(json_t *obj, const char *path, const char *want) {
  json_t *v = get(obj, path);
  if (!json_is_string(v))
    fail_msg("%s: expected \"%s\", found %s", path, want, v ? "another type" : "nothing");
  assert_string_equal(json_string_value(v), want);
}

void expect_int_at(json_t *obj, const char *path, json_int_t want) {
  json_t *v = get(obj, path);
  if (!json_is_integer(v))
    fail_msg("%s: expected %lld, found %s", path, (long long)want, v ? "another type" : "nothing");
  assert_int_equal(json_integer_value(v), want);
}
