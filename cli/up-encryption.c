/*
 * up-encryption.c — `tug up`'s encryption at rest (see up-encryption.h).
 */
#include "up-encryption.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"

int up_encryption_config(const char *pki, char *path, size_t size, tug_error *err) {
  snprintf(path, size, "%s/encryption-config.yaml", pki);
  if (access(path, F_OK) == 0)
    return 0;
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1)
    return tug_error_set(err, EIO, "make an encryption key: no randomness");
  _cleanup_free_ char *b64 = tug_base64_encode(key, sizeof key);
  explicit_bzero(key, sizeof key);
  if (b64 == NULL)
    return tug_error_set(err, ENOMEM, "make an encryption key: no memory");
  /* O_EXCL: two `tug up` at once must not each write a key. */
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (f == NULL) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    explicit_bzero(b64, strlen(b64));
    return tug_error_errno(err, e, "write %s", path);
  }
  fchmod(fd, 0600); /* whatever the umask */
  fprintf(f,
          "# Written by tug up: Secrets are sealed with key1 in etcd. To rotate, list a\n"
          "# new key first, restart the API server and rewrite every Secret\n"
          "# (docs/security.md, \"Encryption at rest\").\n"
          "apiVersion: apiserver.config.k8s.io/v1\n"
          "kind: EncryptionConfiguration\n"
          "resources:\n"
          "  - resources: [secrets]\n"
          "    providers:\n"
          "      - aesgcm:\n"
          "          keys:\n"
          "            - name: key1\n"
          "              secret: %s\n"
          "      - identity: {}\n",
          b64);
  explicit_bzero(b64, strlen(b64));
  if (fclose(f) != 0) {
    int e = errno;
    unlink(path);
    return tug_error_errno(err, e, "write %s", path);
  }
  return 0;
}
