/*
 * Unit tests of pod volumes: a pod spec's volumes and one container's
 * volumeMounts turned into host dirs, files and the runtime's mount list;
 * ConfigMaps and Secrets come from a fake API. Bad specs must fail with a
 * message that names the problem, never crash. Each test works in its own
 * temporary sandbox dir; the memory-backed emptyDir needs root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-volumes-internal.h"
#include "base64.h"
#include "cleanup.h"
#include "object.h"
#include "runtime-internal.h"

typedef struct fixture {
  char dir[64];
  json_t *pod;
  json_t *objects; /* API path → object the fake GET answers */
  int gets;
  int creates;                  /* TokenRequests the fake POST answered */
  json_t *last_request;         /* the last of them */
  char token[512];              /* what it answers */
  const char *allowed;          /* --allowed-host-paths; NULL: "/tmp", where the fixture lives */
  const char *security_context; /* the pod's spec.securityContext; NULL: none */
  uid_t root_id;                /* the pod's root on the host; 0: no user namespace */
  const char *env;              /* the container's resolved env; NULL: none */
} fixture;

static int fake_get(void *arg, const char *path, json_t **out, tug_error *err) {
  fixture *f = arg;
  f->gets++;
  json_t *obj = json_object_get(f->objects, path);
  if (obj == NULL)
    return tug_error_set(err, ENOENT, "not found");
  *out = json_incref(obj);
  return 0;
}

static int fake_create(void *arg, const char *path, const json_t *body, json_t **out,
                       tug_error *err) {
  fixture *f = arg;
  (void)err;
  f->creates++;
  json_decref(f->last_request);
  f->last_request = json_pack("{s:s, s:O}", "path", path, "body", body);
  *out = json_pack("{s:{s:s}}", "status", "token", f->token);
  return 0;
}

/* An unsigned token of the JWT's shape with these time claims: the agent only reads them. */
static void set_token(fixture *f, long long iat, long long exp) {
  char claims[128];
  snprintf(claims, sizeof claims, "{\"iat\":%lld,\"exp\":%lld}", iat, exp);
  _cleanup_free_ char *c = tug_base64url_encode(claims, strlen(claims));
  snprintf(f->token, sizeof f->token, "eyJhbGciOiJFUzI1NiJ9.%s.c2ln", c);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/tug-volumes-test.XXXXXX");
  if (f == NULL || mkdtemp(f->dir) == NULL)
    return -1;
  f->objects = json_object();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  agent_volumes_release(f->dir, NULL);
  agent_rm_rf(f->dir, NULL);
  json_decref(f->pod);
  json_decref(f->objects);
  json_decref(f->last_request);
  free(f);
  return 0;
}

static json_t *parse(const char *text) {
  json_error_t jerr;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
  if (v == NULL)
    fail_msg("bad test JSON: %s at %d", jerr.text, jerr.line);
  return v;
}

/* Prepare the pod (its volumes from volumes_json) for a container with
 * mounts_json as its volumeMounts. */
static int prepare(fixture *f, const char *volumes_json, const char *mounts_json,
                   agent_volume_plan *plan, tug_error *err) {
  json_decref(f->pod);
  f->pod = parse("{\"metadata\": {\"name\": \"web\", \"namespace\": \"shop\", \"uid\": \"u1\","
                 " \"labels\": {\"tier\": \"front\", \"app\": \"web\"}}, \"spec\": {}}");
  json_object_set_new(json_object_get(f->pod, "spec"), "volumes", parse(volumes_json));
  if (f->security_context)
    json_object_set_new(json_object_get(f->pod, "spec"), "securityContext",
                        parse(f->security_context));
  _cleanup_json_ json_t *ctr =
      json_pack("{s:s, s:o}", "name", "main", "volumeMounts", parse(mounts_json));
  if (f->env)
    json_object_set_new(ctr, "env", parse(f->env));
  agent_volume_ctx ctx = {.pod = f->pod,
                          .sandbox_dir = f->dir,
                          .root_id = f->root_id,
                          .get = fake_get,
                          .create = fake_create,
                          .get_arg = f,
                          .allowed_host_paths = f->allowed ? f->allowed : "/tmp"};
  *err = (tug_error){0};
  return agent_volumes_prepare(&ctx, ctr, plan, err);
}

static char *slurp(const fixture *f, const char *rel) {
  char path[256];
  snprintf(path, sizeof path, "%s/volumes/%s", f->dir, rel);
  FILE *fp = fopen(path, "r");
  if (fp == NULL)
    return NULL;
  char *buf = calloc(1, 4096);
  size_t n = fread(buf, 1, 4095, fp);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

static mode_t mode_of(const fixture *f, const char *rel) {
  char path[256];
  struct stat st;
  snprintf(path, sizeof path, "%s/volumes/%s", f->dir, rel);
  return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void expect_error(fixture *f, const char *volumes, const char *mounts, const char *words) {
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, volumes, mounts, &plan, &err), -1);
  if (strstr(err.msg, words) == NULL)
    fail_msg("error \"%s\" does not say \"%s\"", err.msg, words);
}

