/*
 * Hostile requests against a real tug-apiserver over a real etcd: each test
 * sends what an attacker would (a huge limit, numbers that overflow, a patch
 * of tens of thousands of list entries, watches opened in a loop) and checks
 * that the answer is a clear Status and the server still serves.
 *
 * Two users come from a static token file so that per-user caps can be told
 * from global ones; the insecure listener's client is the cluster admin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../lib/tests/apiserver_harness.h"
#include "../../lib/tests/test_support.h"
#include "cleanup.h"
#include "clock.h"
#include "http.h"
#include "object.h"

#define CONFIGMAPS "/api/v1/namespaces/default/configmaps"
#define PODS "/api/v1/namespaces/default/pods"
#define DEPLOYMENTS "/apis/apps/v1/namespaces/default/deployments"

enum { WATCHES_PER_USER = 3, WATCHES_IN_ALL = 5 };

static tug_test_apiserver api;
static tug_client *cli;
static char token_file[300];
static char per_user_flag[32], in_all_flag[32];
static const char *extra[] = {
    "--token-auth-file", token_file, "--authorization-mode", "AlwaysAllow", per_user_flag,
    in_all_flag,         NULL};

static int group_setup(void **state) {
  (void)state;
  snprintf(token_file, sizeof token_file, "/tmp/tug-hostile-tokens-%d.csv", (int)getpid());
  FILE *f = fopen(token_file, "w");
  if (f == NULL)
    return -1;
  fputs("alice-token,alice,1001,\"team-a\"\nbob-token,bob,1002,\"team-b\"\n", f);
  fclose(f);
  snprintf(per_user_flag, sizeof per_user_flag, "--max-watches-per-user=%d", WATCHES_PER_USER);
  snprintf(in_all_flag, sizeof in_all_flag, "--max-watches=%d", WATCHES_IN_ALL);
  api.extra_args = extra;
  return tug_test_apiserver_start_with_client(&api, &cli);
}

static int group_teardown(void **state) {
  (void)state;
  tug_test_apiserver_destroy_with_client(&api, cli);
  unlink(token_file);
  return 0;
}

/* GET path as the admin; the status, with the body in *body when asked. */
static long get(const char *path, json_t **body) {
  tug_request req = {.method = "GET", .path = path};
  tug_response resp = {0};
  tug_error err = {0};
  tug_client_do(cli, &req, &resp, &err);
  long code = resp.code;
  if (body)
    *body = json_incref(resp.body);
  tug_response_clear(&resp);
  return code;
}

static long send_json(const char *method, const char *path, const char *type, const json_t *obj) {
  tug_request req = {.method = method, .path = path, .body = obj, .content_type = type};
  tug_response resp = {0};
  tug_error err = {0};
  tug_client_do(cli, &req, &resp, &err);
  long code = resp.code;
  if (code >= 400)
    printf("# %s %s: %ld %s\n", method, path, code,
           json_string_value(json_object_get(resp.body, "message")));
  tug_response_clear(&resp);
  return code;
}

static void still_serving(void) {
  assert_int_equal(get("/readyz", NULL), 200);
}

static void make_configmap(const char *name) {
  _cleanup_json_ json_t *cm = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
                                        "ConfigMap", "metadata", "name", name);
  assert_int_equal(send_json("POST", CONFIGMAPS, NULL, cm), 201);
}

/* ---- numeric query parameters ---- */

static void a_huge_limit_is_a_hint_and_lists_what_there_is(void **state) {
  (void)state;
  make_configmap("limit-a");
  make_configmap("limit-b");
  _cleanup_json_ json_t *list = NULL;
  assert_int_equal(get(CONFIGMAPS "?limit=1000000000000000", &list), 200);
  assert_true(json_array_size(json_object_get(list, "items")) >= 2);
  assert_null(tug_obj_get_str(list, "metadata.continue"));
  _cleanup_json_ json_t *max = NULL;
  assert_int_equal(get(CONFIGMAPS "?limit=9223372036854775807", &max), 200);
  assert_true(json_array_size(json_object_get(max, "items")) >= 2);
  still_serving();
}

static void a_limit_that_is_not_an_int64_is_400(void **state) {
  (void)state;
  assert_int_equal(get(CONFIGMAPS "?limit=ten", NULL), 400);
  assert_int_equal(get(CONFIGMAPS "?limit=99999999999999999999", NULL), 400);
  assert_int_equal(get(CONFIGMAPS "?limit=5abc", NULL), 400);
  /* Negative and zero limits mean no limit, as in Kubernetes. */
  assert_int_equal(get(CONFIGMAPS "?limit=-5", NULL), 200);
  still_serving();
}

