/*
 * agent-metrics.h — the agent's /metrics: Prometheus text with cAdvisor's
 * names, so that dashboards written for the kubelet read it unchanged.
 *
 * The pods are the log dirs ROOT/logs/{ns}_{pod}_{uid}, their containers the
 * live logs in them; the figures come from their cgroups (tug/<uid> for the
 * pod, labelled container="" as cAdvisor labels a pod's own cgroup, and
 * tug/<uid>/<container>). A dir whose cgroup is gone is skipped. The working
 * set is the cgroup's memory usage: page cache is not subtracted yet.
 */
#ifndef TUG_AGENT_METRICS_H
#define TUG_AGENT_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "runtime-cgroup.h"

/* The exposition text of this node's pods into *out (malloc'ed), *len bytes. */
int agent_metrics_render(const char *root, agent_cgroup_mode mode, char **out, size_t *len,
                         tug_error *err);

/* "{ns}_{pod}_{uid}" → its three parts (each at most size - 1 bytes). */
bool agent_metrics_pod_dir(const char *name, char *ns, char *pod, char *uid, size_t size);

#endif
