/*
 * rollout-revisions.h — `tug rollout history|undo` for the kinds whose
 * history is ControllerRevisions (DaemonSets and StatefulSets), as kubectl's
 * DaemonSetHistoryViewer/StatefulSetHistoryViewer and rollbackers do it.
 */
#ifndef TUG_CLI_ROLLOUT_REVISIONS_H
#define TUG_CLI_ROLLOUT_REVISIONS_H

#include <jansson.h>

#include "cli.h"

/* REVISION and CHANGE-CAUSE of owner's revisions; with --revision N, that
 * revision's pod template. word names the owner ("daemonset.apps"). */
int cli_rollout_revisions_history(cli_ctx *ctx, const json_t *owner, const char *word);

/* PATCH owner with the data of revision --to-revision N (default: the one
 * before the newest), a strategic merge patch that replaces its template. */
int cli_rollout_revisions_undo(cli_ctx *ctx, const json_t *owner, const char *word);

#endif
