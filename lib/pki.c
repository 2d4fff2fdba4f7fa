/*
 * pki.c — issuing, storing and checking the cluster's certificates (see pki.h).
 *
 * Serial numbers are 128 random bits, as CAs are asked to use; every issued
 * certificate carries its key usages and, for a CA, basicConstraints CA:TRUE,
 * so that OpenSSL, GnuTLS and Go (kubectl) all accept the chain.
 */
#include "pki.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

/* The last OpenSSL error as text, for messages. */
static const char *ssl_reason(void) {
  static __thread char buf[256];
  unsigned long e = ERR_get_error();
  if (e == 0)
    return "unknown error";
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

static EVP_PKEY *new_ec_key(void) {
  return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (ext == NULL)
    return -1;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok ? 0 : -1;
}

/* "DNS:a,DNS:b,IP:1.2.3.4", or "" when the spec names none. */
static void san_text(const tug_cert_spec *s, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (int i = 0; s->dns && s->dns[i] && n < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%sDNS:%s", n ? "," : "", s->dns[i]);
  for (int i = 0; s->ips && s->ips[i] && n < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%sIP:%s", n ? "," : "", s->ips[i]);
}

static int set_subject(X509 *cert, const tug_cert_spec *s) {
  X509_NAME *name = X509_get_subject_name(cert);
  for (int i = 0; s->orgs && s->orgs[i]; i++)
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)s->orgs[i], -1,
                                    -1, 0))
      return -1;
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)s->cn, -1, -1,
                                    0)
             ? 0
             : -1;
}

static int set_serial(X509 *cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return -1;
  bytes[0] &= 0x7f; /* positive */
  BIGNUM *bn = BN_bin2bn(bytes, sizeof bytes, NULL);
  int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
  BN_free(bn);
  return ok ? 0 : -1;
}

static int set_extensions(X509 *cert, X509 *issuer, const tug_cert_spec *s) {
  char san[2048], eku[64] = "";
  san_text(s, san, sizeof san);
  if (s->server || s->client)
    snprintf(eku, sizeof eku, "%s%s%s", s->server ? "serverAuth" : "",
             s->server && s->client ? "," : "", s->client ? "clientAuth" : "");
  if (add_ext(cert, issuer, NID_basic_constraints,
              s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE") < 0 ||
      add_ext(cert, issuer, NID_key_usage,
              s->ca ? "critical,keyCertSign,cRLSign,digitalSignature"
                    : "critical,digitalSignature,keyEncipherment") < 0 ||
      add_ext(cert, issuer, NID_subject_key_identifier, "hash") < 0 ||
      (issuer != cert && add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always") < 0) ||
      (eku[0] && add_ext(cert, issuer, NID_ext_key_usage, eku) < 0) ||
      (san[0] && add_ext(cert, issuer, NID_subject_alt_name, san) < 0))
    return -1;
  return 0;
}

int tug_pki_issue(const tug_cert_spec *spec, X509 *ca_cert, EVP_PKEY *ca_key, X509 **cert,
                  EVP_PKEY **key, tug_error *err) {
  _cleanup_pkey_ EVP_PKEY *k = new_ec_key();
  _cleanup_x509_ X509 *c = X509_new();
  long start = spec->not_before_s ? spec->not_before_s : -300;
  if (k == NULL || c == NULL)
    return tug_error_set(err, ENOMEM, "issue %s: %s", spec->cn, ssl_reason());
  X509 *issuer = ca_cert ? ca_cert : c;
  EVP_PKEY *signer = ca_cert ? ca_key : k;
  if (!X509_set_version(c, 2) || set_serial(c) < 0 || set_subject(c, spec) < 0 ||
      !X509_set_issuer_name(c, X509_get_subject_name(issuer)) ||
      !X509_gmtime_adj(X509_getm_notBefore(c), start) ||
      !X509_gmtime_adj(X509_getm_notAfter(c), start + spec->valid_s) || !X509_set_pubkey(c, k) ||
      set_extensions(c, issuer, spec) < 0 || !X509_sign(c, signer, EVP_sha256()))
    return tug_error_set(err, EINVAL, "issue %s: %s", spec->cn, ssl_reason());
  *cert = tug_steal_ptr(&c);
  *key = tug_steal_ptr(&k);
  return 0;
}

int tug_pki_renew(X509 *old, X509 *ca_cert, EVP_PKEY *ca_key, long valid_s, X509 **cert,
                  tug_error *err) {
  _cleanup_x509_ X509 *c = X509_dup(old);
  if (c == NULL || set_serial(c) < 0 || !X509_gmtime_adj(X509_getm_notBefore(c), -300) ||
      !X509_gmtime_adj(X509_getm_notAfter(c), valid_s - 300) ||
      !X509_set_issuer_name(c, X509_get_subject_name(ca_cert)) ||
      !X509_sign(c, ca_key, EVP_sha256()))
    return tug_error_set(err, EINVAL, "renew: %s", ssl_reason());
  *cert = tug_steal_ptr(&c);
  return 0;
}

/* Write through a temporary file with mode, then rename over path. */
static int write_pem(const char *path, mode_t mode, int (*emit)(FILE *, void *), void *obj,
                     tug_error *err) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return tug_error_errno(err, errno, "write %s", path);
  fchmod(fd, mode); /* the umask must not loosen or tighten it */
  FILE *f = fdopen(fd, "w");
  if (f == NULL) {
    close(fd);
    return tug_error_errno(err, errno, "write %s", path);
  }
  int ok = emit(f, obj);
  if (fclose(f) != 0 || !ok || rename(tmp, path) < 0) {
    unlink(tmp);
    return tug_error_set(err, EIO, "write %s: %s", path, ok ? strerror(errno) : ssl_reason());
  }
  return 0;
}

static int emit_cert(FILE *f, void *c) {
  return PEM_write_X509(f, c);
}
static int emit_key(FILE *f, void *k) {
  return PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
}
static int emit_pub(FILE *f, void *k) {
  return PEM_write_PUBKEY(f, k);
}

int tug_pki_write(const char *dir, const char *name, X509 *cert, EVP_PKEY *key, tug_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.key", dir, name);
  if (write_pem(path, 0600, emit_key, key, err) < 0)
    return -1;
  snprintf(path, sizeof path, "%s/%s.crt", dir, name);
  return write_pem(path, 0644, emit_cert, cert, err);
}

/* The PEM text emit writes, or NULL. */
static char *pem_text(int (*emit)(FILE *, void *), void *obj) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return NULL;
  int ok = emit(f, obj);
  if (fclose(f) != 0 || !ok) {
    free(buf);
    return NULL;
  }
  return buf;
}

