/*
 * Tests of the controller runtime's moving parts: shared informers narrowed
 * by selectors (against a real tug-apiserver, with Leases labelled per test),
 * the synced hook, the periodic tick, per-worker start-up, and the back-off
 * of a failing key. Each test's controller and informer live in a fixture
 * that teardown stops even when the test fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiserver_harness.h"
#include "cleanup.h"
#include "clock.h"
#include "controller.h"
#include "object.h"
#include "test_support.h"

#define LEASES "/apis/coordination.k8s.io/v1/namespaces/default/leases"
#define ALL_LEASES "/apis/coordination.k8s.io/v1/leases"
#define WAIT_MS 15000
#define MAX_SEEN 64

static tug_test_apiserver api;
static tug_client *cli;

static int group_setup(void **state) {
  (void)state;
  return tug_test_apiserver_start_with_client(&api, &cli);
}

static int group_teardown(void **state) {
  (void)state;
  tug_test_apiserver_destroy_with_client(&api, cli);
  return 0;
}

/* What the controller's hooks and reconciles saw. */
typedef struct fixture {
  pthread_mutex_t mu;
  pthread_cond_t cond;
  tug_shared_informer *si;
  tug_controller *c;
  char keys[MAX_SEEN][64];
  double at[MAX_SEEN]; /* monotonic time of each reconcile */
  int reconciles, ticks, inits;
  int fail_until; /* reconciles before this count fail */
  int synced_calls, cached_when_synced, reconciles_when_synced;
  pthread_t inited[8];
  int uninited_reconciles; /* ran on a thread worker_init had not seen */
} fixture;

static int fixture_setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL)
    return -1;
  pthread_mutex_init(&f->mu, NULL);
  tug_cond_init_monotonic(&f->cond);
  *state = f;
  return 0;
}

static int fixture_teardown(void **state) {
  fixture *f = *state;
  tug_controller_free(f->c);
  tug_shared_informer_free(f->si);
  pthread_mutex_destroy(&f->mu);
  pthread_cond_destroy(&f->cond);
  free(f);
  return 0;
}

static bool inited_here(fixture *f) {
  for (int i = 0; i < f->inits && i < 8; i++)
    if (pthread_equal(f->inited[i], pthread_self()))
      return true;
  return false;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  fixture *f = arg;
  pthread_mutex_lock(&f->mu);
  int n = f->reconciles++;
  if (n < MAX_SEEN) {
    snprintf(f->keys[n], sizeof f->keys[n], "%s", key);
    f->at[n] = tug_monotonic_seconds();
  }
  if (!inited_here(f))
    f->uninited_reconciles++;
  pthread_cond_broadcast(&f->cond);
  pthread_mutex_unlock(&f->mu);
  return n < f->fail_until ? tug_error_set(err, EIO, "failing on purpose (%d)", n) : 0;
}

static void on_tick(tug_controller *c, void *arg) {
  (void)c;
  fixture *f = arg;
  pthread_mutex_lock(&f->mu);
  f->ticks++;
  pthread_cond_broadcast(&f->cond);
  pthread_mutex_unlock(&f->mu);
}

static void on_synced(tug_controller *c, void *arg) {
  (void)c;
  fixture *f = arg;
  _cleanup_json_ json_t *all = tug_informer_list(tug_shared_informer_informer(f->si));
  pthread_mutex_lock(&f->mu);
  f->synced_calls++;
  f->cached_when_synced = (int)json_array_size(all);
  f->reconciles_when_synced = f->reconciles;
  pthread_mutex_unlock(&f->mu);
}

static void worker_init(tug_controller *c, void *arg) {
  (void)c;
  fixture *f = arg;
  pthread_mutex_lock(&f->mu);
  if (f->inits < 8)
    f->inited[f->inits] = pthread_self();
  f->inits++;
  pthread_mutex_unlock(&f->mu);
}

/* Wait until *counter (under f->mu) reaches n; false after WAIT_MS. */
static bool wait_count(fixture *f, const int *counter, int n) {
  struct timespec until = tug_deadline_ms(WAIT_MS);
  pthread_mutex_lock(&f->mu);
  while (*counter < n && pthread_cond_timedwait(&f->cond, &f->mu, &until) == 0)
    ;
  bool ok = *counter >= n;
  pthread_mutex_unlock(&f->mu);
  return ok;
}

static bool seen(fixture *f, const char *key) {
  pthread_mutex_lock(&f->mu);
  bool found = false;
  for (int i = 0; i < f->reconciles && i < MAX_SEEN; i++)
    found = found || strcmp(f->keys[i], key) == 0;
  pthread_mutex_unlock(&f->mu);
  return found;
}

static tug_controller *make(fixture *f, tug_controller_options o) {
  o.name = o.name ? o.name : "test";
  o.reconcile = reconcile;
  o.arg = f;
  tug_error err = {0};
  tug_controller *c = tug_controller_new(&o, &err);
  if (c == NULL)
    fail_msg("controller: %s", err.msg);
  return c;
}

static void watch_leases(fixture *f, const char *labels, const char *fields) {
  tug_shared_informer_options o = {
      .path = ALL_LEASES, .label_selector = labels, .field_selector = fields};
  tug_error err = {0};
  if ((f->si = tug_shared_informer_new_with(cli, &o, &err)) == NULL)
    fail_msg("informer: %s", err.msg);
  OK(tug_controller_watch(f->c, f->si, err));
}

static void start(fixture *f) {
  OK(tug_shared_informer_start(f->si, err));
  OK(tug_controller_start(f->c, err));
}

