/*
 * Unit tests of leader election: the decision a candidate makes from the
 * Lease it reads, the Lease it writes, and two electors over one in-memory
 * Lease (resourceVersion checked as the API server does) — only one leads,
 * a leader cut off stops before the standby can take over, and the standby
 * then does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "leader.h"
#include "object.h"

static json_t *lease_of(const char *holder, int duration, const char *rv) {
  return json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:i, s:s, s:s, s:i}}", "metadata", "name", "l",
                   "namespace", "tug-system", "resourceVersion", rv, "spec", "holderIdentity",
                   holder, "leaseDurationSeconds", duration, "acquireTime",
                   "2026-01-01T00:00:00.000000Z", "renewTime", "2026-01-01T00:00:00.000000Z",
                   "leaseTransitions", 4);
}

static void test_no_lease_or_a_released_one_is_taken_at_once(void **state) {
  (void)state;
  tug_leader_observed seen = {0};
  assert_int_equal(tug_leader_decide(NULL, "me", &seen, 100), TUG_LEADER_ACQUIRE);
  json_t *released = lease_of("", 1, "7");
  assert_int_equal(tug_leader_decide(released, "me", &seen, 100), TUG_LEADER_ACQUIRE);
  json_decref(released);
}

static void
test_another_holder_is_waited_for_a_lease_duration_since_its_record_last_changed(void **state) {
  (void)state;
  tug_leader_observed seen = {0};
  json_t *a = lease_of("other", 15, "10"), *b = lease_of("other", 15, "11");
  assert_int_equal(tug_leader_decide(a, "me", &seen, 100), TUG_LEADER_WAIT);
  assert_int_equal(tug_leader_decide(a, "me", &seen, 114.9), TUG_LEADER_WAIT);
  /* A renewal (new resourceVersion) restarts the clock. */
  assert_int_equal(tug_leader_decide(b, "me", &seen, 114.9), TUG_LEADER_WAIT);
  assert_int_equal(tug_leader_decide(b, "me", &seen, 129.8), TUG_LEADER_WAIT);
  assert_int_equal(tug_leader_decide(b, "me", &seen, 129.9), TUG_LEADER_ACQUIRE);
  json_decref(a);
  json_decref(b);
}

static void test_the_holder_renews(void **state) {
  (void)state;
  tug_leader_observed seen = {0};
  json_t *l = lease_of("me", 15, "3");
  assert_int_equal(tug_leader_decide(l, "me", &seen, 1000), TUG_LEADER_RENEW);
  json_decref(l);
}

static void test_taking_over_counts_a_transition_and_renewing_keeps_acquire_time(void **state) {
  (void)state;
  tug_leader_options o;
  tug_leader_options_default(&o, "l");
  json_t *theirs = lease_of("other", 15, "9"), *mine = lease_of("me", 15, "9");
  const char *now = "2026-02-02T00:00:00.000001Z";
  json_t *taken = tug_leader_lease_body(theirs, &o, "me", TUG_LEADER_ACQUIRE, now);
  json_t *renewed = tug_leader_lease_body(mine, &o, "me", TUG_LEADER_RENEW, now);
  assert_string_equal(tug_obj_get_str(taken, "spec.holderIdentity"), "me");
  assert_int_equal(tug_obj_get_int(taken, "spec.leaseTransitions", -1), 5);
  assert_string_equal(tug_obj_get_str(taken, "spec.acquireTime"), now);
  assert_string_equal(tug_obj_get_str(taken, "metadata.resourceVersion"), "9");
  assert_int_equal(tug_obj_get_int(taken, "spec.leaseDurationSeconds", -1), 15);
  assert_int_equal(tug_obj_get_int(renewed, "spec.leaseTransitions", -1), 4);
  assert_string_equal(tug_obj_get_str(renewed, "spec.acquireTime"), "2026-01-01T00:00:00.000000Z");
  assert_string_equal(tug_obj_get_str(renewed, "spec.renewTime"), now);
  json_t *fresh = tug_leader_lease_body(NULL, &o, "me", TUG_LEADER_ACQUIRE, now);
  assert_int_equal(tug_obj_get_int(fresh, "spec.leaseTransitions", -1), 0);
  assert_string_equal(tug_obj_get_str(fresh, "metadata.namespace"), "tug-system");
  json_decref(theirs);
  json_decref(mine);
  json_decref(taken);
  json_decref(renewed);
  json_decref(fresh);
}

static void test_timings_must_be_ordered(void **state) {
  (void)state;
  tug_leader_options o;
  tug_error err = {0};
  tug_leader_options_default(&o, "l");
  assert_int_equal(tug_leader_options_check(&o, &err), 0);
  o.renew_deadline_s = 15;
  assert_int_equal(tug_leader_options_check(&o, &err), -1);
  assert_int_equal(tug_leader_elect_parse("false"), 0);
  assert_int_equal(tug_leader_elect_parse("yes"), -1);
}

