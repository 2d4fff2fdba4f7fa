/*
 * encryption.h — encryption at rest: what goes to etcd for a resource named
 * in Kubernetes' EncryptionConfiguration (--encryption-provider-config).
 *
 * The one idea, Kubernetes' own: each stored value says how it was written.
 * A value sealed by a key starts with "k8s:enc:<provider>:v1:<key name>:";
 * a value without that prefix is plain (the identity provider). Writes use
 * the first provider listed for the resource; reads pick the provider by the
 * prefix, so every key listed still reads what it wrote. Rotation is listing
 * a new key first, restarting, and rewriting every object of the resource.
 *
 *   aesgcm   AES-GCM, a random 12-byte nonce per write, the etcd key as
 *            additional data (a value moved to another key does not open);
 *            stored as prefix | nonce | ciphertext | 16-byte tag.
 *   aescbc   AES-CBC with PKCS#7 padding, a random 16-byte IV per write;
 *            stored as prefix | IV | ciphertext.
 *   identity plain text.
 *
 * Keys are base64 in the file: 16, 24 or 32 bytes (AES-128/192/256).
 */
#ifndef TUG_APISERVER_ENCRYPTION_H
#define TUG_APISERVER_ENCRYPTION_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct api_encryption api_encryption;

/* Read an EncryptionConfiguration (YAML or JSON); NULL with err naming the
 * file and field when it is not a usable one. */
api_encryption *api_encryption_load(const char *path, tug_error *err);
/* The same from text already read; name is for messages. */
api_encryption *api_encryption_parse(const char *text, size_t len, const char *name,
                                     tug_error *err);
void api_encryption_free(api_encryption *e);

/* Whether values of group/plural ("" for the core group) are sealed when
 * written (the first provider is not identity). e may be NULL: none is. */
bool api_encryption_seals(const api_encryption *e, const char *group, const char *plural);

/* The value to store for plain (len bytes) at etcd key: a new buffer in *out
 * (*out_len bytes; a copy of plain when the resource is not sealed). */
int api_encryption_seal(const api_encryption *e, const char *group, const char *plural,
                        const char *key, const char *plain, size_t len, char **out, size_t *out_len,
                        tug_error *err);

/* The plain value of what is stored at key: a new NUL-terminated buffer. EIO
 * when no listed provider can open it (a key removed from the file, a value
 * changed in etcd). *stale (may be NULL) is set when the value is not as a
 * write would store it now (another key or plain text): an update must then
 * write it even when the object did not change, which is what rotation's
 * rewrite relies on. */
int api_encryption_open(const api_encryption *e, const char *group, const char *plural,
                        const char *key, const char *stored, size_t len, char **out,
                        size_t *out_len, bool *stale, tug_error *err);

#endif
