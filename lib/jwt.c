/*
 * jwt.c — JSON Web Tokens over libcrypto (see jwt.h).
 *
 * The one wrinkle: JWS carries an ECDSA signature as r || s, 32 bytes each
 * (RFC 7518 §3.4), while libcrypto reads and writes DER; sign and verify
 * convert between the two.
 */
#include "jwt.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"

enum { ES256_HALF = 32 };

struct tug_jwt_key {
  EVP_PKEY *pkey;
  bool ec; /* ES256, else RS256 */
  char kid[48];
};

/* ---- keys ---- */

static int key_id(EVP_PKEY *pkey, char *kid, size_t size) {
  unsigned char *der = NULL;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0)
    return -1;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  int ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
  OPENSSL_free(der);
  char *b = ok ? tug_base64url_encode(md, mdlen) : NULL;
  if (b == NULL)
    return -1;
  snprintf(kid, size, "%s", b);
  free(b);
  return 0;
}

/* Takes pkey: a key of an algorithm a JWT can name, or NULL with err. */
static tug_jwt_key *wrap_key(EVP_PKEY *pkey, const char *what, tug_error *err) {
  char group[64] = "";
  bool ec = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC;
  if (ec && (!EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) ||
             strcmp(group, "prime256v1") != 0)) {
    EVP_PKEY_free(pkey);
    tug_error_set(err, EINVAL, "%s: an EC key must be on P-256 for ES256, not %s", what,
                  group[0] ? group : "an unnamed curve");
    return NULL;
  }
  if (!ec && EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
    EVP_PKEY_free(pkey);
    tug_error_set(err, EINVAL, "%s: only RSA (RS256) and EC P-256 (ES256) keys sign tokens", what);
    return NULL;
  }
  tug_jwt_key *k = calloc(1, sizeof *k);
  if (k == NULL || key_id(pkey, k->kid, sizeof k->kid) < 0) {
    free(k);
    EVP_PKEY_free(pkey);
    tug_error_set(err, ENOMEM, "%s: cannot compute the key ID", what);
    return NULL;
  }
  k->pkey = pkey;
  k->ec = ec;
  return k;
}

tug_jwt_key *tug_jwt_key_load(const char *path, tug_error *err) {
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  if (f == NULL) {
    tug_error_errno(err, errno, "open %s", path);
    return NULL;
  }
  EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
  if (pkey == NULL) {
    tug_error_set(err, EINVAL, "%s: no PEM private key", path);
    return NULL;
  }
  return wrap_key(pkey, path, err);
}

/* One PEM block as a key: a private or public key, or a certificate's public key;
 * NULL for blocks of another kind (EC PARAMETERS). */
static EVP_PKEY *block_key(const char *name, const char *header, const unsigned char *data,
                           long len) {
  BIO *b = BIO_new(BIO_s_mem());
  EVP_PKEY *pkey = NULL;
  if (b == NULL || !PEM_write_bio(b, name, header, data, len)) {
    BIO_free(b);
    return NULL;
  }
  if (strstr(name, "PRIVATE KEY")) {
    pkey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
  } else if (strcmp(name, "PUBLIC KEY") == 0) {
    pkey = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
  } else if (strcmp(name, "CERTIFICATE") == 0) {
    X509 *cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
    pkey = cert ? X509_get_pubkey(cert) : NULL;
    X509_free(cert);
  }
  BIO_free(b);
  return pkey;
}

int tug_jwt_keys_load(const char *path, tug_jwt_key ***keys, size_t *n, tug_error *err) {
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  if (f == NULL)
    return tug_error_errno(err, errno, "open %s", path);
  size_t found = 0;
  char *name = NULL, *header = NULL;
  unsigned char *data = NULL;
  long len = 0;
  while (PEM_read(f, &name, &header, &data, &len)) {
    EVP_PKEY *pkey = block_key(name, header, data, len);
    OPENSSL_free(name), OPENSSL_free(header), OPENSSL_free(data);
    if (pkey == NULL)
      continue;
    tug_jwt_key *k = wrap_key(pkey, path, err);
    tug_jwt_key **grown = k ? realloc(*keys, (*n + 1) * sizeof **keys) : NULL;
    if (grown == NULL) {
      tug_jwt_key_free(k);
      return k ? tug_error_set(err, ENOMEM, "%s: out of memory", path) : -1;
    }
    *keys = grown;
    (*keys)[(*n)++] = k;
    found++;
  }
  if (found == 0)
    return tug_error_set(err, EINVAL, "%s: no PEM key or certificate", path);
  return 0;
}

