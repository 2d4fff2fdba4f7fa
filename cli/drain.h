/*
 * drain.h — which pods `tug drain` may remove from a node, by kubectl's
 * rules (pure, tested). The verbs themselves are in cmd-drain.c.
 *
 * Mirror pods are never touched; a DaemonSet's pod would only come back, so
 * it stops the drain unless --ignore-daemonsets skips it; a pod with an
 * emptyDir loses its data (--delete-emptydir-data), and a pod no controller
 * owns is gone for good (--force). Finished pods lose nothing: they go.
 */
#ifndef TUG_CLI_DRAIN_H
#define TUG_CLI_DRAIN_H

#include <jansson.h>
#include <stdbool.h>

typedef struct cli_drain_flags {
  bool ignore_daemonsets, delete_emptydir_data, force;
} cli_drain_flags;

typedef enum {
  CLI_DRAIN_REMOVE, /* evict (or delete) it; *why may carry a warning */
  CLI_DRAIN_SKIP,   /* leave it; *why may carry a warning */
  CLI_DRAIN_REFUSE, /* the drain cannot go on; *why says which flag would let it */
} cli_drain_action;

/* What drain does with pod; *why is a static string or NULL. */
cli_drain_action cli_drain_filter(const json_t *pod, const cli_drain_flags *f, const char **why);

#endif
