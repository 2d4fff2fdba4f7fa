/*
 * image-ref.h — image references as pods name them: "[host[:port]/]path[:tag][@sha256:hex]".
 *
 * The one idea: a reference is resolved once, to a registry host, a
 * repository and a tag or digest, by the rules containerd and Docker apply:
 * the first path component names a host when it holds a '.' or a ':' or is
 * "localhost"; without one the node's default registry applies (the agent's
 * --default-registry; none set: the reference can only name an image already
 * in the node's store), and a one-component name gets the "library/" prefix
 * there; no tag and no digest means ":latest".
 */
#ifndef TUG_AGENT_IMAGE_REF_H
#define TUG_AGENT_IMAGE_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct agent_image_ref {
  char registry[256];   /* host[:port]; "" when the reference named none and no default is set */
  char repository[256]; /* "library/busybox", "team/app" */
  char tag[132];        /* "" when only a digest was given */
  char digest[80];      /* "sha256:" + 64 lowercase hex, or "" */
} agent_image_ref;

/* Parse s. default_registry may be NULL or "" (then registry stays "" for short names). */
int agent_image_ref_parse(const char *s, const char *default_registry, agent_image_ref *ref,
                          tug_error *err);

/* "registry/repository:tag", "registry/repository@digest" (the digest wins), or without
 * "registry/" when it is "". */
void agent_image_ref_format(const agent_image_ref *ref, char *buf, size_t size);
/* "registry/repository" (or the repository alone). */
void agent_image_ref_name(const agent_image_ref *ref, char *buf, size_t size);

/* Kubernetes' default imagePullPolicy: Always for ":latest" or no tag (and no digest),
 * else IfNotPresent. */
const char *agent_image_default_pull_policy(const char *image);

/* True when s is "sha256:" followed by 64 lowercase hex digits. */
bool agent_image_digest_valid(const char *s);

#endif
