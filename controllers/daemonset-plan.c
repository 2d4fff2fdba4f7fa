/*
 * daemonset-plan.c — which nodes run daemon pods and how an update moves
 * (see daemonset-plan.h).
 */
#include "daemonset-plan.h"

#include <string.h>

#include "node-affinity.h"
#include "object.h"
#include "pod-rules.h"

static const struct {
  const char *key, *effect;
} daemon_tolerations[] = {
    {"node.kubernetes.io/not-ready", "NoExecute"},
    {"node.kubernetes.io/unreachable", "NoExecute"},
    {"node.kubernetes.io/disk-pressure", "NoSchedule"},
    {"node.kubernetes.io/memory-pressure", "NoSchedule"},
    {"node.kubernetes.io/pid-pressure", "NoSchedule"},
    {"node.kubernetes.io/unschedulable", "NoSchedule"},
};
#define NETWORK_UNAVAILABLE "node.kubernetes.io/network-unavailable"

static bool has_toleration(const json_t *list, const char *key, const char *effect) {
  size_t i;
  json_t *t;
  json_array_foreach(list, i, t) {
    const char *k = tug_obj_get_str(t, "key"), *e = tug_obj_get_str(t, "effect");
    const char *op = tug_obj_get_str(t, "operator");
    if (k && strcmp(k, key) == 0 && e && strcmp(e, effect) == 0 && op && strcmp(op, "Exists") == 0)
      return true;
  }
  return false;
}

static void add_toleration(json_t *list, const char *key, const char *effect) {
  if (!has_toleration(list, key, effect))
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:s}", "key", key, "operator", "Exists", "effect", effect));
}

void ctl_ds_add_tolerations(json_t *pod_spec) {
  json_t *list = json_object_get(pod_spec, "tolerations");
  if (!json_is_array(list))
    json_object_set_new(pod_spec, "tolerations", list = json_array());
  for (size_t i = 0; i < sizeof daemon_tolerations / sizeof daemon_tolerations[0]; i++)
    add_toleration(list, daemon_tolerations[i].key, daemon_tolerations[i].effect);
  if (json_is_true(json_object_get(pod_spec, "hostNetwork")))
    add_toleration(list, NETWORK_UNAVAILABLE, "NoSchedule");
}

void ctl_ds_pin_to_node(json_t *pod_spec, const char *node) {
  json_t *term = json_pack("{s:[{s:s, s:s, s:[s]}]}", "matchFields", "key", "metadata.name",
                           "operator", "In", "values", node);
  json_t *affinity = json_object_get(pod_spec, "affinity");
  if (!json_is_object(affinity))
    json_object_set_new(pod_spec, "affinity", affinity = json_object());
  json_t *na = json_object_get(affinity, "nodeAffinity");
  if (!json_is_object(na))
    json_object_set_new(affinity, "nodeAffinity", na = json_object());
  json_object_set_new(na, "requiredDuringSchedulingIgnoredDuringExecution",
                      json_pack("{s:[o]}", "nodeSelectorTerms", term));
}

const char *ctl_ds_pod_node(const json_t *pod) {
  const char *bound = tug_obj_get_str(pod, "spec.nodeName");
  if (bound && bound[0])
    return bound;
  const json_t *terms =
      tug_obj_get(pod, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
                       "nodeSelectorTerms");
  const json_t *field = json_array_get(json_object_get(json_array_get(terms, 0), "matchFields"), 0);
  const char *key = tug_obj_get_str(field, "key"), *op = tug_obj_get_str(field, "operator");
  json_t *values = json_object_get(field, "values");
  if (json_array_size(terms) != 1 || !key || strcmp(key, "metadata.name") != 0 || !op ||
      strcmp(op, "In") != 0 || json_array_size(values) != 1)
    return NULL;
  return json_string_value(json_array_get(values, 0));
}

/* Every taint of node with one of the effects tolerated by list. */
static bool taints_tolerated(const json_t *list, const json_t *node, bool no_schedule_too) {
  size_t i, j;
  json_t *taint, *t;
  json_array_foreach(tug_obj_get(node, "spec.taints"), i, taint) {
    const char *effect = tug_obj_get_str(taint, "effect");
    bool counts = effect && (strcmp(effect, "NoExecute") == 0 ||
                             (no_schedule_too && strcmp(effect, "NoSchedule") == 0));
    if (!counts)
      continue;
    bool ok = false;
    json_array_foreach(list, j, t) {
      tug_toleration to;
      tug_toleration_parse(t, &to);
      ok = ok || tug_toleration_matches(&to, tug_obj_get_str(taint, "key"),
                                        tug_obj_get_str(taint, "value"), effect);
    }
    if (!ok)
      return false;
  }
  return true;
}

void ctl_ds_should_run(const json_t *pod_spec, const json_t *node, bool *run, bool *keep) {
  const char *name = tug_obj_name(node), *want = tug_obj_get_str(pod_spec, "nodeName");
  *run = *keep = false;
  if ((want && want[0] && strcmp(want, name) != 0) ||
      !tug_node_affinity_matches(pod_spec, name, tug_obj_labels(node)))
    return;
  json_t *spec = json_deep_copy(pod_spec);
  if (spec == NULL)
    return;
  ctl_ds_add_tolerations(spec);
  const json_t *list = json_object_get(spec, "tolerations");
  *keep = taints_tolerated(list, node, false);
  *run = *keep && taints_tolerated(list, node, true);
  json_decref(spec);
}

static int update_without_surge(ctl_ds_update_node *nodes, size_t n, int64_t max_unavailable) {
  int64_t unavailable = 0;
  int decided = 0;
  for (size_t i = 0; i < n; i++) {
    ctl_ds_update_node *d = &nodes[i];
    if (d->has_old == d->has_new || (d->has_new && !d->new_available))
      unavailable++; /* missing, doubled, or new and not yet available */
  }
  for (size_t i = 0; i < n; i++) {
    ctl_ds_update_node *d = &nodes[i];
    if (!d->has_old || d->has_new)
      continue;
    if (!d->old_available || unavailable < max_unavailable) {
      unavailable += d->old_available;
      d->delete_old = true;
      decided++;
    }
  }
  return decided;
}

static int update_with_surge(ctl_ds_update_node *nodes, size_t n, int64_t max_surge) {
  int64_t surging = 0;
  int decided = 0;
  for (size_t i = 0; i < n; i++)
    surging += nodes[i].has_old && nodes[i].has_new && !nodes[i].new_available;
  for (size_t i = 0; i < n; i++) {
    ctl_ds_update_node *d = &nodes[i];
    if (d->has_old && d->has_new && d->new_available) {
      d->delete_old = true;
      decided++;
    } else if (d->has_old && !d->has_new && (!d->old_available || surging < max_surge)) {
      surging += d->old_available;
      d->create_new = true;
      decided++;
    }
  }
  return decided;
}

int ctl_ds_rolling_update(ctl_ds_update_node *nodes, size_t n, int64_t max_unavailable,
                          int64_t max_surge) {
  if (max_surge > 0)
    return update_with_surge(nodes, n, max_surge);
  return update_without_surge(nodes, n, max_unavailable > 0 ? max_unavailable : 1);
}
