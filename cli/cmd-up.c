/*
 * cmd-up.c — `tug up` and `tug down`: a whole local cluster in the background.
 *
 * The one idea: everything `up` starts is written, in start order, to
 * DIR/state ("PID NAME BINARY" lines; the API server's URL in DIR/server), and `down` stops
 * exactly those processes, newest first, after asking the API to delete every
 * pod so that the agents remove their containers, cgroups and mounts
 * themselves. A PID is signalled only while /proc/PID/cmdline still names the
 * binary that was started, so a recycled PID is never hit. Processes run in
 * their own sessions with logs in DIR/NAME.log; all listen on 127.0.0.1.
 *
 * Every hop is TLS with an identity of its own (docs/security.md): `up` makes
 * the cluster's certificates in DIR/pki (tug certs), runs etcd with client
 * certificates for the API server alone, the API server HTTPS-only, and gives
 * the scheduler, the controllers and each agent a kubeconfig of their own
 * (DIR/pki/NAME.kubeconfig); DIR/kubeconfig is the admin's, for kubectl.
 * Secrets are encrypted in etcd with a key of the cluster's own
 * (DIR/pki/encryption-config.yaml, up-encryption.h).
 *
 * With nodes, `up` also starts an image registry on loopback (up-registry.h)
 * with the demo image in it; the agents pull from it as their default registry.
 *
 * `up --ha` runs a highly available control plane (docs/reliability.md):
 * three etcd members and two API servers, each a host of its own in a network
 * namespace on the cluster's host bridge (up-network.h), and two schedulers
 * and two controller managers that elect a leader each. Daemons, agents and
 * tug get every API server's URL (comma-separated) and fail over; kubectl's
 * kubeconfig names the first (a Kubernetes cluster puts a load balancer
 * there).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "object.h"
#include "up-encryption.h"
#include "up-network.h"
#include "up-registry.h"
#include "kinds.h"
#include "kubeconfig.h"
#include "pki.h"

extern char **environ;

enum { DEFAULT_NODES = 2, READY_TIMEOUT_S = 60, STOP_TIMEOUT_S = 10, MAX_PROCS = 80 };
/* --ha: etcd members and API servers (hosts of their own), daemons' replicas. */
enum { HA_ETCD = 3, HA_APISERVERS = 2, HA_REPLICAS = 2, HA_HOSTS = HA_ETCD + HA_APISERVERS };
enum { SERVER_SIZE = 256 };

static void cluster_dir(cli_ctx *ctx, char *buf, size_t size) {
  const char *home = getenv("HOME");
  if (ctx->opts.dir)
    snprintf(buf, size, "%s", ctx->opts.dir);
  else
    snprintf(buf, size, "%s/.tug/cluster", home && home[0] ? home : ".");
}

/* A port on 127.0.0.1 free right now: want when it is, else one the kernel picks. */
static int free_port(int want) {
  for (int attempt = 0; attempt < 2; attempt++) {
    _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)(attempt == 0 ? want : 0)),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd >= 0 && (attempt > 0 || want > 0) && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
      return ntohs(a.sin_port);
  }
  return -1;
}

typedef struct cluster {
  char dir[512];
  char pki[600];
  char server[SERVER_SIZE]; /* every API server's URL, comma-separated */
  FILE *state;
} cluster;

/*
 * Start argv[0] (a path, or a name on PATH) in its own session, logging to
 * DIR/name.log; with netns (a name under /run/netns), inside that network
 * namespace through nsenter, which leaves the mounts (cgroups) as they are.
 */