static void create_lease(const char *name, const char *suite) {
  _cleanup_json_ json_t *l = json_pack(
      "{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:s}}", "apiVersion", "coordination.k8s.io/v1", "kind",
      "Lease", "metadata", "name", name, "labels", "suite", suite, "spec", "holderIdentity", "h");
  _cleanup_json_ json_t *out = NULL;
  OK(tug_client_create(cli, LEASES, l, &out, err));
}

/* ---- selectors ---- */

static void a_label_selector_narrows_what_the_controller_reconciles(void **state) {
  fixture *f = *state;
  create_lease("lsel-a", "lsel");
  create_lease("lsel-other", "not-lsel");
  f->c = make(f, (tug_controller_options){0});
  watch_leases(f, "suite=lsel", NULL);
  start(f);
  assert_true(wait_count(f, &f->reconciles, 1));
  create_lease("lsel-b", "lsel");
  create_lease("lsel-other-2", "not-lsel");
  assert_true(wait_count(f, &f->reconciles, 2));
  assert_true(seen(f, "default/lsel-a"));
  assert_true(seen(f, "default/lsel-b"));
  assert_false(seen(f, "default/lsel-other"));
  assert_false(seen(f, "default/lsel-other-2"));
  _cleanup_json_ json_t *cached = tug_informer_list(tug_shared_informer_informer(f->si));
  assert_int_equal(json_array_size(cached), 2);
}

static void a_field_selector_narrows_what_the_controller_reconciles(void **state) {
  fixture *f = *state;
  create_lease("fsel-a", "fsel");
  create_lease("fsel-b", "fsel");
  f->c = make(f, (tug_controller_options){0});
  watch_leases(f, NULL, "metadata.name=fsel-b");
  start(f);
  assert_true(wait_count(f, &f->reconciles, 1));
  _cleanup_json_ json_t *cached = tug_informer_list(tug_shared_informer_informer(f->si));
  assert_int_equal(json_array_size(cached), 1);
  assert_true(seen(f, "default/fsel-b"));
  assert_false(seen(f, "default/fsel-a"));
}

/* ---- hooks ---- */

static void the_synced_hook_sees_full_caches_and_runs_before_any_reconcile(void **state) {
  fixture *f = *state;
  create_lease("sync-a", "sync");
  create_lease("sync-b", "sync");
  create_lease("sync-c", "sync");
  f->c = make(f, (tug_controller_options){.on_synced = on_synced, .workers = 2});
  watch_leases(f, "suite=sync", NULL);
  start(f);
  assert_int_equal(f->synced_calls, 1);
  assert_int_equal(f->cached_when_synced, 3);
  assert_int_equal(f->reconciles_when_synced, 0);
  assert_true(wait_count(f, &f->reconciles, 3));
}

static void the_tick_runs_every_period_until_stopped(void **state) {
  fixture *f = *state;
  f->c = make(f, (tug_controller_options){.tick = on_tick, .tick_period_ms = 20});
  double t0 = tug_monotonic_seconds();
  OK(tug_controller_start(f->c, err));
  assert_true(wait_count(f, &f->ticks, 3));
  /* three periods must have passed: ticks are not early */
  assert_true(tug_monotonic_seconds() - t0 >= 0.059);
  tug_controller_stop(f->c);
  pthread_mutex_lock(&f->mu);
  int after_stop = f->ticks;
  pthread_mutex_unlock(&f->mu);
  usleep(100 * 1000);
  assert_int_equal(f->ticks, after_stop);
}

static void each_worker_starts_with_worker_init(void **state) {
  fixture *f = *state;
  f->c = make(f, (tug_controller_options){.worker_init = worker_init, .workers = 3});
  OK(tug_controller_start(f->c, err));
  for (int i = 0; i < 20; i++) {
    char key[16];
    snprintf(key, sizeof key, "k%d", i);
    tug_controller_enqueue(f->c, key);
  }
  assert_true(wait_count(f, &f->reconciles, 20));
  tug_controller_stop(f->c); /* joins every worker: each has begun by then */
  assert_int_equal(f->inits, 3);
  assert_int_equal(f->uninited_reconciles, 0);
}

/* ---- back-off ---- */

static void a_failing_key_is_retried_with_doubling_delays(void **state) {
  fixture *f = *state;
  f->fail_until = 4;
  f->c = make(f, (tug_controller_options){.base_delay_ms = 40, .max_delay_ms = 1000});
  OK(tug_controller_start(f->c, err));
  tug_controller_enqueue(f->c, "ns/flaky");
  assert_true(wait_count(f, &f->reconciles, 5)); /* four failures, then success */
  /* the n-th retry waits at least base * 2^(n-1): 40, 80, 160, 320 ms */
  for (int i = 1; i < 5; i++)
    assert_true(f->at[i] - f->at[i - 1] >= 0.040 * (1 << (i - 1)) - 0.002);
  /* after the success nothing comes back */
  usleep(700 * 1000);
  assert_int_equal(f->reconciles, 5);
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  tug_controller_render_metrics(&f->c, 1, m);
  fclose(m);
  assert_non_null(strstr(text, "tug_controller_reconcile_errors_total{controller=\"test\"} 4"));
  assert_non_null(strstr(text, "tug_controller_reconcile_total{controller=\"test\"} 5"));
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(a_label_selector_narrows_what_the_controller_reconciles,
                                      fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(a_field_selector_narrows_what_the_controller_reconciles,
                                      fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(
          the_synced_hook_sees_full_caches_and_runs_before_any_reconcile, fixture_setup,
          fixture_teardown),
      cmocka_unit_test_setup_teardown(the_tick_runs_every_period_until_stopped, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(each_worker_starts_with_worker_init, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(a_failing_key_is_retried_with_doubling_delays, fixture_setup,
                                      fixture_teardown),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
