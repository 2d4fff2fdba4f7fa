/*
 * agent-securitycontext.h — a container's securityContext, and its pod's,
 * in the runtime's terms (agent_security in runtime.h).
 *
 * The one idea: what the runtime cannot honour is an error that keeps the
 * container from starting (CreateContainerConfigError), never a field
 * silently ignored. The API server has checked types and ranges already;
 * this reads only what it needs and still survives any JSON.
 */
#ifndef TUG_AGENT_SECURITYCONTEXT_H
#define TUG_AGENT_SECURITYCONTEXT_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "runtime.h"

/*
 * Fill sec from spec.securityContext (pod_spec) and ctr's securityContext,
 * the container's fields winning, with Kubernetes' meaning:
 *  - runAsUser, runAsGroup: the process's uid and gid (else the image's: 0);
 *    supplementalGroups, then fsGroup, its extra groups.
 *  - runAsNonRoot: refused when runAsUser is 0, with kubelet's message; the
 *    image's user is checked once the image is there
 *    (agent_securitycontext_image_user).
 *  - capabilities.add / drop: names with or without "CAP_", "ALL" in drop
 *    starts from none, in add gives every one.
 *  - privileged, procMount (Unmasked), readOnlyRootFilesystem.
 *  - allowPrivilegeEscalation: unset means false here (no_new_privs), unlike
 *    Kubernetes' default; true lifts it.
 *  - seccompProfile: RuntimeDefault (also when unset), Unconfined, Localhost
 *    with localhostProfile.
 *  - sysctls, windowsOptions.hostProcess, a Localhost appArmorProfile (the
 *    node has no AppArmor): not supported, refused.
 * Strings in sec are borrowed from the JSON.
 */
int agent_securitycontext(const json_t *pod_spec, const json_t *ctr, agent_security *sec,
                          tug_error *err);

/* spec.hostUsers false: the pod runs in a user namespace of its own. */
bool agent_securitycontext_user_namespace(const json_t *pod_spec);

/* The CAP_* number of a capability name ("NET_ADMIN" or "CAP_NET_ADMIN"),
 * or -1 when the kernel headers know no such capability. */
int agent_capability_number(const char *name);

/* runAsNonRoot against the image's User when runAsUser is unset, as kubelet
 * does: refused (EPERM, kubelet's message) when it is empty, 0 or "root", or
 * not numeric (a name cannot be verified without trusting the image). */
int agent_securitycontext_image_user(const json_t *pod_spec, const json_t *ctr,
                                     const agent_security *sec, const char *image_user,
                                     tug_error *err);

#endif
