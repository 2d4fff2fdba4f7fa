/*
 * up-encryption.h — the EncryptionConfiguration `tug up` gives its API
 * server, so that a newcomer's cluster keeps Secrets encrypted in etcd
 * without being asked (docs/security.md).
 */
#ifndef TUG_CLI_UP_ENCRYPTION_H
#define TUG_CLI_UP_ENCRYPTION_H

#include <stddef.h>

#include "error.h"

/*
 * PKI/encryption-config.yaml, written once (0600) with a fresh random
 * 32-byte AES-GCM key for secrets and identity after it (for values stored
 * before). An existing file is kept: its keys are what the cluster's Secrets
 * were sealed with. The path goes to path.
 */
int up_encryption_config(const char *pki, char *path, size_t size, tug_error *err);

#endif
