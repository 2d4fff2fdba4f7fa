/*
 * validation-scheduling.c — PriorityClass and Tugboat's own Queue
 * (scheduling.tug.io/v1, see docs/scheduler.md).
 *
 * A Queue's numbers feed fair-share arithmetic in the scheduler, so they are
 * checked here once: quotas over cpu, memory and pods only, a lending limit
 * within what the queue owns, a positive weight. Borrowing and lending only
 * mean something inside a cohort, so they require one (as in Kueue).
 */
#include <stdint.h>
#include <string.h>

#include "queue-aging.h"
#include "validation-internal.h"
#include "validation.h"

/* ---- PriorityClass ---- */

#define USER_PRIORITY_MAX 1000000000
/* Kubernetes' two built-in classes sit above every user-defined priority. */
#define SYSTEM_PRIORITY_MAX 2000001000

static bool system_class(const json_t *obj) {
  const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
  return name && (strcmp(name, "system-cluster-critical") == 0 ||
                  strcmp(name, "system-node-critical") == 0);
}

void api_default_priorityclass(json_t *obj) {
  val_default(obj, "preemptionPolicy", json_string("PreemptLowerPriority"));
}

static void validate_priority_value(const val_obj *root, bool system) {
  int64_t value, max = system ? SYSTEM_PRIORITY_MAX : USER_PRIORITY_MAX;
  if (!val_present(root, "value"))
    val_required(root, "value", NULL);
  else if (!val_int(root, "value", &value))
    return;
  else if (value < INT32_MIN)
    val_invalid(root, "value", json_object_get(root->json, "value"),
                "must be greater than or equal to %d", INT32_MIN);
  else if (value > max)
    val_invalid(root, "value", json_object_get(root->json, "value"),
                "maximum allowed value of a user defined priority is %d", USER_PRIORITY_MAX);
}

void api_validate_priorityclass(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const policies[] = {"PreemptLowerPriority", "Never", NULL};
  val_obj root;
  val_root(&root, obj, causes);
  validate_priority_value(&root, system_class(obj));
  val_bool(&root, "globalDefault");
  val_string(&root, "description");
  val_enum(&root, "preemptionPolicy", policies);
  if (old == NULL)
    return;
  /* Pods keep the priority they were admitted with; a changed class would lie. */
  json_t *now = json_object_get(obj, "value"), *before = json_object_get(old, "value");
  if (!(now == before || (now && before && json_equal(now, before))))
    val_forbidden(&root, "value", "may not be changed in an update.");
  val_immutable(&root, "preemptionPolicy", old);
}

/* ---- Queue ---- */

static const char *const queue_resources[] = {"cpu", "memory", "pods", NULL};
static const char *const quota_maps[] = {"nominal", "borrowingLimit", "lendingLimit"};
#define QUOTA_MAPS (sizeof quota_maps / sizeof quota_maps[0])

static bool queue_resource_name(const val_obj *map, const char *name) {
  for (size_t i = 0; queue_resources[i]; i++)
    if (strcmp(name, queue_resources[i]) == 0)
      return true;
  json_t *shown = json_string(name);
  val_not_supported(map, val_bracket(name).s, shown, queue_resources);
  json_decref(shown);
  return false;
}

static void validate_namespaces(const val_obj *spec) {
  val_obj list;
  val_descend(&list, spec, "namespaces", val_array(spec, "namespaces"));
  json_t *seen = json_object();
  for (size_t i = 0; i < json_array_size(list.json); i++) {
    json_t *v = json_array_get(list.json, i);
    const char *ns = json_string_value(v);
    val_field at = val_bracket_index(i);
    if (ns == NULL)
      val_invalid(&list, at.s, v, "must be a string");
    else if (!api_dns1123_label(ns))
      val_invalid(&list, at.s, v, "must be a namespace name (a DNS-1123 label)");
    else if (json_object_get(seen, ns))
      val_duplicate(&list, at.s, v);
    else
      json_object_set_new(seen, ns, json_true());
  }
  json_decref(seen);
}

static void validate_namespace_choice(const val_obj *spec) {
  validate_namespaces(spec);
  bool empty;
  tug_selector *sel = val_label_selector(spec, "namespaceSelector", &empty);
  tug_selector_free(sel);
  if (val_present(spec, "namespaces") && val_present(spec, "namespaceSelector"))
    val_forbidden(spec, "namespaceSelector", "may not be specified together with `namespaces`");
}