static void other_numeric_parameters_refuse_what_is_not_a_number(void **state) {
  (void)state;
  assert_int_equal(get(CONFIGMAPS "?watch=1&timeoutSeconds=soon", NULL), 400);
  assert_int_equal(get(CONFIGMAPS "?watch=1&timeoutSeconds=99999999999999999999", NULL), 400);
  make_configmap("grace");
  assert_int_equal(send_json("DELETE", CONFIGMAPS "/grace?gracePeriodSeconds=later", NULL, NULL),
                   400);
  assert_int_equal(send_json("DELETE", CONFIGMAPS "/grace?gracePeriodSeconds=30", NULL, NULL), 200);
  still_serving();
}

/* A watch that lasts "forever" is a long watch, not an overflow. */
static void a_huge_watch_timeout_is_honoured_without_overflow(void **state) {
  (void)state;
  tug_request req = {.method = "GET",
                     .path = CONFIGMAPS "?watch=1&timeoutSeconds=9223372036854775807",
                     .raw = true,
                     .timeout_ms = 1500};
  tug_response resp = {0};
  tug_error err = {0};
  tug_client_do(cli, &req, &resp, &err); /* times out client-side: the watch stayed open */
  assert_true(resp.code == 0 || resp.code == 200);
  tug_response_clear(&resp);
  still_serving();
}

/* ---- resource arithmetic ---- */

/* Three containers each asking for a third of 2^64: their sum wraps a signed
 * 64-bit counter to 2 bytes (the second already passes INT64_MAX). */
static json_t *pod_of_three(const char *name, const char *each) {
  json_t *containers = json_array();
  for (int i = 0; i < 3; i++) {
    char cname[8];
    snprintf(cname, sizeof cname, "c%d", i);
    json_array_append_new(containers,
                          json_pack("{s:s, s:s, s:{s:{s:s}}}", "name", cname, "image", "busybox",
                                    "resources", "requests", "memory", each));
  }
  return json_pack("{s:s, s:s, s:{s:s}, s:{s:o}}", "apiVersion", "v1", "kind", "Pod", "metadata",
                   "name", name, "spec", "containers", containers);
}

static void a_pod_whose_requests_overflow_is_invalid(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = pod_of_three("wraps", "6148914691236517206");
  tug_request req = {.method = "POST", .path = PODS, .body = pod};
  tug_response resp = {0};
  tug_error err = {0};
  tug_client_do(cli, &req, &resp, &err);
  assert_int_equal(resp.code, 422);
  const char *msg = json_string_value(json_object_get(resp.body, "message"));
  assert_non_null(strstr(msg, "spec.containers[1].resources.requests[memory]"));
  tug_response_clear(&resp);
  /* A third of that each sums fine. */
  _cleanup_json_ json_t *ok = pod_of_three("fits", "2049638230412172402");
  assert_int_equal(send_json("POST", PODS, NULL, ok), 201);
  still_serving();
}

/* A quota of all of int64: used + delta past INT64_MAX wrapped negative
 * and admitted the second pod. */
static void quota_usage_that_would_overflow_is_refused(void **state) {
  (void)state;
  _cleanup_json_ json_t *ns = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
                                        "Namespace", "metadata", "name", "quota-overflow");
  assert_int_equal(send_json("POST", "/api/v1/namespaces", NULL, ns), 201);
  _cleanup_json_ json_t *quota = json_pack(
      "{s:s, s:s, s:{s:s}, s:{s:{s:s}}}", "apiVersion", "v1", "kind", "ResourceQuota", "metadata",
      "name", "all", "spec", "hard", "requests.memory", "9223372036854775807");
  const char *base = "/api/v1/namespaces/quota-overflow";
  char path[128];
  snprintf(path, sizeof path, "%s/resourcequotas", base);
  assert_int_equal(send_json("POST", path, NULL, quota), 201);
  /* Admission charges the quotas its cache knows of. */
  strcat(path, "?resourceVersion=0");
  size_t known = 0;
  for (int tries = 0; tries < 100 && known == 0; tries++) {
    _cleanup_json_ json_t *list = NULL;
    get(path, &list);
    known = json_array_size(json_object_get(list, "items"));
    usleep(known ? 0 : 20 * 1000);
  }
  assert_int_equal(known, 1);
  snprintf(path, sizeof path, "%s/pods", base);
  _cleanup_json_ json_t *first = pod_of_three("first", "2049638230412172402");
  _cleanup_json_ json_t *second = pod_of_three("second", "2049638230412172402");
  assert_int_equal(send_json("POST", path, NULL, first), 201);
  assert_int_equal(send_json("POST", path, NULL, second), 403);
  still_serving();
}

/* ---- strategic merge patch ---- */

enum { PATCH_ENTRIES = 20000 };

static json_t *deployment(void) {
  return json_pack("{s:s, s:s, s:{s:s}, s:{s:{s:{s:s}}, s:{s:{s:{s:s}}, s:{s:[{s:s, s:s}]}}}}",
                   "apiVersion", "apps/v1", "kind", "Deployment", "metadata", "name", "many-env",
                   "spec", "selector", "matchLabels", "app", "many-env", "template", "metadata",
                   "labels", "app", "many-env", "spec", "containers", "name", "web", "image",
                   "busybox");
}

