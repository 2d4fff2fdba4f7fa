/*
 * disruption.c — see disruption.h.
 */
#include "disruption.h"

#include <string.h>

#include "object.h"
#include "pod-rules.h"
#include "selector.h"

bool tug_pdb_selects(const json_t *pdb, const json_t *pod) {
  json_t *sel = tug_obj_get(pdb, "spec.selector");
  if (!json_is_object(sel))
    return false;
  tug_selector *s = NULL;
  tug_error err = {0};
  if (tug_selector_from_match_labels(json_object_get(sel, "matchLabels"),
                                     json_object_get(sel, "matchExpressions"), &s, &err) < 0)
    return false;
  bool match = tug_selector_matches(s, tug_obj_labels(pod));
  tug_selector_free(s);
  return match;
}

bool tug_eviction_ignores_budgets(const json_t *pod) {
  const char *phase = tug_obj_get_str(pod, "status.phase");
  return tug_pod_terminal(pod) || (phase && strcmp(phase, "Pending") == 0) ||
         tug_obj_deletion_timestamp(pod) != NULL;
}

/* An unhealthy pod goes freely when the budget allows it outright or is met
 * without it. */
static bool unhealthy_goes_free(const json_t *pdb) {
  const char *policy = tug_obj_get_str(pdb, "spec.unhealthyPodEvictionPolicy");
  if (policy && strcmp(policy, "AlwaysAllow") == 0)
    return true;
  int64_t healthy = tug_obj_get_int(pdb, "status.currentHealthy", 0);
  int64_t desired = tug_obj_get_int(pdb, "status.desiredHealthy", 0);
  return desired > 0 && healthy >= desired;
}

tug_eviction_verdict tug_eviction_decide(const json_t *pdb, const json_t *pod) {
  if (!tug_pod_ready(pod) && unhealthy_goes_free(pdb))
    return TUG_EVICT_ALLOW;
  if (tug_obj_get_int(pdb, "status.observedGeneration", 0) <
      tug_obj_get_int(pdb, "metadata.generation", 0))
    return TUG_EVICT_STALE;
  int64_t allowed = tug_obj_get_int(pdb, "status.disruptionsAllowed", 0);
  if (allowed < 0)
    return TUG_EVICT_NEGATIVE;
  if (json_object_size(tug_obj_get(pdb, "status.disruptedPods")) > TUG_PDB_MAX_DISRUPTED_PODS)
    return TUG_EVICT_UNCONFIRMED;
  return allowed == 0 ? TUG_EVICT_EXHAUSTED : TUG_EVICT_SPEND;
}

void tug_pdb_spend(json_t *pdb, const char *pod_name, const char *now) {
  int64_t allowed = tug_obj_get_int(pdb, "status.disruptionsAllowed", 0) - 1;
  tug_obj_set(pdb, "status.disruptionsAllowed", json_integer(allowed), NULL);
  json_t *disrupted = tug_obj_get(pdb, "status.disruptedPods");
  if (!json_is_object(disrupted)) {
    disrupted = json_object();
    tug_obj_set(pdb, "status.disruptedPods", disrupted, NULL);
  }
  json_object_set_new(disrupted, pod_name, json_string(now));
  if (allowed == 0)
    tug_pdb_set_condition(pdb, NULL, NULL, now);
}

/* status.conditions, created when missing; the DisruptionAllowed entry, appended when missing. */
static json_t *allowed_condition(json_t *pdb) {
  json_t *conds = tug_obj_get(pdb, "status.conditions");
  if (!json_is_array(conds)) {
    conds = json_array();
    tug_obj_set(pdb, "status.conditions", conds, NULL);
  }
  size_t i;
  json_t *c;
  json_array_foreach(conds, i, c) {
    const char *type = json_string_value(json_object_get(c, "type"));
    if (type && strcmp(type, "DisruptionAllowed") == 0)
      return c;
  }
  c = json_pack("{s:s}", "type", "DisruptionAllowed");
  json_array_append_new(conds, c);
  return c;
}

void tug_pdb_set_condition(json_t *pdb, const char *reason, const char *message, const char *now) {
  bool ok = reason == NULL && tug_obj_get_int(pdb, "status.disruptionsAllowed", 0) > 0;
  if (reason == NULL)
    reason = ok ? "SufficientPods" : "InsufficientPods";
  const char *status = ok ? "True" : "False";
  json_t *c = allowed_condition(pdb);
  const char *was = json_string_value(json_object_get(c, "status"));
  if (was == NULL || strcmp(was, status) != 0)
    json_object_set_new(c, "lastTransitionTime", json_string(now));
  json_object_set_new(c, "status", json_string(status));
  json_object_set_new(c, "reason", json_string(reason));
  json_object_set_new(c, "message", json_string(message ? message : ""));
  json_object_set_new(c, "observedGeneration",
                      json_integer(tug_obj_get_int(pdb, "status.observedGeneration", 0)));
}
