/*
 * digest.h — OCI content digests ("sha256:<64 hex>") from OpenSSL's EVP
 * hashing: one formatter for the registry client, layer unpacking, image
 * loading and the CLI's registry push.
 */
#ifndef TUG_DIGEST_H
#define TUG_DIGEST_H

#include <openssl/evp.h>
#include <stddef.h>

enum { TUG_DIGEST_SIZE = 80 }; /* "sha256:" + 64 hex digits + NUL, with room */

/* Finish md (a SHA-256 context) into out as "sha256:<hex>". */
void tug_digest_final(EVP_MD_CTX *md, char out[TUG_DIGEST_SIZE]);

/* The digest of len bytes at data. */
void tug_digest_of(const void *data, size_t len, char out[TUG_DIGEST_SIZE]);

#endif