static void test_paths_are_cleaned_and_backsteps_refused(void **state) {
  (void)state;
  tug_error err = {0};
  char *p = agent_volume_clean_path("//data/./x/", true, &err);
  assert_string_equal(p, "/data/x");
  free(p);
  p = agent_volume_clean_path("./a//b", false, &err);
  assert_string_equal(p, "a/b");
  free(p);
  assert_null(agent_volume_clean_path("a/../../etc", false, &err));
  assert_non_null(strstr(err.msg, ".."));
  assert_null(agent_volume_clean_path("/etc", false, &err));
  assert_null(agent_volume_clean_path("data", true, &err));
  assert_null(agent_volume_clean_path("/", true, &err));
  assert_null(agent_volume_clean_path("", true, &err));
  assert_null(agent_volume_clean_path(NULL, false, &err));
}

static void test_empty_dir_is_shared_and_mounts_follow_the_spec(void **state) {
  fixture *f = *state;
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(
      prepare(f, "[{\"name\": \"cache\", \"emptyDir\": {}}, {\"name\": \"scratch\"}]",
              "[{\"name\": \"cache\", \"mountPath\": \"/var/cache/\"},"
              " {\"name\": \"scratch\", \"mountPath\": \"/tmp/s\", \"subPath\": \"a/b\","
              "  \"readOnly\": true}]",
              &plan, &err),
      0);
  assert_int_equal(plan.n, 2);
  char want[128];
  snprintf(want, sizeof want, "%s/volumes/cache", f->dir);
  assert_string_equal(plan.mounts[0].source, want);
  assert_string_equal(plan.mounts[0].target, "/var/cache");
  assert_null(plan.mounts[0].sub_path);
  assert_false(plan.mounts[0].read_only);
  assert_string_equal(plan.mounts[1].sub_path, "a/b");
  assert_true(plan.mounts[1].read_only);
  assert_int_equal(mode_of(f, "cache"), 0777);
  assert_int_equal(mode_of(f, "scratch"), 0777); /* no source at all is an emptyDir */
  agent_volume_plan_free(&plan);
}

static void test_bad_mounts_and_volumes_say_what_is_wrong(void **state) {
  fixture *f = *state;
  const char *v = "[{\"name\": \"v\", \"emptyDir\": {}}]";
  expect_error(f, v, "[{\"name\": \"nope\", \"mountPath\": \"/x\"}]", "no volume named \"nope\"");
  expect_error(f, v, "[{\"name\": \"v\", \"mountPath\": \"/x\", \"subPath\": \"../x\"}]",
               "must not contain \"..\"");
  expect_error(f, v, "[{\"name\": \"v\", \"mountPath\": \"/x\", \"subPath\": \"/etc\"}]",
               "must be a relative path");
  expect_error(f, v, "[{\"name\": \"v\", \"mountPath\": \"x\"}]", "must be an absolute path");
  expect_error(f, v, "[{\"name\": \"v\", \"mountPath\": \"/\"}]", "names the root");
  expect_error(f, v, "[{\"name\": \"v\"}]", "mountPath");
  expect_error(f, "[{\"name\": \"d\", \"nfs\": {\"server\": \"s\", \"path\": \"/\"}}]", "[]",
               "volume type nfs is not supported");
  expect_error(f, "[{\"name\": \"d\", \"persistentVolumeClaim\": {\"claimName\": \"c\"}}]", "[]",
               "persistentvolumeclaim \"c\"");
  expect_error(f, "[{\"name\": \"m\", \"emptyDir\": {\"medium\": \"HugePages\"}}]", "[]",
               "medium \"HugePages\" is not supported");
  expect_error(f, "[{\"name\": \"../up\", \"emptyDir\": {}}]", "[]", "invalid volume name");
  expect_error(f, "[{\"name\": \"v\"}, {\"name\": \"v\", \"emptyDir\": {}}]", "[]",
               "declared twice");
  expect_error(f, "[42]", "[]", "spec.volumes[0]");
}

