/*
 * credentials.h — reading the files of the API server's TLS and
 * authentication flags (see credentials.c).
 */
#ifndef TUG_APISERVER_CREDENTIALS_H
#define TUG_APISERVER_CREDENTIALS_H

#include "server.h"

/* Read what s->cfg names into s->pems, s->client_ca and s->tokens. */
int api_credentials_load(api_server *s, tug_error *err);
/* etcd's CA and client pair; pems[3] receives the texts (free them after
 * the client is closed). */
int api_credentials_etcd(const api_config *c, tug_etcd_options *opts, char **pems, tug_error *err);
void api_credentials_free(api_server *s);

#endif
