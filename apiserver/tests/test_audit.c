/* Unit tests for the audit log: reading a request's verb and target
 * (requestinfo.c), the policy's checks and first-match rules
 * (audit-policy.c), the Event's shape per level (audit-event.c) and the
 * log's size rotation (audit-log.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit-event.h"
#include "audit-log.h"
#include "audit-policy.h"
#include "cleanup.h"
#include "requestinfo.h"

#include "../../lib/tests/json_text.h"

/* ---- requestinfo ---- */

typedef struct info_case {
  const char *method, *path;
  bool watch;
  const char *verb, *group, *version, *ns, *resource, *sub, *name;
  bool is_resource;
} info_case;

static void request_info_reads_kubernetes_verbs_and_targets(void **state) {
  (void)state;
  static const info_case cases[] = {
      {"GET", "/api/v1/namespaces/default/pods", false, "list", "", "v1", "default", "pods", "", "",
       true},
      {"GET", "/api/v1/namespaces/default/pods", true, "watch", "", "v1", "default", "pods", "", "",
       true},
      {"GET", "/api/v1/namespaces/d/pods/a/log", false, "get", "", "v1", "d", "pods", "log", "a",
       true},
      {"POST", "/api/v1/namespaces/d/pods/a/binding", false, "create", "", "v1", "d", "pods",
       "binding", "a", true},
      {"DELETE", "/apis/apps/v1/namespaces/d/deployments", false, "deletecollection", "apps", "v1",
       "d", "deployments", "", "", true},
      {"PATCH", "/apis/apps/v1/namespaces/d/deployments/w/scale", false, "patch", "apps", "v1", "d",
       "deployments", "scale", "w", true},
      {"PUT", "/api/v1/nodes/n1/status", false, "update", "", "v1", "", "nodes", "status", "n1",
       true},
      /* The Namespace object is in its own namespace, as Kubernetes reports it. */
      {"DELETE", "/api/v1/namespaces/team", false, "delete", "", "v1", "team", "namespaces", "",
       "team", true},
      {"PUT", "/api/v1/namespaces/team/finalize", false, "update", "", "v1", "team", "namespaces",
       "finalize", "team", true},
      {"GET", "/healthz", false, "get", "", "", "", "", "", "", false},
      {"GET", "/apis/apps/v1", false, "get", "", "", "", "", "", "", false},
      {"POST", "/api", false, "post", "", "", "", "", "", "", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const info_case *c = &cases[i];
    api_request_info ri;
    api_request_info_parse(c->method, c->path, c->watch, &ri);
    const char *got[] = {ri.verb, ri.group, ri.version, ri.ns, ri.resource, ri.sub, ri.name};
    const char *want[] = {c->verb, c->group, c->version, c->ns, c->resource, c->sub, c->name};
    for (int f = 0; f < 7; f++)
      if (strcmp(got[f], want[f]) != 0)
        fail_msg("%s %s: field %d is \"%s\", want \"%s\"", c->method, c->path, f, got[f], want[f]);
    assert_int_equal(ri.is_resource, c->is_resource);
  }
}

/* ---- policy ---- */

static api_audit_policy *policy(const char *rules) {
  char text[4096];
  snprintf(text, sizeof text, "{'apiVersion':'audit.k8s.io/v1','kind':'Policy','rules':%s}", rules);
  _cleanup_json_ json_t *doc = js(text);
  tug_error err = {0};
  api_audit_policy *p = api_audit_policy_new(doc, "policy.yaml", &err);
  if (p == NULL)
    fail_msg("policy %s: %s", rules, err.msg);
  return p;
}

static void policy_refused(const char *doc_text, const char *want) {
  _cleanup_json_ json_t *doc = js(doc_text);
  tug_error err = {0};
  api_audit_policy *p = api_audit_policy_new(doc, "policy.yaml", &err);
  if (p != NULL || strstr(err.msg, want) == NULL)
    fail_msg("%s: got \"%s\", want an error with \"%s\"", doc_text, p ? "(accepted)" : err.msg,
             want);
}

static void policy_refuses_bad_fields_naming_them(void **state) {
  (void)state;
  policy_refused("{'apiVersion':'audit.k8s.io/v1beta9','kind':'Policy'}", "apiVersion");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Pod'}", "kind");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy','rules':[{'level':'All'}]}",
                 "policy.yaml: rules[0].level: \"All\" is not None");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy','rules':[{}]}", "rules[0].level");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy',"
                 "'rules':[{'level':'None'},{'level':'None','verb':['get']}]}",
                 "rules[1]: unknown field \"verb\"");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy',"
                 "'rules':[{'level':'None','omitStages':['Started']}]}",
                 "rules[0].omitStages[0]");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy',"
                 "'rules':[{'level':'None','users':'alice'}]}",
                 "rules[0].users: must be a list");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy',"
                 "'rules':[{'level':'None','resources':[{'resources':[1]}]}]}",
                 "rules[0].resources[0].resources[0]");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy','rules':[{'level':'None',"
                 "'namespaces':['a'],'nonResourceURLs':['/x']}]}",
                 "both resources and nonResourceURLs");
  policy_refused("{'apiVersion':'audit.k8s.io/v1','kind':'Policy','omitStages':['Done']}",
                 "policy.omitStages[0]");
}