static void test_sub_path_expr_expands_the_containers_env(void **state) {
  fixture *f = *state;
  const char *v = "[{\"name\": \"logs\", \"emptyDir\": {}}]";
  f->env = "[{\"name\": \"POD\", \"value\": \"web-1\"}, {\"name\": \"EMPTY\", \"value\": \"\"},"
           " {\"name\": \"UP\", \"value\": \"..\"}]";
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, v,
                           "[{\"name\": \"logs\", \"mountPath\": \"/logs\","
                           " \"subPathExpr\": \"pods/$(POD)/$$x\"}]",
                           &plan, &err),
                   0);
  assert_string_equal(plan.mounts[0].sub_path, "pods/web-1/$x");
  agent_volume_plan_free(&plan);
  /* kubelet's rules: every variable set and not empty, then a subPath's */
  expect_error(
      f, v, "[{\"name\": \"logs\", \"mountPath\": \"/l\", \"subPathExpr\": \"$(NOPE)/$(EMPTY)\"}]",
      "missing value for NOPE, EMPTY");
  expect_error(f, v,
               "[{\"name\": \"logs\", \"mountPath\": \"/l\", \"subPathExpr\": \"$(UP)/etc\"}]",
               "must not contain \"..\"");
  expect_error(f, v, "[{\"name\": \"logs\", \"mountPath\": \"/l\", \"subPathExpr\": \"/$(POD)\"}]",
               "must be a relative path");
  expect_error(f, v,
               "[{\"name\": \"logs\", \"mountPath\": \"/l\", \"subPath\": \"a\","
               " \"subPathExpr\": \"$(POD)\"}]",
               "mutually exclusive");
  f->env = NULL;
}

static void test_garbage_in_the_spec_does_not_crash(void **state) {
  fixture *f = *state;
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, "\"not a list\"", "{\"not\": \"a list\"}", &plan, &err), 0);
  assert_int_equal(plan.n, 0);
  assert_int_equal(prepare(f, "[]", "[7, null]", &plan, &err), -1);
  expect_error(f, "[{\"name\": \"h\", \"hostPath\": {}}]", "[]", "absolute path");
  expect_error(f, "[{\"name\": \"c\", \"configMap\": {\"name\": \"../../nodes/x\"}}]", "[]",
               "invalid configmap name");
  expect_error(f, "[{\"name\": \"d\", \"downwardAPI\": {\"items\": [{\"path\": \"p\"}]}}]", "[]",
               "only fieldRef items");
}