/* ---- two electors over one Lease ---- */

typedef struct store {
  pthread_mutex_t mu;
  json_t *lease; /* NULL: none */
  long rv;
} store;

typedef struct replica {
  store *s;
  atomic_bool cut; /* no answer: a partition */
  atomic_bool lost;
  double lost_at;
} replica;

static long answer(store *s, const tug_request *req, char **body) {
  if (strcmp(req->method, "GET") == 0) {
    if (s->lease == NULL)
      return 404;
    *body = json_dumps(s->lease, JSON_COMPACT);
    return 200;
  }
  const char *rv = tug_obj_resource_version(req->body);
  char cur[32];
  snprintf(cur, sizeof cur, "%ld", s->rv);
  if (strcmp(req->method, "POST") == 0 ? s->lease != NULL
                                       : (s->lease == NULL || rv == NULL || strcmp(rv, cur) != 0))
    return 409;
  json_decref(s->lease);
  s->lease = json_deep_copy(req->body);
  snprintf(cur, sizeof cur, "%ld", ++s->rv);
  tug_obj_set_resource_version(s->lease, cur, NULL);
  *body = json_dumps(s->lease, JSON_COMPACT);
  return strcmp(req->method, "POST") == 0 ? 201 : 200;
}

static long transport(const tug_request *req, char **body, void *arg) {
  replica *r = arg;
  *body = NULL;
  if (atomic_load(&r->cut))
    return 0;
  pthread_mutex_lock(&r->s->mu);
  long code = answer(r->s, req, body);
  pthread_mutex_unlock(&r->s->mu);
  return code;
}

static void on_lost(void *arg) {
  replica *r = arg;
  r->lost_at = tug_monotonic_seconds();
  atomic_store(&r->lost, true);
}

typedef struct candidate {
  replica r;
  tug_client *c;
  tug_leader *l;
  tug_leader_options o;
  double led_at;
} candidate;

static void candidate_init(candidate *k, store *s, const char *id) {
  tug_error err = {0};
  k->r.s = s;
  tug_leader_options_default(&k->o, "l");
  k->o.identity = id;
  k->o.lease_duration_s = 1.0;
  k->o.renew_deadline_s = 0.6;
  k->o.retry_period_s = 0.1;
  k->o.on_lost = on_lost;
  k->o.arg = &k->r;
  assert_non_null(k->c = tug_client_new_transport(transport, &k->r, &err));
  assert_non_null(k->l = tug_leader_new(k->c, &k->o, &err));
}

static void *campaign(void *arg) {
  candidate *k = arg;
  if (tug_leader_campaign(k->l) == 0)
    k->led_at = tug_monotonic_seconds();
  return NULL;
}

static void test_a_cut_off_leader_stops_before_the_standby_takes_over(void **state) {
  (void)state;
  store s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  candidate a = {0}, b = {0};
  candidate_init(&a, &s, "a");
  candidate_init(&b, &s, "b");
  assert_int_equal(tug_leader_campaign(a.l), 0);
  assert_true(tug_leader_leading(a.l));
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, campaign, &b), 0);
  usleep(1500 * 1000); /* a renews; b must keep waiting */
  assert_false(tug_leader_leading(b.l));
  assert_false(atomic_load(&a.r.lost));
  double cut = tug_monotonic_seconds();
  atomic_store(&a.r.cut, true);
  pthread_join(t, NULL);
  assert_true(tug_leader_leading(b.l));
  assert_true(atomic_load(&a.r.lost));
  assert_true(a.r.lost_at < b.led_at); /* never two leaders acting */
  assert_true(a.r.lost_at - cut <= a.o.renew_deadline_s + 0.2);
  assert_true(b.led_at - cut >= a.o.lease_duration_s - a.o.retry_period_s);
  pthread_mutex_lock(&s.mu);
  assert_string_equal(tug_obj_get_str(s.lease, "spec.holderIdentity"), "b");
  assert_int_equal(tug_obj_get_int(s.lease, "spec.leaseTransitions", -1), 1);
  pthread_mutex_unlock(&s.mu);
  tug_leader_free(b.l); /* releases: holder "" */
  pthread_mutex_lock(&s.mu);
  assert_string_equal(tug_obj_get_str(s.lease, "spec.holderIdentity"), "");
  pthread_mutex_unlock(&s.mu);
  tug_leader_free(a.l);
  tug_client_free(a.c);
  tug_client_free(b.c);
  json_decref(s.lease);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_lease_or_a_released_one_is_taken_at_once),
      cmocka_unit_test(
          test_another_holder_is_waited_for_a_lease_duration_since_its_record_last_changed),
      cmocka_unit_test(test_the_holder_renews),
      cmocka_unit_test(test_taking_over_counts_a_transition_and_renewing_keeps_acquire_time),
      cmocka_unit_test(test_timings_must_be_ordered),
      cmocka_unit_test(test_a_cut_off_leader_stops_before_the_standby_takes_over),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