static api_user alice(void) {
  api_user u;
  api_user_set(&u, "alice", "");
  api_user_add_group(&u, "devs");
  api_user_add_group(&u, "system:authenticated");
  return u;
}

static api_audit_level level_of(const api_audit_policy *p, const api_user *u, const char *method,
                                const char *path, unsigned *omit) {
  api_request_info ri;
  api_request_info_parse(method, path, false, &ri);
  unsigned o = 0;
  api_audit_level level = api_audit_policy_level(p, u, &ri, path, &o);
  if (omit)
    *omit = o;
  return level;
}

static void policy_first_matching_rule_wins(void **state) {
  (void)state;
  api_audit_policy *p =
      policy("[{'level':'None','users':['bob']},"
             "{'level':'RequestResponse','userGroups':['devs'],'verbs':['create']},"
             "{'level':'Request','verbs':['create']},"
             "{'level':'Metadata','verbs':['get','list']}]");
  api_user a = alice(), bob;
  api_user_set(&bob, "bob", "");
  assert_int_equal(level_of(p, &bob, "POST", "/api/v1/namespaces/d/pods", NULL), API_AUDIT_NONE);
  assert_int_equal(level_of(p, &a, "POST", "/api/v1/namespaces/d/pods", NULL),
                   API_AUDIT_REQUEST_RESPONSE);
  api_user carol;
  api_user_set(&carol, "carol", "");
  assert_int_equal(level_of(p, &carol, "POST", "/api/v1/namespaces/d/pods", NULL),
                   API_AUDIT_REQUEST);
  assert_int_equal(level_of(p, &carol, "GET", "/api/v1/namespaces/d/pods", NULL),
                   API_AUDIT_METADATA);
  /* No rule matches: not audited. */
  assert_int_equal(level_of(p, &carol, "DELETE", "/api/v1/namespaces/d/pods/x", NULL),
                   API_AUDIT_NONE);
  api_audit_policy_free(p);
}

static void policy_matches_resources_as_kubernetes_does(void **state) {
  (void)state;
  api_user a = alice();
  api_audit_policy *p =
      policy("[{'level':'RequestResponse','resources':[{'group':'','resources':['secrets'],"
             "'resourceNames':['s1']}]},"
             "{'level':'Request','resources':[{'group':'','resources':['pods/*']}]},"
             "{'level':'Request','resources':[{'group':'apps','resources':['*/scale']}]},"
             "{'level':'Metadata','resources':[{'group':'apps'}]},"
             "{'level':'Metadata','namespaces':['']},"
             "{'level':'None'}]");
  assert_int_equal(level_of(p, &a, "GET", "/api/v1/namespaces/d/secrets/s1", NULL),
                   API_AUDIT_REQUEST_RESPONSE);
  /* resourceNames narrow the rule: another Secret falls through, to None. */
  assert_int_equal(level_of(p, &a, "GET", "/api/v1/namespaces/d/secrets/s2", NULL), API_AUDIT_NONE);
  // "pods/*" is pods and every subresource of theirs, as in Kubernetes.
  assert_int_equal(level_of(p, &a, "GET", "/api/v1/namespaces/d/pods/a/log", NULL),
                   API_AUDIT_REQUEST);
  assert_int_equal(level_of(p, &a, "GET", "/api/v1/namespaces/d/pods/a", NULL), API_AUDIT_REQUEST);
  /* "* /scale" (no space) is the scale subresource of any resource, not the resource. */
  assert_int_equal(level_of(p, &a, "GET", "/apis/apps/v1/namespaces/d/deployments/w", NULL),
                   API_AUDIT_METADATA);
  assert_int_equal(level_of(p, &a, "PUT", "/apis/apps/v1/namespaces/d/deployments/w/scale", NULL),
                   API_AUDIT_REQUEST);
  /* A group with no resources listed is every resource of that group. */
  assert_int_equal(level_of(p, &a, "GET", "/apis/apps/v1/namespaces/d/replicasets", NULL),
                   API_AUDIT_METADATA);
  /* namespaces: [""] is cluster scope. */
  assert_int_equal(level_of(p, &a, "GET", "/api/v1/nodes/n1", NULL), API_AUDIT_METADATA);
  /* Resource rules never match non-resource URLs. */
  assert_int_equal(level_of(p, &a, "GET", "/healthz", NULL), API_AUDIT_NONE);
  api_audit_policy_free(p);
}

