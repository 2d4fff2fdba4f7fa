/*
 * rollout.c — see rollout.h.
 */
#include "rollout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"

int64_t ctl_int_or_percent(const json_t *v, int64_t total, bool round_up, int64_t dflt) {
  if (json_is_integer(v))
    return json_integer_value(v) < 0 ? dflt : json_integer_value(v);
  const char *s = json_string_value(v);
  size_t n = s ? strlen(s) : 0;
  if (n < 2 || n > 10 || s[n - 1] != '%' || strspn(s, "0123456789") != n - 1)
    return dflt;
  double scaled = (double)strtoll(s, NULL, 10) * (double)total / 100.0;
  return (int64_t)(round_up ? ceil(scaled) : floor(scaled));
}

static bool recreate(const json_t *d) {
  const char *type = tug_obj_get_str(d, "spec.strategy.type");
  return type && strcmp(type, "Recreate") == 0;
}

void ctl_rollout_bounds(const json_t *d, int64_t *surge, int64_t *unavailable) {
  int64_t replicas = tug_obj_get_int(d, "spec.replicas", 1);
  *surge = *unavailable = 0;
  if (recreate(d))
    return;
  json_t *ru = tug_obj_get(d, "spec.strategy.rollingUpdate");
  json_t *quarter = json_string("25%");
  json_t *s = json_object_get(ru, "maxSurge"), *u = json_object_get(ru, "maxUnavailable");
  *surge = ctl_int_or_percent(s ? s : quarter, replicas, true, 0);
  *unavailable = ctl_int_or_percent(u ? u : quarter, replicas, false, 0);
  json_decref(quarter);
  if (*surge == 0 && *unavailable == 0)
    *unavailable = 1;
}

int64_t ctl_rollout_max_unavailable(const json_t *d) {
  int64_t replicas = tug_obj_get_int(d, "spec.replicas", 1), surge, unavailable;
  if (recreate(d) || replicas == 0)
    return 0;
  ctl_rollout_bounds(d, &surge, &unavailable);
  return unavailable > replicas ? replicas : unavailable;
}

int64_t ctl_rollout_new_replicas(int64_t replicas, int64_t surge, int64_t all_spec,
                                 int64_t new_spec) {
  int64_t max_total = replicas + surge;
  if (all_spec >= max_total)
    return new_spec;
  int64_t up = max_total - all_spec;
  if (up > replicas - new_spec)
    up = replicas - new_spec;
  return new_spec + (up > 0 ? up : 0);
}

int64_t ctl_rollout_max_scale_down(int64_t replicas, int64_t unavailable, int64_t all_spec,
                                   int64_t new_spec, int64_t new_available) {
  int64_t min_available = replicas - unavailable;
  int64_t new_unavailable = new_spec - new_available;
  return all_spec - min_available - (new_unavailable > 0 ? new_unavailable : 0);
}

int64_t ctl_rollout_cleanup_unhealthy(ctl_rs_counts *olds, size_t n, int64_t max) {
  int64_t done = 0;
  for (size_t i = 0; i < n && done < max; i++) {
    int64_t unhealthy = olds[i].spec - olds[i].available;
    if (olds[i].spec == 0 || unhealthy <= 0)
      continue;
    int64_t k = max - done < unhealthy ? max - done : unhealthy;
    olds[i].spec -= k;
    done += k;
  }
  return done;
}

int64_t ctl_rollout_scale_down_old(ctl_rs_counts *olds, size_t n, int64_t all_available,
                                   int64_t min_available) {
  if (all_available <= min_available)
    return 0;
  int64_t total = all_available - min_available, done = 0;
  for (size_t i = 0; i < n && done < total; i++) {
    if (olds[i].spec == 0)
      continue;
    int64_t k = olds[i].spec < total - done ? olds[i].spec : total - done;
    olds[i].spec -= k;
    done += k;
  }
  return done;
}

/* ---- the template hash ---- */

static json_t *without_hash(const json_t *template) {
  json_t *copy = json_deep_copy(template);
  json_t *labels = tug_obj_get(copy, "metadata.labels");
  if (json_is_object(labels))
    json_object_del(labels, CTL_HASH_LABEL);
  return copy;
}

void ctl_template_hash(const json_t *template, int64_t collision_count, char *buf, size_t size) {
  json_t *t = without_hash(template);
  char *text = t ? json_dumps(t, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
  uint32_t h = 2166136261u;
  for (const char *p = text ? text : ""; *p; p++)
    h = (h ^ (uint8_t)*p) * 16777619u;
  if (collision_count > 0)
    for (int i = 0; i < 8; i++)
      h = (h ^ (uint8_t)(collision_count >> (8 * i))) * 16777619u;
  free(text);
  json_decref(t);
  /* rand.SafeEncodeString: each character of the decimal form mapped into an
   * alphabet without vowels or look-alikes, so the label never spells words. */
  static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
  char digits[16];
  snprintf(digits, sizeof digits, "%u", h);
  size_t i = 0;
  for (; digits[i] && i + 1 < size; i++)
    buf[i] = alphanums[(unsigned char)digits[i] % (sizeof alphanums - 1)];
  if (size)
    buf[i] = '\0';
}

bool ctl_templates_equal(const json_t *a, const json_t *b) {
  json_t *ca = without_hash(a), *cb = without_hash(b);
  bool eq = json_equal(ca, cb);
  json_decref(ca);
  json_decref(cb);
  return eq;
}
