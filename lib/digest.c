/* digest.c — OCI content digests (see digest.h). */
#include "digest.h"

#include <stdio.h>

void tug_digest_final(EVP_MD_CTX *md, char out[TUG_DIGEST_SIZE]) {
  unsigned char sum[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(md, sum, &n);
  int off = snprintf(out, TUG_DIGEST_SIZE, "sha256:");
  for (unsigned i = 0; i < n && off < TUG_DIGEST_SIZE - 2; i++)
    off += snprintf(out + off, TUG_DIGEST_SIZE - (size_t)off, "%02x", sum[i]);
}

void tug_digest_of(const void *data, size_t len, char out[TUG_DIGEST_SIZE]) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  EVP_DigestUpdate(md, data, len);
  tug_digest_final(md, out);
  EVP_MD_CTX_free(md);
}