static void test_host_path_types_are_checked_or_created(void **state) {
  fixture *f = *state;
  char vols[1024], dir[128], file[128];
  snprintf(dir, sizeof dir, "%s/host-dir", f->dir);
  snprintf(file, sizeof file, "%s/host-file", f->dir);
  agent_volume_plan plan;
  tug_error err;
  snprintf(vols, sizeof vols,
           "[{\"name\": \"d\", \"hostPath\": {\"path\": \"%s\", \"type\": \"DirectoryOrCreate\"}},"
           " {\"name\": \"f\", \"hostPath\": {\"path\": \"%s\", \"type\": \"FileOrCreate\"}}]",
           dir, file);
  assert_int_equal(
      prepare(f, vols, "[{\"name\": \"f\", \"mountPath\": \"/etc/x.conf\"}]", &plan, &err), 0);
  assert_string_equal(plan.mounts[0].source, file);
  assert_string_equal(plan.mounts[0].source_root, "/tmp");
  agent_volume_plan_free(&plan);
  struct stat st;
  assert_int_equal(stat(dir, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(stat(file, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  snprintf(vols, sizeof vols,
           "[{\"name\": \"d\", \"hostPath\": {\"path\": \"%s\", \"type\": \"File\"}}]", dir);
  expect_error(f, vols, "[]", "is a directory, not a file (type File)");
  snprintf(vols, sizeof vols,
           "[{\"name\": \"d\", \"hostPath\": {\"path\": \"%s/missing\", \"type\": \"Directory\"}}]",
           f->dir);
  expect_error(f, vols, "[]", "No such file or directory");
  snprintf(vols, sizeof vols,
           "[{\"name\": \"d\", \"hostPath\": {\"path\": \"%s\", \"type\": \"Whatever\"}}]", dir);
  expect_error(f, vols, "[]", "hostPath type \"Whatever\" is not supported");
}

static void test_allowed_host_path_prefixes_match_whole_components(void **state) {
  (void)state;
  char root[64];
  assert_int_equal(agent_host_path_root("/etc", "/etc/ssl", root, sizeof root), 0);
  assert_string_equal(root, "/etc");
  assert_int_equal(agent_host_path_root("/etc", "/etc", root, sizeof root), 0);
  assert_int_equal(agent_host_path_root("/etc", "/etcetera", root, sizeof root), -1);
  assert_int_equal(agent_host_path_root("/etc/", "/etc/x", root, sizeof root), 0);
  assert_string_equal(root, "/etc");
  assert_int_equal(
      agent_host_path_root("/data,/data/logs/,/var", "/data/logs/a", root, sizeof root), 0);
  assert_string_equal(root, "/data/logs"); /* the longest */
  assert_int_equal(agent_host_path_root("/", "/anything/at/all", root, sizeof root), 0);
  assert_string_equal(root, "/");
  assert_int_equal(agent_host_path_root("//data/./x", "/data/x/y", root, sizeof root), 0);
  assert_string_equal(root, "/data/x");
  assert_int_equal(agent_host_path_root("", "/etc", root, sizeof root), -1);
  assert_int_equal(agent_host_path_root(NULL, "/etc", root, sizeof root), -1);
  assert_int_equal(agent_host_path_root("relative,,/a/../b", "/b/c", root, sizeof root), -1);
}

static void test_host_path_outside_the_prefixes_or_through_proc_is_refused(void **state) {
  fixture *f = *state;
  char vols[1024], link[128];
  f->allowed = "/proc,/tmp";
  expect_error(f, "[{\"name\": \"h\", \"hostPath\": {\"path\": \"/proc/1/root\"}}]", "[]",
               "hostPath /proc/1/root is in /proc (refused)");
  expect_error(f, "[{\"name\": \"h\", \"hostPath\": {\"path\": \"/proc/self/fd/3\"}}]", "[]",
               "is in /proc (refused)");
  expect_error(f, "[{\"name\": \"h\", \"hostPath\": {\"path\": \"/etc\"}}]", "[]",
               "hostPath /etc is not under --allowed-host-paths (/proc,/tmp)");
  /* A symlink under an allowed prefix to the host's root, or into /proc. */
  snprintf(link, sizeof link, "%s/to-root", f->dir);
  assert_int_equal(symlink("/", link), 0);
  snprintf(vols, sizeof vols, "[{\"name\": \"h\", \"hostPath\": {\"path\": \"%s/etc\"}}]", link);
  expect_error(f, vols, "[]", "leads out of /tmp (refused)");
  snprintf(link, sizeof link, "%s/to-proc", f->dir);
  assert_int_equal(symlink("../../proc/self/root", link), 0);
  snprintf(vols, sizeof vols, "[{\"name\": \"h\", \"hostPath\": {\"path\": \"%s\"}}]", link);
  expect_error(f, vols, "[]", "leads out of /tmp (refused)");
  /* DirectoryOrCreate through the symlink makes nothing outside. */
  snprintf(vols, sizeof vols,
           "[{\"name\": \"h\", \"hostPath\": {\"path\": \"%s/to-root/tmp/tug-made-%d\","
           " \"type\": \"DirectoryOrCreate\"}}]",
           f->dir, (int)getpid());
  expect_error(f, vols, "[]", "leads out of /tmp (refused)");
  char made[64];
  snprintf(made, sizeof made, "/tmp/tug-made-%d", (int)getpid());
  assert_int_equal(access(made, F_OK), -1);
  f->allowed = "";
  snprintf(vols, sizeof vols, "[{\"name\": \"h\", \"hostPath\": {\"path\": \"%s\"}}]", f->dir);
  expect_error(f, vols, "[]", "not under --allowed-host-paths (none on this node)");
}

static void test_config_map_keys_become_files_with_items_and_modes(void **state) {
  fixture *f = *state;
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/configmaps/game",
                      parse("{\"data\": {\"game.properties\": \"lives=3\\n\", \"ui\": \"blue\"},"
                            " \"binaryData\": {\"logo\": \"AAEC/w==\"}}"));
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(
      prepare(f,
              "[{\"name\": \"all\", \"configMap\": {\"name\": \"game\", \"defaultMode\": 384}},"
              " {\"name\": \"some\", \"configMap\": {\"name\": \"game\", \"items\": ["
              "   {\"key\": \"ui\", \"path\": \"conf/ui.txt\", \"mode\": 256}]}}]",
              "[{\"name\": \"all\", \"mountPath\": \"/etc/game\"}]", &plan, &err),
      0);
  assert_true(plan.mounts[0].read_only); /* configMap mounts are never writable */
  agent_volume_plan_free(&plan);
  _cleanup_free_ char *props = slurp(f, "all/game.properties"), *ui = slurp(f, "some/conf/ui.txt");
  _cleanup_free_ char *logo = slurp(f, "all/logo");
  assert_string_equal(props, "lives=3\n");
  assert_string_equal(ui, "blue");
  assert_memory_equal(logo, "\x00\x01\x02\xff", 4);
  assert_int_equal(mode_of(f, "all/ui"), 0600);
  assert_int_equal(mode_of(f, "some/conf/ui.txt"), 0400);
  _cleanup_free_ char *not_listed = slurp(f, "some/game.properties");
  assert_null(not_listed);
}

static void test_content_is_written_once_and_not_updated(void **state) {
  fixture *f = *state;
  const char *path = "/api/v1/namespaces/shop/configmaps/c";
  json_object_set_new(f->objects, path, parse("{\"data\": {\"k\": \"one\"}}"));
  const char *vols = "[{\"name\": \"c\", \"configMap\": {\"name\": \"c\"}}]";
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  json_object_set_new(f->objects, path, parse("{\"data\": {\"k\": \"two\"}}"));
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  assert_int_equal(f->gets, 1);
  _cleanup_free_ char *k = slurp(f, "c/k");
  assert_string_equal(k, "one");
}

static void test_missing_config_map_fails_until_it_exists_unless_optional(void **state) {
  fixture *f = *state;
  const char *vols = "[{\"name\": \"c\", \"configMap\": {\"name\": \"later\"}}]";
  expect_error(f, vols, "[]", "configmap \"later\" not found");
  struct stat st;
  char tmp[128];
  snprintf(tmp, sizeof tmp, "%s/volumes/c.tmp", f->dir);
  assert_int_equal(stat(tmp, &st), -1); /* nothing half-made is left */
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/configmaps/later",
                      parse("{\"data\": {\"a\": \"1\"}}"));
  expect_error(f,
               "[{\"name\": \"c\", \"configMap\": {\"name\": \"later\", \"items\": [{\"key\": "
               "\"b\", \"path\": \"b\"}]}}]",
               "[]", "configmap references non-existent config key: b");
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  _cleanup_free_ char *a = slurp(f, "c/a");
  assert_string_equal(a, "1");
  assert_int_equal(
      prepare(f, "[{\"name\": \"o\", \"configMap\": {\"name\": \"absent\", \"optional\": true}}]",
              "[]", &plan, &err),
      0);
  assert_int_equal(mode_of(f, "o"), 0755);
}

static void test_secret_data_is_decoded_and_string_data_wins(void **state) {
  fixture *f = *state;
  if (geteuid() != 0)
    skip(); /* its tmpfs needs root */
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/secrets/creds",
                      parse("{\"data\": {\"user\": \"YWRtaW4=\", \"pass\": \"b2xk\"},"
                            " \"stringData\": {\"pass\": \"new\"}}"));
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(
      prepare(f, "[{\"name\": \"s\", \"secret\": {\"secretName\": \"creds\"}}]", "[]", &plan, &err),
      0);
  _cleanup_free_ char *user = slurp(f, "s/user"), *pass = slurp(f, "s/pass");
  assert_string_equal(user, "admin");
  assert_string_equal(pass, "new");
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/secrets/bad",
                      parse("{\"data\": {\"k\": \"!!!not base64\"}}"));
  expect_error(f, "[{\"name\": \"b\", \"secret\": {\"secretName\": \"bad\"}}]", "[]",
               "not valid base64");
  expect_error(f, "[{\"name\": \"m\", \"secret\": {\"secretName\": \"missing\"}}]", "[]",
               "secret \"missing\" not found");
}

