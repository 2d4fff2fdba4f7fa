/*
 * agent-podspec.h — what the runtime needs to start one container of a pod:
 * argv, environment, working dir, resources and the image reference, read
 * from the pod's spec.containers[] entry; and the pod cgroup's resources,
 * read from the whole spec.
 */
#ifndef TUG_AGENT_PODSPEC_H
#define TUG_AGENT_PODSPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "runtime.h"

/* The PATH of a container whose spec does not set one (images carry none yet). */
#define AGENT_PODSPEC_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct agent_ctr_plan {
  char **argv;             /* NULL-terminated, owned */
  char **env;              /* NULL-terminated, owned */
  const char *working_dir; /* borrowed from the spec or image; NULL: "/" */
  bool has_user;           /* the image names a user: uid and gid */
  const char *user_name;   /* or by a name ("nobody", "app:staff"): borrowed; NULL: none */
  uid_t uid;
  gid_t gid;
  agent_resources resources;
} agent_ctr_plan;

/*
 * Fill plan from a spec.containers[] entry and its image's config (the
 * "config" object of an OCI image config: Entrypoint, Cmd, Env, WorkingDir,
 * User; NULL for an image imported without one). argv follows Kubernetes:
 * command replaces Entrypoint and drops Cmd, args alone replace Cmd; with
 * no image config and neither, the busybox default "sh" runs. env gets the
 * image's variables (unless the spec or a Service sets them), PATH (unless
 * the spec or image sets it), HOSTNAME=pod_name, the Services' variables
 * (service_env, name → value, may be NULL) that the spec does not set, then
 * the spec's name/value pairs: the caller passes ctr with env resolved
 * (agent_env_container), so an entry still holding valueFrom is skipped.
 * working_dir: the spec's, else the image's. pids_limit (0: none) applies to
 * every container of the pod.
 */
int agent_podspec_plan(const json_t *ctr, const json_t *image, const char *pod_name,
                       const json_t *service_env, int64_t pids_limit, agent_ctr_plan *plan,
                       tug_error *err);
void agent_podspec_plan_free(agent_ctr_plan *plan);

/*
 * The pod cgroup's resources from the pod's spec, as Kubernetes' kubelet
 * computes them (ResourceConfigForPod):
 *  - cpu request: the app containers' sum (a container's request defaults to
 *    its limit), or more if an init container, beside the sidecars started
 *    before it, requests more; plus spec.overhead. None at all is 1m, the
 *    least share (BestEffort pods get 2 shares, not a full core's 1024).
 *  - cpu and memory limits: summed the same way, but only when every
 *    container, init ones included, sets that limit; else unlimited.
 *  - pids_max: pids_limit, once for the whole pod — the kubelet's
 *    --pod-max-pids is a per-pod figure. Each container is also held to it
 *    (agent_podspec_plan), which never binds before the pod's limit does.
 * spec may be NULL or malformed: what is missing or unparsable counts as unset.
 */
agent_resources agent_podspec_pod_resources(const json_t *spec, int64_t pids_limit);

/* "busybox", "busybox:latest", "docker.io/library/busybox:1" → name and tag
 * ("latest" when absent). Fails on digests and empty names. */
int agent_podspec_image_ref(const char *image, char *name, size_t name_size, char *tag,
                            size_t tag_size, tug_error *err);

#endif
