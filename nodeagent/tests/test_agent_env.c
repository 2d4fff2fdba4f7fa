/*
 * A container's environment as kubelet builds it: envFrom then env, later
 * names winning, valueFrom's four sources with kubelet's defaults and
 * messages, and $(VAR) expansion of values, command and args.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent-env.h"
#include "cleanup.h"

/* JSON with ' for " so fixtures stay readable. */
static json_t *js(const char *s) {
  _cleanup_free_ char *t = strdup(s);
  for (char *p = t; *p; p++)
    if (*p == '\'')
      *p = '"';
  json_t *v = json_loads(t, 0, NULL);
  assert_non_null(v);
  return v;
}

static const char *const POD =
    "{'metadata':{'name':'web','namespace':'demo','uid':'u-1','labels':{'app':'w'},"
    "'annotations':{'a/b':'x'}},'spec':{'nodeName':'n1','serviceAccountName':'sa',"
    "'containers':[{'name':'c','resources':{'limits':{'cpu':'500m','memory':'64Mi'}}},"
    "{'name':'free'}]}}";

/* "settings" exists, "absent" does not; the Secret keeps "password" as base64. */
static const char *const OBJECTS =
    "{'configmaps':{'settings':{'data':{'MODE':'prod','LEVEL':'3','1bad':'x'}},'absent':null},"
    "'secrets':{'creds':{'data':{'password':'czNjcmV0'}}}}";

static const agent_env_node NODE = {.pod_ip = "10.244.0.7",
                                    .host_ip = "192.168.1.2",
                                    .alloc_cpu_milli = 2000,
                                    .alloc_memory = 1LL << 30};

/* ctr's env resolved, or NULL with err. */
static json_t *resolve_ctr(const json_t *ctr, const json_t *services, tug_error *err) {
  _cleanup_json_ json_t *pod = js(POD), *objects = js(OBJECTS);
  json_t *env = NULL;
  if (agent_env_resolve(pod, ctr, objects, services, &NODE, &env, err) < 0)
    return NULL;
  return env;
}

static json_t *resolve(const char *ctr_json, const json_t *services, tug_error *err) {
  _cleanup_json_ json_t *ctr = js(ctr_json);
  return resolve_ctr(ctr, services, err);
}

static const char *var(const json_t *env, const char *name) {
  return json_string_value(json_object_get(env, name));
}

static void test_env_from_then_env_later_wins(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_json_ json_t *env =
      resolve("{'envFrom':[{'configMapRef':{'name':'settings'}},"
              "{'prefix':'S_','secretRef':{'name':'creds'}}],"
              "'env':[{'name':'MODE','value':'dev'},{'name':'URL','value':'$(MODE)://$(LEVEL)'},"
              "{'name':'PW','valueFrom':{'secretKeyRef':{'name':'creds','key':'password'}}},"
              "{'name':'LVL','valueFrom':{'configMapKeyRef':{'name':'settings','key':'LEVEL'}}}]}",
              NULL, &err);
  assert_non_null(env);
  assert_string_equal(var(env, "MODE"), "dev");
  assert_string_equal(var(env, "LEVEL"), "3");
  assert_string_equal(var(env, "S_password"), "s3cret");
  assert_string_equal(var(env, "URL"), "dev://3");
  assert_string_equal(var(env, "PW"), "s3cret");
  assert_string_equal(var(env, "LVL"), "3");
  assert_null(var(env, "1bad")); /* no valid variable name: skipped, as kubelet does */
  /* First-set order: MODE keeps its place from the ConfigMap. */
  assert_string_equal(json_object_iter_key(json_object_iter(env)), "MODE");
}

