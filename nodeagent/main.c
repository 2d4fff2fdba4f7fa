/*
 * tug-agent — the node agent: registers this host as a Node, keeps its Lease,
 * and runs the pods bound to it as containers (agent-pods.c, agent-pod.c on
 * the runtime of runtime.h). main parses flags and wires the pieces, waits
 * for SIGTERM/SIGINT, and then stops its threads but leaves the pods'
 * containers running. With --hollow N it is N simulated nodes instead
 * (agent-hollow.h) and touches nothing on the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
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
#include "agent-pods.h"
#include "agent-podspec.h"
#include "cleanup.h"
#include "error.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "quantity.h"
#include "runtime.h"

/* Processes per pod unless --pod-pids-limit says otherwise: a fork bomb in
 * one pod must not take the node's pid space. */
enum { AGENT_DEFAULT_POD_PIDS_LIMIT = 4096 };

typedef struct config {
  const char *server, *node_name, *root, *log_level, *log_file, *address;
  int max_pods, port;
  int64_t reserved_cpu_milli, pod_pids_limit;
  int restart_backoff_seconds;
  bool build_busybox;
  int hollow, hollow_pods;
  int64_t hollow_cpu_milli, hollow_memory_bytes;
  long hollow_job_seconds;
  int64_t container_log_max_size;
  int container_log_max_files;
  const char *netns;   /* the node's network namespace: a name under /run/netns or a path */
  const char *network; /* "bridge" or "none" */
  const char *cluster_cidr, *service_cidr;
  const char *seccomp_dir;        /* Localhost seccomp profiles; NULL: <root>/seccomp */
  const char *allowed_host_paths; /* comma-separated prefixes; NULL: no hostPath */
} config;

static void usage(FILE *f) {
  fprintf(f, "usage: tug-agent --server URL --node-name NAME [--root DIR] [--max-pods N]\n"
             "                 [--reserved-cpu Q] [--pod-pids-limit N]\n"
             "                 [--restart-backoff-seconds N] [--build-busybox]\n"
             "                 [--address IP] [--port N]\n"
             "                 [--container-log-max-size Q] [--container-log-max-files N]\n"
             "                 [--log-level L] [--log-file PATH]\n"
             "                 [--network bridge|none] [--netns NAME|PATH]\n"
             "                 [--cluster-cidr CIDR] [--service-cluster-ip-range CIDR]\n"
             "                 [--seccomp-profile-dir DIR]\n"
             "                 [--allowed-host-paths PREFIX,...]\n"
             "       tug-agent --server URL --hollow N [--node-name PREFIX]\n"
             "                 [--hollow-cpu Q] [--hollow-memory Q] [--hollow-pods N]\n"
             "                 [--hollow-job-seconds S] [--address IP] [--log-level L]\n"
             "       tug-agent image import [--root DIR] NAME[:TAG] SRC\n"
             "\n"
             "--hollow N registers N simulated nodes PREFIX-0 ... PREFIX-(N-1) (PREFIX:\n"
             "--node-name, default \"hollow\"), each with --hollow-cpu (default 4),\n"
             "--hollow-memory (16Gi) and --hollow-pods (110) of capacity, and renews their\n"
             "Leases. Pods bound to them are marked Running with a fake IP from\n"
             "198.18.0.0/16 and no process; pods with restartPolicy Never or OnFailure\n"
             "Succeed after the seconds of their annotation tug.io/hollow-run-seconds, or\n"
             "else after --hollow-job-seconds (default 5). Needs no root.\n"
             "\n"
             "--network bridge gives pods addresses from the node's spec.podCIDR on a\n"
             "bridge tug0, routes to other nodes' pods and Services as nftables rules\n"
             "(default with --netns, else none: pods have loopback only). --netns makes\n"
             "the agent one of several hosts on this machine: the network, the log\n"
             "server and --address live in that namespace.\n"
             "\n"
             "--seccomp-profile-dir holds the JSON profiles (Docker/OCI format) that pods\n"
             "name with seccompProfile type Localhost (default ROOT/seccomp).\n"
             "\n"
             "--allowed-host-paths lists the host directories under which a pod's hostPath\n"
             "volumes may lie (component by component: /data allows /data/x, not\n"
             "/database); without it no hostPath is mounted on this node. /proc and\n"
             "magic links are refused under any prefix. --pod-pids-limit (default 4096)\n"
             "caps each pod's processes; 0 for none.\n");
}

