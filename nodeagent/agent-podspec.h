/*
 * agent-podspec.h — what the runtime needs to start one container of a pod:
 * argv, environment, working dir, resources and the image reference, read
 * from the pod's spec.containers[] entry.
 */
#ifndef TUG_AGENT_PODSPEC_H
#define TUG_AGENT_PODSPEC_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"
#include "runtime.h"

/* The PATH of a container whose spec does not set one (images carry none yet). */
#define AGENT_PODSPEC_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct agent_ctr_plan {
  char **argv;             /* NULL-terminated, owned */
  char **env;              /* NULL-terminated, owned */
  const char *working_dir; /* borrowed from the spec; NULL: "/" */
  agent_resources resources;
} agent_ctr_plan;

/*
 * Fill plan from a spec.containers[] entry. Without command the image's
 * entrypoint would run — our images have none, so args alone are the argv,
 * and with neither the busybox default "sh" runs. env gets PATH (unless the
 * spec sets it), HOSTNAME=pod_name, then the spec's name/value pairs
 * (valueFrom is not supported and skipped). pids_limit (0: none) applies
 * to every container of the pod.
 */
int agent_podspec_plan(const json_t *ctr, const char *pod_name, int64_t pids_limit,
                       agent_ctr_plan *plan, tug_error *err);
void agent_podspec_plan_free(agent_ctr_plan *plan);

/* "busybox", "busybox:latest", "docker.io/library/busybox:1" → name and tag
 * ("latest" when absent). Fails on digests and empty names. */
int agent_podspec_image_ref(const char *image, char *name, size_t name_size, char *tag,
                            size_t tag_size, tug_error *err);

#endif
