/*
 * networking-v1-networkpolicy.c — the schema of networking.k8s.io/v1
 * NetworkPolicy (see schema.h): data only, kept apart from networking-v1.c
 * (Ingress) so each kind's table reads on its own.
 */
#include "messages.h"

static const char *const enum_PolicyType[] = {"Ingress", "Egress", NULL};
static const char *const enum_PolicyProtocol[] = {"TCP", "UDP", "SCTP", NULL};

static const api_field NetworkPolicy[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(networking_v1_NetworkPolicySpec), FLAGS(OMIT),
          DESC("Which pods the policy selects and the traffic it allows them.")),
};
SCHEMA_MESSAGE(networking_v1_NetworkPolicy, "io.k8s.api.networking.v1.NetworkPolicy",
               "The traffic allowed to and from the pods it selects; other traffic of those pods "
               "is refused.",
               NetworkPolicy, false);

static const api_field NetworkPolicySpec[] = {
    FIELD("podSelector", 1, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(0), STRATEGY("replace"),
          DESC("The pods of the namespace the policy applies to; empty selects every pod.")),
    FIELD("ingress", 2, MESSAGE, REPEATED, OF(networking_v1_NetworkPolicyIngressRule), FLAGS(OMIT),
          LIST_TYPE(ATOMIC),
          DESC("Incoming traffic allowed; a connection matching any rule of any policy is.")),
    FIELD("egress", 3, MESSAGE, REPEATED, OF(networking_v1_NetworkPolicyEgressRule), FLAGS(OMIT),
          LIST_TYPE(ATOMIC),
          DESC("Outgoing traffic allowed; a connection matching any rule of any policy is.")),
    FIELD("policyTypes", 4, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC), ENUM(enum_PolicyType),
          DESC("Directions the policy isolates: Ingress, Egress; by default Ingress, and Egress "
               "when egress rules are given.")),
};
SCHEMA_MESSAGE(networking_v1_NetworkPolicySpec, "io.k8s.api.networking.v1.NetworkPolicySpec", NULL,
               NetworkPolicySpec, false);

static const api_field NetworkPolicyIngressRule[] = {
    FIELD("ports", 1, MESSAGE, REPEATED, OF(networking_v1_NetworkPolicyPort), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("Ports allowed (any of them); every port when empty.")),
    FIELD("from", 2, MESSAGE, REPEATED, OF(networking_v1_NetworkPolicyPeer), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("Sources allowed (any of them); every source when empty.")),
};
SCHEMA_MESSAGE(networking_v1_NetworkPolicyIngressRule,
               "io.k8s.api.networking.v1.NetworkPolicyIngressRule", NULL, NetworkPolicyIngressRule,
               false);

static const api_field NetworkPolicyEgressRule[] = {
    FIELD("ports", 1, MESSAGE, REPEATED, OF(networking_v1_NetworkPolicyPort), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("Ports allowed (any of them); every port when empty.")),
    FIELD("to", 2, MESSAGE, REPEATED, OF(networking_v1_NetworkPolicyPeer), FLAGS(OMIT),
          LIST_TYPE(ATOMIC),
          DESC("Destinations allowed (any of them); every destination when empty.")),
};
SCHEMA_MESSAGE(networking_v1_NetworkPolicyEgressRule,
               "io.k8s.api.networking.v1.NetworkPolicyEgressRule", NULL, NetworkPolicyEgressRule,
               false);

static const api_field NetworkPolicyPeer[] = {
    FIELD("podSelector", 1, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR),
          DESC("Pods of the policy's namespace, or of the namespaces namespaceSelector picks.")),
    FIELD("namespaceSelector", 2, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR),
          DESC("Namespaces whose pods (those podSelector picks, else all) are peers.")),
    FIELD("ipBlock", 3, MESSAGE, OF(networking_v1_IPBlock), FLAGS(PTR),
          DESC("An address range; not with the selectors.")),
};
SCHEMA_MESSAGE(networking_v1_NetworkPolicyPeer, "io.k8s.api.networking.v1.NetworkPolicyPeer", NULL,
               NetworkPolicyPeer, false);

static const api_field NetworkPolicyPort[] = {
    FIELD("protocol", 1, STRING, FLAGS(PTR), ENUM(enum_PolicyProtocol),
          DESC("TCP (the default), UDP or SCTP.")),
    FIELD("port", 2, INT_OR_STRING, FLAGS(PTR),
          DESC("A port number, or a name among the pod's container ports; every port when "
               "unset.")),
    FIELD("endPort", 3, INT32, FLAGS(PTR),
          DESC("With a numeric port: the last port of the range port..endPort.")),
};
SCHEMA_MESSAGE(networking_v1_NetworkPolicyPort, "io.k8s.api.networking.v1.NetworkPolicyPort", NULL,
               NetworkPolicyPort, false);

static const api_field IPBlock[] = {
    FIELD("cidr", 1, STRING, FLAGS(REQ), DESC("The range, e.g. \"198.18.0.0/16\".")),
    FIELD("except", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Ranges inside cidr that are left out.")),
};
SCHEMA_MESSAGE(networking_v1_IPBlock, "io.k8s.api.networking.v1.IPBlock", NULL, IPBlock, false);

LIST_MESSAGE(networking_v1_NetworkPolicyList, "io.k8s.api.networking.v1.NetworkPolicyList",
             networking_v1_NetworkPolicy);

const api_schema_kind api_schema_kinds_networking_v1_networkpolicy[] = {
    {"networking.k8s.io", "v1", "NetworkPolicy", &api_msg_networking_v1_NetworkPolicy},
    {"networking.k8s.io", "v1", "NetworkPolicyList", &api_msg_networking_v1_NetworkPolicyList},
    {.kind = NULL},
};
