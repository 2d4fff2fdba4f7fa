/*
 * deployment.h — the Deployment controller's internals shared by its files:
 * one reconcile's working state, and the status it computes.
 */
#ifndef TUG_CTL_DEPLOYMENT_H
#define TUG_CTL_DEPLOYMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctl.h"

#define CTL_REVISION_ANNOTATION "deployment.kubernetes.io/revision"
#define CTL_DESIRED_ANNOTATION "deployment.kubernetes.io/desired-replicas"
#define CTL_MAX_ANNOTATION "deployment.kubernetes.io/max-replicas"

typedef struct dep_sync {
  ctl_ctx *x;
  tug_controller *c;
  const char *key;
  const json_t *d;
  json_t *status;          /* the status being built (starts as a copy of d's) */
  json_t *new_rs;          /* our copy, or NULL */
  json_t *olds;            /* our copies, oldest first */
  int64_t replicas, surge, unavailable;
  bool scaled;             /* a ReplicaSet was created or resized in this step */
  tug_error *err;
} dep_sync;

/* The revision annotation of a ReplicaSet (0 when missing). */
int64_t ctl_rs_revision(const json_t *rs);

/* Kubernetes' DeploymentComplete: every replica updated and available, and
 * the status is of the current generation. */
bool ctl_deployment_complete(const json_t *d, const json_t *status);
/* Compute the counts and conditions into s->status and write it when it
 * changed; asks for another look when the progress deadline may pass. */
int ctl_deployment_write_status(dep_sync *s, tug_error *err);

#endif
