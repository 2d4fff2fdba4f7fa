/*
 * messages.h — what the schema tables (the .c files beside it) share: every
 * message of the built-in kinds, so that one group-version's tables can refer
 * to another's, and the short macros a table is written with.
 *
 * A table reads as one row per field:
 *
 *   static const api_field ContainerPort[] = {
 *       FIELD("containerPort", 3, INT32, FLAGS(REQ), DESC("Port in the pod.")),
 *       FIELD("protocol", 4, STRING, FLAGS(OMIT), ENUM(enum_Protocol)),
 *   };
 *   SCHEMA_MESSAGE(core_v1_ContainerPort, "io.k8s.api.core.v1.ContainerPort", NULL,
 *                  ContainerPort, false);
 *
 * FIELD(json name, protobuf number, type, options...): type is an
 * api_schema_type without its prefix; the options set the other members of
 * api_field (see schema.h for their meaning).
 */
#ifndef TUG_APISERVER_SCHEMA_MESSAGES_H
#define TUG_APISERVER_SCHEMA_MESSAGES_H

#include "../schema.h"

#define FIELD(json, num, t, ...)                                                                   \
  { .name = json, .number = num, .type = API_SCHEMA_##t, __VA_ARGS__ }
#define REPEATED .shape = API_SCHEMA_LIST
#define MAP_OF .shape = API_SCHEMA_MAP
#define OF(id) .message = &api_msg_##id
#define FLAGS(f) .flags = (f)
#define OMIT API_FIELD_OMITEMPTY
#define PTR API_FIELD_POINTER
#define REQ API_FIELD_REQUIRED
#define ATOMIC API_FIELD_ATOMIC
#define INLINE API_FIELD_INLINE
#define LIST_TYPE(t) .list_type = API_LIST_##t
#define KEYS(...)                                                                                  \
  .list_keys = (const char *const[]) {                                                             \
    __VA_ARGS__, NULL                                                                              \
  }
#define MERGE(strategy, key) .patch_strategy = strategy, .patch_merge_key = key
#define STRATEGY(s) .patch_strategy = s
#define ENUM(values) .enum_values = values
#define DESC(text) .description = text

/* Every kind's metadata field. */
#define OBJECT_META                                                                                \
  FIELD("metadata", 1, MESSAGE, OF(meta_v1_ObjectMeta), FLAGS(OMIT),                               \
        DESC("Standard object metadata: name, namespace, labels, annotations, owners."))

/* Defines api_msg_<id> over the field array fields_. */
#define SCHEMA_MESSAGE(id, openapi_name, desc, fields_, atomic_)                                   \
  const api_message api_msg_##id = {.name = openapi_name,                                          \
                                    .description = desc,                                           \
                                    .fields = fields_,                                             \
                                    .n_fields = sizeof fields_ / sizeof fields_[0],                \
                                    .atomic = atomic_}

