/*
 * image-puller.h — what a container's image resolves to on this node, and
 * the pulls that run in the background for it.
 *
 * The one idea: a pod's sync step never blocks on the network. Resolving an
 * image either finds it in the store (as imagePullPolicy allows) or starts a
 * pull in a thread of its own, or joins the one already in flight for the
 * same reference, and hands back a handle that the pod polls on later syncs.
 *
 * A reference without a registry host resolves against the agent's
 * --default-registry. None set, it can only name an image imported into the
 * node's store by hand (`tug image import`): Always and IfNotPresent then
 * use it when present and fail with a message naming the flag when not.
 */
#ifndef TUG_AGENT_IMAGE_PULLER_H
#define TUG_AGENT_IMAGE_PULLER_H

#include <jansson.h>

#include "error.h"
#include "image-store.h"

typedef struct agent_puller agent_puller;
typedef struct agent_pull agent_pull;

typedef struct agent_puller_config {
  const char *root;             /* the agent's --root: imported images under images/ */
  const char *default_registry; /* NULL: none */
  const char *insecure;         /* comma-separated hosts reached over plain HTTP; NULL: none */
} agent_puller_config;

int agent_puller_new(agent_image_store *store, const agent_puller_config *cfg, agent_puller **out,
                     tug_error *err);
void agent_puller_free(agent_puller *p);

/*
 * Resolve image under policy ("Always", "IfNotPresent", "Never"; NULL: Kubernetes'
 * default for image). dockercfgs: the pod's pull secrets as .dockerconfigjson
 * documents (an array, may be NULL), read when a pull starts. 1: info is filled
 * (present, nothing to pull); 0: *pull is a pull to poll; -1: err says why (ENOENT
 * for an absent image under Never).
 */
int agent_puller_resolve(agent_puller *p, const char *image, const char *policy,
                         const json_t *dockercfgs, agent_pull **pull, agent_image_info *info,
                         tug_error *err);

/* The digest (into digest[80]) of the stored image that image names, as a pod
 * names it: 1, or 0 when none is stored (an imported image has none). */
int agent_puller_stored_digest(agent_puller *p, const char *image, char *digest);

/* 1 when the pull succeeded (info filled, *seconds its duration), 0 while it runs,
 * -1 when it failed (err holds the registry's error). */
int agent_pull_poll(agent_pull *pull, agent_image_info *info, double *seconds, tug_error *err);
void agent_pull_release(agent_pull *pull);

#endif
