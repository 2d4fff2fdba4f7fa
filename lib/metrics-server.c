/*
 * metrics-server.c — see metrics-server.h. libmicrohttpd with its own
 * polling thread; every answer is built whole, so no request waits on another.
 */
#include "metrics-server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct tug_metrics_server {
  struct MHD_Daemon *daemon;
  tug_metrics_render_fn fn;
  void *arg;
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
  if (strcmp(method, "GET") != 0)
    code = MHD_HTTP_METHOD_NOT_ALLOWED;
  else if (metrics)
    body = render(s);
  else if (strcmp(url, "/healthz") == 0)
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

tug_metrics_server *tug_metrics_server_start(const char *listen, tug_metrics_render_fn fn,
                                             void *arg, tug_error *err) {
  struct sockaddr_in sa;
  if (parse_listen(listen, &sa, err) < 0)
    return NULL;
  tug_metrics_server *s = calloc(1, sizeof *s);
  if (s == NULL) {
    tug_error_errno(err, ENOMEM, "serve metrics on %s", listen);
    return NULL;
  }
  s->fn = fn;
  s->arg = arg;
  s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                               handle, s, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
  if (s->daemon == NULL) {
    free(s);
    tug_error_set(err, EADDRINUSE, "serve metrics on %s", listen);
    return NULL;
  }
  return s;
}

void tug_metrics_server_stop(tug_metrics_server *s) {
  if (s == NULL)
    return;
  MHD_stop_daemon(s->daemon);
  free(s);
}
