/*
 * disruption-plan.c — see disruption-plan.h.
 */
#include "disruption-plan.h"

#include "rollout.h"

bool ctl_budget_needs_scale(const json_t *spec) {
  json_t *max = json_object_get(spec, "maxUnavailable");
  json_t *min = json_object_get(spec, "minAvailable");
  return (max && !json_is_null(max)) || json_is_string(min);
}

ctl_budget ctl_budget_plan(const json_t *spec, int64_t pods, int64_t scale, int64_t healthy) {
  ctl_budget b = {.healthy = healthy};
  json_t *max = json_object_get(spec, "maxUnavailable");
  json_t *min = json_object_get(spec, "minAvailable");
  if (max && !json_is_null(max)) {
    b.expected = scale;
    b.desired = scale - ctl_int_or_percent(max, scale, true, 0);
    if (b.desired < 0)
      b.desired = 0;
  } else if (json_is_integer(min)) {
    b.expected = pods;
    b.desired = json_integer_value(min);
  } else if (json_is_string(min)) {
    b.expected = scale;
    b.desired = ctl_int_or_percent(min, scale, true, 0);
  }
  b.allowed = b.healthy - b.desired;
  if (b.expected <= 0 || b.allowed < 0)
    b.allowed = 0;
  return b;
}
