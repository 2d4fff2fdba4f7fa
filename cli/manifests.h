/*
 * manifests.h — the objects of every -f given to apply, diff and delete, with
 * where each came from, decoded by lib/manifest.
 */
#ifndef TUG_CLI_MANIFESTS_H
#define TUG_CLI_MANIFESTS_H

#include <jansson.h>
#include <stdbool.h>

#include "cli.h"
#include "manifest.h"

typedef struct cli_manifests {
  json_t *objs; /* every decoded object, in input order */
  tug_manifest_origin *origins;
  size_t n, cap;
  bool *skip; /* per object: its file (or, with --continue-on-error, it) is bad */
} cli_manifests;

/* Decode every -f (recursively with -R). m is always initialized; free it. */
int cli_manifests_load(cli_ctx *ctx, cli_manifests *m, tug_error *err);
void cli_manifests_free(cli_manifests *m);

/* "web.yaml: document 2 (line 14)" (and the List item when there is one). */
const char *cli_manifest_where(const tug_manifest_origin *org, char *buf, size_t size);

#endif
