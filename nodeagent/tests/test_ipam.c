/*
 * The node's pod addresses as files: one per held address, handed out after
 * the last one and wrapping, the same one again for the same pod, and all of
 * it still there after the agent restarts (a reopen).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "network/ipam.h"
#include "../../lib/tests/test_support.h"

typedef struct fixture {
  char root[PATH_MAX]; /* a temp dir */
  char dir[PATH_MAX];  /* root/ipam, made by agent_ipam_open */
  agent_ipam *m;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL)
    return -1;
  snprintf(f->root, sizeof f->root, "/tmp/tug-ipam-test.XXXXXX");
  if (mkdtemp(f->root) == NULL)
    return -1;
  snprintf(f->dir, sizeof f->dir, "%.4000s/ipam", f->root);
  tug_error err = {0};
  if (agent_ipam_open(f->dir, &f->m, &err) < 0 ||
      agent_ipam_set_range(f->m, "198.18.4.0/29", &err) < 0) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  agent_ipam_close(f->m);
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
  int rc = system(cmd);
  free(f);
  return rc;
}

static void reopen(fixture *f) {
  agent_ipam_close(f->m);
  f->m = NULL;
  OK(agent_ipam_open(f->dir, &f->m, err));
}

/* The uid stored in the record file of ip, "" when there is none. */
static const char *record(const fixture *f, const char *ip, char buf[256]) {
  char path[PATH_MAX + 20];
  snprintf(path, sizeof path, "%s/%s", f->dir, ip);
  buf[0] = '\0';
  _cleanup_fclose_ FILE *file = fopen(path, "r");
  if (file && fgets(buf, 256, file))
    buf[strcspn(buf, "\n")] = '\0';
  return buf;
}

static void test_first_address_skips_network_and_gateway(void **state) {
  fixture *f = *state;
  char ip[16], buf[256];
  OK(agent_ipam_alloc(f->m, "pod-a", ip, err));
  assert_string_equal(ip, "198.18.4.2");
  assert_string_equal(record(f, "198.18.4.2", buf), "pod-a");
  assert_string_equal(agent_ipam_range(f->m), "198.18.4.0/29");
}

static void test_same_uid_gets_the_same_address(void **state) {
  fixture *f = *state;
  char a[16], again[16], b[16];
  OK(agent_ipam_alloc(f->m, "pod-a", a, err));
  OK(agent_ipam_alloc(f->m, "pod-b", b, err));
  OK(agent_ipam_alloc(f->m, "pod-a", again, err));
  assert_string_equal(a, again);
  assert_string_not_equal(a, b);
  char found[16];
  assert_int_equal(agent_ipam_lookup(f->m, "pod-b", found), 1);
  assert_string_equal(found, b);
  assert_int_equal(agent_ipam_lookup(f->m, "pod-z", found), 0);
}

static void test_release_frees_and_missing_is_fine(void **state) {
  fixture *f = *state;
  char ip[16], buf[256];
  OK(agent_ipam_alloc(f->m, "pod-a", ip, err));
  OK(agent_ipam_release(f->m, "pod-a", err));
  assert_int_equal(agent_ipam_lookup(f->m, "pod-a", ip), 0);
  assert_string_equal(record(f, "198.18.4.2", buf), "");
  OK(agent_ipam_release(f->m, "pod-a", err));
  OK(agent_ipam_release(f->m, "never-held", err));
}

static void test_freed_address_is_not_reused_at_once(void **state) {
  fixture *f = *state;
  char a[16], b[16], c[16];
  OK(agent_ipam_alloc(f->m, "pod-a", a, err));
  OK(agent_ipam_release(f->m, "pod-a", err));
  OK(agent_ipam_alloc(f->m, "pod-b", b, err));
  assert_string_equal(a, "198.18.4.2");
  assert_string_equal(b, "198.18.4.3");
  /* .2 .. .6 are the /29's pod addresses (.7 is broadcast): after .6 it wraps. */
  OK(agent_ipam_alloc(f->m, "pod-c", c, err));
  OK(agent_ipam_alloc(f->m, "pod-d", c, err));
  OK(agent_ipam_alloc(f->m, "pod-e", c, err));
  assert_string_equal(c, "198.18.4.6");
  OK(agent_ipam_alloc(f->m, "pod-f", c, err));
  assert_string_equal(c, "198.18.4.2");
}

