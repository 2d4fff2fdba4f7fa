/*
 * strategy-pod.c — how Pods differ from other kinds (see api_strategy in
 * registry.h): they start Pending, get their ServiceAccount's token volume,
 * LimitRange defaults and their priority at admission, are what Pod Security checks, count against
 * cpu and memory quota until they finish, and a delete gives them a grace period while a node may
 * still be running them.
 */
#include <jansson.h>

#include "admission.h"
#include "object.h"
#include "pod-rules.h"
#include "registry.h"

static void prepare_create(json_t *pod) {
  json_object_set_new(pod, "status", json_pack("{s:s}", "phase", "Pending"));
}

static int admit_create(struct api_server *s, json_t *pod, struct api_response *out) {
  if (api_admit_pod_serviceaccount(s, pod, out) < 0)
    return -1;
  return api_admit_pod_defaults(s, pod, out);
}

/* Only a pod that may be running on a node waits: its agent stops it, then
 * deletes it with grace 0. */
static int64_t delete_grace(const json_t *pod, int64_t requested) {
  const char *node = tug_obj_get_str(pod, "spec.nodeName");
  if (node == NULL || node[0] == '\0' || tug_pod_terminal(pod))
    return 0;
  if (requested >= 0)
    return requested;
  return tug_obj_get_int(pod, "spec.terminationGracePeriodSeconds", 30);
}

static const char *const selectable[] = {
    "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",       "spec.serviceAccountName",
    "status.phase",  "status.podIP",       "status.nominatedNodeName", NULL};

const api_strategy api_strategy_pod = {
    .prepare_create = prepare_create,
    .admit_create = admit_create,
    .admit_request = api_admit_pod_request,
    .delete_grace = delete_grace,
    .pod_template = "",
    .selectable_fields = selectable,
    /* The node authorizer asks for a node's pods on every request an agent makes. */
    .indexed_field = "spec.nodeName",
};
