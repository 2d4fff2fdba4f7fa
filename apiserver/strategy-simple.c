/*
 * strategy-simple.c — the strategies (see api_strategy in registry.h) that
 * are a line or two each: a Node keeps the status of its first report (and,
 * like a Lease, is written by its own agent only), Nodes
 * and Events have field selectors of their own, a ResourceQuota's status is
 * computed whenever its spec is written, and the workloads' pod templates
 * are what Pod Security warns about.
 */
#include "admission.h"
#include "registry.h"

static const char *const node_fields[] = {"spec.unschedulable", NULL};

const api_strategy api_strategy_node = {
    .keep_status_on_create = true,
    .selectable_fields = node_fields,
    .admit_request = api_admit_node_request,
};

static const char *const event_fields[] = {"involvedObject.kind",
                                           "involvedObject.namespace",
                                           "involvedObject.name",
                                           "involvedObject.uid",
                                           "involvedObject.apiVersion",
                                           "involvedObject.resourceVersion",
                                           "involvedObject.fieldPath",
                                           "reason",
                                           "source",
                                           "type",
                                           NULL};

const api_strategy api_strategy_event = {.selectable_fields = event_fields};

/* An agent renews only its own Lease (NodeRestriction, admission-node.c). */
const api_strategy api_strategy_lease = {.admit_request = api_admit_lease_request};

const api_strategy api_strategy_resourcequota = {.init_status = api_quota_init_status};

/* Deployments, ReplicaSets and Jobs. */
const api_strategy api_strategy_workload = {.pod_template = "spec.template"};

/* CronJobs: their pods are templated one level further down. */
const api_strategy api_strategy_cronjob = {.pod_template = "spec.jobTemplate.spec.template"};
