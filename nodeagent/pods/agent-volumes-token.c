/*
 * agent-volumes-token.c — serviceAccountToken projections: a token of the
 * pod's ServiceAccount, asked for through the TokenRequest API and bound to
 * the pod (it dies with the pod), and kept fresh.
 *
 * The one idea: the token file itself says when it is due. Its claims hold
 * iat and exp; once 80% of that span has passed (or after 24 hours, as the
 * kubelet does) a new token replaces it by a rename within the volume, so a
 * reader sees the old token or the new one, whole, and an agent restarted in
 * between needs no memory of when it last asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-volumes-internal.h"
#include "cleanup.h"
#include "jwt.h"
#include "object.h"

enum { TOKEN_DEFAULT_SECONDS = 3600, TOKEN_MAX_AGE_SECONDS = 24 * 3600 };

char *agent_volume_request_token(const agent_volume_ctx *ctx, const json_t *src, tug_error *err) {
  if (ctx->create == NULL) {
    tug_error_set(err, ENOTSUP, "serviceAccountToken projections need the API server");
    return NULL;
  }
  const char *sa = tug_obj_get_str(ctx->pod, "spec.serviceAccountName");
  const char *aud = json_string_value(json_object_get(src, "audience"));
  json_int_t seconds = tug_obj_get_int(src, "expirationSeconds", TOKEN_DEFAULT_SECONDS);
  _cleanup_json_ json_t *req =
      json_pack("{s:s, s:s, s:{s:o, s:I, s:{s:s, s:s, s:s, s:s}}}", "apiVersion",
                "authentication.k8s.io/v1", "kind", "TokenRequest", "spec", "audiences",
                aud && aud[0] ? json_pack("[s]", aud) : json_array(), "expirationSeconds", seconds,
                "boundObjectRef", "kind", "Pod", "apiVersion", "v1", "name", tug_obj_name(ctx->pod),
                "uid", tug_obj_uid(ctx->pod) ?: "");
  char path[1024];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/serviceaccounts/%s/token",
           tug_obj_namespace(ctx->pod) ?: "default", sa && sa[0] ? sa : "default");
  _cleanup_json_ json_t *answer = NULL;
  if (ctx->create(ctx->get_arg, path, req, &answer, err) < 0) {
    tug_error_wrap(err, "request a token for service account %s", sa && sa[0] ? sa : "default");
    return NULL;
  }
  const char *token = tug_obj_get_str(answer, "status.token");
  if (token == NULL || token[0] == '\0') {
    tug_error_set(err, EPROTO, "the TokenRequest answer holds no token");
    return NULL;
  }
  char *copy = strdup(token);
  if (copy == NULL)
    tug_error_errno(err, ENOMEM, "copy the token");
  return copy;
}

/* Whether the token in text is due for renewal at now. */
static bool token_due(const char *text, int64_t now) {
  _cleanup_json_ json_t *claims = tug_jwt_peek_claims(text);
  json_t *iat = json_object_get(claims, "iat"), *exp = json_object_get(claims, "exp");
  if (!json_is_integer(iat) || !json_is_integer(exp))
    return true;
  int64_t issued = json_integer_value(iat), span = json_integer_value(exp) - issued;
  return now >= issued + span * 8 / 10 || now >= issued + TOKEN_MAX_AGE_SECONDS;
}

/* The file's content (NUL-terminated, malloc'd), or NULL. */
static char *read_small(int fd) {
  char *buf = malloc(16384);
  ssize_t n = buf ? read(fd, buf, 16383) : -1;
  if (n < 0) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

/* Replace dir/rel with token, keeping the old file's owner and mode. */
static int replace_token(int dirfd, const char *rel, const struct stat *old, const char *token,
                         tug_error *err) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.tmp", rel);
  unlinkat(dirfd, tmp, 0);
  _cleanup_close_ int fd =
      openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, old->st_mode & 0777);
  if (fd < 0)
    return tug_error_errno(err, errno, "create %s", tmp);
  size_t len = strlen(token);
  if (fchown(fd, old->st_uid, old->st_gid) < 0 || fchmod(fd, old->st_mode & 0777) < 0 ||
      write(fd, token, len) != (ssize_t)len || renameat(dirfd, tmp, dirfd, rel) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return tug_error_errno(err, e, "replace %s", rel);
  }
  return 0;
}

/* One serviceAccountToken source of the volume at dir: renewed when due. */
static int refresh_source(const agent_volume_ctx *ctx, const json_t *src, const char *dir,
                          int64_t now, tug_error *err) {
  _cleanup_free_ char *rel = agent_volume_clean_path(tug_obj_get_str(src, "path"), false, err);
  if (rel == NULL)
    return -1;
  _cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0)
    return errno == ENOENT ? 0 : tug_error_errno(err, errno, "open %s", dir);
  _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0)
    return errno == ENOENT ? 0 : tug_error_errno(err, errno, "open %s/%s", dir, rel);
  _cleanup_free_ char *text = read_small(fd);
  if (text && !token_due(text, now))
    return 0;
  _cleanup_free_ char *token = agent_volume_request_token(ctx, src, err);
  return token ? replace_token(dirfd, rel, &st, token, err) : -1;
}

int agent_volumes_refresh_tokens(const agent_volume_ctx *ctx, int64_t now, tug_error *err) {
  size_t i, j;
  json_t *vol, *source;
  int rc = 0;
  json_array_foreach(tug_obj_get(ctx->pod, "spec.volumes"), i, vol) {
    const json_t *sources = tug_obj_get(vol, "projected.sources");
    const char *name = json_string_value(json_object_get(vol, "name"));
    char dir[PATH_MAX];
    if (sources == NULL || name == NULL ||
        snprintf(dir, sizeof dir, "%s/volumes/%s", ctx->sandbox_dir, name) >= (int)sizeof dir)
      continue;
    json_array_foreach(sources, j, source) {
      const json_t *src = json_object_get(source, "serviceAccountToken");
      if (src && refresh_source(ctx, src, dir, now, err) < 0)
        rc = tug_error_wrap(err, "volume %s", name);
    }
  }
  return rc;
}
