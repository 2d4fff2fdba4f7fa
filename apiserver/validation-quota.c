/*
 * validation-quota.c — ResourceQuota and LimitRange, the two per-namespace
 * policies admission enforces on every pod.
 *
 * A quota only names resources our admission actually counts, so a typo such
 * as "request.cpu" is refused instead of silently limiting nothing. A limit
 * range must be ordered (min <= defaultRequest <= default <= max) or its
 * defaults would produce pods it then rejects.
 */
#include <string.h>

#include "error.h"
#include "quantity.h"
#include "validation-internal.h"
#include "validation.h"
#include "quota-eval.h"

/* ---- ResourceQuota ---- */

static bool counted_resource(const char *name) {
  return tug_quota_plain_count(name) || strncmp(name, "count/", 6) == 0;
}

static bool quota_resource_name(const val_obj *map, const char *name) {
  static const char *const standard[] = {
      "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"};
  if (tug_quota_plain_count(name))
    return true;
  for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++)
    if (strcmp(name, standard[i]) == 0)
      return true;
  /* count/<resource>[.<group>]: a plural resource name, then its group. */
  if (strncmp(name, "count/", 6) == 0 && api_dns1123_subdomain(name + 6))
    return true;
  val_invalid_str(map, val_bracket(name).s, name,
                  "must be a standard resource for quota: pods, services, configmaps, secrets, "
                  "cpu, memory, requests.cpu, requests.memory, limits.cpu, limits.memory or "
                  "count/<resource>[.<group>]");
  return false;
}

/* Objects are counted whole: "1.5" pods is a mistake, not a rounding question. */
static void validate_whole_counts(const val_obj *spec, const json_t *hard) {
  val_obj map;
  val_descend(&map, spec, "hard", hard);
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)hard, name, v) {
    char buf[64];
    const char *text = val_quantity_text(v, buf, sizeof buf);
    tug_error err;
    int64_t milli;
    if (counted_resource(name) && text && tug_quantity_parse_milli(text, 0, &milli, &err) == 0 &&
        milli % 1000 != 0)
      val_invalid(&map, val_bracket(name).s, v, "must be an integer");
  }
}

void api_default_resourcequota(json_t *obj) {
  val_normalize_quantities(json_object_get(json_object_get(obj, "spec"), "hard"));
}

void api_validate_resourcequota(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  json_t *hard = val_resource_map(&spec, "hard", quota_resource_name);
  validate_whole_counts(&spec, hard);
}

/* ---- LimitRange ---- */

static const char *const limit_maps[] = {"max", "min", "default", "defaultRequest",
                                         "maxLimitRequestRatio"};
#define LIMIT_MAPS (sizeof limit_maps / sizeof limit_maps[0])

/* Pairs that must be ordered low <= high, with Kubernetes' cause field and message. */
static const struct {
  const char *low, *high, *at, *message;
} limit_orders[] = {
    {"min", "max", "min", "min value %s is greater than max value %s"},
    {"min", "defaultRequest", "defaultRequest",
     "min value %s is greater than default request value %s"},
    {"defaultRequest", "max", "defaultRequest",
     "default request value %s is greater than max value %s"},
    {"defaultRequest", "default", "defaultRequest",
     "default request value %s is greater than default limit value %s"},
    {"min", "default", "default", "min value %s is greater than default value %s"},
    {"default", "max", "default", "default value %s is greater than max value %s"},
};

static void validate_limit_order(const val_obj *item, size_t o) {
  json_t *low = json_object_get(item->json, limit_orders[o].low);
  json_t *high = json_object_get(item->json, limit_orders[o].high);
  val_obj at;
  val_descend(&at, item, limit_orders[o].at, NULL);
  const char *name;
  json_t *v;
  json_object_foreach(low, name, v) {
    json_t *h = json_object_get(high, name);
    int64_t lq, hq;
    char lt[64], ht[64];
    if (!h || !val_quantity_parse(name, v, &lq) || !val_quantity_parse(name, h, &hq) || lq <= hq)
      continue;
    json_t *shown = json_object_get(json_object_get(item->json, limit_orders[o].at), name);
    val_invalid(&at, val_bracket(name).s, shown, limit_orders[o].message,
                val_quantity_text(v, lt, sizeof lt), val_quantity_text(h, ht, sizeof ht));
  }
}

static void validate_ratios(const val_obj *item, const json_t *ratios) {
  val_obj at;
  val_descend(&at, item, "maxLimitRequestRatio", ratios);
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)ratios, name, v) {
    char buf[64];
    const char *text = val_quantity_text(v, buf, sizeof buf);
    tug_error err;
    int64_t milli;
    if (text && tug_quantity_parse_milli(text, 0, &milli, &err) == 0 && milli < 1000)
      val_invalid(&at, val_bracket(name).s, v, "ratio %s is less than 1", text);
  }
}

static void validate_limit_item(const val_obj *item) {
  static const char *const types[] = {"Container", "Pod", NULL};
  json_t *maps[LIMIT_MAPS];
  if (!val_present(item, "type"))
    val_required(item, "type", NULL);
  const char *type = val_enum(item, "type", types);
  for (size_t i = 0; i < LIMIT_MAPS; i++)
    maps[i] = val_resource_map(item, limit_maps[i], val_container_resource_name);
  /* A pod as a whole is never defaulted: only its containers are. */
  if (type && strcmp(type, "Pod") == 0)
    for (size_t i = 2; i < 4; i++)
      if (maps[i])
        val_forbidden(item, limit_maps[i], "may not be specified when `type` is 'Pod'");
  for (size_t o = 0; o < sizeof limit_orders / sizeof limit_orders[0]; o++)
    validate_limit_order(item, o);
  validate_ratios(item, maps[4]);
}

void api_validate_limitrange(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  size_t n = val_array_len(&spec, "limits");
  for (size_t i = 0; i < n; i++) {
    val_obj item;
    if (val_enter_item(&item, &spec, "limits", i))
      validate_limit_item(&item);
  }
}

static void copy_missing(json_t *item, const char *to, const char *from) {
  json_t *src = json_object_get(item, from);
  if (!json_is_object(src) || json_object_size(src) == 0)
    return;
  json_t *dst = val_default_object(item, to);
  const char *name;
  json_t *v;
  json_object_foreach(src, name, v) {
    val_default(dst, name, json_deep_copy(v));
  }
}

/* Kubernetes' chain for containers: default limit from max, default request
 * from the default limit, else from min. */
static void default_limit_item(json_t *item) {
  if (!json_is_object(item))
    return;
  for (size_t i = 0; i < LIMIT_MAPS; i++)
    val_normalize_quantities(json_object_get(item, limit_maps[i]));
  const char *type = json_string_value(json_object_get(item, "type"));
  if (type == NULL || strcmp(type, "Container") != 0)
    return;
  copy_missing(item, "default", "max");
  copy_missing(item, "defaultRequest", "default");
  copy_missing(item, "defaultRequest", "min");
}

void api_default_limitrange(json_t *obj) {
  json_t *limits = json_object_get(json_object_get(obj, "spec"), "limits");
  for (size_t i = 0; i < json_array_size(limits); i++)
    default_limit_item(json_array_get(limits, i));
}
