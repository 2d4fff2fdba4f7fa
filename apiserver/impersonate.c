/*
 * impersonate.c — acting as another user: Kubernetes' Impersonate-User,
 * Impersonate-Group (repeatable), Impersonate-Uid and Impersonate-Extra-*
 * headers (kubectl --as, --as-group).
 *
 * Each thing impersonated is checked as the verb "impersonate" on it, for
 * the real requester: users (or serviceaccounts, for a user named
 * system:serviceaccount:NS:NAME) and groups in the core group, uids and
 * userextras/<key> in authentication.k8s.io. All allowed: the request goes
 * on as the impersonated user, who is in system:authenticated (and, for a
 * service account asked without groups, in its service account groups) and
 * has the impersonated extras (SelfSubjectReview shows them, the audit log
 * writes them). An extra's key is the header name's tail, lower-cased and
 * percent-decoded as Kubernetes reads it (Impersonate-Extra-Acme.com%2Fteam).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authz.h"
#include "server.h"

enum { MAX_IMPERSONATED_GROUPS = API_USER_MAX_GROUPS - 3 };

typedef struct asked_extra {
  char key[128];
  const char *value;
} asked_extra;

static const char SA_PREFIX[] = "system:serviceaccount:";

typedef struct asked {
  const char *user, *uid;
  const char *groups[MAX_IMPERSONATED_GROUPS];
  int ngroups;
  asked_extra extra[API_USER_MAX_EXTRA];
  int nextra;
  bool too_many;
  api_request *r;
  api_response *out;
  bool refused;
} asked;

/* The verb on one impersonated thing, checked for the real user. */
static bool allowed(asked *q, const char *group, const char *resource, const char *sub,
                    const char *ns, const char *name) {
  if (q->refused)
    return false;
  api_authz_attrs a;
  api_authz_resource(&a, &q->r->user, "impersonate", group, resource, sub, ns, name);
  char reason[512];
  if (api_authorize(q->r->server, &a, reason, sizeof reason))
    return true;
  api_authz_forbidden(q->out, &a, reason);
  q->refused = true;
  return false;
}

static int hex_digit(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A header name's tail as Kubernetes' extra key: lower case, %XX decoded. */
static void extra_key(const char *tail, char *out, size_t size) {
  size_t n = 0;
  for (const char *p = tail; *p && n + 1 < size; p++) {
    char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    int hi = c == '%' && p[1] ? hex_digit((char)(p[1] | 0x20)) : -1;
    int lo = hi >= 0 && p[2] ? hex_digit((char)(p[2] | 0x20)) : -1;
    if (lo >= 0) {
      c = (char)(hi * 16 + lo);
      p += 2;
    }
    out[n++] = c;
  }
  out[n] = '\0';
}

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
  (void)kind;
  asked *q = cls;
  static const char extra[] = "Impersonate-Extra-";
  if (strcasecmp(key, "Impersonate-Group") == 0) {
    if (q->ngroups == MAX_IMPERSONATED_GROUPS)
      q->too_many = true;
    else
      q->groups[q->ngroups++] = value;
  } else if (strncasecmp(key, extra, sizeof extra - 1) == 0) {
    if (q->nextra == API_USER_MAX_EXTRA) {
      q->too_many = true;
      return MHD_YES;
    }
    asked_extra *e = &q->extra[q->nextra++];
    extra_key(key + sizeof extra - 1, e->key, sizeof e->key);
    e->value = value;
    allowed(q, "authentication.k8s.io", "userextras", e->key, NULL, value);
  }
  return MHD_YES;
}

static bool check_user(asked *q) {
  size_t n = sizeof SA_PREFIX - 1;
  if (strncmp(q->user, SA_PREFIX, n) != 0)
    return allowed(q, "", "users", NULL, NULL, q->user);
  char ns[256];
  const char *colon = strchr(q->user + n, ':');
  if (colon == NULL)
    return allowed(q, "", "users", NULL, NULL, q->user);
  snprintf(ns, sizeof ns, "%.*s", (int)(colon - q->user - n), q->user + n);
  return allowed(q, "", "serviceaccounts", NULL, ns, colon + 1);
}

static void become(asked *q) {
  api_user *u = &q->r->user;
  /* The audit log writes who asked beside whom they act as. */
  q->r->authenticated = *u;
  q->r->impersonating = true;
  api_user_set(u, q->user, q->uid);
  for (int i = 0; i < q->ngroups; i++)
    api_user_add_group(u, q->groups[i]);
  for (int i = 0; i < q->nextra; i++)
    api_user_add_extra(u, q->extra[i].key, q->extra[i].value);
  size_t n = sizeof SA_PREFIX - 1;
  const char *colon = strncmp(q->user, SA_PREFIX, n) == 0 ? strchr(q->user + n, ':') : NULL;
  if (colon && q->ngroups == 0) {
    char g[API_USER_NAME_MAX];
    api_user_add_group(u, "system:serviceaccounts");
    snprintf(g, sizeof g, "system:serviceaccounts:%.*s", (int)(colon - q->user - n), q->user + n);
    api_user_add_group(u, g);
  }
  if (strcmp(q->user, "system:anonymous") != 0)
    api_user_add_group(u, "system:authenticated");
}

int api_impersonate(api_request *r, api_response *out) {
  asked q = {.r = r, .out = out};
  q.user = api_header(r, "Impersonate-User");
  q.uid = api_header(r, "Impersonate-Uid");
  MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect, &q);
  if (q.refused)
    return -1;
  if (q.user == NULL) {
    if (q.ngroups || q.uid || q.nextra) {
      api_fail(out, 400,
               "requested impersonation of groups, uid or extras without impersonating a user");
      return -1;
    }
    return 0;
  }
  if (q.too_many) {
    api_fail(out, 400, "too many impersonated groups or extras (at most %d and %d)",
             MAX_IMPERSONATED_GROUPS, API_USER_MAX_EXTRA);
    return -1;
  }
  if (!check_user(&q))
    return -1;
  for (int i = 0; i < q.ngroups; i++)
    if (!allowed(&q, "", "groups", NULL, NULL, q.groups[i]))
      return -1;
  if (q.uid && !allowed(&q, "authentication.k8s.io", "uids", NULL, NULL, q.uid))
    return -1;
  become(&q);
  return 0;
}
