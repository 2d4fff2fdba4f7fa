/*
 * discovery.h — between the discovery endpoints (discovery.c) and the
 * aggregated documents (discovery-aggregated.c). Both read only the kinds
 * table (registry.h), so a kind, its verbs, short names, categories and
 * subresources appear in discovery by being a row there.
 */
#ifndef TUG_APISERVER_DISCOVERY_H
#define TUG_APISERVER_DISCOVERY_H

#include "handlers.h"

/* When the client's Accept asks for an aggregated document (and only then):
 * fill out with that of /api (core) or /apis, or a 304 when If-None-Match
 * holds its ETag, and return true. */
bool api_discovery_aggregated(api_request *r, bool core, api_response *out);

/* A JSON array of the first max strings of the NULL-terminated v (NULL: []). */
json_t *api_discovery_strings(const char *const *v, size_t max);

#endif
