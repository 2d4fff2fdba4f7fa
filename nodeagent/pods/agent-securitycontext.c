/*
 * agent-securitycontext.c — securityContext into agent_security (see the
 * header): pod-level fields as defaults, the container's overriding them.
 */
#include "agent-securitycontext.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "object.h"

/* Index = CAP_* number, as in <linux/capability.h>. */
static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};
enum { N_CAPS = sizeof cap_names / sizeof cap_names[0] };

int agent_capability_number(const char *name) {
  if (name == NULL)
    return -1;
  if (strncasecmp(name, "CAP_", 4) == 0)
    name += 4;
  for (int i = 0; i < N_CAPS; i++)
    if (strcasecmp(name, cap_names[i]) == 0)
      return i;
  return -1;
}

/* The container's value of a field that both levels may set, else the pod's. */
static const json_t *either(const json_t *pod_sc, const json_t *ctr_sc, const char *path) {
  const json_t *v = tug_obj_get(ctr_sc, path);
  return v && !json_is_null(v) ? v : tug_obj_get(pod_sc, path);
}

/* Set bits of the named capabilities; "ALL" sets *all instead. */
static int cap_set(const json_t *names, const char *field, uint64_t *bits, bool *all,
                   tug_error *err) {
  size_t i;
  const json_t *n;
  json_array_foreach(names, i, n) {
    const char *s = json_string_value(n);
    if (s && strcasecmp(s, "ALL") == 0) {
      *all = true;
      continue;
    }
    int cap = agent_capability_number(s);
    if (cap < 0)
      return tug_error_set(err, EINVAL,
                           "securityContext.capabilities.%s[%zu]: unknown capability "
                           "\"%s\"",
                           field, i, s ? s : "");
    *bits |= UINT64_C(1) << cap;
  }
  return 0;
}

static int capabilities(const json_t *ctr_sc, agent_security *sec, tug_error *err) {
  bool add_all = false;
  if (cap_set(tug_obj_get(ctr_sc, "capabilities.drop"), "drop", &sec->cap_drop, &sec->drop_all,
              err) < 0 ||
      cap_set(tug_obj_get(ctr_sc, "capabilities.add"), "add", &sec->cap_add, &add_all, err) < 0)
    return -1;
  if (add_all)
    sec->cap_add = (UINT64_C(1) << N_CAPS) - 1;
  return 0;
}

static void add_group(agent_security *sec, json_int_t g) {
  for (size_t i = 0; i < sec->n_groups; i++)
    if (sec->groups[i] == (gid_t)g)
      return;
  sec->groups[sec->n_groups++] = (gid_t)g;
}

/* An id the API server bounded to 0..2^31-1; anything else is refused here too. */
static bool id_value(const json_t *v, json_int_t *out) {
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
    return false;
  *out = json_integer_value(v);
  return true;
}

static int identity(const json_t *pod_sc, const json_t *ctr_sc, agent_security *sec,
                    tug_error *err) {
  json_int_t id;
  const json_t *v;
  if ((v = either(pod_sc, ctr_sc, "runAsUser")) != NULL) {
    if (!id_value(v, &id))
      return tug_error_set(err, EINVAL, "securityContext.runAsUser: not a valid user id");
    sec->run_as_user = true;
    sec->uid = (uid_t)id;
  }
  if ((v = either(pod_sc, ctr_sc, "runAsGroup")) != NULL) {
    if (!id_value(v, &id))
      return tug_error_set(err, EINVAL, "securityContext.runAsGroup: not a valid group id");
    sec->run_as_group = true;
    sec->gid = (gid_t)id;
  }
  const json_t *groups = tug_obj_get(pod_sc, "supplementalGroups"),
               *fs = tug_obj_get(pod_sc, "fsGroup");
  if (json_array_size(groups) + (fs != NULL) > AGENT_MAX_GROUPS)
    return tug_error_set(err, E2BIG, "securityContext.supplementalGroups: at most %d groups",
                         AGENT_MAX_GROUPS - 1);
  size_t i;
  json_array_foreach(groups, i, v) {
    if (!id_value(v, &id))
      return tug_error_set(err, EINVAL,
                           "securityContext.supplementalGroups[%zu]: not a valid "
                           "group id",
                           i);
    add_group(sec, id);
  }
  if (fs) {
    if (!id_value(fs, &id))
      return tug_error_set(err, EINVAL, "securityContext.fsGroup: not a valid group id");
    add_group(sec, id);
  }
  return 0;
}

/* kubelet's verifyRunAsNonRoot, the half the spec decides: runAsUser 0. */
static int non_root(const json_t *pod_sc, const json_t *ctr_sc, const agent_security *sec,
                    const char *ctr_name, tug_error *err) {
  if (!json_is_true(either(pod_sc, ctr_sc, "runAsNonRoot")))
    return 0;
  if (sec->run_as_user && sec->uid == 0)
    return tug_error_set(err, EPERM, "container's runAsUser breaks non-root policy (container: %s)",
                         ctr_name);
  return 0;
}