/* A queue can lend only what it owns: lendingLimit[r] <= nominal[r] (0 when unset). */
static void validate_lending(const val_obj *spec, const json_t *nominal, const json_t *lending) {
  val_obj at;
  val_descend(&at, spec, "lendingLimit", lending);
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)lending, name, v) {
    int64_t lend, own = 0;
    char text[64] = "0";
    json_t *n = json_object_get(nominal, name);
    if (n && !val_quantity_parse(name, n, &own))
      continue;
    if (val_quantity_parse(name, v, &lend) && lend > own)
      val_invalid(&at, val_bracket(name).s, v, "must be less than or equal to nominal %s of %s",
                  name, n ? val_quantity_text(n, text, sizeof text) : text);
  }
}

static void validate_quotas(const val_obj *spec) {
  json_t *maps[QUOTA_MAPS];
  for (size_t i = 0; i < QUOTA_MAPS; i++)
    maps[i] = val_resource_map(spec, quota_maps[i], queue_resource_name);
  validate_lending(spec, maps[0], maps[2]);
  const char *cohort = json_string_value(json_object_get(spec->json, "cohort"));
  for (size_t i = 1; i < QUOTA_MAPS && (cohort == NULL || *cohort == '\0'); i++)
    if (maps[i])
      val_invalid(spec, quota_maps[i], maps[i], "must be nil when cohort is empty");
}

static void validate_preemption(const val_obj *spec) {
  static const char *const reclaim[] = {"Never", "LowerPriority", "Any", NULL};
  static const char *const within[] = {"Never", "LowerPriority", NULL};
  val_obj p;
  if (!val_enter(&p, spec, "preemption"))
    return;
  val_enum(&p, "reclaimWithinCohort", reclaim);
  val_enum(&p, "withinQueue", within);
}

/* Aging is on unless the queue is a strict FIFO, whose order is the point. */
static void default_aging(json_t *spec) {
  bool fifo = json_is_true(json_object_get(spec, "strictFIFO"));
  json_t *aging = val_default_object(spec, "aging");
  val_default(aging, "intervalSeconds", json_integer(fifo ? 0 : TUG_QUEUE_AGING_INTERVAL_S));
  val_default(aging, "maxBoost", json_integer(TUG_QUEUE_AGING_MAX_BOOST));
}

static void validate_aging(const val_obj *spec) {
  val_obj a;
  int64_t v;
  if (!val_enter(&a, spec, "aging"))
    return;
  val_int_between(&a, "intervalSeconds", 0, 86400, &v);
  val_int_between(&a, "maxBoost", 0, 1000000000, &v);
}

static void validate_budget(const val_obj *spec) {
  val_obj b;
  int64_t window;
  if (!val_enter(&b, spec, "budget"))
    return;
  if (!val_present(&b, "windowSeconds"))
    val_required(&b, "windowSeconds", "a budget needs its window");
  else
    val_int_between(&b, "windowSeconds", 1, 366LL * 86400, &window);
  val_resource_map(&b, "limits", queue_resource_name);
}

void api_default_queue(json_t *obj) {
  json_t *spec = val_default_object(obj, "spec");
  val_default(spec, "weight", json_integer(1));
  val_default(spec, "strictFIFO", json_false());
  default_aging(spec);
  json_t *preemption = val_default_object(spec, "preemption");
  val_default(preemption, "reclaimWithinCohort", json_string("Never"));
  val_default(preemption, "withinQueue", json_string("Never"));
  for (size_t i = 0; i < QUOTA_MAPS; i++)
    val_normalize_quantities(json_object_get(spec, quota_maps[i]));
}

void api_validate_queue(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec;
  double weight;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  validate_namespace_choice(&spec);
  val_dns_label(&spec, "cohort");
  validate_quotas(&spec);
  if (val_number(&spec, "weight", &weight) && !(weight > 0))
    val_invalid(&spec, "weight", json_object_get(spec.json, "weight"), "must be greater than 0");
  val_bool(&spec, "strictFIFO");
  validate_preemption(&spec);
  validate_aging(&spec);
  validate_budget(&spec);
}
