/*
 * tug-agent — the node agent: registers this host as a Node, keeps its Lease,
 * and runs the pods bound to it as containers (agent-podctl.c, agent-pod.c on
 * the runtime of runtime.h). main parses flags (lib/flags) and wires the
 * pieces, waits for SIGTERM/SIGINT (lib/daemon), and then stops its threads
 * but leaves the pods' containers running. With --hollow N it is N simulated nodes instead
 * (agent-hollow.h) and touches nothing on the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-backoff.h"
#include "agent-hollow.h"
#include "agent-logs.h"
#include "agent-network.h"
#include "agent-node.h"
#include "agent-podctl.h"
#include "agent-podspec.h"
#include "agent-volumes.h"
#include "image-cmd.h"
#include "image-gc.h"
#include "cleanup.h"
#include "daemon.h"
#include "error.h"
#include "events.h"
#include "flags.h"
#include "http.h"
#include "kubeconfig.h"
#include "log.h"
#include "pki.h"
#include "runtime.h"

/* Fencing: the controllers evict a lost node's pods after --node-grace (20 s)
 * plus --default-unreachable-toleration (30 s) without a Lease renewal; the
 * agent stops them first, with AGENT_FENCE_GRACE_S to spare. */
#define AGENT_FENCE_AFTER_S 40.0

static double last_renewed(void *node) {
  return agent_node_last_renewed(node);
}

/* Processes per pod unless --pod-pids-limit says otherwise: a fork bomb in
 * one pod must not take the node's pid space. */
enum { AGENT_DEFAULT_POD_PIDS_LIMIT = 4096 };

typedef struct config {
  const char *server, *node_name, *root, *log_level, *log_file, *address;
  const char *kubeconfig;                                    /* the API server and our identity */
  const char *tls_cert_file, *tls_key_file, *client_ca_file; /* the log server's HTTPS */
  char *tls_cert_pem, *tls_key_pem, *client_ca_pem;          /* read from them, kept till exit */
  int max_pods, port;
  int64_t reserved_cpu_milli, pod_pids_limit;
  double restart_backoff_s;
  double fence_after_s, lease_renew_s;
  bool build_busybox;
  int hollow, hollow_pods;
  int64_t hollow_cpu_milli, hollow_memory_bytes;
  double hollow_job_s;
  const char *hollow_node_ca;
  int64_t container_log_max_size;
  int container_log_max_files;
  const char *netns;   /* the node's network namespace: a name under /run/netns or a path */
  const char *network; /* "bridge" or "none" */
  const char *cluster_cidr, *service_cidr;
  const char *seccomp_dir;         /* Localhost seccomp profiles; NULL: <root>/seccomp */
  const char *allowed_host_paths;  /* comma-separated prefixes; NULL: no hostPath */
  const char *default_registry;    /* host[:port] of references without one; NULL: none */
  const char *insecure_registries; /* comma-separated hosts pulled over plain HTTP */
  const char *local_path_capacity; /* room for local-path volumes ("10Gi") */
  int image_gc_high, image_gc_low; /* percent of the store's file system */
  int max_downloads;               /* layers of one pull fetched at once */
  double image_min_age_s, image_gc_period_s;
} config;

static const char summary[] =
    "The node agent: registers this host as Node --node-name, keeps its Lease and\n"
    "runs the pods bound to it. `tug-agent image import [--root DIR] NAME[:TAG] SRC`\n"
    "puts a rootfs directory or a .tar(.gz) of one into the node's image store;\n"
    "`tug-agent image ls|rm|load [--root DIR] ...` lists, removes, loads (docker save\n"
    "archives, OCI image layouts) the images of its store.\n"
    "\n"
    "--hollow N registers N simulated nodes PREFIX-0 ... PREFIX-(N-1) (PREFIX:\n"
    "--node-name, default \"hollow\"), each with --hollow-cpu, --hollow-memory and\n"
    "--hollow-pods of capacity, and renews their Leases. Pods bound to them are\n"
    "marked Running with a fake IP from 198.18.0.0/16 and no process; pods with\n"
    "restartPolicy Never or OnFailure Succeed after the seconds of their annotation\n"
    "tug.io/hollow-run-seconds, or else after --hollow-job-seconds. Needs no root.\n"
    "\n"
    "--network bridge gives pods addresses from the node's spec.podCIDR on a\n"
    "bridge tug0, routes to other nodes' pods and Services as nftables rules\n"
    "(default with --netns, else none: pods have loopback only). --netns makes\n"
    "the agent one of several hosts on this machine: the network, the log\n"
    "server and --address live in that namespace.\n"
    "\n"
    "--allowed-host-paths lists the host directories under which a pod's hostPath\n"
    "volumes may lie (component by component: /data allows /data/x, not\n"
    "/database); without it no hostPath is mounted on this node. /proc and\n"
    "magic links are refused under any prefix.";