static void policy_matches_non_resource_urls_and_omits_stages(void **state) {
  (void)state;
  api_user a = alice();
  _cleanup_json_ json_t *doc =
      js("{'apiVersion':'audit.k8s.io/v1','kind':'Policy','omitStages':['RequestReceived'],"
         "'rules':[{'level':'None','nonResourceURLs':['/healthz*','/readyz']},"
         "{'level':'Metadata','nonResourceURLs':['*'],'omitStages':['ResponseStarted']},"
         "{'level':'Request'}]}");
  tug_error err = {0};
  api_audit_policy *p = api_audit_policy_new(doc, "p", &err);
  assert_non_null(p);
  unsigned omit = 0;
  assert_int_equal(level_of(p, &a, "GET", "/healthz/etcd", NULL), API_AUDIT_NONE);
  assert_int_equal(level_of(p, &a, "GET", "/readyz", NULL), API_AUDIT_NONE);
  assert_int_equal(level_of(p, &a, "GET", "/metrics", &omit), API_AUDIT_METADATA);
  assert_int_equal(omit, API_AUDIT_REQUEST_RECEIVED | API_AUDIT_RESPONSE_STARTED);
  assert_int_equal(level_of(p, &a, "GET", "/api/v1/pods", &omit), API_AUDIT_REQUEST);
  assert_int_equal(omit, API_AUDIT_REQUEST_RECEIVED);
  api_audit_policy_free(p);
}

static void policy_loads_from_yaml(void **state) {
  (void)state;
  char path[] = "/tmp/tug-audit-policy-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *yaml = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n"
                     "- level: Metadata\n  verbs: [get]\n- level: Bogus\n";
  assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
  close(fd);
  tug_error err = {0};
  assert_null(api_audit_policy_load(path, &err));
  assert_non_null(strstr(err.msg, "rules[1].level"));
  assert_non_null(strstr(err.msg, path));
  unlink(path);
}

/* ---- events ---- */

static json_t *encoded(api_audit_level level, api_audit_stage stage, int code,
                       const char *status_text, bool impersonating) {
  api_request_info ri;
  api_request_info_parse("POST", "/apis/apps/v1/namespaces/d/deployments", false, &ri);
  api_user a = alice(), b;
  api_user_set(&b, "system:serviceaccount:d:robot", "u-1");
  api_user_add_extra(&b, "scopes", "view");
  api_user_add_extra(&b, "acme.com/team", "red");
  api_user_add_extra(&b, "scopes", "edit");
  static const char *const ips[] = {"10.0.0.1", "127.0.0.1"};
  _cleanup_json_ json_t *req = js("{'kind':'Deployment','metadata':{'name':'w'}}");
  _cleanup_json_ json_t *resp = js("{'kind':'Deployment','metadata':{'name':'w','uid':'x'}}");
  _cleanup_json_ json_t *status = status_text ? js(status_text) : NULL;
  _cleanup_json_ json_t *ann = js("{'authorization.k8s.io/decision':'allow'}");
  api_audit_record rec = {.audit_id = "id-1",
                          .level = level,
                          .stage = stage,
                          .request_uri = "/apis/apps/v1/namespaces/d/deployments?fieldManager=x",
                          .info = &ri,
                          .user = &a,
                          .impersonated = impersonating ? &b : NULL,
                          .source_ips = ips,
                          .nsource_ips = sizeof ips / sizeof ips[0],
                          .user_agent = "kubectl/v1.32.0",
                          .code = code,
                          .status = status,
                          .request_object = req,
                          .response_object = resp,
                          .received_at = "2026-12-07T10:00:00.000001Z",
                          .stage_at = "2026-12-07T10:00:00.000200Z",
                          .annotations = ann};
  char *line = api_audit_encode(&rec);
  assert_non_null(line);
  size_t n = strlen(line);
  assert_true(n > 0 && line[n - 1] == '\n' && strchr(line, '\n') == line + n - 1);
  json_t *ev = json_loads(line, 0, NULL);
  free(line);
  assert_non_null(ev);
  return ev;
}

