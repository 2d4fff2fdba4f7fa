/*
 * config.h — where tug finds the cluster: ~/.tug/config, written by `tug up`.
 *
 * The file is a few "key: value" lines (server, token, namespace; '#' starts a
 * comment), so it reads as YAML and can be written by hand. TUG_CONFIG names
 * another file; flags (--server, --token, -n) override what the file says.
 * Without a file, tug talks to http://127.0.0.1:6443 in namespace "default".
 */
#ifndef TUG_CLI_CONFIG_H
#define TUG_CLI_CONFIG_H

#include "error.h"

#define CLI_DEFAULT_SERVER "http://127.0.0.1:6443"

typedef struct cli_config {
  char *server;
  char *token;
  char *namespace;
  char *path; /* the file read, or the one that would be */
} cli_config;

/* Parse text (the file's contents); name is used in messages ("config:3: ..."). */
int cli_config_parse(const char *text, const char *name, cli_config *cfg, tug_error *err);
/* Read path (NULL: $TUG_CONFIG, else ~/.tug/config). A missing file is not an
 * error; the defaults apply. */
int cli_config_load(const char *path, cli_config *cfg, tug_error *err);
void cli_config_clear(cli_config *cfg);

#endif
