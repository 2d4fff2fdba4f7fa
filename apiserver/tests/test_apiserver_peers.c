/*
 * Tests of the lease endpoint reconciler's pure part (apiserver-peers.h):
 * which API servers' Leases are fresh on this server's clock, and the
 * Endpoints subsets they make.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "apiserver-peers.h"

static json_t *lease(const char *name, const char *rv, const char *endpoint, int duration) {
  return json_pack("{s:{s:s, s:s, s:{s:s}, s:{s:s}}, s:{s:i}}", "metadata", "name", name,
                   "resourceVersion", rv, "labels", API_PEER_LABEL, API_PEER_LABEL_VALUE,
                   "annotations", API_PEER_ENDPOINT, endpoint, "spec", "leaseDurationSeconds",
                   duration);
}

static void assert_json(json_t *got, const char *want) {
  json_error_t e;
  json_t *w = json_loads(want, 0, &e);
  assert_non_null(w);
  char *g = json_dumps(got, JSON_COMPACT);
  if (!json_equal(got, w))
    fail_msg("got %s\nwant %s", g, want);
  free(g);
  json_decref(w);
  json_decref(got);
}

static void servers_on_one_port_share_a_subset_sorted_by_address(void **state) {
  (void)state;
  json_t *seen = json_object();
  json_t *leases = json_pack("[o, o, o]", lease("apiserver-b", "7", "10.0.0.10:6443", 15),
                             lease("apiserver-a", "5", "10.0.0.9:6443", 15),
                             lease("apiserver-c", "6", "10.0.0.9:6443", 15));
  assert_json(api_peer_subsets(leases, seen, 1000),
              "[{\"addresses\": [{\"ip\": \"10.0.0.9\"}, {\"ip\": \"10.0.0.10\"}],"
              " \"ports\": [{\"name\": \"https\", \"port\": 6443, \"protocol\": \"TCP\"}]}]");
  json_decref(leases);
  json_decref(seen);
}

static void servers_on_different_ports_get_a_subset_each_sorted_by_port(void **state) {
  (void)state;
  json_t *seen = json_object();
  json_t *leases = json_pack("[o, o]", lease("apiserver-a", "5", "127.0.0.1:40000", 15),
                             lease("apiserver-b", "6", "198.19.0.1:8443", 15));
  assert_json(api_peer_subsets(leases, seen, 0),
              "[{\"addresses\": [{\"ip\": \"198.19.0.1\"}],"
              " \"ports\": [{\"name\": \"https\", \"port\": 8443, \"protocol\": \"TCP\"}]},"
              " {\"addresses\": [{\"ip\": \"127.0.0.1\"}],"
              " \"ports\": [{\"name\": \"https\", \"port\": 40000, \"protocol\": \"TCP\"}]}]");
  json_decref(leases);
  json_decref(seen);
}

/* A Lease that stops changing leaves a duration after this server saw it
 * change, whatever its renewTime says; one renewed stays. */
static void an_unrenewed_lease_drops_out_after_its_duration_on_our_clock(void **state) {
  (void)state;
  json_t *seen = json_object();
  json_t *before = json_pack("[o, o]", lease("apiserver-a", "5", "10.0.0.1:6443", 2),
                             lease("apiserver-b", "6", "10.0.0.2:6443", 2));
  json_decref(api_peer_subsets(before, seen, 10000));
  json_t *renewed = json_pack("[o, o]", lease("apiserver-a", "9", "10.0.0.1:6443", 2),
                              lease("apiserver-b", "6", "10.0.0.2:6443", 2));
  const char *both = "[{\"addresses\": [{\"ip\": \"10.0.0.1\"}, {\"ip\": \"10.0.0.2\"}],"
                     " \"ports\": [{\"name\": \"https\", \"port\": 6443, \"protocol\": \"TCP\"}]}]";
  assert_json(api_peer_subsets(renewed, seen, 11999), both);
  assert_json(api_peer_subsets(renewed, seen, 12000),
              "[{\"addresses\": [{\"ip\": \"10.0.0.1\"}],"
              " \"ports\": [{\"name\": \"https\", \"port\": 6443, \"protocol\": \"TCP\"}]}]");
  assert_json(api_peer_subsets(renewed, seen, 11999 + 2000), "[]"); /* a: seen at 11999 */
  json_decref(before);
  json_decref(renewed);
  json_decref(seen);
}

static void deleted_and_foreign_leases_are_forgotten_or_ignored(void **state) {
  (void)state;
  json_t *seen = json_object();
  json_t *leases = json_pack(
      "[o, o, o, {s:{s:s, s:s}, s:{s:i}}]", lease("apiserver-a", "5", "10.0.0.1:6443", 15),
      lease("apiserver-bad", "6", "not-an-ip:6443", 15),
      lease("apiserver-port", "7", "10.0.0.3:0", 15), "metadata", "name", "tug-scheduler",
      "resourceVersion", "8", "spec", "leaseDurationSeconds", 15);
  json_decref(api_peer_subsets(leases, seen, 0));
  assert_int_equal(json_object_size(seen), 1);
  json_t *none = json_array();
  assert_json(api_peer_subsets(none, seen, 1), "[]");
  assert_int_equal(json_object_size(seen), 0);
  json_decref(none);
  json_decref(leases);
  json_decref(seen);
}

static void a_lease_name_is_stable_for_an_address(void **state) {
  (void)state;
  char a[64], b[64], c[64];
  api_peer_lease_name("10.0.0.1", 6443, a, sizeof a);
  api_peer_lease_name("10.0.0.1", 6443, b, sizeof b);
  api_peer_lease_name("10.0.0.1", 6444, c, sizeof c);
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  assert_int_equal(strlen(a), strlen("apiserver-") + 16);
  assert_memory_equal(a, "apiserver-", 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(servers_on_one_port_share_a_subset_sorted_by_address),
      cmocka_unit_test(servers_on_different_ports_get_a_subset_each_sorted_by_port),
      cmocka_unit_test(an_unrenewed_lease_drops_out_after_its_duration_on_our_clock),
      cmocka_unit_test(deleted_and_foreign_leases_are_forgotten_or_ignored),
      cmocka_unit_test(a_lease_name_is_stable_for_an_address),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
