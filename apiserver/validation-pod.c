/*
 * validation-pod.c — pod specs, wherever they appear: a Pod's own spec and the
 * pod templates of Deployments, ReplicaSets and Jobs (same rules, with the
 * template's field prefix and its own restartPolicy rule).
 *
 * A running pod is a promise to a node, so after creation its spec is frozen
 * except for what Kubernetes lets change in place: container images, a shorter
 * activeDeadlineSeconds, added tolerations, and nodeName set once.
 */
#include <stdint.h>
#include <string.h>

#include "cleanup.h"
#include "quantity.h"
#include "validation-internal.h"
#include "validation.h"

/* ---- tolerations ---- */

static void validate_toleration_operator(const val_obj *t, const char *key, const char *value) {
  static const char *const operators[] = {"Equal", "Exists", NULL};
  bool unsupported = val_present(t, "operator") && val_enum(t, "operator", operators) == NULL;
  const char *op = json_string_value(json_object_get(t->json, "operator"));
  bool exists = op && strcmp(op, "Exists") == 0;
  const char *why;
  if (unsupported)
    return;
  if ((key == NULL || *key == '\0') && !exists)
    val_invalid_str(t, "operator", op ? op : "",
                    "operator must be Exists when `key` is empty, which means \"match all values "
                    "and all keys\"");
  if (exists && value && *value)
    val_invalid_str(t, "operator", op, "value must be empty when `operator` is 'Exists'");
  else if (!exists && value && !tug_label_value_valid(value, &why))
    val_invalid_str(t, "value", value, "%s", why);
}

static void validate_toleration(const val_obj *t) {
  const char *key = val_string(t, "key"), *why;
  if (key && *key && !val_qualified_name(key, &why))
    val_invalid_str(t, "key", key, "%s", why);
  validate_toleration_operator(t, key, val_string(t, "value"));
  val_taint_effect(t, true);
  const char *effect = json_string_value(json_object_get(t->json, "effect"));
  if (val_int(t, "tolerationSeconds", NULL) && (effect == NULL || strcmp(effect, "NoExecute")))
    val_invalid_str(t, "effect", effect ? effect : "",
                    "effect must be 'NoExecute' when `tolerationSeconds` is set");
}

static void validate_tolerations(const val_obj *spec) {
  size_t n = val_array_len(spec, "tolerations");
  for (size_t i = 0; i < n; i++) {
    val_obj t;
    if (val_enter_item(&t, spec, "tolerations", i))
      validate_toleration(&t);
  }
}

/* ---- the spec ---- */

static void validate_restart_policy(const val_obj *spec, val_pod_use use) {
  static const char *const any[] = {"Always", "OnFailure", "Never", NULL};
  static const char *const always[] = {"Always", NULL};
  static const char *const finishing[] = {"OnFailure", "Never", NULL};
  if (use == VAL_JOB_TEMPLATE && !val_present(spec, "restartPolicy"))
    val_required(spec, "restartPolicy", "a Job's pods must have restartPolicy OnFailure or Never");
  val_enum(spec, "restartPolicy",
           use == VAL_POD            ? any
           : use == VAL_POD_TEMPLATE ? always
                                     : finishing);
}

/* ---- resource totals ---- */

/* The pod's total of each resource in section ("requests" or "limits"),
 * summed over its containers as quota and the scheduler sum it, must fit an
 * int64: otherwise it wraps, and a pod asking for everything would count as
 * asking for little. The container whose value overflows the sum is named. */
static void validate_resource_totals(const val_obj *spec, const char *section) {
  _cleanup_json_ json_t *totals = json_object();
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(spec->json, "containers"), i, c) {
    val_obj ctr, res, sec;
    if (!val_enter_item(&ctr, spec, "containers", i) || !val_enter(&res, &ctr, "resources") ||
        !val_enter(&sec, &res, section))
      continue;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)sec.json, name, v) {
      json_t *total = json_object_get(totals, name); /* null once it overflowed */
      int64_t q, sum = json_integer_value(total);
      if (json_is_null(total) || !val_quantity_parse(name, v, &q))
        continue;
      bool fits = tug_quantity_add(sum, q, &sum);
      if (!fits)
        val_invalid(&sec, val_bracket(name).s, v,
                    "the pod's total %s of %s over its containers is too large to count", section,
                    name);
      json_object_set_new(totals, name, fits ? json_integer(sum) : json_null());
    }
  }
}

static void validate_container_lists(const val_obj *spec) {
  json_t *names = json_object();
  json_t *containers = json_object_get(spec->json, "containers");
  if (!val_present(spec, "containers") ||
      (json_is_array(containers) && json_array_size(containers) == 0))
    val_required(spec, "containers", NULL);
  val_containers(spec, "containers", names);
  val_containers(spec, "initContainers", names);
  json_decref(names);
}

void val_pod_spec(const val_obj *spec, val_pod_use use) {
  static const char *const dns_policies[] = {"ClusterFirst", "ClusterFirstWithHostNet", "Default",
                                             "None", NULL};
  validate_container_lists(spec);
  validate_resource_totals(spec, "requests");
  validate_resource_totals(spec, "limits");
  validate_restart_policy(spec, use);
  val_int_min(spec, "terminationGracePeriodSeconds", 0, NULL);
  val_int_between(spec, "activeDeadlineSeconds", 1, INT32_MAX, NULL);
  val_enum(spec, "dnsPolicy", dns_policies);
  val_label_map(spec, "nodeSelector");
  val_subdomain(spec, "nodeName");
  val_subdomain(spec, "priorityClassName");
  val_subdomain(spec, "schedulerName");
  val_subdomain(spec, "serviceAccountName");
  val_int_between(spec, "priority", INT32_MIN, INT32_MAX, NULL);
  val_pod_security(spec);
  validate_tolerations(spec);
}

