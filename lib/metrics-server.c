/*
 * metrics-server.c — see metrics-server.h. libmicrohttpd with its own
 * polling thread; every answer is built whole, so no request waits on another
 * but for the reviews of a TLS request, which ask the API server.
 */
#include "metrics-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "delegated-auth.h"
#include "pki.h"

struct tug_metrics_server {
  struct MHD_Daemon *daemon;
  tug_metrics_render_fn fn;
  void *arg;
  tug_pki_verifier *client_ca; /* NULL: plain HTTP, anyone */
  tug_client *api;
  char *cert_pem, *key_pem, *ca_pem;
};

static char *render(tug_metrics_server *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return NULL;
  s->fn(f, s->arg);
  fclose(f);
  return buf;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req_cls) {
  (void)version, (void)upload, (void)upload_size, (void)req_cls;
  tug_metrics_server *s = cls;
  char *body = NULL;
  unsigned code = MHD_HTTP_OK;
  bool metrics = strcmp(url, "/metrics") == 0;
  int denied = s->client_ca ? tug_delegated_auth_check(s->client_ca, s->api, conn, method, url) : 0;
  if (denied)
    code = (unsigned)denied;
  else if (strcmp(method, "GET") != 0)
    code = MHD_HTTP_METHOD_NOT_ALLOWED;
  else if (metrics)
    body = render(s);
  else if (tug_delegated_auth_public(url))
    body = strdup("ok");
  else
    code = MHD_HTTP_NOT_FOUND;
  if (body == NULL && code == MHD_HTTP_OK)
    code = MHD_HTTP_INTERNAL_SERVER_ERROR;
  struct MHD_Response *r =
      body ? MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE)
           : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (body && metrics)
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
  enum MHD_Result ret = MHD_queue_response(conn, code, r);
  MHD_destroy_response(r);
  return ret;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, tug_error *err) {
  const char *colon = strrchr(listen, ':');
  char host[64], *end;
  long port = colon ? strtol(colon + 1, &end, 10) : -1;
  if (colon == NULL || colon[1] == '\0' || *end || port < 0 || port > 65535 ||
      (size_t)(colon - listen) >= sizeof host)
    return tug_error_set(err, EINVAL, "--listen %s: want IPv4:PORT", listen);
  memcpy(host, listen, (size_t)(colon - listen));
  host[colon - listen] = '\0';
  *sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
    return tug_error_set(err, EINVAL, "--listen %s: want IPv4:PORT", listen);
  return 0;
}

int tug_metrics_server_check(const tug_metrics_server_options *o, tug_error *err) {
  int given = !!o->tls_cert_file + !!o->tls_key_file + !!o->client_ca_file;
  if (given != 0 && given != 3)
    return tug_error_set(
        err, EINVAL, "--tls-cert-file, --tls-private-key-file and --client-ca-file go together");
  return 0;
}

/* The pair and the client CA, the certificate checked for expiry. */
static int load_tls(tug_metrics_server *s, const tug_metrics_server_options *o, tug_error *err) {
  if ((s->cert_pem = tug_read_file(o->tls_cert_file, 1 << 20, NULL, err)) == NULL ||
      (s->key_pem = tug_read_file(o->tls_key_file, 1 << 20, NULL, err)) == NULL ||
      (s->ca_pem = tug_read_file(o->client_ca_file, 1 << 20, NULL, err)) == NULL ||
      (s->client_ca = tug_pki_verifier_new(s->ca_pem, strlen(s->ca_pem), err)) == NULL)
    return tug_error_wrap(err, "metrics server TLS");
  return tug_pki_check_cert_pem("--tls-cert-file", s->cert_pem, strlen(s->cert_pem), 0, err);
}

/* With TLS, the CA's name goes in the request for a client certificate;
 * lib/tls-peer.h judges the one that comes. */
static struct MHD_Daemon *start_daemon(tug_metrics_server *s, struct sockaddr_in *sa) {
  struct MHD_OptionItem tls[] = {
      {MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem},
      {MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem},
      {MHD_OPTION_HTTPS_MEM_TRUST, 0, s->ca_pem},
      {MHD_OPTION_END, 0, NULL},
  };
  struct MHD_OptionItem none[] = {{MHD_OPTION_END, 0, NULL}};
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  return MHD_start_daemon(s->client_ca ? flags | MHD_USE_TLS : flags, 0, NULL, NULL, handle, s,
                          MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_ARRAY, s->client_ca ? tls : none,
                          MHD_OPTION_END);
}

void tug_metrics_server_stop(tug_metrics_server *s) {
  if (s == NULL)
    return;
  if (s->daemon)
    MHD_stop_daemon(s->daemon);
  tug_pki_verifier_free(s->client_ca);
  free(s->cert_pem);
  free(s->key_pem);
  free(s->ca_pem);
  free(s);
}

tug_metrics_server *tug_metrics_server_start(const tug_metrics_server_options *o,
                                             tug_metrics_render_fn fn, void *arg, tug_error *err) {
  struct sockaddr_in sa;
  if (tug_metrics_server_check(o, err) < 0 || parse_listen(o->listen, &sa, err) < 0)
    return NULL;
  tug_metrics_server *s = calloc(1, sizeof *s);
  if (s == NULL) {
    tug_error_errno(err, ENOMEM, "serve metrics on %s", o->listen);
    return NULL;
  }
  s->fn = fn;
  s->arg = arg;
  s->api = o->api;
  if (o->tls_cert_file && load_tls(s, o, err) < 0) {
    tug_metrics_server_stop(s);
    return NULL;
  }
  if ((s->daemon = start_daemon(s, &sa)) == NULL) {
    tug_metrics_server_stop(s);
    tug_error_set(err, EADDRINUSE, "serve metrics on %s", o->listen);
    return NULL;
  }
  return s;
}
