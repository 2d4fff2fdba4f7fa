/*
 * storage-bootstrap.c — the built-in StorageClass, made at start-up as the
 * default roles are: `local-path`, the cluster's default class, whose claims
 * the volume controller provisions as a directory on the node the claim's
 * first pod is placed on (WaitForFirstConsumer).
 *
 * It is created when missing and otherwise left alone, so that what an
 * administrator changed in it (the default annotation taken away) survives
 * a restart.
 */
#include <errno.h>

#include "log.h"
#include "object.h"
#include "registry.h"
#include "storage-bootstrap.h"
#include "storage.h"

#define LOCAL_PATH_CLASS "local-path"
#define LOCAL_PATH_PROVISIONER "tugboat.io/local-path"

static json_t *local_path_class(void) {
  return json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:s, s:s, s:s}", "apiVersion", "storage.k8s.io/v1",
                   "kind", "StorageClass", "metadata", "name", LOCAL_PATH_CLASS, "annotations",
                   "storageclass.kubernetes.io/is-default-class", "true", "provisioner",
                   LOCAL_PATH_PROVISIONER, "reclaimPolicy", "Delete", "volumeBindingMode",
                   "WaitForFirstConsumer");
}

int api_storage_bootstrap(api_server *s, tug_error *err) {
  const api_kind *k = api_kind_by_resource("storage.k8s.io", "v1", "storageclasses");
  json_t *cur = NULL;
  int64_t rev;
  if (api_storage_get(s, k, NULL, LOCAL_PATH_CLASS, &cur, &rev, err) == 0) {
    json_decref(cur);
    return 0;
  }
  if (err->code != ENOENT)
    return tug_error_wrap(err, "default storage class");
  tug_error_clear(err);
  json_t *want = local_path_class();
  char now[32], uid[40];
  tug_obj_set_uid(want, api_new_uid(uid, sizeof uid), NULL);
  tug_obj_set_str(want, "metadata.creationTimestamp", api_now(now, sizeof now), NULL);
  k->defaults(want);
  int rc = api_storage_create(s, k, want, NULL, err);
  json_decref(want);
  if (rc == 0)
    tug_info("created default storage class", "name=%s", LOCAL_PATH_CLASS);
  if (rc < 0 && err->code == TUG_E_CONFLICT)
    return tug_error_clear(err), 0;
  return rc < 0 ? tug_error_wrap(err, "default storage class") : 0;
}
