/*
 * encryption-internal.h — the rules encryption-config.c reads and
 * encryption.c applies (see encryption.h).
 */
#ifndef TUG_APISERVER_ENCRYPTION_INTERNAL_H
#define TUG_APISERVER_ENCRYPTION_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "encryption.h"

typedef enum { ENC_IDENTITY, ENC_AESGCM, ENC_AESCBC } enc_provider;

/* One key of one provider; identity is a key without a secret or prefix. */
typedef struct enc_key {
  enc_provider type;
  char name[64];
  unsigned char secret[32];
  size_t secret_len;
  char prefix[96]; /* "k8s:enc:aesgcm:v1:<name>:" */
} enc_key;

/* The providers of some resources, their keys in the order listed: the
 * first seals, any opens. */
typedef struct enc_rule {
  json_t *resources; /* array of names as written */
  enc_key *keys;
  size_t nkeys;
} enc_rule;

struct api_encryption {
  enc_rule *rules;
  size_t nrules;
};

/* The first rule naming group/plural, or NULL. */
const enc_rule *enc_rule_for(const api_encryption *e, const char *group, const char *plural);

#endif
