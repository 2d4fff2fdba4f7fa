/*
 * agent-volumes-internal.h — what agent-volumes.c and agent-volumes-files.c
 * share, and what their unit tests reach.
 */
#ifndef TUG_AGENT_VOLUMES_INTERNAL_H
#define TUG_AGENT_VOLUMES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "agent-volumes.h"

/* path with empty and "." components dropped, as a new string: absolute
 * ("/a/b") or relative ("a/b") as asked. NULL with err when it is of the
 * other kind, contains "..", or names the root (or nothing). */
char *agent_volume_clean_path(const char *path, bool absolute, tug_error *err);

/* The longest prefix in allowed (comma-separated, each cleaned; "/" for
 * all) that path lies under, component by component ("/etc" is no prefix
 * of "/etcetera"), into root: 0, or -1 when none. */
int agent_host_path_root(const char *allowed, const char *path, char *root, size_t size);

/* Fill the empty dir with the files of a configMap, secret or downwardAPI
 * volume (type); ConfigMaps and Secrets are read through ctx->get. */
int agent_volume_write_files(const agent_volume_ctx *ctx, const json_t *vol, const char *type,
                             const char *dir, tug_error *err);

#endif
