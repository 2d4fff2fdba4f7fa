/* requestinfo.c — a request's verb and target from its method and URL; see requestinfo.h. */
#include "requestinfo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { MAX_PARTS = 8 };

/* The Namespace's own subresources, which are not resources under a namespace. */
static bool namespace_subresource(const char *s) {
  return strcmp(s, "status") == 0 || strcmp(s, "finalize") == 0;
}

static void lowercase_method(const char *method, char *out, size_t size) {
  size_t i = 0;
  for (; method[i] && i + 1 < size; i++)
    out[i] = (char)tolower((unsigned char)method[i]);
  out[i] = '\0';
}

/* Splits a copy of path on '/' into part (pointing into buf); -1 when too deep. */
static int split(const char *path, char *buf, size_t size, char **part) {
  snprintf(buf, size, "%s", path);
  int n = 0;
  char *save = NULL;
  for (char *p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
    if (n == MAX_PARTS)
      return -1;
    part[n++] = p;
  }
  return n;
}

static const char *resource_verb(const char *method, bool named, bool watch) {
  if (strcmp(method, "POST") == 0)
    return "create";
  if (strcmp(method, "PUT") == 0)
    return "update";
  if (strcmp(method, "PATCH") == 0)
    return "patch";
  if (strcmp(method, "DELETE") == 0)
    return named ? "delete" : "deletecollection";
  if (watch)
    return "watch";
  return named ? "get" : "list";
}

/* part: what follows /api/V or /apis/G/V. */
static void parse_resource(const char *method, bool watch, char **part, int n,
                           api_request_info *ri) {
  if (n >= 2 && strcmp(part[0], "namespaces") == 0) {
    snprintf(ri->ns, sizeof ri->ns, "%s", part[1]);
    if (n > 2 && !namespace_subresource(part[2]))
      part += 2, n -= 2;
  }
  snprintf(ri->resource, sizeof ri->resource, "%s", part[0]);
  if (n >= 2)
    snprintf(ri->name, sizeof ri->name, "%s", part[1]);
  if (n >= 3)
    snprintf(ri->sub, sizeof ri->sub, "%s", part[2]);
  snprintf(ri->verb, sizeof ri->verb, "%s", resource_verb(method, n >= 2, watch));
}

void api_request_info_parse(const char *method, const char *path, bool watch,
                            api_request_info *ri) {
  memset(ri, 0, sizeof *ri);
  lowercase_method(method, ri->verb, sizeof ri->verb);
  char buf[2048], *part[MAX_PARTS];
  int n = split(path, buf, sizeof buf, part);
  int skip;
  if (n >= 3 && strcmp(part[0], "api") == 0)
    skip = 2;
  else if (n >= 4 && strcmp(part[0], "apis") == 0)
    skip = 3;
  else
    return;
  if (skip == 3)
    snprintf(ri->group, sizeof ri->group, "%s", part[1]);
  snprintf(ri->version, sizeof ri->version, "%s", part[skip - 1]);
  ri->is_resource = true;
  parse_resource(method, watch, part + skip, n - skip, ri);
}
