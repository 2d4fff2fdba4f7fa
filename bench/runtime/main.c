/*
 * bench/runtime — start-to-exit of /bin/true in the busybox image: Tugboat's
 * runtime against crun, same rootfs, same sandbox namespaces (crun joins the
 * sandbox's net/ipc/uts ns files by path), same cgroup limits, and the same
 * hardening: the runtime default seccomp rules, masked and read-only /proc
 * and /sys paths, and the devices cgroup allowlist, all exported to crun's
 * config from the agent's own tables.
 *
 * The runtime comes from nodeagent's archive. crun 1.8.1 refuses the hybrid cgroup
 * layout, so its runs happen in a child that unshares its mount namespace
 * and unmounts /sys/fs/cgroup/unified there.
 *
 *   build/bench-runtime [-n RUNS] [--no-crun] [--userns] [--unconfined]
 *
 * --unconfined: Tugboat's containers run privileged (no seccomp, no masked
 * paths, no device rules), to see what the hardening costs.
 * --userns: the pod has a user namespace of its own (spec.hostUsers false),
 * and the sandbox's creation and removal is timed too, with and without one.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "runtime-internal.h"
#include "runtime-seccomp.h"
#include "runtime.h"

static const agent_resources limits = {
    .cpu_request_milli = 500, .cpu_limit_milli = 1000, .memory_limit = 64 << 20, .pids_max = 64};

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void report(const char *what, double *ms, int n, double *median_out) {
  qsort(ms, (size_t)n, sizeof *ms, cmp_double);
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  int p99 = (int)((n * 99 + 99) / 100) - 1;
  printf("%-34s runs=%d median=%.2f ms p99=%.2f ms min=%.2f ms\n", what, n, median,
         ms[p99 < 0 ? 0 : p99], ms[0]);
  if (median_out)
    *median_out = median;
}

static bool unconfined;

static int bench_tugboat(agent_runtime *rt, agent_sandbox *sb, const char *rootfs, int n,
                         double *to_exit, double *to_removed) {
  tug_error err = {0};
  for (int i = 0; i < n; i++) {
    agent_container_spec spec = {.name = "true",
                                 .rootfs = rootfs,
                                 .argv = (char *[]){"/bin/true", NULL},
                                 .resources = limits,
                                 .security = {.privileged = unconfined}};
    agent_container *c;
    agent_process_status st;
    double t0 = tug_monotonic_seconds();
    if (agent_runtime_container_start(rt, sb, &spec, &c, &err) < 0 ||
        agent_runtime_container_wait(c, -1, &st, &err) < 0) {
      fprintf(stderr, "tugboat run %d: %s\n", i, err.msg);
      return -1;
    }
    double t1 = tug_monotonic_seconds();
    if (agent_runtime_container_remove(rt, c, &err) < 0) {
      fprintf(stderr, "tugboat remove %d: %s\n", i, err.msg);
      return -1;
    }
    to_exit[i] = (t1 - t0) * 1e3;
    to_removed[i] = (tug_monotonic_seconds() - t0) * 1e3;
    if (st.exit_code != 0) {
      fprintf(stderr, "tugboat run %d: exit code %d\n", i, st.exit_code);
      return -1;
    }
  }
  return 0;
}

/* Sandbox create+remove, n times, with or without a user namespace. */
static int bench_sandboxes(agent_runtime *rt, int n, bool userns, double *ms) {
  tug_error err = {0};
  agent_sandbox_spec spec = {
      .pod_uid = "bench-sandbox", .pod_name = "bench", .user_namespace = userns};
  for (int i = 0; i < n; i++) {
    agent_sandbox *sb;
    double t0 = tug_monotonic_seconds();
    if (agent_runtime_sandbox_create(rt, &spec, &sb, &err) < 0 ||
        agent_runtime_sandbox_remove(rt, sb, &err) < 0) {
      fprintf(stderr, "sandbox %d: %s\n", i, err.msg);
      return -1;
    }
    ms[i] = (tug_monotonic_seconds() - t0) * 1e3;
  }
  return 0;
}

/* "/proc/kcore", ... from the runtime's table of paths relative to the root. */
static json_t *oci_paths(const char *const *paths) {
  json_t *a = json_array();
  for (; *paths; paths++)
    json_array_append_new(a, json_sprintf("/%s", *paths));
  return a;
}

