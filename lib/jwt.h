/*
 * jwt.h — JSON Web Tokens (RFC 7519) in their compact form, signed with
 * OpenSSL's libcrypto: RS256 (RSA PKCS#1 v1.5, SHA-256) or ES256 (ECDSA P-256,
 * SHA-256), the two algorithms Kubernetes' ServiceAccount tokens use.
 *
 * A token is base64url(header) "." base64url(claims) "." base64url(signature).
 * The algorithm comes from the key, never from the token: verification reads
 * the header's "alg" only to refuse a token that names another one (the
 * "alg": "none" and RSA-as-HMAC attacks). A key's ID ("kid") is, as in
 * Kubernetes, the base64url SHA-256 of its public key's DER encoding, so a
 * verifier holding several keys tries the one the token names first.
 *
 *   tug_jwt_key *k = tug_jwt_key_load("sa.key", &err);
 *   char *token = tug_jwt_sign(k, claims, &err);
 *   json_t *claims = NULL;
 *   if (tug_jwt_verify(keys, n, token, now, &claims, &err) < 0) ... refuse ...
 */
#ifndef TUG_JWT_H
#define TUG_JWT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct tug_jwt_key tug_jwt_key;

/* A PEM private key (RSA or EC P-256; PKCS#8 or the traditional form): signs and verifies. */
tug_jwt_key *tug_jwt_key_load(const char *path, tug_error *err);
/*
 * Every key a PEM file holds, public or private, for verifying (Kubernetes'
 * --service-account-key-file: several keys, so a signing key can be rotated).
 * Appends to *keys (grown with realloc) and *n; -1 when the file holds none.
 */
int tug_jwt_keys_load(const char *path, tug_jwt_key ***keys, size_t *n, tug_error *err);
/* A new key for alg, "RS256" (RSA 2048) or "ES256" (P-256): for a server that was
 * given none. */
tug_jwt_key *tug_jwt_key_generate(const char *alg, tug_error *err);
/* "RS256" or "ES256". */
const char *tug_jwt_key_alg(const tug_jwt_key *k);
/* The key ID: unpadded base64url of SHA-256 over the public key's DER. */
const char *tug_jwt_key_id(const tug_jwt_key *k);
/* The public half as PEM (malloc'd), to publish or write next to the key. */
char *tug_jwt_key_public_pem(const tug_jwt_key *k, tug_error *err);
void tug_jwt_key_free(tug_jwt_key *k);

/* The signed token for claims (a JSON object), malloc'd; NULL with err on failure. */
char *tug_jwt_sign(const tug_jwt_key *k, const json_t *claims, tug_error *err);

/*
 * The claims of a well-formed token, NOT verified: for choosing who verifies
 * it (its issuer). NULL when token is not three base64url parts whose first
 * two are JSON objects.
 */
json_t *tug_jwt_peek_claims(const char *token);

/*
 * Verify token's signature with one of keys (the one its "kid" names first),
 * then its time claims at now (Unix seconds): "exp" must be after now and
 * "nbf" not after it, each with TUG_JWT_LEEWAY seconds of clock skew allowed,
 * as Kubernetes allows. 0 with the claims in *claims (a new reference); -1
 * with err saying what was wrong ("token has expired", "invalid signature").
 */
enum { TUG_JWT_LEEWAY = 60 };
int tug_jwt_verify(tug_jwt_key *const *keys, size_t n, const char *token, int64_t now,
                   json_t **claims, tug_error *err);

#endif
