/*
 * kubeconfig.h — reading and writing Kubernetes' kubeconfig files, the one way
 * every Tugboat client (daemons, CLI) learns where the API server is, which CA
 * vouches for it and who to be.
 *
 * The format is Kubernetes' (kind: Config): named clusters (server,
 * certificate-authority or certificate-authority-data), users
 * (client-certificate(-data), client-key(-data), token, token-file) and
 * contexts tying one of each together, with current-context choosing one.
 * File paths in it are relative to the file's own folder, as kubectl reads
 * them; *-data fields are base64 PEM. What is read is held as PEM text, so a
 * client needs no file once it is made.
 */
#ifndef TUG_KUBECONFIG_H
#define TUG_KUBECONFIG_H

#include <stddef.h>

#include "error.h"
#include "http.h"

typedef struct tug_kubeconfig {
  char *path;      /* the file read */
  char *context;   /* the context used */
  char *server;    /* https://HOST:PORT */
  char *namespace; /* the context's, or NULL */
  char *ca_pem;    /* NULL: the system's CAs */
  char *cert_pem, *key_pem;
  char *token;
} tug_kubeconfig;

/* The file to read when none is named: the first of $KUBECONFIG's
 * colon-separated paths that exists, else ~/.kube/config. */
void tug_kubeconfig_default_path(char *buf, size_t size);

/* Parse text read from path (for messages and relative paths); context NULL:
 * current-context. Errors name the file and the field. */
int tug_kubeconfig_parse(const char *text, size_t len, const char *path, const char *context,
                         tug_kubeconfig *out, tug_error *err);
int tug_kubeconfig_load(const char *path, const char *context, tug_kubeconfig *out, tug_error *err);
void tug_kubeconfig_clear(tug_kubeconfig *k);

/* A client for what k names; server (may be NULL) overrides its server. */
tug_client *tug_kubeconfig_client(const tug_kubeconfig *k, const char *server, tug_error *err);

/*
 * The client a daemon's flags describe: --kubeconfig PATH when given (then
 * --server, when also given, overrides its server), else --server with
 * --token. NULL with err when neither says where the server is.
 */
tug_client *tug_kubeconfig_client_for_flags(const char *kubeconfig, const char *server,
                                            const char *token, tug_error *err);

/* Write a kubeconfig of one cluster, user and context named name, with the
 * PEMs embedded (*-data), mode 0600. cert/key or token may be NULL. */
typedef struct tug_kubeconfig_spec {
  const char *name, *server, *namespace;
  const char *ca_pem, *cert_pem, *key_pem, *token;
} tug_kubeconfig_spec;
int tug_kubeconfig_write(const char *path, const tug_kubeconfig_spec *spec, tug_error *err);

#endif
