/*
 * config.h — where tug finds the cluster: a kubeconfig, and ~/.tug/config,
 * written by `tug up`.
 *
 * ~/.tug/config is a few "key: value" lines (server, token, namespace,
 * kubeconfig; '#' starts a comment), so it reads as YAML and can be written by
 * hand. TUG_CONFIG names another file. The kubeconfig read (server, CA, client
 * certificate or token, namespace) is --kubeconfig, else the one a tug config
 * chosen by --config or $TUG_CONFIG names, else (as kubectl's) $KUBECONFIG,
 * else the one ~/.tug/config names, else ~/.kube/config when it exists. Flags
 * (--server, --token, -n) override both files.
 * Without either, tug talks to https://127.0.0.1:6443 in namespace "default".
 */
#ifndef TUG_CLI_CONFIG_H
#define TUG_CLI_CONFIG_H

#include <stdbool.h>

#include "error.h"
#include "kubeconfig.h"

#define CLI_DEFAULT_SERVER "https://127.0.0.1:6443"

typedef struct cli_config {
  char *server;
  char *token;
  char *namespace;
  char *kubeconfig;
  char *path;         /* the file read, or the one that would be */
  bool explicit_path; /* named by --config */
} cli_config;

/* Parse text (the file's contents); name is used in messages ("config:3: ..."). */
int cli_config_parse(const char *text, const char *name, cli_config *cfg, tug_error *err);
/* Read path (NULL: $TUG_CONFIG, else ~/.tug/config). A missing file is not an
 * error; the defaults apply. */
int cli_config_load(const char *path, cli_config *cfg, tug_error *err);
void cli_config_clear(cli_config *cfg);

/* Read the kubeconfig that applies (see above) into out: 1 when one was read,
 * 0 when there is none, -1 with err when the one named cannot be read. */
int cli_config_kubeconfig(const char *flag_path, const char *context, const cli_config *cfg,
                          tug_kubeconfig *out, tug_error *err);

#endif