extern const api_message api_msg_meta_v1_Status;
extern const api_message api_msg_meta_v1_ListMeta;
extern const api_message api_msg_meta_v1_ShardInfo;
extern const api_message api_msg_meta_v1_StatusDetails;
extern const api_message api_msg_meta_v1_StatusCause;
extern const api_message api_msg_meta_v1_DeleteOptions;
extern const api_message api_msg_meta_v1_Preconditions;
extern const api_message api_msg_meta_v1_WatchEvent;
extern const api_message api_msg_meta_v1_ObjectMeta;
extern const api_message api_msg_meta_v1_OwnerReference;
extern const api_message api_msg_meta_v1_ManagedFieldsEntry;
extern const api_message api_msg_core_v1_Namespace;
extern const api_message api_msg_core_v1_NamespaceSpec;
extern const api_message api_msg_core_v1_NamespaceStatus;
extern const api_message api_msg_core_v1_NamespaceCondition;
extern const api_message api_msg_core_v1_NamespaceList;
extern const api_message api_msg_core_v1_Node;
extern const api_message api_msg_core_v1_NodeSpec;
extern const api_message api_msg_core_v1_Taint;
extern const api_message api_msg_core_v1_NodeConfigSource;
extern const api_message api_msg_core_v1_ConfigMapNodeConfigSource;
extern const api_message api_msg_core_v1_NodePodPreemptionPolicy;
extern const api_message api_msg_core_v1_NodeStatus;
extern const api_message api_msg_core_v1_NodeCondition;
extern const api_message api_msg_core_v1_NodeAddress;
extern const api_message api_msg_core_v1_NodeDaemonEndpoints;
extern const api_message api_msg_core_v1_DaemonEndpoint;
extern const api_message api_msg_core_v1_NodeSystemInfo;
extern const api_message api_msg_core_v1_NodeSwapStatus;
extern const api_message api_msg_core_v1_ContainerImage;
extern const api_message api_msg_core_v1_AttachedVolume;
extern const api_message api_msg_core_v1_NodeConfigStatus;
extern const api_message api_msg_core_v1_NodeRuntimeHandler;
extern const api_message api_msg_core_v1_NodeRuntimeHandlerFeatures;
extern const api_message api_msg_core_v1_NodeFeatures;
extern const api_message api_msg_core_v1_NodeList;
extern const api_message api_msg_core_v1_Pod;
extern const api_message api_msg_core_v1_PodSpec;
extern const api_message api_msg_core_v1_Volume;
extern const api_message api_msg_core_v1_VolumeSource;
extern const api_message api_msg_core_v1_HostPathVolumeSource;
extern const api_message api_msg_core_v1_EmptyDirVolumeSource;
extern const api_message api_msg_core_v1_GCEPersistentDiskVolumeSource;
extern const api_message api_msg_core_v1_AWSElasticBlockStoreVolumeSource;
extern const api_message api_msg_core_v1_GitRepoVolumeSource;
extern const api_message api_msg_core_v1_SecretVolumeSource;
extern const api_message api_msg_core_v1_KeyToPath;
extern const api_message api_msg_core_v1_NFSVolumeSource;
extern const api_message api_msg_core_v1_ISCSIVolumeSource;
extern const api_message api_msg_core_v1_LocalObjectReference;
extern const api_message api_msg_core_v1_GlusterfsVolumeSource;
extern const api_message api_msg_core_v1_PersistentVolumeClaimVolumeSource;
extern const api_message api_msg_core_v1_RBDVolumeSource;
extern const api_message api_msg_core_v1_FlexVolumeSource;
extern const api_message api_msg_core_v1_CinderVolumeSource;
extern const api_message api_msg_core_v1_CephFSVolumeSource;
extern const api_message api_msg_core_v1_FlockerVolumeSource;
extern const api_message api_msg_core_v1_DownwardAPIVolumeSource;
extern const api_message api_msg_core_v1_DownwardAPIVolumeFile;
extern const api_message api_msg_core_v1_ObjectFieldSelector;
extern const api_message api_msg_core_v1_ResourceFieldSelector;
extern const api_message api_msg_core_v1_FCVolumeSource;
extern const api_message api_msg_core_v1_AzureFileVolumeSource;
extern const api_message api_msg_core_v1_ConfigMapVolumeSource;
extern const api_message api_msg_core_v1_VsphereVirtualDiskVolumeSource;
extern const api_message api_msg_core_v1_QuobyteVolumeSource;
extern const api_message api_msg_core_v1_AzureDiskVolumeSource;
extern const api_message api_msg_core_v1_PhotonPersistentDiskVolumeSource;
extern const api_message api_msg_core_v1_ProjectedVolumeSource;
extern const api_message api_msg_core_v1_VolumeProjection;
extern const api_message api_msg_core_v1_SecretProjection;
extern const api_message api_msg_core_v1_DownwardAPIProjection;
extern const api_message api_msg_core_v1_ConfigMapProjection;
extern const api_message api_msg_core_v1_ServiceAccountTokenProjection;
extern const api_message api_msg_core_v1_ClusterTrustBundleProjection;
extern const api_message api_msg_meta_v1_LabelSelector;
extern const api_message api_msg_meta_v1_LabelSelectorRequirement;
extern const api_message api_msg_core_v1_PodCertificateProjection;
extern const api_message api_msg_core_v1_PortworxVolumeSource;
extern const api_message api_msg_core_v1_ScaleIOVolumeSource;
extern const api_message api_msg_core_v1_StorageOSVolumeSource;
extern const api_message api_msg_core_v1_CSIVolumeSource;
extern const api_message api_msg_core_v1_EphemeralVolumeSource;
extern const api_message api_msg_core_v1_PersistentVolumeClaimTemplate;
extern const api_message api_msg_core_v1_PersistentVolumeClaimSpec;
extern const api_message api_msg_core_v1_VolumeResourceRequirements;
extern const api_message api_msg_core_v1_TypedLocalObjectReference;
extern const api_message api_msg_core_v1_TypedObjectReference;
extern const api_message api_msg_core_v1_ImageVolumeSource;
extern const api_message api_msg_core_v1_Container;
extern const api_message api_msg_core_v1_ContainerPort;
extern const api_message api_msg_core_v1_EnvFromSource;
extern const api_message api_msg_core_v1_ConfigMapEnvSource;
extern const api_message api_msg_core_v1_SecretEnvSource;
extern const api_message api_msg_core_v1_EnvVar;
extern const api_message api_msg_core_v1_EnvVarSource;
extern const api_message api_msg_core_v1_ConfigMapKeySelector;
extern const api_message api_msg_core_v1_SecretKeySelector;
extern const api_message api_msg_core_v1_FileKeySelector;
extern const api_message api_msg_core_v1_ResourceRequirements;
extern const api_message api_msg_core_v1_ResourceClaim;
extern const api_message api_msg_core_v1_ContainerResizePolicy;
extern const api_message api_msg_core_v1_ContainerRestartRule;
extern const api_message api_msg_core_v1_ContainerRestartRuleOnExitCodes;
extern const api_message api_msg_core_v1_VolumeMount;
extern const api_message api_msg_core_v1_VolumeDevice;
extern const api_message api_msg_core_v1_Probe;
extern const api_message api_msg_core_v1_ProbeHandler;
extern const api_message api_msg_core_v1_ExecAction;
extern const api_message api_msg_core_v1_HTTPGetAction;
extern const api_message api_msg_core_v1_HTTPHeader;
extern const api_message api_msg_core_v1_TCPSocketAction;
extern const api_message api_msg_core_v1_GRPCAction;
extern const api_message api_msg_core_v1_Lifecycle;
extern const api_message api_msg_core_v1_LifecycleHandler;
extern const api_message api_msg_core_v1_SleepAction;
extern const api_message api_msg_core_v1_SecurityContext;
extern const api_message api_msg_core_v1_Capabilities;
extern const api_message api_msg_core_v1_SELinuxOptions;
extern const api_message api_msg_core_v1_WindowsSecurityContextOptions;
extern const api_message api_msg_core_v1_SeccompProfile;
extern const api_message api_msg_core_v1_AppArmorProfile;
extern const api_message api_msg_core_v1_EphemeralContainer;
extern const api_message api_msg_core_v1_EphemeralContainerCommon;
extern const api_message api_msg_core_v1_PodSecurityContext;
extern const api_message api_msg_core_v1_Sysctl;
extern const api_message api_msg_core_v1_Affinity;
extern const api_message api_msg_core_v1_NodeAffinity;
extern const api_message api_msg_core_v1_NodeSelector;
extern const api_message api_msg_core_v1_NodeSelectorTerm;
extern const api_message api_msg_core_v1_NodeSelectorRequirement;
extern const api_message api_msg_core_v1_PreferredSchedulingTerm;
extern const api_message api_msg_core_v1_PodAffinity;
extern const api_message api_msg_core_v1_PodAffinityTerm;
extern const api_message api_msg_core_v1_WeightedPodAffinityTerm;
extern const api_message api_msg_core_v1_PodAntiAffinity;
extern const api_message api_msg_core_v1_Toleration;
extern const api_message api_msg_core_v1_HostAlias;
extern const api_message api_msg_core_v1_PodDNSConfig;
extern const api_message api_msg_core_v1_PodDNSConfigOption;
extern const api_message api_msg_core_v1_PodReadinessGate;
extern const api_message api_msg_core_v1_TopologySpreadConstraint;
extern const api_message api_msg_core_v1_PodOS;
extern const api_message api_msg_core_v1_PodSchedulingGate;
extern const api_message api_msg_core_v1_PodResourceClaim;
extern const api_message api_msg_core_v1_PodSchedulingGroup;
extern const api_message api_msg_core_v1_EvictionResponder;
extern const api_message api_msg_core_v1_PodStatus;
extern const api_message api_msg_core_v1_PodCondition;
extern const api_message api_msg_core_v1_HostIP;
extern const api_message api_msg_core_v1_PodIP;
extern const api_message api_msg_core_v1_ContainerStatus;
extern const api_message api_msg_core_v1_ContainerState;
extern const api_message api_msg_core_v1_ContainerStateWaiting;
extern const api_message api_msg_core_v1_ContainerStateRunning;
extern const api_message api_msg_core_v1_ContainerStateTerminated;
extern const api_message api_msg_core_v1_VolumeMountStatus;
extern const api_message api_msg_core_v1_VolumeStatus;
extern const api_message api_msg_core_v1_ImageVolumeStatus;
extern const api_message api_msg_core_v1_ContainerUser;
extern const api_message api_msg_core_v1_LinuxContainerUser;
extern const api_message api_msg_core_v1_ResourceStatus;
extern const api_message api_msg_core_v1_ResourceHealth;
extern const api_message api_msg_core_v1_PodResourceClaimStatus;
extern const api_message api_msg_core_v1_PodExtendedResourceClaimStatus;
extern const api_message api_msg_core_v1_ContainerExtendedResourceRequest;
extern const api_message api_msg_core_v1_NodeAllocatableResourceClaimStatus;
extern const api_message api_msg_core_v1_NodeAllocatableMappedResources;
extern const api_message api_msg_core_v1_NodeAllocatableOverheadResources;
extern const api_message api_msg_core_v1_PodVolumeHealth;
extern const api_message api_msg_core_v1_VolumeHealthCondition;
extern const api_message api_msg_core_v1_PodList;
extern const api_message api_msg_core_v1_Service;
extern const api_message api_msg_core_v1_ServiceSpec;
extern const api_message api_msg_core_v1_ServicePort;
extern const api_message api_msg_core_v1_SessionAffinityConfig;
extern const api_message api_msg_core_v1_ClientIPConfig;
extern const api_message api_msg_core_v1_ServiceStatus;
extern const api_message api_msg_core_v1_LoadBalancerStatus;
extern const api_message api_msg_core_v1_LoadBalancerIngress;
extern const api_message api_msg_core_v1_PortStatus;
extern const api_message api_msg_meta_v1_Condition;
extern const api_message api_msg_core_v1_ServiceList;
extern const api_message api_msg_core_v1_Endpoints;
extern const api_message api_msg_core_v1_EndpointSubset;
extern const api_message api_msg_core_v1_EndpointAddress;
extern const api_message api_msg_core_v1_ObjectReference;
extern const api_message api_msg_core_v1_EndpointPort;
extern const api_message api_msg_core_v1_EndpointsList;
extern const api_message api_msg_core_v1_ConfigMap;
extern const api_message api_msg_core_v1_ConfigMapList;
extern const api_message api_msg_core_v1_Secret;
extern const api_message api_msg_core_v1_SecretList;
extern const api_message api_msg_core_v1_ServiceAccount;
extern const api_message api_msg_core_v1_ServiceAccountList;
extern const api_message api_msg_core_v1_ResourceQuota;
extern const api_message api_msg_core_v1_ResourceQuotaSpec;
extern const api_message api_msg_core_v1_ScopeSelector;
extern const api_message api_msg_core_v1_ScopedResourceSelectorRequirement;
extern const api_message api_msg_core_v1_ResourceQuotaStatus;
extern const api_message api_msg_core_v1_ResourceQuotaList;
extern const api_message api_msg_core_v1_LimitRange;
extern const api_message api_msg_core_v1_LimitRangeSpec;
extern const api_message api_msg_core_v1_LimitRangeItem;
extern const api_message api_msg_core_v1_LimitRangeList;
extern const api_message api_msg_core_v1_Event;
extern const api_message api_msg_core_v1_EventSource;
extern const api_message api_msg_core_v1_EventSeries;
extern const api_message api_msg_core_v1_EventList;
extern const api_message api_msg_core_v1_Binding;
extern const api_message api_msg_apps_v1_Deployment;
extern const api_message api_msg_apps_v1_DeploymentSpec;
extern const api_message api_msg_core_v1_PodTemplateSpec;
extern const api_message api_msg_apps_v1_DeploymentStrategy;
extern const api_message api_msg_apps_v1_RollingUpdateDeployment;
extern const api_message api_msg_apps_v1_DeploymentStatus;
extern const api_message api_msg_apps_v1_DeploymentCondition;
extern const api_message api_msg_apps_v1_DeploymentList;
extern const api_message api_msg_apps_v1_ReplicaSet;
extern const api_message api_msg_apps_v1_ReplicaSetSpec;
extern const api_message api_msg_apps_v1_ReplicaSetStatus;
extern const api_message api_msg_apps_v1_ReplicaSetCondition;
extern const api_message api_msg_apps_v1_ReplicaSetList;
extern const api_message api_msg_batch_v1_Job;
extern const api_message api_msg_batch_v1_JobSpec;
extern const api_message api_msg_batch_v1_PodFailurePolicy;
extern const api_message api_msg_batch_v1_PodFailurePolicyRule;
extern const api_message api_msg_batch_v1_PodFailurePolicyOnExitCodesRequirement;
extern const api_message api_msg_batch_v1_PodFailurePolicyOnPodConditionsPattern;
extern const api_message api_msg_batch_v1_SuccessPolicy;
extern const api_message api_msg_batch_v1_SuccessPolicyRule;
extern const api_message api_msg_batch_v1_JobSchedulingConfiguration;
extern const api_message api_msg_batch_v1_JobStatus;
extern const api_message api_msg_batch_v1_JobCondition;
extern const api_message api_msg_batch_v1_UncountedTerminatedPods;
extern const api_message api_msg_batch_v1_JobList;
extern const api_message api_msg_scheduling_v1_PriorityClass;
extern const api_message api_msg_scheduling_v1_PriorityClassList;
extern const api_message api_msg_coordination_v1_Lease;
extern const api_message api_msg_coordination_v1_LeaseSpec;
extern const api_message api_msg_coordination_v1_LeaseList;
extern const api_message api_msg_autoscaling_v1_Scale;
extern const api_message api_msg_autoscaling_v1_ScaleSpec;
extern const api_message api_msg_autoscaling_v1_ScaleStatus;
extern const api_message api_msg_policy_v1_Eviction;
extern const api_message api_msg_policy_v1_PodDisruptionBudget,
    api_msg_policy_v1_PodDisruptionBudgetSpec, api_msg_policy_v1_PodDisruptionBudgetStatus,
    api_msg_policy_v1_PodDisruptionBudgetList;
