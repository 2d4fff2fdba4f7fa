/*
 * agent-hollow-identity.c — each hollow node as its own user,
 * system:node:NAME in system:nodes, so that the node authorizer and
 * NodeRestriction judge its writes as they judge a real agent's.
 *
 * With --hollow-node-ca DIR (DIR/ca.crt and DIR/ca.key: the cluster CA, as
 * kubemark is handed a kubeconfig per hollow node), node i's client
 * certificate is issued in memory the first time node i needs a client, and
 * its client is kept for the life of the process: issuing costs a key and a
 * signature, a few milliseconds, so 1,000 nodes spread it over their first
 * beats instead of paying it before the first one registers. The server and
 * the CA that vouches for it come from the agent's kubeconfig.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-hollow.h"
#include "cleanup.h"
#include "kubeconfig.h"
#include "pki.h"

enum { CERT_DAYS = 365 };

struct agent_hollow_identities {
  const char *prefix;
  int count;
  char *server, *ca_pem;
  X509 *ca;
  EVP_PKEY *ca_key;
  pthread_mutex_t mu; /* clients */
  tug_client **clients;
};

int agent_hollow_identities_new(const agent_hollow_options *o, agent_hollow_identities **out,
                                tug_error *err) {
  tug_kubeconfig kc = {0};
  if (o->kubeconfig == NULL)
    return tug_error_set(err, EINVAL, "--hollow-node-ca needs --kubeconfig (server and its CA)");
  if (tug_kubeconfig_load(o->kubeconfig, NULL, &kc, err) < 0)
    return -1;
  agent_hollow_identities *ids = calloc(1, sizeof *ids);
  if (ids == NULL) {
    tug_kubeconfig_clear(&kc);
    return tug_error_errno(err, ENOMEM, "hollow node identities");
  }
  *ids = (agent_hollow_identities){.prefix = o->prefix, .count = o->count};
  pthread_mutex_init(&ids->mu, NULL);
  ids->server = strdup(o->server ? o->server : kc.server);
  ids->ca_pem = kc.ca_pem ? strdup(kc.ca_pem) : NULL;
  tug_kubeconfig_clear(&kc);
  ids->clients = calloc((size_t)o->count, sizeof *ids->clients);
  if (ids->server == NULL || ids->clients == NULL ||
      tug_pki_load(o->node_ca_dir, "ca", &ids->ca, &ids->ca_key, err) < 0) {
    if (err->code == 0)
      tug_error_errno(err, ENOMEM, "hollow node identities");
    agent_hollow_identities_free(ids);
    return tug_error_wrap(err, "--hollow-node-ca %s", o->node_ca_dir);
  }
  *out = ids;
  return 0;
}

void agent_hollow_identities_free(agent_hollow_identities *ids) {
  if (ids == NULL)
    return;
  for (int i = 0; ids->clients && i < ids->count; i++)
    tug_client_free(ids->clients[i]);
  free(ids->clients);
  X509_free(ids->ca);
  EVP_PKEY_free(ids->ca_key);
  free(ids->server);
  free(ids->ca_pem);
  pthread_mutex_destroy(&ids->mu);
  free(ids);
}

/* A client of node i's own: a new key and certificate from the CA. */
static tug_client *issue_client(agent_hollow_identities *ids, int i, tug_error *err) {
  char name[AGENT_HOLLOW_MAX_PREFIX + 16], user[AGENT_HOLLOW_MAX_PREFIX + 32];
  agent_hollow_node_name(ids->prefix, i, name, sizeof name);
  snprintf(user, sizeof user, "system:node:%s", name);
  static const char *const groups[] = {"system:nodes", NULL};
  tug_cert_spec spec = {
      .cn = user, .orgs = groups, .client = true, .valid_s = (long)CERT_DAYS * 86400};
  _cleanup_x509_ X509 *cert = NULL;
  _cleanup_pkey_ EVP_PKEY *key = NULL;
  if (tug_pki_issue(&spec, ids->ca, ids->ca_key, &cert, &key, err) < 0)
    return NULL;
  _cleanup_free_ char *cert_pem = NULL, *key_pem = NULL;
  if (tug_pki_pem(cert, key, &cert_pem, &key_pem, err) < 0)
    return NULL;
  tug_client_tls tls = {.ca_pem = ids->ca_pem, .cert_pem = cert_pem, .key_pem = key_pem};
  return tug_client_new_tls(ids->server, NULL, &tls, err);
}

tug_client *agent_hollow_identity_client(agent_hollow_identities *ids, int i, tug_error *err) {
  pthread_mutex_lock(&ids->mu);
  tug_client *c = ids->clients[i];
  pthread_mutex_unlock(&ids->mu);
  if (c)
    return c;
  /* Issued outside the lock, so nodes of other threads are not held up; two
   * threads racing for one node keep the first client made. */
  tug_client *made = issue_client(ids, i, err);
  if (made == NULL)
    return NULL;
  pthread_mutex_lock(&ids->mu);
  if (ids->clients[i] == NULL)
    ids->clients[i] = made;
  else
    tug_client_free(made);
  c = ids->clients[i];
  pthread_mutex_unlock(&ids->mu);
  return c;
}

tug_client *agent_hollow_client(const agent_hollow_options *o, tug_client *shared, int i,
                                tug_error *err) {
  return o->identities ? agent_hollow_identity_client(o->identities, i, err) : shared;
}
