/*
 * Tests of Service IP and node port allocation (svcalloc.h): ranges and the
 * update rules offline, then claims written through the real storage path to
 * a real etcd, with two allocators standing in for two API servers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/etcd_harness.h"
#include "modify.h"
#include "object.h"
#include "storage.h"
#include "svcalloc-internal.h"
#include "../../lib/tests/test_support.h"

static tug_test_etcd etcd;
static tug_etcd *client;
static api_server server;
static const api_kind *services;
/* Allocators of the running test, freed by free_allocators even when it fails. */
static api_svcalloc *a, *b;

static int free_allocators(void **state) {
  (void)state;
  api_svcalloc_free(b);
  api_svcalloc_free(a);
  a = b = NULL;
  return 0;
}

static json_t *port0(const json_t *svc) {
  return json_array_get(tug_obj_get(svc, "spec.ports"), 0);
}

static int64_t node_port(const json_t *svc) {
  return tug_obj_get_int(port0(svc), "nodePort", 0);
}

static void set_node_port(json_t *svc, int64_t np) {
  json_object_set_new(port0(svc), "nodePort", json_integer(np));
}

static json_t *service(const char *name, const char *type, const char *cluster_ip) {
  json_t *s = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:[{s:i, s:s}]}}", "apiVersion",
                        "v1", "kind", "Service", "metadata", "name", name, "namespace", "default",
                        "uid", name, "spec", "type", type, "ports", "port", 80, "protocol", "TCP");
  if (cluster_ip)
    tug_obj_set_str(s, "spec.clusterIP", cluster_ip, NULL);
  return s;
}

/* What store_new does: claim, write, on a lost compare claim again. Returns
 * the HTTP-ish outcome: 201, or the code of out. */
static int create(api_svcalloc *alloc, json_t *svc) {
  for (int attempt = 0; attempt < 10; attempt++) {
    api_txn txn = {0};
    api_svc_claim c = {0};
    api_response out = {0};
    tug_error err = {0};
    if (api_svcalloc_claim(alloc, services, svc, NULL, &txn, &c, &out) < 0) {
      api_svcalloc_done(alloc, &c, false);
      api_txn_clear(&txn);
      json_decref(out.body);
      return out.code;
    }
    int rc = api_storage_create(&server, services, svc, &txn, &err);
    api_txn_clear(&txn);
    if (rc < 0 && err.code == EAGAIN && api_svcalloc_lost(alloc, &c, svc, &out) < 0) {
      api_svcalloc_done(alloc, &c, false);
      json_decref(out.body);
      return out.code;
    }
    api_svcalloc_done(alloc, &c, rc == 0);
    json_decref(out.body);
    if (rc == 0)
      return 201;
    if (err.code != EAGAIN)
      fail_msg("create: %s", err.msg);
  }
  return 409;
}

static bool key_exists(const char *key) {
  tug_etcd_range r;
  OK(tug_etcd_get(client, key, &r, err));
  bool found = r.n > 0;
  tug_etcd_range_free(&r);
  return found;
}

static int setup(void **state) {
  (void)state;
  if (tug_test_etcd_start(&etcd) < 0)
    return -1;
  tug_error err = {0};
  if (tug_etcd_open(&client, etcd.endpoint, NULL, &err) < 0)
    return -1;
  server.etcd = client;
  api_revision_init(&server.revision, true);
  services = api_kind_by_resource("", "v1", "services");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tug_etcd_close(client);
  api_revision_destroy(&server.revision);
  tug_test_etcd_destroy(&etcd);
  return 0;
}

/* Each test uses its own range and clears the keys it made. */
static void clear_allocations(void) {
  OK(tug_etcd_delete_prefix(client, API_SVCALLOC_PREFIX, NULL, err));
  OK(tug_etcd_delete_prefix(client, "/registry/services/", NULL, err));
}

/* ---- offline ---- */

static void ranges_are_parsed_and_masked_to_their_network(void **state) {
  (void)state;
  tug_error err = {0};
  a = api_svcalloc_new("198.19.5.5/17", "30000-32767", &err);
  assert_non_null(a);
  assert_string_equal(api_svcalloc_cidr(a), "198.19.0.0/17");
  api_svcalloc_free(a);
  a = NULL;
  static const char *const bad_cidrs[] = {
      "198.19.0.0", "198.19.0.0/", "198.19.0.0/40", "198.19.0.0/8", "fd00::/64", "x/17", NULL};
  for (int i = 0; bad_cidrs[i]; i++) {
    assert_null(api_svcalloc_new(bad_cidrs[i], "30000-32767", &err));
    assert_non_null(strstr(err.msg, "service cluster IP range"));
  }
  static const char *const bad_ports[] = {"30000", "32000-31000", "0-10", "1-70000", "1-2x", NULL};
  for (int i = 0; bad_ports[i]; i++)
    assert_null(api_svcalloc_new("198.19.0.0/17", bad_ports[i], &err));
}