extern const api_message api_msg_core_v1_ReplicationController,
    api_msg_core_v1_ReplicationControllerSpec, api_msg_core_v1_ReplicationControllerStatus,
    api_msg_core_v1_ReplicationControllerCondition, api_msg_core_v1_ReplicationControllerList;
extern const api_message api_msg_networking_v1_Ingress, api_msg_networking_v1_IngressSpec,
    api_msg_networking_v1_IngressBackend, api_msg_networking_v1_IngressServiceBackend,
    api_msg_networking_v1_ServiceBackendPort, api_msg_networking_v1_IngressTLS,
    api_msg_networking_v1_IngressRule, api_msg_networking_v1_IngressRuleValue,
    api_msg_networking_v1_HTTPIngressRuleValue, api_msg_networking_v1_HTTPIngressPath,
    api_msg_networking_v1_IngressStatus, api_msg_networking_v1_IngressLoadBalancerStatus,
    api_msg_networking_v1_IngressLoadBalancerIngress, api_msg_networking_v1_IngressPortStatus,
    api_msg_networking_v1_IngressList;
extern const api_message api_msg_authentication_v1_TokenRequest;
extern const api_message api_msg_authentication_v1_TokenRequestSpec;
extern const api_message api_msg_authentication_v1_BoundObjectReference;
extern const api_message api_msg_authentication_v1_TokenRequestStatus;
extern const api_message api_msg_rbac_v1_PolicyRule, api_msg_rbac_v1_AggregationRule,
    api_msg_rbac_v1_Role, api_msg_rbac_v1_ClusterRole, api_msg_rbac_v1_Subject,
    api_msg_rbac_v1_RoleRef, api_msg_rbac_v1_RoleBinding, api_msg_rbac_v1_ClusterRoleBinding,
    api_msg_rbac_v1_RoleList, api_msg_rbac_v1_ClusterRoleList, api_msg_rbac_v1_RoleBindingList,
    api_msg_rbac_v1_ClusterRoleBindingList;
