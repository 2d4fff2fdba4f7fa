/*
 * Pure parts of hollow nodes: node names and their parsing, a pod's run time,
 * the status a hollow pod reports, the fake IP pool, and Time parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-hollow.h"
#include "agent-time.h"
#include "cleanup.h"
#include "kubeconfig.h"
#include "object.h"
#include "pki.h"

static void test_node_names_parse_back_to_their_index_and_nothing_else_does(void **state) {
  (void)state;
  char name[64];
  agent_hollow_node_name("hollow", 42, name, sizeof name);
  assert_string_equal(name, "hollow-42");
  assert_int_equal(agent_hollow_node_index("hollow", 100, name), 42);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow-0"), 0);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow-99"), 99);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow-100"), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow-07"), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow-"), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow-1x"), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow--1"), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollowx-1"), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "other-1"), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, ""), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, NULL), -1);
  assert_int_equal(agent_hollow_node_index("hollow", 100, "hollow-99999999999999999999"), -1);
  assert_int_equal(agent_hollow_node_index("a-b", 5, "a-b-4"), 4);
}

static void test_next_beat_is_the_first_slot_strictly_after_now(void **state) {
  (void)state;
  /* Slots of a node at offset 2.5 s in a 10 s period from t0 = 100: 102.5, 112.5, … */
  assert_float_equal(agent_hollow_next_beat(100, 10, 2.5, 100), 102.5, 1e-9);
  assert_float_equal(agent_hollow_next_beat(100, 10, 2.5, 102.5), 112.5, 1e-9);
  assert_float_equal(agent_hollow_next_beat(100, 10, 2.5, 105), 112.5, 1e-9);
  /* Far behind: one slot ahead of now, not the missed ones in between. */
  assert_float_equal(agent_hollow_next_beat(100, 10, 2.5, 147), 152.5, 1e-9);
  /* Before t0 (a clock read a moment early). */
  assert_float_equal(agent_hollow_next_beat(100, 10, 2.5, 99), 102.5, 1e-9);
}

static json_t *pod(const char *policy, const char *run_seconds) {
  json_t *p = json_pack("{s:{s:s, s:s}, s:{s:[{s:s, s:s}, {s:s, s:s}]}}", "metadata", "name", "p",
                        "uid", "u1", "spec", "containers", "name", "a", "image", "busybox", "name",
                        "b", "image", "nginx:1");
  if (policy)
    tug_obj_set_str(p, "spec.restartPolicy", policy, NULL);
  if (run_seconds)
    tug_obj_set_annotation(p, AGENT_HOLLOW_RUN_SECONDS_ANNOTATION, run_seconds, NULL);
  return p;
}

static long run_seconds(const char *policy, const char *annotation) {
  _cleanup_json_ json_t *p = pod(policy, annotation);
  return agent_hollow_run_seconds(p, 5);
}

static void test_only_never_and_on_failure_pods_finish_annotation_first(void **state) {
  (void)state;
  assert_int_equal(run_seconds(NULL, NULL), -1);
  assert_int_equal(run_seconds("Always", "3"), -1);
  assert_int_equal(run_seconds("Never", NULL), 5);
  assert_int_equal(run_seconds("OnFailure", NULL), 5);
  assert_int_equal(run_seconds("Never", "0"), 0);
  assert_int_equal(run_seconds("Never", "120"), 120);
  assert_int_equal(run_seconds("Never", "-3"), 5);
  assert_int_equal(run_seconds("Never", "3s"), 5);
  assert_int_equal(run_seconds("Never", ""), 5);
  assert_int_equal(run_seconds("Never", " 3"), 5);
  assert_int_equal(run_seconds("Never", "99999999999999999999999"), 5);
  assert_int_equal(run_seconds("Sometimes", "3"), -1);
}