int tug_pki_pem(X509 *cert, EVP_PKEY *key, char **cert_pem, char **key_pem, tug_error *err) {
  *cert_pem = pem_text(emit_cert, cert);
  *key_pem = pem_text(emit_key, key);
  if (*cert_pem && *key_pem)
    return 0;
  free(*cert_pem);
  free(*key_pem);
  *cert_pem = *key_pem = NULL;
  return tug_error_set(err, ENOMEM, "encode a certificate and key as PEM: %s", ssl_reason());
}

int tug_pki_write_sa_keypair(const char *dir, tug_error *err) {
  _cleanup_pkey_ EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
  if (k == NULL)
    return tug_error_set(err, ENOMEM, "ServiceAccount key: %s", ssl_reason());
  char path[4096];
  snprintf(path, sizeof path, "%s/sa.key", dir);
  if (write_pem(path, 0600, emit_key, k, err) < 0)
    return -1;
  snprintf(path, sizeof path, "%s/sa.pub", dir);
  return write_pem(path, 0644, emit_pub, k, err);
}

static FILE *open_pem(const char *dir, const char *name, const char *ext, char *path, size_t size,
                      tug_error *err) {
  snprintf(path, size, "%s/%s.%s", dir, name, ext);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    tug_error_errno(err, errno, "read %s", path);
  return f;
}

int tug_pki_load(const char *dir, const char *name, X509 **cert, EVP_PKEY **key, tug_error *err) {
  char path[4096];
  _cleanup_fclose_ FILE *cf = open_pem(dir, name, "crt", path, sizeof path, err);
  if (cf == NULL)
    return -1;
  _cleanup_x509_ X509 *c = PEM_read_X509(cf, NULL, NULL, NULL);
  if (c == NULL)
    return tug_error_set(err, TUG_E_PARSE, "read %s: %s", path, ssl_reason());
  if (key) {
    _cleanup_fclose_ FILE *kf = open_pem(dir, name, "key", path, sizeof path, err);
    if (kf == NULL)
      return -1;
    if ((*key = PEM_read_PrivateKey(kf, NULL, NULL, NULL)) == NULL)
      return tug_error_set(err, TUG_E_PARSE, "read %s: %s", path, ssl_reason());
  }
  *cert = tug_steal_ptr(&c);
  return 0;
}

static time_t asn1_time(const ASN1_TIME *t) {
  struct tm tm = {0};
  return ASN1_TIME_to_tm(t, &tm) ? timegm(&tm) : 0;
}

int tug_pki_identity_of(X509 *cert, tug_pki_identity *out, tug_error *err) {
  *out = (tug_pki_identity){0};
  X509_NAME *name = X509_get_subject_name(cert);
  for (int i = 0; i < X509_NAME_entry_count(name); i++) {
    X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    unsigned char *utf8 = NULL;
    if ((nid != NID_commonName && nid != NID_organizationName) ||
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e)) < 0)
      continue;
    if (nid == NID_commonName)
      snprintf(out->user, sizeof out->user, "%s", (char *)utf8);
    else if (out->ngroups < TUG_PKI_MAX_NAMES)
      snprintf(out->groups[out->ngroups++], TUG_PKI_NAME_MAX, "%s", (char *)utf8);
    OPENSSL_free(utf8);
  }
  out->not_before = asn1_time(X509_get0_notBefore(cert));
  out->not_after = asn1_time(X509_get0_notAfter(cert));
  if (out->user[0] == '\0')
    return tug_error_set(err, EACCES, "the certificate names no common name (the user)");
  return 0;
}

