/*
 * openapi.h — the OpenAPI documents clients read before they write:
 *
 *   /openapi/v2                     Swagger 2.0, every kind (JSON, or gnostic's
 *                                   protobuf when asked for)
 *   /openapi/v3                     {"paths": {"api/v1": {"serverRelativeURL":
 *                                    "/openapi/v3/api/v1?hash=<ETag>"}, ...}}
 *   /openapi/v3/api/v1, /openapi/v3/apis/{group}/{version}
 *                                   OpenAPI 3.0, one group-version each
 *
 * All are built at start-up, and again whenever a CustomResourceDefinition
 * changes, from the kinds table (paths, operations) and the kinds' schemas
 * (definitions, a custom kind's from its CRD), and kept as bytes with their
 * SHA-512 as ETag. As in Kubernetes, a document asked for with the hash the index
 * gave is immutable (Cache-Control: public, immutable; Expires a year on),
 * an outdated hash is redirected (301) to the current one, and If-None-Match
 * answers 304, so a client's HTTP cache (kubectl's ~/.kube/cache/http) asks
 * for each document once.
 */
#ifndef TUG_APISERVER_OPENAPI_H
#define TUG_APISERVER_OPENAPI_H

#include <stdbool.h>

#include "error.h"
#include "server.h"

typedef struct api_openapi api_openapi;

/* Build and serialize every document; NULL with err filled on failure. */
api_openapi *api_openapi_build(tug_error *err);
/* Build them again from the kinds served now (a CRD changed) and serve the
 * new ones from now on; -1 with err, the old ones kept, on failure. */
int api_openapi_rebuild(api_openapi *o, tug_error *err);
void api_openapi_free(api_openapi *o);

/* Answer r when its path is one of the documents'; false otherwise. */
bool api_openapi_serve(api_openapi *o, api_request *r, api_response *out);

/* The bytes of a document by path ("/openapi/v2", "/openapi/v3/api/v1"); NULL
 * when there is none. For tests and the start-up log. */
const char *api_openapi_document(const api_openapi *o, const char *path, size_t *len);
/* /openapi/v2 as protobuf. */
const char *api_openapi_v2_protobuf_document(const api_openapi *o, size_t *len);

#endif
