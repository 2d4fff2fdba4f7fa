/*
 * networking-v1.c — the schemas of networking.k8s.io/v1 (see schema.h): data only.
 */
#include "messages.h"

static const char *const enum_PathType[] = {"Exact", "Prefix", "ImplementationSpecific", NULL};

static const api_field Ingress[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(networking_v1_IngressSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(networking_v1_IngressStatus), FLAGS(OMIT),
          DESC("The observed state, written by an ingress controller; read-only for users.")),
};
SCHEMA_MESSAGE(networking_v1_Ingress, "io.k8s.api.networking.v1.Ingress",
               "HTTP routes from outside the cluster to Services, for an ingress controller.",
               Ingress, false);

static const api_field IngressSpec[] = {
    FIELD("ingressClassName", 4, STRING, FLAGS(PTR),
          DESC("The IngressClass (the controller) that serves this Ingress.")),
    FIELD("defaultBackend", 1, MESSAGE, OF(networking_v1_IngressBackend), FLAGS(PTR),
          DESC("Where requests no rule matches go.")),
    FIELD("tls", 2, MESSAGE, REPEATED, OF(networking_v1_IngressTLS), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("TLS certificates (Secrets) per list of hosts.")),
    FIELD("rules", 3, MESSAGE, REPEATED, OF(networking_v1_IngressRule), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("Host and path rules, each to a backend.")),
};
SCHEMA_MESSAGE(networking_v1_IngressSpec, "io.k8s.api.networking.v1.IngressSpec", NULL, IngressSpec,
               false);

static const api_field IngressBackend[] = {
    FIELD("service", 4, MESSAGE, OF(networking_v1_IngressServiceBackend), FLAGS(PTR),
          DESC("A Service and port to send requests to.")),
    FIELD("resource", 3, MESSAGE, OF(core_v1_TypedLocalObjectReference), FLAGS(PTR),
          DESC("Another object in the namespace, for the controller (not with service).")),
};
SCHEMA_MESSAGE(networking_v1_IngressBackend, "io.k8s.api.networking.v1.IngressBackend", NULL,
               IngressBackend, false);

static const api_field IngressServiceBackend[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("The Service, in the Ingress's namespace.")),
    FIELD("port", 2, MESSAGE, OF(networking_v1_ServiceBackendPort), FLAGS(OMIT),
          DESC("The Service's port, by name or number.")),
};
SCHEMA_MESSAGE(networking_v1_IngressServiceBackend,
               "io.k8s.api.networking.v1.IngressServiceBackend", NULL, IngressServiceBackend,
               false);

static const api_field ServiceBackendPort[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT), DESC("The port's name (not with number).")),
    FIELD("number", 2, INT32, FLAGS(OMIT), DESC("The port's number (not with name).")),
};
SCHEMA_MESSAGE(networking_v1_ServiceBackendPort, "io.k8s.api.networking.v1.ServiceBackendPort",
               NULL, ServiceBackendPort, true);

static const api_field IngressTLS[] = {
    FIELD("hosts", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Host names the certificate covers.")),
    FIELD("secretName", 2, STRING, FLAGS(OMIT), DESC("The kubernetes.io/tls Secret to use.")),
};
SCHEMA_MESSAGE(networking_v1_IngressTLS, "io.k8s.api.networking.v1.IngressTLS", NULL, IngressTLS,
               false);

static const api_field IngressRule[] = {
    FIELD(
        "host", 1, STRING, FLAGS(OMIT),
        DESC("The host name the rule applies to (may start with \"*.\"); every host when unset.")),
    FIELD("", 2, MESSAGE, OF(networking_v1_IngressRuleValue), FLAGS(INLINE)),
};
SCHEMA_MESSAGE(networking_v1_IngressRule, "io.k8s.api.networking.v1.IngressRule", NULL, IngressRule,
               false);

static const api_field IngressRuleValue[] = {
    FIELD("http", 1, MESSAGE, OF(networking_v1_HTTPIngressRuleValue), FLAGS(PTR),
          DESC("Paths and their backends.")),
};
SCHEMA_MESSAGE(networking_v1_IngressRuleValue, "io.k8s.api.networking.v1.IngressRuleValue", NULL,
               IngressRuleValue, false);

static const api_field HTTPIngressRuleValue[] = {
    FIELD("paths", 1, MESSAGE, REPEATED, OF(networking_v1_HTTPIngressPath), FLAGS(REQ),
          LIST_TYPE(ATOMIC), DESC("Paths, each to a backend.")),
};
SCHEMA_MESSAGE(networking_v1_HTTPIngressRuleValue, "io.k8s.api.networking.v1.HTTPIngressRuleValue",
               NULL, HTTPIngressRuleValue, false);

static const api_field HTTPIngressPath[] = {
    FIELD("path", 1, STRING, FLAGS(OMIT), DESC("The path, starting with \"/\".")),
    FIELD("pathType", 3, STRING, FLAGS(REQ), ENUM(enum_PathType),
          DESC("How path matches: Exact, Prefix (by path element) or ImplementationSpecific.")),
    FIELD("backend", 2, MESSAGE, OF(networking_v1_IngressBackend), FLAGS(REQ),
          DESC("Where matching requests go.")),
};
SCHEMA_MESSAGE(networking_v1_HTTPIngressPath, "io.k8s.api.networking.v1.HTTPIngressPath", NULL,
               HTTPIngressPath, false);

static const api_field IngressStatus[] = {
    FIELD("loadBalancer", 1, MESSAGE, OF(networking_v1_IngressLoadBalancerStatus), FLAGS(OMIT),
          DESC("The addresses the controller serves the Ingress on.")),
};
SCHEMA_MESSAGE(networking_v1_IngressStatus, "io.k8s.api.networking.v1.IngressStatus", NULL,
               IngressStatus, false);

static const api_field IngressLoadBalancerStatus[] = {
    FIELD("ingress", 1, MESSAGE, REPEATED, OF(networking_v1_IngressLoadBalancerIngress),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(networking_v1_IngressLoadBalancerStatus,
               "io.k8s.api.networking.v1.IngressLoadBalancerStatus", NULL,
               IngressLoadBalancerStatus, false);

static const api_field IngressLoadBalancerIngress[] = {
    FIELD("ip", 1, STRING, FLAGS(OMIT)),
    FIELD("hostname", 2, STRING, FLAGS(OMIT)),
    FIELD("ports", 4, MESSAGE, REPEATED, OF(networking_v1_IngressPortStatus), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(networking_v1_IngressLoadBalancerIngress,
               "io.k8s.api.networking.v1.IngressLoadBalancerIngress", NULL,
               IngressLoadBalancerIngress, false);

static const api_field IngressPortStatus[] = {
    FIELD("port", 1, INT32, FLAGS(REQ)),
    FIELD("protocol", 2, STRING, FLAGS(REQ)),
    FIELD("error", 3, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(networking_v1_IngressPortStatus, "io.k8s.api.networking.v1.IngressPortStatus", NULL,
               IngressPortStatus, false);

LIST_MESSAGE(networking_v1_IngressList, "io.k8s.api.networking.v1.IngressList",
             networking_v1_Ingress);

const api_schema_kind api_schema_kinds_networking_v1[] = {
    {"networking.k8s.io", "v1", "Ingress", &api_msg_networking_v1_Ingress},
    {"networking.k8s.io", "v1", "IngressList", &api_msg_networking_v1_IngressList},
    {.kind = NULL},
};
