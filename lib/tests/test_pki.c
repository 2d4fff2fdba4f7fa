/* Unit tests for lib/pki.c: issuing, storing and verifying the cluster's certificates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pki.h"

enum { DAY = 86400 };

typedef struct ca {
  X509 *cert;
  EVP_PKEY *key;
} ca;

static ca new_ca(const char *cn) {
  ca c;
  tug_error err = {0};
  tug_cert_spec spec = {.cn = cn, .ca = true, .valid_s = 10 * DAY};
  assert_int_equal(tug_pki_issue(&spec, NULL, NULL, &c.cert, &c.key, &err), 0);
  return c;
}

static void free_ca(ca *c) {
  X509_free(c->cert);
  EVP_PKEY_free(c->key);
}

/* A client certificate of ca as DER; *der to be freed with OPENSSL_free. */
static int client_der(ca *c, const tug_cert_spec *spec, unsigned char **der) {
  X509 *cert;
  EVP_PKEY *key;
  tug_error err = {0};
  assert_int_equal(tug_pki_issue(spec, c->cert, c->key, &cert, &key, &err), 0);
  *der = NULL;
  int n = i2d_X509(cert, der);
  X509_free(cert);
  EVP_PKEY_free(key);
  return n;
}

static tug_pki_verifier *verifier_of(ca *c) {
  char *pem = NULL;
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, c->cert);
  long n = BIO_get_mem_data(bio, &pem);
  tug_error err = {0};
  tug_pki_verifier *v = tug_pki_verifier_new(pem, (size_t)n, &err);
  BIO_free(bio);
  assert_non_null(v);
  return v;
}

static int verify(ca *c, ca *signer, const tug_cert_spec *spec, tug_pki_identity *id,
                  tug_error *err) {
  unsigned char *der;
  int n = client_der(signer, spec, &der);
  tug_pki_verifier *v = verifier_of(c);
  int rc = tug_pki_verify_der(v, der, (size_t)n, 0, id, err);
  tug_pki_verifier_free(v);
  OPENSSL_free(der);
  return rc;
}

static void a_client_certificate_names_its_user_and_groups(void **state) {
  (void)state;
  ca c = new_ca("tug-ca");
  const char *orgs[] = {"system:nodes", "team-a", NULL};
  tug_cert_spec spec = {.cn = "system:node:n1", .orgs = orgs, .client = true, .valid_s = DAY};
  tug_pki_identity id;
  tug_error err = {0};
  assert_int_equal(verify(&c, &c, &spec, &id, &err), 0);
  assert_string_equal(id.user, "system:node:n1");
  assert_int_equal(id.ngroups, 2);
  assert_string_equal(id.groups[0], "system:nodes");
  assert_string_equal(id.groups[1], "team-a");
  assert_true(id.not_after - id.not_before == DAY);
  free_ca(&c);
}

static void expired_not_yet_valid_and_foreign_certificates_are_refused(void **state) {
  (void)state;
  ca c = new_ca("tug-ca"), other = new_ca("tug-ca");
  tug_pki_identity id;
  tug_error err = {0};
  tug_cert_spec expired = {.cn = "u", .client = true, .not_before_s = -2 * DAY, .valid_s = DAY};
  assert_int_equal(verify(&c, &c, &expired, &id, &err), -1);
  assert_int_equal(err.code, EACCES);
  assert_non_null(strstr(err.msg, "expired"));
  tug_cert_spec early = {.cn = "u", .client = true, .not_before_s = DAY, .valid_s = DAY};
  assert_int_equal(verify(&c, &c, &early, &id, &err), -1);
  assert_non_null(strstr(err.msg, "not yet valid"));
  tug_cert_spec fine = {.cn = "u", .client = true, .valid_s = DAY};
  assert_int_equal(verify(&c, &other, &fine, &id, &err), -1);
  assert_int_equal(err.code, EACCES);
  free_ca(&c);
  free_ca(&other);
}

static void a_server_only_certificate_cannot_authenticate_a_client(void **state) {
  (void)state;
  ca c = new_ca("tug-ca");
  tug_cert_spec spec = {.cn = "apiserver", .server = true, .valid_s = DAY};
  tug_pki_identity id;
  tug_error err = {0};
  assert_int_equal(verify(&c, &c, &spec, &id, &err), -1);
  free_ca(&c);
}

