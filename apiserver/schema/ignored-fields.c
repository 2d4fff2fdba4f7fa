/*
 * ignored-fields.c — what Tugboat accepts, stores and does not act on, field
 * by field, with why (see ignored.h): data only. docs/workloads.md lists the
 * same fields per kind; keep the two together.
 */
#include "../ignored.h"

static const char *const only_false[] = {"false", NULL};

/* ---- any pod: a Pod's spec, or a workload's pod template's ---- */

static const char *const cluster_dns[] = {"\"ClusterFirst\"", "\"ClusterFirstWithHostNet\"", NULL};
static const char *const linux_only[] = {"\"linux\"", NULL};
static const char *const every_mount[] = {"\"Always\"", NULL};
static const char *const spread_only =
    "the scheduler spreads by topologyKey, labelSelector, maxSkew and whenUnsatisfiable only";

const api_ignored_field api_ignored_pod_spec[] = {
    {"activeDeadlineSeconds", "tug-agent does not stop a pod at a deadline", NULL},
    {"readinessGates", "Ready does not wait for the gates' conditions", NULL},
    {"schedulingGates", "the scheduler does not wait for the gates to be removed", NULL},
    {"affinity.podAffinity", "the scheduler has no inter-pod affinity", NULL},
    {"affinity.podAntiAffinity", "the scheduler has no inter-pod anti-affinity", NULL},
    {"affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution",
     "the scheduler scores no preferred node affinity (the required one is honoured)", NULL},
    {"topologySpreadConstraints[].minDomains", spread_only, NULL},
    {"topologySpreadConstraints[].nodeAffinityPolicy", spread_only, NULL},
    {"topologySpreadConstraints[].nodeTaintsPolicy", spread_only, NULL},
    {"topologySpreadConstraints[].matchLabelKeys", spread_only, NULL},
    {"dnsPolicy", "/etc/resolv.conf always names the cluster's DNS", cluster_dns},
    {"dnsConfig", "/etc/resolv.conf always names the cluster's DNS and its search domains", NULL},
    {"hostAliases", "/etc/hosts gets no entries of the pod's", NULL},
    {"shareProcessNamespace", "each container has a PID namespace of its own", only_false},
    {"setHostnameAsFQDN", "the hostname is the pod's short name", only_false},
    {"resourceClaims", "there is no dynamic resource allocation", NULL},
    {"runtimeClassName", "every pod runs in tug-agent's own runtime", NULL},
    {"os.name", "pods run as Linux containers", linux_only},
    {"overhead", "counted in the pod's cgroup only, not by the scheduler or quotas", NULL},
    {"securityContext.seLinuxOptions", "no SELinux labels are applied", NULL},
    {"securityContext.fsGroupChangePolicy", "fsGroup is applied to a volume at every mount",
     every_mount},
    {NULL, NULL, NULL},
};

/* ---- any container, init containers included ---- */

static const char *const private_mounts[] = {"\"None\"", NULL};

const api_ignored_field api_ignored_container[] = {
    {"lifecycle", "postStart and preStop hooks are not run", NULL},
    {"terminationMessagePath", "no termination message is read", NULL},
    {"terminationMessagePolicy", "no termination message is read", NULL},
    {"resizePolicy", "resources are not resized in place", NULL},
    {"volumeDevices", "no block devices are attached", NULL},
    {"volumeMounts[].mountPropagation", "mounts are private to the container", private_mounts},
    {"securityContext.seLinuxOptions", "no SELinux labels are applied", NULL},
    {NULL, NULL, NULL},
};

/* ---- the kinds' own fields ---- */

static const char *const non_indexed[] = {"\"NonIndexed\"", NULL};
static const char *const job_controller[] = {"\"kubernetes.io/job-controller\"", NULL};

/* A Job's spec, and a CronJob's Job template's. */
static const api_ignored_field job[] = {
    {"completionMode", "pods get no completion index", non_indexed},
    {"backoffLimitPerIndex", "Jobs are not indexed", NULL},
    {"maxFailedIndexes", "Jobs are not indexed", NULL},
    {"podFailurePolicy", "every failed pod counts towards backoffLimit", NULL},
    {"successPolicy", "a Job succeeds when its completions succeeded", NULL},
    {"managedBy", "tug-controllers run every Job", job_controller},
    {NULL, NULL, NULL},
};

static const api_ignored_field persistentvolumeclaim[] = {
    {"resources.limits", "a claim is bound by its request", NULL},
    {"dataSource", "volumes are provisioned empty", NULL},
    {"dataSourceRef", "volumes are provisioned empty", NULL},
    {"volumeAttributesClassName", "there are no volume attributes classes", NULL},
    {NULL, NULL, NULL},
};

static const char *const never_mounted = "only local and hostPath volumes are mounted";

static const api_ignored_field persistentvolume[] = {
    {"mountOptions", "volumes are bind mounts", NULL},
    {"volumeAttributesClassName", "there are no volume attributes classes", NULL},
    {"nfs", never_mounted, NULL},
    {"csi", never_mounted, NULL},
    {"iscsi", never_mounted, NULL},
    {"cephfs", never_mounted, NULL},
    {"rbd", never_mounted, NULL},
    {"fc", never_mounted, NULL},
    {NULL, NULL, NULL},
};

static const api_ignored_field storageclass[] = {
    {"parameters", "the local-path provisioner takes none", NULL},
    {"mountOptions", "volumes are bind mounts", NULL},
    {"allowVolumeExpansion", "claims are not resized", only_false},
    {"allowedTopologies", "local-path volumes go where their first pod is placed", NULL},
    {NULL, NULL, NULL},
};

const api_ignored_kind api_ignored_kinds[] = {
    {"batch", "Job", "spec", job},
    {"batch", "CronJob", "spec.jobTemplate.spec", job},
    {"", "PersistentVolumeClaim", "spec", persistentvolumeclaim},
    {"", "PersistentVolume", "spec", persistentvolume},
    {"storage.k8s.io", "StorageClass", "", storageclass},
    {NULL, NULL, NULL, NULL},
};
