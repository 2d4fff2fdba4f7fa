/*
 * image-ref.c — parse and print image references (image-ref.h).
 *
 * The grammar is Docker's reference grammar as far as a puller needs it:
 * path components of lowercase letters and digits joined by '.', '_', '__'
 * or runs of '-'; a tag of [A-Za-z0-9_.-] (not starting with '.' or '-', at
 * most 128); a digest "sha256:" + 64 hex. The parser checks rather than
 * rewrites, so a bad reference is refused with the part that is wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image-ref.h"

bool agent_image_digest_valid(const char *s) {
  if (s == NULL || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
    return false;
  for (const char *p = s + 7; *p; p++)
    if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
      return false;
  return true;
}

static bool component_valid(const char *s, size_t n) {
  if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (isupper((unsigned char)c))
      return false;
    if (isalnum((unsigned char)c) || c == '-')
      continue;
    if (c == '.' && isalnum((unsigned char)s[i + 1]))
      continue;
    if (c == '_' && (isalnum((unsigned char)s[i + 1]) ||
                     (s[i + 1] == '_' && i + 2 < n && isalnum((unsigned char)s[i + 2])))) {
      i += s[i + 1] == '_';
      continue;
    }
    return false;
  }
  return true;
}

static bool path_valid(const char *path) {
  for (const char *p = path;;) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (!component_valid(p, n))
      return false;
    if (!slash)
      return true;
    p = slash + 1;
  }
}

static bool tag_valid(const char *tag) {
  size_t n = strlen(tag);
  if (n == 0 || n > 128 || tag[0] == '.' || tag[0] == '-')
    return false;
  for (const char *p = tag; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
      return false;
  return true;
}

/* Whether the first component of a name is a registry host. */
static bool names_host(const char *first, size_t n) {
  return memchr(first, '.', n) || memchr(first, ':', n) ||
         (n == 9 && strncmp(first, "localhost", 9) == 0);
}

/* Split "name[:tag]" (the digest already cut off) into ref's registry, repository, tag. */
static int split_name(const char *s, char *name, const char *default_registry, agent_image_ref *ref,
                      tug_error *err) {
  char *slash = strchr(name, '/');
  char *last = strrchr(name, '/');
  char *colon = strrchr(last ? last : name, ':');
  if (colon) {
    *colon = '\0';
    if (!tag_valid(colon + 1))
      return tug_error_set(err, EINVAL, "image \"%s\": invalid tag \"%s\"", s, colon + 1);
    snprintf(ref->tag, sizeof ref->tag, "%.128s", colon + 1);
  }
  const char *repo = name;
  bool host_given = slash && names_host(name, (size_t)(slash - name));
  if (host_given) {
    *slash = '\0';
    if (strlen(name) >= sizeof ref->registry)
      return tug_error_set(err, ENAMETOOLONG, "image \"%s\": registry host too long", s);
    snprintf(ref->registry, sizeof ref->registry, "%.255s", name);
    repo = slash + 1;
  } else if (default_registry && *default_registry) {
    snprintf(ref->registry, sizeof ref->registry, "%.255s", default_registry);
  }
  if (!path_valid(repo))
    return tug_error_set(err, EINVAL,
                         "image \"%s\": invalid repository name \"%s\" (lowercase letters, "
                         "digits, and . _ - / between them)",
                         s, repo);
  /* "busybox" on the default registry is "library/busybox", as on Docker's. */
  bool short_name = !host_given && ref->registry[0] && !strchr(repo, '/');
  if (snprintf(ref->repository, sizeof ref->repository, "%s%s", short_name ? "library/" : "",
               repo) >= (int)sizeof ref->repository)
    return tug_error_set(err, ENAMETOOLONG, "image \"%s\": repository name too long", s);
  return 0;
}

int agent_image_ref_parse(const char *s, const char *default_registry, agent_image_ref *ref,
                          tug_error *err) {
  memset(ref, 0, sizeof *ref);
  if (s == NULL || *s == '\0')
    return tug_error_set(err, EINVAL, "empty image reference");
  char name[512];
  if (snprintf(name, sizeof name, "%s", s) >= (int)sizeof name)
    return tug_error_set(err, ENAMETOOLONG, "image reference too long (%zu bytes)", strlen(s));
  char *at = strchr(name, '@');
  if (at) {
    *at = '\0';
    if (!agent_image_digest_valid(at + 1))
      return tug_error_set(err, EINVAL,
                           "image \"%s\": invalid digest \"%s\" (want sha256: and 64 lowercase "
                           "hex digits)",
                           s, at + 1);
    snprintf(ref->digest, sizeof ref->digest, "%s", at + 1);
  }
  if (split_name(s, name, default_registry, ref, err) < 0)
    return -1;
  if (!ref->tag[0] && !ref->digest[0])
    snprintf(ref->tag, sizeof ref->tag, "latest");
  return 0;
}

void agent_image_ref_name(const agent_image_ref *ref, char *buf, size_t size) {
  snprintf(buf, size, "%s%s%s", ref->registry, ref->registry[0] ? "/" : "", ref->repository);
}

void agent_image_ref_format(const agent_image_ref *ref, char *buf, size_t size) {
  char name[520];
  agent_image_ref_name(ref, name, sizeof name);
  if (ref->digest[0])
    snprintf(buf, size, "%s@%s", name, ref->digest);
  else
    snprintf(buf, size, "%s:%s", name, ref->tag);
}

const char *agent_image_default_pull_policy(const char *image) {
  agent_image_ref ref;
  tug_error err = {0};
  if (agent_image_ref_parse(image, NULL, &ref, &err) < 0)
    return "IfNotPresent";
  return strcmp(ref.tag, "latest") == 0 ? "Always" : "IfNotPresent";
}
