/*
 * podutil.c — what controllers ask of pods: active, ready, available, which
 * to delete first, and a new pod from a template (see ctl.h).
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "object.h"
#include "timestamp.h"
#include "pod-rules.h"

bool ctl_pod_active(const json_t *pod) {
  return !tug_pod_terminal(pod) && tug_obj_deletion_timestamp(pod) == NULL;
}

/* When the pod became Ready, in seconds since the epoch; 0 when unknown. */
static double ready_since(const json_t *pod) {
  json_t *c = ctl_condition(pod, "Ready");
  double t = tug_time_parse(json_string_value(json_object_get(c, "lastTransitionTime")));
  return t < 0 ? 0 : t;
}

double ctl_pod_available_in(const json_t *pod, int64_t min_ready, double now) {
  if (!tug_pod_ready(pod))
    return -1;
  if (min_ready <= 0)
    return 0;
  double since = ready_since(pod);
  double left = since + (double)min_ready - now;
  return left > 0 ? left : 0;
}

bool ctl_pod_available(const json_t *pod, int64_t min_ready, double now) {
  return ctl_pod_available_in(pod, min_ready, now) == 0;
}

/* ---- deletion order ---- */

static int phase_rank(const json_t *pod) {
  const char *phase = tug_obj_get_str(pod, "status.phase");
  if (phase == NULL || strcmp(phase, "Pending") == 0)
    return 0;
  if (strcmp(phase, "Unknown") == 0)
    return 1;
  return 2; /* Running */
}

static int64_t restarts(const json_t *pod) {
  int64_t n = 0;
  size_t i;
  json_t *cs;
  json_array_foreach(tug_obj_get(pod, "status.containerStatuses"), i, cs) {
    json_t *r = json_object_get(cs, "restartCount");
    if (json_is_integer(r) && json_integer_value(r) > n)
      n = json_integer_value(r);
  }
  return n;
}

static int cmp_num(double a, double b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/* Negative when a should be deleted before b. */
int ctl_pod_deletion_cmp(const void *pa, const void *pb) {
  const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
  const char *na = tug_obj_get_str(a, "spec.nodeName"), *nb = tug_obj_get_str(b, "spec.nodeName");
  bool sa = na && na[0], sb = nb && nb[0];
  if (sa != sb)
    return sa ? 1 : -1; /* unscheduled first */
  int ra = phase_rank(a), rb = phase_rank(b);
  if (ra != rb)
    return ra - rb; /* pending, unknown, then running */
  bool ya = tug_pod_ready(a), yb = tug_pod_ready(b);
  if (ya != yb)
    return ya ? 1 : -1; /* not ready first */
  int c;
  if (ya && (c = cmp_num(ready_since(b), ready_since(a))) != 0)
    return c; /* ready for less time first */
  if ((c = cmp_num((double)restarts(b), (double)restarts(a))) != 0)
    return c; /* more restarts first */
  double ta = tug_time_parse(tug_obj_get_str(a, "metadata.creationTimestamp"));
  double tb = tug_time_parse(tug_obj_get_str(b, "metadata.creationTimestamp"));
  if ((c = cmp_num(tb, ta)) != 0)
    return c; /* newer first */
  const char *ma = tug_obj_name(a), *mb = tug_obj_name(b);
  return strcmp(ma ? ma : "", mb ? mb : "");
}

/* ---- new pods ---- */

json_t *ctl_pod_from_template(const json_t *template, const json_t *owner, const char *prefix) {
  json_t *meta = json_deep_copy(json_object_get(template, "metadata"));
  if (!json_is_object(meta)) {
    json_decref(meta);
    meta = json_object();
  }
  char gen[300];
  snprintf(gen, sizeof gen, "%.240s-", prefix);
  json_object_del(meta, "name");
  json_object_set_new(meta, "generateName", json_string(gen));
  json_object_set_new(meta, "namespace", json_string(tug_obj_namespace(owner)));
  json_object_set_new(meta, "ownerReferences", json_pack("[o]", tug_controller_ref_new(owner)));
  json_t *spec = json_deep_copy(json_object_get(template, "spec"));
  return json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "v1", "kind", "Pod", "metadata", meta,
                   "spec", spec ? spec : json_object());
}
