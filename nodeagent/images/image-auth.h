/*
 * image-auth.h — registry authentication: the challenge a registry answers
 * 401 with, and the credentials a pod's imagePullSecrets hold for a host.
 *
 * The one idea: a pull first tries without credentials; on a 401 the
 * WWW-Authenticate challenge says how to retry: "Basic" sends the user and
 * password with every request, "Bearer realm=...,service=...,scope=..."
 * trades them (or nothing, for anonymous pulls) at the realm for a token
 * that is then sent as "Authorization: Bearer <token>".
 */
#ifndef TUG_AGENT_IMAGE_AUTH_H
#define TUG_AGENT_IMAGE_AUTH_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

typedef struct agent_auth_challenge {
  bool bearer; /* else Basic */
  char realm[512], service[256], scope[512];
} agent_auth_challenge;

typedef struct agent_registry_creds {
  char user[256], password[512];
} agent_registry_creds;

/* Parse a WWW-Authenticate value: a scheme, then comma-separated key=value or key="value". */
int agent_auth_parse_challenge(const char *header, agent_auth_challenge *ch, tug_error *err);

/* The credentials a .dockerconfigjson document ({"auths": {host: {auth | username,
 * password}}}) holds for registry ("host[:port]"); keys may carry a scheme and a path
 * ("https://host/v1/"). 1 when found, 0 when none, -1 on a malformed entry. */
int agent_auth_lookup(const json_t *dockercfg, const char *registry, agent_registry_creds *creds,
                      tug_error *err);

#endif