static void test_downward_api_writes_the_pods_metadata(void **state) {
  fixture *f = *state;
  if (geteuid() != 0)
    skip(); /* its tmpfs needs root */
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(
      prepare(f,
              "[{\"name\": \"info\", \"downwardAPI\": {\"items\": ["
              " {\"path\": \"name\", \"fieldRef\": {\"fieldPath\": \"metadata.name\"}},"
              " {\"path\": \"ns\", \"fieldRef\": {\"fieldPath\": \"metadata.namespace\"}},"
              " {\"path\": \"tier\", \"fieldRef\": {\"fieldPath\": \"metadata.labels['tier']\"}},"
              " {\"path\": \"labels\", \"fieldRef\": {\"fieldPath\": \"metadata.labels\"}}]}}]",
              "[]", &plan, &err),
      0);
  _cleanup_free_ char *name = slurp(f, "info/name"), *ns = slurp(f, "info/ns");
  _cleanup_free_ char *tier = slurp(f, "info/tier"), *labels = slurp(f, "info/labels");
  assert_string_equal(name, "web");
  assert_string_equal(ns, "shop");
  assert_string_equal(tier, "front");
  assert_string_equal(labels, "app=\"web\"\ntier=\"front\"");
  expect_error(f,
               "[{\"name\": \"x\", \"downwardAPI\": {\"items\": [{\"path\": \"p\", \"fieldRef\": "
               "{\"fieldPath\": \"status.podIP\"}}]}}]",
               "[]", "fieldPath status.podIP is not supported");
}

static void test_memory_empty_dir_is_a_tmpfs_released_with_the_pod(void **state) {
  fixture *f = *state;
  if (geteuid() != 0)
    skip();
  agent_volume_plan plan;
  tug_error err;
  const char *vols = "[{\"name\": \"m\", \"emptyDir\": {\"medium\": \"Memory\", \"sizeLimit\": "
                     "\"1Mi\"}}]";
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0); /* mounted once */
  char dir[128];
  snprintf(dir, sizeof dir, "%s/volumes/m", f->dir);
  struct stat st, parent;
  assert_int_equal(stat(dir, &st), 0);
  assert_int_equal(stat(f->dir, &parent), 0);
  assert_int_not_equal(st.st_dev, parent.st_dev);
  assert_int_equal(agent_volumes_release(f->dir, &err), 0);
  assert_int_equal(stat(dir, &st), 0);
  assert_int_equal(st.st_dev, parent.st_dev);
  expect_error(f,
               "[{\"name\": \"m\", \"emptyDir\": {\"medium\": \"Memory\", \"sizeLimit\": \"x\"}}]",
               "[]", "sizeLimit \"x\" is not a size");
}

