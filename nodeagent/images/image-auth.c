/*
 * image-auth.c — registry challenges and pull-secret credentials (image-auth.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "cleanup.h"
#include "image-auth.h"
#include "object.h"

/* One key=value pair at *p (value quoted or not); advances *p past it and a comma. */
static bool next_param(const char **p, char *key, size_t ksize, char *val, size_t vsize) {
  const char *s = *p;
  while (*s == ' ' || *s == ',')
    s++;
  size_t k = strcspn(s, "= ,");
  if (k == 0 || s[k] != '=')
    return false;
  snprintf(key, ksize, "%.*s", (int)k, s);
  s += k + 1;
  size_t n = 0;
  if (*s == '"') {
    for (s++; *s && *s != '"'; s++) {
      if (*s == '\\' && s[1])
        s++;
      if (n + 1 < vsize)
        val[n++] = *s;
    }
    if (*s != '"')
      return false;
    s++;
  } else {
    for (; *s && *s != ','; s++)
      if (n + 1 < vsize && *s != ' ')
        val[n++] = *s;
  }
  val[n] = '\0';
  *p = s;
  return true;
}

int agent_auth_parse_challenge(const char *header, agent_auth_challenge *ch, tug_error *err) {
  memset(ch, 0, sizeof *ch);
  while (header && isspace((unsigned char)*header))
    header++;
  if (header && strncasecmp(header, "Basic", 5) == 0 && (header[5] == '\0' || header[5] == ' '))
    return 0;
  if (!header || strncasecmp(header, "Bearer ", 7) != 0)
    return tug_error_set(err, EPROTO, "unsupported authentication challenge \"%s\"",
                         header ? header : "");
  ch->bearer = true;
  const char *p = header + 7;
  char key[32], val[512];
  while (next_param(&p, key, sizeof key, val, sizeof val)) {
    if (strcasecmp(key, "realm") == 0)
      snprintf(ch->realm, sizeof ch->realm, "%.511s", val);
    else if (strcasecmp(key, "service") == 0)
      snprintf(ch->service, sizeof ch->service, "%.255s", val);
    else if (strcasecmp(key, "scope") == 0)
      snprintf(ch->scope, sizeof ch->scope, "%.511s", val);
  }
  if (!ch->realm[0])
    return tug_error_set(err, EPROTO, "bearer challenge without a realm: \"%s\"", header);
  if (strncmp(ch->realm, "https://", 8) != 0 && strncmp(ch->realm, "http://", 7) != 0)
    return tug_error_set(err, EPROTO, "bearer realm \"%s\" is not an http(s) URL", ch->realm);
  return 0;
}

/* "https://host:5000/v1/" → "host:5000". */
static void key_host(const char *key, char *out, size_t size) {
  const char *s = strstr(key, "://");
  s = s ? s + 3 : key;
  snprintf(out, size, "%.*s", (int)strcspn(s, "/"), s);
}

static int creds_from(const json_t *entry, const char *host, agent_registry_creds *c,
                      tug_error *err) {
  const char *auth = tug_obj_get_str(entry, "auth");
  const char *user = tug_obj_get_str(entry, "username");
  const char *pass = tug_obj_get_str(entry, "password");
  if (auth && *auth) {
    _cleanup_free_ unsigned char *raw = NULL;
    size_t len = 0, bad = 0;
    if (tug_base64_decode(auth, strlen(auth), &raw, &len, &bad) < 0)
      return tug_error_set(err, TUG_E_PARSE, "auths.%s.auth: not base64 (byte %zu)", host, bad);
    char *colon = memchr(raw, ':', len);
    if (!colon)
      return tug_error_set(err, TUG_E_PARSE, "auths.%s.auth: not base64 of user:password", host);
    snprintf(c->user, sizeof c->user, "%.*s", (int)(colon - (char *)raw), (char *)raw);
    snprintf(c->password, sizeof c->password, "%.*s",
             (int)(len - (size_t)(colon + 1 - (char *)raw)), colon + 1);
    return 1;
  }
  if (!user || !pass)
    return tug_error_set(err, TUG_E_PARSE, "auths.%s: neither auth nor username and password",
                         host);
  snprintf(c->user, sizeof c->user, "%s", user);
  snprintf(c->password, sizeof c->password, "%s", pass);
  return 1;
}

int agent_auth_lookup(const json_t *dockercfg, const char *registry, agent_registry_creds *creds,
                      tug_error *err) {
  memset(creds, 0, sizeof *creds);
  const json_t *auths = json_object_get(dockercfg, "auths");
  const char *key;
  const json_t *entry;
  json_object_foreach((json_t *)auths, key, entry) {
    char host[256];
    key_host(key, host, sizeof host);
    if (strcmp(host, registry) == 0)
      return creds_from(entry, host, creds, err);
  }
  return 0;
}
