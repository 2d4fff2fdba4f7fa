/*
 * queue-aging.c — a pending pod's rank from its priority and its wait (see queue-aging.h).
 */
#include "queue-aging.h"

#include <stdbool.h>

#include "quantity.h"

static int64_t member_or(const json_t *obj, const char *key, int64_t dflt) {
  json_t *v = json_object_get(obj, key);
  return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : dflt;
}

tug_queue_aging tug_queue_aging_of(const json_t *spec) {
  bool fifo = json_is_true(json_object_get(spec, "strictFIFO"));
  json_t *aging = json_object_get(spec, "aging");
  return (tug_queue_aging){
      .interval_s = member_or(aging, "intervalSeconds", fifo ? 0 : TUG_QUEUE_AGING_INTERVAL_S),
      .max_boost = member_or(aging, "maxBoost", TUG_QUEUE_AGING_MAX_BOOST),
  };
}

int64_t tug_queue_aging_rank(const tug_queue_aging *a, int64_t prio, double wait_s) {
  if (a->interval_s <= 0 || !(wait_s > 0))
    return prio;
  double steps = wait_s / (double)a->interval_s;
  int64_t boost = steps >= (double)a->max_boost ? a->max_boost : (int64_t)steps;
  return tug_quantity_add_sat(prio, boost);
}
