/*
 * satoken.h — ServiceAccount tokens: the keys that sign and verify them, the
 * claims they carry, and what those claims say about who holds them.
 *
 * A token is a JWT (lib/jwt.h) with Kubernetes' bound-token claims:
 *   iss, sub "system:serviceaccount:NS:NAME", aud, exp, iat, nbf, jti and
 *   "kubernetes.io": {namespace, serviceaccount {name, uid},
 *                     pod {name, uid}?, node {name, uid}?}
 * A token bound to a pod dies with the pod: the authenticator
 * (api_authn_serviceaccount) looks the ServiceAccount and the pod up in the
 * watch caches and refuses the token once either is gone or was replaced by
 * another object of the same name (another uid).
 *
 * Keys: --service-account-signing-key-file signs (RSA → RS256, EC P-256 →
 * ES256); --service-account-key-file (comma-separated files of PEM keys or
 * certificates) verifies, along with the signing key's own public half. With
 * neither, the server makes a key when it starts: its tokens then die with it.
 */
#ifndef TUG_APISERVER_SATOKEN_H
#define TUG_APISERVER_SATOKEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "jwt.h"

/* Kubernetes' limits of a TokenRequest's expirationSeconds, and its default. */
enum {
  API_SATOKEN_DEFAULT_SECONDS = 3600,
  API_SATOKEN_MIN_SECONDS = 600,
};
#define API_SATOKEN_MAX_SECONDS (INT64_C(1) << 32)

typedef struct api_satokens {
  tug_jwt_key *signer;
  tug_jwt_key **keys; /* verifiers; the signer is one of them */
  size_t nkeys;
  const char *issuer; /* also the audience the API server accepts */
  bool generated;     /* no key was configured: made at start */
} api_satokens;

/* Load (or, with no file named, make) the keys. key_files may be NULL. */
int api_satokens_init(api_satokens *t, const char *signing_key_file, const char *key_files,
                      const char *issuer, tug_error *err);
void api_satokens_free(api_satokens *t);

/* Who a token speaks for. Pod and node members are NULL for a token not bound to a pod. */
typedef struct api_satoken_subject {
  const char *ns, *sa_name, *sa_uid;
  const char *pod_name, *pod_uid;
  const char *node_name, *node_uid;
} api_satoken_subject;

/* The claims of a token for subject, issued at now for seconds, for audiences
 * (an array of strings; empty or NULL: the issuer). jti is the token's ID. */
json_t *api_satoken_claims(const char *issuer, const json_t *audiences,
                           const api_satoken_subject *subject, int64_t now, int64_t seconds,
                           const char *jti);

/* The subject the claims name, its strings pointing into claims; -1 with err
 * when the claims lack or contradict one (sub against kubernetes.io). */
int api_satoken_subject_of(const json_t *claims, api_satoken_subject *out, tug_error *err);

/* Whether claims' aud (a string or an array of them) names audience. */
bool api_satoken_for_audience(const json_t *claims, const char *audience);

/* "system:serviceaccount:NS:NAME" into buf. */
const char *api_satoken_username(const char *ns, const char *name, char *buf, size_t size);

#endif