static int parse_int(const char *flag, const char *s, long min, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || end == s || v < min || v > INT_MAX) {
    fprintf(stderr, "tug-agent: %s: invalid value \"%s\"\n", flag, s);
    return -1;
  }
  *out = v;
  return 0;
}

enum flag {
  SERVER = 1,
  NODE,
  ROOT,
  MAX_PODS,
  RESERVED,
  PIDS,
  BACKOFF,
  BUSYBOX,
  LEVEL,
  LOGFILE,
  ADDRESS,
  PORT,
  HOLLOW,
  HOLLOW_CPU,
  HOLLOW_MEMORY,
  HOLLOW_PODS,
  HOLLOW_JOB_SECONDS,
  LOG_MAX_SIZE,
  LOG_MAX_FILES,
  NETNS,
  NETWORK,
  CLUSTER_CIDR,
  SERVICE_CIDR,
  SECCOMP_DIR,
  ALLOWED_HOST_PATHS
};

/* The --hollow* flags. */
static int parse_hollow_flag(int opt, const char *arg, config *c) {
  long long v;
  tug_error err = {0};
  switch (opt) {
  case HOLLOW:
    if (parse_int("--hollow", arg, 1, &v) < 0)
      return -1;
    if (v > AGENT_HOLLOW_MAX_NODES) {
      fprintf(stderr, "tug-agent: --hollow: at most %d nodes\n", AGENT_HOLLOW_MAX_NODES);
      return -1;
    }
    c->hollow = (int)v;
    return 0;
  case HOLLOW_PODS:
    if (parse_int("--hollow-pods", arg, 1, &v) < 0)
      return -1;
    c->hollow_pods = (int)v;
    return 0;
  case HOLLOW_JOB_SECONDS:
    if (parse_int("--hollow-job-seconds", arg, 0, &v) < 0)
      return -1;
    c->hollow_job_seconds = (long)v;
    return 0;
  case HOLLOW_CPU:
    if (tug_quantity_parse_milli(arg, 0, &c->hollow_cpu_milli, &err) < 0) {
      fprintf(stderr, "tug-agent: --hollow-cpu: %s\n", err.msg);
      return -1;
    }
    return 0;
  case HOLLOW_MEMORY:
    if (tug_quantity_parse_value(arg, 0, &c->hollow_memory_bytes, &err) < 0) {
      fprintf(stderr, "tug-agent: --hollow-memory: %s\n", err.msg);
      return -1;
    }
    return 0;
  default:
    return -1;
  }
}

/* --container-log-max-size and --container-log-max-files, as the kubelet's. */
static int parse_log_flag(int opt, const char *arg, config *c) {
  long long v;
  tug_error err = {0};
  if (opt == LOG_MAX_FILES) {
    if (parse_int("--container-log-max-files", arg, 2, &v) < 0)
      return -1;
    if (v > AGENT_LOGS_MAX_FILES_LIMIT) {
      fprintf(stderr, "tug-agent: --container-log-max-files: at most %d\n",
              AGENT_LOGS_MAX_FILES_LIMIT);
      return -1;
    }
    c->container_log_max_files = (int)v;
    return 0;
  }
  if (tug_quantity_parse_value(arg, 0, &c->container_log_max_size, &err) < 0 ||
      c->container_log_max_size < 1) {
    fprintf(stderr, "tug-agent: --container-log-max-size: %s\n",
            err.msg[0] ? err.msg : "must be more than 0");
    return -1;
  }
  return 0;
}