static bool is_mount(const fixture *f, const char *rel) {
  char path[256], parent[300];
  struct stat st, pst;
  snprintf(path, sizeof path, "%s/volumes/%s", f->dir, rel);
  snprintf(parent, sizeof parent, "%s/..", path);
  return stat(path, &st) == 0 && stat(parent, &pst) == 0 && st.st_dev != pst.st_dev;
}

static void test_secret_and_downward_api_live_on_tmpfs_configmaps_on_disk(void **state) {
  fixture *f = *state;
  if (geteuid() != 0)
    skip();
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/secrets/s",
                      parse("{\"data\": {\"k\": \"czNjcjN0\"}}"));
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/configmaps/c",
                      parse("{\"data\": {\"k\": \"v\"}}"));
  const char *vols =
      "[{\"name\": \"s\", \"secret\": {\"secretName\": \"s\"}},"
      " {\"name\": \"c\", \"configMap\": {\"name\": \"c\"}},"
      " {\"name\": \"d\", \"downwardAPI\": {\"items\": [{\"path\": \"n\", \"fieldRef\": "
      "{\"fieldPath\": \"metadata.name\"}}]}}]";
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0); /* in place: not mounted twice */
  assert_true(is_mount(f, "s"));
  assert_true(is_mount(f, "d"));
  assert_false(is_mount(f, "c"));
  assert_false(is_mount(f, "s.tmp"));
  _cleanup_free_ char *k = slurp(f, "s/k");
  assert_string_equal(k, "s3cr3t");
  assert_int_equal(agent_volumes_release(f->dir, &err), 0);
  assert_false(is_mount(f, "s"));
}

static void test_projected_volume_merges_its_sources_on_a_tmpfs(void **state) {
  fixture *f = *state;
  if (geteuid() != 0)
    skip(); /* its tmpfs needs root */
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/secrets/s",
                      parse("{\"data\": {\"token\": \"czNjcjN0\"}}"));
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/configmaps/c",
                      parse("{\"data\": {\"ca.crt\": \"pem\", \"other\": \"x\"}}"));
  const char *vols =
      "[{\"name\": \"p\", \"projected\": {\"defaultMode\": 288, \"sources\": ["
      " {\"secret\": {\"name\": \"s\"}},"
      " {\"configMap\": {\"name\": \"c\", \"items\": [{\"key\": \"ca.crt\", \"path\": "
      "\"ca.crt\", \"mode\": 420}]}},"
      " {\"downwardAPI\": {\"items\": [{\"path\": \"namespace\", \"fieldRef\": "
      "{\"fieldPath\": \"metadata.namespace\"}}]}},"
      " {\"secret\": {\"name\": \"absent\", \"optional\": true}}]}}]";
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  assert_true(is_mount(f, "p"));
  _cleanup_free_ char *token = slurp(f, "p/token"), *ca = slurp(f, "p/ca.crt"),
                      *ns = slurp(f, "p/namespace");
  assert_string_equal(token, "s3cr3t");
  assert_string_equal(ca, "pem");
  assert_string_equal(ns, "shop");
  assert_int_equal(mode_of(f, "p/token"), 0440);  /* the projection's defaultMode */
  assert_int_equal(mode_of(f, "p/ca.crt"), 0644); /* an item's own mode */
  char other[128];
  snprintf(other, sizeof other, "%s/volumes/p/other", f->dir);
  assert_int_equal(access(other, F_OK), -1); /* items given: only those */
  assert_int_equal(agent_volumes_release(f->dir, &err), 0);
  expect_error(f,
               "[{\"name\": \"m\", \"projected\": {\"sources\": [{\"secret\": {\"name\": "
               "\"missing\"}}]}}]",
               "[]", "projected sources[0]: secret \"missing\" not found");
}

static const char token_volume[] =
    "[{\"name\": \"kube-api-access-x\", \"projected\": {\"defaultMode\": 420, \"sources\": ["
    " {\"serviceAccountToken\": {\"path\": \"token\", \"expirationSeconds\": 3607}}]}}]";

static void test_projected_token_is_requested_bound_to_the_pod(void **state) {
  fixture *f = *state;
  set_token(f, 1000, 4607);
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, token_volume, "[]", &plan, &err), 0);
  _cleanup_free_ char *token = slurp(f, "kube-api-access-x/token");
  assert_string_equal(token, f->token);
  assert_int_equal(mode_of(f, "kube-api-access-x/token"), 0644);
  assert_int_equal(f->creates, 1);
  assert_string_equal(json_string_value(json_object_get(f->last_request, "path")),
                      "/api/v1/namespaces/shop/serviceaccounts/default/token");
  json_t *spec = tug_obj_get(json_object_get(f->last_request, "body"), "spec");
  assert_int_equal(tug_obj_get_int(spec, "expirationSeconds", 0), 3607);
  assert_string_equal(tug_obj_get_str(spec, "boundObjectRef.kind"), "Pod");
  assert_string_equal(tug_obj_get_str(spec, "boundObjectRef.name"), "web");
  assert_string_equal(tug_obj_get_str(spec, "boundObjectRef.uid"), "u1");
}