static void default_container_list(json_t *list, val_pod_use use) {
  for (size_t i = 0; i < json_array_size(list); i++)
    val_default_container(json_array_get(list, i), use == VAL_POD);
}

void val_default_pod_spec(json_t *spec, val_pod_use use) {
  if (!json_is_object(spec))
    return;
  /* A Job's template has no default: its pods must be told how to finish. */
  if (use != VAL_JOB_TEMPLATE)
    val_default(spec, "restartPolicy", json_string("Always"));
  val_default(spec, "terminationGracePeriodSeconds", json_integer(30));
  val_default(spec, "dnsPolicy", json_string("ClusterFirst"));
  val_default(spec, "schedulerName", json_string("default-scheduler"));
  default_container_list(json_object_get(spec, "containers"), use);
  default_container_list(json_object_get(spec, "initContainers"), use);
}

/* ---- templates ---- */

void val_pod_template(const val_obj *workload_spec, val_pod_use use) {
  val_obj tmpl, meta, spec;
  if (!val_enter(&tmpl, workload_spec, "template")) {
    if (!val_present(workload_spec, "template"))
      val_required(workload_spec, "template", NULL);
    return;
  }
  if (val_enter(&meta, &tmpl, "metadata"))
    val_labels_and_annotations(&meta);
  if (val_enter(&spec, &tmpl, "spec") || !val_present(&tmpl, "spec"))
    val_pod_spec(&spec, use);
}

void val_default_pod_template(json_t *workload_spec, val_pod_use use) {
  json_t *tmpl = json_object_get(workload_spec, "template");
  val_default_pod_spec(json_object_get(tmpl, "spec"), use);
}

/* ---- Pod ---- */

void api_default_pod(json_t *obj) {
  val_default_pod_spec(json_object_get(obj, "spec"), VAL_POD);
}

static void validate_node_name_update(const val_obj *spec, const json_t *old_spec) {
  const char *before = json_string_value(json_object_get(old_spec, "nodeName"));
  const char *now = json_string_value(json_object_get(spec->json, "nodeName"));
  if (before && *before && (now == NULL || strcmp(now, before) != 0))
    val_forbidden(spec, "nodeName", "may not be changed once set (was \"%s\")", before);
}

static void validate_deadline_update(const val_obj *spec, const json_t *old_spec) {
  json_t *before = json_object_get(old_spec, "activeDeadlineSeconds");
  json_t *now = json_object_get(spec->json, "activeDeadlineSeconds");
  if (!json_is_integer(before))
    return;
  if (now == NULL || json_is_null(now))
    val_invalid(spec, "activeDeadlineSeconds", now,
                "must not update from a positive integer to nil value");
  else if (json_is_integer(now) && json_integer_value(now) > json_integer_value(before))
    val_invalid(spec, "activeDeadlineSeconds", now, "must be less than or equal to previous value");
}

/* Kubernetes lets tolerationSeconds change; the rest of an existing toleration stays. */
static bool same_toleration(const json_t *a, const json_t *b) {
  static const char *const keys[] = {"key", "operator", "value", "effect"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    json_t *x = json_object_get(a, keys[i]), *y = json_object_get(b, keys[i]);
    if (!(x == y || (x && y && json_equal(x, y))))
      return false;
  }
  return true;
}

static void validate_tolerations_update(const val_obj *spec, const json_t *old_spec) {
  json_t *before = json_object_get(old_spec, "tolerations");
  json_t *now = json_object_get(spec->json, "tolerations");
  for (size_t i = 0; i < json_array_size(before); i++) {
    bool kept = false;
    for (size_t j = 0; j < json_array_size(now) && !kept; j++)
      kept = same_toleration(json_array_get(before, i), json_array_get(now, j));
    if (!kept) {
      val_forbidden(spec, "tolerations",
                    "existing toleration can not be modified except its "
                    "tolerationSeconds, nor removed");
      return;
    }
  }
}

/* A copy of spec without what the rules above check on their own. */
static json_t *frozen_part(const json_t *spec) {
  static const char *const lists[] = {"containers", "initContainers"};
  json_t *copy = json_deep_copy(spec);
  json_object_del(copy, "activeDeadlineSeconds");
  json_object_del(copy, "tolerations");
  json_object_del(copy, "nodeName");
  for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
    json_t *list = json_object_get(copy, lists[l]);
    for (size_t i = 0; i < json_array_size(list); i++)
      json_object_del(json_array_get(list, i), "image");
  }
  return copy;
}

static void validate_pod_update(const val_obj *root, const json_t *old) {
  json_t *old_spec = json_object_get(old, "spec");
  val_obj spec;
  if (!json_is_object(old_spec) || !val_enter(&spec, root, "spec"))
    return;
  validate_node_name_update(&spec, old_spec);
  validate_deadline_update(&spec, old_spec);
  validate_tolerations_update(&spec, old_spec);
  json_t *now = frozen_part(spec.json), *before = frozen_part(old_spec);
  if (!json_equal(now, before))
    val_forbidden(root, "spec",
                  "pod updates may not change fields other than `spec.containers[*].image`,"
                  "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                  "`spec.tolerations` (only additions to existing tolerations),"
                  "`spec.nodeName` (only to set it once)");
  json_decref(now);
  json_decref(before);
}

void api_validate_pod(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec;
  val_root(&root, obj, causes);
  /* An absent spec is an empty one (containers are missing); a wrong one is all we say. */
  if (val_enter(&spec, &root, "spec") || !val_present(&root, "spec"))
    val_pod_spec(&spec, VAL_POD);
  if (old)
    validate_pod_update(&root, old);
}
