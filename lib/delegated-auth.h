/*
 * delegated-auth.h — who may read a component's own HTTPS endpoints (the
 * scheduler's and controllers' /metrics), decided as Kubernetes' components
 * decide it: by asking the API server.
 *
 * A request is authenticated by a client certificate the cluster CA vouches
 * for (CN user, O groups), else by its bearer token through a TokenReview;
 * then authorized by a SubjectAccessReview of the path and the lower-case
 * method (`get /metrics`), so RBAC's nonResourceURLs decide: cluster admins,
 * and users or groups bound to a role such as `system:monitoring`. /healthz,
 * /readyz and /livez are answered for anyone, as in Kubernetes. Nothing is
 * cached: a scrape costs one or two API requests.
 */
#ifndef TUG_DELEGATED_AUTH_H
#define TUG_DELEGATED_AUTH_H

#include <microhttpd.h>

#include "error.h"
#include "http.h"
#include "pki.h"

/* 0 allowed; else the HTTP code to answer (401 no or bad credentials, 403
 * refused, 503 the API server could not say). v checks client
 * certificates; api asks the reviews (the component's own client, which
 * must be allowed to create tokenreviews and subjectaccessreviews). */
int tug_delegated_auth_check(tug_pki_verifier *v, tug_client *api, struct MHD_Connection *conn,
                             const char *method, const char *path);

/* Whether path is answered without credentials. */
bool tug_delegated_auth_public(const char *path);

#endif