extern const api_message api_msg_authorization_v1_ResourceAttributes,
    api_msg_authorization_v1_NonResourceAttributes,
    api_msg_authorization_v1_SubjectAccessReviewSpec,
    api_msg_authorization_v1_SelfSubjectAccessReviewSpec,
    api_msg_authorization_v1_SubjectAccessReviewStatus,
    api_msg_authorization_v1_SubjectAccessReview, api_msg_authorization_v1_LocalSubjectAccessReview,
    api_msg_authorization_v1_SelfSubjectAccessReview,
    api_msg_authorization_v1_SelfSubjectRulesReviewSpec, api_msg_authorization_v1_ResourceRule,
    api_msg_authorization_v1_NonResourceRule, api_msg_authorization_v1_SubjectRulesReviewStatus,
    api_msg_authorization_v1_SelfSubjectRulesReview;
extern const api_message api_msg_tug_v1_QueuePreemption, api_msg_tug_v1_QueueAging,
    api_msg_tug_v1_QueueSpec, api_msg_tug_v1_QueuePendingWorkload, api_msg_tug_v1_QueueBudget,
    api_msg_tug_v1_QueueBudgetStatus,
    api_msg_tug_v1_QueueStatus, api_msg_tug_v1_Queue, api_msg_tug_v1_QueueList;