static void test_projected_token_is_renewed_past_80_percent_of_its_life(void **state) {
  fixture *f = *state;
  set_token(f, 1000, 2000);
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, token_volume, "[]", &plan, &err), 0);
  agent_volume_ctx ctx = {
      .pod = f->pod, .sandbox_dir = f->dir, .create = fake_create, .get_arg = f};
  assert_int_equal(agent_volumes_refresh_tokens(&ctx, 1799, &err), 0);
  assert_int_equal(f->creates, 1); /* 79.9%: kept */
  char old[512];
  snprintf(old, sizeof old, "%s", f->token);
  set_token(f, 1800, 2800);
  assert_int_equal(agent_volumes_refresh_tokens(&ctx, 1800, &err), 0);
  assert_int_equal(f->creates, 2);
  _cleanup_free_ char *token = slurp(f, "kube-api-access-x/token");
  assert_string_equal(token, f->token);
  assert_string_not_equal(token, old);
  assert_int_equal(mode_of(f, "kube-api-access-x/token"), 0644); /* the old file's mode kept */
  assert_int_equal(agent_volumes_refresh_tokens(&ctx, 1801, &err), 0);
  assert_int_equal(f->creates, 2); /* the new one is fresh */
}

static void test_fs_group_mode_follows_kubernetes(void **state) {
  (void)state;
  assert_int_equal(agent_fs_group_mode(0644, false, false), 0664);
  assert_int_equal(agent_fs_group_mode(0400, false, true), 0440);
  assert_int_equal(agent_fs_group_mode(0600, false, false), 0660);
  assert_int_equal(agent_fs_group_mode(0755, true, true), 02755);
  assert_int_equal(agent_fs_group_mode(0777, true, false), 02777);
  assert_int_equal(agent_fs_group_mode(S_IFDIR | 0700, true, false), 02770);
}

static gid_t gid_of(const fixture *f, const char *rel) {
  char path[256];
  struct stat st;
  snprintf(path, sizeof path, "%s/volumes/%s", f->dir, rel);
  return stat(path, &st) == 0 ? st.st_gid : (gid_t)-1;
}

static void test_fs_group_owns_empty_dirs_and_content_volumes(void **state) {
  fixture *f = *state;
  if (geteuid() != 0)
    skip(); /* chown to another group */
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/configmaps/c",
                      parse("{\"data\": {\"k\": \"v\"}}"));
  const char *vols = "[{\"name\": \"e\", \"emptyDir\": {}},"
                     " {\"name\": \"c\", \"configMap\": {\"name\": \"c\", \"defaultMode\": 256,"
                     " \"items\": [{\"key\": \"k\", \"path\": \"sub/k\"}]}}]";
  f->security_context = "{\"fsGroup\": 4321}";
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  assert_int_equal(gid_of(f, "e"), 4321);
  assert_int_equal(mode_of(f, "e"), 02777);
  assert_int_equal(gid_of(f, "c"), 4321);
  assert_int_equal(gid_of(f, "c/sub"), 4321);
  assert_int_equal(mode_of(f, "c/sub") & 02050, 02050);
  assert_int_equal(gid_of(f, "c/sub/k"), 4321);
  assert_int_equal(mode_of(f, "c/sub/k"), 0440); /* defaultMode 0400, group-readable */
}

static uid_t uid_of(const fixture *f, const char *rel) {
  char path[256];
  struct stat st;
  snprintf(path, sizeof path, "%s/volumes/%s", f->dir, rel);
  return lstat(path, &st) == 0 ? st.st_uid : (uid_t)-1;
}

/* hostUsers: false. The pod's root is root_id on the host: it owns the files of
 * a Secret kept to their owner (0400), and fsGroup maps from root_id too. */
static void test_pod_root_in_its_user_namespace_owns_content_volumes(void **state) {
  fixture *f = *state;
  if (geteuid() != 0)
    skip(); /* chown to other ids */
  json_object_set_new(f->objects, "/api/v1/namespaces/shop/secrets/s",
                      parse("{\"data\": {\"k\": \"dg==\"}}"));
  const char *vols = "[{\"name\": \"s\", \"secret\": {\"secretName\": \"s\","
                     " \"defaultMode\": 256}}, {\"name\": \"e\", \"emptyDir\": {}}]";
  f->root_id = 2000000;
  agent_volume_plan plan;
  tug_error err;
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  assert_int_equal(uid_of(f, "s"), 2000000);
  assert_int_equal(uid_of(f, "s/k"), 2000000);
  assert_int_equal(gid_of(f, "s/k"), 2000000);
  assert_int_equal(mode_of(f, "s/k"), 0400);
  assert_int_equal(uid_of(f, "e"), 2000000);

  agent_volumes_release(f->dir, NULL);
  agent_rm_rf(f->dir, NULL);
  assert_int_equal(mkdir(f->dir, 0700), 0);
  f->security_context = "{\"fsGroup\": 7}";
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  assert_int_equal(uid_of(f, "s/k"), 2000000);
  assert_int_equal(gid_of(f, "s/k"), 2000007);
  assert_int_equal(mode_of(f, "s/k"), 0440);
}

