/*
 * agent-initorder.h — which of a pod's containers may start now: Kubernetes'
 * ordering of init containers, sidecars and app containers, as a pure
 * function of the containers' states (agent-podstatus.h).
 *
 * The one idea: init containers start one at a time in spec order, each only
 * once the one before it has done its part — a regular init container exited
 * 0, a sidecar (restartPolicy Always) runs and its startup probe passed — and
 * the app containers start once all of them have. The order governs a
 * container's first start only: one that ran before restarts on its own
 * back-off whatever the others do, so a sidecar keeps being restarted while a
 * later init container crash-loops, and a regular init container is never run
 * again once it succeeded. The kubelet reads the same facts from the last init
 * container that ran (computeInitContainerActions).
 *
 * The containers are passed as one array: init containers first, in spec
 * order, then the app containers (kind tells them apart).
 */
#ifndef TUG_AGENT_INITORDER_H
#define TUG_AGENT_INITORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "agent-podstatus.h"

/* No init container is due its first start. */
#define AGENT_INIT_NONE ((size_t)-1)

typedef struct agent_init_plan {
  size_t next;      /* the init container due its first start, or AGENT_INIT_NONE */
  bool initialized; /* every init container has done its part: app containers may start */
  bool failed;      /* a regular init container failed under restartPolicy Never: the pod fails */
  /* The pod's work is over — initialization failed, or no app container will
   * run again (restartPolicy OnFailure or Never and every one has ended for
   * good): sidecars are stopped and nothing starts any more. */
  bool finished;
} agent_init_plan;

agent_init_plan agent_init_plan_compute(const char *restart_policy, const agent_ctr_status *c,
                                        size_t n);

/* May the waiting container c[i] start now, as far as order goes? Its
 * back-off is the caller's concern. */
bool agent_init_plan_may_start(const agent_init_plan *plan, const agent_ctr_status *c, size_t i);

/* Does a container of this kind that exited with exit_code start again,
 * under the pod's restartPolicy (NULL: Always)? Sidecars always do; regular
 * init containers only after a failure and unless the policy is Never. */
bool agent_ctr_restarts(agent_ctr_kind kind, const char *restart_policy, int exit_code);

#endif