static const char *str_at(const json_t *ev, const char *a, const char *b) {
  const json_t *v = json_object_get(ev, a);
  return json_string_value(b ? json_object_get(v, b) : v);
}

static void event_has_the_kubernetes_shape_at_metadata(void **state) {
  (void)state;
  _cleanup_json_ json_t *ev =
      encoded(API_AUDIT_METADATA, API_AUDIT_RESPONSE_COMPLETE, 201, NULL, false);
  assert_string_equal(str_at(ev, "kind", NULL), "Event");
  assert_string_equal(str_at(ev, "apiVersion", NULL), "audit.k8s.io/v1");
  assert_string_equal(str_at(ev, "level", NULL), "Metadata");
  assert_string_equal(str_at(ev, "auditID", NULL), "id-1");
  assert_string_equal(str_at(ev, "stage", NULL), "ResponseComplete");
  assert_string_equal(str_at(ev, "verb", NULL), "create");
  assert_string_equal(str_at(ev, "requestURI", NULL),
                      "/apis/apps/v1/namespaces/d/deployments?fieldManager=x");
  assert_string_equal(str_at(ev, "user", "username"), "alice");
  assert_int_equal(json_array_size(json_object_get(json_object_get(ev, "user"), "groups")), 2);
  assert_null(json_object_get(ev, "impersonatedUser"));
  assert_string_equal(str_at(ev, "objectRef", "resource"), "deployments");
  assert_string_equal(str_at(ev, "objectRef", "apiGroup"), "apps");
  assert_string_equal(str_at(ev, "objectRef", "apiVersion"), "v1");
  assert_string_equal(str_at(ev, "objectRef", "namespace"), "d");
  assert_null(json_object_get(json_object_get(ev, "objectRef"), "name"));
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(ev, "responseStatus"), "code")), 201);
  assert_null(json_object_get(json_object_get(ev, "responseStatus"), "status"));
  assert_string_equal(str_at(ev, "userAgent", NULL), "kubectl/v1.32.0");
  assert_string_equal(json_string_value(json_array_get(json_object_get(ev, "sourceIPs"), 0)),
                      "10.0.0.1");
  assert_string_equal(str_at(ev, "requestReceivedTimestamp", NULL), "2026-12-07T10:00:00.000001Z");
  assert_string_equal(str_at(ev, "stageTimestamp", NULL), "2026-12-07T10:00:00.000200Z");
  assert_string_equal(str_at(ev, "annotations", "authorization.k8s.io/decision"), "allow");
  assert_null(json_object_get(ev, "requestObject"));
  assert_null(json_object_get(ev, "responseObject"));
}

static void event_objects_follow_the_level(void **state) {
  (void)state;
  _cleanup_json_ json_t *req =
      encoded(API_AUDIT_REQUEST, API_AUDIT_RESPONSE_COMPLETE, 201, NULL, false);
  assert_non_null(json_object_get(req, "requestObject"));
  assert_null(json_object_get(req, "responseObject"));
  _cleanup_json_ json_t *rr =
      encoded(API_AUDIT_REQUEST_RESPONSE, API_AUDIT_RESPONSE_COMPLETE, 201, NULL, false);
  assert_string_equal(str_at(json_object_get(rr, "requestObject"), "metadata", "name"), "w");
  assert_string_equal(str_at(json_object_get(rr, "responseObject"), "metadata", "uid"), "x");
}