extern const api_message api_msg_apiextensions_v1_CustomResourceDefinition,
    api_msg_apiextensions_v1_CustomResourceDefinitionSpec,
    api_msg_apiextensions_v1_CustomResourceDefinitionNames,
    api_msg_apiextensions_v1_CustomResourceDefinitionVersion,
    api_msg_apiextensions_v1_CustomResourceValidation,
    api_msg_apiextensions_v1_CustomResourceSubresources,
    api_msg_apiextensions_v1_CustomResourceSubresourceScale,
    api_msg_apiextensions_v1_CustomResourceColumnDefinition,
    api_msg_apiextensions_v1_SelectableField, api_msg_apiextensions_v1_CustomResourceConversion,
    api_msg_apiextensions_v1_CustomResourceDefinitionStatus,
    api_msg_apiextensions_v1_CustomResourceDefinitionCondition,
    api_msg_apiextensions_v1_CustomResourceDefinitionList;

/* Persistent volumes and StatefulSets (core-v1-storage.c, storage-v1.c, apps-v1-statefulset.c). */
extern const api_message api_msg_core_v1_PersistentVolume, api_msg_core_v1_PersistentVolumeSource,
    api_msg_core_v1_LocalVolumeSource, api_msg_core_v1_PersistentVolumeSpec,
    api_msg_core_v1_VolumeNodeAffinity, api_msg_core_v1_PersistentVolumeStatus,
    api_msg_core_v1_PersistentVolumeList, api_msg_core_v1_PersistentVolumeClaim,
    api_msg_core_v1_PersistentVolumeClaimStatus, api_msg_core_v1_PersistentVolumeClaimCondition,
    api_msg_core_v1_PersistentVolumeClaimList;
