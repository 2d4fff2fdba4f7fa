/*
 * The host id ranges of pods with a user namespace, as files: one per held
 * range, 65536 ids each and disjoint, handed out after the last one and
 * wrapping, the same one again for the same pod, freed on release, and all of
 * it read again from the directory alone (what an agent restart relies on).
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

#include "../../lib/tests/test_support.h"
#include "cleanup.h"
#include "runtime-idrange.h"

enum { FIRST = 0x70000000, POOL = 3 };

typedef struct fixture {
  char root[PATH_MAX]; /* a temp dir */
  char dir[PATH_MAX];  /* root/userns, made by the first allocation */
  agent_idrange_pool pool;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL)
    return -1;
  snprintf(f->root, sizeof f->root, "/tmp/tug-idrange-test.XXXXXX");
  if (mkdtemp(f->root) == NULL)
    return -1;
  snprintf(f->dir, sizeof f->dir, "%.4000s/userns", f->root);
  f->pool = (agent_idrange_pool){.dir = f->dir, .first = FIRST, .count = POOL};
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
  int rc = system(cmd);
  free(f);
  return rc;
}

/* The uid in the record file of base, "" when there is none. */
static const char *record(const fixture *f, uint32_t base, char buf[256]) {
  char path[PATH_MAX + 20];
  snprintf(path, sizeof path, "%s/%u", f->dir, (unsigned)base);
  buf[0] = '\0';
  _cleanup_fclose_ FILE *file = fopen(path, "r");
  if (file && fgets(buf, 256, file))
    buf[strcspn(buf, "\n")] = '\0';
  return buf;
}

static void test_pods_get_disjoint_ranges_of_65536(void **state) {
  fixture *f = *state;
  uint32_t a, b;
  char buf[256];
  OK(agent_idrange_alloc(&f->pool, "pod-a", &a, err));
  OK(agent_idrange_alloc(&f->pool, "pod-b", &b, err));
  assert_int_equal(a, FIRST);
  assert_int_equal(b, FIRST + AGENT_IDRANGE_SIZE);
  assert_string_equal(record(f, a, buf), "pod-a");
  assert_string_equal(record(f, b, buf), "pod-b");
}

static void test_same_pod_gets_the_same_range(void **state) {
  fixture *f = *state;
  uint32_t a, again, found;
  OK(agent_idrange_alloc(&f->pool, "pod-a", &a, err));
  OK(agent_idrange_alloc(&f->pool, "pod-a", &again, err));
  assert_int_equal(again, a);
  assert_int_equal(agent_idrange_lookup(&f->pool, "pod-a", &found), 1);
  assert_int_equal(found, a);
  assert_int_equal(agent_idrange_lookup(&f->pool, "pod-b", &found), 0);
}

static void test_release_frees_and_missing_is_fine(void **state) {
  fixture *f = *state;
  uint32_t a, found;
  char buf[256];
  OK(agent_idrange_release(&f->pool, "pod-a", err)); /* no directory yet */
  OK(agent_idrange_alloc(&f->pool, "pod-a", &a, err));
  OK(agent_idrange_release(&f->pool, "pod-a", err));
  assert_string_equal(record(f, a, buf), "");
  assert_int_equal(agent_idrange_lookup(&f->pool, "pod-a", &found), 0);
  OK(agent_idrange_release(&f->pool, "pod-a", err));
}

static void test_freed_range_is_not_reused_at_once(void **state) {
  fixture *f = *state;
  uint32_t a, b, c;
  OK(agent_idrange_alloc(&f->pool, "pod-a", &a, err));
  OK(agent_idrange_release(&f->pool, "pod-a", err));
  OK(agent_idrange_alloc(&f->pool, "pod-b", &b, err));
  assert_int_not_equal(b, a);
  OK(agent_idrange_release(&f->pool, "pod-b", err));
  OK(agent_idrange_alloc(&f->pool, "pod-c", &c, err));
  assert_int_equal(c, FIRST + 2 * AGENT_IDRANGE_SIZE);
}

static void test_full_pool_fails_with_enospc_and_wraps_after_a_release(void **state) {
  fixture *f = *state;
  uint32_t base;
  const char *pods[POOL] = {"pod-a", "pod-b", "pod-c"};
  for (int i = 0; i < POOL; i++)
    OK(agent_idrange_alloc(&f->pool, pods[i], &base, err));
  tug_error err = {0};
  assert_int_equal(agent_idrange_alloc(&f->pool, "pod-d", &base, &err), -1);
  assert_int_equal(err.code, ENOSPC);
  OK(agent_idrange_release(&f->pool, "pod-a", err));
  OK(agent_idrange_alloc(&f->pool, "pod-d", &base, err));
  assert_int_equal(base, FIRST);
}

static void test_records_are_read_again_from_the_directory(void **state) {
  fixture *f = *state;
  uint32_t a, b, found;
  OK(agent_idrange_alloc(&f->pool, "pod-a", &a, err));
  agent_idrange_pool again = {.dir = f->dir, .first = FIRST, .count = POOL};
  assert_int_equal(agent_idrange_lookup(&again, "pod-a", &found), 1);
  assert_int_equal(found, a);
  OK(agent_idrange_alloc(&again, "pod-b", &b, err));
  assert_int_equal(b, a + AGENT_IDRANGE_SIZE);
}

static void test_bad_uids_and_foreign_files_are_ignored(void **state) {
  fixture *f = *state;
  uint32_t base;
  tug_error err = {0};
  assert_int_equal(agent_idrange_alloc(&f->pool, "a/b", &base, &err), -1);
  assert_int_equal(err.code, EINVAL);
  assert_int_equal(agent_idrange_alloc(&f->pool, "", &base, &err), -1);
  OK(agent_idrange_alloc(&f->pool, "pod-a", &base, err));
  /* Names that are no base of the pool are not records, whatever they hold. */
  char cmd[PATH_MAX + 128];
  snprintf(cmd, sizeof cmd, "cd '%s' && echo pod-x >12 && echo pod-x >0%u && echo pod-x >%u",
           f->dir, (unsigned)(FIRST + AGENT_IDRANGE_SIZE), (unsigned)(FIRST + 1));
  assert_int_equal(system(cmd), 0);
  assert_int_equal(agent_idrange_lookup(&f->pool, "pod-x", &base), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_pods_get_disjoint_ranges_of_65536, setup, teardown),
      cmocka_unit_test_setup_teardown(test_same_pod_gets_the_same_range, setup, teardown),
      cmocka_unit_test_setup_teardown(test_release_frees_and_missing_is_fine, setup, teardown),
      cmocka_unit_test_setup_teardown(test_freed_range_is_not_reused_at_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_full_pool_fails_with_enospc_and_wraps_after_a_release,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_records_are_read_again_from_the_directory, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_bad_uids_and_foreign_files_are_ignored, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
