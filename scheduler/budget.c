/*
 * budget.c — a Queue's resource-hours per window (see budget.h).
 */
#include "budget.h"

#include <math.h>
#include <string.h>

#include "object.h"
#include "timestamp.h"

#define HOUR_S 3600.0

int sched_budget_parse(sched_budget *b, const json_t *spec, const json_t *status, tug_error *err) {
  memset(b, 0, sizeof *b);
  json_t *budget = json_object_get(spec, "budget");
  json_t *window = json_object_get(budget, "windowSeconds");
  if (!json_is_integer(window) || json_integer_value(window) <= 0)
    return 0;
  if (sched_res_parse(json_object_get(budget, "limits"), &b->limit, b->has_limit, err) < 0)
    return tug_error_wrap(err, "budget");
  b->window_s = json_integer_value(window);
  /* What an earlier scheduler charged in this window, from the status it wrote. */
  double start = tug_time_parse(tug_obj_get_str(status, "budget.windowStart"));
  sched_res used;
  bool set[SCHED_NRES];
  if (start > 0 && sched_res_parse(tug_obj_get(status, "budget.used"), &used, set, NULL) == 0) {
    b->window_start = start;
    for (int r = 0; r < SCHED_NRES; r++)
      b->used[r] = set[r] ? (double)used.v[r] * HOUR_S : 0;
  }
  return 0;
}

bool sched_budget_charge(sched_budget *b, const sched_res *usage, double wall) {
  if (b->window_s <= 0)
    return false;
  double start = floor(wall / (double)b->window_s) * (double)b->window_s;
  bool fresh = start != b->window_start;
  if (fresh) { /* a new window: only the time held since it began counts */
    memset(b->used, 0, sizeof b->used);
    b->charged_at = b->charged_at > start ? b->charged_at : start;
    b->window_start = start;
  }
  if (b->charged_at > 0 && wall > b->charged_at)
    for (int r = 0; r < SCHED_NRES; r++)
      b->used[r] += (double)usage->v[r] * (wall - b->charged_at);
  b->charged_at = wall;
  return fresh;
}

bool sched_budget_spent(const sched_budget *b, const sched_res *req) {
  if (b->window_s <= 0)
    return false;
  for (int r = 0; r < SCHED_NRES; r++)
    if (b->has_limit[r] && req->v[r] > 0 && b->used[r] >= (double)b->limit.v[r] * HOUR_S)
      return true;
  return false;
}

json_t *sched_budget_status(const sched_budget *b, const sched_res *usage, double wall) {
  if (b->window_s <= 0)
    return NULL;
  sched_res hours = {{0}};
  double since = b->charged_at > 0 && wall > b->charged_at ? wall - b->charged_at : 0;
  for (int r = 0; r < SCHED_NRES; r++)
    hours.v[r] = llround((b->used[r] + (double)usage->v[r] * since) / HOUR_S);
  char start[TUG_TIME_BUFSIZE];
  tug_time_format((time_t)b->window_start, start, sizeof start);
  return json_pack("{s:s, s:o}", "windowStart", start, "used", sched_res_to_json(&hours));
}