struct tug_pki_verifier {
  X509_STORE *store;
};

tug_pki_verifier *tug_pki_verifier_new(const char *ca_pem, size_t len, tug_error *err) {
  BIO *bio = BIO_new_mem_buf(ca_pem, (int)len);
  tug_pki_verifier *v = calloc(1, sizeof *v);
  int added = 0;
  if (bio && v && (v->store = X509_STORE_new()) != NULL) {
    X509 *c;
    while ((c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
      added += X509_STORE_add_cert(v->store, c);
      X509_free(c);
    }
    ERR_clear_error(); /* the read that ends the loop leaves "no start line" */
  }
  BIO_free(bio);
  if (added == 0) {
    tug_error_set(err, TUG_E_PARSE, "CA bundle: no certificate in it");
    tug_pki_verifier_free(v);
    return NULL;
  }
  return v;
}

tug_pki_verifier *tug_pki_verifier_load(const char *ca_path, tug_error *err) {
  size_t len;
  _cleanup_free_ char *pem = tug_read_file(ca_path, 1 << 20, &len, err);
  if (pem == NULL)
    return NULL;
  tug_pki_verifier *v = tug_pki_verifier_new(pem, len, err);
  if (v == NULL)
    tug_error_wrap(err, "%s", ca_path);
  return v;
}

void tug_pki_verifier_free(tug_pki_verifier *v) {
  if (v == NULL)
    return;
  X509_STORE_free(v->store);
  free(v);
}

int tug_pki_verify_der(tug_pki_verifier *v, const unsigned char *der, size_t len, time_t now,
                       tug_pki_identity *out, tug_error *err) {
  const unsigned char *p = der;
  _cleanup_x509_ X509 *cert = d2i_X509(NULL, &p, (long)len);
  if (cert == NULL)
    return tug_error_set(err, EACCES, "client certificate: not X.509: %s", ssl_reason());
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (ctx == NULL || !X509_STORE_CTX_init(ctx, v->store, cert, NULL)) {
    X509_STORE_CTX_free(ctx);
    return tug_error_set(err, ENOMEM, "client certificate: %s", ssl_reason());
  }
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
  if (now)
    X509_STORE_CTX_set_time(ctx, 0, now);
  int ok = X509_verify_cert(ctx);
  int why = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  ERR_clear_error();
  if (ok != 1)
    return tug_error_set(err, EACCES, "client certificate: %s", X509_verify_cert_error_string(why));
  return tug_pki_identity_of(cert, out, err);
}

int tug_pki_check_cert_pem(const char *what, const char *pem, size_t len, time_t now,
                           tug_error *err) {
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  _cleanup_x509_ X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  tug_pki_identity id;
  if (cert == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: not a PEM certificate: %s", what, ssl_reason());
  if (tug_pki_identity_of(cert, &id, err) < 0)
    return tug_error_wrap(err, "%s", what);
  if (now == 0)
    now = time(NULL);
  if (now < id.not_before)
    return tug_error_set(err, EKEYEXPIRED, "%s (%s): not valid before %ld s from now", what,
                         id.user, (long)(id.not_before - now));
  if (now >= id.not_after)
    return tug_error_set(err, EKEYEXPIRED, "%s (%s): expired %ld days ago; renew it (tug certs)",
                         what, id.user, (long)((now - id.not_after) / 86400));
  long days = (long)((id.not_after - now) / 86400);
  if (days < TUG_PKI_WARN_DAYS)
    tug_warn("certificate expires soon", "cert=%s user=%s days_left=%ld", TUG_LOG_Q(what),
             TUG_LOG_Q(id.user), days);
  return 0;
}

int tug_pki_read_pems(const char *dir, const char *name, char *pems[3], tug_error *err) {
  const char *const ext[] = {"crt", "crt", "key"};
  for (int i = 0; i < 3; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", dir, i == 0 ? "ca" : name, ext[i]);
    if ((pems[i] = tug_read_file(path, 1 << 20, NULL, err)) == NULL) {
      for (int j = 0; j < i; j++)
        free(pems[j]);
      return -1;
    }
  }
  return 0;
}

char *tug_read_file(const char *path, size_t max, size_t *len, tug_error *err) {
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  if (f == NULL) {
    tug_error_errno(err, errno, "read %s", path);
    return NULL;
  }
  char *buf = malloc(max + 1);
  size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
  if (buf == NULL || ferror(f) || n > max) {
    int code = buf == NULL ? ENOMEM : n > max ? E2BIG : EIO;
    free(buf);
    tug_error_set(err, code, "read %s: %s", path, strerror(code));
    return NULL;
  }
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}
