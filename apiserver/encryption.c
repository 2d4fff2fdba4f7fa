/*
 * encryption.c — sealing and opening stored values with OpenSSL's EVP
 * (see encryption.h for the formats).
 *
 * AES-GCM's one hazard is a nonce used twice under one key: it gives away
 * the XOR of two plaintexts and lets the tag be forged. Nonces here are 96
 * random bits, so a key should seal well under 2^32 values (NIST SP 800-38D)
 * before it is rotated; docs/security.md says how.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "encryption-internal.h"

enum { GCM_NONCE = 12, GCM_TAG = 16, CBC_IV = 16, AES_BLOCK = 16 };

static const EVP_CIPHER *cipher_of(const enc_key *k) {
  bool gcm = k->type == ENC_AESGCM;
  switch (k->secret_len) {
  case 16:
    return gcm ? EVP_aes_128_gcm() : EVP_aes_128_cbc();
  case 24:
    return gcm ? EVP_aes_192_gcm() : EVP_aes_192_cbc();
  default:
    return gcm ? EVP_aes_256_gcm() : EVP_aes_256_cbc();
  }
}

static char *copy(const char *s, size_t len, size_t *out_len) {
  char *c = malloc(len + 1);
  if (c) {
    memcpy(c, s, len);
    c[len] = '\0';
    *out_len = len;
  }
  return c;
}

/* prefix | iv | ciphertext [| tag] into *out. */
static int seal_with(const enc_key *k, const char *aad, const unsigned char *plain, size_t len,
                     char **out, size_t *out_len, tug_error *err) {
  bool gcm = k->type == ENC_AESGCM;
  size_t pl = strlen(k->prefix), ivl = gcm ? GCM_NONCE : CBC_IV;
  unsigned char *buf = malloc(pl + ivl + len + AES_BLOCK + GCM_TAG + 1);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  int n = 0, fin = 0, ok = buf && ctx;
  unsigned char *iv = buf + pl, *ct = iv + ivl;
  if (ok) {
    memcpy(buf, k->prefix, pl);
    ok = RAND_bytes(iv, (int)ivl) == 1 &&
         EVP_EncryptInit_ex(ctx, cipher_of(k), NULL, k->secret, iv) == 1 &&
         (!gcm ||
          EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1) &&
         EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len) == 1 &&
         EVP_EncryptFinal_ex(ctx, ct + n, &fin) == 1 &&
         (!gcm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG, ct + n + fin) == 1);
  }
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) {
    free(buf);
    return tug_error_set(err, EIO, "encrypting with key %s failed", k->name);
  }
  *out = (char *)buf;
  *out_len = pl + ivl + (size_t)n + (size_t)fin + (gcm ? GCM_TAG : 0);
  return 0;
}

/* The plain text of body (what follows k's prefix), or -1 (EIO). */
static int open_with(const enc_key *k, const char *aad, const unsigned char *body, size_t len,
                     char **out, size_t *out_len, tug_error *err) {
  bool gcm = k->type == ENC_AESGCM;
  size_t ivl = gcm ? GCM_NONCE : CBC_IV, tag = gcm ? GCM_TAG : 0;
  if (len < ivl + tag || (!gcm && (len - ivl) % AES_BLOCK != 0))
    return tug_error_set(err, EIO, "stored value sealed with key %s is truncated", k->name);
  size_t ctl = len - ivl - tag;
  unsigned char *plain = malloc(ctl + AES_BLOCK + 1);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  int n = 0, fin = 0, ok = plain && ctx;
  if (ok)
    ok = EVP_DecryptInit_ex(ctx, cipher_of(k), NULL, k->secret, body) == 1 &&
         (!gcm ||
          EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1) &&
         EVP_DecryptUpdate(ctx, plain, &n, body + ivl, (int)ctl) == 1 &&
         (!gcm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GCM_TAG,
                                      (void *)(body + ivl + ctl)) == 1) &&
         EVP_DecryptFinal_ex(ctx, plain + n, &fin) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) {
    free(plain);
    return tug_error_set(err, EIO, "stored value does not open with key %s (wrong key or altered)",
                         k->name);
  }
  *out_len = (size_t)n + (size_t)fin;
  plain[*out_len] = '\0';
  *out = (char *)plain;
  return 0;
}

bool api_encryption_seals(const api_encryption *e, const char *group, const char *plural) {
  const enc_rule *r = enc_rule_for(e, group, plural);
  return r && r->nkeys > 0 && r->keys[0].type != ENC_IDENTITY;
}

int api_encryption_seal(const api_encryption *e, const char *group, const char *plural,
                        const char *key, const char *plain, size_t len, char **out, size_t *out_len,
                        tug_error *err) {
  const enc_rule *r = enc_rule_for(e, group, plural);
  if (r == NULL || r->nkeys == 0 || r->keys[0].type == ENC_IDENTITY) {
    *out = copy(plain, len, out_len);
    return *out ? 0 : tug_error_set(err, ENOMEM, "no memory");
  }
  return seal_with(&r->keys[0], key, (const unsigned char *)plain, len, out, out_len, err);
}

int api_encryption_open(const api_encryption *e, const char *group, const char *plural,
                        const char *key, const char *stored, size_t len, char **out,
                        size_t *out_len, bool *stale, tug_error *err) {
  static const char sealed[] = "k8s:enc:";
  const enc_rule *r = enc_rule_for(e, group, plural);
  bool is_sealed = len >= sizeof sealed - 1 && memcmp(stored, sealed, sizeof sealed - 1) == 0;
  bool identity = r == NULL, dummy;
  if (stale == NULL)
    stale = &dummy;
  *stale = r && r->nkeys > 0 && (r->keys[0].type != ENC_IDENTITY) != is_sealed;
  for (size_t i = 0; r && i < r->nkeys; i++) {
    const enc_key *k = &r->keys[i];
    size_t pl = strlen(k->prefix);
    if (k->type == ENC_IDENTITY) {
      identity = true;
    } else if (is_sealed && len >= pl && memcmp(stored, k->prefix, pl) == 0) {
      *stale = i > 0;
      return open_with(k, key, (const unsigned char *)stored + pl, len - pl, out, out_len, err);
    }
  }
  if (is_sealed)
    return tug_error_set(err, EIO,
                         "%s: sealed with a key the encryption configuration does not "
                         "list",
                         key);
  if (!identity)
    return tug_error_set(err, EIO,
                         "%s: stored in plain text, but the encryption configuration lists no "
                         "identity provider to read it",
                         key);
  *out = copy(stored, len, out_len);
  return *out ? 0 : tug_error_set(err, ENOMEM, "no memory");
}
