/*
 * core-v1.c — the schemas of core/v1 (see schema.h): data only.
 */
#include "messages.h"

static const char *const enum_NamespacePhase[] = {"Active", "Terminating", NULL};
static const char *const enum_TaintEffect[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
static const char *const enum_NodePhase[] = {"Pending", "Running", "Terminated", NULL};
static const char *const enum_RestartPolicy[] = {"Always", "OnFailure", "Never", NULL};
static const char *const enum_DNSPolicy[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                             "None", NULL};
static const char *const enum_PreemptionPolicy[] = {"PreemptLowerPriority", "Never", NULL};
static const char *const enum_HostPathType[] = {
    "",           "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
    "CharDevice", "BlockDevice",       NULL};
static const char *const enum_AzureDataDiskCachingMode[] = {"None", "ReadOnly", "ReadWrite", NULL};
static const char *const enum_AzureDataDiskKind[] = {"Shared", "Dedicated", "Managed", NULL};
static const char *const enum_PersistentVolumeAccessMode[] = {
    "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod", NULL};
static const char *const enum_PersistentVolumeMode[] = {"Block", "Filesystem", NULL};
static const char *const enum_PullPolicy[] = {"Always", "Never", "IfNotPresent", NULL};
static const char *const enum_TerminationMessagePolicy[] = {"File", "FallbackToLogsOnError", NULL};
static const char *const enum_Protocol[] = {"TCP", "UDP", "SCTP", NULL};
static const char *const enum_MountPropagationMode[] = {"None", "HostToContainer", "Bidirectional",
                                                        NULL};
static const char *const enum_URIScheme[] = {"HTTP", "HTTPS", NULL};
static const char *const enum_HTTPProtocol[] = {"HTTP1", "HTTP2", NULL};
static const char *const enum_GRPCProbeMode[] = {"Plaintext", "TLS", NULL};
static const char *const enum_Signal[] = {
    "SIGABRT",     "SIGALRM",     "SIGBUS",      "SIGCHLD",     "SIGCLD",      "SIGCONT",
    "SIGFPE",      "SIGHUP",      "SIGILL",      "SIGINT",      "SIGIO",       "SIGIOT",
    "SIGKILL",     "SIGPIPE",     "SIGPOLL",     "SIGPROF",     "SIGPWR",      "SIGQUIT",
    "SIGSEGV",     "SIGSTKFLT",   "SIGSTOP",     "SIGSYS",      "SIGTERM",     "SIGTRAP",
    "SIGTSTP",     "SIGTTIN",     "SIGTTOU",     "SIGURG",      "SIGUSR1",     "SIGUSR2",
    "SIGVTALRM",   "SIGWINCH",    "SIGXCPU",     "SIGXFSZ",     "SIGRTMIN",    "SIGRTMIN+1",
    "SIGRTMIN+2",  "SIGRTMIN+3",  "SIGRTMIN+4",  "SIGRTMIN+5",  "SIGRTMIN+6",  "SIGRTMIN+7",
    "SIGRTMIN+8",  "SIGRTMIN+9",  "SIGRTMIN+10", "SIGRTMIN+11", "SIGRTMIN+12", "SIGRTMIN+13",
    "SIGRTMIN+14", "SIGRTMIN+15", "SIGRTMAX-14", "SIGRTMAX-13", "SIGRTMAX-12", "SIGRTMAX-11",
    "SIGRTMAX-10", "SIGRTMAX-9",  "SIGRTMAX-8",  "SIGRTMAX-7",  "SIGRTMAX-6",  "SIGRTMAX-5",
    "SIGRTMAX-4",  "SIGRTMAX-3",  "SIGRTMAX-2",  "SIGRTMAX-1",  "SIGRTMAX",    NULL};
static const char *const enum_ProcMountType[] = {"Default", "Unmasked", NULL};
static const char *const enum_SeccompProfileType[] = {"Unconfined", "RuntimeDefault", "Localhost",
                                                      NULL};
static const char *const enum_AppArmorProfileType[] = {"Unconfined", "RuntimeDefault", "Localhost",
                                                       NULL};
static const char *const enum_SupplementalGroupsPolicy[] = {"Merge", "Strict", NULL};
static const char *const enum_PodFSGroupChangePolicy[] = {"OnRootMismatch", "Always", NULL};
static const char *const enum_NodeSelectorOperator[] = {"In", "NotIn", "Exists", "DoesNotExist",
                                                        "Gt", "Lt",    NULL};
static const char *const enum_TolerationOperator[] = {"Exists", "Equal", "Lt", "Gt", NULL};
static const char *const enum_UnsatisfiableConstraintAction[] = {"DoNotSchedule", "ScheduleAnyway",
                                                                 NULL};
static const char *const enum_NodeInclusionPolicy[] = {"Ignore", "Honor", NULL};
static const char *const enum_PodPhase[] = {"Pending", "Running", "Succeeded",
                                            "Failed",  "Unknown", NULL};
static const char *const enum_PodQOSClass[] = {"Guaranteed", "Burstable", "BestEffort", NULL};
static const char *const enum_VolumeHealthStatusType[] = {"Inaccessible", "DataLoss", "Degraded",
                                                          NULL};
static const char *const enum_ServiceType[] = {"ClusterIP", "NodePort", "LoadBalancer",
                                               "ExternalName", NULL};
static const char *const enum_ServiceAffinity[] = {"ClientIP", "None", NULL};
static const char *const enum_ServiceExternalTrafficPolicy[] = {"Cluster", "Local", NULL};
static const char *const enum_IPFamily[] = {"IPv4", "IPv6", "", NULL};
static const char *const enum_IPFamilyPolicy[] = {"SingleStack", "PreferDualStack",
                                                  "RequireDualStack", NULL};
static const char *const enum_ServiceInternalTrafficPolicy[] = {"Cluster", "Local", NULL};
static const char *const enum_ResourceQuotaScope[] = {"Terminating",
                                                      "NotTerminating",
                                                      "BestEffort",
                                                      "NotBestEffort",
                                                      "PriorityClass",
                                                      "CrossNamespacePodAffinity",
                                                      "VolumeAttributesClass",
                                                      NULL};
static const char *const enum_ScopeSelectorOperator[] = {"In", "NotIn", "Exists", "DoesNotExist",
                                                         NULL};

static const api_field Namespace[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_NamespaceSpec), FLAGS(OMIT),
          DESC("Finalizers that hold the namespace until cleaned up.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_NamespaceStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_Namespace, "io.k8s.api.core.v1.Namespace",
               "A scope for names and policies: most objects live in one.", Namespace, false);

static const api_field NamespaceSpec[] = {
    FIELD("finalizers", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_NamespaceSpec, "io.k8s.api.core.v1.NamespaceSpec", NULL, NamespaceSpec,
               false);

static const api_field NamespaceStatus[] = {
    FIELD("phase", 1, STRING, FLAGS(OMIT), ENUM(enum_NamespacePhase)),
    FIELD("conditions", 2, MESSAGE, REPEATED, OF(core_v1_NamespaceCondition), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
};
SCHEMA_MESSAGE(core_v1_NamespaceStatus, "io.k8s.api.core.v1.NamespaceStatus", NULL, NamespaceStatus,
               false);

static const api_field NamespaceCondition[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("status", 2, STRING, FLAGS(REQ),
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("lastTransitionTime", 4, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 5, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 6, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(core_v1_NamespaceCondition, "io.k8s.api.core.v1.NamespaceCondition", NULL,
               NamespaceCondition, false);

LIST_MESSAGE(core_v1_NamespaceList, "io.k8s.api.core.v1.NamespaceList", core_v1_Namespace);

static const api_field Node[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_NodeSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_NodeStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_Node, "io.k8s.api.core.v1.Node",
               "A machine that runs pods, registered by its agent.", Node, false);

static const api_field NodeSpec[] = {
    FIELD("podCIDR", 1, STRING, FLAGS(OMIT), DESC("Address range of the node's pods.")),
    FIELD("podCIDRs", 7, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(SET), STRATEGY("merge")),
    FIELD("providerID", 3, STRING, FLAGS(OMIT)),
    FIELD("unschedulable", 4, BOOL, FLAGS(OMIT),
          DESC("When true, no new pod is placed on the node.")),
    FIELD("taints", 5, MESSAGE, REPEATED, OF(core_v1_Taint), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Repel pods that do not tolerate them.")),
    FIELD("configSource", 6, MESSAGE, OF(core_v1_NodeConfigSource), FLAGS(PTR)),
    FIELD("externalID", 2, STRING, FLAGS(OMIT)),
    FIELD("podPreemptionPolicy", 8, MESSAGE, OF(core_v1_NodePodPreemptionPolicy), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeSpec, "io.k8s.api.core.v1.NodeSpec", NULL, NodeSpec, false);

static const api_field Taint[] = {
    FIELD("key", 1, STRING, FLAGS(REQ)),
    FIELD("value", 2, STRING, FLAGS(OMIT)),
    FIELD("effect", 3, STRING, FLAGS(REQ), ENUM(enum_TaintEffect)),
    FIELD("timeAdded", 4, TIME, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_Taint, "io.k8s.api.core.v1.Taint", NULL, Taint, false);

static const api_field NodeConfigSource[] = {
    FIELD("configMap", 2, MESSAGE, OF(core_v1_ConfigMapNodeConfigSource), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeConfigSource, "io.k8s.api.core.v1.NodeConfigSource", NULL,
               NodeConfigSource, false);

static const api_field ConfigMapNodeConfigSource[] = {
    FIELD("namespace", 1, STRING, FLAGS(REQ), DESC("Namespace the object lives in.")),
    FIELD("name", 2, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("uid", 3, STRING, FLAGS(OMIT)),
    FIELD("resourceVersion", 4, STRING, FLAGS(OMIT)),
    FIELD("kubeletConfigKey", 5, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_ConfigMapNodeConfigSource, "io.k8s.api.core.v1.ConfigMapNodeConfigSource",
               NULL, ConfigMapNodeConfigSource, false);

static const api_field NodePodPreemptionPolicy[] = {
    FIELD("disableResizePreemption", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(SET)),
};
SCHEMA_MESSAGE(core_v1_NodePodPreemptionPolicy, "io.k8s.api.core.v1.NodePodPreemptionPolicy", NULL,
               NodePodPreemptionPolicy, false);

static const api_field NodeStatus[] = {
    FIELD("capacity", 1, QUANTITY, MAP_OF, FLAGS(OMIT), DESC("Total resources of the node.")),
    FIELD("allocatable", 2, QUANTITY, MAP_OF, FLAGS(OMIT), DESC("Resources available to pods.")),
    FIELD("phase", 3, STRING, FLAGS(OMIT), ENUM(enum_NodePhase)),
    FIELD("conditions", 4, MESSAGE, REPEATED, OF(core_v1_NodeCondition), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
    FIELD("addresses", 5, MESSAGE, REPEATED, OF(core_v1_NodeAddress), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("type"), MERGE("merge", "type"), DESC("Addresses the node is reachable at.")),
    FIELD("daemonEndpoints", 6, MESSAGE, OF(core_v1_NodeDaemonEndpoints), FLAGS(OMIT)),
    FIELD("nodeInfo", 7, MESSAGE, OF(core_v1_NodeSystemInfo), FLAGS(OMIT)),
    FIELD("images", 8, MESSAGE, REPEATED, OF(core_v1_ContainerImage), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("volumesInUse", 9, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("volumesAttached", 10, MESSAGE, REPEATED, OF(core_v1_AttachedVolume), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("config", 11, MESSAGE, OF(core_v1_NodeConfigStatus), FLAGS(PTR)),
    FIELD("runtimeHandlers", 12, MESSAGE, REPEATED, OF(core_v1_NodeRuntimeHandler), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("features", 13, MESSAGE, OF(core_v1_NodeFeatures), FLAGS(PTR)),
    FIELD("declaredFeatures", 14, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_NodeStatus, "io.k8s.api.core.v1.NodeStatus", NULL, NodeStatus, false);

static const api_field NodeCondition[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("status", 2, STRING, FLAGS(REQ),
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("lastHeartbeatTime", 3, TIME, FLAGS(OMIT)),
    FIELD("lastTransitionTime", 4, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 5, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 6, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(core_v1_NodeCondition, "io.k8s.api.core.v1.NodeCondition", NULL, NodeCondition,
               false);

static const api_field NodeAddress[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("address", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_NodeAddress, "io.k8s.api.core.v1.NodeAddress", NULL, NodeAddress, false);

static const api_field NodeDaemonEndpoints[] = {
    FIELD("kubeletEndpoint", 1, MESSAGE, OF(core_v1_DaemonEndpoint), FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_NodeDaemonEndpoints, "io.k8s.api.core.v1.NodeDaemonEndpoints", NULL,
               NodeDaemonEndpoints, false);

static const api_field DaemonEndpoint[] = {
    FIELD("Port", 1, INT32, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_DaemonEndpoint, "io.k8s.api.core.v1.DaemonEndpoint", NULL, DaemonEndpoint,
               false);

static const api_field NodeSystemInfo[] = {
    FIELD("machineID", 1, STRING, FLAGS(REQ)),
    FIELD("systemUUID", 2, STRING, FLAGS(REQ)),
    FIELD("bootID", 3, STRING, FLAGS(REQ)),
    FIELD("kernelVersion", 4, STRING, FLAGS(REQ)),
    FIELD("osImage", 5, STRING, FLAGS(REQ)),
    FIELD("containerRuntimeVersion", 6, STRING, FLAGS(REQ)),
    FIELD("kubeletVersion", 7, STRING, FLAGS(REQ)),
    FIELD("kubeProxyVersion", 8, STRING, FLAGS(REQ)),
    FIELD("operatingSystem", 9, STRING, FLAGS(REQ)),
    FIELD("architecture", 10, STRING, FLAGS(REQ)),
    FIELD("swap", 11, MESSAGE, OF(core_v1_NodeSwapStatus), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeSystemInfo, "io.k8s.api.core.v1.NodeSystemInfo", NULL, NodeSystemInfo,
               false);

static const api_field NodeSwapStatus[] = {
    FIELD("capacity", 1, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeSwapStatus, "io.k8s.api.core.v1.NodeSwapStatus", NULL, NodeSwapStatus,
               false);

static const api_field ContainerImage[] = {
    FIELD("names", 1, STRING, REPEATED, LIST_TYPE(ATOMIC)),
    FIELD("sizeBytes", 2, INT64, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ContainerImage, "io.k8s.api.core.v1.ContainerImage", NULL, ContainerImage,
               false);

static const api_field AttachedVolume[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("devicePath", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_AttachedVolume, "io.k8s.api.core.v1.AttachedVolume", NULL, AttachedVolume,
               false);

static const api_field NodeConfigStatus[] = {
    FIELD("assigned", 1, MESSAGE, OF(core_v1_NodeConfigSource), FLAGS(PTR)),
    FIELD("active", 2, MESSAGE, OF(core_v1_NodeConfigSource), FLAGS(PTR)),
    FIELD("lastKnownGood", 3, MESSAGE, OF(core_v1_NodeConfigSource), FLAGS(PTR)),
    FIELD("error", 4, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_NodeConfigStatus, "io.k8s.api.core.v1.NodeConfigStatus", NULL,
               NodeConfigStatus, false);

static const api_field NodeRuntimeHandler[] = {
    FIELD("name", 1, STRING, DESC("Name, unique within its scope.")),
    FIELD("features", 2, MESSAGE, OF(core_v1_NodeRuntimeHandlerFeatures), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeRuntimeHandler, "io.k8s.api.core.v1.NodeRuntimeHandler", NULL,
               NodeRuntimeHandler, false);

static const api_field NodeRuntimeHandlerFeatures[] = {
    FIELD("recursiveReadOnlyMounts", 1, BOOL, FLAGS(PTR)),
    FIELD("userNamespaces", 2, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeRuntimeHandlerFeatures, "io.k8s.api.core.v1.NodeRuntimeHandlerFeatures",
               NULL, NodeRuntimeHandlerFeatures, false);

static const api_field NodeFeatures[] = {
    FIELD("supplementalGroupsPolicy", 1, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeFeatures, "io.k8s.api.core.v1.NodeFeatures", NULL, NodeFeatures, false);

LIST_MESSAGE(core_v1_NodeList, "io.k8s.api.core.v1.NodeList", core_v1_Node);

static const api_field Pod[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_PodSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_PodStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_Pod, "io.k8s.api.core.v1.Pod",
               "One or more containers scheduled together on a node, sharing network and volumes.",
               Pod, false);

static const api_field PodSpec[] = {
    FIELD("volumes", 1, MESSAGE, REPEATED, OF(core_v1_Volume), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("name"), MERGE("merge,retainKeys", "name"),
          DESC("Volumes the containers can mount.")),
    FIELD("initContainers", 20, MESSAGE, REPEATED, OF(core_v1_Container), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name"),
          DESC("Containers run one after another to completion before the others start.")),
    FIELD("containers", 2, MESSAGE, REPEATED, OF(core_v1_Container), FLAGS(REQ), LIST_TYPE(MAP),
          KEYS("name"), MERGE("merge", "name"), DESC("The containers of the pod; at least one.")),
    FIELD("ephemeralContainers", 34, MESSAGE, REPEATED, OF(core_v1_EphemeralContainer), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name")),
    FIELD("restartPolicy", 3, STRING, FLAGS(OMIT), ENUM(enum_RestartPolicy),
          DESC("When containers are restarted: Always, OnFailure or Never.")),
    FIELD("terminationGracePeriodSeconds", 4, INT64, FLAGS(PTR),
          DESC("Seconds between the termination signal and the kill.")),
    FIELD("activeDeadlineSeconds", 5, INT64, FLAGS(PTR)),
    FIELD("dnsPolicy", 6, STRING, FLAGS(OMIT), ENUM(enum_DNSPolicy)),
    FIELD("nodeSelector", 7, STRING, MAP_OF, FLAGS(OMIT | ATOMIC),
          DESC("Labels a node must carry for the pod to run on it.")),
    FIELD("serviceAccountName", 8, STRING, FLAGS(OMIT), DESC("ServiceAccount the pod runs as.")),
    FIELD("serviceAccount", 9, STRING, FLAGS(OMIT)),
    FIELD("automountServiceAccountToken", 21, BOOL, FLAGS(PTR)),
    FIELD("nodeName", 10, STRING, FLAGS(OMIT),
          DESC("Node the pod is bound to; set by the scheduler.")),
    FIELD("hostNetwork", 11, BOOL, FLAGS(OMIT), DESC("Use the node's network namespace.")),
    FIELD("hostPID", 12, BOOL, FLAGS(OMIT)),
    FIELD("hostIPC", 13, BOOL, FLAGS(OMIT)),
    FIELD("shareProcessNamespace", 27, BOOL, FLAGS(PTR)),
    FIELD("securityContext", 14, MESSAGE, OF(core_v1_PodSecurityContext), FLAGS(PTR),
          DESC("Security settings for every container of the pod.")),
    FIELD("imagePullSecrets", 15, MESSAGE, REPEATED, OF(core_v1_LocalObjectReference), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name")),
    FIELD("hostname", 16, STRING, FLAGS(OMIT)),
    FIELD("subdomain", 17, STRING, FLAGS(OMIT)),
    FIELD("affinity", 18, MESSAGE, OF(core_v1_Affinity), FLAGS(PTR),
          DESC("Node and pod affinity rules for placement.")),
    FIELD("schedulerName", 19, STRING, FLAGS(OMIT), DESC("Scheduler that places the pod.")),
    FIELD("tolerations", 22, MESSAGE, REPEATED, OF(core_v1_Toleration), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("Taints the pod tolerates.")),
    FIELD("hostAliases", 23, MESSAGE, REPEATED, OF(core_v1_HostAlias), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("ip"), MERGE("merge", "ip")),
    FIELD("priorityClassName", 24, STRING, FLAGS(OMIT),
          DESC("PriorityClass giving the pod its priority.")),
    FIELD("priority", 25, INT32, FLAGS(PTR),
          DESC("Scheduling priority, resolved from priorityClassName.")),
    FIELD("dnsConfig", 26, MESSAGE, OF(core_v1_PodDNSConfig), FLAGS(PTR)),
    FIELD("readinessGates", 28, MESSAGE, REPEATED, OF(core_v1_PodReadinessGate), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("runtimeClassName", 29, STRING, FLAGS(PTR)),
    FIELD("enableServiceLinks", 30, BOOL, FLAGS(PTR)),
    FIELD("preemptionPolicy", 31, STRING, FLAGS(PTR), ENUM(enum_PreemptionPolicy)),
    FIELD("overhead", 32, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("topologySpreadConstraints", 33, MESSAGE, REPEATED, OF(core_v1_TopologySpreadConstraint),
          FLAGS(OMIT), LIST_TYPE(MAP), KEYS("topologyKey", "whenUnsatisfiable"),
          MERGE("merge", "topologyKey")),
    FIELD("setHostnameAsFQDN", 35, BOOL, FLAGS(PTR)),
    FIELD("os", 36, MESSAGE, OF(core_v1_PodOS), FLAGS(PTR)),
    FIELD("hostUsers", 37, BOOL, FLAGS(PTR)),
    FIELD("schedulingGates", 38, MESSAGE, REPEATED, OF(core_v1_PodSchedulingGate), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name")),
    FIELD("resourceClaims", 39, MESSAGE, REPEATED, OF(core_v1_PodResourceClaim), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name"), MERGE("merge,retainKeys", "name")),
    FIELD("resources", 40, MESSAGE, OF(core_v1_ResourceRequirements), FLAGS(PTR)),
    FIELD("hostnameOverride", 41, STRING, FLAGS(PTR)),
    FIELD("schedulingGroup", 43, MESSAGE, OF(core_v1_PodSchedulingGroup), FLAGS(PTR)),
    FIELD("evictionResponders", 44, MESSAGE, REPEATED, OF(core_v1_EvictionResponder), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name")),
};
SCHEMA_MESSAGE(core_v1_PodSpec, "io.k8s.api.core.v1.PodSpec", "What a pod runs and how.", PodSpec,
               false);

static const api_field Volume[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("", 2, MESSAGE, OF(core_v1_VolumeSource), FLAGS(INLINE)),
};
SCHEMA_MESSAGE(core_v1_Volume, "io.k8s.api.core.v1.Volume", NULL, Volume, false);

static const api_field VolumeSource[] = {
    FIELD("hostPath", 1, MESSAGE, OF(core_v1_HostPathVolumeSource), FLAGS(PTR)),
    FIELD("emptyDir", 2, MESSAGE, OF(core_v1_EmptyDirVolumeSource), FLAGS(PTR)),
    FIELD("gcePersistentDisk", 3, MESSAGE, OF(core_v1_GCEPersistentDiskVolumeSource), FLAGS(PTR)),
    FIELD("awsElasticBlockStore", 4, MESSAGE, OF(core_v1_AWSElasticBlockStoreVolumeSource),
          FLAGS(PTR)),
    FIELD("gitRepo", 5, MESSAGE, OF(core_v1_GitRepoVolumeSource), FLAGS(PTR)),
    FIELD("secret", 6, MESSAGE, OF(core_v1_SecretVolumeSource), FLAGS(PTR)),
    FIELD("nfs", 7, MESSAGE, OF(core_v1_NFSVolumeSource), FLAGS(PTR)),
    FIELD("iscsi", 8, MESSAGE, OF(core_v1_ISCSIVolumeSource), FLAGS(PTR)),
    FIELD("glusterfs", 9, MESSAGE, OF(core_v1_GlusterfsVolumeSource), FLAGS(PTR)),
    FIELD("persistentVolumeClaim", 10, MESSAGE, OF(core_v1_PersistentVolumeClaimVolumeSource),
          FLAGS(PTR)),
    FIELD("rbd", 11, MESSAGE, OF(core_v1_RBDVolumeSource), FLAGS(PTR)),
    FIELD("flexVolume", 12, MESSAGE, OF(core_v1_FlexVolumeSource), FLAGS(PTR)),
    FIELD("cinder", 13, MESSAGE, OF(core_v1_CinderVolumeSource), FLAGS(PTR)),
    FIELD("cephfs", 14, MESSAGE, OF(core_v1_CephFSVolumeSource), FLAGS(PTR)),
    FIELD("flocker", 15, MESSAGE, OF(core_v1_FlockerVolumeSource), FLAGS(PTR)),
    FIELD("downwardAPI", 16, MESSAGE, OF(core_v1_DownwardAPIVolumeSource), FLAGS(PTR)),
    FIELD("fc", 17, MESSAGE, OF(core_v1_FCVolumeSource), FLAGS(PTR)),
    FIELD("azureFile", 18, MESSAGE, OF(core_v1_AzureFileVolumeSource), FLAGS(PTR)),
    FIELD("configMap", 19, MESSAGE, OF(core_v1_ConfigMapVolumeSource), FLAGS(PTR)),
    FIELD("vsphereVolume", 20, MESSAGE, OF(core_v1_VsphereVirtualDiskVolumeSource), FLAGS(PTR)),
    FIELD("quobyte", 21, MESSAGE, OF(core_v1_QuobyteVolumeSource), FLAGS(PTR)),
    FIELD("azureDisk", 22, MESSAGE, OF(core_v1_AzureDiskVolumeSource), FLAGS(PTR)),
    FIELD("photonPersistentDisk", 23, MESSAGE, OF(core_v1_PhotonPersistentDiskVolumeSource),
          FLAGS(PTR)),
    FIELD("projected", 26, MESSAGE, OF(core_v1_ProjectedVolumeSource), FLAGS(PTR)),
    FIELD("portworxVolume", 24, MESSAGE, OF(core_v1_PortworxVolumeSource), FLAGS(PTR)),
    FIELD("scaleIO", 25, MESSAGE, OF(core_v1_ScaleIOVolumeSource), FLAGS(PTR)),
    FIELD("storageos", 27, MESSAGE, OF(core_v1_StorageOSVolumeSource), FLAGS(PTR)),
    FIELD("csi", 28, MESSAGE, OF(core_v1_CSIVolumeSource), FLAGS(PTR)),
    FIELD("ephemeral", 29, MESSAGE, OF(core_v1_EphemeralVolumeSource), FLAGS(PTR)),
    FIELD("image", 30, MESSAGE, OF(core_v1_ImageVolumeSource), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_VolumeSource, "io.k8s.api.core.v1.VolumeSource", NULL, VolumeSource, false);

static const api_field HostPathVolumeSource[] = {
    FIELD("path", 1, STRING, FLAGS(REQ)),
    FIELD("type", 2, STRING, FLAGS(PTR), ENUM(enum_HostPathType)),
};
SCHEMA_MESSAGE(core_v1_HostPathVolumeSource, "io.k8s.api.core.v1.HostPathVolumeSource", NULL,
               HostPathVolumeSource, false);

static const api_field EmptyDirVolumeSource[] = {
    FIELD("medium", 1, STRING, FLAGS(OMIT)),
    FIELD("sizeLimit", 2, QUANTITY, FLAGS(PTR)),
    FIELD("mode", 3, INT32, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_EmptyDirVolumeSource, "io.k8s.api.core.v1.EmptyDirVolumeSource", NULL,
               EmptyDirVolumeSource, false);

static const api_field GCEPersistentDiskVolumeSource[] = {
    FIELD("pdName", 1, STRING, FLAGS(REQ)),
    FIELD("fsType", 2, STRING, FLAGS(OMIT)),
    FIELD("partition", 3, INT32, FLAGS(OMIT)),
    FIELD("readOnly", 4, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_GCEPersistentDiskVolumeSource,
               "io.k8s.api.core.v1.GCEPersistentDiskVolumeSource", NULL,
               GCEPersistentDiskVolumeSource, false);

static const api_field AWSElasticBlockStoreVolumeSource[] = {
    FIELD("volumeID", 1, STRING, FLAGS(REQ)),
    FIELD("fsType", 2, STRING, FLAGS(OMIT)),
    FIELD("partition", 3, INT32, FLAGS(OMIT)),
    FIELD("readOnly", 4, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_AWSElasticBlockStoreVolumeSource,
               "io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource", NULL,
               AWSElasticBlockStoreVolumeSource, false);

static const api_field GitRepoVolumeSource[] = {
    FIELD("repository", 1, STRING, FLAGS(REQ)),
    FIELD("revision", 2, STRING, FLAGS(OMIT)),
    FIELD("directory", 3, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_GitRepoVolumeSource, "io.k8s.api.core.v1.GitRepoVolumeSource", NULL,
               GitRepoVolumeSource, false);

static const api_field SecretVolumeSource[] = {
    FIELD("secretName", 1, STRING, FLAGS(OMIT)),
    FIELD("items", 2, MESSAGE, REPEATED, OF(core_v1_KeyToPath), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("The objects of the list.")),
    FIELD("defaultMode", 3, INT32, FLAGS(PTR)),
    FIELD("optional", 4, BOOL, FLAGS(PTR)),
    FIELD("defaultUser", 5, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_SecretVolumeSource, "io.k8s.api.core.v1.SecretVolumeSource", NULL,
               SecretVolumeSource, false);

static const api_field KeyToPath[] = {
    FIELD("key", 1, STRING, FLAGS(REQ)),
    FIELD("path", 2, STRING, FLAGS(REQ)),
    FIELD("mode", 3, INT32, FLAGS(PTR)),
    FIELD("user", 4, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_KeyToPath, "io.k8s.api.core.v1.KeyToPath", NULL, KeyToPath, false);

static const api_field NFSVolumeSource[] = {
    FIELD("server", 1, STRING, FLAGS(REQ)),
    FIELD("path", 2, STRING, FLAGS(REQ)),
    FIELD("readOnly", 3, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_NFSVolumeSource, "io.k8s.api.core.v1.NFSVolumeSource", NULL, NFSVolumeSource,
               false);

static const api_field ISCSIVolumeSource[] = {
    FIELD("targetPortal", 1, STRING, FLAGS(REQ)),
    FIELD("iqn", 2, STRING, FLAGS(REQ)),
    FIELD("lun", 3, INT32, FLAGS(REQ)),
    FIELD("iscsiInterface", 4, STRING, FLAGS(OMIT)),
    FIELD("fsType", 5, STRING, FLAGS(OMIT)),
    FIELD("readOnly", 6, BOOL, FLAGS(OMIT)),
    FIELD("portals", 7, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("chapAuthDiscovery", 8, BOOL, FLAGS(OMIT)),
    FIELD("chapAuthSession", 11, BOOL, FLAGS(OMIT)),
    FIELD("secretRef", 10, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR)),
    FIELD("initiatorName", 12, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ISCSIVolumeSource, "io.k8s.api.core.v1.ISCSIVolumeSource", NULL,
               ISCSIVolumeSource, false);

static const api_field LocalObjectReference[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
};
SCHEMA_MESSAGE(core_v1_LocalObjectReference, "io.k8s.api.core.v1.LocalObjectReference", NULL,
               LocalObjectReference, true);

static const api_field GlusterfsVolumeSource[] = {
    FIELD("endpoints", 1, STRING, FLAGS(REQ)),
    FIELD("path", 2, STRING, FLAGS(REQ)),
    FIELD("readOnly", 3, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_GlusterfsVolumeSource, "io.k8s.api.core.v1.GlusterfsVolumeSource", NULL,
               GlusterfsVolumeSource, false);

static const api_field PersistentVolumeClaimVolumeSource[] = {
    FIELD("claimName", 1, STRING, FLAGS(REQ)),
    FIELD("readOnly", 2, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeClaimVolumeSource,
               "io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource", NULL,
               PersistentVolumeClaimVolumeSource, false);

static const api_field RBDVolumeSource[] = {
    FIELD("monitors", 1, STRING, REPEATED, FLAGS(REQ), LIST_TYPE(ATOMIC)),
    FIELD("image", 2, STRING, FLAGS(REQ)),
    FIELD("fsType", 3, STRING, FLAGS(OMIT)),
    FIELD("pool", 4, STRING, FLAGS(OMIT)),
    FIELD("user", 5, STRING, FLAGS(OMIT)),
    FIELD("keyring", 6, STRING, FLAGS(OMIT)),
    FIELD("secretRef", 7, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR)),
    FIELD("readOnly", 8, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_RBDVolumeSource, "io.k8s.api.core.v1.RBDVolumeSource", NULL, RBDVolumeSource,
               false);

static const api_field FlexVolumeSource[] = {
    FIELD("driver", 1, STRING, FLAGS(REQ)),
    FIELD("fsType", 2, STRING, FLAGS(OMIT)),
    FIELD("secretRef", 3, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR)),
    FIELD("readOnly", 4, BOOL, FLAGS(OMIT)),
    FIELD("options", 5, STRING, MAP_OF, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_FlexVolumeSource, "io.k8s.api.core.v1.FlexVolumeSource", NULL,
               FlexVolumeSource, false);

static const api_field CinderVolumeSource[] = {
    FIELD("volumeID", 1, STRING, FLAGS(REQ)),
    FIELD("fsType", 2, STRING, FLAGS(OMIT)),
    FIELD("readOnly", 3, BOOL, FLAGS(OMIT)),
    FIELD("secretRef", 4, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_CinderVolumeSource, "io.k8s.api.core.v1.CinderVolumeSource", NULL,
               CinderVolumeSource, false);

static const api_field CephFSVolumeSource[] = {
    FIELD("monitors", 1, STRING, REPEATED, FLAGS(REQ), LIST_TYPE(ATOMIC)),
    FIELD("path", 2, STRING, FLAGS(OMIT)),
    FIELD("user", 3, STRING, FLAGS(OMIT)),
    FIELD("secretFile", 4, STRING, FLAGS(OMIT)),
    FIELD("secretRef", 5, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR)),
    FIELD("readOnly", 6, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_CephFSVolumeSource, "io.k8s.api.core.v1.CephFSVolumeSource", NULL,
               CephFSVolumeSource, false);

static const api_field FlockerVolumeSource[] = {
    FIELD("datasetName", 1, STRING, FLAGS(OMIT)),
    FIELD("datasetUUID", 2, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_FlockerVolumeSource, "io.k8s.api.core.v1.FlockerVolumeSource", NULL,
               FlockerVolumeSource, false);

static const api_field DownwardAPIVolumeSource[] = {
    FIELD("items", 1, MESSAGE, REPEATED, OF(core_v1_DownwardAPIVolumeFile), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("The objects of the list.")),
    FIELD("defaultMode", 2, INT32, FLAGS(PTR)),
    FIELD("defaultUser", 3, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_DownwardAPIVolumeSource, "io.k8s.api.core.v1.DownwardAPIVolumeSource", NULL,
               DownwardAPIVolumeSource, false);

static const api_field DownwardAPIVolumeFile[] = {
    FIELD("path", 1, STRING, FLAGS(REQ)),
    FIELD("fieldRef", 2, MESSAGE, OF(core_v1_ObjectFieldSelector), FLAGS(PTR)),
    FIELD("resourceFieldRef", 3, MESSAGE, OF(core_v1_ResourceFieldSelector), FLAGS(PTR)),
    FIELD("mode", 4, INT32, FLAGS(PTR)),
    FIELD("user", 5, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_DownwardAPIVolumeFile, "io.k8s.api.core.v1.DownwardAPIVolumeFile", NULL,
               DownwardAPIVolumeFile, false);

static const api_field ObjectFieldSelector[] = {
    FIELD("apiVersion", 1, STRING, FLAGS(OMIT),
          DESC("Versioned schema of this object, e.g. v1 or apps/v1.")),
    FIELD("fieldPath", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_ObjectFieldSelector, "io.k8s.api.core.v1.ObjectFieldSelector", NULL,
               ObjectFieldSelector, true);

static const api_field ResourceFieldSelector[] = {
    FIELD("containerName", 1, STRING, FLAGS(OMIT)),
    FIELD("resource", 2, STRING, FLAGS(REQ)),
    FIELD("divisor", 3, QUANTITY, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ResourceFieldSelector, "io.k8s.api.core.v1.ResourceFieldSelector", NULL,
               ResourceFieldSelector, true);

static const api_field FCVolumeSource[] = {
    FIELD("targetWWNs", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("lun", 2, INT32, FLAGS(PTR)),
    FIELD("fsType", 3, STRING, FLAGS(OMIT)),
    FIELD("readOnly", 4, BOOL, FLAGS(OMIT)),
    FIELD("wwids", 5, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_FCVolumeSource, "io.k8s.api.core.v1.FCVolumeSource", NULL, FCVolumeSource,
               false);

static const api_field AzureFileVolumeSource[] = {
    FIELD("secretName", 1, STRING, FLAGS(REQ)),
    FIELD("shareName", 2, STRING, FLAGS(REQ)),
    FIELD("readOnly", 3, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_AzureFileVolumeSource, "io.k8s.api.core.v1.AzureFileVolumeSource", NULL,
               AzureFileVolumeSource, false);

static const api_field ConfigMapVolumeSource[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(INLINE)),
    FIELD("items", 2, MESSAGE, REPEATED, OF(core_v1_KeyToPath), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("The objects of the list.")),
    FIELD("defaultMode", 3, INT32, FLAGS(PTR)),
    FIELD("optional", 4, BOOL, FLAGS(PTR)),
    FIELD("defaultUser", 5, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ConfigMapVolumeSource, "io.k8s.api.core.v1.ConfigMapVolumeSource", NULL,
               ConfigMapVolumeSource, false);

static const api_field VsphereVirtualDiskVolumeSource[] = {
    FIELD("volumePath", 1, STRING, FLAGS(REQ)),
    FIELD("fsType", 2, STRING, FLAGS(OMIT)),
    FIELD("storagePolicyName", 3, STRING, FLAGS(OMIT)),
    FIELD("storagePolicyID", 4, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_VsphereVirtualDiskVolumeSource,
               "io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource", NULL,
               VsphereVirtualDiskVolumeSource, false);

static const api_field QuobyteVolumeSource[] = {
    FIELD("registry", 1, STRING, FLAGS(REQ)), FIELD("volume", 2, STRING, FLAGS(REQ)),
    FIELD("readOnly", 3, BOOL, FLAGS(OMIT)),  FIELD("user", 4, STRING, FLAGS(OMIT)),
    FIELD("group", 5, STRING, FLAGS(OMIT)),   FIELD("tenant", 6, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_QuobyteVolumeSource, "io.k8s.api.core.v1.QuobyteVolumeSource", NULL,
               QuobyteVolumeSource, false);

static const api_field AzureDiskVolumeSource[] = {
    FIELD("diskName", 1, STRING, FLAGS(REQ)),
    FIELD("diskURI", 2, STRING, FLAGS(REQ)),
    FIELD("cachingMode", 3, STRING, FLAGS(PTR), ENUM(enum_AzureDataDiskCachingMode)),
    FIELD("fsType", 4, STRING, FLAGS(PTR)),
    FIELD("readOnly", 5, BOOL, FLAGS(PTR)),
    FIELD("kind", 6, STRING, FLAGS(PTR), ENUM(enum_AzureDataDiskKind),
          DESC("The kind of object this is, e.g. Pod.")),
};
SCHEMA_MESSAGE(core_v1_AzureDiskVolumeSource, "io.k8s.api.core.v1.AzureDiskVolumeSource", NULL,
               AzureDiskVolumeSource, false);

static const api_field PhotonPersistentDiskVolumeSource[] = {
    FIELD("pdID", 1, STRING, FLAGS(REQ)),
    FIELD("fsType", 2, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_PhotonPersistentDiskVolumeSource,
               "io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource", NULL,
               PhotonPersistentDiskVolumeSource, false);

static const api_field ProjectedVolumeSource[] = {
    FIELD("sources", 1, MESSAGE, REPEATED, OF(core_v1_VolumeProjection), LIST_TYPE(ATOMIC)),
    FIELD("defaultMode", 2, INT32, FLAGS(PTR)),
    FIELD("defaultUser", 3, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ProjectedVolumeSource, "io.k8s.api.core.v1.ProjectedVolumeSource", NULL,
               ProjectedVolumeSource, false);

static const api_field VolumeProjection[] = {
    FIELD("secret", 1, MESSAGE, OF(core_v1_SecretProjection), FLAGS(PTR)),
    FIELD("downwardAPI", 2, MESSAGE, OF(core_v1_DownwardAPIProjection), FLAGS(PTR)),
    FIELD("configMap", 3, MESSAGE, OF(core_v1_ConfigMapProjection), FLAGS(PTR)),
    FIELD("serviceAccountToken", 4, MESSAGE, OF(core_v1_ServiceAccountTokenProjection), FLAGS(PTR)),
    FIELD("clusterTrustBundle", 5, MESSAGE, OF(core_v1_ClusterTrustBundleProjection), FLAGS(PTR)),
    FIELD("podCertificate", 6, MESSAGE, OF(core_v1_PodCertificateProjection), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_VolumeProjection, "io.k8s.api.core.v1.VolumeProjection", NULL,
               VolumeProjection, false);

static const api_field SecretProjection[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(INLINE)),
    FIELD("items", 2, MESSAGE, REPEATED, OF(core_v1_KeyToPath), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("The objects of the list.")),
    FIELD("optional", 4, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_SecretProjection, "io.k8s.api.core.v1.SecretProjection", NULL,
               SecretProjection, false);

static const api_field DownwardAPIProjection[] = {
    FIELD("items", 1, MESSAGE, REPEATED, OF(core_v1_DownwardAPIVolumeFile), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("The objects of the list.")),
};
SCHEMA_MESSAGE(core_v1_DownwardAPIProjection, "io.k8s.api.core.v1.DownwardAPIProjection", NULL,
               DownwardAPIProjection, false);

static const api_field ConfigMapProjection[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(INLINE)),
    FIELD("items", 2, MESSAGE, REPEATED, OF(core_v1_KeyToPath), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("The objects of the list.")),
    FIELD("optional", 4, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ConfigMapProjection, "io.k8s.api.core.v1.ConfigMapProjection", NULL,
               ConfigMapProjection, false);

static const api_field ServiceAccountTokenProjection[] = {
    FIELD("audience", 1, STRING, FLAGS(OMIT)),
    FIELD("expirationSeconds", 2, INT64, FLAGS(PTR)),
    FIELD("path", 3, STRING, FLAGS(REQ)),
    FIELD("user", 4, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ServiceAccountTokenProjection,
               "io.k8s.api.core.v1.ServiceAccountTokenProjection", NULL,
               ServiceAccountTokenProjection, false);

static const api_field ClusterTrustBundleProjection[] = {
    FIELD("name", 1, STRING, FLAGS(PTR), DESC("Name, unique within its scope.")),
    FIELD("signerName", 2, STRING, FLAGS(PTR)),
    FIELD("labelSelector", 3, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR)),
    FIELD("optional", 5, BOOL, FLAGS(PTR)),
    FIELD("path", 4, STRING, FLAGS(REQ)),
    FIELD("user", 6, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ClusterTrustBundleProjection,
               "io.k8s.api.core.v1.ClusterTrustBundleProjection", NULL,
               ClusterTrustBundleProjection, false);

static const api_field PodCertificateProjection[] = {
    FIELD("signerName", 1, STRING, FLAGS(OMIT | REQ)),
    FIELD("keyType", 2, STRING, FLAGS(OMIT | REQ)),
    FIELD("maxExpirationSeconds", 3, INT32, FLAGS(PTR)),
    FIELD("credentialBundlePath", 4, STRING, FLAGS(OMIT)),
    FIELD("keyPath", 5, STRING, FLAGS(OMIT)),
    FIELD("certificateChainPath", 6, STRING, FLAGS(OMIT)),
    FIELD("userAnnotations", 7, STRING, MAP_OF, FLAGS(OMIT)),
    FIELD("user", 8, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PodCertificateProjection, "io.k8s.api.core.v1.PodCertificateProjection",
               NULL, PodCertificateProjection, false);

static const api_field PortworxVolumeSource[] = {
    FIELD("volumeID", 1, STRING, FLAGS(REQ)),
    FIELD("fsType", 2, STRING, FLAGS(OMIT)),
    FIELD("readOnly", 3, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_PortworxVolumeSource, "io.k8s.api.core.v1.PortworxVolumeSource", NULL,
               PortworxVolumeSource, false);

static const api_field ScaleIOVolumeSource[] = {
    FIELD("gateway", 1, STRING, FLAGS(REQ)),
    FIELD("system", 2, STRING, FLAGS(REQ)),
    FIELD("secretRef", 3, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR | REQ)),
    FIELD("sslEnabled", 4, BOOL, FLAGS(OMIT)),
    FIELD("protectionDomain", 5, STRING, FLAGS(OMIT)),
    FIELD("storagePool", 6, STRING, FLAGS(OMIT)),
    FIELD("storageMode", 7, STRING, FLAGS(OMIT)),
    FIELD("volumeName", 8, STRING, FLAGS(OMIT)),
    FIELD("fsType", 9, STRING, FLAGS(OMIT)),
    FIELD("readOnly", 10, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ScaleIOVolumeSource, "io.k8s.api.core.v1.ScaleIOVolumeSource", NULL,
               ScaleIOVolumeSource, false);

static const api_field StorageOSVolumeSource[] = {
    FIELD("volumeName", 1, STRING, FLAGS(OMIT)),
    FIELD("volumeNamespace", 2, STRING, FLAGS(OMIT)),
    FIELD("fsType", 3, STRING, FLAGS(OMIT)),
    FIELD("readOnly", 4, BOOL, FLAGS(OMIT)),
    FIELD("secretRef", 5, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_StorageOSVolumeSource, "io.k8s.api.core.v1.StorageOSVolumeSource", NULL,
               StorageOSVolumeSource, false);

static const api_field CSIVolumeSource[] = {
    FIELD("driver", 1, STRING, FLAGS(REQ)),
    FIELD("readOnly", 2, BOOL, FLAGS(PTR)),
    FIELD("fsType", 3, STRING, FLAGS(PTR)),
    FIELD("volumeAttributes", 4, STRING, MAP_OF, FLAGS(OMIT)),
    FIELD("nodePublishSecretRef", 5, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_CSIVolumeSource, "io.k8s.api.core.v1.CSIVolumeSource", NULL, CSIVolumeSource,
               false);

static const api_field EphemeralVolumeSource[] = {
    FIELD("volumeClaimTemplate", 1, MESSAGE, OF(core_v1_PersistentVolumeClaimTemplate), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_EphemeralVolumeSource, "io.k8s.api.core.v1.EphemeralVolumeSource", NULL,
               EphemeralVolumeSource, false);

static const api_field PersistentVolumeClaimTemplate[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_PersistentVolumeClaimSpec), FLAGS(REQ),
          DESC("The desired state, as the user wrote it.")),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeClaimTemplate,
               "io.k8s.api.core.v1.PersistentVolumeClaimTemplate", NULL,
               PersistentVolumeClaimTemplate, false);

static const api_field PersistentVolumeClaimSpec[] = {
    FIELD("accessModes", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          ENUM(enum_PersistentVolumeAccessMode)),
    FIELD("selector", 4, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR)),
    FIELD("resources", 2, MESSAGE, OF(core_v1_VolumeResourceRequirements), FLAGS(OMIT)),
    FIELD("volumeName", 3, STRING, FLAGS(OMIT)),
    FIELD("storageClassName", 5, STRING, FLAGS(PTR)),
    FIELD("volumeMode", 6, STRING, FLAGS(PTR), ENUM(enum_PersistentVolumeMode)),
    FIELD("dataSource", 7, MESSAGE, OF(core_v1_TypedLocalObjectReference), FLAGS(PTR)),
    FIELD("dataSourceRef", 8, MESSAGE, OF(core_v1_TypedObjectReference), FLAGS(PTR)),
    FIELD("volumeAttributesClassName", 9, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeClaimSpec, "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
               NULL, PersistentVolumeClaimSpec, false);

static const api_field VolumeResourceRequirements[] = {
    FIELD("limits", 1, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("requests", 2, QUANTITY, MAP_OF, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_VolumeResourceRequirements, "io.k8s.api.core.v1.VolumeResourceRequirements",
               NULL, VolumeResourceRequirements, false);

static const api_field TypedLocalObjectReference[] = {
    FIELD("apiGroup", 1, STRING, FLAGS(PTR)),
    FIELD("kind", 2, STRING, FLAGS(REQ), DESC("The kind of object this is, e.g. Pod.")),
    FIELD("name", 3, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
};
SCHEMA_MESSAGE(core_v1_TypedLocalObjectReference, "io.k8s.api.core.v1.TypedLocalObjectReference",
               NULL, TypedLocalObjectReference, true);

static const api_field TypedObjectReference[] = {
    FIELD("apiGroup", 1, STRING, FLAGS(PTR)),
    FIELD("kind", 2, STRING, FLAGS(REQ), DESC("The kind of object this is, e.g. Pod.")),
    FIELD("name", 3, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("namespace", 4, STRING, FLAGS(PTR), DESC("Namespace the object lives in.")),
};
SCHEMA_MESSAGE(core_v1_TypedObjectReference, "io.k8s.api.core.v1.TypedObjectReference", NULL,
               TypedObjectReference, false);

static const api_field ImageVolumeSource[] = {
    FIELD("reference", 1, STRING, FLAGS(OMIT)),
    FIELD("pullPolicy", 2, STRING, FLAGS(OMIT), ENUM(enum_PullPolicy)),
};
SCHEMA_MESSAGE(core_v1_ImageVolumeSource, "io.k8s.api.core.v1.ImageVolumeSource", NULL,
               ImageVolumeSource, false);

static const api_field Container[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique in the pod (a DNS label).")),
    FIELD("image", 2, STRING, FLAGS(OMIT), DESC("Image reference to run.")),
    FIELD("command", 3, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Entrypoint; replaces the image's.")),
    FIELD("args", 4, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Arguments; replace the image's command arguments.")),
    FIELD("workingDir", 5, STRING, FLAGS(OMIT), DESC("Working directory of the command.")),
    FIELD("ports", 6, MESSAGE, REPEATED, OF(core_v1_ContainerPort), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("containerPort", "protocol"), MERGE("merge", "containerPort"),
          DESC("Ports the container listens on (informational).")),
    FIELD("envFrom", 19, MESSAGE, REPEATED, OF(core_v1_EnvFromSource), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("env", 7, MESSAGE, REPEATED, OF(core_v1_EnvVar), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("name"), MERGE("merge", "name"), DESC("Environment variables to set.")),
    FIELD("resources", 8, MESSAGE, OF(core_v1_ResourceRequirements), FLAGS(OMIT),
          DESC("CPU and memory requests and limits.")),
    FIELD("resizePolicy", 23, MESSAGE, REPEATED, OF(core_v1_ContainerResizePolicy), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("restartPolicy", 24, STRING, FLAGS(PTR)),
    FIELD("restartPolicyRules", 25, MESSAGE, REPEATED, OF(core_v1_ContainerRestartRule),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("volumeMounts", 9, MESSAGE, REPEATED, OF(core_v1_VolumeMount), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("mountPath"), MERGE("merge", "mountPath"),
          DESC("Volumes mounted into the container.")),
    FIELD("volumeDevices", 21, MESSAGE, REPEATED, OF(core_v1_VolumeDevice), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("devicePath"), MERGE("merge", "devicePath")),
    FIELD("livenessProbe", 10, MESSAGE, OF(core_v1_Probe), FLAGS(PTR),
          DESC("Restart the container when this fails.")),
    FIELD("readinessProbe", 11, MESSAGE, OF(core_v1_Probe), FLAGS(PTR),
          DESC("Take the pod out of service endpoints while this fails.")),
    FIELD("startupProbe", 22, MESSAGE, OF(core_v1_Probe), FLAGS(PTR),
          DESC("Hold the other probes until this succeeds.")),
    FIELD("lifecycle", 12, MESSAGE, OF(core_v1_Lifecycle), FLAGS(PTR)),
    FIELD("terminationMessagePath", 13, STRING, FLAGS(OMIT)),
    FIELD("terminationMessagePolicy", 20, STRING, FLAGS(OMIT), ENUM(enum_TerminationMessagePolicy)),
    FIELD("imagePullPolicy", 14, STRING, FLAGS(OMIT), ENUM(enum_PullPolicy),
          DESC("When to pull the image: Always, IfNotPresent or Never.")),
    FIELD("securityContext", 15, MESSAGE, OF(core_v1_SecurityContext), FLAGS(PTR),
          DESC("Security settings of this container.")),
    FIELD("stdin", 16, BOOL, FLAGS(OMIT)),
    FIELD("stdinOnce", 17, BOOL, FLAGS(OMIT)),
    FIELD("tty", 18, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_Container, "io.k8s.api.core.v1.Container", "One container of a pod.",
               Container, false);

static const api_field ContainerPort[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
    FIELD("hostPort", 2, INT32, FLAGS(OMIT)),
    FIELD("containerPort", 3, INT32, FLAGS(REQ),
          DESC("Port number in the pod's network namespace.")),
    FIELD("protocol", 4, STRING, FLAGS(OMIT), ENUM(enum_Protocol), DESC("TCP, UDP or SCTP.")),
    FIELD("hostIP", 5, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ContainerPort, "io.k8s.api.core.v1.ContainerPort", NULL, ContainerPort,
               false);

static const api_field EnvFromSource[] = {
    FIELD("prefix", 1, STRING, FLAGS(OMIT)),
    FIELD("configMapRef", 2, MESSAGE, OF(core_v1_ConfigMapEnvSource), FLAGS(PTR)),
    FIELD("secretRef", 3, MESSAGE, OF(core_v1_SecretEnvSource), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_EnvFromSource, "io.k8s.api.core.v1.EnvFromSource", NULL, EnvFromSource,
               false);

static const api_field ConfigMapEnvSource[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(INLINE)),
    FIELD("optional", 2, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ConfigMapEnvSource, "io.k8s.api.core.v1.ConfigMapEnvSource", NULL,
               ConfigMapEnvSource, false);

static const api_field SecretEnvSource[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(INLINE)),
    FIELD("optional", 2, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_SecretEnvSource, "io.k8s.api.core.v1.SecretEnvSource", NULL, SecretEnvSource,
               false);

static const api_field EnvVar[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("value", 2, STRING, FLAGS(OMIT), DESC("The value, with $(VAR) references expanded.")),
    FIELD("valueFrom", 3, MESSAGE, OF(core_v1_EnvVarSource), FLAGS(PTR),
          DESC("Where the value comes from instead.")),
};
SCHEMA_MESSAGE(core_v1_EnvVar, "io.k8s.api.core.v1.EnvVar", NULL, EnvVar, false);

static const api_field EnvVarSource[] = {
    FIELD("fieldRef", 1, MESSAGE, OF(core_v1_ObjectFieldSelector), FLAGS(PTR)),
    FIELD("resourceFieldRef", 2, MESSAGE, OF(core_v1_ResourceFieldSelector), FLAGS(PTR)),
    FIELD("configMapKeyRef", 3, MESSAGE, OF(core_v1_ConfigMapKeySelector), FLAGS(PTR)),
    FIELD("secretKeyRef", 4, MESSAGE, OF(core_v1_SecretKeySelector), FLAGS(PTR)),
    FIELD("fileKeyRef", 5, MESSAGE, OF(core_v1_FileKeySelector), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_EnvVarSource, "io.k8s.api.core.v1.EnvVarSource", NULL, EnvVarSource, false);

static const api_field ConfigMapKeySelector[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(INLINE)),
    FIELD("key", 2, STRING, FLAGS(REQ)),
    FIELD("optional", 3, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ConfigMapKeySelector, "io.k8s.api.core.v1.ConfigMapKeySelector", NULL,
               ConfigMapKeySelector, true);

static const api_field SecretKeySelector[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_LocalObjectReference), FLAGS(INLINE)),
    FIELD("key", 2, STRING, FLAGS(REQ)),
    FIELD("optional", 3, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_SecretKeySelector, "io.k8s.api.core.v1.SecretKeySelector", NULL,
               SecretKeySelector, true);

static const api_field FileKeySelector[] = {
    FIELD("volumeName", 1, STRING, FLAGS(REQ)),
    FIELD("path", 2, STRING, FLAGS(REQ)),
    FIELD("key", 3, STRING, FLAGS(REQ)),
    FIELD("optional", 4, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_FileKeySelector, "io.k8s.api.core.v1.FileKeySelector", NULL, FileKeySelector,
               true);

static const api_field ResourceRequirements[] = {
    FIELD("limits", 1, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Most of each resource the container may use.")),
    FIELD("requests", 2, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("What the container is guaranteed; used for scheduling.")),
    FIELD("claims", 3, MESSAGE, REPEATED, OF(core_v1_ResourceClaim), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("name")),
};
SCHEMA_MESSAGE(core_v1_ResourceRequirements, "io.k8s.api.core.v1.ResourceRequirements", NULL,
               ResourceRequirements, false);

static const api_field ResourceClaim[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("request", 2, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ResourceClaim, "io.k8s.api.core.v1.ResourceClaim", NULL, ResourceClaim,
               false);

static const api_field ContainerResizePolicy[] = {
    FIELD("resourceName", 1, STRING, FLAGS(REQ)),
    FIELD("restartPolicy", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_ContainerResizePolicy, "io.k8s.api.core.v1.ContainerResizePolicy", NULL,
               ContainerResizePolicy, false);

static const api_field ContainerRestartRule[] = {
    FIELD("action", 1, STRING, FLAGS(OMIT | REQ)),
    FIELD("exitCodes", 2, MESSAGE, OF(core_v1_ContainerRestartRuleOnExitCodes), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ContainerRestartRule, "io.k8s.api.core.v1.ContainerRestartRule", NULL,
               ContainerRestartRule, false);

static const api_field ContainerRestartRuleOnExitCodes[] = {
    FIELD("operator", 1, STRING, FLAGS(OMIT | REQ)),
    FIELD("values", 2, INT32, REPEATED, FLAGS(OMIT), LIST_TYPE(SET)),
};
SCHEMA_MESSAGE(core_v1_ContainerRestartRuleOnExitCodes,
               "io.k8s.api.core.v1.ContainerRestartRuleOnExitCodes", NULL,
               ContainerRestartRuleOnExitCodes, false);

static const api_field VolumeMount[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("readOnly", 2, BOOL, FLAGS(OMIT)),
    FIELD("recursiveReadOnly", 7, STRING, FLAGS(PTR)),
    FIELD("mountPath", 3, STRING, FLAGS(REQ)),
    FIELD("subPath", 4, STRING, FLAGS(OMIT)),
    FIELD("mountPropagation", 5, STRING, FLAGS(PTR), ENUM(enum_MountPropagationMode)),
    FIELD("subPathExpr", 6, STRING, FLAGS(OMIT)),
    FIELD("bindMountOptions", 8, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(SET)),
};
SCHEMA_MESSAGE(core_v1_VolumeMount, "io.k8s.api.core.v1.VolumeMount", NULL, VolumeMount, false);

static const api_field VolumeDevice[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("devicePath", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_VolumeDevice, "io.k8s.api.core.v1.VolumeDevice", NULL, VolumeDevice, false);

static const api_field Probe[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_ProbeHandler), FLAGS(INLINE)),
    FIELD("initialDelaySeconds", 2, INT32, FLAGS(OMIT)),
    FIELD("timeoutSeconds", 3, INT32, FLAGS(OMIT)),
    FIELD("periodSeconds", 4, INT32, FLAGS(OMIT)),
    FIELD("successThreshold", 5, INT32, FLAGS(OMIT)),
    FIELD("failureThreshold", 6, INT32, FLAGS(OMIT)),
    FIELD("terminationGracePeriodSeconds", 7, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_Probe, "io.k8s.api.core.v1.Probe", NULL, Probe, false);

static const api_field ProbeHandler[] = {
    FIELD("exec", 1, MESSAGE, OF(core_v1_ExecAction), FLAGS(PTR)),
    FIELD("httpGet", 2, MESSAGE, OF(core_v1_HTTPGetAction), FLAGS(PTR)),
    FIELD("tcpSocket", 3, MESSAGE, OF(core_v1_TCPSocketAction), FLAGS(PTR)),
    FIELD("grpc", 4, MESSAGE, OF(core_v1_GRPCAction), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ProbeHandler, "io.k8s.api.core.v1.ProbeHandler", NULL, ProbeHandler, false);

static const api_field ExecAction[] = {
    FIELD("command", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_ExecAction, "io.k8s.api.core.v1.ExecAction", NULL, ExecAction, false);

static const api_field HTTPGetAction[] = {
    FIELD("path", 1, STRING, FLAGS(OMIT)),
    FIELD("port", 2, INT_OR_STRING, FLAGS(REQ)),
    FIELD("host", 3, STRING, FLAGS(OMIT)),
    FIELD("scheme", 4, STRING, FLAGS(OMIT), ENUM(enum_URIScheme)),
    FIELD("httpHeaders", 5, MESSAGE, REPEATED, OF(core_v1_HTTPHeader), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("protocol", 6, STRING, FLAGS(PTR), ENUM(enum_HTTPProtocol)),
};
SCHEMA_MESSAGE(core_v1_HTTPGetAction, "io.k8s.api.core.v1.HTTPGetAction", NULL, HTTPGetAction,
               false);

static const api_field HTTPHeader[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("value", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_HTTPHeader, "io.k8s.api.core.v1.HTTPHeader", NULL, HTTPHeader, false);

static const api_field TCPSocketAction[] = {
    FIELD("port", 1, INT_OR_STRING, FLAGS(REQ)),
    FIELD("host", 2, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_TCPSocketAction, "io.k8s.api.core.v1.TCPSocketAction", NULL, TCPSocketAction,
               false);

static const api_field GRPCAction[] = {
    FIELD("port", 1, INT32, FLAGS(REQ)),
    FIELD("service", 2, STRING, FLAGS(PTR)),
    FIELD("mode", 3, STRING, FLAGS(PTR), ENUM(enum_GRPCProbeMode)),
};
SCHEMA_MESSAGE(core_v1_GRPCAction, "io.k8s.api.core.v1.GRPCAction", NULL, GRPCAction, false);

static const api_field Lifecycle[] = {
    FIELD("postStart", 1, MESSAGE, OF(core_v1_LifecycleHandler), FLAGS(PTR)),
    FIELD("preStop", 2, MESSAGE, OF(core_v1_LifecycleHandler), FLAGS(PTR)),
    FIELD("stopSignal", 3, STRING, FLAGS(PTR), ENUM(enum_Signal)),
};
SCHEMA_MESSAGE(core_v1_Lifecycle, "io.k8s.api.core.v1.Lifecycle", NULL, Lifecycle, false);

static const api_field LifecycleHandler[] = {
    FIELD("exec", 1, MESSAGE, OF(core_v1_ExecAction), FLAGS(PTR)),
    FIELD("httpGet", 2, MESSAGE, OF(core_v1_HTTPGetAction), FLAGS(PTR)),
    FIELD("tcpSocket", 3, MESSAGE, OF(core_v1_TCPSocketAction), FLAGS(PTR)),
    FIELD("sleep", 4, MESSAGE, OF(core_v1_SleepAction), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_LifecycleHandler, "io.k8s.api.core.v1.LifecycleHandler", NULL,
               LifecycleHandler, false);

static const api_field SleepAction[] = {
    FIELD("seconds", 1, INT64, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_SleepAction, "io.k8s.api.core.v1.SleepAction", NULL, SleepAction, false);

static const api_field SecurityContext[] = {
    FIELD("capabilities", 1, MESSAGE, OF(core_v1_Capabilities), FLAGS(PTR)),
    FIELD("privileged", 2, BOOL, FLAGS(PTR)),
    FIELD("seLinuxOptions", 3, MESSAGE, OF(core_v1_SELinuxOptions), FLAGS(PTR)),
    FIELD("windowsOptions", 10, MESSAGE, OF(core_v1_WindowsSecurityContextOptions), FLAGS(PTR)),
    FIELD("runAsUser", 4, INT64, FLAGS(PTR)),
    FIELD("runAsGroup", 8, INT64, FLAGS(PTR)),
    FIELD("runAsNonRoot", 5, BOOL, FLAGS(PTR)),
    FIELD("readOnlyRootFilesystem", 6, BOOL, FLAGS(PTR)),
    FIELD("allowPrivilegeEscalation", 7, BOOL, FLAGS(PTR)),
    FIELD("procMount", 9, STRING, FLAGS(PTR), ENUM(enum_ProcMountType)),
    FIELD("seccompProfile", 11, MESSAGE, OF(core_v1_SeccompProfile), FLAGS(PTR)),
    FIELD("appArmorProfile", 12, MESSAGE, OF(core_v1_AppArmorProfile), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_SecurityContext, "io.k8s.api.core.v1.SecurityContext", NULL, SecurityContext,
               false);

static const api_field Capabilities[] = {
    FIELD("add", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("drop", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_Capabilities, "io.k8s.api.core.v1.Capabilities", NULL, Capabilities, false);

static const api_field SELinuxOptions[] = {
    FIELD("user", 1, STRING, FLAGS(OMIT)),
    FIELD("role", 2, STRING, FLAGS(OMIT)),
    FIELD("type", 3, STRING, FLAGS(OMIT)),
    FIELD("level", 4, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_SELinuxOptions, "io.k8s.api.core.v1.SELinuxOptions", NULL, SELinuxOptions,
               false);

static const api_field WindowsSecurityContextOptions[] = {
    FIELD("gmsaCredentialSpecName", 1, STRING, FLAGS(PTR)),
    FIELD("gmsaCredentialSpec", 2, STRING, FLAGS(PTR)),
    FIELD("runAsUserName", 3, STRING, FLAGS(PTR)),
    FIELD("hostProcess", 4, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_WindowsSecurityContextOptions,
               "io.k8s.api.core.v1.WindowsSecurityContextOptions", NULL,
               WindowsSecurityContextOptions, false);

static const api_field SeccompProfile[] = {
    FIELD("type", 1, STRING, FLAGS(REQ), ENUM(enum_SeccompProfileType)),
    FIELD("localhostProfile", 2, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_SeccompProfile, "io.k8s.api.core.v1.SeccompProfile", NULL, SeccompProfile,
               false);

static const api_field AppArmorProfile[] = {
    FIELD("type", 1, STRING, FLAGS(REQ), ENUM(enum_AppArmorProfileType)),
    FIELD("localhostProfile", 2, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_AppArmorProfile, "io.k8s.api.core.v1.AppArmorProfile", NULL, AppArmorProfile,
               false);

static const api_field EphemeralContainer[] = {
    FIELD("", 1, MESSAGE, OF(core_v1_EphemeralContainerCommon), FLAGS(INLINE)),
    FIELD("targetContainerName", 2, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_EphemeralContainer, "io.k8s.api.core.v1.EphemeralContainer", NULL,
               EphemeralContainer, false);

static const api_field EphemeralContainerCommon[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("image", 2, STRING, FLAGS(OMIT)),
    FIELD("command", 3, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("args", 4, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("workingDir", 5, STRING, FLAGS(OMIT)),
    FIELD("ports", 6, MESSAGE, REPEATED, OF(core_v1_ContainerPort), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("containerPort", "protocol"), MERGE("merge", "containerPort"),
          DESC("Network ports exposed.")),
    FIELD("envFrom", 19, MESSAGE, REPEATED, OF(core_v1_EnvFromSource), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("env", 7, MESSAGE, REPEATED, OF(core_v1_EnvVar), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("name"), MERGE("merge", "name")),
    FIELD("resources", 8, MESSAGE, OF(core_v1_ResourceRequirements), FLAGS(OMIT)),
    FIELD("resizePolicy", 23, MESSAGE, REPEATED, OF(core_v1_ContainerResizePolicy), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("restartPolicy", 24, STRING, FLAGS(PTR)),
    FIELD("restartPolicyRules", 25, MESSAGE, REPEATED, OF(core_v1_ContainerRestartRule),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("volumeMounts", 9, MESSAGE, REPEATED, OF(core_v1_VolumeMount), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("mountPath"), MERGE("merge", "mountPath")),
    FIELD("volumeDevices", 21, MESSAGE, REPEATED, OF(core_v1_VolumeDevice), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("devicePath"), MERGE("merge", "devicePath")),
    FIELD("livenessProbe", 10, MESSAGE, OF(core_v1_Probe), FLAGS(PTR)),
    FIELD("readinessProbe", 11, MESSAGE, OF(core_v1_Probe), FLAGS(PTR)),
    FIELD("startupProbe", 22, MESSAGE, OF(core_v1_Probe), FLAGS(PTR)),
    FIELD("lifecycle", 12, MESSAGE, OF(core_v1_Lifecycle), FLAGS(PTR)),
    FIELD("terminationMessagePath", 13, STRING, FLAGS(OMIT)),
    FIELD("terminationMessagePolicy", 20, STRING, FLAGS(OMIT), ENUM(enum_TerminationMessagePolicy)),
    FIELD("imagePullPolicy", 14, STRING, FLAGS(OMIT), ENUM(enum_PullPolicy)),
    FIELD("securityContext", 15, MESSAGE, OF(core_v1_SecurityContext), FLAGS(PTR)),
    FIELD("stdin", 16, BOOL, FLAGS(OMIT)),
    FIELD("stdinOnce", 17, BOOL, FLAGS(OMIT)),
    FIELD("tty", 18, BOOL, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_EphemeralContainerCommon, "io.k8s.api.core.v1.EphemeralContainerCommon",
               NULL, EphemeralContainerCommon, false);

static const api_field PodSecurityContext[] = {
    FIELD("seLinuxOptions", 1, MESSAGE, OF(core_v1_SELinuxOptions), FLAGS(PTR)),
    FIELD("windowsOptions", 8, MESSAGE, OF(core_v1_WindowsSecurityContextOptions), FLAGS(PTR)),
    FIELD("runAsUser", 2, INT64, FLAGS(PTR)),
    FIELD("runAsGroup", 6, INT64, FLAGS(PTR)),
    FIELD("runAsNonRoot", 3, BOOL, FLAGS(PTR)),
    FIELD("supplementalGroups", 4, INT64, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("supplementalGroupsPolicy", 12, STRING, FLAGS(PTR), ENUM(enum_SupplementalGroupsPolicy)),
    FIELD("fsGroup", 5, INT64, FLAGS(PTR)),
    FIELD("sysctls", 7, MESSAGE, REPEATED, OF(core_v1_Sysctl), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("fsGroupChangePolicy", 9, STRING, FLAGS(PTR), ENUM(enum_PodFSGroupChangePolicy)),
    FIELD("seccompProfile", 10, MESSAGE, OF(core_v1_SeccompProfile), FLAGS(PTR)),
    FIELD("appArmorProfile", 11, MESSAGE, OF(core_v1_AppArmorProfile), FLAGS(PTR)),
    FIELD("seLinuxChangePolicy", 13, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PodSecurityContext, "io.k8s.api.core.v1.PodSecurityContext", NULL,
               PodSecurityContext, false);

static const api_field Sysctl[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("value", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_Sysctl, "io.k8s.api.core.v1.Sysctl", NULL, Sysctl, false);

static const api_field Affinity[] = {
    FIELD("nodeAffinity", 1, MESSAGE, OF(core_v1_NodeAffinity), FLAGS(PTR)),
    FIELD("podAffinity", 2, MESSAGE, OF(core_v1_PodAffinity), FLAGS(PTR)),
    FIELD("podAntiAffinity", 3, MESSAGE, OF(core_v1_PodAntiAffinity), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_Affinity, "io.k8s.api.core.v1.Affinity", NULL, Affinity, false);

static const api_field NodeAffinity[] = {
    FIELD("requiredDuringSchedulingIgnoredDuringExecution", 1, MESSAGE, OF(core_v1_NodeSelector),
          FLAGS(PTR)),
    FIELD("preferredDuringSchedulingIgnoredDuringExecution", 2, MESSAGE, REPEATED,
          OF(core_v1_PreferredSchedulingTerm), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_NodeAffinity, "io.k8s.api.core.v1.NodeAffinity", NULL, NodeAffinity, false);

static const api_field NodeSelector[] = {
    FIELD("nodeSelectorTerms", 1, MESSAGE, REPEATED, OF(core_v1_NodeSelectorTerm), FLAGS(REQ),
          LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_NodeSelector, "io.k8s.api.core.v1.NodeSelector", NULL, NodeSelector, true);

static const api_field NodeSelectorTerm[] = {
    FIELD("matchExpressions", 1, MESSAGE, REPEATED, OF(core_v1_NodeSelectorRequirement),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("matchFields", 2, MESSAGE, REPEATED, OF(core_v1_NodeSelectorRequirement), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_NodeSelectorTerm, "io.k8s.api.core.v1.NodeSelectorTerm", NULL,
               NodeSelectorTerm, true);

static const api_field NodeSelectorRequirement[] = {
    FIELD("key", 1, STRING, FLAGS(REQ)),
    FIELD("operator", 2, STRING, FLAGS(REQ), ENUM(enum_NodeSelectorOperator)),
    FIELD("values", 3, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_NodeSelectorRequirement, "io.k8s.api.core.v1.NodeSelectorRequirement", NULL,
               NodeSelectorRequirement, false);

static const api_field PreferredSchedulingTerm[] = {
    FIELD("weight", 1, INT32, FLAGS(REQ)),
    FIELD("preference", 2, MESSAGE, OF(core_v1_NodeSelectorTerm), FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_PreferredSchedulingTerm, "io.k8s.api.core.v1.PreferredSchedulingTerm", NULL,
               PreferredSchedulingTerm, false);

static const api_field PodAffinity[] = {
    FIELD("requiredDuringSchedulingIgnoredDuringExecution", 1, MESSAGE, REPEATED,
          OF(core_v1_PodAffinityTerm), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("preferredDuringSchedulingIgnoredDuringExecution", 2, MESSAGE, REPEATED,
          OF(core_v1_WeightedPodAffinityTerm), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_PodAffinity, "io.k8s.api.core.v1.PodAffinity", NULL, PodAffinity, false);

static const api_field PodAffinityTerm[] = {
    FIELD("labelSelector", 1, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR)),
    FIELD("namespaces", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("topologyKey", 3, STRING, FLAGS(REQ)),
    FIELD("namespaceSelector", 4, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR)),
    FIELD("matchLabelKeys", 5, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("mismatchLabelKeys", 6, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_PodAffinityTerm, "io.k8s.api.core.v1.PodAffinityTerm", NULL, PodAffinityTerm,
               false);

static const api_field WeightedPodAffinityTerm[] = {
    FIELD("weight", 1, INT32, FLAGS(REQ)),
    FIELD("podAffinityTerm", 2, MESSAGE, OF(core_v1_PodAffinityTerm), FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_WeightedPodAffinityTerm, "io.k8s.api.core.v1.WeightedPodAffinityTerm", NULL,
               WeightedPodAffinityTerm, false);

static const api_field PodAntiAffinity[] = {
    FIELD("requiredDuringSchedulingIgnoredDuringExecution", 1, MESSAGE, REPEATED,
          OF(core_v1_PodAffinityTerm), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("preferredDuringSchedulingIgnoredDuringExecution", 2, MESSAGE, REPEATED,
          OF(core_v1_WeightedPodAffinityTerm), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_PodAntiAffinity, "io.k8s.api.core.v1.PodAntiAffinity", NULL, PodAntiAffinity,
               false);

static const api_field Toleration[] = {
    FIELD("key", 1, STRING, FLAGS(OMIT)),
    FIELD("operator", 2, STRING, FLAGS(OMIT), ENUM(enum_TolerationOperator)),
    FIELD("value", 3, STRING, FLAGS(OMIT)),
    FIELD("effect", 4, STRING, FLAGS(OMIT), ENUM(enum_TaintEffect)),
    FIELD("tolerationSeconds", 5, INT64, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_Toleration, "io.k8s.api.core.v1.Toleration", NULL, Toleration, false);

static const api_field HostAlias[] = {
    FIELD("ip", 1, STRING, FLAGS(REQ)),
    FIELD("hostnames", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_HostAlias, "io.k8s.api.core.v1.HostAlias", NULL, HostAlias, false);

static const api_field PodDNSConfig[] = {
    FIELD("nameservers", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("searches", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("options", 3, MESSAGE, REPEATED, OF(core_v1_PodDNSConfigOption), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_PodDNSConfig, "io.k8s.api.core.v1.PodDNSConfig", NULL, PodDNSConfig, false);

static const api_field PodDNSConfigOption[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
    FIELD("value", 2, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PodDNSConfigOption, "io.k8s.api.core.v1.PodDNSConfigOption", NULL,
               PodDNSConfigOption, false);

static const api_field PodReadinessGate[] = {
    FIELD("conditionType", 1, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_PodReadinessGate, "io.k8s.api.core.v1.PodReadinessGate", NULL,
               PodReadinessGate, false);

static const api_field TopologySpreadConstraint[] = {
    FIELD("maxSkew", 1, INT32, FLAGS(REQ)),
    FIELD("topologyKey", 2, STRING, FLAGS(REQ)),
    FIELD("whenUnsatisfiable", 3, STRING, FLAGS(REQ), ENUM(enum_UnsatisfiableConstraintAction)),
    FIELD("labelSelector", 4, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR)),
    FIELD("minDomains", 5, INT32, FLAGS(PTR)),
    FIELD("nodeAffinityPolicy", 6, STRING, FLAGS(PTR), ENUM(enum_NodeInclusionPolicy)),
    FIELD("nodeTaintsPolicy", 7, STRING, FLAGS(PTR), ENUM(enum_NodeInclusionPolicy)),
    FIELD("matchLabelKeys", 8, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_TopologySpreadConstraint, "io.k8s.api.core.v1.TopologySpreadConstraint",
               NULL, TopologySpreadConstraint, false);

static const api_field PodOS[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
};
SCHEMA_MESSAGE(core_v1_PodOS, "io.k8s.api.core.v1.PodOS", NULL, PodOS, false);

static const api_field PodSchedulingGate[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
};
SCHEMA_MESSAGE(core_v1_PodSchedulingGate, "io.k8s.api.core.v1.PodSchedulingGate", NULL,
               PodSchedulingGate, false);

static const api_field PodResourceClaim[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("resourceClaimName", 3, STRING, FLAGS(PTR)),
    FIELD("resourceClaimTemplateName", 4, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PodResourceClaim, "io.k8s.api.core.v1.PodResourceClaim", NULL,
               PodResourceClaim, false);

static const api_field PodSchedulingGroup[] = {
    FIELD("podGroupName", 1, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PodSchedulingGroup, "io.k8s.api.core.v1.PodSchedulingGroup", NULL,
               PodSchedulingGroup, false);

static const api_field EvictionResponder[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("priority", 2, INT32, FLAGS(PTR | REQ)),
};
SCHEMA_MESSAGE(core_v1_EvictionResponder, "io.k8s.api.core.v1.EvictionResponder", NULL,
               EvictionResponder, true);

static const api_field PodStatus[] = {
    FIELD("observedGeneration", 17, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("phase", 1, STRING, FLAGS(OMIT), ENUM(enum_PodPhase),
          DESC("Pending, Running, Succeeded, Failed or Unknown.")),
    FIELD("conditions", 2, MESSAGE, REPEATED, OF(core_v1_PodCondition), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
    FIELD("message", 3, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
    FIELD("reason", 4, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("nominatedNodeName", 11, STRING, FLAGS(OMIT)),
    FIELD("hostIP", 5, STRING, FLAGS(OMIT), DESC("Address of the pod's node.")),
    FIELD("hostIPs", 16, MESSAGE, REPEATED, OF(core_v1_HostIP), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          MERGE("merge", "ip")),
    FIELD("podIP", 6, STRING, FLAGS(OMIT), DESC("Address of the pod.")),
    FIELD("podIPs", 12, MESSAGE, REPEATED, OF(core_v1_PodIP), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("ip"), MERGE("merge", "ip")),
    FIELD("startTime", 7, TIME, FLAGS(PTR), DESC("When the node accepted the pod.")),
    FIELD("initContainerStatuses", 10, MESSAGE, REPEATED, OF(core_v1_ContainerStatus), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("containerStatuses", 8, MESSAGE, REPEATED, OF(core_v1_ContainerStatus), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("One status per container.")),
    FIELD("qosClass", 9, STRING, FLAGS(OMIT), ENUM(enum_PodQOSClass)),
    FIELD("ephemeralContainerStatuses", 13, MESSAGE, REPEATED, OF(core_v1_ContainerStatus),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("resize", 14, STRING, FLAGS(OMIT)),
    FIELD("resourceClaimStatuses", 15, MESSAGE, REPEATED, OF(core_v1_PodResourceClaimStatus),
          FLAGS(OMIT), LIST_TYPE(MAP), KEYS("name"), MERGE("merge,retainKeys", "name")),
    FIELD("extendedResourceClaimStatus", 18, MESSAGE, OF(core_v1_PodExtendedResourceClaimStatus),
          FLAGS(PTR)),
    FIELD("allocatedResources", 19, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("resources", 20, MESSAGE, OF(core_v1_ResourceRequirements), FLAGS(PTR)),
    FIELD("nodeAllocatableResourceClaimStatuses", 21, MESSAGE, REPEATED,
          OF(core_v1_NodeAllocatableResourceClaimStatus), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("resourceClaimName"), MERGE("merge", "resourceClaimName")),
    FIELD("volumeHealth", 22, MESSAGE, REPEATED, OF(core_v1_PodVolumeHealth), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name")),
};
SCHEMA_MESSAGE(core_v1_PodStatus, "io.k8s.api.core.v1.PodStatus", NULL, PodStatus, false);

static const api_field PodCondition[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("observedGeneration", 7, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("status", 2, STRING, FLAGS(REQ),
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("lastProbeTime", 3, TIME, FLAGS(OMIT)),
    FIELD("lastTransitionTime", 4, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 5, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 6, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(core_v1_PodCondition, "io.k8s.api.core.v1.PodCondition", NULL, PodCondition, false);

static const api_field HostIP[] = {
    FIELD("ip", 1, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_HostIP, "io.k8s.api.core.v1.HostIP", NULL, HostIP, false);

static const api_field PodIP[] = {
    FIELD("ip", 1, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_PodIP, "io.k8s.api.core.v1.PodIP", NULL, PodIP, false);

static const api_field ContainerStatus[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("state", 2, MESSAGE, OF(core_v1_ContainerState), FLAGS(OMIT)),
    FIELD("lastState", 3, MESSAGE, OF(core_v1_ContainerState), FLAGS(OMIT)),
    FIELD("ready", 4, BOOL, FLAGS(REQ)),
    FIELD("restartCount", 5, INT32, FLAGS(REQ)),
    FIELD("image", 6, STRING, FLAGS(REQ)),
    FIELD("imageID", 7, STRING, FLAGS(REQ)),
    FIELD("containerID", 8, STRING, FLAGS(OMIT)),
    FIELD("started", 9, BOOL, FLAGS(PTR)),
    FIELD("allocatedResources", 10, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("resources", 11, MESSAGE, OF(core_v1_ResourceRequirements), FLAGS(PTR)),
    FIELD("volumeMounts", 12, MESSAGE, REPEATED, OF(core_v1_VolumeMountStatus), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("mountPath"), MERGE("merge", "mountPath")),
    FIELD("user", 13, MESSAGE, OF(core_v1_ContainerUser), FLAGS(PTR)),
    FIELD("allocatedResourcesStatus", 14, MESSAGE, REPEATED, OF(core_v1_ResourceStatus),
          FLAGS(OMIT), LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name")),
    FIELD("stopSignal", 15, STRING, FLAGS(PTR), ENUM(enum_Signal)),
};
SCHEMA_MESSAGE(core_v1_ContainerStatus, "io.k8s.api.core.v1.ContainerStatus", NULL, ContainerStatus,
               false);

static const api_field ContainerState[] = {
    FIELD("waiting", 1, MESSAGE, OF(core_v1_ContainerStateWaiting), FLAGS(PTR)),
    FIELD("running", 2, MESSAGE, OF(core_v1_ContainerStateRunning), FLAGS(PTR)),
    FIELD("terminated", 3, MESSAGE, OF(core_v1_ContainerStateTerminated), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ContainerState, "io.k8s.api.core.v1.ContainerState", NULL, ContainerState,
               false);

static const api_field ContainerStateWaiting[] = {
    FIELD("reason", 1, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 2, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(core_v1_ContainerStateWaiting, "io.k8s.api.core.v1.ContainerStateWaiting", NULL,
               ContainerStateWaiting, false);

static const api_field ContainerStateRunning[] = {
    FIELD("startedAt", 1, TIME, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ContainerStateRunning, "io.k8s.api.core.v1.ContainerStateRunning", NULL,
               ContainerStateRunning, false);

static const api_field ContainerStateTerminated[] = {
    FIELD("exitCode", 1, INT32, FLAGS(REQ)),
    FIELD("signal", 2, INT32, FLAGS(OMIT)),
    FIELD("reason", 3, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 4, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
    FIELD("startedAt", 5, TIME, FLAGS(OMIT)),
    FIELD("finishedAt", 6, TIME, FLAGS(OMIT)),
    FIELD("containerID", 7, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ContainerStateTerminated, "io.k8s.api.core.v1.ContainerStateTerminated",
               NULL, ContainerStateTerminated, false);

static const api_field VolumeMountStatus[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("mountPath", 2, STRING, FLAGS(REQ)),
    FIELD("readOnly", 3, BOOL, FLAGS(OMIT)),
    FIELD("recursiveReadOnly", 4, STRING, FLAGS(PTR)),
    FIELD("volumeStatus", 5, MESSAGE, OF(core_v1_VolumeStatus), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_VolumeMountStatus, "io.k8s.api.core.v1.VolumeMountStatus", NULL,
               VolumeMountStatus, false);

static const api_field VolumeStatus[] = {
    FIELD("image", 1, MESSAGE, OF(core_v1_ImageVolumeStatus), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_VolumeStatus, "io.k8s.api.core.v1.VolumeStatus", NULL, VolumeStatus, false);

static const api_field ImageVolumeStatus[] = {
    FIELD("imageRef", 1, STRING, FLAGS(OMIT | REQ)),
};
SCHEMA_MESSAGE(core_v1_ImageVolumeStatus, "io.k8s.api.core.v1.ImageVolumeStatus", NULL,
               ImageVolumeStatus, false);

static const api_field ContainerUser[] = {
    FIELD("linux", 1, MESSAGE, OF(core_v1_LinuxContainerUser), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ContainerUser, "io.k8s.api.core.v1.ContainerUser", NULL, ContainerUser,
               false);

static const api_field LinuxContainerUser[] = {
    FIELD("uid", 1, INT64, FLAGS(REQ)),
    FIELD("gid", 2, INT64, FLAGS(REQ)),
    FIELD("supplementalGroups", 3, INT64, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_LinuxContainerUser, "io.k8s.api.core.v1.LinuxContainerUser", NULL,
               LinuxContainerUser, false);

static const api_field ResourceStatus[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("resources", 2, MESSAGE, REPEATED, OF(core_v1_ResourceHealth), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("resourceID")),
};
SCHEMA_MESSAGE(core_v1_ResourceStatus, "io.k8s.api.core.v1.ResourceStatus", NULL, ResourceStatus,
               false);

static const api_field ResourceHealth[] = {
    FIELD("resourceID", 1, STRING, FLAGS(REQ)),
    FIELD("health", 2, STRING, FLAGS(OMIT)),
    FIELD("message", 6, STRING, FLAGS(PTR), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(core_v1_ResourceHealth, "io.k8s.api.core.v1.ResourceHealth", NULL, ResourceHealth,
               false);

static const api_field PodResourceClaimStatus[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("resourceClaimName", 2, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PodResourceClaimStatus, "io.k8s.api.core.v1.PodResourceClaimStatus", NULL,
               PodResourceClaimStatus, false);

static const api_field PodExtendedResourceClaimStatus[] = {
    FIELD("requestMappings", 1, MESSAGE, REPEATED, OF(core_v1_ContainerExtendedResourceRequest),
          FLAGS(REQ), LIST_TYPE(ATOMIC)),
    FIELD("resourceClaimName", 2, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_PodExtendedResourceClaimStatus,
               "io.k8s.api.core.v1.PodExtendedResourceClaimStatus", NULL,
               PodExtendedResourceClaimStatus, false);

static const api_field ContainerExtendedResourceRequest[] = {
    FIELD("containerName", 1, STRING, FLAGS(REQ)),
    FIELD("resourceName", 2, STRING, FLAGS(REQ)),
    FIELD("requestName", 3, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(core_v1_ContainerExtendedResourceRequest,
               "io.k8s.api.core.v1.ContainerExtendedResourceRequest", NULL,
               ContainerExtendedResourceRequest, false);

static const api_field NodeAllocatableResourceClaimStatus[] = {
    FIELD("resourceClaimName", 1, STRING, FLAGS(REQ)),
    FIELD("containers", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(SET)),
    FIELD("mapping", 4, MESSAGE, REPEATED, OF(core_v1_NodeAllocatableMappedResources), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name")),
    FIELD("overhead", 5, MESSAGE, REPEATED, OF(core_v1_NodeAllocatableOverheadResources),
          FLAGS(OMIT), LIST_TYPE(MAP), KEYS("name"), MERGE("merge", "name")),
};
SCHEMA_MESSAGE(core_v1_NodeAllocatableResourceClaimStatus,
               "io.k8s.api.core.v1.NodeAllocatableResourceClaimStatus", NULL,
               NodeAllocatableResourceClaimStatus, false);

static const api_field NodeAllocatableMappedResources[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("quantity", 2, QUANTITY, FLAGS(PTR | REQ)),
};
SCHEMA_MESSAGE(core_v1_NodeAllocatableMappedResources,
               "io.k8s.api.core.v1.NodeAllocatableMappedResources", NULL,
               NodeAllocatableMappedResources, false);

static const api_field NodeAllocatableOverheadResources[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("perPod", 2, QUANTITY, FLAGS(PTR)),
    FIELD("perContainer", 3, QUANTITY, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_NodeAllocatableOverheadResources,
               "io.k8s.api.core.v1.NodeAllocatableOverheadResources", NULL,
               NodeAllocatableOverheadResources, false);

static const api_field PodVolumeHealth[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("healthConditions", 2, MESSAGE, REPEATED, OF(core_v1_VolumeHealthCondition), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("status", "reason"), MERGE("merge", "status")),
    FIELD("lastTransitionTime", 3, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
};
SCHEMA_MESSAGE(core_v1_PodVolumeHealth, "io.k8s.api.core.v1.PodVolumeHealth", NULL, PodVolumeHealth,
               false);

static const api_field VolumeHealthCondition[] = {
    FIELD("status", 1, STRING, FLAGS(REQ), ENUM(enum_VolumeHealthStatusType),
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("reason", 2, STRING, FLAGS(REQ),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 3, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(core_v1_VolumeHealthCondition, "io.k8s.api.core.v1.VolumeHealthCondition", NULL,
               VolumeHealthCondition, false);

LIST_MESSAGE(core_v1_PodList, "io.k8s.api.core.v1.PodList", core_v1_Pod);

static const api_field Service[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_ServiceSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_ServiceStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_Service, "io.k8s.api.core.v1.Service",
               "A stable address and name in front of a set of pods.", Service, false);

static const api_field ServiceSpec[] = {
    FIELD("ports", 1, MESSAGE, REPEATED, OF(core_v1_ServicePort), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("port", "protocol"), MERGE("merge", "port"), DESC("Ports the service exposes.")),
    FIELD("selector", 2, STRING, MAP_OF, FLAGS(OMIT | ATOMIC),
          DESC("Pods with these labels receive the traffic.")),
    FIELD("clusterIP", 3, STRING, FLAGS(OMIT),
          DESC("Virtual address of the service; assigned unless given.")),
    FIELD("clusterIPs", 18, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("type", 4, STRING, FLAGS(OMIT), ENUM(enum_ServiceType),
          DESC("ClusterIP, NodePort, LoadBalancer or ExternalName.")),
    FIELD("externalIPs", 5, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("sessionAffinity", 7, STRING, FLAGS(OMIT), ENUM(enum_ServiceAffinity)),
    FIELD("loadBalancerIP", 8, STRING, FLAGS(OMIT)),
    FIELD("loadBalancerSourceRanges", 9, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("externalName", 10, STRING, FLAGS(OMIT)),
    FIELD("externalTrafficPolicy", 11, STRING, FLAGS(OMIT),
          ENUM(enum_ServiceExternalTrafficPolicy)),
    FIELD("healthCheckNodePort", 12, INT32, FLAGS(OMIT)),
    FIELD("publishNotReadyAddresses", 13, BOOL, FLAGS(OMIT)),
    FIELD("sessionAffinityConfig", 14, MESSAGE, OF(core_v1_SessionAffinityConfig), FLAGS(PTR)),
    FIELD("ipFamilies", 19, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC), ENUM(enum_IPFamily)),
    FIELD("ipFamilyPolicy", 17, STRING, FLAGS(PTR), ENUM(enum_IPFamilyPolicy)),
    FIELD("allocateLoadBalancerNodePorts", 20, BOOL, FLAGS(PTR)),
    FIELD("loadBalancerClass", 21, STRING, FLAGS(PTR)),
    FIELD("internalTrafficPolicy", 22, STRING, FLAGS(PTR), ENUM(enum_ServiceInternalTrafficPolicy)),
    FIELD("trafficDistribution", 23, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ServiceSpec, "io.k8s.api.core.v1.ServiceSpec", NULL, ServiceSpec, false);

static const api_field ServicePort[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
    FIELD("protocol", 2, STRING, FLAGS(OMIT), ENUM(enum_Protocol)),
    FIELD("appProtocol", 6, STRING, FLAGS(PTR)),
    FIELD("port", 3, INT32, FLAGS(REQ), DESC("Port the service listens on.")),
    FIELD("targetPort", 4, INT_OR_STRING, FLAGS(OMIT), DESC("Port (number or name) on the pods.")),
    FIELD("nodePort", 5, INT32, FLAGS(OMIT),
          DESC("Port on every node, for NodePort and LoadBalancer services.")),
};
SCHEMA_MESSAGE(core_v1_ServicePort, "io.k8s.api.core.v1.ServicePort", NULL, ServicePort, false);

static const api_field SessionAffinityConfig[] = {
    FIELD("clientIP", 1, MESSAGE, OF(core_v1_ClientIPConfig), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_SessionAffinityConfig, "io.k8s.api.core.v1.SessionAffinityConfig", NULL,
               SessionAffinityConfig, false);

static const api_field ClientIPConfig[] = {
    FIELD("timeoutSeconds", 1, INT32, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ClientIPConfig, "io.k8s.api.core.v1.ClientIPConfig", NULL, ClientIPConfig,
               false);

static const api_field ServiceStatus[] = {
    FIELD("loadBalancer", 1, MESSAGE, OF(core_v1_LoadBalancerStatus), FLAGS(OMIT)),
    FIELD("conditions", 2, MESSAGE, REPEATED, OF(meta_v1_Condition), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
};
SCHEMA_MESSAGE(core_v1_ServiceStatus, "io.k8s.api.core.v1.ServiceStatus", NULL, ServiceStatus,
               false);

static const api_field LoadBalancerStatus[] = {
    FIELD("ingress", 1, MESSAGE, REPEATED, OF(core_v1_LoadBalancerIngress), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_LoadBalancerStatus, "io.k8s.api.core.v1.LoadBalancerStatus", NULL,
               LoadBalancerStatus, false);

static const api_field LoadBalancerIngress[] = {
    FIELD("ip", 1, STRING, FLAGS(OMIT)),
    FIELD("hostname", 2, STRING, FLAGS(OMIT)),
    FIELD("ipMode", 3, STRING, FLAGS(PTR)),
    FIELD("ports", 4, MESSAGE, REPEATED, OF(core_v1_PortStatus), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Network ports exposed.")),
};
SCHEMA_MESSAGE(core_v1_LoadBalancerIngress, "io.k8s.api.core.v1.LoadBalancerIngress", NULL,
               LoadBalancerIngress, false);

static const api_field PortStatus[] = {
    FIELD("port", 1, INT32, FLAGS(REQ)),
    FIELD("protocol", 2, STRING, FLAGS(REQ), ENUM(enum_Protocol)),
    FIELD("error", 3, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PortStatus, "io.k8s.api.core.v1.PortStatus", NULL, PortStatus, false);

LIST_MESSAGE(core_v1_ServiceList, "io.k8s.api.core.v1.ServiceList", core_v1_Service);

static const api_field Endpoints[] = {
    OBJECT_META,
    FIELD("subsets", 2, MESSAGE, REPEATED, OF(core_v1_EndpointSubset), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("Groups of addresses sharing the same ports.")),
};
SCHEMA_MESSAGE(core_v1_Endpoints, "io.k8s.api.core.v1.Endpoints", "The addresses behind a service.",
               Endpoints, false);

static const api_field EndpointSubset[] = {
    FIELD("addresses", 1, MESSAGE, REPEATED, OF(core_v1_EndpointAddress), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("notReadyAddresses", 2, MESSAGE, REPEATED, OF(core_v1_EndpointAddress), FLAGS(OMIT),
          LIST_TYPE(ATOMIC)),
    FIELD("ports", 3, MESSAGE, REPEATED, OF(core_v1_EndpointPort), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Network ports exposed.")),
};
SCHEMA_MESSAGE(core_v1_EndpointSubset, "io.k8s.api.core.v1.EndpointSubset", NULL, EndpointSubset,
               false);

static const api_field EndpointAddress[] = {
    FIELD("ip", 1, STRING, FLAGS(REQ)),
    FIELD("hostname", 3, STRING, FLAGS(OMIT)),
    FIELD("nodeName", 4, STRING, FLAGS(PTR)),
    FIELD("targetRef", 2, MESSAGE, OF(core_v1_ObjectReference), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_EndpointAddress, "io.k8s.api.core.v1.EndpointAddress", NULL, EndpointAddress,
               true);

static const api_field ObjectReference[] = {
    FIELD("kind", 1, STRING, FLAGS(OMIT), DESC("The kind of object this is, e.g. Pod.")),
    FIELD("namespace", 2, STRING, FLAGS(OMIT), DESC("Namespace the object lives in.")),
    FIELD("name", 3, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
    FIELD("uid", 4, STRING, FLAGS(OMIT)),
    FIELD("apiVersion", 5, STRING, FLAGS(OMIT),
          DESC("Versioned schema of this object, e.g. v1 or apps/v1.")),
    FIELD("resourceVersion", 6, STRING, FLAGS(OMIT)),
    FIELD("fieldPath", 7, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ObjectReference, "io.k8s.api.core.v1.ObjectReference",
               "A reference to another object.", ObjectReference, true);

static const api_field EndpointPort[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
    FIELD("port", 2, INT32, FLAGS(REQ)),
    FIELD("protocol", 3, STRING, FLAGS(OMIT), ENUM(enum_Protocol)),
    FIELD("appProtocol", 4, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_EndpointPort, "io.k8s.api.core.v1.EndpointPort", NULL, EndpointPort, true);

LIST_MESSAGE(core_v1_EndpointsList, "io.k8s.api.core.v1.EndpointsList", core_v1_Endpoints);

static const api_field ConfigMap[] = {
    OBJECT_META,
    FIELD("immutable", 4, BOOL, FLAGS(PTR),
          DESC("When true, the data can no longer change; only deletion is allowed.")),
    FIELD("data", 2, STRING, MAP_OF, FLAGS(OMIT), DESC("Text values by key.")),
    FIELD("binaryData", 3, BYTES, MAP_OF, FLAGS(OMIT),
          DESC("Binary values by key (base64 in JSON).")),
};
SCHEMA_MESSAGE(core_v1_ConfigMap, "io.k8s.api.core.v1.ConfigMap",
               "Configuration data for pods, as text or binary values.", ConfigMap, false);

LIST_MESSAGE(core_v1_ConfigMapList, "io.k8s.api.core.v1.ConfigMapList", core_v1_ConfigMap);

static const api_field Secret[] = {
    OBJECT_META,
    FIELD("immutable", 5, BOOL, FLAGS(PTR),
          DESC("When true, the data can no longer change; only deletion is allowed.")),
    FIELD("data", 2, BYTES, MAP_OF, FLAGS(OMIT), DESC("Values by key (base64 in JSON).")),
    FIELD("stringData", 4, STRING, MAP_OF, FLAGS(OMIT),
          DESC("Write-only text values merged into data.")),
    FIELD("type", 3, STRING, FLAGS(OMIT),
          DESC("What the secret holds, e.g. Opaque or kubernetes.io/tls.")),
};
SCHEMA_MESSAGE(core_v1_Secret, "io.k8s.api.core.v1.Secret",
               "Sensitive data for pods, such as passwords and keys.", Secret, false);

LIST_MESSAGE(core_v1_SecretList, "io.k8s.api.core.v1.SecretList", core_v1_Secret);

static const api_field ServiceAccount[] = {
    OBJECT_META,
    FIELD("secrets", 2, MESSAGE, REPEATED, OF(core_v1_ObjectReference), FLAGS(OMIT),
          MERGE("merge", "name"), DESC("Secrets of the account (legacy token Secrets).")),
    FIELD("imagePullSecrets", 3, MESSAGE, REPEATED, OF(core_v1_LocalObjectReference), FLAGS(OMIT),
          DESC("Secrets its pods pull images with.")),
    FIELD("automountServiceAccountToken", 4, BOOL, FLAGS(PTR),
          DESC("Whether pods of this account get its token mounted; a pod may override.")),
};
SCHEMA_MESSAGE(core_v1_ServiceAccount, "io.k8s.api.core.v1.ServiceAccount",
               "An identity for processes that run in pods.", ServiceAccount, false);

LIST_MESSAGE(core_v1_ServiceAccountList, "io.k8s.api.core.v1.ServiceAccountList",
             core_v1_ServiceAccount);

static const api_field ResourceQuota[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_ResourceQuotaSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_ResourceQuotaStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_ResourceQuota, "io.k8s.api.core.v1.ResourceQuota",
               "Limits what a namespace may consume in total.", ResourceQuota, false);

static const api_field ResourceQuotaSpec[] = {
    FIELD("hard", 1, QUANTITY, MAP_OF, FLAGS(OMIT), DESC("Limits enforced per resource name.")),
    FIELD("scopes", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          ENUM(enum_ResourceQuotaScope), DESC("Only objects in these scopes count.")),
    FIELD("scopeSelector", 3, MESSAGE, OF(core_v1_ScopeSelector), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_ResourceQuotaSpec, "io.k8s.api.core.v1.ResourceQuotaSpec", NULL,
               ResourceQuotaSpec, false);

static const api_field ScopeSelector[] = {
    FIELD("matchExpressions", 1, MESSAGE, REPEATED, OF(core_v1_ScopedResourceSelectorRequirement),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_ScopeSelector, "io.k8s.api.core.v1.ScopeSelector", NULL, ScopeSelector,
               true);

static const api_field ScopedResourceSelectorRequirement[] = {
    FIELD("scopeName", 1, STRING, FLAGS(REQ), ENUM(enum_ResourceQuotaScope)),
    FIELD("operator", 2, STRING, FLAGS(REQ), ENUM(enum_ScopeSelectorOperator)),
    FIELD("values", 3, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(core_v1_ScopedResourceSelectorRequirement,
               "io.k8s.api.core.v1.ScopedResourceSelectorRequirement", NULL,
               ScopedResourceSelectorRequirement, false);

static const api_field ResourceQuotaStatus[] = {
    FIELD("hard", 1, QUANTITY, MAP_OF, FLAGS(OMIT), DESC("Limits enforced per resource name.")),
    FIELD("used", 2, QUANTITY, MAP_OF, FLAGS(OMIT), DESC("Current use per resource name.")),
};
SCHEMA_MESSAGE(core_v1_ResourceQuotaStatus, "io.k8s.api.core.v1.ResourceQuotaStatus", NULL,
               ResourceQuotaStatus, false);

LIST_MESSAGE(core_v1_ResourceQuotaList, "io.k8s.api.core.v1.ResourceQuotaList",
             core_v1_ResourceQuota);

static const api_field LimitRange[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_LimitRangeSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
};
SCHEMA_MESSAGE(core_v1_LimitRange, "io.k8s.api.core.v1.LimitRange",
               "Per-object resource defaults and bounds in a namespace.", LimitRange, false);

static const api_field LimitRangeSpec[] = {
    FIELD("limits", 1, MESSAGE, REPEATED, OF(core_v1_LimitRangeItem), FLAGS(REQ), LIST_TYPE(ATOMIC),
          DESC("Bounds and defaults per object type.")),
};
SCHEMA_MESSAGE(core_v1_LimitRangeSpec, "io.k8s.api.core.v1.LimitRangeSpec", NULL, LimitRangeSpec,
               false);

static const api_field LimitRangeItem[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("max", 2, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("min", 3, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("default", 4, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("defaultRequest", 5, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("maxLimitRequestRatio", 6, QUANTITY, MAP_OF, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_LimitRangeItem, "io.k8s.api.core.v1.LimitRangeItem", NULL, LimitRangeItem,
               false);

LIST_MESSAGE(core_v1_LimitRangeList, "io.k8s.api.core.v1.LimitRangeList", core_v1_LimitRange);

static const api_field Event[] = {
    FIELD("metadata", 1, MESSAGE, OF(meta_v1_ObjectMeta), FLAGS(REQ),
          DESC("Standard object metadata: name, namespace, labels, annotations, owners.")),
    FIELD("involvedObject", 2, MESSAGE, OF(core_v1_ObjectReference), FLAGS(REQ),
          DESC("The object this event is about.")),
    FIELD("reason", 3, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 4, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
    FIELD("source", 5, MESSAGE, OF(core_v1_EventSource), FLAGS(OMIT)),
    FIELD("firstTimestamp", 6, TIME, FLAGS(OMIT), DESC("When it first happened.")),
    FIELD("lastTimestamp", 7, TIME, FLAGS(OMIT), DESC("When it last happened.")),
    FIELD("count", 8, INT32, FLAGS(OMIT), DESC("How many times it happened.")),
    FIELD("type", 9, STRING, FLAGS(OMIT)),
    FIELD("eventTime", 10, MICROTIME, FLAGS(OMIT)),
    FIELD("series", 11, MESSAGE, OF(core_v1_EventSeries), FLAGS(PTR)),
    FIELD("action", 12, STRING, FLAGS(OMIT)),
    FIELD("related", 13, MESSAGE, OF(core_v1_ObjectReference), FLAGS(PTR)),
    FIELD("reportingComponent", 14, STRING),
    FIELD("reportingInstance", 15, STRING),
};
SCHEMA_MESSAGE(core_v1_Event, "io.k8s.api.core.v1.Event",
               "A report of something that happened to an object.", Event, false);

static const api_field EventSource[] = {
    FIELD("component", 1, STRING, FLAGS(OMIT)),
    FIELD("host", 2, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_EventSource, "io.k8s.api.core.v1.EventSource", NULL, EventSource, false);

static const api_field EventSeries[] = {
    FIELD("count", 1, INT32, FLAGS(OMIT)),
    FIELD("lastObservedTime", 2, MICROTIME, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_EventSeries, "io.k8s.api.core.v1.EventSeries", NULL, EventSeries, false);

LIST_MESSAGE(core_v1_EventList, "io.k8s.api.core.v1.EventList", core_v1_Event);

static const api_field Binding[] = {
    OBJECT_META,
    FIELD("target", 2, MESSAGE, OF(core_v1_ObjectReference), FLAGS(REQ),
          DESC("The node to bind to.")),
};
SCHEMA_MESSAGE(core_v1_Binding, "io.k8s.api.core.v1.Binding",
               "Binds a pod to a node; posted by the scheduler.", Binding, false);

static const api_field PodTemplateSpec[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_PodSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
};
SCHEMA_MESSAGE(core_v1_PodTemplateSpec, "io.k8s.api.core.v1.PodTemplateSpec", NULL, PodTemplateSpec,
               false);

static const api_field ReplicationController[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_ReplicationControllerSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_ReplicationControllerStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_ReplicationController, "io.k8s.api.core.v1.ReplicationController",
               "Keeps a number of pods running: the ReplicaSet's predecessor, with an equality "
               "selector.",
               ReplicationController, false);

static const api_field ReplicationControllerSpec[] = {
    FIELD("replicas", 1, INT32, FLAGS(PTR), DESC("Number of pods wanted; 1 when unset.")),
    FIELD("minReadySeconds", 4, INT32, FLAGS(OMIT)),
    FIELD("selector", 2, STRING, MAP_OF, FLAGS(OMIT | ATOMIC),
          DESC("Labels the pods must all have; the template's labels when unset.")),
    FIELD("template", 3, MESSAGE, OF(core_v1_PodTemplateSpec), FLAGS(PTR),
          DESC("The pod each replica runs.")),
};
SCHEMA_MESSAGE(core_v1_ReplicationControllerSpec, "io.k8s.api.core.v1.ReplicationControllerSpec",
               NULL, ReplicationControllerSpec, false);

static const api_field ReplicationControllerStatus[] = {
    FIELD("replicas", 1, INT32, FLAGS(REQ), DESC("Pods the controller owns.")),
    FIELD("fullyLabeledReplicas", 2, INT32, FLAGS(OMIT)),
    FIELD("readyReplicas", 4, INT32, FLAGS(OMIT)),
    FIELD("availableReplicas", 5, INT32, FLAGS(OMIT)),
    FIELD("observedGeneration", 3, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("conditions", 6, MESSAGE, REPEATED, OF(core_v1_ReplicationControllerCondition),
          FLAGS(OMIT), LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
};
SCHEMA_MESSAGE(core_v1_ReplicationControllerStatus,
               "io.k8s.api.core.v1.ReplicationControllerStatus", NULL, ReplicationControllerStatus,
               false);

static const api_field ReplicationControllerCondition[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("status", 2, STRING, FLAGS(REQ)),
    FIELD("lastTransitionTime", 3, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 4, STRING, FLAGS(OMIT)),
    FIELD("message", 5, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(core_v1_ReplicationControllerCondition,
               "io.k8s.api.core.v1.ReplicationControllerCondition", NULL,
               ReplicationControllerCondition, false);

LIST_MESSAGE(core_v1_ReplicationControllerList, "io.k8s.api.core.v1.ReplicationControllerList",
             core_v1_ReplicationController);

const api_schema_kind api_schema_kinds_core_v1[] = {
    {"", "v1", "Namespace", &api_msg_core_v1_Namespace},
    {"", "v1", "NamespaceList", &api_msg_core_v1_NamespaceList},
    {"", "v1", "Node", &api_msg_core_v1_Node},
    {"", "v1", "NodeList", &api_msg_core_v1_NodeList},
    {"", "v1", "Pod", &api_msg_core_v1_Pod},
    {"", "v1", "PodList", &api_msg_core_v1_PodList},
    {"", "v1", "Service", &api_msg_core_v1_Service},
    {"", "v1", "ServiceList", &api_msg_core_v1_ServiceList},
    {"", "v1", "Endpoints", &api_msg_core_v1_Endpoints},
    {"", "v1", "EndpointsList", &api_msg_core_v1_EndpointsList},
    {"", "v1", "ConfigMap", &api_msg_core_v1_ConfigMap},
    {"", "v1", "ConfigMapList", &api_msg_core_v1_ConfigMapList},
    {"", "v1", "Secret", &api_msg_core_v1_Secret},
    {"", "v1", "SecretList", &api_msg_core_v1_SecretList},
    {"", "v1", "ServiceAccount", &api_msg_core_v1_ServiceAccount},
    {"", "v1", "ServiceAccountList", &api_msg_core_v1_ServiceAccountList},
    {"", "v1", "ResourceQuota", &api_msg_core_v1_ResourceQuota},
    {"", "v1", "ResourceQuotaList", &api_msg_core_v1_ResourceQuotaList},
    {"", "v1", "LimitRange", &api_msg_core_v1_LimitRange},
    {"", "v1", "LimitRangeList", &api_msg_core_v1_LimitRangeList},
    {"", "v1", "Event", &api_msg_core_v1_Event},
    {"", "v1", "EventList", &api_msg_core_v1_EventList},
    {"", "v1", "Binding", &api_msg_core_v1_Binding},
    {"", "v1", "ReplicationController", &api_msg_core_v1_ReplicationController},
    {"", "v1", "ReplicationControllerList", &api_msg_core_v1_ReplicationControllerList},
    {.kind = NULL},
};
