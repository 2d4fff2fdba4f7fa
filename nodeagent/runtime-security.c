/*
 * runtime-security.c — the last steps before exec, from runc's and crun's
 * escapes: no inherited descriptor but stdio reaches the image's code, the
 * capability bounding set is Docker's default, the inheritable and ambient
 * sets are empty, and no_new_privs is on.
 *
 * For root, exec gives permitted = inheritable | bounding, so an empty
 * inheritable set plus a trimmed bounding set is what limits the container;
 * capset() trims the current sets too. Raw syscalls: no libcap needed.
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

static int sec_fail(char *msg, size_t size, int errnum, const char *what) {
  snprintf(msg, size, "%s: %s", what, strerror(errnum));
  return -1;
}

static int close_fds(int keep_fd, char *msg, size_t size) {
  if (keep_fd > 3 && syscall(SYS_close_range, 3u, (unsigned)keep_fd - 1, 0u) < 0)
    return sec_fail(msg, size, errno, "close_range");
  if (syscall(SYS_close_range, (unsigned)keep_fd + 1, ~0u, 0u) < 0)
    return sec_fail(msg, size, errno, "close_range");
  return 0;
}

static int drop_caps(char *msg, size_t size) {
  for (int cap = 0; cap < 64; cap++) {
    if (default_caps & BIT(cap))
      continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL) /* past the kernel's last capability */
        break;
      return sec_fail(msg, size, errno, "drop capability from the bounding set");
    }
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return sec_fail(msg, size, errno, "clear ambient capabilities");
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[2] = {0};
  for (int i = 0; i < 2; i++) {
    data[i].effective = data[i].permitted = (uint32_t)(default_caps >> (32 * i));
    data[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &hdr, data) < 0)
    return sec_fail(msg, size, errno, "capset");
  return 0;
}

int agent_security_apply(int keep_fd, char *msg, size_t size) {
  if (close_fds(keep_fd, msg, size) < 0 || drop_caps(msg, size) < 0)
    return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return sec_fail(msg, size, errno, "set no_new_privs");
  return 0;
}
