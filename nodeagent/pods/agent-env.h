/*
 * agent-env.h — a container's environment as Kubernetes' kubelet builds it
 * from the spec: envFrom (ConfigMaps and Secrets, with a prefix), then env in
 * order, each value from `value` with $(VAR) references expanded, or from
 * valueFrom (a ConfigMap's or Secret's key, a field of the pod, a resource
 * of a container); a later name wins. command and args get the same $(VAR)
 * expansion over the result.
 *
 * Resolution is a pure function of the pod, the objects fetched for it and
 * the node's figures, so tests need no API server: agent_env_fetch reads
 * the objects, agent_env_resolve does the rest.
 */
#ifndef TUG_AGENT_ENV_H
#define TUG_AGENT_ENV_H

#include <jansson.h>
#include <stdint.h>

#include "agent-volumes.h"
#include "error.h"

/* What a pod's fieldRef and resourceFieldRef read that is not in its spec. */
typedef struct agent_env_node {
  const char *pod_ip;      /* status.podIP(s); NULL or "": none yet */
  const char *host_ip;     /* status.hostIP(s) */
  int64_t alloc_cpu_milli; /* the node's allocatable: a container's limits when it sets none */
  int64_t alloc_memory;
} agent_env_node;

/*
 * The ConfigMaps and Secrets ctr's env and envFrom name, read through get
 * from namespace ns, into *objects (a new reference):
 * {"configmaps": {name: object or null}, "secrets": {...}}; null marks one
 * the API server does not have. Fails only when a read fails otherwise.
 */
int agent_env_fetch(const json_t *ctr, const char *ns, agent_volume_get_fn get, void *arg,
                    json_t **objects, tug_error *err);

/*
 * ctr's environment from the pod, objects (agent_env_fetch's) and node, as
 * an object name → value in first-set order into *env (a new reference).
 * service_env (name → value, may be NULL) only serves $(VAR) references the
 * container's own variables do not answer, as kubelet's mapping does.
 * Fails with kubelet's message on what makes a container's config unusable:
 * `configmap "x" not found`, `couldn't find key k in ConfigMap ns/x` (unless
 * optional), an unsupported fieldPath or resource.
 */
int agent_env_resolve(const json_t *pod, const json_t *ctr, const json_t *objects,
                      const json_t *service_env, const agent_env_node *node, json_t **env,
                      tug_error *err);

/*
 * A shallow copy of ctr whose env is env (agent_env_resolve's) as
 * [{"name", "value"}] and whose
 * command and args have $(VAR) expanded over env, then service_env: what
 * agent_podspec_plan runs. A new reference, NULL on ENOMEM.
 */
json_t *agent_env_container(const json_t *ctr, const json_t *env, const json_t *service_env);

/* s with kubelet's $(VAR) expansion over env (name → value) then
 * service_env: an unknown $(VAR) stays as it is, $$ is a $. malloc'd. */
char *agent_env_expand(const char *s, const json_t *env, const json_t *service_env);

/* s expanded as a subPathExpr is (kubelet's ExpandContainerVolumeMounts):
 * every $(VAR) must have a value that is not empty, else the error is
 * "missing value for A, B". *out is malloc'd. */
int agent_env_expand_strict(const char *s, const json_t *env, const json_t *service_env, char **out,
                            tug_error *err);

#endif