static void defaults(config *c) {
  *c = (config){.root = "/var/lib/tug",
                .address = "127.0.0.1",
                .port = 10250,
                .max_pods = 110,
                .log_level = "info",
                .restart_backoff_s = AGENT_BACKOFF_BASE_SECONDS,
                .fence_after_s = AGENT_FENCE_AFTER_S,
                .lease_renew_s = AGENT_LEASE_RENEW_SECONDS,
                .hollow_pods = 110,
                .hollow_cpu_milli = 4000,
                .hollow_memory_bytes = 16LL << 30,
                .hollow_job_s = AGENT_HOLLOW_JOB_SECONDS,
                .container_log_max_size = AGENT_LOGS_DEFAULT_MAX_SIZE,
                .container_log_max_files = AGENT_LOGS_DEFAULT_MAX_FILES,
                .pod_pids_limit = AGENT_DEFAULT_POD_PIDS_LIMIT,
                .cluster_cidr = "198.18.0.0/16",
                .service_cidr = "198.19.0.0/17",
                .image_gc_high = AGENT_IMAGE_GC_HIGH_PERCENT,
                .max_downloads = AGENT_IMAGE_DOWNLOADS,
                .image_gc_low = AGENT_IMAGE_GC_LOW_PERCENT,
                .image_min_age_s = AGENT_IMAGE_GC_MIN_AGE_SECONDS,
                .image_gc_period_s = AGENT_IMAGE_GC_PERIOD_SECONDS};
}

/* What no single flag's type can say: required flags, --network's words. */
static int check(config *c, tug_error *err) {
  if (c->network && strcmp(c->network, "bridge") != 0 && strcmp(c->network, "none") != 0)
    return tug_error_set(err, EINVAL, "--network: \"%s\" is neither bridge nor none", c->network);
  if (c->network == NULL)
    c->network = c->netns ? "bridge" : "none";
  if (c->hollow > 0 && c->node_name == NULL)
    c->node_name = "hollow";
  if (c->server == NULL && c->kubeconfig == NULL)
    return tug_error_set(err, EINVAL, "--kubeconfig (or --server) is required");
  if ((c->tls_cert_file || c->tls_key_file || c->client_ca_file) &&
      !(c->tls_cert_file && c->tls_key_file && c->client_ca_file))
    return tug_error_set(err, EINVAL,
                         "--tls-cert-file, --tls-private-key-file and "
                         "--client-ca-file go together");
  if (c->node_name == NULL)
    return tug_error_set(err, EINVAL, "--node-name is required (or --hollow N)");
  if (c->image_gc_low > c->image_gc_high)
    return tug_error_set(err, EINVAL,
                         "--image-gc-low-threshold (%d) is above --image-gc-high-threshold (%d)",
                         c->image_gc_low, c->image_gc_high);
  return 0;
}