extern const api_message api_msg_storage_v1_StorageClass, api_msg_storage_v1_TopologySelectorTerm,
    api_msg_storage_v1_TopologySelectorLabelRequirement, api_msg_storage_v1_StorageClassList;
extern const api_message api_msg_apps_v1_StatefulSet, api_msg_apps_v1_StatefulSetSpec,
    api_msg_apps_v1_StatefulSetUpdateStrategy, api_msg_apps_v1_RollingUpdateStatefulSetStrategy,
    api_msg_apps_v1_StatefulSetPersistentVolumeClaimRetentionPolicy,
    api_msg_apps_v1_StatefulSetOrdinals, api_msg_apps_v1_StatefulSetStatus,
    api_msg_apps_v1_StatefulSetCondition, api_msg_apps_v1_StatefulSetList;

extern const api_schema_kind api_schema_kinds_meta_v1[];
extern const api_schema_kind api_schema_kinds_core_v1[];
extern const api_schema_kind api_schema_kinds_apps_v1[];
extern const api_schema_kind api_schema_kinds_batch_v1[];
extern const api_schema_kind api_schema_kinds_scheduling_v1[];
extern const api_schema_kind api_schema_kinds_coordination_v1[];
extern const api_schema_kind api_schema_kinds_autoscaling_v1[];
extern const api_schema_kind api_schema_kinds_policy_v1[];
extern const api_schema_kind api_schema_kinds_authentication_v1[];
extern const api_schema_kind api_schema_kinds_rbac_v1[];
extern const api_schema_kind api_schema_kinds_authorization_v1[];
extern const api_schema_kind api_schema_kinds_tug_scheduling_v1[];
extern const api_schema_kind api_schema_kinds_apiextensions_v1[];
extern const api_schema_kind api_schema_kinds_networking_v1[];