static int start_in(cluster *cl, const char *name, const char *netns, char *const argv[],
                    tug_error *err) {
  char *wrapped[64], net[128];
  size_t n = 0;
  if (netns) {
    snprintf(net, sizeof net, "--net=/run/netns/%s", netns);
    wrapped[n++] = "nsenter";
    wrapped[n++] = net;
    wrapped[n++] = "--";
  }
  for (size_t i = 0; argv[i] && n < 63; i++)
    wrapped[n++] = argv[i];
  wrapped[n] = NULL;
  char log[700];
  snprintf(log, sizeof log, "%s/%s.log", cl->dir, name);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid;
  int rc = posix_spawnp(&pid, wrapped[0], &fa, &attr, wrapped, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return tug_error_set(err, rc, "start %s (%s): %s", name, argv[0], strerror(rc));
  fprintf(cl->state, "%d %s %s\n", (int)pid, name, argv[0]);
  fflush(cl->state);
  printf("%-16s pid %-7d log %s\n", name, (int)pid, log);
  return 0;
}

static int start(cluster *cl, const char *name, char *const argv[], tug_error *err) {
  return start_in(cl, name, NULL, argv, err);
}

/* A client for base as the pair DIR/pki/NAME, trusting the cluster CA. */
static tug_client *pki_client(const char *pki, const char *name, const char *base, tug_error *err) {
  char *pems[3];
  if (tug_pki_read_pems(pki, name, pems, err) < 0)
    return NULL;
  tug_client_tls tls = {.ca_pem = pems[0], .cert_pem = pems[1], .key_pem = pems[2]};
  tug_client *c = tug_client_new_tls(base, NULL, &tls, err);
  for (int i = 0; i < 3; i++)
    free(pems[i]);
  return c;
}

/* Whether base answers path, asked as the pair DIR/pki/NAME. */
static bool answers(const char *pki, const char *name, const char *base, const char *path) {
  tug_error err = {0};
  _cleanup_client_ tug_client *c = pki_client(pki, name, base, &err);
  if (c == NULL)
    return false;
  tug_request req = {
      .method = "GET", .path = path, .accept = "*/*", .raw = true, .timeout_ms = 2000};
  tug_response resp;
  int rc = tug_client_do(c, &req, &resp, &err);
  tug_response_clear(&resp);
  return rc >= 0;
}

static int wait_until(bool (*ok)(void *), void *arg, int seconds, const char *what,
                      tug_error *err) {
  for (int i = 0; i < seconds * 5; i++) {
    if (ok(arg))
      return 0;
    usleep(200 * 1000);
  }
  return tug_error_set(err, ETIMEDOUT, "%s not ready after %d s", what, seconds);
}

typedef struct probe {
  const char *pki, *name, *base, *path;
} probe;

static bool probe_ok(void *arg) {
  probe *p = arg;
  return answers(p->pki, p->name, p->base, p->path);
}

typedef struct nodes_probe {
  tug_client *c;
  long want;
} nodes_probe;

static bool nodes_ready(void *arg) {
  nodes_probe *p = arg;
  _cleanup_json_ json_t *list = NULL;
  tug_error err = {0};
  char path[64];
  if (tug_api_path(path, sizeof path, "Node", NULL, NULL, NULL, &err) < 0 ||
      tug_client_list(p->c, path, NULL, &list, &err) < 0)
    return false;
  long ready = 0;
  size_t i, j;
  json_t *node, *cond;
  json_array_foreach(json_object_get(list, "items"), i, node) {
    json_array_foreach(tug_obj_get(node, "status.conditions"), j, cond) {
      const char *t = tug_obj_get_str(cond, "type"), *s = tug_obj_get_str(cond, "status");
      ready += t && s && strcmp(t, "Ready") == 0 && strcmp(s, "True") == 0;
    }
  }
  return ready >= p->want;
}

static void sibling(const char *name, char *buf, size_t size) {
  cli_sibling_binary(name, buf, size);
}

/* DIR/pki/NAME.kubeconfig for the pair NAME against the API server. */
static int component_kubeconfig(cluster *cl, const char *name, char *path, size_t size,
                                tug_error *err) {
  snprintf(path, size, "%s/%s.kubeconfig", cl->pki, name);
  return cli_certs_kubeconfig(cl->pki, name, cl->server, path, err);
}

/* --flag DIR/pki/FILE, for argv arrays. */
static char *pki_path(cluster *cl, char *buf, size_t size, const char *file) {
  snprintf(buf, size, "%s/%s", cl->pki, file);
  return buf;
}

/* An etcd member: its process name (DIR/NAME holds its data), member name,
 * client and peer URLs, the whole initial cluster, the serving pair
 * DIR/pki/CERT; in netns when not NULL. Waits for nothing. */
typedef struct etcd_member {
  const char *name, *member, *netns, *curl, *purl, *initial, *cert;
} etcd_member;

static int run_etcd(cluster *cl, const etcd_member *m, tug_error *err) {
  char data[600], f[3][700], cert[64], key[64];
  snprintf(data, sizeof data, "%s/%s", cl->dir, m->name);
  snprintf(cert, sizeof cert, "%s.crt", m->cert);
  snprintf(key, sizeof key, "%s.key", m->cert);
  char *etcd[] = {"etcd",
                  "--name",
                  (char *)m->member,
                  "--data-dir",
                  data,
                  "--listen-client-urls",
                  (char *)m->curl,
                  "--advertise-client-urls",
                  (char *)m->curl,
                  "--cert-file",
                  pki_path(cl, f[0], sizeof f[0], cert),
                  "--key-file",
                  pki_path(cl, f[1], sizeof f[1], key),
                  "--trusted-ca-file",
                  pki_path(cl, f[2], sizeof f[2], "ca.crt"),
                  "--client-cert-auth",
                  "--listen-peer-urls",
                  (char *)m->purl,
                  "--initial-advertise-peer-urls",
                  (char *)m->purl,
                  "--initial-cluster",
                  (char *)m->initial,
                  "--log-level",
                  "warn",
                  "--logger",
                  "zap",
                  NULL};
  return start_in(cl, m->name, m->netns, etcd, err);
}

static int etcd_healthy(cluster *cl, const char *curl_, tug_error *err) {
  return wait_until(probe_ok, &(probe){cl->pki, "apiserver-etcd-client", curl_, "/health"}, 20,
                    "etcd", err);
}

static int start_etcd(cluster *cl, const char *curl_, const char *purl, tug_error *err) {
  char cluster_arg[96];
  snprintf(cluster_arg, sizeof cluster_arg, "tug=%s", purl);
  etcd_member m = {"etcd", "tug", NULL, curl_, purl, cluster_arg, "etcd-server"};
  return run_etcd(cl, &m, err) < 0 ? -1 : etcd_healthy(cl, curl_, err);
}

/* An API server: its name, network namespace (NULL: this one), serving pair
 * DIR/pki/CERT; several over one etcd read consistently from etcd. */
typedef struct apiserver_host {
  const char *name, *netns, *cert;
  bool several;
} apiserver_host;

/* host: the API server's own network namespace and address, where pods reach
 * it besides loopback (NULL: none, or the API server runs in a->netns alone). */
static int start_apiserver(cluster *cl, const apiserver_host *a, const char *bin,
                           const char *etcd_url, const char *listen, const up_host *host,
                           tug_error *err) {
  char f[12][700], cert[64], key[64], url[64];
  snprintf(cert, sizeof cert, "%s.crt", a->cert);
  snprintf(key, sizeof key, "%s.key", a->cert);
  snprintf(url, sizeof url, "https://%s", listen);
  /* The ServiceAccount pair of `tug certs init`, so pods' tokens outlive a restart. */
  char *api[] = {(char *)bin,
                 "--etcd-servers",
                 (char *)etcd_url,
                 "--listen",
                 (char *)listen,
                 "--etcd-cafile",
                 pki_path(cl, f[0], sizeof f[0], "ca.crt"),
                 "--etcd-certfile",
                 pki_path(cl, f[1], sizeof f[1], "apiserver-etcd-client.crt"),
                 "--etcd-keyfile",
                 pki_path(cl, f[2], sizeof f[2], "apiserver-etcd-client.key"),
                 "--tls-cert-file",
                 pki_path(cl, f[3], sizeof f[3], cert),
                 "--tls-private-key-file",
                 pki_path(cl, f[4], sizeof f[4], key),
                 "--client-ca-file",
                 pki_path(cl, f[5], sizeof f[5], "ca.crt"),
                 "--kubelet-certificate-authority",
                 pki_path(cl, f[6], sizeof f[6], "ca.crt"),
                 "--kubelet-client-certificate",
                 pki_path(cl, f[7], sizeof f[7], "apiserver-kubelet-client.crt"),
                 "--kubelet-client-key",
                 pki_path(cl, f[8], sizeof f[8], "apiserver-kubelet-client.key"),
                 "--service-account-signing-key-file",
                 pki_path(cl, f[9], sizeof f[9], "sa.key"),
                 "--service-account-key-file",
                 pki_path(cl, f[10], sizeof f[10], "sa.pub"),
                 "--encryption-provider-config",
                 f[11],
                 NULL,
                 NULL,
                 NULL,
                 NULL,
                 NULL,
                 NULL,
                 NULL};
  /* Optional flags go after the fixed ones: argv ends at the first NULL. */
  size_t n = sizeof api / sizeof api[0] - 7;
  char *several[] = {"--consistent-reads", "etcd"};
  char *in_netns[] = {"--listen-netns", host ? (char *)host->netns : NULL, "--advertise-address",
                      host ? (char *)host->address : NULL};
  for (size_t i = 0; a->several && i < 2; i++)
    api[n++] = several[i];
  for (size_t i = 0; host && i < 4; i++)
    api[n++] = in_netns[i];
  if (up_encryption_config(cl->pki, f[11], sizeof f[11], err) < 0)
    return -1;
  if (start_in(cl, a->name, a->netns, api, err) < 0)
    return -1;
  return wait_until(probe_ok, &(probe){cl->pki, "admin", url, "/readyz"}, 30, a->name, err);
}

/* The scheduler and the controllers, replicas of each (named NAME-i when
 * more than one; they elect a leader), against cl->server. */
static int start_daemons(cluster *cl, int replicas, tug_error *err) {
  char bin[2][600], kc[2][700], ca[700], tls[4][700];
  sibling("tug-scheduler", bin[0], sizeof bin[0]);
  sibling("tug-controllers", bin[1], sizeof bin[1]);
  if (component_kubeconfig(cl, "scheduler", kc[0], sizeof kc[0], err) < 0 ||
      component_kubeconfig(cl, "controllers", kc[1], sizeof kc[1], err) < 0)
    return -1;
  pki_path(cl, ca, sizeof ca, "ca.crt");
  for (int r = 1; r <= replicas; r++) {
    char listen[2][32], name[2][32];
    int sport = free_port(0), kport = free_port(0);
    if (sport < 0 || kport < 0)
      return tug_error_set(err, EADDRINUSE, "no free port on 127.0.0.1");
    snprintf(listen[0], sizeof listen[0], "127.0.0.1:%d", sport);
    snprintf(listen[1], sizeof listen[1], "127.0.0.1:%d", kport);
    snprintf(name[0], sizeof name[0], replicas > 1 ? "tug-scheduler-%d" : "tug-scheduler", r);
    snprintf(name[1], sizeof name[1], replicas > 1 ? "tug-controllers-%d" : "tug-controllers", r);
    /* /metrics over HTTPS, read by whom the API server allows (system:monitoring). */
    char *sched[] = {bin[0],
                     "--kubeconfig",
                     kc[0],
                     "--listen",
                     listen[0],
                     "--tls-cert-file",
                     pki_path(cl, tls[0], sizeof tls[0], "scheduler-serving.crt"),
                     "--tls-private-key-file",
                     pki_path(cl, tls[1], sizeof tls[1], "scheduler-serving.key"),
                     "--client-ca-file",
                     ca,
                     NULL};
    /* The CA pods find as ca.crt (kube-root-ca.crt) is the one that signed the API server. */
    char *ctrl[] = {bin[1],
                    "--kubeconfig",
                    kc[1],
                    "--listen",
                    listen[1],
                    "--root-ca-file",
                    ca,
                    "--tls-cert-file",
                    pki_path(cl, tls[2], sizeof tls[2], "controllers-serving.crt"),
                    "--tls-private-key-file",
                    pki_path(cl, tls[3], sizeof tls[3], "controllers-serving.key"),
                    "--client-ca-file",
                    ca,
                    NULL};
    if (start(cl, name[0], sched, err) < 0 || start(cl, name[1], ctrl, err) < 0)
      return -1;
  }
  return 0;
}

static int start_control_plane(cluster *cl, const up_host *apiserver, tug_error *err) {
  char bin[600], curl_[64], purl[64], listen[32];
  int cport = free_port(0), pport = free_port(0), aport = free_port(6443);
  if (cport < 0 || pport < 0 || aport < 0)
    return tug_error_set(err, EADDRINUSE, "no free port on 127.0.0.1");
  snprintf(curl_, sizeof curl_, "https://127.0.0.1:%d", cport);
  snprintf(purl, sizeof purl, "http://127.0.0.1:%d", pport);
  if (cli_certs_init(cl->pki, err) < 0 || start_etcd(cl, curl_, purl, err) < 0)
    return -1;
  sibling("tug-apiserver", bin, sizeof bin);
  snprintf(listen, sizeof listen, "127.0.0.1:%d", aport);
  snprintf(cl->server, sizeof cl->server, "https://%s", listen);
  apiserver_host a = {"tug-apiserver", NULL, "apiserver", false};
  if (start_apiserver(cl, &a, bin, curl_, listen, apiserver, err) < 0)
    return -1;
  return start_daemons(cl, 1, err);
}

/* --ha: etcd members on hosts[0..HA_ETCD-1], API servers on the next ones. */
static int start_etcd_ha(cluster *cl, const up_host *hosts, char *urls, size_t size,
                         tug_error *err) {
  char curl_[HA_ETCD][64], purl[HA_ETCD][64], name[HA_ETCD][16], initial[512] = "";
  const char *addresses[HA_ETCD + 1] = {0};
  urls[0] = '\0';
  for (int m = 0; m < HA_ETCD; m++) {
    snprintf(name[m], sizeof name[m], "etcd-%d", m + 1);
    snprintf(curl_[m], sizeof curl_[m], "https://%s:2379", hosts[m].address);
    snprintf(purl[m], sizeof purl[m], "http://%s:2380", hosts[m].address);
    size_t n = strlen(initial), u = strlen(urls);
    snprintf(initial + n, sizeof initial - n, "%s%s=%s", m ? "," : "", name[m], purl[m]);
    snprintf(urls + u, size - u, "%s%s", m ? "," : "", curl_[m]);
    addresses[m] = hosts[m].address;
  }
  /* One pair naming every member: etcd's clients check each against the first's name. */
  if (cli_certs_host(cl->pki, "etcd-members", "etcd-server", addresses, err) < 0)
    return -1;
  for (int m = 0; m < HA_ETCD; m++) {
    etcd_member e = {name[m], name[m], hosts[m].netns, curl_[m], purl[m], initial, "etcd-members"};
    if (run_etcd(cl, &e, err) < 0)
      return -1;
  }
  for (int m = 0; m < HA_ETCD; m++)
    if (etcd_healthy(cl, curl_[m], err) < 0)
      return -1;
  return 0;
}

static int start_control_plane_ha(cluster *cl, const up_host *hosts, tug_error *err) {
  char bin[600], etcd_urls[256];
  if (cli_certs_init(cl->pki, err) < 0 ||
      start_etcd_ha(cl, hosts, etcd_urls, sizeof etcd_urls, err) < 0)
    return -1;
  sibling("tug-apiserver", bin, sizeof bin);
  cl->server[0] = '\0';
  for (int i = 0; i < HA_APISERVERS; i++) {
    const up_host *h = &hosts[HA_ETCD + i];
    char name[32], cert[32], listen[32];
    const char *addresses[] = {h->address, NULL};
    snprintf(name, sizeof name, "tug-apiserver-%d", i + 1);
    snprintf(cert, sizeof cert, "apiserver-%d", i + 1);
    snprintf(listen, sizeof listen, "%s:6443", h->address);
    apiserver_host a = {name, h->netns, cert, true};
    if (cli_certs_host(cl->pki, cert, "apiserver", addresses, err) < 0 ||
        start_apiserver(cl, &a, bin, etcd_urls, listen, NULL, err) < 0)
      return -1;
    size_t n = strlen(cl->server);
    snprintf(cl->server + n, sizeof cl->server - n, "%shttps://%s", i ? "," : "", listen);
  }
  return start_daemons(cl, HA_REPLICAS, err);
}

/* The hosts --ha needs before its nodes: etcd-1.., api-1.., then node-1... */
static int make_hosts(cluster *cl, bool ha, long nodes, up_host *hosts, tug_error *err) {
  char names[HA_HOSTS + 64][32];
  const char *roles[HA_HOSTS + 64];
  long n = 0;
  for (int i = 0; ha && i < HA_ETCD; i++, n++)
    snprintf(names[n], sizeof names[n], "etcd-%d", i + 1);
  for (int i = 0; ha && i < HA_APISERVERS; i++, n++)
    snprintf(names[n], sizeof names[n], "api-%d", i + 1);
  for (long i = 0; i < nodes; i++, n++)
    snprintf(names[n], sizeof names[n], "node-%ld", i + 1);
  for (long i = 0; i < n; i++)
    roles[i] = names[i];
  return up_network_create_hosts(cl->dir, n, roles, hosts, err);
}

/* Agent i runs as host hosts[i-1]: its network namespace and address. */
static int start_agents(cluster *cl, long n, const up_host *hosts, const char *allowed_host_paths,
                        const char *registry, tug_error *err) {
  char bin[600];
  sibling("tug-agent", bin, sizeof bin);
  for (long i = 1; i <= n; i++) {
    char name[32], root[700], pair[64], kc[700], f[3][700];
    const up_host *h = &hosts[i - 1];
    snprintf(name, sizeof name, "tug-node-%ld", i);
    snprintf(root, sizeof root, "%s/%s", cl->dir, name);
    snprintf(pair, sizeof pair, "node-%s", name);
    if (mkdir(root, 0700) < 0 && errno != EEXIST)
      return tug_error_errno(err, errno, "mkdir %s", root);
    if (cli_certs_node(cl->pki, name, h->address, err) < 0 ||
        component_kubeconfig(cl, pair, kc, sizeof kc, err) < 0)
      return -1;
    snprintf(f[0], sizeof f[0], "%s/%s-serving.crt", cl->pki, pair);
    snprintf(f[1], sizeof f[1], "%s/%s-serving.key", cl->pki, pair);
    snprintf(f[2], sizeof f[2], "%s/ca.crt", cl->pki);
    char *argv[26] = {bin,
                      "--kubeconfig",
                      kc,
                      "--tls-cert-file",
                      f[0],
                      "--tls-private-key-file",
                      f[1],
                      "--client-ca-file",
                      f[2],
                      "--node-name",
                      name,
                      "--root",
                      root,
                      "--netns",
                      (char *)h->netns,
                      "--address",
                      (char *)h->address,
                      "--port",
                      "10250",
                      "--default-registry",
                      (char *)registry,
                      "--insecure-registry",
                      (char *)registry,
                      NULL};
    if (allowed_host_paths) { /* hostPath volumes are refused without it */
      argv[23] = "--allowed-host-paths";
      argv[24] = (char *)allowed_host_paths;
    }
    if (start(cl, name, argv, err) < 0)
      return -1;
    printf("%-16s host %s (network namespace %s)\n", "", h->address, h->netns);
  }
  return 0;
}

/* The cluster's registry on a free loopback port, with the demo image pushed to it. */
static int start_registry(cluster *cl, char *addr, size_t size, tug_error *err) {
  char config[700];
  int port = free_port(0);
  if (port < 0)
    return tug_error_set(err, EADDRINUSE, "no free port for the registry");
  snprintf(addr, size, "127.0.0.1:%d", port);
  char *argv[] = {"docker-registry", "serve", config, NULL};
  if (up_registry_config(cl->dir, addr, config, sizeof config, err) < 0 ||
      start(cl, "registry", argv, err) < 0 || up_registry_wait(addr, 30, err) < 0 ||
      up_registry_push_demo(cl->dir, addr, err) < 0)
    return -1;
  printf("%-16s %s, busybox:latest pushed as library/busybox:latest\n", "", addr);
  return 0;
}

static int write_config(cli_ctx *ctx, const char *cluster_dir, const char *server) {
  const char *path = ctx->config.path;
  _cleanup_free_ char *dir = strdup(path ? path : "");
  char *slash = dir ? strrchr(dir, '/') : NULL;
  if (slash) {
    *slash = '\0';
    mkdir(dir, 0700);
  }
  _cleanup_fclose_ FILE *f = path ? fopen(path, "w") : NULL;
  if (f == NULL)
    return cli_failf("write %s: %s", path ? path : "config", strerror(errno));
  /* Several API servers: tug's kubeconfig names them all (kubectl's, the first). */
  fprintf(f, "# written by tug up\nserver: %s\nkubeconfig: %s/%s\n", server, cluster_dir,
          strchr(server, ',') ? "kubeconfig-all" : "kubeconfig");
  printf("config           %s (server: %s)\n", path, server);
  return 0;
}

/*
 * DIR/kubeconfig for kubectl and the official clients, the way a Kubernetes
 * user expects to be handed a cluster: one cluster, user and context, named
 * tugboat, namespace default; the cluster CA and the admin's client
 * certificate (system:masters) embedded, so it works as is, copied anywhere.
 * Printed as the export line to paste. A kubeconfig cluster has one server:
 * with several API servers, the first.
 */
static int write_kubeconfig(const char *dir, const char *servers) {
  char path[600], pki[600], server[SERVER_SIZE];
  snprintf(server, sizeof server, "%.*s", (int)strcspn(servers, ","), servers);
  snprintf(path, sizeof path, "%s/kubeconfig", dir);
  snprintf(pki, sizeof pki, "%s/pki", dir);
  tug_error err = {0};
  if (cli_certs_kubeconfig(pki, "admin", server, path, &err) < 0)
    return cli_failf("%s", err.msg);
  printf("kubeconfig       export KUBECONFIG=%s\n", path);
  if (strchr(servers, ',') == NULL)
    return 0;
  snprintf(path, sizeof path, "%s/kubeconfig-all", dir);
  if (cli_certs_kubeconfig(pki, "admin", servers, path, &err) < 0)
    return cli_failf("%s", err.msg);
  printf("                 %s names every API server (Tugboat's clients fail over)\n", path);
  return 0;
}

/* The admin's client for a cluster up made in dir. */
static tug_client *admin_client(const char *dir, const char *server, tug_error *err) {
  char path[600];
  snprintf(path, sizeof path, "%s/kubeconfig", dir);
  return tug_kubeconfig_client_for_flags(path, server, NULL, err);
}

static int write_server(cluster *cl, tug_error *err) {
  char path[600];
  snprintf(path, sizeof path, "%s/server", cl->dir);
  _cleanup_fclose_ FILE *f = fopen(path, "w");
  if (f == NULL)
    return tug_error_errno(err, errno, "write %s", path);
  fprintf(f, "%s\n", cl->server);
  return 0;
}

/* The server URL recorded in dir ("" when none); true when it answers. */
static bool running(const char *dir, char *server, size_t size) {
  char pki[600];
  snprintf(pki, sizeof pki, "%s/pki", dir);
  char path[600], line[SERVER_SIZE + 8] = "";
  snprintf(path, sizeof path, "%s/server", dir);
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  if (f == NULL || fgets(line, sizeof line, f) == NULL)
    line[0] = '\0';
  snprintf(server, size, "%.*s", (int)strcspn(line, "\n"), line);
  return server[0] && answers(pki, "admin", server, "/readyz");
}

int cmd_up(cli_ctx *ctx) {
  cluster cl = {0};
  cluster_dir(ctx, cl.dir, sizeof cl.dir);
  long nodes = ctx->opts.nodes >= 0 ? ctx->opts.nodes : DEFAULT_NODES;
  bool ha = ctx->opts.ha;
  char server[SERVER_SIZE];
  if (running(cl.dir, server, sizeof server)) {
    printf("a cluster is already running at %s (state in %s)\n", server, cl.dir);
    return write_config(ctx, cl.dir, server) != 0 ? 1 : write_kubeconfig(cl.dir, server);
  }
  if (nodes > 0 && geteuid() != 0)
    return cli_failf("up: agents need root to run containers (or use --nodes 0)");
  if (ha && geteuid() != 0)
    return cli_failf("up: --ha runs etcd and the API servers as hosts in network namespaces: "
                     "it needs root");
  if (nodes > 64)
    return cli_failf("up: --nodes %ld: at most 64 on one host", nodes);
  char parent[520];
  snprintf(parent, sizeof parent, "%s", cl.dir);
  char *slash = strrchr(parent, '/');
  if (slash && slash != parent) {
    *slash = '\0';
    mkdir(parent, 0700);
  }
  if (mkdir(cl.dir, 0700) < 0 && errno != EEXIST)
    return cli_failf("mkdir %s: %s", cl.dir, strerror(errno));
  char path[600];
  snprintf(path, sizeof path, "%s/state", cl.dir);
  tug_error err = {0};
  snprintf(cl.pki, sizeof cl.pki, "%s/pki", cl.dir);
  cl.state = fopen(path, "w");
  if (cl.state == NULL)
    return cli_failf("write %s: %s", path, strerror(errno));
  up_host apiserver, hosts[HA_HOSTS + 64];
  const up_host *node_hosts = hosts + (ha ? HA_HOSTS : 0);
  int rc = ha          ? make_hosts(&cl, true, nodes, hosts, &err)
           : nodes > 0 ? up_network_create(cl.dir, nodes, &apiserver, hosts, &err)
                       : 0;
  if (rc == 0)
    rc = ha ? start_control_plane_ha(&cl, hosts, &err)
            : start_control_plane(&cl, nodes > 0 ? &apiserver : NULL, &err);
  if (rc == 0)
    rc = write_server(&cl, &err);
  if (rc == 0 && write_kubeconfig(cl.dir, cl.server) != 0)
    rc = tug_error_set(&err, EIO, "write %s/kubeconfig", cl.dir);
  char registry[64] = "";
  if (rc == 0 && nodes > 0)
    rc = start_registry(&cl, registry, sizeof registry, &err);
  if (rc == 0)
    rc = start_agents(&cl, nodes, node_hosts, ctx->opts.allowed_host_paths, registry, &err);
  fclose(cl.state);
  if (rc == 0 && nodes > 0) {
    _cleanup_client_ tug_client *c = admin_client(cl.dir, cl.server, &err);
    rc = c ? wait_until(nodes_ready, &(nodes_probe){c, nodes}, READY_TIMEOUT_S, "nodes", &err) : -1;
  }
  if (rc < 0) {
    fprintf(stderr, "error: %s\nhint: logs are in %s; `tug down --dir %s` stops what started\n",
            err.msg, cl.dir, cl.dir);
    return 1;
  }
  printf("cluster up: %s, %ld node%s Ready, registry %s (busybox:latest)\n", cl.server, nodes,
         nodes == 1 ? "" : "s", registry[0] ? registry : "none");
  return write_config(ctx, cl.dir, cl.server) != 0 ? 1 : 0;
}

/* ---- down ---- */

typedef struct proc {
  pid_t pid;
  char name[64];
  char bin[600];
} proc;

/* Whether pid still runs the binary that was started as it (not a recycled PID). */
static bool still_ours(const proc *p) {
  char path[64], cmd[700] = "";
  snprintf(path, sizeof path, "/proc/%d/cmdline", (int)p->pid);
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  if (f == NULL || fgets(cmd, sizeof cmd, f) == NULL)
    return false;
  const char *base = strrchr(p->bin, '/');
  return strstr(cmd, base ? base + 1 : p->bin) != NULL;
}

static void stop(const proc *p) {
  if (!still_ours(p))
    return;
  kill(p->pid, SIGTERM);
  for (int i = 0; i < STOP_TIMEOUT_S * 10 && still_ours(p); i++)
    usleep(100 * 1000);
  if (still_ours(p)) {
    kill(p->pid, SIGKILL);
    for (int i = 0; i < 50 && still_ours(p); i++)
      usleep(100 * 1000);
  }
  printf("stopped %-16s pid %d\n", p->name, (int)p->pid);
}

static size_t read_state(const char *dir, proc *procs, size_t max) {
  char path[600], line[800];
  snprintf(path, sizeof path, "%s/state", dir);
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  size_t n = 0;
  while (f && n < max && fgets(line, sizeof line, f)) {
    int pid;
    proc *p = &procs[n];
    if (sscanf(line, "%d %63s %599s", &pid, p->name, p->bin) == 3 && pid > 1) {
      p->pid = pid;
      n++;
    }
  }
  return n;
}

typedef struct pods_probe {
  tug_client *c;
} pods_probe;

static bool no_pods(void *arg) {
  pods_probe *p = arg;
  _cleanup_json_ json_t *list = NULL;
  tug_error err = {0};
  char path[64];
  return tug_api_path(path, sizeof path, "Pod", NULL, NULL, NULL, &err) == 0 &&
         tug_client_list(p->c, path, NULL, &list, &err) >= 0 &&
         json_array_size(json_object_get(list, "items")) == 0;
}

/* Delete every pod while the agents still run, so they tear down what they made. */
static void delete_pods(const char *dir, const char *server) {
  tug_error err = {0};
  _cleanup_client_ tug_client *c = admin_client(dir, server, &err);
  _cleanup_json_ json_t *list = NULL;
  char path[512];
  if (c == NULL || tug_api_path(path, sizeof path, "Namespace", NULL, NULL, NULL, &err) < 0 ||
      tug_client_list(c, path, NULL, &list, &err) < 0)
    return;
  size_t i;
  json_t *ns;
  json_array_foreach(json_object_get(list, "items"), i, ns) {
    _cleanup_free_ char *all = NULL;
    if (tug_obj_name(ns) &&
        tug_api_path(path, sizeof path, "Pod", tug_obj_name(ns), NULL, NULL, &err) == 0 &&
        (all = tug_client_path_query(
             path, (const char *const[]){"gracePeriodSeconds", "1", NULL})) != NULL)
      tug_client_delete(c, all, NULL, &err);
  }
  if (wait_until(no_pods, &(pods_probe){c}, 30, "pod deletion", &err) < 0)
    fprintf(stderr, "warning: %s; stopping anyway\n", err.msg);
}

/* Unmount whatever is still mounted below dir, deepest first. */
static void unmount_below(const char *dir) {
  char *mounts[256];
  size_t n = 0;
  _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "r");
  char line[4096];
  size_t dl = strlen(dir);
  while (f && n < 256 && fgets(line, sizeof line, f)) {
    char target[2048];
    if (sscanf(line, "%*s %*s %*s %*s %2047s", target) == 1 && strncmp(target, dir, dl) == 0 &&
        (target[dl] == '/' || target[dl] == '\0'))
      mounts[n++] = strdup(target);
  }
  while (n > 0) {
    char *m = mounts[--n];
    if (m && umount2(m, MNT_DETACH) == 0)
      printf("unmounted %s\n", m);
    free(m);
  }
}