static void test_expansion_follows_kubelet(void **state) {
  (void)state;
  _cleanup_json_ json_t *env = js("{'A':'a','B':'$(A)'}"), *svc = js("{'SVC_HOST':'10.0.0.1'}");
  const char *cases[][2] = {
      {"$(A)-$(SVC_HOST)", "a-10.0.0.1"},
      {"$(NOPE)", "$(NOPE)"},
      {"$$(A)", "$(A)"},
      {"$A $", "$A $"},
      {"$(A", "$(A"},
      {"x$(B)", "x$(A)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    _cleanup_free_ char *out = agent_env_expand(cases[i][0], env, svc);
    assert_string_equal(out, cases[i][1]);
  }
}

static void test_value_expands_only_earlier_names(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_json_ json_t *env =
      resolve("{'env':[{'name':'X','value':'$(Y)'},{'name':'Y','value':'y'},"
              "{'name':'Z','value':'$(Y)'}]}",
              NULL, &err);
  assert_string_equal(var(env, "X"), "$(Y)");
  assert_string_equal(var(env, "Z"), "y");
}

static void test_field_refs(void **state) {
  (void)state;
  tug_error err = {0};
  static const char *const want[][2] = {
      {"metadata.name", "web"},
      {"metadata.namespace", "demo"},
      {"metadata.uid", "u-1"},
      {"metadata.labels['app']", "w"},
      {"metadata.annotations['a/b']", "x"},
      {"spec.nodeName", "n1"},
      {"spec.serviceAccountName", "sa"},
      {"status.podIP", "10.244.0.7"},
      {"status.podIPs", "10.244.0.7"},
      {"status.hostIP", "192.168.1.2"},
      {"status.hostIPs", "192.168.1.2"},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    /* Built, not written: the paths hold the quote js() turns into ". */
    _cleanup_json_ json_t *ctr = json_pack("{s:[{s:s, s:{s:{s:s}}}]}", "env", "name", "V",
                                           "valueFrom", "fieldRef", "fieldPath", want[i][0]);
    _cleanup_json_ json_t *env = resolve_ctr(ctr, NULL, &err);
    assert_non_null(env);
    assert_string_equal(var(env, "V"), want[i][1]);
  }
  json_t *bad =
      resolve("{'env':[{'name':'V','valueFrom':{'fieldRef':{'fieldPath':'spec.x'}}}]}", NULL, &err);
  assert_null(bad);
  assert_string_equal(err.msg, "unsupported fieldPath: spec.x");
}

static void test_resource_refs_default_to_allocatable(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_json_ json_t *env = resolve(
      "{'name':'c','resources':{'limits':{'cpu':'500m','memory':'64Mi'}},'env':["
      "{'name':'CPU','valueFrom':{'resourceFieldRef':{'resource':'limits.cpu'}}},"
      "{'name':'CPU_M','valueFrom':{'resourceFieldRef':{'resource':'limits.cpu','divisor':'1m'}}},"
      "{'name':'MEM_MI','valueFrom':{'resourceFieldRef':{'resource':'limits.memory',"
      "'divisor':'1Mi'}}},"
      "{'name':'REQ','valueFrom':{'resourceFieldRef':{'resource':'requests.memory'}}},"
      "{'name':'FREE_CPU','valueFrom':{'resourceFieldRef':{'containerName':'free',"
      "'resource':'limits.cpu'}}},"
      "{'name':'FREE_MEM','valueFrom':{'resourceFieldRef':{'containerName':'free',"
      "'resource':'limits.memory'}}},"
      "{'name':'FREE_REQ','valueFrom':{'resourceFieldRef':{'containerName':'free',"
      "'resource':'requests.cpu'}}}]}",
      NULL, &err);
  assert_non_null(env);
  assert_string_equal(var(env, "CPU"), "1"); /* 0.5 core, rounded up */
  assert_string_equal(var(env, "CPU_M"), "500");
  assert_string_equal(var(env, "MEM_MI"), "64");
  assert_string_equal(var(env, "REQ"), "67108864"); /* the request defaults to the limit */
  assert_string_equal(var(env, "FREE_CPU"), "2");
  assert_string_equal(var(env, "FREE_MEM"), "1073741824");
  assert_string_equal(var(env, "FREE_REQ"), "0");
}

static void test_missing_sources_fail_with_kubelets_message(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"{'envFrom':[{'configMapRef':{'name':'absent'}}]}", "configmap \"absent\" not found"},
      {"{'envFrom':[{'secretRef':{'name':'nope'}}]}", "secret \"nope\" not found"},
      {"{'env':[{'name':'V','valueFrom':{'configMapKeyRef':{'name':'settings','key':'K'}}}]}",
       "couldn't find key K in ConfigMap demo/settings"},
      {"{'env':[{'name':'V','valueFrom':{'secretKeyRef':{'name':'creds','key':'K'}}}]}",
       "couldn't find key K in Secret demo/creds"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tug_error err = {0};
    assert_null(resolve(cases[i][0], NULL, &err));
    assert_string_equal(err.msg, cases[i][1]);
  }
}

