/*
 * apply-plan.h — the pure part of `tug apply`: what to send, and in what order.
 *
 * The one idea is kubectl's client-side apply. The configuration applied last
 * time is kept in the object's annotation
 * kubectl.kubernetes.io/last-applied-configuration; the patch sent is a JSON
 * merge patch with
 *   - null for every field that was in the last-applied configuration and is
 *     no longer in the file (so removing a field from the file removes it from
 *     the object), and
 *   - every field of the file whose value the live object does not already
 *     hold. A field the server defaulted (present live, absent from the file)
 *     is left alone, so re-applying an unchanged file sends nothing.
 * Lists are replaced whole: one is sent when it differs from the last-applied
 * one, or when the live list lacks what the file says.
 */
#ifndef TUG_CLI_APPLY_PLAN_H
#define TUG_CLI_APPLY_PLAN_H

#include <jansson.h>
#include <stdbool.h>

#define CLI_LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/*
 * The merge patch that takes live to modified, given original (the last
 * applied configuration; NULL when there is none). An empty object when
 * nothing is to change; NULL only when out of memory.
 */
json_t *cli_apply_patch(const json_t *original, const json_t *modified, const json_t *live);

/* Whether want is contained in have: objects key by key (have may hold more),
 * arrays element by element with the same length, scalars equal. */
bool cli_json_subset(const json_t *want, const json_t *have);

/*
 * A copy of obj carrying its own last-applied annotation: the compact JSON of
 * obj without that annotation, as kubectl writes it. NULL when out of memory.
 */
json_t *cli_apply_annotate(const json_t *obj);

/* Apply order of a kind: namespaces first, then what constrains others
 * (quotas, limit ranges, queues, priority classes), then configuration, then
 * services, then workloads. Lower first; deletes go the other way. */
int cli_apply_rank(const char *kind);

/* Indexes 0..n-1 of objs (an array) stably sorted by cli_apply_rank. order must
 * hold n entries. */
void cli_apply_order(const json_t *objs, size_t *order);

#endif