/* The devices cgroup allowlist as OCI linux.resources.devices: deny all, then
 * the runtime's rules (-1: any major or minor). */
static json_t *oci_devices(void) {
  json_t *a = json_pack("[{s:b, s:s}]", "allow", 0, "access", "rwm");
  for (size_t i = 0; i < agent_n_default_devices; i++) {
    const agent_device_rule *r = &agent_default_devices[i];
    char access[4];
    agent_device_access(r->access, access);
    json_t *rule =
        json_pack("{s:b, s:s%, s:s}", "allow", 1, "type", &r->type, (size_t)1, "access", access);
    if (r->major >= 0)
      json_object_set_new(rule, "major", json_integer(r->major));
    if (r->minor >= 0)
      json_object_set_new(rule, "minor", json_integer(r->minor));
    json_array_append_new(a, rule);
  }
  return a;
}

static int write_crun_bundle(const char *bundle, const char *rootfs, const agent_sandbox *sb) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/config.json", bundle);
  json_t *hardening =
      json_pack("{s:o, s:o, s:o, s:o}", "seccomp",
                agent_seccomp_default_oci(agent_security_caps(&(agent_security){0})), "maskedPaths",
                oci_paths(agent_masked_paths), "readonlyPaths", oci_paths(agent_readonly_paths),
                "devices", oci_devices());
  char *seccomp_json = json_dumps(json_object_get(hardening, "seccomp"), JSON_COMPACT),
       *masked_json = json_dumps(json_object_get(hardening, "maskedPaths"), JSON_COMPACT),
       *readonly_json = json_dumps(json_object_get(hardening, "readonlyPaths"), JSON_COMPACT),
       *devices_json = json_dumps(json_object_get(hardening, "devices"), JSON_COMPACT);
  json_decref(hardening);
  FILE *f = seccomp_json && masked_json && readonly_json && devices_json ? fopen(path, "we") : NULL;
  if (f == NULL) {
    free(seccomp_json);
    free(masked_json);
    free(readonly_json);
    free(devices_json);
    return -1;
  }
  const char *caps = "\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_FSETID\","
                     "\"CAP_KILL\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETPCAP\","
                     "\"CAP_NET_BIND_SERVICE\",\"CAP_NET_RAW\",\"CAP_SYS_CHROOT\",\"CAP_MKNOD\","
                     "\"CAP_AUDIT_WRITE\",\"CAP_SETFCAP\"";
  fprintf(f,
          "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\",\"readonly\":true},"
          "\"hostname\":\"%s\","
          "\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\"cwd\":\"/\","
          "\"args\":[\"/bin/true\"],\"env\":[\"%s\"],\"noNewPrivileges\":true,"
          "\"capabilities\":{\"bounding\":[%s],\"effective\":[%s],\"permitted\":[%s]}},"
          "\"mounts\":["
          "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\","
          "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
          "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
          "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
          "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
          "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"]},"
          "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
          "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
          "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
          "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
          "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"%s/hosts\","
          "\"options\":[\"bind\",\"ro\"]},"
          "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"%s/resolv.conf\","
          "\"options\":[\"bind\",\"ro\"]}],"
          "\"linux\":{\"cgroupsPath\":\"/tug/bench-crun\",\"seccomp\":%s,"
          "\"maskedPaths\":%s,\"readonlyPaths\":%s,"
          "\"resources\":{\"devices\":%s,\"cpu\":{\"shares\":512,\"quota\":100000,"
          "\"period\":100000},\"memory\":{\"limit\":%d},\"pids\":{\"limit\":64}},"
          "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
          "{\"type\":\"network\",\"path\":\"%s/ns/net\"},{\"type\":\"ipc\",\"path\":\"%s/ns/ipc\"},"
          "{\"type\":\"uts\",\"path\":\"%s/ns/uts\"}]}}\n",
          rootfs, sb->name, AGENT_DEFAULT_PATH, caps, caps, caps, sb->dir, sb->dir, seccomp_json,
          masked_json, readonly_json, devices_json, 64 << 20, sb->dir, sb->dir, sb->dir);
  free(seccomp_json);
  free(masked_json);
  free(readonly_json);
  free(devices_json);
  return fclose(f);
}