static void an_update_keeps_allocated_values_the_body_leaves_out(void **state) {
  (void)state;
  json_t *old = service("web", "NodePort", "198.19.0.7");
  tug_obj_set(old, "spec.clusterIPs", json_pack("[s]", "198.19.0.7"), NULL);
  tug_obj_set(old, "spec.ports",
              json_pack("[{s:s, s:i, s:i}]", "name", "", "port", 80, "nodePort", 30007), NULL);
  json_t *body = service("web", "NodePort", NULL);
  api_svcalloc_prepare_update(services, body, old);
  assert_string_equal(tug_obj_get_str(body, "spec.clusterIP"), "198.19.0.7");
  assert_int_equal(node_port(body), 30007);
  json_decref(body);
  /* Leaving NodePort with the old node ports carried over drops them. */
  body = json_deep_copy(old);
  tug_obj_set_str(body, "spec.type", "ClusterIP", NULL);
  api_svcalloc_prepare_update(services, body, old);
  assert_null(json_object_get(port0(body), "nodePort"));
  json_decref(body);
  json_decref(old);
}

/* ---- against etcd ---- */

static void a_small_range_hands_out_each_usable_address_once_then_is_full(void **state) {
  (void)state;
  clear_allocations();
  tug_error err = {0};
  a = api_svcalloc_new("198.19.8.0/29", "30000-30009", &err);
  OK(api_svcalloc_start(a, client, err));
  json_t *seen = json_object();
  for (int i = 0; i < 5; i++) {
    char name[16];
    snprintf(name, sizeof name, "s%d", i);
    json_t *svc = service(name, "ClusterIP", NULL);
    assert_int_equal(create(a, svc), 201);
    const char *ip = tug_obj_get_str(svc, "spec.clusterIP");
    /* .0 is the network, .1 the kubernetes Service's, .7 the broadcast. */
    assert_true(strcmp(ip, "198.19.8.0") && strcmp(ip, "198.19.8.1") && strcmp(ip, "198.19.8.7"));
    assert_null(json_object_get(seen, ip));
    json_object_set_new(seen, ip, json_true());
    assert_string_equal(tug_obj_get_str(svc, "spec.ipFamilyPolicy"), "SingleStack");
    json_decref(svc);
  }
  json_t *svc = service("full", "ClusterIP", NULL);
  assert_int_equal(create(a, svc), 500);
  json_decref(svc);
  json_decref(seen);
}

static void two_servers_never_hand_out_the_same_address(void **state) {
  (void)state;
  clear_allocations();
  tug_error err = {0};
  a = api_svcalloc_new("198.19.8.0/29", "30000-30009", &err);
  OK(api_svcalloc_start(a, client, err));
  /* b never hears of a's allocations: only etcd's compares keep them apart. */
  b = api_svcalloc_new("198.19.8.0/29", "30000-30009", &err);
  b->etcd = client;
  for (int i = 0; i < 4; i++) {
    char name[16];
    snprintf(name, sizeof name, "a%d", i);
    json_t *svc = service(name, "ClusterIP", NULL);
    assert_int_equal(create(a, svc), 201);
    json_decref(svc);
  }
  json_t *last = service("b0", "ClusterIP", NULL);
  assert_int_equal(create(b, last), 201);
  char key[SVC_KEY_MAX];
  snprintf(key, sizeof key, API_SVCALLOC_PREFIX "clusterips/%s",
           tug_obj_get_str(last, "spec.clusterIP"));
  tug_etcd_range r;
  OK(tug_etcd_get(client, key, &r, err));
  assert_int_equal(r.n, 1);
  assert_non_null(strstr(r.kvs[0].value, "\"name\":\"b0\""));
  tug_etcd_range_free(&r);
  json_t *more = service("b1", "ClusterIP", NULL);
  assert_int_equal(create(b, more), 500);
  json_decref(more);
  /* A named address another server holds is a 422, not a retry. */
  json_t *twin = service("b2", "ClusterIP", tug_obj_get_str(last, "spec.clusterIP"));
  assert_int_equal(create(b, twin), 422);
  json_decref(twin);
  json_decref(last);
}

