/*
 * podcontrol.c — creating and deleting an owner's pods with expectations and
 * Events (Kubernetes' PodControl), for the ReplicaSet and Job controllers.
 *
 * Expectations are raised before the writes and lowered again for each write
 * that fails, so the owner's next reconcile waits for exactly the pods the
 * informer has yet to show.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cleanup.h"
#include "ctl.h"
#include "object.h"

int ctl_create_pods(ctl_ctx *x, tug_controller *c, const char *key, const json_t *owner,
                    const json_t *tmpl, int n, tug_error *err) {
  tug_expectations *exp = tug_controller_expectations(c);
  tug_expectations_expect_creations(exp, key, n);
  char path[512];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods", tug_obj_namespace(owner));
  for (int i = 0; i < n; i++) {
    _cleanup_json_ json_t *pod = ctl_pod_from_template(tmpl, owner, tug_obj_name(owner));
    _cleanup_json_ json_t *made = NULL;
    if (tug_client_create(x->client, path, pod, &made, err) < 0) {
      for (int j = i; j < n; j++)
        tug_expectations_creation_observed(exp, key);
      tug_event_record(x->events, owner, "Warning", "FailedCreate", "Error creating: %s",
                       err->msg);
      return -1;
    }
    tug_event_record(x->events, owner, "Normal", "SuccessfulCreate", "Created pod: %s",
                     tug_obj_name(made));
  }
  return 0;
}

int ctl_delete_pods(ctl_ctx *x, tug_controller *c, const char *key, const json_t *owner,
                    json_t *pods, int n) {
  tug_expectations *exp = tug_controller_expectations(c);
  size_t count = json_array_size(pods);
  json_t **v = calloc(count ? count : 1, sizeof *v);
  if (v == NULL)
    return -1;
  for (size_t i = 0; i < count; i++)
    v[i] = json_array_get(pods, i);
  qsort(v, count, sizeof *v, ctl_pod_deletion_cmp);
  size_t k = (size_t)n < count ? (size_t)n : count;
  for (size_t i = 0; i < k; i++)
    tug_expectations_expect_deletion(exp, key, tug_obj_uid(v[i]));
  int rc = 0;
  for (size_t i = 0; i < k; i++) {
    tug_error err = {0};
    if (ctl_delete(x, v[i], NULL, &err) < 0) {
      tug_expectations_deletion_observed(exp, key, tug_obj_uid(v[i]));
      tug_event_record(x->events, owner, "Warning", "FailedDelete", "Error deleting: %s",
                       err.msg);
      rc = -1;
      continue;
    }
    tug_event_record(x->events, owner, "Normal", "SuccessfulDelete", "Deleted pod: %s",
                     tug_obj_name(v[i]));
  }
  free(v);
  return rc;
}