/* In a child with a private mount namespace and no cgroup2 mount: crun's runs. */
static int bench_crun(const char *root, const char *bundle, int n, double *ms) {
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
      perror("unshare mount namespace");
      _exit(1);
    }
    umount2("/sys/fs/cgroup/unified", MNT_DETACH);
    char state[PATH_MAX + 16], id[32];
    snprintf(state, sizeof state, "%s/crun-state", root);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    for (int i = 0; i < n; i++) {
      snprintf(id, sizeof id, "bench-%d", i);
      char *argv[] = {"crun",
                      "--cgroup-manager=cgroupfs",
                      "--root",
                      state,
                      "run",
                      "--bundle",
                      (char *)bundle,
                      id,
                      NULL};
      double t0 = tug_monotonic_seconds();
      int status;
      if (posix_spawnp(&pid, "crun", &fa, NULL, argv, environ) != 0 ||
          waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "crun run %d failed\n", i);
        _exit(1);
      }
      ms[i] = (tug_monotonic_seconds() - t0) * 1e3;
    }
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  int n = 100;
  bool with_crun = true, userns = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
      n = atoi(argv[++i]);
    else if (strcmp(argv[i], "--no-crun") == 0)
      with_crun = false;
    else if (strcmp(argv[i], "--userns") == 0)
      userns = true;
    else if (strcmp(argv[i], "--unconfined") == 0)
      unconfined = true;
    else {
      fprintf(stderr, "usage: %s [-n RUNS] [--no-crun] [--userns] [--unconfined]\n", argv[0]);
      return 2;
    }
  }
  if (n < 1 || geteuid() != 0) {
    fprintf(stderr, "bench-runtime: needs root and -n >= 1\n");
    return 2;
  }
  char root[] = "/var/tmp/tug-bench-runtime.XXXXXX", state[64], rootfs[PATH_MAX], bundle[64];
  if (mkdtemp(root) == NULL)
    return 1;
  snprintf(state, sizeof state, "%s/state", root);
  snprintf(bundle, sizeof bundle, "%s/bundle", root);
  tug_error err = {0};
  agent_runtime *rt = NULL;
  agent_sandbox *sb = NULL;
  agent_sandbox_spec spec = {
      .pod_uid = "bench-runtime", .pod_name = "bench", .user_namespace = userns};
  double *mem = mmap(NULL, 3 * (size_t)n * sizeof(double), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  int rc = 1;
  if (mem == MAP_FAILED || agent_image_build_busybox(root, &err) < 0 ||
      agent_image_rootfs(root, "busybox", "latest", rootfs, sizeof rootfs, &err) < 0 ||
      agent_runtime_open(state, &rt, &err) < 0 ||
      agent_runtime_sandbox_create(rt, &spec, &sb, &err) < 0) {
    fprintf(stderr, "bench-runtime: %s\n", err.msg);
    goto out;
  }
  double *ours = mem, *ours_removed = mem + n, *crun = mem + 2 * n, m_ours, m_removed, m_crun;
  if (bench_tugboat(rt, sb, rootfs, n, ours, ours_removed) < 0)
    goto out;
  report("tugboat start-to-exit", ours, n, &m_ours);
  report("tugboat start-to-exit+remove", ours_removed, n, &m_removed);
  if (userns) {
    if (bench_sandboxes(rt, n, false, ours) < 0)
      goto out;
    report("sandbox create+remove, host users", ours, n, NULL);
    if (bench_sandboxes(rt, n, true, ours) < 0)
      goto out;
    report("sandbox create+remove, own userns", ours, n, NULL);
  }
  if (with_crun) {
    if (mkdir(bundle, 0700) < 0 || write_crun_bundle(bundle, rootfs, sb) < 0 ||
        bench_crun(root, bundle, n, crun) < 0) {
      fprintf(stderr, "bench-runtime: crun runs failed\n");
      goto out;
    }
    report("crun run (start-to-exit+delete)", crun, n, &m_crun);
    printf("ratio crun/tugboat (medians, start-to-exit+remove vs run): %.2f\n", m_crun / m_removed);
    printf("ratio crun/tugboat (medians, start-to-exit): %.2f\n", m_crun / m_ours);
  }
  rc = 0;
out:
  if (sb && agent_runtime_sandbox_remove(rt, sb, &err) < 0)
    fprintf(stderr, "bench-runtime: %s\n", err.msg);
  if (rt) {
    agent_cgroup_delete(rt->cgroup_mode, "tug/bench-crun", NULL);
    agent_runtime_close(rt);
  }
  agent_rm_rf(root, NULL);
  return rc;
}