/* 0: run; 1: --help was printed; -1: bad flags (reported). */
static int parse_args(int argc, char **argv, config *c) {
  defaults(c);
  const tug_flag flags[] = {
      {"server", TUG_FLAG_STRING, &c->server, .arg = "URL",
       .help = "the API server (overrides the kubeconfig's)"},
      {"kubeconfig", TUG_FLAG_STRING, &c->kubeconfig, .arg = "FILE",
       .help = "the API server, its CA and this node's credentials"},
      {"tls-cert-file", TUG_FLAG_STRING, &c->tls_cert_file, .arg = "PATH",
       .help = "the log server's serving certificate: HTTPS"},
      {"tls-private-key-file", TUG_FLAG_STRING, &c->tls_key_file, .arg = "PATH", .help = "its key"},
      {"client-ca-file", TUG_FLAG_STRING, &c->client_ca_file, .arg = "PATH",
       .help = "CA of the clients the log server answers"},
      {"node-name", TUG_FLAG_STRING, &c->node_name, .arg = "NAME",
       .help = "this Node's name (with --hollow: the prefix)"},
      {"root", TUG_FLAG_STRING, &c->root, .arg = "DIR", .help = "images, pod state and logs"},
      {"max-pods", TUG_FLAG_INT, &c->max_pods, .min = 1, .max = INT_MAX, .arg = "N",
       .help = "pods beyond it fail with OutOfpods"},
      {"reserved-cpu", TUG_FLAG_MILLI, &c->reserved_cpu_milli, .min = 0, .max = 1e12, .arg = "Q",
       .help = "CPU kept back from allocatable (500m, 1)"},
      {"pod-pids-limit", TUG_FLAG_INT64, &c->pod_pids_limit, .min = 0, .max = INT_MAX, .arg = "N",
       .help = "processes per pod; 0: none"},
      {"fence-after", TUG_FLAG_DURATION, &c->fence_after_s, .min = 0, .max = 86400,
       .arg = "DURATION",
       .help = "stop this node's pods when its Lease went unrenewed this long (0: never); keep "
               "it below the controllers' --node-grace plus --default-unreachable-toleration"},
      {"node-lease-renew-interval", TUG_FLAG_DURATION, &c->lease_renew_s, .min = 0.1, .max = 3600,
       .arg = "DURATION", .help = "how often the node's Lease is renewed"},
      {"restart-backoff-seconds", TUG_FLAG_DURATION, &c->restart_backoff_s, .min = 1, .max = 86400,
       .arg = "DURATION", .help = "first delay before a container restarts"},
      {"build-busybox", TUG_FLAG_BOOL, &c->build_busybox,
       .help = "put busybox:latest into the image store"},
      {"address", TUG_FLAG_STRING, &c->address, .arg = "IP",
       .help = "the node's InternalIP; the log server listens there"},
      {"port", TUG_FLAG_INT, &c->port, .min = 1, .max = 65535, .arg = "N",
       .help = "the log server's port"},
      {"container-log-max-size", TUG_FLAG_QUANTITY, &c->container_log_max_size, .min = 1,
       .max = 1e15, .arg = "Q", .help = "a container log is rotated beyond it"},
      {"container-log-max-files", TUG_FLAG_INT, &c->container_log_max_files, .min = 2,
       .max = AGENT_LOGS_MAX_FILES_LIMIT, .arg = "N", .help = "log files kept per container"},
      {"network", TUG_FLAG_STRING, &c->network, .arg = "bridge|none",
       .help = "pod network (default bridge with --netns, else none)"},
      {"netns", TUG_FLAG_STRING, &c->netns, .arg = "NAME|PATH",
       .help = "the node's network namespace"},
      {"cluster-cidr", TUG_FLAG_STRING, &c->cluster_cidr, .arg = "CIDR",
       .help = "every pod address"},
      {"service-cluster-ip-range", TUG_FLAG_STRING, &c->service_cidr, .arg = "CIDR",
       .help = "Service virtual IPs"},
      {"seccomp-profile-dir", TUG_FLAG_STRING, &c->seccomp_dir, .arg = "DIR",
       .help = "Localhost seccomp profiles (default ROOT/seccomp)"},
      {"allowed-host-paths", TUG_FLAG_STRING, &c->allowed_host_paths, .arg = "PREFIX,...",
       .help = "where hostPath volumes may lie (default: nowhere)"},
      {"default-registry", TUG_FLAG_STRING, &c->default_registry, .arg = "HOST[:PORT]",
       .help = "registry of image names without a host (default: none, such names must be "
               "imported)"},
      {"insecure-registry", TUG_FLAG_STRING, &c->insecure_registries, .arg = "HOST[:PORT],...",
       .help = "registries pulled over plain HTTP (default: none, HTTPS verified)"},
      {"local-path-capacity", TUG_FLAG_STRING, &c->local_path_capacity, .arg = "Q",
       .help = "bytes local-path volumes may take on this node (default 10Gi)"},
      {"max-concurrent-downloads", TUG_FLAG_INT, &c->max_downloads, .min = 1, .max = 16, .arg = "N",
       .help = "layers of one pull fetched at once (containerd's max_concurrent_downloads)"},
      {"image-gc-high-threshold", TUG_FLAG_INT, &c->image_gc_high, .min = 0, .max = 100,
       .arg = "PERCENT", .help = "store disk use that starts image garbage collection"},
      {"image-gc-low-threshold", TUG_FLAG_INT, &c->image_gc_low, .min = 0, .max = 100,
       .arg = "PERCENT", .help = "disk use image garbage collection frees down to"},
      {"minimum-image-ttl-duration", TUG_FLAG_DURATION, &c->image_min_age_s, .min = 0, .max = 1e9,
       .arg = "DURATION", .help = "an image this young is never collected"},
      {"image-gc-period", TUG_FLAG_DURATION, &c->image_gc_period_s, .min = 0.1, .max = 86400,
       .arg = "DURATION", .help = "how often disk use is measured and status.images written"},
      {"hollow", TUG_FLAG_INT, &c->hollow, .min = 1, .max = AGENT_HOLLOW_MAX_NODES, .arg = "N",
       .help = "be N simulated nodes"},
      {"hollow-cpu", TUG_FLAG_MILLI, &c->hollow_cpu_milli, .min = 1, .max = 1e12, .arg = "Q",
       .help = "each hollow node's CPU"},
      {"hollow-memory", TUG_FLAG_QUANTITY, &c->hollow_memory_bytes, .min = 1, .max = 1e18,
       .arg = "Q", .help = "each hollow node's memory"},
      {"hollow-pods", TUG_FLAG_INT, &c->hollow_pods, .min = 1, .max = INT_MAX, .arg = "N",
       .help = "each hollow node's pod capacity"},
      {"hollow-node-ca", TUG_FLAG_STRING, &c->hollow_node_ca, .arg = "DIR",
       .help = "DIR/ca.crt and DIR/ca.key: each hollow node writes as system:node:NAME with a "
               "certificate issued from them"},
      {"hollow-job-seconds", TUG_FLAG_DURATION, &c->hollow_job_s, .min = 0,
       .max = AGENT_HOLLOW_MAX_RUN_SECONDS, .arg = "DURATION",
       .help = "run time of Never/OnFailure hollow pods"},
      {"log-level", TUG_FLAG_STRING, &c->log_level, .arg = "LEVEL",
       .help = "debug, info, warn or error"},
      {"log-file", TUG_FLAG_STRING, &c->log_file, .arg = "PATH", .help = "stderr when unset"},
      {0},
  };
  tug_error err = {0};
  int rc = tug_flags_parse("tug-agent", summary, flags, argc, argv, &err);
  if (rc == 0)
    rc = check(c, &err);
  if (rc < 0)
    fprintf(stderr, "tug-agent: %s (see --help)\n", err.msg);
  return rc;
}

