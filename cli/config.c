/*
 * config.c — reading ~/.tug/config (see config.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

#include <unistd.h>

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
  /* A value may be quoted, as YAML allows. */
  if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
    s[n - 1] = '\0';
    s++;
  }
  return s;
}

static int set_field(cli_config *cfg, const char *key, const char *value) {
  char **field = strcmp(key, "server") == 0       ? &cfg->server
                 : strcmp(key, "token") == 0      ? &cfg->token
                 : strcmp(key, "namespace") == 0  ? &cfg->namespace
                 : strcmp(key, "kubeconfig") == 0 ? &cfg->kubeconfig
                                                  : NULL;
  if (field == NULL)
    return 1;
  free(*field);
  *field = strdup(value);
  return *field ? 0 : -1;
}

int cli_config_parse(const char *text, const char *name, cli_config *cfg, tug_error *err) {
  _cleanup_free_ char *copy = strdup(text);
  if (copy == NULL)
    return tug_error_errno(err, ENOMEM, "read %s", name);
  int lineno = 0;
  char *save = NULL;
  for (char *line = copy; line; line = save) {
    save = strchr(line, '\n');
    if (save)
      *save++ = '\0';
    lineno++;
    if (line[strspn(line, " \t")] == '#')
      continue;
    char *hash = strstr(line, " #");
    if (hash)
      *hash = '\0';
    char *l = trim(line);
    if (*l == '\0' || strcmp(l, "---") == 0)
      continue;
    char *colon = strchr(l, ':');
    if (colon == NULL || strcspn(l, " \t") < (size_t)(colon - l))
      return tug_error_set(err, TUG_E_PARSE, "%s:%d: want \"key: value\", got \"%.60s\"", name,
                           lineno, l);
    *colon = '\0';
    int rc = set_field(cfg, trim(l), trim(colon + 1));
    if (rc < 0)
      return tug_error_errno(err, ENOMEM, "read %s", name);
    if (rc > 0)
      return tug_error_set(
          err, TUG_E_PARSE,
          "%s:%d: unknown key \"%s\" (known: server, token, namespace, kubeconfig)", name, lineno,
          trim(l));
  }
  return 0;
}

static char *default_path(void) {
  const char *env = getenv("TUG_CONFIG");
  if (env && env[0])
    return strdup(env);
  const char *home = getenv("HOME");
  char *p;
  if (asprintf(&p, "%s/.tug/config", home && home[0] ? home : ".") < 0)
    return NULL;
  return p;
}

int cli_config_load(const char *path, cli_config *cfg, tug_error *err) {
  *cfg = (cli_config){.explicit_path = path != NULL};
  cfg->path = path ? strdup(path) : default_path();
  if (cfg->path == NULL)
    return tug_error_errno(err, ENOMEM, "config path");
  _cleanup_fclose_ FILE *f = fopen(cfg->path, "r");
  if (f == NULL) {
    if (errno == ENOENT && path == NULL)
      return 0;
    return tug_error_errno(err, errno, "read config %s", cfg->path);
  }
  char text[16384];
  size_t n = fread(text, 1, sizeof text - 1, f);
  if (ferror(f))
    return tug_error_errno(err, EIO, "read config %s", cfg->path);
  if (n == sizeof text - 1)
    return tug_error_set(err, E2BIG, "config %s: larger than %zu bytes", cfg->path,
                         sizeof text - 1);
  text[n] = '\0';
  return cli_config_parse(text, cfg->path, cfg, err);
}

void cli_config_clear(cli_config *cfg) {
  free(cfg->server);
  free(cfg->token);
  free(cfg->namespace);
  free(cfg->kubeconfig);
  free(cfg->path);
  *cfg = (cli_config){0};
}

int cli_config_kubeconfig(const char *flag_path, const char *context, const cli_config *cfg,
                          tug_kubeconfig *out, tug_error *err) {
  char path[4096];
  const char *env = getenv("KUBECONFIG"), *tug_env = getenv("TUG_CONFIG");
  bool named = true, tug_chosen = cfg->explicit_path || (tug_env && tug_env[0]);
  if (flag_path)
    snprintf(path, sizeof path, "%s", flag_path);
  else if (tug_chosen && cfg->kubeconfig)
    snprintf(path, sizeof path, "%s", cfg->kubeconfig);
  else if (env && env[0]) /* as kubectl: files it names that do not exist are skipped */
    tug_kubeconfig_default_path(path, sizeof path), named = false;
  else if (cfg->kubeconfig)
    snprintf(path, sizeof path, "%s", cfg->kubeconfig);
  else
    tug_kubeconfig_default_path(path, sizeof path), named = false;
  if (!named && access(path, R_OK) != 0)
    return 0;
  return tug_kubeconfig_load(path, context, out, err) < 0 ? -1 : 1;
}
