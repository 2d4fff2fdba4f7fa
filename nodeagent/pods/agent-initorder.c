/*
 * agent-initorder.c — the start order of a pod's containers (see
 * agent-initorder.h). Pure: no clock, no I/O.
 */
#include "agent-initorder.h"

#include <string.h>

static bool policy_is(const char *restart_policy, const char *want) {
  return strcmp(restart_policy ? restart_policy : "Always", want) == 0;
}

/* Has init container c done its part for the ones after it? */
static bool init_done(const agent_ctr_status *c) {
  if (c->kind == AGENT_CTR_SIDECAR)
    return c->state == AGENT_CTR_RUNNING && !c->unstarted;
  return c->state == AGENT_CTR_TERMINATED && c->term.exit_code == 0;
}

/* No app container will run again: each ended and the policy keeps it so. */
static bool apps_finished(const char *restart_policy, const agent_ctr_status *c, size_t n) {
  size_t apps = 0;
  if (policy_is(restart_policy, "Always"))
    return false;
  for (size_t i = 0; i < n; i++) {
    if (c[i].kind != AGENT_CTR_APP)
      continue;
    if (c[i].state != AGENT_CTR_TERMINATED)
      return false;
    apps++;
  }
  return apps > 0;
}

agent_init_plan agent_init_plan_compute(const char *restart_policy, const agent_ctr_status *c,
                                        size_t n) {
  agent_init_plan plan = {.next = AGENT_INIT_NONE};
  size_t n_init = 0, last = AGENT_INIT_NONE;
  bool app_ran = false;
  for (size_t i = 0; i < n; i++) {
    if (c[i].kind == AGENT_CTR_APP) {
      app_ran |= agent_ctr_has_run(&c[i]);
      continue;
    }
    n_init++;
    if (agent_ctr_has_run(&c[i]))
      last = i;
    /* Only a policy of Never leaves a failed init container terminated. */
    if (c[i].kind == AGENT_CTR_INIT && c[i].state == AGENT_CTR_TERMINATED &&
        c[i].term.exit_code != 0)
      plan.failed = true;
  }
  /* An app container that ran means initialization was over once; only the
   * sidecars are kept running from then on. */
  if (app_ran || n_init == 0)
    plan.initialized = true;
  else if (last == AGENT_INIT_NONE)
    plan.next = 0;
  else if (!plan.failed && init_done(&c[last])) {
    if (last + 1 == n_init)
      plan.initialized = true;
    else
      plan.next = last + 1;
  }
  if (plan.failed)
    plan.initialized = false;
  plan.finished = plan.failed || apps_finished(restart_policy, c, n);
  return plan;
}

bool agent_init_plan_may_start(const agent_init_plan *plan, const agent_ctr_status *c, size_t i) {
  if (plan->finished)
    return false;
  if (c[i].kind == AGENT_CTR_APP)
    return plan->initialized;
  return agent_ctr_has_run(&c[i]) || i == plan->next;
}

bool agent_ctr_restarts(agent_ctr_kind kind, const char *restart_policy, int exit_code) {
  switch (kind) {
  case AGENT_CTR_SIDECAR:
    return true;
  case AGENT_CTR_INIT:
    return exit_code != 0 && !policy_is(restart_policy, "Never");
  case AGENT_CTR_APP:
    break;
  }
  return policy_is(restart_policy, "Always") ||
         (policy_is(restart_policy, "OnFailure") && exit_code != 0);
}
