/*
 * agent-volumes.h — a pod's volumes on this node, and the mounts of one
 * container resolved against them.
 *
 * The one idea: a volume's state is its directory, <sandbox>/volumes/<name>,
 * so preparing is idempotent and survives an agent restart: an emptyDir is
 * made once (a tmpfs mounted on it for medium Memory), a configMap, secret
 * or downwardAPI volume is written into <name>.tmp and renamed into place
 * only when complete, and what is in place is never written again (no live
 * update) — but for a projected ServiceAccount token, renewed in place
 * before it expires (agent_volumes_refresh_tokens). hostPath volumes are checked against their type
 * at every start; one must lie under an allowed prefix and is reached beneath it without magic
 * links, symlinks leading out, or /proc. The mounts themselves are made by the container's child
 * (runtime-rootfs.c).
 *
 * Secret and downwardAPI volumes live on a tmpfs of their own, never on
 * disk. With spec.securityContext.fsGroup, emptyDir, configMap, secret and
 * downwardAPI volumes are group-owned by it (setgid dirs, group rw; group r
 * for the read-only content volumes), as Kubernetes does. In a pod with a user
 * namespace of its own, the pod's root owns them all (its host ids).
 *
 * Supported: emptyDir (medium "" or Memory; sizeLimit: the tmpfs size for
 * Memory, an eviction when passed on disk), hostPath
 * (types "", Directory, DirectoryOrCreate, File, FileOrCreate, Socket,
 * CharDevice, BlockDevice), configMap and secret (items, defaultMode, mode,
 * optional), downwardAPI (fieldRef to metadata.name, namespace, uid, labels,
 * annotations and spec.nodeName), projected (configMap, secret, downwardAPI
 * and serviceAccountToken sources: a token of the pod's ServiceAccount bound
 * to the pod, through the TokenRequest API). volumeMounts: mountPath, subPath,
 * readOnly; configMap, secret and downwardAPI mounts are always read-only.
 */
#ifndef TUG_AGENT_VOLUMES_H
#define TUG_AGENT_VOLUMES_H

#include <jansson.h>

#include "controller.h"
#include "error.h"
#include "http.h"
#include "runtime.h"

/* GET of an API path into *out; on failure err->code ENOENT means 404. */
typedef int (*agent_volume_get_fn)(void *arg, const char *path, json_t **out, tug_error *err);
/* POST of body to an API path, the answer into *out (a TokenRequest). */
typedef int (*agent_volume_create_fn)(void *arg, const char *path, const json_t *body, json_t **out,
                                      tug_error *err);

typedef struct agent_volume_ctx {
  const json_t *pod;       /* metadata and spec.volumes */
  const char *sandbox_dir; /* volumes live in <sandbox_dir>/volumes */
  uid_t root_id; /* host uid and gid of the pod's root, who owns its emptyDirs and content */
  agent_volume_get_fn get;       /* reads ConfigMaps and Secrets; NULL: such volumes fail */
  agent_volume_create_fn create; /* asks for ServiceAccount tokens; NULL: they fail */
  void *get_arg;                 /* of get and create */
  /* Comma-separated host path prefixes a hostPath must lie under
   * (tug-agent --allowed-host-paths); NULL or "": no hostPath at all. */
  const char *allowed_host_paths;
  /* Where this node's local-path volumes live (<state>/volumes/pv): the
   * prefix a provisioned persistentVolumeClaim's directory is reached beneath. */
  const char *local_path_root;
  /* Service variables (name → value) a subPathExpr may name besides the
   * container's own env; NULL: none. */
  const json_t *service_env;
} agent_volume_ctx;

/* One container's mounts, for agent_container_spec.mounts. */
typedef struct agent_volume_plan {
  agent_mount mounts[AGENT_MAX_MOUNTS];
  size_t n;
  char *owned[3 * AGENT_MAX_MOUNTS]; /* the strings mounts point at */
  size_t n_owned;
} agent_volume_plan;

/*
 * Prepare every volume of the pod (what is ready stays as it is) and resolve
 * ctr's volumeMounts into plan. Fails, with a message fit for the container's
 * CreateContainerConfigError, on a mount of an unknown volume, an unsupported
 * volume type, a hostPath of the wrong type or not allowed, a subPath or
 * mountPath with ".."
 * (or an absolute subPath), a missing ConfigMap or Secret (or key) that is
 * not optional. Nothing half-prepared is left in place.
 */
int agent_volumes_prepare(const agent_volume_ctx *ctx, const json_t *ctr, agent_volume_plan *plan,
                          tug_error *err);
void agent_volume_plan_free(agent_volume_plan *plan);

/* True when an emptyDir of pod on disk (under sandbox_dir) uses more than
 * its sizeLimit, with kubelet's eviction message in msg. Walks the volumes:
 * call it now and then, not on every sync. */
bool agent_volumes_over_limit(const json_t *pod, const char *sandbox_dir, char *msg, size_t size);

/* Renew every projected ServiceAccount token of ctx->pod past 80% of its life
 * at now (Unix seconds); tokens not yet written are left to prepare. */
int agent_volumes_refresh_tokens(const agent_volume_ctx *ctx, int64_t now, tug_error *err);

/* Unmount the tmpfs of every memory-backed volume under sandbox_dir, so that
 * the sandbox dir can be removed; the containers must be gone. */
int agent_volumes_release(const char *sandbox_dir, tug_error *err);

/* Removes the directories of this node's deleted local-path volumes, under
 * root, and lets their objects go (agent-volumes-reclaim.c). */
typedef struct agent_pv_reclaimer agent_pv_reclaimer;
int agent_pv_reclaimer_start(tug_client *client, const char *node, const char *root,
                             agent_pv_reclaimer **out, tug_error *err);
void agent_pv_reclaimer_stop(agent_pv_reclaimer *r);

#endif
