/*
 * agent-podctl.h — the pod controller of the agent, client-go shaped.
 *
 * A lib/controller controller: a shared informer on the pods with
 * spec.nodeName = this node feeds a work queue of "ns/name" keys; worker
 * threads reconcile one key at a time, level-triggered, comparing the API's
 * pod with the local one (agent-pod.h). Its tick queues every local pod every
 * AGENT_STATUS_TICK_MS, so exits are noticed and status reported without a
 * watch event.
 *
 * Fencing: when the node's Lease has not been renewed for fence_after_s, the
 * control plane may soon evict this node's pods and start them elsewhere, so
 * the agent stops them itself (a grace of at most AGENT_FENCE_GRACE_S) and
 * starts nothing. Once the Lease is renewed again, a pod it stopped starts
 * again only if a fresh list from the API server still binds it here, not
 * deleted; any other waits until the informer shows it gone.
 */
#ifndef TUG_AGENT_PODCTL_H
#define TUG_AGENT_PODCTL_H

#include "agent-pod.h"
#include "controller.h"
#include "error.h"

enum { AGENT_STATUS_TICK_MS = 500, AGENT_PODCTL_WORKERS = 8, AGENT_FENCE_GRACE_S = 5 };

typedef struct agent_podctl agent_podctl;

typedef struct agent_podctl_options {
  const agent_pod_env *env; /* must outlive the controller */
  const char *node_name;
  int max_pods;
  double fence_after_s;              /* 0: never fence */
  double (*last_renewed)(void *arg); /* monotonic time of the last Lease renewal */
  void *renewed_arg;
} agent_podctl_options;

/* Start the informer, wait (up to 30 s) for its list and purge orphaned
 * sandboxes, then start the workers and the tick. */
int agent_podctl_start(const agent_podctl_options *o, agent_podctl **out, tug_error *err);
/* The controller, for its metrics. */
tug_controller *agent_podctl_controller(agent_podctl *m);
/* The images the pods bound to the node name (every container, whatever its
 * state: an image stays in use until its pod is gone): a new array of strings. */
json_t *agent_podctl_images(agent_podctl *m);
/* Stop every thread and free the controller; pods keep running. */
void agent_podctl_stop(agent_podctl *m);

#endif
