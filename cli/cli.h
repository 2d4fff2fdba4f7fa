/*
 * cli.h — what every tug verb shares: the parsed flags, the client, discovery,
 * and the one place errors are printed.
 *
 * The one idea: a verb is `int cmd_X(cli_ctx *ctx)` returning 0 or 1 (kubectl's
 * exit codes). It prints its own results to stdout and leaves error output to
 * cli_fail, which adds what a person can act on (an unreachable server names
 * its URL and suggests `tug up`).
 */
#ifndef TUG_CLI_CLI_H
#define TUG_CLI_CLI_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "config.h"
#include "error.h"
#include "http.h"
#include "resources.h"

#define TUG_VERSION "0.1.0"

typedef struct cli_ctx {
  cli_opts opts;
  cli_config config;
  tug_kubeconfig kube;   /* the kubeconfig read; kube.path NULL when none */
  const char *server;    /* --server, the kubeconfig's or config's, or the default */
  const char *namespace; /* -n, the config's, or "default" */
  tug_client *client;    /* made on first use by cli_client */
  cli_discovery *disc;
} cli_ctx;

/* The client, made on first use; NULL with err filled when the URL is bad. */
tug_client *cli_client(cli_ctx *ctx, tug_error *err);
/* Resolve a resource word ("po") or fill err. */
int cli_resolve(cli_ctx *ctx, const char *word, cli_resource *out, tug_error *err);
int cli_resolve_kind(cli_ctx *ctx, const char *api_version, const char *kind, cli_resource *out,
                     tug_error *err);

/* Print "error: MSG" (plus a hint for an unreachable server) and return 1. */
int cli_fail(cli_ctx *ctx, const tug_error *err);
/* printf-style usage or input error: prints "error: ..." and returns 1. */
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "KIND NAME" or "KIND/NAME" from the positional words starting at *i; on
 * success *i moves past them. name may come back NULL when only a kind was
 * given and allow_no_name is set.
 */
int cli_kind_name(cli_ctx *ctx, int *i, bool allow_no_name, cli_resource *res, const char **name,
                  tug_error *err);

/* What verbs that act on one named object parse first: KIND NAME or KIND/NAME,
 * resolved, and the object's path in the context's namespace. */
typedef struct cli_target {
  cli_resource res;
  const char *name;
  char *path; /* "/apis/apps/v1/namespaces/NS/deployments/NAME" */
  int next;   /* index of the first positional word after the target */
} cli_target;

/* Fill t from the positional words; prints the error and returns 1 (the exit
 * code) when they do not name a served kind and a name. */
int cli_target_parse(cli_ctx *ctx, cli_target *t);
static inline void cli_target_clear(cli_target *t) {
  free(t->path);
  t->path = NULL;
}
#define _cleanup_target_ __attribute__((cleanup(cli_target_clear)))

/* The path of a Tugboat binary ("tug-agent"): beside this tug when it is
 * there, else the bare name, for PATH. */
void cli_sibling_binary(const char *name, char *buf, size_t size);

/* The namespace of an object from a manifest: its own, else the context's. */
const char *cli_object_namespace(cli_ctx *ctx, const json_t *obj);

/* Verbs. */
int cmd_get(cli_ctx *ctx);
int cmd_apply(cli_ctx *ctx);
int cmd_diff(cli_ctx *ctx);
int cmd_delete(cli_ctx *ctx);
int cmd_describe(cli_ctx *ctx);
int cmd_logs(cli_ctx *ctx);
int cmd_exec(cli_ctx *ctx);
int cmd_attach(cli_ctx *ctx);
int cmd_cp(cli_ctx *ctx);
int cmd_port_forward(cli_ctx *ctx);
int cmd_scale(cli_ctx *ctx);
int cmd_patch(cli_ctx *ctx);
int cmd_label(cli_ctx *ctx);
int cmd_create(cli_ctx *ctx);
/* `tug create job NAME --from=cronjob/CJ` (cmd-create-job.c). */
int cli_create_job_from(cli_ctx *ctx, const char *name, const char *from);
int cmd_version(cli_ctx *ctx);
int cmd_rollout(cli_ctx *ctx);
int cmd_completion(cli_ctx *ctx);
int cmd_top(cli_ctx *ctx);
int cmd_image(cli_ctx *ctx);
int cmd_up(cli_ctx *ctx);
int cmd_down(cli_ctx *ctx);
int cmd_certs(cli_ctx *ctx);
int cmd_cordon(cli_ctx *ctx);
int cmd_uncordon(cli_ctx *ctx);
int cmd_drain(cli_ctx *ctx);

/* A client for url with the kubeconfig's credentials (the CA, the user's
 * certificate or token; --token wins), for the API server or an agent. */
tug_client *cli_client_for(cli_ctx *ctx, const char *url, tug_error *err);

/* The cluster's certificates (cmd-certs.c), in dir: everything the control
 * plane needs (kept when already there), and one agent's pairs. */
int cli_certs_init(const char *dir, tug_error *err);
int cli_certs_node(const char *dir, const char *node, const char *address, tug_error *err);
/* DIR/FILE.{crt,key}: the serving pair of API servers ("apiserver") or etcd
 * members ("etcd-server") on hosts of their own, naming addresses (at most
 * 8, NULL-terminated) besides what the shared pair names. */
int cli_certs_host(const char *dir, const char *file, const char *role,
                   const char *const *addresses, tug_error *err);
/* A kubeconfig at path for the pair dir/NAME.{crt,key} against server. */
int cli_certs_kubeconfig(const char *dir, const char *name, const char *server, const char *path,
                         tug_error *err);
/* The same with the context's namespace ns. */
int cli_certs_kubeconfig_ns(const char *dir, const char *name, const char *server, const char *ns,
                            const char *path, tug_error *err);
/* The certificates' folder: --dir, else ~/.tug/cluster/pki. */
void cli_certs_dir(cli_ctx *ctx, char *buf, size_t size);
/* dir/user-NAME.{crt,key} for user name in groups ("a,b", may be NULL), and
 * a kubeconfig for it with namespace ns, whose path goes in kubeconfig. */
int cli_certs_user(cli_ctx *ctx, const char *dir, const char *name, const char *ns,
                   const char *groups, char *kubeconfig, size_t size, tug_error *err);
/* tug create tenant / tug delete tenant (cmd-tenant.c). */
int cli_tenant_create(cli_ctx *ctx, const char *name);
int cli_tenant_delete(cli_ctx *ctx, const char *name);

#endif