static void test_full_range_fails_with_enospc(void **state) {
  fixture *f = *state;
  char ip[16], uid[16];
  for (int i = 0; i < 5; i++) {
    snprintf(uid, sizeof uid, "pod-%d", i);
    OK(agent_ipam_alloc(f->m, uid, ip, err));
    assert_string_not_equal(ip, "198.18.4.7");
  }
  tug_error err = {0};
  assert_int_equal(agent_ipam_alloc(f->m, "one-too-many", ip, &err), -1);
  assert_int_equal(err.code, ENOSPC);
  assert_non_null(strstr(err.msg, "198.18.4.0/29"));
  /* A held pod still gets its address, and freeing one makes room. */
  OK(agent_ipam_alloc(f->m, "pod-3", ip, err));
  OK(agent_ipam_release(f->m, "pod-3", err));
  OK(agent_ipam_alloc(f->m, "one-too-many", ip, err));
}

static void test_records_range_and_rotation_survive_reopen(void **state) {
  fixture *f = *state;
  char a[16], b[16], again[16];
  OK(agent_ipam_alloc(f->m, "pod-a", a, err));
  OK(agent_ipam_alloc(f->m, "pod-b", b, err));
  OK(agent_ipam_release(f->m, "pod-b", err));
  reopen(f);
  assert_string_equal(agent_ipam_range(f->m), "198.18.4.0/29");
  assert_int_equal(agent_ipam_lookup(f->m, "pod-a", again), 1);
  assert_string_equal(again, a);
  OK(agent_ipam_alloc(f->m, "pod-c", again, err));
  assert_string_equal(again, "198.18.4.4"); /* after .3, which pod-b held last */
}

static void test_another_range_conflicts_until_cleared(void **state) {
  fixture *f = *state;
  char ip[16];
  OK(agent_ipam_alloc(f->m, "pod-a", ip, err));
  OK(agent_ipam_set_range(f->m, "198.18.4.0/29", err));
  OK(agent_ipam_set_range(f->m, "198.18.4.1/29", err)); /* the same network */
  reopen(f);
  tug_error err = {0};
  assert_int_equal(agent_ipam_set_range(f->m, "198.18.9.0/24", &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  assert_non_null(strstr(err.msg, "198.18.4.0/29"));
  OK(agent_ipam_clear(f->m, err));
  assert_string_equal(agent_ipam_range(f->m), "");
  assert_int_equal(agent_ipam_lookup(f->m, "pod-a", ip), 0);
  assert_int_equal(agent_ipam_alloc(f->m, "pod-a", ip, &err), -1);
  assert_int_equal(err.code, EAGAIN);
  OK(agent_ipam_set_range(f->m, "198.18.9.0/24", err));
  OK(agent_ipam_alloc(f->m, "pod-a", ip, err));
  assert_string_equal(ip, "198.18.9.2");
}

static void test_bad_ranges_and_uids_are_refused(void **state) {
  fixture *f = *state;
  char ip[16];
  tug_error err = {0};
  const char *bad[] = {"198.18.4.0/31", "198.18.4.0", "198.18.4.0/",
                       "nonsense/24",   "::1/64",     "10.0.0.0/7"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(agent_ipam_set_range(f->m, bad[i], &err), -1);
  assert_int_equal(agent_ipam_alloc(f->m, "a/b", ip, &err), -1);
  assert_int_equal(agent_ipam_alloc(f->m, "", ip, &err), -1);
}

static void test_list_and_release_record(void **state) {
  fixture *f = *state;
  char a[16], b[16];
  OK(agent_ipam_alloc(f->m, "pod-a", a, err));
  OK(agent_ipam_alloc(f->m, "pod-b", b, err));
  agent_ipam_record *records = NULL;
  size_t count = 0;
  OK(agent_ipam_list(f->m, &records, &count, err));
  assert_int_equal(count, 2);
  for (size_t i = 0; i < count; i++)
    assert_string_equal(records[i].ip, strcmp(records[i].uid, "pod-a") == 0 ? a : b);
  /* A record taken over by another pod meanwhile is not released. */
  OK(agent_ipam_release(f->m, "pod-a", err));
  OK(agent_ipam_alloc(f->m, "pod-c", a, err));
  agent_ipam_record stale = {0};
  snprintf(stale.ip, sizeof stale.ip, "%s", a);
  snprintf(stale.uid, sizeof stale.uid, "pod-a");
  OK(agent_ipam_release_record(f->m, &stale, err));
  assert_int_equal(agent_ipam_lookup(f->m, "pod-c", b), 1);
  free(records);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_first_address_skips_network_and_gateway, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_same_uid_gets_the_same_address, setup, teardown),
      cmocka_unit_test_setup_teardown(test_release_frees_and_missing_is_fine, setup, teardown),
      cmocka_unit_test_setup_teardown(test_freed_address_is_not_reused_at_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_full_range_fails_with_enospc, setup, teardown),
      cmocka_unit_test_setup_teardown(test_records_range_and_rotation_survive_reopen, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_another_range_conflicts_until_cleared, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_ranges_and_uids_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_list_and_release_record, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
