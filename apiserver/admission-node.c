/*
 * admission-node.c — Kubernetes' NodeRestriction, and the rule that a pod's
 * end is final.
 *
 * An agent (system:node:NAME) may create and change only its own Node and
 * Lease, and never creates pods (the node authorizer already keeps it to its own pods'
 * status and its own objects). A pod that reached Succeeded or Failed never
 * leaves that phase, whoever asks (422): its quota was given back and its
 * controller replaced it. Who may put a pod in such a phase: its own node;
 * the controllers, for a pod no node ever started (unbound, or no
 * status.startTime); and the cluster's masters, who may do anything. Anyone
 * else could free a running pod's quota by writing its status.
 */
#include <stdio.h>
#include <string.h>

#include "admission.h"
#include "modify.h"
#include "object.h"
#include "status.h"

static const char NODE_PREFIX[] = "system:node:";
static const char CONTROLLERS[] = "system:kube-controller-manager";

/* The node a user is the agent of, or NULL. */
static const char *node_of(const api_user *u) {
  if (!api_user_in_group(u, "system:nodes") ||
      strncmp(u->name, NODE_PREFIX, sizeof NODE_PREFIX - 1) != 0)
    return NULL;
  return u->name + sizeof NODE_PREFIX - 1;
}

static bool terminal_phase(const char *phase) {
  return phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0);
}

static int forbid(api_response *out, const json_t *pod, const char *why) {
  json_decref(out->body);
  out->code = 403;
  out->body =
      api_status(403, "Forbidden",
                 api_status_details(api_kind_by_resource("", "v1", "pods"), tug_obj_name(pod)),
                 "pods \"%s\" is forbidden: %s", tug_obj_name(pod) ?: "", why);
  return -1;
}

static bool may_end(const api_user *u, const json_t *old) {
  if (api_user_in_group(u, "system:masters"))
    return true;
  const char *bound = tug_obj_get_str(old, "spec.nodeName");
  const char *node = node_of(u);
  if (node && bound && strcmp(node, bound) == 0)
    return true;
  bool never_started = bound == NULL || bound[0] == '\0' || !tug_obj_get(old, "status.startTime");
  return strcmp(u->name, CONTROLLERS) == 0 && never_started;
}

static int admit_phase(api_request *r, const json_t *pod, const json_t *old, api_response *out) {
  const char *was = tug_obj_get_str(old, "status.phase");
  const char *now = tug_obj_get_str(pod, "status.phase");
  if (terminal_phase(was) && (now == NULL || strcmp(was, now) != 0)) {
    json_t *causes = json_array();
    api_cause(causes, "FieldValueForbidden", "status.phase",
              "Forbidden: may not change from the terminal phase %s to %s", was,
              now ? now : "\"\"");
    return api_invalid(api_kind_by_resource("", "v1", "pods"), pod, causes, out);
  }
  if (!terminal_phase(was) && terminal_phase(now) && !may_end(&r->user, old)) {
    char why[256];
    snprintf(why, sizeof why, "User \"%s\" may not set the phase %s: only the pod's node may",
             r->user.name, now);
    return forbid(out, pod, why);
  }
  return 0;
}

int api_admit_pod_request(api_request *r, const json_t *pod, const json_t *old, api_response *out) {
  if (old == NULL)
    return node_of(&r->user) ? forbid(out, pod, "a node may not create pods") : 0;
  return admit_phase(r, pod, old, out);
}

/* An agent writes only the object of kind plural named after its node. */
static int own_object(api_request *r, const json_t *obj, const char *plural, api_response *out) {
  const char *me = node_of(&r->user);
  const char *name = tug_obj_name(obj);
  if (me == NULL || (name && strcmp(name, me) == 0))
    return 0;
  api_fail(out, 403, "%s \"%s\" is forbidden: node \"%s\" may only write its own", plural,
           name ? name : "", me);
  return -1;
}

int api_admit_node_request(api_request *r, const json_t *node, const json_t *old,
                           api_response *out) {
  (void)old;
  return own_object(r, node, "nodes", out);
}

int api_admit_lease_request(api_request *r, const json_t *lease, const json_t *old,
                            api_response *out) {
  (void)old;
  return own_object(r, lease, "leases.coordination.k8s.io", out);
}
