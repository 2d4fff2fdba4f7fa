/*
 * admission-serviceaccount.c — Kubernetes' ServiceAccount admission for a
 * new Pod (see admission.h).
 *
 * A pod runs as spec.serviceAccountName, "default" when unset, which must
 * exist in its namespace (403 otherwise). Unless the pod or, failing that,
 * its ServiceAccount sets automountServiceAccountToken to false, the pod gets
 * a projected volume kube-api-access-XXXXX — a token bound to the pod (3607
 * seconds, renewed by the agent), the cluster CA from the kube-root-ca.crt
 * ConfigMap, and the namespace — mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount in every container that does
 * not mount something there already. The ConfigMap source is optional, unlike
 * Kubernetes': a cluster without a CA (no --root-ca-file) still runs pods.
 * The ServiceAccount's imagePullSecrets go to a pod that names none.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "admission.h"
#include "cleanup.h"
#include "object.h"
#include "status.h"
#include "watchcache.h"

#define SA_MOUNT_PATH "/var/run/secrets/kubernetes.io/serviceaccount"
#define TOKEN_VOLUME_SECONDS 3607

/* The ServiceAccount from the cache, or from etcd when the cache has not
 * seen it yet (one made with its namespace a moment ago). */
static json_t *find_account(api_server *s, const char *ns, const char *name) {
  const api_kind *k = api_kind_by_resource("", "v1", "serviceaccounts");
  json_t *sa = api_cache_object(s, k, ns, name);
  tug_error err = {0};
  if (sa == NULL)
    api_storage_get(s, k, ns, name, &sa, NULL, &err);
  return sa;
}

static json_t *access_volume(const char *name) {
  return json_pack("{s:s, s:{s:i, s:[{s:{s:i, s:s}}, {s:{s:s, s:b, s:[{s:s, s:s}]}}, "
                   "{s:{s:[{s:s, s:{s:s, s:s}}]}}]}}",
                   "name", name, "projected", "defaultMode", 0644, "sources", "serviceAccountToken",
                   "expirationSeconds", TOKEN_VOLUME_SECONDS, "path", "token", "configMap", "name",
                   "kube-root-ca.crt", "optional", 1, "items", "key", "ca.crt", "path", "ca.crt",
                   "downwardAPI", "items", "path", "namespace", "fieldRef", "apiVersion", "v1",
                   "fieldPath", "metadata.namespace");
}

static bool mounts_token_path(const json_t *ctr) {
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(ctr, "volumeMounts"), i, m) {
    const char *path = json_string_value(json_object_get(m, "mountPath"));
    if (path && strcmp(path, SA_MOUNT_PATH) == 0)
      return true;
  }
  return false;
}

/* Mount volume in every container that mounts nothing at the path; how many did. */
static size_t mount_in(json_t *containers, const char *volume) {
  size_t i, n = 0;
  json_t *ctr;
  json_array_foreach(containers, i, ctr) {
    if (!json_is_object(ctr) || mounts_token_path(ctr))
      continue;
    json_t *mounts = json_object_get(ctr, "volumeMounts");
    if (!json_is_array(mounts))
      json_object_set_new(ctr, "volumeMounts", mounts = json_array());
    json_array_append_new(mounts, json_pack("{s:s, s:b, s:s}", "name", volume, "readOnly", 1,
                                            "mountPath", SA_MOUNT_PATH));
    n++;
  }
  return n;
}

/* Kubernetes' rule: the pod's own setting wins, then the account's; both unset: mount. */
static bool automount(const json_t *spec, const json_t *sa) {
  json_t *v = json_object_get(spec, "automountServiceAccountToken");
  if (!json_is_boolean(v))
    v = json_object_get(sa, "automountServiceAccountToken");
  return !json_is_false(v);
}

/* The volume, when some container does not mount something of its own at the
 * path already (a pod exported with its old volume, say). */
static void add_access_volume(json_t *spec) {
  char suffix[6], name[32];
  api_random_suffix(suffix);
  snprintf(name, sizeof name, "kube-api-access-%s", suffix);
  size_t mounted = mount_in(json_object_get(spec, "initContainers"), name) +
                   mount_in(json_object_get(spec, "containers"), name);
  if (mounted == 0)
    return;
  json_t *vols = json_object_get(spec, "volumes");
  if (!json_is_array(vols))
    json_object_set_new(spec, "volumes", vols = json_array());
  json_array_append_new(vols, access_volume(name));
}

static int not_found(api_response *out, const json_t *pod, const char *ns, const char *name) {
  api_fail(out, 403,
           "pods \"%s\" is forbidden: error looking up service account %s/%s: serviceaccount "
           "\"%s\" not found",
           tug_obj_name(pod) ? tug_obj_name(pod) : "", ns, name, name);
  return -1;
}

int api_admit_pod_serviceaccount(api_server *s, json_t *pod, api_response *out) {
  json_t *spec = json_object_get(pod, "spec");
  if (!json_is_object(spec))
    return 0; /* validation answers */
  const char *name = json_string_value(json_object_get(spec, "serviceAccountName"));
  if (name == NULL || name[0] == '\0') {
    const char *legacy = json_string_value(json_object_get(spec, "serviceAccount"));
    json_object_set_new(spec, "serviceAccountName",
                        json_string(legacy && legacy[0] ? legacy : "default"));
    name = json_string_value(json_object_get(spec, "serviceAccountName"));
  }
  json_object_set_new(spec, "serviceAccount", json_string(name));
  const char *ns = tug_obj_namespace(pod);
  _cleanup_json_ json_t *sa = find_account(s, ns, name);
  if (sa == NULL)
    return not_found(out, pod, ns, name);
  if (automount(spec, sa) && json_is_array(json_object_get(spec, "containers")))
    add_access_volume(spec);
  json_t *pulls = json_object_get(sa, "imagePullSecrets");
  if (json_array_size(pulls) && json_array_size(json_object_get(spec, "imagePullSecrets")) == 0)
    json_object_set(spec, "imagePullSecrets", pulls);
  return 0;
}