static void test_empty_dir_usage_past_its_size_limit_evicts(void **state) {
  fixture *f = *state;
  agent_volume_plan plan;
  tug_error err;
  const char *vols = "[{\"name\": \"x\", \"emptyDir\": {\"sizeLimit\": \"1Mi\"}},"
                     " {\"name\": \"free\", \"emptyDir\": {}}]";
  assert_int_equal(prepare(f, vols, "[]", &plan, &err), 0);
  char msg[256] = "", path[256];
  assert_false(agent_volumes_over_limit(f->pod, f->dir, msg, sizeof msg));
  snprintf(path, sizeof path, "%s/volumes/free/big", f->dir);
  FILE *fp = fopen(path, "w");
  static char block[1 << 16];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < 32; i++) /* 2 MiB */
    fwrite(block, 1, sizeof block, fp);
  fclose(fp);
  assert_false(agent_volumes_over_limit(f->pod, f->dir, msg, sizeof msg)); /* no limit there */
  char to[256];
  snprintf(to, sizeof to, "%s/volumes/x/sub", f->dir);
  mkdir(to, 0755);
  strcat(to, "/big");
  assert_int_equal(rename(path, to), 0);
  snprintf(path, sizeof path, "%s/volumes/x", f->dir);
  assert_true(agent_dir_usage(path) >= 2 << 20);
  assert_true(agent_volumes_over_limit(f->pod, f->dir, msg, sizeof msg));
  assert_string_equal(msg, "Usage of EmptyDir volume \"x\" exceeds the limit \"1Mi\".");
}

static void test_only_disk_empty_dirs_with_a_limit_are_measured(void **state) {
  (void)state;
  char msg[128];
  _cleanup_json_ json_t *mem =
      parse("{\"name\": \"m\", \"emptyDir\": {\"medium\": \"Memory\", \"sizeLimit\": \"1Ki\"}}");
  _cleanup_json_ json_t *none = parse("{\"name\": \"n\", \"emptyDir\": {}}");
  _cleanup_json_ json_t *disk = parse("{\"name\": \"d\", \"emptyDir\": {\"sizeLimit\": \"1Ki\"}}");
  _cleanup_json_ json_t *host = parse("{\"name\": \"h\", \"hostPath\": {\"path\": \"/x\"}}");
  assert_false(agent_empty_dir_over_limit(mem, 1 << 20, msg, sizeof msg));
  assert_false(agent_empty_dir_over_limit(none, 1 << 20, msg, sizeof msg));
  assert_false(agent_empty_dir_over_limit(host, 1 << 20, msg, sizeof msg));
  assert_false(agent_empty_dir_over_limit(disk, 1024, msg, sizeof msg)); /* at, not past */
  assert_true(agent_empty_dir_over_limit(disk, 1025, msg, sizeof msg));
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_paths_are_cleaned_and_backsteps_refused),
      cmocka_unit_test(test_allowed_host_path_prefixes_match_whole_components),
      T(test_host_path_outside_the_prefixes_or_through_proc_is_refused),
      T(test_empty_dir_is_shared_and_mounts_follow_the_spec),
      T(test_bad_mounts_and_volumes_say_what_is_wrong),
      T(test_sub_path_expr_expands_the_containers_env),
      T(test_garbage_in_the_spec_does_not_crash),
      T(test_host_path_types_are_checked_or_created),
      T(test_config_map_keys_become_files_with_items_and_modes),
      T(test_content_is_written_once_and_not_updated),
      T(test_missing_config_map_fails_until_it_exists_unless_optional),
      T(test_secret_data_is_decoded_and_string_data_wins),
      T(test_downward_api_writes_the_pods_metadata),
      T(test_memory_empty_dir_is_a_tmpfs_released_with_the_pod),
      T(test_secret_and_downward_api_live_on_tmpfs_configmaps_on_disk),
      T(test_projected_volume_merges_its_sources_on_a_tmpfs),
      cmocka_unit_test(test_fs_group_mode_follows_kubernetes),
      T(test_projected_token_is_requested_bound_to_the_pod),
      T(test_projected_token_is_renewed_past_80_percent_of_its_life),
      T(test_fs_group_owns_empty_dirs_and_content_volumes),
      T(test_pod_root_in_its_user_namespace_owns_content_volumes),
      T(test_empty_dir_usage_past_its_size_limit_evicts),
      cmocka_unit_test(test_only_disk_empty_dirs_with_a_limit_are_measured),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