static void written_pairs_read_back_and_keys_are_private(void **state) {
  (void)state;
  char dir[] = "/tmp/test-pki.XXXXXX";
  assert_non_null(mkdtemp(dir));
  ca c = new_ca("tug-ca");
  tug_error err = {0};
  assert_int_equal(tug_pki_write(dir, "ca", c.cert, c.key, &err), 0);
  assert_int_equal(tug_pki_write_sa_keypair(dir, &err), 0);
  char path[256];
  struct stat st;
  snprintf(path, sizeof path, "%s/ca.key", dir);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  snprintf(path, sizeof path, "%s/sa.key", dir);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  X509 *cert;
  EVP_PKEY *key;
  assert_int_equal(tug_pki_load(dir, "ca", &cert, &key, &err), 0);
  assert_int_equal(X509_cmp(cert, c.cert), 0);
  assert_int_equal(EVP_PKEY_eq(key, c.key), 1);
  X509_free(cert);
  EVP_PKEY_free(key);
  assert_int_equal(tug_pki_load(dir, "missing", &cert, NULL, &err), -1);
  assert_int_equal(err.code, ENOENT);
  const char *files[] = {"ca.crt", "ca.key", "sa.key", "sa.pub"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
  free_ca(&c);
}

static void the_start_up_check_refuses_expired_and_passes_valid(void **state) {
  (void)state;
  ca c = new_ca("tug-ca");
  char *pem = NULL;
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, c.cert);
  long n = BIO_get_mem_data(bio, &pem);
  tug_error err = {0};
  assert_int_equal(tug_pki_check_cert_pem("ca", pem, (size_t)n, 0, &err), 0);
  assert_int_equal(tug_pki_check_cert_pem("ca", pem, (size_t)n, time(NULL) + 11 * DAY, &err), -1);
  assert_int_equal(err.code, EKEYEXPIRED);
  assert_int_equal(tug_pki_check_cert_pem("ca", "junk", 4, 0, &err), -1);
  assert_int_equal(err.code, TUG_E_PARSE);
  BIO_free(bio);
  free_ca(&c);
}

static void a_pair_encoded_in_memory_reads_back(void **state) {
  (void)state;
  ca c = new_ca("tug-ca");
  char *cert_pem = NULL, *key_pem = NULL;
  tug_error err = {0};
  assert_int_equal(tug_pki_pem(c.cert, c.key, &cert_pem, &key_pem, &err), 0);
  assert_int_equal(tug_pki_check_cert_pem("ca", cert_pem, strlen(cert_pem), 0, &err), 0);
  BIO *bio = BIO_new_mem_buf(key_pem, -1);
  EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  assert_non_null(key);
  assert_int_equal(EVP_PKEY_eq(key, c.key), 1);
  EVP_PKEY_free(key);
  BIO_free(bio);
  free(cert_pem);
  free(key_pem);
  free_ca(&c);
}

static void a_serving_certificate_carries_its_names(void **state) {
  (void)state;
  ca c = new_ca("tug-ca");
  const char *dns[] = {"localhost", "kubernetes.default.svc", NULL};
  const char *ips[] = {"127.0.0.1", "198.19.0.1", NULL};
  tug_cert_spec spec = {
      .cn = "kube-apiserver", .dns = dns, .ips = ips, .server = true, .valid_s = DAY};
  X509 *cert;
  EVP_PKEY *key;
  tug_error err = {0};
  assert_int_equal(tug_pki_issue(&spec, c.cert, c.key, &cert, &key, &err), 0);
  assert_int_equal(X509_check_host(cert, "kubernetes.default.svc", 0, 0, NULL), 1);
  assert_int_equal(X509_check_ip_asc(cert, "198.19.0.1", 0), 1);
  assert_int_equal(X509_check_ip_asc(cert, "10.0.0.1", 0), 0);
  X509_free(cert);
  EVP_PKEY_free(key);
  free_ca(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_client_certificate_names_its_user_and_groups),
      cmocka_unit_test(expired_not_yet_valid_and_foreign_certificates_are_refused),
      cmocka_unit_test(a_server_only_certificate_cannot_authenticate_a_client),
      cmocka_unit_test(written_pairs_read_back_and_keys_are_private),
      cmocka_unit_test(the_start_up_check_refuses_expired_and_passes_valid),
      cmocka_unit_test(a_serving_certificate_carries_its_names),
      cmocka_unit_test(a_pair_encoded_in_memory_reads_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