/* busybox:latest into the store unless it is there already. */
static int ensure_busybox(const char *root, tug_error *err) {
  char rootfs[PATH_MAX];
  struct stat st;
  if (agent_image_rootfs(root, "busybox", "latest", rootfs, sizeof rootfs, err) < 0)
    return -1;
  if (stat(rootfs, &st) == 0 && S_ISDIR(st.st_mode))
    return 0;
  if (agent_image_build_busybox(root, err) < 0)
    return -1;
  tug_info("image built", "image=busybox:latest rootfs=%s", rootfs);
  return 0;
}

/* --netns: a name as `ip netns` keeps them, or a path to an nsfs file. */
static int open_netns(const char *netns, tug_error *err) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, strchr(netns, '/') ? "%s" : "/run/netns/%s", netns);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "--netns %s: open %s", netns, path);
  return fd;
}

static int start_network(const config *c, tug_client *client, int netns_fd, agent_network **out,
                         tug_error *err) {
  if (strcmp(c->network, "bridge") != 0)
    return 0;
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/network", c->root);
  agent_network_options o = {.client = client,
                             .node_name = c->node_name,
                             .state_dir = dir,
                             .netns_fd = netns_fd,
                             .node_ip = c->address,
                             .cluster_cidr = c->cluster_cidr,
                             .service_cidr = c->service_cidr};
  return agent_network_start(&o, out, err);
}

