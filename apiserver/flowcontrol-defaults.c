/*
 * flowcontrol-defaults.c — the built-in FlowSchemas and priority levels, in
 * the same flowcontrol.apiserver.k8s.io/v1 shapes a configuration file uses,
 * modelled on Kubernetes' mandatory and suggested ones: system:masters and
 * health probes exempt; nodes' own Node and Lease writes (the heartbeats) on
 * node-high; the scheduler and controllers on workload-high; ServiceAccounts
 * on workload-low; every other user on global-default, one flow per user.
 */
#include "flowcontrol-internal.h"

#define LEVEL(name, shares, queues, hand)                                                          \
  "{\"kind\":\"PriorityLevelConfiguration\",\"metadata\":{\"name\":\"" name "\"},"                 \
  "\"spec\":{\"type\":\"Limited\",\"limited\":{\"nominalConcurrencyShares\":" #shares ","          \
  "\"limitResponse\":{\"type\":\"Queue\",\"queuing\":{\"queues\":" #queues ",\"handSize\":" #hand  \
  ",\"queueLengthLimit\":50}}}}},"

#define SCHEMA(name, level, precedence, by, rules)                                                 \
  "{\"kind\":\"FlowSchema\",\"metadata\":{\"name\":\"" name "\"},\"spec\":{"                       \
  "\"priorityLevelConfiguration\":{\"name\":\"" level "\"},\"matchingPrecedence\":" #precedence    \
  ",\"distinguisherMethod\":{\"type\":\"" by "\"},\"rules\":[" rules "]}},"

#define GROUP(g) "{\"kind\":\"Group\",\"group\":{\"name\":\"" g "\"}}"
#define USER(u) "{\"kind\":\"User\",\"user\":{\"name\":\"" u "\"}}"
#define EVERY_RESOURCE                                                                             \
  "\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],\"resources\":[\"*\"],"             \
  "\"clusterScope\":true,\"namespaces\":[\"*\"]}],"                                                \
  "\"nonResourceRules\":[{\"verbs\":[\"*\"],\"nonResourceURLs\":[\"*\"]}]"
#define EVERYONE GROUP("system:authenticated") "," GROUP("system:unauthenticated")

const char api_fc_default_objects[] =
    "["
    "{\"kind\":\"PriorityLevelConfiguration\",\"metadata\":{\"name\":\"exempt\"},"
    "\"spec\":{\"type\":\"Exempt\"}},"
    "{\"kind\":\"PriorityLevelConfiguration\",\"metadata\":{\"name\":\"catch-all\"},"
    "\"spec\":{\"type\":\"Limited\",\"limited\":{\"nominalConcurrencyShares\":5,"
    "\"limitResponse\":{\"type\":\"Reject\"}}}}," LEVEL("system", 30, 64, 6)
        LEVEL("node-high", 40, 64, 6) LEVEL("workload-high", 40, 128, 6)
            LEVEL("workload-low", 100, 128, 6) LEVEL("global-default", 20, 128, 6) SCHEMA(
                "exempt", "exempt", 1, "",
                "{\"subjects\":[" GROUP("system:masters") "]," EVERY_RESOURCE "}")
                SCHEMA("probes", "exempt", 2, "",
                       "{\"subjects\":[" EVERYONE "],\"nonResourceRules\":[{\"verbs\":[\"get\"],"
                       "\"nonResourceURLs\":[\"/healthz\",\"/readyz\",\"/livez\"]}]}")
                    SCHEMA("system-node-high", "node-high", 400, "ByUser",
                           "{\"subjects\":[" GROUP(
                               "system:nodes") "],\"resourceRules\":["
                                               "{\"verbs\":[\"*\"],\"apiGroups\":[\"\"],"
                                               "\"resources\":[\"nodes\",\"nodes/status\"],"
                                               "\"clusterScope\":true},"
                                               "{\"verbs\":[\"*\"],\"apiGroups\":[\"coordination."
                                               "k8s.io\"],\"resources\":[\"leases\"],"
                                               "\"namespaces\":[\"*\"]}]}")
                        SCHEMA("system-nodes", "system", 500, "ByUser",
                               "{\"subjects\":[" GROUP("system:nodes") "]," EVERY_RESOURCE "}")
                            SCHEMA("kube-controller-manager", "workload-high", 800, "ByNamespace",
                                   "{\"subjects\":[" USER(
                                       "system:kube-controller-manager") "]," EVERY_RESOURCE "}")
                                SCHEMA("kube-scheduler", "workload-high", 800, "ByNamespace",
                                       "{\"subjects\":[" USER(
                                           "system:kube-scheduler") "]," EVERY_RESOURCE "}")
                                    SCHEMA("service-accounts", "workload-low", 9000, "ByUser",
                                           "{\"subjects\":[" GROUP(
                                               "system:serviceaccounts") "]," EVERY_RESOURCE "}")
                                        SCHEMA("global-default", "global-default", 9900, "ByUser",
                                               "{\"subjects\":[" EVERYONE "]," EVERY_RESOURCE "}")
                                            SCHEMA("catch-all", "catch-all", 10000, "ByUser",
                                                   "{\"subjects\":[" EVERYONE "]," EVERY_RESOURCE
                                                   "}") "null]"; /* every entry ends with a comma;
                                                                    the reader skips this null */
