/*
 * credentials.c — the files the API server's TLS and authentication flags
 * name, read once at start (server.h's api_pems): its serving pair, the
 * client CA, the static token file, its client pairs to etcd and to agents.
 * Each certificate it presents is checked for expiry first: an expired one
 * stops the start, one about to expire is logged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "authn.h"
#include "credentials.h"
#include "pki.h"

enum { MAX_PEM = 1 << 20 };

static int read_pem(const char *flag, const char *path, char **out, tug_error *err) {
  if (path == NULL)
    return 0;
  if ((*out = tug_read_file(path, MAX_PEM, NULL, err)) == NULL)
    return tug_error_wrap(err, "%s", flag);
  return 0;
}

static int check(const char *flag, const char *pem, tug_error *err) {
  return pem ? tug_pki_check_cert_pem(flag, pem, strlen(pem), 0, err) : 0;
}

/* Flags that only make sense together. */
static int check_pairs(const api_config *c, tug_error *err) {
  if ((c->tls_cert_file == NULL) != (c->tls_key_file == NULL))
    return tug_error_set(err, EINVAL, "--tls-cert-file and --tls-private-key-file go together");
  if (c->tls_cert_file == NULL && c->insecure_host == NULL)
    return tug_error_set(err, EINVAL,
                         "nothing to serve on: give --tls-cert-file and "
                         "--tls-private-key-file (or, for tests, --insecure-listen)");
  if ((c->etcd_certfile == NULL) != (c->etcd_keyfile == NULL))
    return tug_error_set(err, EINVAL, "--etcd-certfile and --etcd-keyfile go together");
  if ((c->kubelet_cert_file == NULL) != (c->kubelet_key_file == NULL))
    return tug_error_set(err, EINVAL,
                         "--kubelet-client-certificate and --kubelet-client-key go together");
  return 0;
}

int api_credentials_load(api_server *s, tug_error *err) {
  const api_config *c = &s->cfg;
  api_pems *p = &s->pems;
  if (check_pairs(c, err) < 0 ||
      read_pem("--tls-cert-file", c->tls_cert_file, &p->tls_cert, err) < 0 ||
      read_pem("--tls-private-key-file", c->tls_key_file, &p->tls_key, err) < 0 ||
      read_pem("--client-ca-file", c->client_ca_file, &p->client_ca, err) < 0 ||
      read_pem("--kubelet-certificate-authority", c->kubelet_ca_file, &p->kubelet_ca, err) < 0 ||
      read_pem("--kubelet-client-certificate", c->kubelet_cert_file, &p->kubelet_cert, err) < 0 ||
      read_pem("--kubelet-client-key", c->kubelet_key_file, &p->kubelet_key, err) < 0 ||
      check("--tls-cert-file", p->tls_cert, err) < 0 ||
      check("--kubelet-client-certificate", p->kubelet_cert, err) < 0)
    return -1;
  if (p->client_ca &&
      (s->client_ca = tug_pki_verifier_new(p->client_ca, strlen(p->client_ca), err)) == NULL)
    return tug_error_wrap(err, "--client-ca-file %s", c->client_ca_file);
  if (c->token_auth_file && api_token_file_load(c->token_auth_file, &s->tokens, err) < 0)
    return -1;
  return 0;
}

int api_credentials_etcd(const api_config *c, tug_etcd_options *opts, char **pems, tug_error *err) {
  if (read_pem("--etcd-cafile", c->etcd_cafile, &pems[0], err) < 0 ||
      read_pem("--etcd-certfile", c->etcd_certfile, &pems[1], err) < 0 ||
      read_pem("--etcd-keyfile", c->etcd_keyfile, &pems[2], err) < 0 ||
      check("--etcd-certfile", pems[1], err) < 0)
    return -1;
  if (strncmp(c->etcd_servers, "https://", 8) == 0 && pems[0] == NULL)
    return tug_error_set(err, EINVAL, "--etcd-servers %s: https needs --etcd-cafile",
                         c->etcd_servers);
  opts->ca_pem = pems[0];
  opts->cert_pem = pems[1];
  opts->key_pem = pems[2];
  return 0;
}

void api_credentials_free(api_server *s) {
  api_pems *p = &s->pems;
  char *all[] = {p->tls_cert,   p->tls_key,      p->client_ca,
                 p->kubelet_ca, p->kubelet_cert, p->kubelet_key};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    free(all[i]);
  *p = (api_pems){0};
  tug_pki_verifier_free(s->client_ca);
  api_token_file_free(s->tokens);
  s->client_ca = NULL;
  s->tokens = NULL;
}
