/*
 * test_image_gc.c — which images garbage collection removes (kubelet's
 * thresholds, least recently used first, never an image in use or too young)
 * and status.images.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "image-gc.h"

static const agent_image_gc_policy policy = {
    .high_percent = 85, .low_percent = 80, .min_age_s = 120};
enum { NOW = 1000000 };

static void nothing_is_removed_below_the_high_threshold(void **state) {
  (void)state;
  agent_image_gc_item items[] = {{.digest = "sha256:a", .size = 50, .first_seen = 0}};
  size_t order[1];
  assert_false(agent_image_gc_due(&policy, 1000, 849));
  assert_true(agent_image_gc_due(&policy, 1000, 850));
  assert_int_equal(agent_image_gc_plan(&policy, items, 1, 1000, 849, NOW, order), 0);
}

static void least_recently_used_go_first_until_the_low_threshold(void **state) {
  (void)state;
  agent_image_gc_item items[] = {
      {.digest = "sha256:new", .size = 40, .first_seen = 0, .last_used = NOW - 10},
      {.digest = "sha256:old", .size = 40, .first_seen = 0, .last_used = NOW - 500},
      {.digest = "sha256:mid", .size = 40, .first_seen = 0, .last_used = NOW - 300},
  };
  size_t order[3];
  /* 900 of 1000 used: 100 bytes to free down to 80 %: three images of 40. */
  assert_int_equal(agent_image_gc_plan(&policy, items, 3, 1000, 900, NOW, order), 3);
  assert_string_equal(items[order[0]].digest, "sha256:old");
  assert_string_equal(items[order[1]].digest, "sha256:mid");
  assert_string_equal(items[order[2]].digest, "sha256:new");
  /* 860 used: 60 to free, two images do it. */
  assert_int_equal(agent_image_gc_plan(&policy, items, 3, 1000, 860, NOW, order), 2);
}

static void images_in_use_or_too_young_are_kept(void **state) {
  (void)state;
  agent_image_gc_item items[] = {
      {.digest = "sha256:used", .size = 500, .first_seen = 0, .last_used = 0, .in_use = true},
      {.digest = "sha256:young", .size = 500, .first_seen = NOW - 60, .last_used = NOW - 60},
      {.digest = "sha256:free", .size = 10, .first_seen = NOW - 121, .last_used = NOW - 121},
  };
  size_t order[3];
  assert_int_equal(agent_image_gc_plan(&policy, items, 3, 1000, 990, NOW, order), 1);
  assert_string_equal(items[order[0]].digest, "sha256:free");
}

static void status_images_are_largest_first_and_capped(void **state) {
  (void)state;
  agent_image_entry list[AGENT_NODE_MAX_IMAGES + 5];
  for (size_t i = 0; i < AGENT_NODE_MAX_IMAGES + 5; i++) {
    snprintf(list[i].digest, sizeof list[i].digest, "sha256:%03zu", i);
    list[i].names = json_pack("[s]", list[i].digest);
    list[i].size = (int64_t)i * 10;
  }
  json_t *st = agent_image_status(list, AGENT_NODE_MAX_IMAGES + 5);
  assert_int_equal(json_array_size(st), AGENT_NODE_MAX_IMAGES);
  json_t *first = json_array_get(st, 0);
  assert_int_equal(json_integer_value(json_object_get(first, "sizeBytes")),
                   (AGENT_NODE_MAX_IMAGES + 4) * 10);
  assert_string_equal(json_string_value(json_array_get(json_object_get(first, "names"), 0)),
                      "sha256:054");
  json_decref(st);
  for (size_t i = 0; i < AGENT_NODE_MAX_IMAGES + 5; i++)
    json_decref(list[i].names);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nothing_is_removed_below_the_high_threshold),
      cmocka_unit_test(least_recently_used_go_first_until_the_low_threshold),
      cmocka_unit_test(images_in_use_or_too_young_are_kept),
      cmocka_unit_test(status_images_are_largest_first_and_capped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