tug_jwt_key *tug_jwt_key_generate(const char *alg, tug_error *err) {
  bool ec = strcmp(alg, "ES256") == 0;
  if (!ec && strcmp(alg, "RS256") != 0) {
    tug_error_set(err, EINVAL, "generate a key for %s: only RS256 and ES256", alg);
    return NULL;
  }
  EVP_PKEY *pkey = ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  if (pkey == NULL) {
    tug_error_set(err, EIO, "generate a %s key: libcrypto failed", alg);
    return NULL;
  }
  return wrap_key(pkey, "generated key", err);
}

const char *tug_jwt_key_alg(const tug_jwt_key *k) {
  return k->ec ? "ES256" : "RS256";
}

const char *tug_jwt_key_id(const tug_jwt_key *k) {
  return k->kid;
}

char *tug_jwt_key_public_pem(const tug_jwt_key *k, tug_error *err) {
  BIO *b = BIO_new(BIO_s_mem());
  char *out = NULL, *mem;
  long len;
  if (b && PEM_write_bio_PUBKEY(b, k->pkey) && (len = BIO_get_mem_data(b, &mem)) > 0 &&
      (out = malloc((size_t)len + 1))) {
    memcpy(out, mem, (size_t)len);
    out[len] = '\0';
  }
  BIO_free(b);
  if (out == NULL)
    tug_error_set(err, ENOMEM, "write the public key as PEM");
  return out;
}

void tug_jwt_key_free(tug_jwt_key *k) {
  if (k == NULL)
    return;
  EVP_PKEY_free(k->pkey);
  free(k);
}

/* ---- signatures ---- */

/* DER ECDSA signature → r || s. */
static int der_to_raw(const unsigned char *der, size_t len, unsigned char raw[2 * ES256_HALF]) {
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &der, (long)len);
  if (sig == NULL)
    return -1;
  const BIGNUM *r, *s;
  ECDSA_SIG_get0(sig, &r, &s);
  int ok = BN_bn2binpad(r, raw, ES256_HALF) == ES256_HALF &&
           BN_bn2binpad(s, raw + ES256_HALF, ES256_HALF) == ES256_HALF;
  ECDSA_SIG_free(sig);
  return ok ? 0 : -1;
}

/* r || s → DER ECDSA signature (malloc'd by libcrypto: OPENSSL_free). */
static int raw_to_der(const unsigned char *raw, unsigned char **der, size_t *len) {
  ECDSA_SIG *sig = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(raw, ES256_HALF, NULL), *s = BN_bin2bn(raw + ES256_HALF, ES256_HALF, NULL);
  if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
    BN_free(r), BN_free(s), ECDSA_SIG_free(sig);
    return -1;
  }
  *der = NULL;
  int n = i2d_ECDSA_SIG(sig, der);
  ECDSA_SIG_free(sig);
  if (n <= 0)
    return -1;
  *len = (size_t)n;
  return 0;
}

/* The signature of input[0..n) in JWS form, base64url-encoded. */
static char *sign_input(const tug_jwt_key *k, const char *input, size_t n) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t len = 0;
  unsigned char *sig = NULL, raw[2 * ES256_HALF];
  char *out = NULL;
  if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
      EVP_DigestSign(ctx, NULL, &len, (const unsigned char *)input, n) == 1 &&
      (sig = malloc(len)) && EVP_DigestSign(ctx, sig, &len, (const unsigned char *)input, n) == 1) {
    if (!k->ec)
      out = tug_base64url_encode(sig, len);
    else if (der_to_raw(sig, len, raw) == 0)
      out = tug_base64url_encode(raw, sizeof raw);
  }
  free(sig);
  EVP_MD_CTX_free(ctx);
  return out;
}

