/*
 * cmd-certs.c — `tug certs`: the cluster's CA and every certificate it
 * issues, in one folder (default ~/.tug/cluster/pki; `tug up` uses its own).
 *
 *   tug certs init            CA, control-plane pairs, ServiceAccount key pair
 *   tug certs node NAME --address IP     an agent's client and serving pairs
 *   tug certs user NAME [--group G,...]  a user's client pair and kubeconfig
 *   tug certs check           every certificate's subject and days left
 *   tug certs renew NAME...|all   the same certificates, valid again from now
 *   tug certs kubeconfig NAME --server URL   DIR/NAME.kubeconfig for the pair NAME
 *
 * The identities follow Kubernetes' (docs/security.md): the user is the CN,
 * the groups are the O's. init keeps what is already there, so running it
 * again never replaces the CA under a running cluster.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "kubeconfig.h"
#include "pki.h"

enum { DAY = 86400, CA_DAYS = 3650, CERT_DAYS = 365, USER_DAYS = 365 };

/* The API server's names: how clients on the host and in pods reach it. The
 * `kubernetes` Service's address is the first of the service range. */
static const char *const apiserver_dns[] = {"localhost",
                                            "kubernetes",
                                            "kubernetes.default",
                                            "kubernetes.default.svc",
                                            "kubernetes.default.svc.cluster.local",
                                            NULL};
static const char *const apiserver_ips[] = {"127.0.0.1", "198.19.0.1", NULL};
static const char *const loopback_dns[] = {"localhost", NULL};
static const char *const loopback_ips[] = {"127.0.0.1", NULL};
static const char *const masters[] = {"system:masters", NULL};
static const char *const nodes_group[] = {"system:nodes", NULL};

typedef struct pair_spec {
  const char *file; /* DIR/file.{crt,key} */
  tug_cert_spec cert;
} pair_spec;

static const pair_spec control_plane[] = {
    {"apiserver",
     {.cn = "kube-apiserver", .dns = apiserver_dns, .ips = apiserver_ips, .server = true}},
    {"apiserver-kubelet-client", {.cn = "kube-apiserver-kubelet-client", .client = true}},
    {"apiserver-etcd-client", {.cn = "kube-apiserver-etcd-client", .client = true}},
    {"etcd-server",
     {.cn = "etcd", .dns = loopback_dns, .ips = loopback_ips, .server = true, .client = true}},
    {"scheduler", {.cn = "system:kube-scheduler", .client = true}},
    {"controllers", {.cn = "system:kube-controller-manager", .client = true}},
    {"scheduler-serving",
     {.cn = "system:kube-scheduler", .dns = loopback_dns, .ips = loopback_ips, .server = true}},
    {"controllers-serving",
     {.cn = "system:kube-controller-manager",
      .dns = loopback_dns,
      .ips = loopback_ips,
      .server = true}},
    {"admin", {.cn = "kubernetes-admin", .orgs = masters, .client = true}},
};

void cli_certs_dir(cli_ctx *ctx, char *buf, size_t size) {
  const char *home = getenv("HOME");
  if (ctx->opts.dir)
    snprintf(buf, size, "%s", ctx->opts.dir);
  else
    snprintf(buf, size, "%s/.tug/cluster/pki", home && home[0] ? home : ".");
}

static bool exists(const char *dir, const char *name, const char *ext) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
  return access(path, F_OK) == 0;
}

/* Issue DIR/file from the CA in dir unless it is there already. */
static int issue(const char *dir, const char *file, const tug_cert_spec *spec, long days,
                 tug_error *err) {
  _cleanup_x509_ X509 *ca = NULL, *cert = NULL;
  _cleanup_pkey_ EVP_PKEY *ca_key = NULL, *key = NULL;
  tug_cert_spec s = *spec;
  if (s.valid_s == 0)
    s.valid_s = days * DAY;
  if (tug_pki_load(dir, "ca", &ca, &ca_key, err) < 0 ||
      tug_pki_issue(&s, ca, ca_key, &cert, &key, err) < 0)
    return -1;
  return tug_pki_write(dir, file, cert, key, err);
}

static int make_ca(const char *dir, tug_error *err) {
  if (exists(dir, "ca", "crt"))
    return 0;
  _cleanup_x509_ X509 *cert = NULL;
  _cleanup_pkey_ EVP_PKEY *key = NULL;
  tug_cert_spec spec = {.cn = "tugboat-ca", .ca = true, .valid_s = (long)CA_DAYS * DAY};
  if (tug_pki_issue(&spec, NULL, NULL, &cert, &key, err) < 0)
    return -1;
  return tug_pki_write(dir, "ca", cert, key, err);
}