/* <root>/volumes/pv, where local-path volumes live (agent-volumes.h). */
static int make_pv_root(const char *dir, tug_error *err) {
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", dir);
  *strrchr(parent, '/') = '\0';
  if ((mkdir(parent, 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST))
    return tug_error_errno(err, errno, "mkdir %s", dir);
  return 0;
}

typedef struct gc_wiring {
  agent_podctl *pods;
  tug_client *client;
  const char *node_name;
} gc_wiring;

static json_t *gc_pod_images(void *arg) {
  return agent_podctl_images(((gc_wiring *)arg)->pods);
}

static int gc_publish(json_t *images, void *arg, tug_error *err) {
  gc_wiring *w = arg;
  return agent_node_patch_status(w->client, w->node_name, json_pack("{s:o}", "images", images),
                                 err);
}

static int start_image_gc(const config *c, agent_image_store *store, agent_puller *puller,
                          gc_wiring *w, agent_image_gc **out, tug_error *err) {
  agent_image_gc_options o = {.store = store,
                              .puller = puller,
                              .policy = {.high_percent = c->image_gc_high,
                                         .low_percent = c->image_gc_low,
                                         .min_age_s = c->image_min_age_s},
                              .period_s = c->image_gc_period_s,
                              .pod_images = gc_pod_images,
                              .publish = gc_publish,
                              .arg = w};
  return agent_image_gc_start(&o, out, err);
}

static int run(const config *c, tug_client *client, agent_runtime *rt, agent_image_store *store,
               tug_error *err) {
  agent_puller *puller = NULL;
  char pv_root[PATH_MAX];
  snprintf(pv_root, sizeof pv_root, "%s/volumes/pv", c->root);
  agent_pv_reclaimer *reclaimer = NULL;
  const char *host_ip = c->address;
  _cleanup_close_ int netns_fd = c->netns ? open_netns(c->netns, err) : -1;
  if (c->netns && netns_fd < 0)
    return -1;
  agent_network *network = NULL;
  agent_logs *logs = NULL;
  agent_node *node = NULL;
  tug_events *events = NULL;
  agent_podctl *pods = NULL;
  agent_image_gc *gc = NULL;
  int rc = -1;
  agent_puller_config pc = {
      .root = c->root, .default_registry = c->default_registry, .insecure = c->insecure_registries};
  if (agent_puller_new(store, &pc, &puller, err) < 0)
    return -1;
  if (start_network(c, client, netns_fd, &network, err) < 0) {
    agent_puller_free(puller);
    return -1;
  }
  agent_logs_options lo = {.root = c->root,
                           .address = c->address,
                           .port = c->port,
                           .max_size = c->container_log_max_size,
                           .max_files = c->container_log_max_files,
                           .netns_fd = netns_fd,
                           .tls_cert_pem = c->tls_cert_pem,
                           .tls_key_pem = c->tls_key_pem,
                           .client_ca_pem = c->client_ca_pem,
                           .rt = rt};
  agent_node_options no = {.client = client,
                           .name = c->node_name,
                           .max_pods = c->max_pods,
                           .reserved_cpu_milli = c->reserved_cpu_milli,
                           .host_ip = host_ip,
                           .port = c->port,
                           .root = c->root,
                           .local_path_root = pv_root,
                           .local_path_capacity =
                               c->local_path_capacity ? c->local_path_capacity : "10Gi",
                           .lease_renew_s = c->lease_renew_s};
  if (make_pv_root(pv_root, err) < 0 || agent_logs_start(&lo, &logs, err) < 0 ||
      agent_node_start(&no, &node, err) < 0 ||
      tug_events_open(client, "tug-agent", c->node_name, &events, err) < 0)
    goto out;
  int64_t cpu_milli, memory_bytes;
  agent_node_host_capacity(&cpu_milli, &memory_bytes);
  agent_pod_env env = {
      .rt = rt,
      .client = client,
      .root = c->root,
      .host_ip = host_ip,
      .pids_limit = c->pod_pids_limit,
      .backoff_base = (int)c->restart_backoff_s,
      .events = events,
      .network = network,
      .allowed_host_paths = c->allowed_host_paths,
      .puller = puller,
      .local_path_root = pv_root,
      .alloc_cpu_milli = cpu_milli > c->reserved_cpu_milli ? cpu_milli - c->reserved_cpu_milli : 0,
      .alloc_memory = memory_bytes};
  agent_podctl_options po = {.env = &env,
                             .node_name = c->node_name,
                             .max_pods = c->max_pods,
                             .fence_after_s = c->fence_after_s,
                             .last_renewed = last_renewed,
                             .renewed_arg = node};
  if (agent_podctl_start(&po, &pods, err) < 0 ||
      agent_pv_reclaimer_start(client, c->node_name, pv_root, &reclaimer, err) < 0)
    goto out;
  gc_wiring w = {.pods = pods, .client = client, .node_name = c->node_name};
  if (start_image_gc(c, store, puller, &w, &gc, err) < 0) {
    agent_podctl_stop(pods);
    goto out;
  }
  tug_controller *shown[] = {agent_podctl_controller(pods),
                             network ? agent_network_controller(network) : NULL};
  agent_logs_show_controllers(logs, shown, network ? 2 : 1);
  tug_info("agent running", "node=%s server=%s root=%s network=%s", c->node_name,
           tug_client_server(client), c->root, c->network);
  int sig = tug_daemon_wait_signal();
  tug_info("shutting down, pods keep running", "signal=%s", strsignal(sig));
  agent_image_gc_stop(gc);
  agent_logs_show_controllers(logs, NULL, 0);
  agent_podctl_stop(pods);
  rc = 0;
out:
  agent_pv_reclaimer_stop(reclaimer);
  if (events)
    tug_events_close(events);
  if (node)
    agent_node_stop(node);
  if (logs)
    agent_logs_stop(logs);
  agent_network_stop(network);
  /* The puller stays: a pull thread still running holds it until the process ends. */
  return rc;
}

static int run_hollow(const config *c, tug_error *err) {
  agent_hollow_options o = {.server = c->server,
                            .kubeconfig = c->kubeconfig,
                            .prefix = c->node_name,
                            .count = c->hollow,
                            .cpu_milli = c->hollow_cpu_milli,
                            .memory_bytes = c->hollow_memory_bytes,
                            .max_pods = c->hollow_pods,
                            .host_ip = c->address,
                            .port = c->port,
                            .job_seconds = (long)c->hollow_job_s,
                            .node_ca_dir = c->hollow_node_ca};
  agent_hollow *h = NULL;
  if (agent_hollow_start(&o, &h, err) < 0)
    return -1;
  tug_info("hollow agent running", "nodes=%d prefix=%s server=%s", c->hollow, c->node_name,
           c->server ? c->server : c->kubeconfig);
  int sig = tug_daemon_wait_signal();
  tug_info("shutting down, hollow nodes stay registered", "signal=%s", strsignal(sig));
  agent_hollow_stop(h);
  return 0;
}

/* tug-agent image VERB [--root DIR] ARGS...: import (a rootfs directory or a
 * tar(.gz) of one), ls, rm, load (image-cmd.h); then exit. */
static int image_cmd(int argc, char **argv) {
  const char *root = "/var/lib/tug", *verb = argc > 0 ? argv[0] : "";
  int i = 1;
  if (argc >= 3 && strcmp(argv[1], "--root") == 0) {
    root = argv[2];
    i = 3;
  } else if (argc >= 2 && strncmp(argv[1], "--root=", 7) == 0) {
    root = argv[1] + 7;
    i = 2;
  }
  if (strcmp(verb, "import") != 0)
    return agent_image_cmd(verb, root, argc - i, argv + i);
  if (argc - i != 2) {
    fprintf(stderr, "usage: tug-agent image import [--root DIR] NAME[:TAG] SRC\n"
                    "  SRC: a rootfs directory, or a .tar / .tar.gz of one\n");
    return 2;
  }
  char name[128], tag[128];
  tug_error err = {0};
  if (agent_podspec_image_ref(argv[i], name, sizeof name, tag, sizeof tag, &err) < 0 ||
      agent_image_import(root, name, tag, argv[i + 1], &err) < 0) {
    fprintf(stderr, "tug-agent: image import %s from %s: %s\n", argv[i], argv[i + 1], err.msg);
    return 1;
  }
  printf("imported %s:%s into %s/images\n", name, tag, root);
  return 0;
}

/* The log server's pair and client CA, checked for expiry. */
static int read_tls(config *c, tug_error *err) {
  if (c->tls_cert_file == NULL)
    return 0;
  if ((c->tls_cert_pem = tug_read_file(c->tls_cert_file, 1 << 20, NULL, err)) == NULL ||
      (c->tls_key_pem = tug_read_file(c->tls_key_file, 1 << 20, NULL, err)) == NULL ||
      (c->client_ca_pem = tug_read_file(c->client_ca_file, 1 << 20, NULL, err)) == NULL)
    return tug_error_wrap(err, "log server TLS");
  return tug_pki_check_cert_pem("--tls-cert-file", c->tls_cert_pem, strlen(c->tls_cert_pem), 0,
                                err);
}

/* The real agent: image store, runtime, API client, then run. */
static int run_node(config *c, tug_error *err) {
  char state[PATH_MAX], data[PATH_MAX], seccomp[PATH_MAX];
  snprintf(state, sizeof state, "%s/state", c->root);
  snprintf(data, sizeof data, "%s/data", c->root);
  snprintf(seccomp, sizeof seccomp, "%s/seccomp", c->root);
  agent_runtime *rt = NULL;
  tug_client *client = NULL;
  agent_image_store *store = NULL;
  int rc = -1;
  if ((!c->build_busybox || ensure_busybox(c->root, err) == 0) &&
      agent_image_store_open(c->root, &store, err) == 0 &&
      (agent_image_store_set_downloads(store, c->max_downloads), true) &&
      agent_runtime_open(state, &rt, err) == 0 && agent_runtime_set_data_dir(rt, data, err) == 0 &&
      agent_runtime_set_seccomp_dir(rt, c->seccomp_dir ? c->seccomp_dir : seccomp, err) == 0 &&
      read_tls(c, err) == 0 &&
      (client = tug_kubeconfig_client_for_flags(c->kubeconfig, c->server, NULL, err)) != NULL)
    rc = run(c, client, rt, store, err);
  tug_client_free(client);
  agent_image_store_close(store);
  if (rt)
    agent_runtime_close(rt);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "image") == 0)
    return image_cmd(argc - 2, argv + 2);
  config c;
  int parsed = parse_args(argc, argv, &c);
  if (parsed != 0)
    return parsed > 0 ? 0 : 2;
  /* Signals are blocked from here on in every thread; the runtime unblocks
   * them in each container's first process before it execs. */
  if (tug_daemon_init("tug-agent", "agent", c.log_level, c.log_file) < 0)
    return 2;
  tug_error err = {0};
  if ((c.hollow > 0 ? run_hollow(&c, &err) : run_node(&c, &err)) < 0) {
    tug_errorlog(c.hollow > 0 ? "hollow agent failed" : "agent failed", "err=%s",
                 TUG_LOG_ERR(&err));
    fprintf(stderr, "tug-agent: %s\n", err.msg);
    return 1;
  }
  return 0;
}
