/*
 * agent-pod-api.c — the agent's writes about its pods (see agent-pod-api.h).
 */
#include "agent-pod-api.h"

#include <errno.h>
#include <stdio.h>

#include "cleanup.h"
#include "object.h"

int agent_pod_api_write_status(tug_client *c, const char *ns, const char *name,
                               const json_t *status, tug_error *err) {
  char path[1024];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s/status", ns, name);
  _cleanup_json_ json_t *patch = json_pack("{s:O}", "status", status);
  if (patch == NULL)
    return tug_error_errno(err, ENOMEM, "build status of pod %s/%s", ns, name);
  if (tug_client_patch(c, path, TUG_PATCH_MERGE, patch, NULL, err) < 0)
    return tug_error_wrap(err, "write status of pod %s/%s", ns, name);
  return 0;
}

int agent_pod_api_delete_for_good(tug_client *c, const json_t *pod, tug_error *err) {
  const char *ns = tug_obj_namespace(pod), *name = tug_obj_name(pod);
  char path[1024];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s", ns, name);
  tug_delete_options opts = {.uid = tug_obj_uid(pod), .grace_set = true, .grace_seconds = 0};
  if (tug_client_delete_with(c, path, &opts, err) < 0 && err->code != ENOENT &&
      err->code != TUG_E_CONFLICT)
    return tug_error_wrap(err, "delete pod %s/%s", ns, name);
  tug_error_clear(err);
  return 0;
}
