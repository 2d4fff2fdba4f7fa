/*
 * pki.h — the cluster's certificates: a CA, the certificates it issues, and
 * checking a certificate a peer presents (OpenSSL's libcrypto).
 *
 * The one idea: an identity is a certificate's subject, read the way
 * Kubernetes reads it — the common name is the user, each organization a
 * group ("CN=system:node:n1, O=system:nodes"). Keys are ECDSA P-256 (small,
 * fast handshakes); the ServiceAccount signing pair is RSA 2048 for RS256.
 * A file pair is NAME.crt (0644) and NAME.key (0600), each written to a
 * temporary name and renamed, so a reader never sees half a key.
 */
#ifndef TUG_PKI_H
#define TUG_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

enum { TUG_PKI_MAX_NAMES = 16, TUG_PKI_NAME_MAX = 256 };

/* What to issue. Lists end with NULL and may be NULL. */
typedef struct tug_cert_spec {
  const char *cn;
  const char *const *orgs; /* groups */
  const char *const *dns;  /* subjectAltName DNS names */
  const char *const *ips;  /* subjectAltName IP addresses (v4 or v6) */
  bool ca;                 /* may sign others */
  bool server, client;     /* extended key usages */
  long not_before_s;       /* offset from now; may be negative (0: 5 minutes ago, for skew) */
  long valid_s;            /* lifetime from not-before */
} tug_cert_spec;

/* Issue a certificate with a new key; ca_cert NULL makes it self-signed. */
int tug_pki_issue(const tug_cert_spec *spec, X509 *ca_cert, EVP_PKEY *ca_key, X509 **cert,
                  EVP_PKEY **key, tug_error *err);
/* The same certificate (subject, names, usages, key) with a new serial, valid
 * from now (less five minutes, for skew) for valid_s, signed by the CA again. */
int tug_pki_renew(X509 *old, X509 *ca_cert, EVP_PKEY *ca_key, long valid_s, X509 **cert,
                  tug_error *err);
/* DIR/NAME.crt and DIR/NAME.key (0600). */
int tug_pki_write(const char *dir, const char *name, X509 *cert, EVP_PKEY *key, tug_error *err);
/* The PEM texts of cert and key, in memory (the caller frees them). */
int tug_pki_pem(X509 *cert, EVP_PKEY *key, char **cert_pem, char **key_pem, tug_error *err);
/* Read DIR/NAME.crt and DIR/NAME.key; key may be NULL to read the certificate only. */
int tug_pki_load(const char *dir, const char *name, X509 **cert, EVP_PKEY **key, tug_error *err);
/* The PEM texts of DIR/ca.crt, DIR/NAME.crt and DIR/NAME.key, in pems[0..2]
 * (the caller frees them); what a client of the pair NAME needs. */
int tug_pki_read_pems(const char *dir, const char *name, char *pems[3], tug_error *err);
/* DIR/sa.key (0600) and DIR/sa.pub: the ServiceAccount token signing pair. */
int tug_pki_write_sa_keypair(const char *dir, tug_error *err);

/* Who a certificate names, and when it is valid. */
typedef struct tug_pki_identity {
  char user[TUG_PKI_NAME_MAX];
  int ngroups;
  char groups[TUG_PKI_MAX_NAMES][TUG_PKI_NAME_MAX];
  time_t not_before, not_after;
} tug_pki_identity;

int tug_pki_identity_of(X509 *cert, tug_pki_identity *out, tug_error *err);

/* Checks client certificates against one CA. Safe to share between threads. */
typedef struct tug_pki_verifier tug_pki_verifier;

tug_pki_verifier *tug_pki_verifier_new(const char *ca_pem, size_t len, tug_error *err);
tug_pki_verifier *tug_pki_verifier_load(const char *ca_path, tug_error *err);
void tug_pki_verifier_free(tug_pki_verifier *v);
/*
 * Verify a DER certificate (a peer's leaf) as a TLS client's at time now
 * (0: the clock): signed by the CA, within its validity, usable for client
 * authentication. EACCES with the reason when not.
 */
int tug_pki_verify_der(tug_pki_verifier *v, const unsigned char *der, size_t len, time_t now,
                       tug_pki_identity *out, tug_error *err);

/*
 * The start-up check every daemon makes on the certificate it serves or
 * authenticates with: -1 (EKEYEXPIRED) when expired or not yet valid; a
 * warning logged when it expires within TUG_PKI_WARN_DAYS.
 */
enum { TUG_PKI_WARN_DAYS = 30 };
int tug_pki_check_cert_pem(const char *what, const char *pem, size_t len, time_t now,
                           tug_error *err);

/* The whole of a small file (a PEM, a token file), NUL-terminated; NULL with err. */
char *tug_read_file(const char *path, size_t max, size_t *len, tug_error *err);

static inline void tug_x509_freep(X509 **c) {
  X509_free(*c);
}
static inline void tug_pkey_freep(EVP_PKEY **k) {
  EVP_PKEY_free(*k);
}
#define _cleanup_x509_ __attribute__((cleanup(tug_x509_freep)))
#define _cleanup_pkey_ __attribute__((cleanup(tug_pkey_freep)))

#endif