static void test_running_status_has_ips_ready_containers_and_start_time(void **state) {
  (void)state;
  _cleanup_json_ json_t *p = pod("Always", NULL);
  _cleanup_json_ json_t *st = agent_hollow_pod_status(p, "10.0.0.1", "198.18.0.7", 1700000000, 0);
  assert_non_null(st);
  assert_string_equal(tug_obj_get_str(st, "phase"), "Running");
  assert_string_equal(tug_obj_get_str(st, "podIP"), "198.18.0.7");
  assert_string_equal(tug_obj_get_str(json_array_get(tug_obj_get(st, "podIPs"), 0), "ip"),
                      "198.18.0.7");
  assert_string_equal(tug_obj_get_str(st, "hostIP"), "10.0.0.1");
  assert_string_equal(tug_obj_get_str(st, "startTime"), "2023-11-14T22:13:20Z");
  json_t *cs = tug_obj_get(st, "containerStatuses");
  assert_int_equal(json_array_size(cs), 2);
  json_t *b = json_array_get(cs, 1);
  assert_string_equal(tug_obj_get_str(b, "name"), "b");
  assert_string_equal(tug_obj_get_str(b, "image"), "nginx:1");
  assert_true(json_is_true(json_object_get(b, "ready")));
  assert_string_equal(tug_obj_get_str(b, "state.running.startedAt"), "2023-11-14T22:13:20Z");
  size_t i;
  json_t *c, *ready = NULL;
  json_array_foreach(tug_obj_get(st, "conditions"), i, c) {
    if (strcmp(tug_obj_get_str(c, "type"), "Ready") == 0)
      ready = c;
  }
  assert_non_null(ready);
  assert_string_equal(tug_obj_get_str(ready, "status"), "True");
}

static void test_finished_status_is_succeeded_with_exit_code_zero(void **state) {
  (void)state;
  _cleanup_json_ json_t *p = pod("Never", NULL);
  _cleanup_json_ json_t *st =
      agent_hollow_pod_status(p, "10.0.0.1", "198.18.0.7", 1700000000, 1700000005);
  assert_string_equal(tug_obj_get_str(st, "phase"), "Succeeded");
  json_t *a = json_array_get(tug_obj_get(st, "containerStatuses"), 0);
  assert_int_equal(tug_obj_get_int(a, "state.terminated.exitCode", -1), 0);
  assert_string_equal(tug_obj_get_str(a, "state.terminated.reason"), "Completed");
  assert_string_equal(tug_obj_get_str(a, "state.terminated.finishedAt"), "2023-11-14T22:13:25Z");
  assert_true(json_is_false(json_object_get(a, "ready")));
}

static void test_status_of_a_pod_without_containers_does_not_crash(void **state) {
  (void)state;
  _cleanup_json_ json_t *p =
      json_pack("{s:{s:s}, s:{s:i}}", "metadata", "name", "p", "spec", "containers", 3);
  _cleanup_json_ json_t *st = agent_hollow_pod_status(p, "10.0.0.1", "198.18.0.7", 1, 0);
  assert_non_null(st);
  assert_int_equal(json_array_size(tug_obj_get(st, "containerStatuses")), 0);
}

static void test_ipam_hands_out_each_address_once_next_fit(void **state) {
  (void)state;
  agent_hollow_ipam *m = malloc(sizeof *m);
  agent_hollow_ipam_init(m);
  assert_int_equal(agent_hollow_ipam_alloc(m), 1);
  assert_int_equal(agent_hollow_ipam_alloc(m), 2);
  agent_hollow_ipam_release(m, 1);
  assert_int_equal(agent_hollow_ipam_alloc(m), 3); /* not 1 again at once */
  assert_true(agent_hollow_ipam_claim(m, 500));
  assert_false(agent_hollow_ipam_claim(m, 500));
  assert_false(agent_hollow_ipam_claim(m, 0));
  assert_false(agent_hollow_ipam_claim(m, 65535));
  uint32_t n = 3; /* 2, 3 and 500 are taken */
  uint32_t off;
  while ((off = agent_hollow_ipam_alloc(m)) != 0) {
    assert_true(off >= 1 && off <= 65534);
    n++;
  }
  assert_int_equal(n, 65534);
  agent_hollow_ipam_release(m, 500);
  agent_hollow_ipam_release(m, 500); /* twice is harmless */
  assert_int_equal(agent_hollow_ipam_alloc(m), 500);
  assert_int_equal(agent_hollow_ipam_alloc(m), 0);
  free(m);
}

static void test_ip_offsets_format_and_parse_within_the_cluster_cidr(void **state) {
  (void)state;
  char buf[16];
  assert_string_equal(agent_hollow_ip_format(1, buf, sizeof buf), "198.18.0.1");
  assert_string_equal(agent_hollow_ip_format(258, buf, sizeof buf), "198.18.1.2");
  assert_int_equal(agent_hollow_ip_parse("198.18.1.2"), 258);
  assert_int_equal(agent_hollow_ip_parse("198.18.0.0"), 0);
  assert_int_equal(agent_hollow_ip_parse("198.18.255.255"), 0);
  assert_int_equal(agent_hollow_ip_parse("198.19.1.2"), 0);
  assert_int_equal(agent_hollow_ip_parse("10.0.0.1"), 0);
  assert_int_equal(agent_hollow_ip_parse("198.18.1"), 0);
  assert_int_equal(agent_hollow_ip_parse("nonsense"), 0);
  assert_int_equal(agent_hollow_ip_parse(NULL), 0);
}

