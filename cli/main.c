/*
 * main.c — tug, the Tugboat command line: parse flags, read the config, run
 * one verb. Everything else lives in the other files of cli/, one file per verb group.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "tug — the Tugboat command line (kubectl's verbs and flags)\n"
    "\n"
    "  tug get KIND [NAME] [-n NS | -A] [-l SEL] [-o wide|json|yaml|name] [-w]\n"
    "          [--sort-by JSONPATH] [-o jsonpath=TEMPLATE|jsonpath-file=FILE]\n"
    "          [--show-managed-fields]\n"
    "          [-o custom-columns=HEADER:JSONPATH,...]\n"
    "  tug get --raw /api/v1/...\n"
    "  tug apply -f FILE|DIR|- [-R] [--dry-run=server] [--continue-on-error]\n"
    "  tug diff -f FILE|DIR|-     exit 0: no differences, 1: differences, 2: error\n"
    "  tug delete KIND NAME... | KIND -l SEL | KIND --all [-A] | -f FILE\n"
    "          [--wait] [--grace-period N]\n"
    "  tug describe KIND NAME\n"
    "  tug logs POD [-c CONTAINER] [-f] [--tail N] [--previous] [--since 5m | --since-time T]\n"
    "          [--timestamps]\n"
    "  tug exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS...]   exit code: the command's\n"
    "  tug attach POD [-c CONTAINER] [-i] [-t]\n"
    "  tug cp [NS/]POD:PATH LOCAL | LOCAL [NS/]POD:PATH [-c CONTAINER]\n"
    "  tug port-forward POD [LOCAL:]REMOTE...   (127.0.0.1:LOCAL to the pod's REMOTE)\n"
    "  tug scale KIND/NAME --replicas N\n"
    "  tug patch KIND NAME -p JSON [--type merge|strategic]\n"
    "  tug label KIND NAME key=value... key- [--overwrite]\n"
    "  tug create namespace NAME\n"
    "  tug rollout status|history|undo deployment/NAME [--to-revision N]\n"
    "  tug rollout history|undo daemonset/NAME|statefulset/NAME [--revision N] [--to-revision N]\n"
    "  tug top nodes|pods [-n NS | -A]\n"
    "  tug cordon NODE | tug uncordon NODE\n"
    "  tug drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]\n"
    "          [--timeout 2m] [--grace-period N] [--disable-eviction]\n"
    "  tug image import NAME[:TAG] FILE|DIR [--root DIR]   (this host's agent store)\n"
    "  tug image ls | rm NAME|DIGEST... | load FILE|DIR [NAME]  [--root DIR]\n"
    "  tug up [--nodes N] [--dir DIR]     a local cluster in the background (default "
    "~/.tug/cluster)\n"
    "         [--allowed-host-paths P,...]  hostPath prefixes every agent allows\n"
    "  tug down [--dir DIR]\n"
    "  tug certs init|check [--dir DIR]   the cluster CA and certificates (default "
    "~/.tug/cluster/pki)\n"
    "  tug certs node NAME --address IP | user NAME [--group G,...] [--days N] "
    "[--start-days N]\n"
    "  tug certs kubeconfig NAME --server URL   a kubeconfig for the pair DIR/NAME.{crt,key}\n"
    "  tug completion bash\n"
    "  tug version\n"
    "\n"
    "Everywhere: --server URL, --token T, -n NAMESPACE, --kubeconfig FILE, --context NAME,\n"
    "--config FILE (default ~/.tug/config or $TUG_CONFIG: lines \"server: URL\", "
    "\"token: T\",\n\"namespace: NS\", \"kubeconfig: FILE\"). The kubeconfig is --kubeconfig, that "
    "of "
    "--config or\n$TUG_CONFIG, $KUBECONFIG, that of ~/.tug/config, or ~/.kube/config.\n";

typedef struct verb {
  const char *name;
  int (*run)(cli_ctx *ctx);
} verb;

static const verb verbs[] = {
    {"get", cmd_get},
    {"apply", cmd_apply},
    {"diff", cmd_diff},
    {"delete", cmd_delete},
    {"describe", cmd_describe},
    {"logs", cmd_logs},
    {"exec", cmd_exec},
    {"attach", cmd_attach},
    {"cp", cmd_cp},
    {"port-forward", cmd_port_forward},
    {"scale", cmd_scale},
    {"patch", cmd_patch},
    {"label", cmd_label},
    {"create", cmd_create},
    {"version", cmd_version},
    {"rollout", cmd_rollout},
    {"completion", cmd_completion},
    {"top", cmd_top},
    {"image", cmd_image},
    {"up", cmd_up},
    {"down", cmd_down},
    {"certs", cmd_certs},
    {"cordon", cmd_cordon},
    {"uncordon", cmd_uncordon},
    {"drain", cmd_drain},
};

/* Verbs that work on this machine's files alone: a broken config or kubeconfig
 * must not stop `tug certs init` or `tug up` from making new ones. */
static bool verb_is_local(const char *name) {
  return strcmp(name, "certs") == 0 || strcmp(name, "up") == 0 || strcmp(name, "completion") == 0;
}

static void ctx_free(cli_ctx *ctx) {
  cli_discovery_free(ctx->disc);
  tug_client_free(ctx->client);
  cli_config_clear(&ctx->config);
  tug_kubeconfig_clear(&ctx->kube);
}

int main(int argc, char **argv) {
  cli_ctx ctx = {0};
  tug_error err = {0};
  if (cli_args_parse(argc, argv, &ctx.opts, &err) < 0) {
    fprintf(stderr, "error: %s\nSee 'tug --help'.\n", err.msg);
    return 1;
  }
  if (ctx.opts.help || ctx.opts.verb == NULL || strcmp(ctx.opts.verb, "help") == 0) {
    fputs(usage, ctx.opts.verb || ctx.opts.help ? stdout : stderr);
    return ctx.opts.verb || ctx.opts.help ? 0 : 1;
  }
  const verb *v = NULL;
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp(verbs[i].name, ctx.opts.verb) == 0)
      v = &verbs[i];
  if (v == NULL)
    return cli_failf("unknown command \"%s\" for \"tug\"; see 'tug --help'", ctx.opts.verb);
  if (cli_config_load(ctx.opts.config, &ctx.config, &err) < 0 ||
      cli_config_kubeconfig(ctx.opts.kubeconfig, ctx.opts.context, &ctx.config, &ctx.kube, &err) <
          0) {
    cli_config_clear(&ctx.config);
    tug_kubeconfig_clear(&ctx.kube);
    if (!verb_is_local(v->name)) {
      fprintf(stderr, "error: %s\n", err.msg);
      return 1;
    }
    ctx.config = (cli_config){0};
    ctx.kube = (tug_kubeconfig){0};
  }
  ctx.server = ctx.opts.server     ? ctx.opts.server
               : ctx.kube.server   ? ctx.kube.server
               : ctx.config.server ? ctx.config.server
                                   : CLI_DEFAULT_SERVER;
  ctx.namespace = ctx.opts.namespace     ? ctx.opts.namespace
                  : ctx.kube.namespace   ? ctx.kube.namespace
                  : ctx.config.namespace ? ctx.config.namespace
                                         : "default";
  int rc = v->run(&ctx);
  fflush(stdout);
  ctx_free(&ctx);
  return rc;
}