static void event_writes_an_answer_held_as_text_unparsed(void **state) {
  (void)state;
  api_request_info ri;
  api_request_info_parse("GET", "/api/v1/namespaces/d/pods/a", false, &ri);
  api_user a = alice();
  static const char *const ips[] = {"127.0.0.1"};
  static const char text[] = "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}}";
  api_audit_record rec = {.audit_id = "id-2",
                          .level = API_AUDIT_REQUEST_RESPONSE,
                          .stage = API_AUDIT_RESPONSE_COMPLETE,
                          .request_uri = "/api/v1/namespaces/d/pods/a",
                          .info = &ri,
                          .user = &a,
                          .source_ips = ips,
                          .nsource_ips = sizeof ips / sizeof ips[0],
                          .code = 200,
                          .response_json = text,
                          .response_json_len = sizeof text - 1,
                          .received_at = "t0",
                          .stage_at = "t1"};
  char *line = api_audit_encode(&rec);
  json_error_t jerr;
  _cleanup_json_ json_t *ev = json_loads(line, 0, &jerr);
  if (ev == NULL)
    fail_msg("not JSON: %s: %s", jerr.text, line);
  assert_string_equal(str_at(json_object_get(ev, "responseObject"), "metadata", "name"), "a");
  assert_string_equal(str_at(ev, "auditID", NULL), "id-2");
  assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
  free(line);
  rec.level = API_AUDIT_REQUEST; /* below RequestResponse: no answer */
  line = api_audit_encode(&rec);
  assert_null(strstr(line, "responseObject"));
  free(line);
}

static void event_names_failures_and_impersonation(void **state) {
  (void)state;
  _cleanup_json_ json_t *ev =
      encoded(API_AUDIT_METADATA, API_AUDIT_RESPONSE_COMPLETE, 409,
              "{'kind':'Status','status':'Failure','reason':'AlreadyExists',"
              "'message':'deployments.apps \\\"w\\\" already exists','code':409}",
              true);
  assert_string_equal(str_at(ev, "responseStatus", "status"), "Failure");
  assert_string_equal(str_at(ev, "responseStatus", "reason"), "AlreadyExists");
  assert_string_equal(str_at(ev, "responseStatus", "message"),
                      "deployments.apps \"w\" already exists");
  assert_string_equal(str_at(ev, "user", "username"), "alice");
  assert_string_equal(str_at(ev, "impersonatedUser", "username"), "system:serviceaccount:d:robot");
  assert_string_equal(str_at(ev, "impersonatedUser", "uid"), "u-1");
  _cleanup_json_ json_t *want = js("{'scopes':['view','edit'],'acme.com/team':['red']}");
  assert_true(json_equal(json_object_get(json_object_get(ev, "impersonatedUser"), "extra"), want));
  assert_null(json_object_get(json_object_get(ev, "user"), "extra"));
}

static void event_at_request_received_has_no_response(void **state) {
  (void)state;
  _cleanup_json_ json_t *ev =
      encoded(API_AUDIT_METADATA, API_AUDIT_REQUEST_RECEIVED, 0, NULL, false);
  assert_string_equal(str_at(ev, "stage", NULL), "RequestReceived");
  assert_null(json_object_get(ev, "responseStatus"));
}

/* Client-chosen strings (user agent, URI, names) are escaped, and bytes that
 * are not UTF-8 become U+FFFD: the line stays JSON and keeps the field. */
