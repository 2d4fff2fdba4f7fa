/*
 * context.c — the client, discovery and error printing every verb shares (see cli.h).
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "object.h"

tug_client *cli_client_for(cli_ctx *ctx, const char *url, tug_error *err) {
  const tug_kubeconfig *k = &ctx->kube;
  const char *token = ctx->opts.token ? ctx->opts.token : k->token ? k->token : ctx->config.token;
  tug_client_tls tls = {.ca_pem = k->ca_pem, .cert_pem = k->cert_pem, .key_pem = k->key_pem};
  return tug_client_new_tls(url, token, &tls, err);
}

tug_client *cli_client(cli_ctx *ctx, tug_error *err) {
  if (ctx->client == NULL) {
    ctx->client = cli_client_for(ctx, ctx->server, err);
    if (ctx->client == NULL)
      return NULL;
    ctx->disc = cli_discovery_new(ctx->client);
    if (ctx->disc == NULL) {
      tug_error_set(err, ENOMEM, "discovery");
      return NULL;
    }
  }
  return ctx->client;
}

int cli_resolve(cli_ctx *ctx, const char *word, cli_resource *out, tug_error *err) {
  if (cli_client(ctx, err) == NULL)
    return -1;
  return cli_discovery_resolve(ctx->disc, word, out, err);
}

int cli_resolve_kind(cli_ctx *ctx, const char *api_version, const char *kind, cli_resource *out,
                     tug_error *err) {
  if (cli_client(ctx, err) == NULL)
    return -1;
  return cli_discovery_resolve_kind(ctx->disc, api_version, kind, out, err);
}

int cli_fail(cli_ctx *ctx, const tug_error *err) {
  fprintf(stderr, "error: %s\n", err->msg[0] ? err->msg : strerror(err->code));
  /* The request as the API server's audit log and logs name it. */
  if (err->audit_id[0])
    fprintf(stderr, "audit-id: %s\n", err->audit_id);
  if (err->code == TUG_E_UNAVAILABLE || err->code == ETIMEDOUT)
    fprintf(stderr,
            "hint: is a Tugboat cluster running at %s? Start one with `tug up`, or point "
            "--kubeconfig (or $KUBECONFIG, or \"kubeconfig:\" in %s) at yours.\n",
            ctx->server, ctx->config.path ? ctx->config.path : "~/.tug/config");
  return 1;
}

int cli_failf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

int cli_kind_name(cli_ctx *ctx, int *i, bool allow_no_name, cli_resource *res, const char **name,
                  tug_error *err) {
  const cli_opts *o = &ctx->opts;
  if (*i >= o->npos)
    return tug_error_set(err, EINVAL, "%s: want a resource type, such as \"pods\"", o->verb);
  const char *word = o->pos[*i];
  const char *slash = strchr(word, '/');
  char kind[128];
  if (slash) {
    snprintf(kind, sizeof kind, "%.*s", (int)(slash - word), word);
    *name = slash + 1;
    if (**name == '\0')
      return tug_error_set(err, EINVAL, "%s: no name after the slash", word);
    (*i)++;
  } else {
    snprintf(kind, sizeof kind, "%s", word);
    (*i)++;
    *name = *i < o->npos ? o->pos[(*i)++] : NULL;
    if (*name == NULL && !allow_no_name)
      return tug_error_set(err, EINVAL, "%s %s: want a name", o->verb, word);
  }
  return cli_resolve(ctx, kind, res, err);
}

const char *cli_object_namespace(cli_ctx *ctx, const json_t *obj) {
  const char *ns = tug_obj_namespace(obj);
  return ns && ns[0] ? ns : ctx->namespace;
}

int cli_target_parse(cli_ctx *ctx, cli_target *t) {
  tug_error err = {0};
  *t = (cli_target){0};
  if (cli_kind_name(ctx, &t->next, false, &t->res, &t->name, &err) < 0)
    return cli_fail(ctx, &err);
  t->path = cli_resource_path(&t->res, ctx->namespace, t->name, NULL);
  return t->path ? 0 : cli_failf("out of memory");
}

void cli_sibling_binary(const char *name, char *buf, size_t size) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) {
      *slash = '\0';
      snprintf(buf, size, "%s/%s", self, name);
      if (access(buf, X_OK) == 0)
        return;
    }
  }
  snprintf(buf, size, "%s", name);
}
