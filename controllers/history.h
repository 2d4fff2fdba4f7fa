/*
 * history.h — ControllerRevisions for the controllers that keep them
 * (DaemonSets and StatefulSets; Kubernetes' controller/history).
 *
 * A revision holds, as data, the strategic merge patch that puts its
 * template back ({"spec":{"template":{...,"$patch":"replace"}}}), which is
 * what `kubectl rollout undo` PATCHes into the owner. Revisions are numbered
 * 1, 2, ...; the template in force is always the highest, so going back to
 * an older template renumbers its revision instead of making a new one. A
 * revision is live while the owner or one of its pods uses it; only
 * revisions that are not live are deleted to keep revisionHistoryLimit.
 */
#ifndef TUG_CTL_HISTORY_H
#define TUG_CTL_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

/* The label naming a revision's hash, on revisions and on the pods made from them. */
#define CTL_REVISION_HASH_LABEL "controller-revision-hash"

/* One revision as the truncation rule sees it. */
typedef struct ctl_history_rev {
  int64_t revision;
  bool live;    /* in use by the owner or a pod */
  bool current; /* the owner's template now */
} ctl_history_rev;

/*
 * Which revisions go so that history stays within limit (pure): the oldest
 * that are not live. With live_counts (DaemonSets), every revision but the
 * current one counts against the limit; without (StatefulSets), only those
 * that are not live. Marks doomed[i]; returns how many.
 */
size_t ctl_history_doomed(const ctl_history_rev *revs, size_t n, int64_t limit, bool live_counts,
                          bool *doomed);

/* The highest revision number of revisions, 0 when none. */
int64_t ctl_history_max(const json_t *revisions);

/* The data a revision of owner's spec.template holds (a new reference). */
json_t *ctl_history_template_data(const json_t *owner);

/* The template a revision's data brings back, borrowed; NULL when it holds none. */
const json_t *ctl_history_template(const json_t *revision);

/* owner's revisions (the informer's, claimed by sel like pods), sorted by
 * revision number; *failures counts adoptions that failed. */
json_t *ctl_history_list(ctl_ctx *x, const json_t *owner, const tug_selector *sel, int *failures);

/* What a new revision is called and carries. */
typedef struct ctl_history_name {
  const char *name, *hash; /* its name, and its controller-revision-hash label */
  bool owner_annotations;  /* the owner's annotations copied (DaemonSets) */
} ctl_history_name;

/*
 * The revision whose data is data: renumbered as the newest when it is not,
 * or created as n->name with the template's labels plus the hash label.
 * A new reference; NULL with err on failure. A name taken by another
 * revision is a hash collision: owner's status.collisionCount goes up (so
 * the next name differs) and err says to try again.
 */
json_t *ctl_history_current(ctl_ctx *x, const json_t *owner, const json_t *revisions,
                            const json_t *data, const ctl_history_name *n, tug_error *err);

/* Delete revisions to keep owner's spec.revisionHistoryLimit (ctl_history_doomed);
 * live holds, as keys, the names or hash labels in use. */
void ctl_history_truncate(ctl_ctx *x, const json_t *owner, const json_t *revisions,
                          const json_t *live, const char *current, bool live_counts);

#endif
