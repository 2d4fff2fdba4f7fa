/*
 * authn-tokenfile.c — static bearer tokens from Kubernetes' token file
 * (--token-auth-file), a CSV of token,user,uid,"group1,group2".
 *
 * Tokens are kept as SHA-256 digests and a presented token is hashed and
 * compared with every entry by CRYPTO_memcmp, without stopping at a match, so
 * the time taken says nothing about which token, or how much of one, matched.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "authn.h"
#include "cleanup.h"
#include "pki.h"
#include "server.h"

typedef struct token_entry {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  api_user user;
} token_entry;

struct api_token_file {
  token_entry *entries;
  size_t n;
};

enum { MAX_FIELDS = 4, MAX_FILE = 16 << 20 };

/*
 * Split one CSV line into at most MAX_FIELDS fields in place (RFC 4180
 * quoting: "a,b" and "" for a quote). The number of fields, or -1 for an
 * unterminated quote or too many fields.
 */
static int split_csv(char *line, char **fields) {
  int n = 0;
  char *p = line;
  for (;;) {
    if (n == MAX_FIELDS)
      return -1;
    char *out = p;
    fields[n++] = p;
    if (*p == '"') {
      for (p++;; p++) {
        if (*p == '\0')
          return -1;
        if (*p == '"' && p[1] == '"')
          *out++ = *p++;
        else if (*p == '"')
          break;
        else
          *out++ = *p;
      }
      p++;
      if (*p != ',' && *p != '\0')
        return -1;
    } else {
      while (*p && *p != ',')
        *out++ = *p++;
    }
    char sep = *p;
    *out = '\0';
    if (sep == '\0')
      return n;
    p++;
  }
}

static int add_groups(api_user *u, const char *list) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", list);
  char *save = NULL;
  for (char *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
    while (*g == ' ')
      g++;
    if (*g && api_user_add_group(u, g) < 0)
      return -1;
  }
  return 0;
}

static int parse_line(char *line, const char *name, int lineno, token_entry *e, tug_error *err) {
  char *f[MAX_FIELDS];
  int n = split_csv(line, f);
  if (n < 3)
    return tug_error_set(err, TUG_E_PARSE, "%s:%d: want token,user,uid[,\"group1,group2\"]%s", name,
                         lineno, n < 0 ? " (a quote is not closed, or too many fields)" : "");
  if (f[0][0] == '\0' || f[1][0] == '\0')
    return tug_error_set(err, TUG_E_PARSE, "%s:%d: %s is empty", name, lineno,
                         f[0][0] ? "the user" : "the token");
  SHA256((const unsigned char *)f[0], strlen(f[0]), e->digest);
  api_user_set(&e->user, f[1], f[2]);
  if (n == 4 && add_groups(&e->user, f[3]) < 0)
    return tug_error_set(err, TUG_E_PARSE, "%s:%d: more than %d groups", name, lineno,
                         API_USER_MAX_GROUPS);
  return 0;
}

int api_token_file_parse(const char *text, const char *name, api_token_file **out, tug_error *err) {
  _cleanup_free_ char *copy = strdup(text);
  api_token_file *f = calloc(1, sizeof *f);
  if (copy == NULL || f == NULL) {
    free(f);
    return tug_error_errno(err, ENOMEM, "read %s", name);
  }
  int lineno = 0;
  char *save = NULL;
  for (char *line = copy; line; line = save) {
    save = strchr(line, '\n');
    if (save)
      *save++ = '\0';
    lineno++;
    line[strcspn(line, "\r")] = '\0';
    if (line[0] == '\0' || line[0] == '#')
      continue;
    token_entry *grown = realloc(f->entries, (f->n + 1) * sizeof *grown);
    if (grown == NULL || parse_line(line, name, lineno, &grown[f->n], err) < 0) {
      if (grown == NULL)
        tug_error_errno(err, ENOMEM, "read %s", name);
      else
        f->entries = grown;
      api_token_file_free(f);
      return -1;
    }
    f->entries = grown;
    f->n++;
  }
  *out = f;
  return 0;
}

int api_token_file_load(const char *path, api_token_file **out, tug_error *err) {
  _cleanup_free_ char *text = tug_read_file(path, MAX_FILE, NULL, err);
  if (text == NULL)
    return tug_error_wrap(err, "--token-auth-file");
  return api_token_file_parse(text, path, out, err);
}

void api_token_file_free(api_token_file *f) {
  if (f == NULL)
    return;
  OPENSSL_cleanse(f->entries, f->n * sizeof *f->entries);
  free(f->entries);
  free(f);
}

size_t api_token_file_count(const api_token_file *f) {
  return f ? f->n : 0;
}

bool api_token_file_lookup(const api_token_file *f, const char *token, api_user *out) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)token, strlen(token), digest);
  const token_entry *match = NULL;
  for (size_t i = 0; f && i < f->n; i++)
    if (CRYPTO_memcmp(digest, f->entries[i].digest, sizeof digest) == 0)
      match = &f->entries[i];
  if (match)
    *out = match->user;
  return match != NULL;
}

int api_authn_token_file(api_server *s, const char *token, api_user *out, tug_error *err) {
  (void)err;
  return api_token_file_lookup(s->tokens, token, out) ? 1 : 0;
}