static void node_ports_are_claimed_and_given_back_with_the_service(void **state) {
  (void)state;
  clear_allocations();
  tug_error err = {0};
  a = api_svcalloc_new("198.19.0.0/17", "30000-32767", &err);
  OK(api_svcalloc_start(a, client, err));
  json_t *svc = service("np", "NodePort", "198.19.0.50");
  set_node_port(svc, 30050);
  assert_int_equal(create(a, svc), 201);
  assert_true(key_exists(API_SVCALLOC_PREFIX "nodeports/30050"));
  assert_true(key_exists(API_SVCALLOC_PREFIX "clusterips/198.19.0.50"));
  json_t *dup = service("np2", "NodePort", NULL);
  set_node_port(dup, 30050);
  assert_int_equal(create(a, dup), 422);
  assert_null(tug_obj_get(dup, "spec.clusterIP")); /* put back as it came */
  json_decref(dup);
  api_txn txn = {0};
  OK(api_svcalloc_release(a, services, svc, &txn, err));
  OK(api_storage_delete(&server, services, "default", "np",
                        strtoll(tug_obj_resource_version(svc), NULL, 10), &txn, NULL, err));
  api_txn_clear(&txn);
  assert_false(key_exists(API_SVCALLOC_PREFIX "nodeports/30050"));
  assert_false(key_exists(API_SVCALLOC_PREFIX "clusterips/198.19.0.50"));
  json_decref(svc);
}

static void a_dry_run_picks_but_writes_and_holds_nothing(void **state) {
  (void)state;
  clear_allocations();
  tug_error err = {0};
  a = api_svcalloc_new("198.19.8.0/29", "30000-30000", &err);
  OK(api_svcalloc_start(a, client, err));
  for (int i = 0; i < 3; i++) { /* one node port: a held one would make the next full */
    json_t *svc = service("dry", "NodePort", NULL);
    api_response out = {0};
    assert_int_equal(api_svcalloc_preview(a, services, svc, NULL, &out), 0);
    assert_int_equal(node_port(svc), 30000);
    assert_non_null(tug_obj_get_str(svc, "spec.clusterIP"));
    json_decref(svc);
  }
  int64_t count;
  OK(tug_etcd_count(client, API_SVCALLOC_PREFIX, &count, err));
  assert_int_equal(count, 0);
}

static void repair_releases_orphans_and_restores_missing_keys(void **state) {
  (void)state;
  clear_allocations();
  tug_error err = {0};
  a = api_svcalloc_new("198.19.0.0/17", "30000-32767", &err);
  const char *orphan = "{\"namespace\":\"default\",\"name\":\"ghost\"}";
  OK(tug_etcd_put(client, API_SVCALLOC_PREFIX "clusterips/198.19.0.9", orphan, strlen(orphan), 0,
                  NULL, err));
  /* A Service written without its key (as before allocation existed). */
  json_t *svc = service("old", "NodePort", "198.19.0.10");
  set_node_port(svc, 30010);
  char *value = api_storage_encode(svc);
  OK(tug_etcd_put(client, "/registry/services/default/old", value, strlen(value), 0, NULL, err));
  free(value);
  int released, restored;
  OK(api_svcalloc_repair(a, client, &released, &restored, err));
  assert_int_equal(released, 1);
  assert_int_equal(restored, 2);
  assert_false(key_exists(API_SVCALLOC_PREFIX "clusterips/198.19.0.9"));
  assert_true(key_exists(API_SVCALLOC_PREFIX "clusterips/198.19.0.10"));
  assert_true(key_exists(API_SVCALLOC_PREFIX "nodeports/30010"));
  OK(api_svcalloc_repair(a, client, &released, &restored, err));
  assert_int_equal(released + restored, 0);
  json_decref(svc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(ranges_are_parsed_and_masked_to_their_network, free_allocators),
      cmocka_unit_test_teardown(an_update_keeps_allocated_values_the_body_leaves_out,
                                free_allocators),
      cmocka_unit_test_teardown(a_small_range_hands_out_each_usable_address_once_then_is_full,
                                free_allocators),
      cmocka_unit_test_teardown(two_servers_never_hand_out_the_same_address, free_allocators),
      cmocka_unit_test_teardown(node_ports_are_claimed_and_given_back_with_the_service,
                                free_allocators),
      cmocka_unit_test_teardown(a_dry_run_picks_but_writes_and_holds_nothing, free_allocators),
      cmocka_unit_test_teardown(repair_releases_orphans_and_restores_missing_keys, free_allocators),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