int agent_securitycontext_image_user(const json_t *pod_spec, const json_t *ctr,
                                     const agent_security *sec, const char *image_user,
                                     tug_error *err) {
  const json_t *pod_sc = tug_obj_get(pod_spec, "securityContext"),
               *ctr_sc = tug_obj_get(ctr, "securityContext");
  const char *name = tug_obj_get_str(ctr, "name");
  if (!json_is_true(either(pod_sc, ctr_sc, "runAsNonRoot")) || sec->run_as_user)
    return 0;
  /* Only the uid part counts: "1000:0" is not root, "root" or "" is. */
  char user[256];
  snprintf(user, sizeof user, "%s", image_user ? image_user : "");
  user[strcspn(user, ":")] = '\0';
  char *end;
  unsigned long uid = strtoul(user, &end, 10);
  bool numeric = user[0] && *end == '\0';
  if (user[0] && !numeric)
    return tug_error_set(err, EPERM,
                         "container has runAsNonRoot and image has non-numeric user (%s), cannot "
                         "verify user is non-root (container: %s)",
                         user, name ? name : "");
  if (!user[0] || uid == 0)
    return tug_error_set(err, EPERM,
                         "container has runAsNonRoot and image will run as root (container: %s)",
                         name ? name : "");
  return 0;
}

static int seccomp(const json_t *pod_sc, const json_t *ctr_sc, agent_security *sec,
                   tug_error *err) {
  const json_t *profile = tug_obj_get(ctr_sc, "seccompProfile");
  if (profile == NULL || json_is_null(profile))
    profile = tug_obj_get(pod_sc, "seccompProfile");
  const char *type = tug_obj_get_str(profile, "type");
  if (profile == NULL || json_is_null(profile) || (type && strcmp(type, "RuntimeDefault") == 0)) {
    sec->seccomp = AGENT_SECCOMP_RUNTIME_DEFAULT;
    return 0;
  }
  if (type && strcmp(type, "Unconfined") == 0) {
    sec->seccomp = AGENT_SECCOMP_UNCONFINED;
    return 0;
  }
  const char *local = tug_obj_get_str(profile, "localhostProfile");
  if (type && strcmp(type, "Localhost") == 0 && local && local[0]) {
    sec->seccomp = AGENT_SECCOMP_LOCALHOST;
    sec->seccomp_profile = local;
    return 0;
  }
  return tug_error_set(
      err, EINVAL, "securityContext.seccompProfile: type \"%s\" %s", type ? type : "",
      type && strcmp(type, "Localhost") == 0 ? "needs localhostProfile"
                                             : "is not supported (RuntimeDefault, Unconfined, "
                                               "Localhost)");
}

/* What the node cannot do is a refusal, not a silent default. */
static int unsupported(const json_t *pod_sc, const json_t *ctr_sc, tug_error *err) {
  if (json_array_size(tug_obj_get(pod_sc, "sysctls")) > 0)
    return tug_error_set(err, ENOTSUP, "securityContext.sysctls: not supported by tug-agent");
  if (json_is_true(either(pod_sc, ctr_sc, "windowsOptions.hostProcess")))
    return tug_error_set(err, ENOTSUP,
                         "securityContext.windowsOptions.hostProcess: not supported on Linux");
  /* Nodes run without AppArmor: RuntimeDefault and Unconfined mean no
   * profile, which is what they get; a named profile cannot be enforced, and
   * kubelet refuses to start such a container too. */
  const char *apparmor = tug_obj_get_str(either(pod_sc, ctr_sc, "appArmorProfile"), "type");
  if (apparmor && strcmp(apparmor, "Localhost") == 0)
    return tug_error_set(err, ENOTSUP,
                         "securityContext.appArmorProfile: Localhost profiles cannot be enforced: "
                         "AppArmor is not enabled on this node");
  return 0;
}

int agent_securitycontext(const json_t *pod_spec, const json_t *ctr, agent_security *sec,
                          tug_error *err) {
  *sec = (agent_security){0};
  const json_t *pod_sc = tug_obj_get(pod_spec, "securityContext"),
               *ctr_sc = tug_obj_get(ctr, "securityContext");
  const char *name = tug_obj_get_str(ctr, "name");
  if (unsupported(pod_sc, ctr_sc, err) < 0 || identity(pod_sc, ctr_sc, sec, err) < 0 ||
      non_root(pod_sc, ctr_sc, sec, name ? name : "", err) < 0 ||
      capabilities(ctr_sc, sec, err) < 0 || seccomp(pod_sc, ctr_sc, sec, err) < 0)
    return -1;
  sec->privileged = json_is_true(tug_obj_get(ctr_sc, "privileged"));
  const char *proc_mount = tug_obj_get_str(ctr_sc, "procMount");
  sec->unmasked_proc = proc_mount && strcmp(proc_mount, "Unmasked") == 0;
  sec->read_only_rootfs = json_is_true(tug_obj_get(ctr_sc, "readOnlyRootFilesystem"));
  sec->allow_privilege_escalation =
      json_is_true(tug_obj_get(ctr_sc, "allowPrivilegeEscalation")) || sec->privileged;
  return 0;
}

bool agent_securitycontext_user_namespace(const json_t *pod_spec) {
  return json_is_false(tug_obj_get(pod_spec, "hostUsers"));
}