static int parse_flags(int argc, char **argv, config *c) {
  static const struct option opts[] = {
      {"server", required_argument, NULL, SERVER},
      {"node-name", required_argument, NULL, NODE},
      {"root", required_argument, NULL, ROOT},
      {"max-pods", required_argument, NULL, MAX_PODS},
      {"reserved-cpu", required_argument, NULL, RESERVED},
      {"pod-pids-limit", required_argument, NULL, PIDS},
      {"restart-backoff-seconds", required_argument, NULL, BACKOFF},
      {"build-busybox", no_argument, NULL, BUSYBOX},
      {"log-level", required_argument, NULL, LEVEL},
      {"log-file", required_argument, NULL, LOGFILE},
      {"address", required_argument, NULL, ADDRESS},
      {"port", required_argument, NULL, PORT},
      {"hollow", required_argument, NULL, HOLLOW},
      {"hollow-cpu", required_argument, NULL, HOLLOW_CPU},
      {"hollow-memory", required_argument, NULL, HOLLOW_MEMORY},
      {"hollow-pods", required_argument, NULL, HOLLOW_PODS},
      {"hollow-job-seconds", required_argument, NULL, HOLLOW_JOB_SECONDS},
      {"container-log-max-size", required_argument, NULL, LOG_MAX_SIZE},
      {"container-log-max-files", required_argument, NULL, LOG_MAX_FILES},
      {"netns", required_argument, NULL, NETNS},
      {"network", required_argument, NULL, NETWORK},
      {"cluster-cidr", required_argument, NULL, CLUSTER_CIDR},
      {"service-cluster-ip-range", required_argument, NULL, SERVICE_CIDR},
      {"seccomp-profile-dir", required_argument, NULL, SECCOMP_DIR},
      {"allowed-host-paths", required_argument, NULL, ALLOWED_HOST_PATHS},
      {"help", no_argument, NULL, 'h'},
      {0},
  };
  *c = (config){.root = "/var/lib/tug",
                .address = "127.0.0.1",
                .port = 10250,
                .max_pods = 110,
                .log_level = "info",
                .restart_backoff_seconds = AGENT_BACKOFF_BASE_SECONDS,
                .hollow_pods = 110,
                .hollow_cpu_milli = 4000,
                .hollow_memory_bytes = 16LL << 30,
                .hollow_job_seconds = AGENT_HOLLOW_JOB_SECONDS,
                .container_log_max_size = AGENT_LOGS_DEFAULT_MAX_SIZE,
                .container_log_max_files = AGENT_LOGS_DEFAULT_MAX_FILES,
                .pod_pids_limit = AGENT_DEFAULT_POD_PIDS_LIMIT,
                .cluster_cidr = "198.18.0.0/16",
                .service_cidr = "198.19.0.0/17"};
  int opt;
  long long v;
  tug_error err = {0};
  while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (opt) {
    case SERVER:
      c->server = optarg;
      break;
    case NODE:
      c->node_name = optarg;
      break;
    case ROOT:
      c->root = optarg;
      break;
    case LEVEL:
      c->log_level = optarg;
      break;
    case LOGFILE:
      c->log_file = optarg;
      break;
    case BUSYBOX:
      c->build_busybox = true;
      break;
    case ADDRESS:
      c->address = optarg;
      break;
    case PORT:
      if (parse_int("--port", optarg, 1, &v) < 0 || v > 65535)
        return -1;
      c->port = (int)v;
      break;
    case MAX_PODS:
      if (parse_int("--max-pods", optarg, 1, &v) < 0)
        return -1;
      c->max_pods = (int)v;
      break;
    case PIDS:
      if (parse_int("--pod-pids-limit", optarg, 0, &v) < 0)
        return -1;
      c->pod_pids_limit = v;
      break;
    case BACKOFF:
      if (parse_int("--restart-backoff-seconds", optarg, 1, &v) < 0)
        return -1;
      c->restart_backoff_seconds = (int)v;
      break;
    case RESERVED:
      if (tug_quantity_parse_milli(optarg, 0, &c->reserved_cpu_milli, &err) < 0) {
        fprintf(stderr, "tug-agent: --reserved-cpu: %s\n", err.msg);
        return -1;
      }
      break;
    case HOLLOW:
    case HOLLOW_CPU:
    case HOLLOW_MEMORY:
    case HOLLOW_PODS:
    case HOLLOW_JOB_SECONDS:
      if (parse_hollow_flag(opt, optarg, c) < 0)
        return -1;
      break;
    case LOG_MAX_SIZE:
    case LOG_MAX_FILES:
      if (parse_log_flag(opt, optarg, c) < 0)
        return -1;
      break;
    case NETNS:
      c->netns = optarg;
      break;
    case NETWORK:
      if (strcmp(optarg, "bridge") != 0 && strcmp(optarg, "none") != 0) {
        fprintf(stderr, "tug-agent: --network: \"%s\" is neither bridge nor none\n", optarg);
        return -1;
      }
      c->network = optarg;
      break;
    case CLUSTER_CIDR:
      c->cluster_cidr = optarg;
      break;
    case SERVICE_CIDR:
      c->service_cidr = optarg;
      break;
    case SECCOMP_DIR:
      c->seccomp_dir = optarg;
      break;
    case ALLOWED_HOST_PATHS:
      c->allowed_host_paths = optarg;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return -1;
    }
  }
  if (c->network == NULL)
    c->network = c->netns ? "bridge" : "none";
  if (c->hollow > 0 && c->node_name == NULL)
    c->node_name = "hollow";
  if (c->server == NULL || c->node_name == NULL || optind != argc) {
    usage(stderr);
    return -1;
  }
  return 0;
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

