/*
 * args.h — the tug command line: one verb, positional words and kubectl's flags.
 *
 * The one idea: every verb shares one flag table and one options struct, so
 * `-n`, `-o`, `-l`, `--server` mean the same thing everywhere and parsing is a
 * pure function that tests can call. The few letters kubectl gives two
 * meanings keep them: `-f` is --follow and `-p` --previous for `logs`, and
 * --filename / --patch elsewhere.
 */
#ifndef TUG_CLI_ARGS_H
#define TUG_CLI_ARGS_H

#include <stdbool.h>

#include "error.h"

enum { CLI_MAX_FILES = 32, CLI_MAX_POS = 64 };

typedef struct cli_opts {
  const char *verb;
  const char *pos[CLI_MAX_POS]; /* positional words after the verb */
  int npos;

  const char *server, *token, *config; /* connection */
  const char *kubeconfig, *context;    /* --kubeconfig FILE, --context NAME */
  const char *namespace;               /* -n; NULL: the config's, else "default" */
  bool all_namespaces;                 /* -A */
  const char *selector;                /* -l */
  const char *field_selector;          /* --field-selector */
  const char *output;                  /* -o: wide json yaml name jsonpath=... custom-columns=... */
  const char *sort_by;                 /* get --sort-by JSONPATH */
  bool show_managed_fields;            /* get --show-managed-fields */
  bool watch;                          /* -w */
  const char *raw;                     /* get --raw PATH */

  const char *files[CLI_MAX_FILES]; /* -f, repeatable */
  int nfiles;
  bool recursive;         /* -R */
  const char *dry_run;    /* --dry-run=server|none */
  bool continue_on_error; /* apply --continue-on-error */

  bool all;         /* delete --all */
  bool wait;        /* delete --wait */
  int grace_period; /* --grace-period; -1 unset */

  const char *container;  /* logs -c */
  bool stdin_open, tty;   /* exec, attach -i -t */
  int dash_at;            /* exec: pos[dash_at...] came after "--"; -1: no "--" */
  bool follow;            /* logs -f */
  bool previous;          /* logs -p / --previous */
  long tail;              /* logs --tail; -1 unset */
  const char *since;      /* logs --since DURATION ("5s", "2m", "1h30m") */
  const char *since_time; /* logs --since-time RFC3339 */
  bool timestamps;        /* logs --timestamps */

  long replicas;                   /* scale --replicas; -1 unset */
  const char *patch;               /* patch -p */
  const char *patch_type;          /* patch --type: merge (default) or strategic */
  bool overwrite;                  /* label --overwrite */
  long timeout_s;                  /* --timeout for waits; 0: the verb's default */
  const char *to_revision;         /* rollout undo --to-revision */
  const char *revision;            /* rollout history --revision */
  const char *from;                /* create job --from=cronjob/NAME */
  const char *root;                /* image import --root: the agent's state dir */
  long nodes;                      /* up --nodes; -1 unset */
  bool ha;                         /* up --ha: 3 etcd members, 2 of each control-plane daemon */
  const char *dir;                 /* up/down --dir */
  const char *allowed_host_paths;  /* up --allowed-host-paths, passed to every agent */
  const char *groups;              /* certs user --group G1,G2 */
  long days;                       /* certs user --days; 0: the default */
  long start_days;                 /* certs user --start-days: notBefore, days from now */
  const char *address;             /* certs node --address IP */
  const char *drain_timeout;       /* drain --timeout DURATION ("2m"); NULL: none */
  bool ignore_daemonsets;          /* drain --ignore-daemonsets */
  bool delete_emptydir_data;       /* drain --delete-emptydir-data */
  bool force;                      /* drain --force */
  bool disable_eviction;           /* drain --disable-eviction: DELETE, not evict */
  const char *cpu, *memory, *pods; /* create tenant: the quota and the Queue's nominal */
  const char *weight, *cohort;     /* create tenant: the Queue's weight and cohort */
  const char *user;                /* create tenant: who gets edit (default: the tenant's name) */
  const char *pod_security;        /* create tenant: the namespace's enforce level */
  bool help;
} cli_opts;

/* Parse argv (argv[0] is the program). Flags may come before or after the verb,
 * as --flag=value, --flag value, -xVALUE or -x value. */
int cli_args_parse(int argc, char **argv, cli_opts *o, tug_error *err);

/* A Go duration as kubectl takes it ("5s", "1.5h", "2m30s", "300ms") in
 * seconds; -1 with err when s is not one. */
int cli_parse_duration(const char *s, double *seconds, tug_error *err);

#endif
