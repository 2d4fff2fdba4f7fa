/*
 * args.c — parsing tug's command line into cli_opts (see args.h).
 *
 * A flag is a row of one table: its names, whether it takes a value, and the
 * field it fills. Numbers are checked here, so a verb never sees "--tail x".
 */
#include "args.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { F_BOOL, F_STR, F_LONG, F_SLONG, F_INT, F_FILE } flag_type;

typedef struct flag {
  const char *lng; /* without "--" */
  char shrt;       /* 0: none */
  flag_type type;
  size_t off;       /* offset of the field in cli_opts */
  const char *verb; /* the verb this row is for; NULL: every verb */
} flag;

#define O(f) offsetof(cli_opts, f)

static const flag flags[] = {
    {"follow", 'f', F_BOOL, O(follow), "logs"},
    {"previous", 'p', F_BOOL, O(previous), "logs"},
    {"server", 's', F_STR, O(server), NULL},
    {"token", 0, F_STR, O(token), NULL},
    {"config", 0, F_STR, O(config), NULL},
    {"kubeconfig", 0, F_STR, O(kubeconfig), NULL},
    {"context", 0, F_STR, O(context), NULL},
    {"group", 0, F_STR, O(groups), "certs"},
    {"days", 0, F_LONG, O(days), "certs"},
    {"start-days", 0, F_SLONG, O(start_days), "certs"},
    {"address", 0, F_STR, O(address), "certs"},
    {"namespace", 'n', F_STR, O(namespace), NULL},
    {"all-namespaces", 'A', F_BOOL, O(all_namespaces), NULL},
    {"selector", 'l', F_STR, O(selector), NULL},
    {"field-selector", 0, F_STR, O(field_selector), NULL},
    {"output", 'o', F_STR, O(output), NULL},
    {"sort-by", 0, F_STR, O(sort_by), NULL},
    {"show-managed-fields", 0, F_BOOL, O(show_managed_fields), "get"},
    {"watch", 'w', F_BOOL, O(watch), NULL},
    {"raw", 0, F_STR, O(raw), NULL},
    {"filename", 'f', F_FILE, O(files), NULL},
    {"recursive", 'R', F_BOOL, O(recursive), NULL},
    {"dry-run", 0, F_STR, O(dry_run), NULL},
    {"continue-on-error", 0, F_BOOL, O(continue_on_error), NULL},
    {"all", 0, F_BOOL, O(all), NULL},
    {"wait", 0, F_BOOL, O(wait), NULL},
    {"grace-period", 0, F_INT, O(grace_period), NULL},
    {"container", 'c', F_STR, O(container), NULL},
    {"stdin", 'i', F_BOOL, O(stdin_open), "exec"},
    {"tty", 't', F_BOOL, O(tty), "exec"},
    {"stdin", 'i', F_BOOL, O(stdin_open), "attach"},
    {"tty", 't', F_BOOL, O(tty), "attach"},
    {"tail", 0, F_LONG, O(tail), NULL},
    {"since", 0, F_STR, O(since), NULL},
    {"since-time", 0, F_STR, O(since_time), NULL},
    {"timestamps", 0, F_BOOL, O(timestamps), NULL},
    {"replicas", 0, F_LONG, O(replicas), NULL},
    {"patch", 'p', F_STR, O(patch), NULL},
    {"type", 0, F_STR, O(patch_type), NULL},
    {"overwrite", 0, F_BOOL, O(overwrite), NULL},
    {"timeout", 0, F_LONG, O(timeout_s), NULL},
    {"to-revision", 0, F_STR, O(to_revision), NULL},
    {"revision", 0, F_STR, O(revision), "rollout"},
    {"from", 0, F_STR, O(from), "create"},
    {"root", 0, F_STR, O(root), "image"},
    {"nodes", 0, F_LONG, O(nodes), NULL},
    {"dir", 0, F_STR, O(dir), NULL},
    {"allowed-host-paths", 0, F_STR, O(allowed_host_paths), "up"},
    {"ha", 0, F_BOOL, O(ha), "up"},
    {"timeout", 0, F_STR, O(drain_timeout), "drain"},
    {"ignore-daemonsets", 0, F_BOOL, O(ignore_daemonsets), "drain"},
    {"delete-emptydir-data", 0, F_BOOL, O(delete_emptydir_data), "drain"},
    {"force", 0, F_BOOL, O(force), "drain"},
    {"disable-eviction", 0, F_BOOL, O(disable_eviction), "drain"},
    {"cpu", 0, F_STR, O(cpu), "create"},
    {"memory", 0, F_STR, O(memory), "create"},
    {"pods", 0, F_STR, O(pods), "create"},
    {"weight", 0, F_STR, O(weight), "create"},
    {"cohort", 0, F_STR, O(cohort), "create"},
    {"user", 0, F_STR, O(user), "create"},
    {"pod-security", 0, F_STR, O(pod_security), "create"},
    {"help", 'h', F_BOOL, O(help), NULL},
};

static bool verb_ok(const flag *f, const char *verb) {
  return f->verb == NULL || (verb && strcmp(f->verb, verb) == 0);
}

/* The row for --name or -c; verb-specific rows win over general ones. */
static const flag *find_flag(const char *name, size_t len, char shrt, const char *verb) {
  const flag *general = NULL;
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    const flag *f = &flags[i];
    bool match = name ? strlen(f->lng) == len && strncmp(f->lng, name, len) == 0 : f->shrt == shrt;
    if (!match)
      continue;
    if (f->verb && verb_ok(f, verb))
      return f;
    if (f->verb == NULL && general == NULL)
      general = f;
  }
  return general;
}

