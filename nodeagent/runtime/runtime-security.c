/*
 * runtime-security.c — who a container's process is and what it may do,
 * applied by the child before it execs: its descriptors, capabilities, user,
 * groups and no_new_privs. runc's and crun's escapes taught the order.
 *
 * Descriptors: the child closes every descriptor it does not need before it
 * looks up any path (runc's CVE-2024-21626: a leaked directory descriptor
 * reached through /proc/self/fd made a working directory outside the root).
 *
 * Capabilities, as containerd gives them: the set C is (drop_all ? 0 :
 * Docker's default & ~cap_drop) | cap_add, or every capability when
 * privileged. The bounding set becomes C, the inheritable and ambient sets
 * stay empty. Root's exec then gives permitted = effective = C; a non-root
 * user's exec gives it none (no ambient set, as Kubernetes does): C only
 * bounds what setuid binaries and file capabilities may grant, and
 * no_new_privs, on unless escalation is allowed, forbids even that.
 *
 * Raw system calls only: glibc's setresuid and setgroups would signal every
 * thread of the agent, whose memory the child shares, to change them all.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime-internal.h"

/* CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE
 * NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP: CapBnd 00000000a80425fb. */
#define BIT(c) (UINT64_C(1) << (c))
static const uint64_t default_caps =
    BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) | BIT(CAP_FSETID) | BIT(CAP_KILL) |
    BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
    BIT(CAP_NET_RAW) | BIT(CAP_SYS_CHROOT) | BIT(CAP_MKNOD) | BIT(CAP_AUDIT_WRITE) |
    BIT(CAP_SETFCAP);

uint64_t agent_security_caps(const agent_security *sec) {
  if (sec->privileged)
    return ~UINT64_C(0);
  return (sec->drop_all ? 0 : default_caps & ~sec->cap_drop) | sec->cap_add;
}

void agent_creds_from_security(const agent_security *s, agent_creds *out) {
  *out = (agent_creds){
      .caps = agent_security_caps(s),
      .uid = s->run_as_user ? s->uid : 0,
      .gid = s->run_as_group ? s->gid : 0,
      .n_groups = s->n_groups < AGENT_MAX_GROUPS ? s->n_groups : AGENT_MAX_GROUPS,
      .no_new_privs = !s->privileged && !s->allow_privilege_escalation,
  };
  memcpy(out->groups, s->groups, out->n_groups * sizeof *out->groups);
}

static int sec_fail(char *msg, size_t size, int errnum, const char *what) {
  snprintf(msg, size, "%s: %s", what, strerror(errnum));
  return -1;
}

int agent_close_fds_except(const int *keep, size_t n, char *msg, size_t size) {
  unsigned from = 3;
  for (size_t i = 0; i <= n; i++) {
    unsigned next = i < n ? (unsigned)keep[i] : ~0u;
    if (i < n && next < from)
      continue; /* stdio, or listed twice */
    if (next > from && syscall(SYS_close_range, from, i < n ? next - 1 : next, 0u) < 0)
      return sec_fail(msg, size, errno, "close inherited descriptors");
    from = next + 1;
  }
  return 0;
}

/* C within what this kernel knows and this process holds (privileged means
 * all of those), and the bounding set cut to it. */
static int bound_caps(uint64_t *caps, char *msg, size_t size) {
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct now[2] = {0};
  if (syscall(SYS_capget, &hdr, now) < 0)
    return sec_fail(msg, size, errno, "capget");
  *caps &= (uint64_t)now[1].permitted << 32 | now[0].permitted;
  for (int cap = 0; cap < 64; cap++) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) { /* past the kernel's last */
      *caps &= BIT(cap) - 1;
      break;
    }
    if (!(*caps & BIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      return sec_fail(msg, size, errno, "drop capability from the bounding set");
  }
  return 0;
}

/* Groups, then gid, then uid, while still root; KEEPCAPS keeps the
 * permitted set through the uid change so that capset can trim it. */
static int set_ids(const agent_creds *c, char *msg, size_t size) {
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return sec_fail(msg, size, errno, "keep capabilities across setuid");
  if (syscall(SYS_setgroups, c->n_groups, c->groups) < 0)
    return sec_fail(msg, size, errno, "setgroups");
  if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0)
    return sec_fail(msg, size, errno, "setresgid");
  if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0)
    return sec_fail(msg, size, errno, "setresuid");
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return sec_fail(msg, size, errno, "reset keep capabilities");
  return 0;
}

static int set_caps(uint64_t caps, char *msg, size_t size) {
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[2] = {0};
  for (int i = 0; i < 2; i++)
    data[i].effective = data[i].permitted = (uint32_t)(caps >> (32 * i));
  if (syscall(SYS_capset, &hdr, data) < 0)
    return sec_fail(msg, size, errno, "capset");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return sec_fail(msg, size, errno, "clear ambient capabilities");
  return 0;
}

int agent_security_apply(const agent_creds *c, char *msg, size_t size) {
  uint64_t caps = c->caps;
  if (bound_caps(&caps, msg, size) < 0 || set_ids(c, msg, size) < 0 ||
      set_caps(caps, msg, size) < 0)
    return -1;
  if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return sec_fail(msg, size, errno, "set no_new_privs");
  return 0;
}