/* batch/v1 CronJob (batch-v1-cronjob.c). */
extern const api_message api_msg_batch_v1_CronJob, api_msg_batch_v1_CronJobSpec,
    api_msg_batch_v1_JobTemplateSpec, api_msg_batch_v1_CronJobStatus, api_msg_batch_v1_CronJobList;
extern const api_schema_kind api_schema_kinds_batch_v1_cronjob[];

/* apps/v1 DaemonSet (apps-v1-daemonset.c). */
extern const api_message api_msg_apps_v1_DaemonSet, api_msg_apps_v1_DaemonSetSpec,
    api_msg_apps_v1_DaemonSetUpdateStrategy, api_msg_apps_v1_RollingUpdateDaemonSet,
    api_msg_apps_v1_DaemonSetStatus, api_msg_apps_v1_DaemonSetCondition,
    api_msg_apps_v1_DaemonSetList;
extern const api_schema_kind api_schema_kinds_apps_v1_daemonset[];
extern const api_schema_kind api_schema_kinds_core_v1_storage[];
extern const api_schema_kind api_schema_kinds_storage_v1[];
extern const api_schema_kind api_schema_kinds_apps_v1_statefulset[];

/* networking.k8s.io/v1 NetworkPolicy (networking-v1-networkpolicy.c). */
extern const api_message api_msg_networking_v1_NetworkPolicy,
    api_msg_networking_v1_NetworkPolicySpec, api_msg_networking_v1_NetworkPolicyIngressRule,
    api_msg_networking_v1_NetworkPolicyEgressRule, api_msg_networking_v1_NetworkPolicyPeer,
    api_msg_networking_v1_NetworkPolicyPort, api_msg_networking_v1_IPBlock,
    api_msg_networking_v1_NetworkPolicyList;
extern const api_schema_kind api_schema_kinds_networking_v1_networkpolicy[];
/* apps/v1 ControllerRevision (apps-v1-controllerrevision.c). */
extern const api_message api_msg_apps_v1_ControllerRevision, api_msg_apps_v1_ControllerRevisionList;
extern const api_schema_kind api_schema_kinds_apps_v1_controllerrevision[];

/* A kind's List, the same shape in every group: its ListMeta and its items. */
#define LIST_MESSAGE(id, openapi_name, item)                                                       \
  static const api_field id##_fields[] = {                                                         \
      FIELD("metadata", 1, MESSAGE, OF(meta_v1_ListMeta), FLAGS(OMIT),                             \
            DESC("Metadata of a list: its version and paging token.")),                            \
      FIELD("items", 2, MESSAGE, REPEATED, OF(item), FLAGS(REQ),                                   \
            DESC("The objects of the list.")),                                                     \
  };                                                                                               \
  SCHEMA_MESSAGE(id, openapi_name, NULL, id##_fields, false)

#endif