/*
 * SIGTERM/SIGINT reach a handler that writes to a pipe main reads. Not
 * blocked with a signal mask: the containers the agent forks would inherit
 * the mask through exec, and a blocked SIGTERM never reaches them.
 */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig) {
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  ssize_t n = write(signal_pipe[1], &b, 1);
  (void)n;
  errno = saved;
}

static int install_signal_handlers(tug_error *err) {
  if (pipe2(signal_pipe, O_CLOEXEC) < 0)
    return tug_error_errno(err, errno, "signal pipe");
  struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
    return tug_error_errno(err, errno, "install signal handlers");
  return 0;
}

static int wait_for_signal(void) {
  unsigned char b = 0;
  while (read(signal_pipe[0], &b, 1) < 0 && errno == EINTR)
    ;
  return b;
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

static int run(const config *c, tug_client *client, agent_runtime *rt, tug_error *err) {
  const char *host_ip = c->address;
  _cleanup_close_ int netns_fd = c->netns ? open_netns(c->netns, err) : -1;
  if (c->netns && netns_fd < 0)
    return -1;
  agent_network *network = NULL;
  agent_logs *logs = NULL;
  agent_node *node = NULL;
  tug_events *events = NULL;
  agent_pods *pods = NULL;
  int rc = -1;
  if (start_network(c, client, netns_fd, &network, err) < 0)
    return -1;
  agent_logs_options lo = {.root = c->root,
                           .address = c->address,
                           .port = c->port,
                           .max_size = c->container_log_max_size,
                           .max_files = c->container_log_max_files,
                           .netns_fd = netns_fd};
  agent_node_options no = {.client = client,
                           .name = c->node_name,
                           .max_pods = c->max_pods,
                           .reserved_cpu_milli = c->reserved_cpu_milli,
                           .host_ip = host_ip,
                           .port = c->port,
                           .root = c->root};
  if (agent_logs_start(&lo, &logs, err) < 0 || agent_node_start(&no, &node, err) < 0 ||
      tug_events_open(client, "tug-agent", c->node_name, &events, err) < 0)
    goto out;
  agent_pod_env env = {.rt = rt,
                       .client = client,
                       .root = c->root,
                       .host_ip = host_ip,
                       .pids_limit = c->pod_pids_limit,
                       .backoff_base = c->restart_backoff_seconds,
                       .events = events,
                       .network = network,
                       .allowed_host_paths = c->allowed_host_paths};
  agent_pods_options po = {.env = &env, .node_name = c->node_name, .max_pods = c->max_pods};
  if (agent_pods_start(&po, &pods, err) < 0)
    goto out;
  tug_info("agent running", "node=%s server=%s root=%s network=%s", c->node_name, c->server,
           c->root, c->network);
  int sig = wait_for_signal();
  tug_info("shutting down, pods keep running", "signal=%s", strsignal(sig));
  agent_pods_stop(pods);
  rc = 0;
out:
  if (events)
    tug_events_close(events);
  if (node)
    agent_node_stop(node);
  if (logs)
    agent_logs_stop(logs);
  agent_network_stop(network);
  return rc;
}

static int run_hollow(const config *c, tug_error *err) {
  agent_hollow_options o = {.server = c->server,
                            .prefix = c->node_name,
                            .count = c->hollow,
                            .cpu_milli = c->hollow_cpu_milli,
                            .memory_bytes = c->hollow_memory_bytes,
                            .max_pods = c->hollow_pods,
                            .host_ip = c->address,
                            .port = c->port,
                            .job_seconds = c->hollow_job_seconds};
  agent_hollow *h = NULL;
  if (agent_hollow_start(&o, &h, err) < 0)
    return -1;
  tug_info("hollow agent running", "nodes=%d prefix=%s server=%s", c->hollow, c->node_name,
           c->server);
  int sig = wait_for_signal();
  tug_info("shutting down, hollow nodes stay registered", "signal=%s", strsignal(sig));
  agent_hollow_stop(h);
  return 0;
}

/* tug-agent image import [--root DIR] NAME[:TAG] SRC: put a rootfs directory
 * or a tar(.gz) into the node's image store, then exit. */
static int image_import(int argc, char **argv) {
  const char *root = "/var/lib/tug";
  int i = 0;
  if (argc >= 2 && strcmp(argv[0], "--root") == 0) {
    root = argv[1];
    i = 2;
  } else if (argc >= 1 && strncmp(argv[0], "--root=", 7) == 0) {
    root = argv[0] + 7;
    i = 1;
  }
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

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "image") == 0 && strcmp(argv[2], "import") == 0)
    return image_import(argc - 3, argv + 3);
  config c;
  if (parse_flags(argc, argv, &c) < 0)
    return 2;
  int level = tug_log_level_parse(c.log_level);
  if (level < 0 || tug_log_init("agent", (tug_log_level)level, c.log_file) < 0) {
    fprintf(stderr, "tug-agent: bad --log-level or --log-file\n");
    return 2;
  }
  tug_error err = {0};
  if (c.hollow > 0) {
    if (install_signal_handlers(&err) < 0 || run_hollow(&c, &err) < 0) {
      tug_errorlog("hollow agent failed", "err=%s", TUG_LOG_Q(err.msg));
      return 1;
    }
    return 0;
  }
  char state[PATH_MAX], data[PATH_MAX], seccomp[PATH_MAX];
  snprintf(state, sizeof state, "%s/state", c.root);
  snprintf(data, sizeof data, "%s/data", c.root);
  snprintf(seccomp, sizeof seccomp, "%s/seccomp", c.root);
  agent_runtime *rt = NULL;
  tug_client *client = NULL;
  int rc = 1;
  if (install_signal_handlers(&err) < 0 || (c.build_busybox && ensure_busybox(c.root, &err) < 0) ||
      agent_runtime_open(state, &rt, &err) < 0 || agent_runtime_set_data_dir(rt, data, &err) < 0 ||
      agent_runtime_set_seccomp_dir(rt, c.seccomp_dir ? c.seccomp_dir : seccomp, &err) < 0 ||
      (client = tug_client_new(c.server, NULL, &err)) == NULL || run(&c, client, rt, &err) < 0)
    tug_errorlog("agent failed", "err=%s", TUG_LOG_Q(err.msg));
  else
    rc = 0;
  tug_client_free(client);
  if (rt)
    agent_runtime_close(rt);
  return rc;
}