static void test_time_parse_reads_what_format_writes(void **state) {
  (void)state;
  assert_int_equal(agent_time_parse("2023-11-14T22:13:20Z"), 1700000000);
  assert_int_equal(agent_time_parse("2023-11-14T22:13:20.123456Z"), 1700000000);
  assert_int_equal(agent_time_parse("2023-11-14T22:13:20"), -1);
  assert_int_equal(agent_time_parse("2023-13-14T22:13:20Z"), -1);
  assert_int_equal(agent_time_parse("2023-11-14 22:13:20Z"), -1);
  assert_int_equal(agent_time_parse("2023-11-14T22:13:20Zjunk"), -1);
  assert_int_equal(agent_time_parse(""), -1);
  assert_int_equal(agent_time_parse(NULL), -1);
}

/* A CA in a fresh dir and a kubeconfig naming a server and that CA. */
static void write_ca_and_kubeconfig(char *dir, char *kc, size_t size) {
  tug_error err = {0};
  assert_non_null(mkdtemp(dir));
  X509 *cert;
  EVP_PKEY *key;
  tug_cert_spec spec = {.cn = "test-ca", .ca = true, .valid_s = 86400};
  assert_int_equal(tug_pki_issue(&spec, NULL, NULL, &cert, &key, &err), 0);
  assert_int_equal(tug_pki_write(dir, "ca", cert, key, &err), 0);
  char *ca_pem, *key_pem;
  assert_int_equal(tug_pki_pem(cert, key, &ca_pem, &key_pem, &err), 0);
  snprintf(kc, size, "%s/kubeconfig", dir);
  tug_kubeconfig_spec k = {.name = "t", .server = "https://127.0.0.1:1", .ca_pem = ca_pem};
  assert_int_equal(tug_kubeconfig_write(kc, &k, &err), 0);
  free(ca_pem);
  free(key_pem);
  X509_free(cert);
  EVP_PKEY_free(key);
}

static void test_each_node_gets_its_own_client_made_once(void **state) {
  (void)state;
  char dir[] = "/tmp/tug-hollow-ca-XXXXXX", kc[64], path[96];
  write_ca_and_kubeconfig(dir, kc, sizeof kc);
  agent_hollow_options o = {.kubeconfig = kc, .prefix = "h", .count = 3, .node_ca_dir = dir};
  agent_hollow_identities *ids = NULL;
  tug_error err = {0};
  assert_int_equal(agent_hollow_identities_new(&o, &ids, &err), 0);
  o.identities = ids;
  tug_client *c0 = agent_hollow_client(&o, NULL, 0, &err);
  tug_client *c2 = agent_hollow_client(&o, NULL, 2, &err);
  assert_non_null(c0);
  assert_non_null(c2);
  assert_ptr_not_equal(c0, c2);
  assert_ptr_equal(agent_hollow_client(&o, NULL, 2, &err), c2);
  /* Without identities every node shares the agent's client. */
  agent_hollow_options shared = {.prefix = "h", .count = 3};
  assert_ptr_equal(agent_hollow_client(&shared, c0, 1, &err), c0);
  agent_hollow_identities_free(ids);
  /* A CA dir without the CA is refused, naming the flag. */
  snprintf(path, sizeof path, "%s/ca.key", dir);
  unlink(path);
  assert_int_equal(agent_hollow_identities_new(&o, &ids, &err), -1);
  assert_non_null(strstr(err.msg, "--hollow-node-ca"));
  const char *files[] = {"ca.crt", "kubeconfig"};
  for (size_t i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_node_names_parse_back_to_their_index_and_nothing_else_does),
      cmocka_unit_test(test_next_beat_is_the_first_slot_strictly_after_now),
      cmocka_unit_test(test_only_never_and_on_failure_pods_finish_annotation_first),
      cmocka_unit_test(test_running_status_has_ips_ready_containers_and_start_time),
      cmocka_unit_test(test_finished_status_is_succeeded_with_exit_code_zero),
      cmocka_unit_test(test_status_of_a_pod_without_containers_does_not_crash),
      cmocka_unit_test(test_ipam_hands_out_each_address_once_next_fit),
      cmocka_unit_test(test_ip_offsets_format_and_parse_within_the_cluster_cidr),
      cmocka_unit_test(test_time_parse_reads_what_format_writes),
      cmocka_unit_test(test_each_node_gets_its_own_client_made_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