/* A pod cgroup that is left may still hold processes: kill them, then remove it. */
static int rmdir_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag != FTW_DP)
    return 0;
  char procs[600];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", path);
  _cleanup_fclose_ FILE *f = fopen(procs, "r");
  int pid;
  while (f && fscanf(f, "%d", &pid) == 1)
    if (pid > 1)
      kill(pid, SIGKILL);
  for (int i = 0; i < 20 && rmdir(path) < 0 && errno == EBUSY; i++)
    usleep(50 * 1000);
  return 0;
}

/* Remove the cgroups of pods the agents left behind (one killed mid-teardown,
 * say): tug/<pod uid> in every hierarchy, for each sandbox in the agents' state. */
static void scrub_cgroups(const char *dir) {
  char pattern[700];
  snprintf(pattern, sizeof pattern, "%s/tug-node-*/state/sandboxes/*", dir);
  glob_t sandboxes;
  if (glob(pattern, GLOB_ONLYDIR, NULL, &sandboxes) != 0)
    return;
  for (size_t i = 0; i < sandboxes.gl_pathc; i++) {
    const char *uid = strrchr(sandboxes.gl_pathv[i], '/') + 1;
    char cg[400];
    snprintf(cg, sizeof cg, "/sys/fs/cgroup/*/tug/%s", uid);
    glob_t groups;
    if (glob(cg, GLOB_ONLYDIR, NULL, &groups) == 0)
      for (size_t j = 0; j < groups.gl_pathc; j++)
        nftw(groups.gl_pathv[j], rmdir_entry, 16, FTW_DEPTH | FTW_PHYS);
    globfree(&groups);
  }
  globfree(&sandboxes);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

int cmd_down(cli_ctx *ctx) {
  char dir[512], server[SERVER_SIZE];
  cluster_dir(ctx, dir, sizeof dir);
  proc procs[MAX_PROCS];
  size_t n = read_state(dir, procs, MAX_PROCS);
  if (n == 0) {
    printf("no cluster recorded in %s\n", dir);
    return 0;
  }
  /* Controllers would replace deleted pods and the scheduler place them: stop
   * them first, then let the agents tear the pods down, then stop the rest. */
  for (size_t i = 0; i < n; i++)
    if (strncmp(procs[i].name, "tug-controllers", 15) == 0 ||
        strncmp(procs[i].name, "tug-scheduler", 13) == 0)
      stop(&procs[i]);
  if (running(dir, server, sizeof server))
    delete_pods(dir, server);
  while (n > 0)
    stop(&procs[--n]);
  unmount_below(dir);
  scrub_cgroups(dir);
  up_network_destroy(dir);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  printf("removed %s\n", dir);
  return 0;
}
