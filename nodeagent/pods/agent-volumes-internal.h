/*
 * agent-volumes-internal.h — what agent-volumes.c and agent-volumes-files.c
 * share, and what their unit tests reach.
 */
#ifndef TUG_AGENT_VOLUMES_INTERNAL_H
#define TUG_AGENT_VOLUMES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent-volumes.h"

/* path with empty and "." components dropped, as a new string: absolute
 * ("/a/b") or relative ("a/b") as asked. NULL with err when it is of the
 * other kind, contains "..", or names the root (or nothing). */
char *agent_volume_clean_path(const char *path, bool absolute, tug_error *err);

/* The longest prefix in allowed (comma-separated, each cleaned; "/" for
 * all) that path lies under, component by component ("/etc" is no prefix
 * of "/etcetera"), into root: 0, or -1 when none. */
int agent_host_path_root(const char *allowed, const char *path, char *root, size_t size);

/* agent-volumes-tree.c. Kubernetes' fsGroup rule for one entry: group
 * read and write (read only: read), and setgid and group search on dirs. */
mode_t agent_fs_group_mode(mode_t mode, bool dir, bool read_only);
/* dir and everything in it (no symlink followed, no other mount entered)
 * group-owned by gid, modes as agent_fs_group_mode says. */
int agent_volume_set_fs_group(const char *dir, gid_t gid, bool read_only, tug_error *err);
/* Every entry of dir, and dir, owned by root_id:root_id: the host ids of root
 * in a pod with a user namespace of its own, so that its root reads what a
 * mode of 0400 or 0600 keeps to the owner, as in a pod without one. */
int agent_volume_give_to_root(const char *dir, uid_t root_id, tug_error *err);
/* Bytes of disk the tree at dir takes (du), or -1. */
int64_t agent_dir_usage(const char *dir);
/* An emptyDir on disk with a sizeLimit that usage passes: true, with
 * kubelet's eviction message in msg. */
bool agent_empty_dir_over_limit(const json_t *vol, int64_t usage, char *msg, size_t size);

/* Fill the empty dir with the files of a configMap, secret or downwardAPI
 * volume (type); ConfigMaps and Secrets are read through ctx->get. */
int agent_volume_write_files(const agent_volume_ctx *ctx, const json_t *vol, const char *type,
                             const char *dir, tug_error *err);

/* A ConfigMap's (data, binaryData) or Secret's (stringData, data) key as a
 * malloc'd string, base64 decoded where the API keeps bytes: 1, or 0 with
 * *value NULL when obj has no such key. agent-env.c reads env values so. */
int agent_volume_key_value(const json_t *obj, bool secret, const char *key, char **value,
                           tug_error *err);

/* agent-volumes-token.c. A token for a serviceAccountToken projection src
 * (its audience and expirationSeconds), bound to ctx->pod; malloc'd. */
char *agent_volume_request_token(const agent_volume_ctx *ctx, const json_t *src, tug_error *err);

#endif