int cli_certs_init(const char *dir, tug_error *err) {
  if (mkdir(dir, 0700) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "mkdir %s", dir);
  if (make_ca(dir, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof control_plane / sizeof control_plane[0]; i++) {
    const pair_spec *p = &control_plane[i];
    if (!exists(dir, p->file, "crt") && issue(dir, p->file, &p->cert, CERT_DAYS, err) < 0)
      return -1;
  }
  return exists(dir, "sa", "key") ? 0 : tug_pki_write_sa_keypair(dir, err);
}

int cli_certs_node(const char *dir, const char *node, const char *address, tug_error *err) {
  char cn[300], file[300], serving[300];
  snprintf(cn, sizeof cn, "system:node:%s", node);
  snprintf(file, sizeof file, "node-%s", node);
  snprintf(serving, sizeof serving, "node-%s-serving", node);
  const char *dns[] = {node, "localhost", NULL};
  const char *ips[] = {address, "127.0.0.1", NULL};
  tug_cert_spec client = {.cn = cn, .orgs = nodes_group, .client = true};
  tug_cert_spec server = {.cn = cn, .orgs = nodes_group, .dns = dns, .ips = ips, .server = true};
  if (issue(dir, file, &client, CERT_DAYS, err) < 0)
    return -1;
  return issue(dir, serving, &server, CERT_DAYS, err);
}

int cli_certs_host(const char *dir, const char *file, const char *role,
                   const char *const *addresses, tug_error *err) {
  bool api = strcmp(role, "apiserver") == 0;
  const char *ips[12];
  size_t n = 0;
  for (; addresses[n] && n < 8; n++)
    ips[n] = addresses[n];
  for (const char *const *own = api ? apiserver_ips : loopback_ips; *own; own++)
    ips[n++] = *own;
  ips[n] = NULL;
  tug_cert_spec spec = {.cn = api ? "kube-apiserver" : "etcd",
                        .dns = api ? apiserver_dns : loopback_dns,
                        .ips = ips,
                        .server = true,
                        .client = !api};
  return issue(dir, file, &spec, CERT_DAYS, err);
}

int cli_certs_kubeconfig(const char *dir, const char *name, const char *server, const char *path,
                         tug_error *err) {
  return cli_certs_kubeconfig_ns(dir, name, server, "default", path, err);
}

int cli_certs_kubeconfig_ns(const char *dir, const char *name, const char *server, const char *ns,
                            const char *path, tug_error *err) {
  char *pems[3];
  if (tug_pki_read_pems(dir, name, pems, err) < 0)
    return -1;
  tug_kubeconfig_spec spec = {.name = "tugboat",
                              .server = server,
                              .namespace = ns,
                              .ca_pem = pems[0],
                              .cert_pem = pems[1],
                              .key_pem = pems[2]};
  int rc = tug_kubeconfig_write(path, &spec, err);
  for (int i = 0; i < 3; i++)
    free(pems[i]);
  return rc;
}

/* Split "a,b,c" into list (at most max-1 entries, NULL-terminated), in buf. */
static void split_groups(const char *groups, char *buf, size_t size, const char **list, int max) {
  int n = 0;
  snprintf(buf, size, "%s", groups ? groups : "");
  char *save = NULL;
  for (char *g = strtok_r(buf, ",", &save); g && n < max - 1; g = strtok_r(NULL, ",", &save))
    list[n++] = g;
  list[n] = NULL;
}

int cli_certs_user(cli_ctx *ctx, const char *dir, const char *name, const char *ns,
                   const char *groups, char *kubeconfig, size_t size, tug_error *err) {
  char buf[1024], file[300];
  const char *orgs[TUG_PKI_MAX_NAMES + 1];
  split_groups(groups, buf, sizeof buf, orgs, TUG_PKI_MAX_NAMES + 1);
  long days = ctx->opts.days > 0 ? ctx->opts.days : USER_DAYS;
  tug_cert_spec spec = {.cn = name,
                        .orgs = orgs,
                        .client = true,
                        .not_before_s = ctx->opts.start_days * DAY,
                        .valid_s = days * DAY};
  if (spec.not_before_s == 0)
    spec.not_before_s = -300;
  snprintf(file, sizeof file, "user-%s", name);
  snprintf(kubeconfig, size, "%s/%s.kubeconfig", dir, file);
  if (issue(dir, file, &spec, days, err) < 0)
    return -1;
  return cli_certs_kubeconfig_ns(dir, file, ctx->server, ns, kubeconfig, err);
}

static int certs_user(cli_ctx *ctx, const char *dir, const char *name) {
  char file[300], kc[4500];
  snprintf(file, sizeof file, "user-%s", name);
  tug_error err = {0};
  if (cli_certs_user(ctx, dir, name, "default", ctx->opts.groups, kc, sizeof kc, &err) < 0)
    return cli_failf("certs user %s: %s", name, err.msg);
  printf("user %s: %s/%s.crt, %s/%s.key\nkubeconfig: %s (server %s)\n", name, dir, file, dir, file,
         kc, ctx->server);
  return 0;
}

static int is_cert(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return n > 4 && strcmp(e->d_name + n - 4, ".crt") == 0;
}

/* One line per certificate, by name; 1 when any is expired or not yet valid. */
static int certs_check(const char *dir) {
  struct dirent **list;
  int count = scandir(dir, &list, is_cert, alphasort);
  if (count < 0)
    return cli_failf("certs check: %s: %s", dir, strerror(errno));
  int bad = 0;
  time_t now = time(NULL);
  printf("%-34s %-36s %s\n", "CERTIFICATE", "SUBJECT", "EXPIRES");
  for (int i = 0; i < count; i++) {
    const struct dirent *e = list[i];
    size_t n = strlen(e->d_name);
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
    _cleanup_x509_ X509 *cert = NULL;
    tug_pki_identity id;
    tug_error err = {0};
    if (tug_pki_load(dir, name, &cert, NULL, &err) < 0 ||
        tug_pki_identity_of(cert, &id, &err) < 0) {
      printf("%-34s %s\n", e->d_name, err.msg);
      bad = 1;
      continue;
    }
    long days = (long)((id.not_after - now) / DAY);
    const char *state = now < id.not_before        ? "NOT YET VALID"
                        : now >= id.not_after      ? "EXPIRED"
                        : days < TUG_PKI_WARN_DAYS ? "renew soon"
                                                   : "";
    bad |= now < id.not_before || now >= id.not_after;
    printf("%-34s %-36s %ldd %s\n", e->d_name, id.user, days, state);
  }
  for (int i = 0; i < count; i++)
    free(list[i]);
  free(list);
  return bad;
}

/* DIR/name.crt issued again by the CA: same subject, names, usages and key. */
static int renew_one(const char *dir, const char *name, long days) {
  _cleanup_x509_ X509 *ca = NULL, *old = NULL, *cert = NULL;
  _cleanup_pkey_ EVP_PKEY *ca_key = NULL, *key = NULL;
  tug_error err = {0};
  if (strcmp(name, "ca") == 0)
    return cli_failf("certs renew: the CA is not renewed in place (every certificate hangs on it)");
  if (tug_pki_load(dir, "ca", &ca, &ca_key, &err) < 0 ||
      tug_pki_load(dir, name, &old, &key, &err) < 0 ||
      tug_pki_renew(old, ca, ca_key, days * DAY, &cert, &err) < 0 ||
      tug_pki_write(dir, name, cert, key, &err) < 0)
    return cli_failf("certs renew %s: %s", name, err.msg);
  printf("%s/%s.crt renewed for %ld days\n", dir, name, days);
  return 0;
}

/* `renew all`: every DIR/NAME.crt but the CA's. */
static int renew(cli_ctx *ctx, const char *dir) {
  const cli_opts *o = &ctx->opts;
  long days = o->days > 0 ? o->days : CERT_DAYS;
  if (o->npos < 2)
    return cli_failf("certs renew: want NAME... or all");
  if (o->npos == 2 && strcmp(o->pos[1], "all") == 0) {
    struct dirent **list;
    int count = scandir(dir, &list, is_cert, alphasort), rc = 0;
    if (count < 0)
      return cli_failf("certs renew: %s: %s", dir, strerror(errno));
    for (int i = 0; i < count; i++) {
      char name[256];
      snprintf(name, sizeof name, "%.*s", (int)(strlen(list[i]->d_name) - 4), list[i]->d_name);
      if (strcmp(name, "ca") != 0 && renew_one(dir, name, days) != 0)
        rc = 1;
      free(list[i]);
    }
    free(list);
    return rc;
  }
  for (int i = 1; i < o->npos; i++)
    if (renew_one(dir, o->pos[i], days) != 0)
      return 1;
  return 0;
}

int cmd_certs(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  char dir[4096];
  cli_certs_dir(ctx, dir, sizeof dir);
  const char *sub = o->npos > 0 ? o->pos[0] : "";
  tug_error err = {0};
  if (strcmp(sub, "init") == 0) {
    if (cli_certs_init(dir, &err) < 0)
      return cli_failf("certs init: %s", err.msg);
    printf("certificates in %s\n", dir);
    return 0;
  }
  if (strcmp(sub, "node") == 0 && o->npos == 2 && o->address) {
    if (cli_certs_node(dir, o->pos[1], o->address, &err) < 0)
      return cli_failf("certs node %s: %s", o->pos[1], err.msg);
    printf("node %s: %s/node-%s.{crt,key}, %s/node-%s-serving.{crt,key}\n", o->pos[1], dir,
           o->pos[1], dir, o->pos[1]);
    return 0;
  }
  if (strcmp(sub, "user") == 0 && o->npos == 2)
    return certs_user(ctx, dir, o->pos[1]);
  if (strcmp(sub, "check") == 0)
    return certs_check(dir);
  if (strcmp(sub, "renew") == 0)
    return renew(ctx, dir);
  if (strcmp(sub, "kubeconfig") == 0 && o->npos == 2) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.kubeconfig", dir, o->pos[1]);
    if (cli_certs_kubeconfig(dir, o->pos[1], ctx->server, path, &err) < 0)
      return cli_failf("certs kubeconfig %s: %s", o->pos[1], err.msg);
    printf("%s\n", path);
    return 0;
  }
  return cli_failf("certs: want init, check, renew NAME...|all [--days N], node NAME --address IP, "
                   "user NAME [--group G,...] [--days N] [--start-days N], or kubeconfig NAME "
                   "--server URL");
}