static bool verify_input(const tug_jwt_key *k, const char *input, size_t n,
                         const unsigned char *sig, size_t len) {
  unsigned char *der = NULL;
  if (k->ec) {
    if (len != 2 * ES256_HALF || raw_to_der(sig, &der, &len) < 0)
      return false;
    sig = der;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
            EVP_DigestVerify(ctx, sig, len, (const unsigned char *)input, n) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

/* ---- tokens ---- */

static char *encode_json(const json_t *j) {
  _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);
  return text ? tug_base64url_encode(text, strlen(text)) : NULL;
}

char *tug_jwt_sign(const tug_jwt_key *k, const json_t *claims, tug_error *err) {
  _cleanup_json_ json_t *header = json_pack("{s:s, s:s}", "alg", tug_jwt_key_alg(k), "kid", k->kid);
  _cleanup_free_ char *h = encode_json(header), *c = encode_json(claims);
  if (h == NULL || c == NULL) {
    tug_error_set(err, ENOMEM, "encode the token");
    return NULL;
  }
  size_t hl = strlen(h), cl = strlen(c);
  char *token = malloc(hl + cl + 2);
  if (token == NULL) {
    tug_error_set(err, ENOMEM, "encode the token");
    return NULL;
  }
  memcpy(token, h, hl);
  token[hl] = '.';
  memcpy(token + hl + 1, c, cl + 1);
  _cleanup_free_ char *sig = sign_input(k, token, hl + 1 + cl);
  char *full = sig ? malloc(hl + cl + strlen(sig) + 3) : NULL;
  if (full == NULL) {
    free(token);
    tug_error_set(err, EIO, "sign the token with the %s key", tug_jwt_key_alg(k));
    return NULL;
  }
  sprintf(full, "%s.%s", token, sig);
  free(token);
  return full;
}

/* The token's three parts: [0, dot1), (dot1, dot2), (dot2, end]. */
typedef struct jwt_parts {
  const char *token;
  size_t dot1, dot2, len;
} jwt_parts;

static bool split(const char *token, jwt_parts *p) {
  const char *a = strchr(token, '.'), *b = a ? strchr(a + 1, '.') : NULL;
  if (b == NULL || strchr(b + 1, '.'))
    return false;
  *p = (jwt_parts){token, (size_t)(a - token), (size_t)(b - token), strlen(token)};
  return true;
}

/* A part decoded as a JSON object; NULL when it is not one. */
static json_t *decode_object(const char *s, size_t n) {
  unsigned char *bytes = NULL;
  size_t len = 0;
  if (tug_base64url_decode(s, n, &bytes, &len) < 0)
    return NULL;
  json_t *j = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, NULL);
  free(bytes);
  if (j && !json_is_object(j)) {
    json_decref(j);
    return NULL;
  }
  return j;
}

json_t *tug_jwt_peek_claims(const char *token) {
  jwt_parts p;
  if (!split(token, &p))
    return NULL;
  json_t *header = decode_object(token, p.dot1);
  json_t *claims = header ? decode_object(token + p.dot1 + 1, p.dot2 - p.dot1 - 1) : NULL;
  json_decref(header);
  return claims;
}

/* Whether one of keys of the token's algorithm signed it; kid's key first. */
static bool signed_by(tug_jwt_key *const *keys, size_t n, const json_t *header, const jwt_parts *p,
                      tug_error *err) {
  const char *alg = json_string_value(json_object_get(header, "alg"));
  const char *kid = json_string_value(json_object_get(header, "kid"));
  unsigned char *sig = NULL;
  size_t len = 0;
  if (tug_base64url_decode(p->token + p->dot2 + 1, p->len - p->dot2 - 1, &sig, &len) < 0)
    return tug_error_set(err, EINVAL, "malformed token signature"), false;
  bool ok = false;
  for (int pass = 0; pass < 2 && !ok; pass++)
    for (size_t i = 0; i < n && !ok; i++) {
      bool named = kid && strcmp(kid, keys[i]->kid) == 0;
      if (named == (pass == 0) && alg && strcmp(alg, tug_jwt_key_alg(keys[i])) == 0)
        ok = verify_input(keys[i], p->token, p->dot2, sig, len);
    }
  free(sig);
  if (!ok)
    tug_error_set(err, EACCES, "invalid signature");
  return ok;
}

/* exp and nbf at now, with leeway; iat is not checked, as in Kubernetes. */
static int check_times(const json_t *claims, int64_t now, tug_error *err) {
  json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");
  if (exp && !json_is_integer(exp))
    return tug_error_set(err, EINVAL, "malformed exp claim");
  if (nbf && !json_is_integer(nbf))
    return tug_error_set(err, EINVAL, "malformed nbf claim");
  if (exp && now > json_integer_value(exp) + TUG_JWT_LEEWAY)
    return tug_error_set(err, EACCES, "token has expired");
  if (nbf && now + TUG_JWT_LEEWAY < json_integer_value(nbf))
    return tug_error_set(err, EACCES, "token is not valid yet");
  return 0;
}

int tug_jwt_verify(tug_jwt_key *const *keys, size_t n, const char *token, int64_t now,
                   json_t **claims, tug_error *err) {
  jwt_parts p;
  if (!split(token, &p))
    return tug_error_set(err, EINVAL, "malformed token: not three parts");
  _cleanup_json_ json_t *header = decode_object(token, p.dot1);
  _cleanup_json_ json_t *body =
      header ? decode_object(token + p.dot1 + 1, p.dot2 - p.dot1 - 1) : NULL;
  if (body == NULL)
    return tug_error_set(err, EINVAL, "malformed token: header or claims are not JSON objects");
  if (!signed_by(keys, n, header, &p, err) || check_times(body, now, err) < 0)
    return -1;
  *claims = tug_steal_ptr(&body);
  return 0;
}