/* A patch that merges n env entries, by name, into the container. */
static json_t *env_patch(int n) {
  json_t *env = json_array();
  for (int i = 0; i < n; i++) {
    char name[32];
    snprintf(name, sizeof name, "VAR_%d", i);
    json_array_append_new(env, json_pack("{s:s, s:s}", "name", name, "value", "x"));
  }
  return json_pack("{s:{s:{s:{s:[{s:s, s:o}]}}}}", "spec", "template", "spec", "containers", "name",
                   "web", "env", env);
}

/* Seconds to patch in n entries. A dry run: the object with 20,000 entries
 * and their managed fields is more than etcd takes in one request (1.5 MiB);
 * merging, validating and tracking fields are what cost. */
static double time_patch(int n) {
  _cleanup_json_ json_t *patch = env_patch(n);
  double start = tug_monotonic_seconds();
  long code = send_json("PATCH", DEPLOYMENTS "/many-env?dryRun=All",
                        "application/strategic-merge-patch+json", patch);
  assert_int_equal(code, 200);
  return tug_monotonic_seconds() - start;
}

/* Four times the entries take about four times as long, not sixteen: the
 * patch's elements are found by key, never by scanning. */
static void a_patch_of_20000_named_entries_merges_in_linear_time(void **state) {
  (void)state;
  _cleanup_json_ json_t *d = deployment();
  assert_int_equal(send_json("POST", DEPLOYMENTS, NULL, d), 201);
  double quarter = time_patch(PATCH_ENTRIES / 4), whole = time_patch(PATCH_ENTRIES);
  printf("# strategic merge patch: %d env entries %.3f s, %d entries %.3f s\n", PATCH_ENTRIES / 4,
         quarter, PATCH_ENTRIES, whole);
  assert_true(whole < 8 * quarter + 0.5);
  still_serving();
}

/* ---- watches ---- */

/* A watch opened on a socket of its own as user (token); the HTTP status of
 * its answer, with the socket left open in *fd while it is 200. */
static int open_watch(const char *token, int *fd) {
  *fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)api.port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  struct timeval tv = {.tv_sec = 10};
  setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(*fd, (struct sockaddr *)&a, sizeof a) < 0)
    fail_msg("connect to the API server");
  char req[512];
  int n = snprintf(req, sizeof req,
                   "GET " CONFIGMAPS "?watch=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                   "%s\r\n\r\n",
                   token);
  assert_int_equal(write(*fd, req, (size_t)n), n);
  char head[1024] = "";
  ssize_t got = read(*fd, head, sizeof head - 1);
  assert_true(got > 12);
  head[got] = '\0';
  int code = atoi(head + 9);
  if (code == 429)
    assert_non_null(strcasestr(head, "Retry-After: 1"));
  if (code != 200) {
    close(*fd);
    *fd = -1;
  }
  return code;
}

static void watches_are_capped_per_user_and_in_all(void **state) {
  (void)state;
  int alice[WATCHES_PER_USER], bob[WATCHES_IN_ALL], extra_fd;
  for (int i = 0; i < WATCHES_PER_USER; i++)
    assert_int_equal(open_watch("alice-token", &alice[i]), 200);
  assert_int_equal(open_watch("alice-token", &extra_fd), 429);
  /* Another user is not held back by alice's watches... */
  int bobs = WATCHES_IN_ALL - WATCHES_PER_USER;
  for (int i = 0; i < bobs; i++)
    assert_int_equal(open_watch("bob-token", &bob[i]), 200);
  /* ...until the server's own cap. */
  assert_int_equal(open_watch("bob-token", &extra_fd), 429);
  /* A watch that ends gives its slot back. */
  close(alice[0]);
  long code = 0;
  for (int tries = 0; tries < 50 && code != 200; tries++) {
    usleep(100 * 1000);
    code = open_watch("alice-token", &alice[0]);
  }
  assert_int_equal(code, 200);
  for (int i = 0; i < WATCHES_PER_USER; i++)
    close(alice[i]);
  for (int i = 0; i < bobs; i++)
    close(bob[i]);
  still_serving();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_huge_limit_is_a_hint_and_lists_what_there_is),
      cmocka_unit_test(a_limit_that_is_not_an_int64_is_400),
      cmocka_unit_test(other_numeric_parameters_refuse_what_is_not_a_number),
      cmocka_unit_test(a_huge_watch_timeout_is_honoured_without_overflow),
      cmocka_unit_test(a_pod_whose_requests_overflow_is_invalid),
      cmocka_unit_test(quota_usage_that_would_overflow_is_refused),
      cmocka_unit_test(a_patch_of_20000_named_entries_merges_in_linear_time),
      cmocka_unit_test(watches_are_capped_per_user_and_in_all),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