static void event_escapes_what_clients_send(void **state) {
  (void)state;
  api_request_info ri;
  api_request_info_parse("GET", "/api/v1/namespaces/d/pods/a", false, &ri);
  api_user a = alice();
  static const char *const ips[] = {"127.0.0.1"};
  api_audit_record rec = {.audit_id = "id-3",
                          .level = API_AUDIT_METADATA,
                          .stage = API_AUDIT_RESPONSE_COMPLETE,
                          .request_uri = "/api/v1/namespaces/d/pods/a?x=\"q\"\\",
                          .info = &ri,
                          .user = &a,
                          .source_ips = ips,
                          .nsource_ips = 1,
                          .user_agent = "bot\t\x01\xff\xc3\xa9\xed\xa0\x80!",
                          .code = 200,
                          .received_at = "t0",
                          .stage_at = "t1"};
  char *line = api_audit_encode(&rec);
  json_error_t jerr;
  _cleanup_json_ json_t *ev = json_loads(line, 0, &jerr);
  if (ev == NULL)
    fail_msg("not JSON: %s: %s", jerr.text, line);
  free(line);
  assert_string_equal(str_at(ev, "userAgent", NULL),
                      "bot\t\x01\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
  assert_string_equal(str_at(ev, "requestURI", NULL), "/api/v1/namespaces/d/pods/a?x=\"q\"\\");
  assert_string_equal(str_at(ev, "objectRef", "name"), "a");
}

/* ---- log rotation ---- */

static size_t count_files(const char *dir, const char *prefix) {
  DIR *d = opendir(dir);
  size_t n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  if (d)
    closedir(d);
  return n;
}

static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  for (struct dirent *e; d && (e = readdir(d));) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    if (e->d_name[0] != '.')
      unlink(p);
  }
  if (d)
    closedir(d);
  rmdir(dir);
}

static void write_lines(api_audit_log *l, int n, int bytes) {
  for (int i = 0; i < n; i++) {
    char *line = malloc((size_t)bytes + 1);
    memset(line, 'x', (size_t)bytes - 1);
    line[bytes - 1] = '\n';
    line[bytes] = '\0';
    api_audit_log_write(l, line);
  }
}

static void log_rotates_at_the_size_and_keeps_max_backups(void **state) {
  (void)state;
  char dir[] = "/tmp/tug-audit-log-XXXXXX", path[256];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/audit.log", dir);
  api_audit_log_config cfg = {
      .path = path, .max_bytes = 1000, .max_backups = 2, .queue_lines = 64, .blocking = true};
  tug_error err = {0};
  /* 100-byte lines: 10 to a file. Backups take the time to the millisecond
   * in their name, so lines go in bursts a few ms apart. */
  api_audit_log *l = api_audit_log_open(&cfg, &err);
  assert_non_null(l);
  for (int burst = 0; burst < 5; burst++) {
    write_lines(l, 10, 100);
    usleep(20000);
  }
  api_audit_log_stats st;
  api_audit_log_close(l);
  l = api_audit_log_open(&cfg, &err);
  write_lines(l, 1, 100); /* the full file rotates before this line */
  api_audit_log_stats_get(l, &st);
  api_audit_log_close(l);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_true(sb.st_size > 0 && sb.st_size <= 1000);
  assert_int_equal(count_files(dir, "audit-"), 2); /* max_backups */
  remove_dir(dir);
}

static void log_counts_what_it_writes(void **state) {
  (void)state;
  char dir[] = "/tmp/tug-audit-log-XXXXXX", path[256];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/a.log", dir);
  api_audit_log_config cfg = {.path = path, .queue_lines = 4, .blocking = true};
  tug_error err = {0};
  api_audit_log *l = api_audit_log_open(&cfg, &err);
  write_lines(l, 100, 10);
  api_audit_log_close(l);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_size, 1000); /* blocking: nothing dropped however small the queue */
  remove_dir(dir);
  cfg.path = "/nonexistent-dir/a.log";
  assert_null(api_audit_log_open(&cfg, &err));
  assert_non_null(strstr(err.msg, "/nonexistent-dir/a.log"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(request_info_reads_kubernetes_verbs_and_targets),
      cmocka_unit_test(policy_refuses_bad_fields_naming_them),
      cmocka_unit_test(policy_first_matching_rule_wins),
      cmocka_unit_test(policy_matches_resources_as_kubernetes_does),
      cmocka_unit_test(policy_matches_non_resource_urls_and_omits_stages),
      cmocka_unit_test(policy_loads_from_yaml),
      cmocka_unit_test(event_has_the_kubernetes_shape_at_metadata),
      cmocka_unit_test(event_objects_follow_the_level),
      cmocka_unit_test(event_writes_an_answer_held_as_text_unparsed),
      cmocka_unit_test(event_names_failures_and_impersonation),
      cmocka_unit_test(event_at_request_received_has_no_response),
      cmocka_unit_test(event_escapes_what_clients_send),
      cmocka_unit_test(log_rotates_at_the_size_and_keeps_max_backups),
      cmocka_unit_test(log_counts_what_it_writes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
