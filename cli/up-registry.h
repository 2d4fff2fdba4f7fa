/*
 * up-registry.h — the image registry of a local cluster (`tug up`): Debian's
 * docker-registry on 127.0.0.1 with its config and storage under
 * DIR/registry, and the demo image busybox:latest built offline from the
 * host's busybox-static and pushed to it, so the agents pull it as any image.
 */
#ifndef TUG_CLI_UP_REGISTRY_H
#define TUG_CLI_UP_REGISTRY_H

#include <stddef.h>

#include "error.h"

/* DIR/registry/config.yml for a registry at addr ("127.0.0.1:PORT"); its path into config. */
int up_registry_config(const char *dir, const char *addr, char *config, size_t size,
                       tug_error *err);
/* Wait (up to seconds) until the registry at addr answers GET /v2/. */
int up_registry_wait(const char *addr, int seconds, tug_error *err);
/* Build busybox:latest as an OCI layout under DIR/registry/demo and push it
 * to addr as library/busybox:latest (skopeo copy over plain HTTP). */
int up_registry_push_demo(const char *dir, const char *addr, tug_error *err);

#endif
