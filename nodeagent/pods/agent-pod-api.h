/*
 * agent-pod-api.h — what the agent writes about its pods through the API,
 * the same for real pods (agent-podctl.c, agent-pod.c) and hollow ones
 * (agent-hollow-pods.c): the status subresource, and the last DELETE that
 * lets a pod's object go once its containers are gone.
 */
#ifndef TUG_AGENT_POD_API_H
#define TUG_AGENT_POD_API_H

#include <jansson.h>

#include "error.h"
#include "http.h"

/* Merge-patch {"status": status} into pod ns/name's status subresource. */
int agent_pod_api_write_status(tug_client *c, const char *ns, const char *name,
                               const json_t *status, tug_error *err);

/* The kubelet's final DELETE: grace 0, and only the object the agent stopped
 * (a uid precondition), so a new pod of the same name is never touched. A
 * pod already gone or replaced is success. */
int agent_pod_api_delete_for_good(tug_client *c, const json_t *pod, tug_error *err);

#endif