static int parse_number(const char *flagname, const char *v, long min, long max, long *out,
                        tug_error *err) {
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (v[0] == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
    return tug_error_set(err, EINVAL, "--%s %s: want a whole number from %ld to %ld", flagname, v,
                         min, max);
  *out = n;
  return 0;
}

static int store(const flag *f, const char *value, cli_opts *o, tug_error *err) {
  char *field = (char *)o + f->off;
  long n;
  switch (f->type) {
  case F_BOOL:
    if (value && strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
      return tug_error_set(err, EINVAL, "--%s=%s: want true or false", f->lng, value);
    *(bool *)field = value == NULL || strcmp(value, "true") == 0;
    return 0;
  case F_STR:
    *(const char **)field = value;
    return 0;
  case F_LONG:
    if (parse_number(f->lng, value, 0, LONG_MAX, &n, err) < 0)
      return -1;
    *(long *)field = n;
    return 0;
  case F_SLONG:
    if (parse_number(f->lng, value, LONG_MIN / 86400, LONG_MAX / 86400, &n, err) < 0)
      return -1;
    *(long *)field = n;
    return 0;
  case F_INT:
    if (parse_number(f->lng, value, -1, INT_MAX, &n, err) < 0)
      return -1;
    *(int *)field = (int)n;
    return 0;
  case F_FILE:
    if (o->nfiles == CLI_MAX_FILES)
      return tug_error_set(err, E2BIG, "more than %d -f flags", CLI_MAX_FILES);
    o->files[o->nfiles++] = value;
    return 0;
  }
  return 0;
}

/* The verb is the first word that is not a flag or a flag's value; flags that
 * depend on it (logs -f) are resolved once it is known, so find it first. */
static const char *find_verb(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0)
      return i + 1 < argc ? argv[i + 1] : NULL;
    if (a[0] != '-' || a[1] == '\0')
      return a;
    const flag *f = a[1] == '-' ? find_flag(a + 2, strcspn(a + 2, "="), 0, NULL)
                                : find_flag(NULL, 0, a[1], NULL);
    bool inline_value = a[1] == '-' ? strchr(a, '=') != NULL : a[2] != '\0';
    if (f && f->type != F_BOOL && !inline_value)
      i++;
  }
  return NULL;
}

/* Short boolean flags run together, as "-it". */
static int store_bools(const char *a, const char *verb, cli_opts *o, tug_error *err) {
  for (const char *c = a + 1; *c; c++) {
    const flag *f = find_flag(NULL, 0, *c, verb);
    if (f == NULL || f->type != F_BOOL)
      return tug_error_set(err, EINVAL, "flag -%c in %s: unknown or takes a value", *c, a);
    if (store(f, NULL, o, err) < 0)
      return -1;
  }
  return 0;
}

int cli_args_parse(int argc, char **argv, cli_opts *o, tug_error *err) {
  *o = (cli_opts){.grace_period = -1, .tail = -1, .replicas = -1, .nodes = -1, .dash_at = -1};
  const char *verb = find_verb(argc, argv);
  bool only_pos = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (only_pos || a[0] != '-' || a[1] == '\0') {
      if (o->verb == NULL) {
        o->verb = a;
      } else {
        if (o->npos == CLI_MAX_POS)
          return tug_error_set(err, E2BIG, "more than %d arguments", CLI_MAX_POS);
        o->pos[o->npos++] = a;
      }
      continue;
    }
    if (strcmp(a, "--") == 0) {
      only_pos = true;
      o->dash_at = o->npos;
      continue;
    }
    const flag *f;
    const char *value = NULL;
    if (a[1] == '-') {
      const char *eq = strchr(a + 2, '=');
      size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
      f = find_flag(a + 2, len, 0, verb);
      value = eq ? eq + 1 : NULL;
    } else {
      f = find_flag(NULL, 0, a[1], verb);
      if (f && f->type == F_BOOL && a[2] != '\0' && a[2] != '=') {
        if (store_bools(a, verb, o, err) < 0) /* -it: -i -t */
          return -1;
        continue;
      }
      if (f && a[2] != '\0')
        value = a[2] == '=' ? a + 3 : a + 2;
      if (f && f->type == F_BOOL && value)
        return tug_error_set(err, EINVAL, "flag -%c takes no value: %s", a[1], a);
    }
    if (f == NULL)
      return tug_error_set(err, EINVAL, "unknown flag: %s", a);
    if (f->type != F_BOOL && value == NULL) {
      if (i + 1 >= argc)
        return tug_error_set(err, EINVAL, "flag needs a value: %s", a);
      value = argv[++i];
    }
    if (store(f, value, o, err) < 0)
      return -1;
  }
  return 0;
}

int cli_parse_duration(const char *s, double *seconds, tug_error *err) {
  static const struct {
    const char *unit;
    double seconds;
  } units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3},
               {"s", 1},     {"m", 60},    {"h", 3600}};
  const char *p = s;
  double total = 0;
  bool neg = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  if (*p == '\0')
    goto bad;
  if (strcmp(p, "0") == 0) {
    *seconds = 0;
    return 0;
  }
  while (*p) {
    char *end;
    if (!(*p >= '0' && *p <= '9') && *p != '.')
      goto bad;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno != 0)
      goto bad;
    p = end;
    size_t best = 0, k = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
      size_t n = strlen(units[i].unit);
      if (strncmp(p, units[i].unit, n) == 0 && n > best)
        best = n, k = i;
    }
    if (best == 0)
      goto bad;
    total += v * units[k].seconds;
    p += best;
  }
  *seconds = neg ? -total : total;
  return 0;
bad:
  return tug_error_set(
      err, EINVAL, "invalid duration \"%s\": want a number and a unit, such as 5s, 2m or 1h30m", s);
}