static void test_optional_sources_are_skipped(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_json_ json_t *env = resolve(
      "{'envFrom':[{'configMapRef':{'name':'absent','optional':true}}],'env':["
      "{'name':'A','valueFrom':{'configMapKeyRef':{'name':'absent','key':'K','optional':true}}},"
      "{'name':'B','valueFrom':{'secretKeyRef':{'name':'creds','key':'K','optional':true}}},"
      "{'name':'C','value':'c'}]}",
      NULL, &err);
  assert_non_null(env);
  assert_int_equal(json_object_size(env), 1);
  assert_string_equal(var(env, "C"), "c");
}

/* What agent_podspec_plan gets: env as a list, command and args expanded. */
static void test_container_copy_expands_command(void **state) {
  (void)state;
  _cleanup_json_ json_t *ctr = js("{'name':'c','command':['echo','$(A)'],'args':['$(SVC)','$(B)'],"
                                  "'env':[{'name':'A','valueFrom':{'fieldRef':{}}}]}");
  _cleanup_json_ json_t *env = js("{'A':'a'}"), *svc = js("{'SVC':'s'}");
  _cleanup_json_ json_t *out = agent_env_container(ctr, env, svc);
  assert_non_null(out);
  _cleanup_free_ char *text = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
  assert_string_equal(text, "{\"args\":[\"s\",\"$(B)\"],\"command\":[\"echo\",\"a\"],"
                            "\"env\":[{\"name\":\"A\",\"value\":\"a\"}],\"name\":\"c\"}");
}

/* A fake API server: 404 for "gone", a read error for "broken". */
static int fake_get(void *arg, const char *path, json_t **out, tug_error *err) {
  json_array_append_new(arg, json_string(path));
  if (strstr(path, "/gone"))
    return tug_error_set(err, ENOENT, "not found");
  if (strstr(path, "/broken"))
    return tug_error_set(err, EIO, "connection reset");
  *out = json_pack("{s:{s:s}}", "data", "k", "v");
  return 0;
}

static void test_fetch_reads_each_object_once(void **state) {
  (void)state;
  _cleanup_json_ json_t *ctr = js("{'envFrom':[{'configMapRef':{'name':'a'}},{'secretRef':{'name':"
                                  "'gone'}}],'env':[{'name':'X','valueFrom':{'configMapKeyRef':{"
                                  "'name':'a','key':'k'}}}]}");
  _cleanup_json_ json_t *paths = json_array(), *objects = NULL;
  tug_error err = {0};
  assert_int_equal(agent_env_fetch(ctr, "demo", fake_get, paths, &objects, &err), 0);
  assert_int_equal(json_array_size(paths), 2);
  assert_string_equal(json_string_value(json_array_get(paths, 0)),
                      "/api/v1/namespaces/demo/configmaps/a");
  assert_true(json_is_null(json_object_get(json_object_get(objects, "secrets"), "gone")));
  _cleanup_json_ json_t *broken = js("{'envFrom':[{'secretRef':{'name':'broken'}}]}"), *o2 = NULL;
  assert_int_equal(agent_env_fetch(broken, "demo", fake_get, paths, &o2, &err), -1);
  assert_string_equal(err.msg, "get secret \"broken\": connection reset");
  /* A name is never a path of its own. */
  _cleanup_json_ json_t *odd = js("{'envFrom':[{'configMapRef':{'name':'../x'}}]}"), *o3 = NULL;
  assert_int_equal(agent_env_fetch(odd, "demo", fake_get, paths, &o3, &err), -1);
  assert_string_equal(err.msg, "invalid configmap name \"../x\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_env_from_then_env_later_wins),
      cmocka_unit_test(test_expansion_follows_kubelet),
      cmocka_unit_test(test_value_expands_only_earlier_names),
      cmocka_unit_test(test_field_refs),
      cmocka_unit_test(test_resource_refs_default_to_allocatable),
      cmocka_unit_test(test_missing_sources_fail_with_kubelets_message),
      cmocka_unit_test(test_optional_sources_are_skipped),
      cmocka_unit_test(test_container_copy_expands_command),
      cmocka_unit_test(test_fetch_reads_each_object_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
