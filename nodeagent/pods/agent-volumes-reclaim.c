/*
 * agent-volumes-reclaim.c — the node's half of reclaim policy Delete: when
 * a local-path PersistentVolume pinned to this node is deleted, its
 * directory is removed here, then the tugboat.io/local-path-cleanup
 * finalizer that held the object is taken away (agent-volumes.h).
 *
 * Level-triggered like every controller: a volume whose directory is gone
 * already loses its finalizer all the same, so an agent restart in between
 * finishes the job.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent-volumes-internal.h"
#include "cleanup.h"
#include "log.h"
#include "object.h"
#include "runtime-internal.h"
#include "volume-rules.h"

struct agent_pv_reclaimer {
  tug_client *client;
  const char *node, *root;
  tug_shared_informer *si;
  tug_controller *c;
};

static bool has_finalizer(const json_t *pv) {
  size_t i;
  json_t *f;
  json_array_foreach(tug_obj_get(pv, "metadata.finalizers"), i, f) {
    if (json_is_string(f) && strcmp(json_string_value(f), TUG_FINALIZER_LOCAL_PATH) == 0)
      return true;
  }
  return false;
}

static int release_finalizer(agent_pv_reclaimer *r, const json_t *pv, tug_error *err) {
  json_t *kept = json_array();
  size_t i;
  json_t *f;
  json_array_foreach(tug_obj_get(pv, "metadata.finalizers"), i, f) {
    if (!json_is_string(f) || strcmp(json_string_value(f), TUG_FINALIZER_LOCAL_PATH) != 0)
      json_array_append(kept, f);
  }
  char path[512];
  snprintf(path, sizeof path, "/api/v1/persistentvolumes/%s", tug_obj_name(pv));
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:o, s:O}}", "metadata", "finalizers", kept, "resourceVersion",
                tug_obj_get(pv, "metadata.resourceVersion"));
  return tug_client_patch(r->client, path, TUG_PATCH_MERGE, patch, NULL, err) < 0 ? -1 : 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  agent_pv_reclaimer *r = arg;
  _cleanup_json_ json_t *pv = tug_informer_get(tug_shared_informer_informer(r->si), key);
  const char *node = tug_volume_node(pv), *dir = tug_obj_get_str(pv, "spec.local.path");
  if (pv == NULL || !tug_obj_deletion_timestamp(pv) || !has_finalizer(pv) || node == NULL ||
      strcmp(node, r->node) != 0)
    return 0;
  /* only what this agent provisioned: beneath its own root, never elsewhere */
  if (dir && agent_host_path_rel(r->root, dir) && agent_rm_rf(dir, err) < 0)
    return tug_error_wrap(err, "remove volume %s", key);
  tug_info("removed local-path volume", "volume=%s dir=%s", key, dir ? dir : "");
  return release_finalizer(r, pv, err);
}

int agent_pv_reclaimer_start(tug_client *client, const char *node, const char *root,
                             agent_pv_reclaimer **out, tug_error *err) {
  agent_pv_reclaimer *r = calloc(1, sizeof *r);
  if (r == NULL)
    return tug_error_errno(err, ENOMEM, "volume reclaimer");
  *r = (agent_pv_reclaimer){.client = client, .node = node, .root = root};
  tug_controller_options o = {.name = "local-path-reclaim", .reconcile = reconcile, .arg = r};
  if ((r->si = tug_shared_informer_new(client, "/api/v1/persistentvolumes", err)) == NULL ||
      (r->c = tug_controller_new(&o, err)) == NULL ||
      tug_controller_watch(r->c, r->si, err) < 0 || tug_shared_informer_start(r->si, err) < 0 ||
      tug_controller_start(r->c, err) < 0) {
    agent_pv_reclaimer_stop(r);
    return -1;
  }
  *out = r;
  return 0;
}

void agent_pv_reclaimer_stop(agent_pv_reclaimer *r) {
  if (r == NULL)
    return;
  tug_controller_stop(r->c);
  tug_shared_informer_free(r->si);
  tug_controller_free(r->c);
  free(r);
}
