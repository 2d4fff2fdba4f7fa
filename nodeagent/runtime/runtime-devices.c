/*
 * runtime-devices.c — which device nodes a container may use: runc's
 * default allowlist in the devices cgroup, so that a node made with
 * CAP_MKNOD (or found on a volume) opens nothing but the standard devices.
 *
 * The one idea: one table of rules, written out two ways. cgroup v1 takes
 * them as text ("devices.deny a", then one "devices.allow" line each); v2
 * has no devices files, and takes a BPF_PROG_TYPE_CGROUP_DEVICE program
 * attached to the container's cgroup, built here instruction by instruction
 * (a few per rule) and loaded with the raw bpf(2) call, no libbpf.
 * Privileged containers get no rules: every device, as Docker gives them.
 */
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "runtime-cgroup.h"

#define RWM (AGENT_DEV_READ | AGENT_DEV_WRITE | AGENT_DEV_MKNOD)

const agent_device_rule agent_default_devices[] = {
    {'c', -1, -1, AGENT_DEV_MKNOD}, /* mknod of any node; opening it is another matter */
    {'b', -1, -1, AGENT_DEV_MKNOD},
    {'c', 1, 3, RWM},    /* null */
    {'c', 1, 5, RWM},    /* zero */
    {'c', 1, 7, RWM},    /* full */
    {'c', 1, 8, RWM},    /* random */
    {'c', 1, 9, RWM},    /* urandom */
    {'c', 5, 0, RWM},    /* tty */
    {'c', 5, 1, RWM},    /* console */
    {'c', 5, 2, RWM},    /* ptmx */
    {'c', 136, -1, RWM}, /* pts/N */
};
const size_t agent_n_default_devices =
    sizeof agent_default_devices / sizeof agent_default_devices[0];

const char *agent_device_access(unsigned access, char buf[4]) {
  size_t n = 0;
  if (access & AGENT_DEV_READ)
    buf[n++] = 'r';
  if (access & AGENT_DEV_WRITE)
    buf[n++] = 'w';
  if (access & AGENT_DEV_MKNOD)
    buf[n++] = 'm';
  buf[n] = '\0';
  return buf;
}

int agent_device_rule_format(const agent_device_rule *r, char *buf, size_t size) {
  char major[24] = "*", minor[24] = "*", access[4];
  if (r->major >= 0)
    snprintf(major, sizeof major, "%lld", (long long)r->major);
  if (r->minor >= 0)
    snprintf(minor, sizeof minor, "%lld", (long long)r->minor);
  agent_device_access(r->access, access);
  int len = snprintf(buf, size, "%c %s:%s %s", r->type, major, minor, access);
  return len < 0 || (size_t)len >= size ? -1 : len;
}

#define INSN(c, d, s, o, i)                                                                        \
  ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_K(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_X(dst, src) INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_K(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_K(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* The checks of one rule, each a jump over the rest of its block when it
 * fails; the block ends in "return 1". r2 type, r3 access, r4 major, r5 minor. */
static size_t rule_block(const agent_device_rule *r, struct bpf_insn *out) {
  struct bpf_insn checks[8];
  size_t n = 0;
  if (r->type != 'a')
    checks[n++] = JNE_K(BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
  if ((r->access & RWM) != RWM) { /* the access asked for must lie within the rule's */
    checks[n++] = MOV32_X(BPF_REG_1, BPF_REG_3);
    checks[n++] = ALU32_K(BPF_AND, BPF_REG_1, (int32_t)(~r->access & RWM));
    checks[n++] = JNE_K(BPF_REG_1, 0, 0);
  }
  if (r->major >= 0)
    checks[n++] = JNE_K(BPF_REG_4, (int32_t)r->major, 0);
  if (r->minor >= 0)
    checks[n++] = JNE_K(BPF_REG_5, (int32_t)r->minor, 0);
  checks[n++] = MOV64_K(BPF_REG_0, 1);
  checks[n++] = EXIT();
  for (size_t i = 0; i < n; i++) {
    out[i] = checks[i];
    if (out[i].code == (BPF_JMP | BPF_JNE | BPF_K))
      out[i].off = (int16_t)(n - i - 1); /* to the next block */
  }
  return n;
}

size_t agent_device_bpf_build(const agent_device_rule *rules, size_t n, struct bpf_insn *out,
                              size_t max) {
  if (max < 8 + n * AGENT_DEVICE_BPF_PER_RULE)
    return 0;
  size_t len = 0;
  /* struct bpf_cgroup_dev_ctx: access_type (access << 16 | type), major, minor. */
  out[len++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
  out[len++] = ALU32_K(BPF_AND, BPF_REG_2, 0xffff);
  out[len++] = LDX_W(BPF_REG_3, BPF_REG_1, 0);
  out[len++] = ALU32_K(BPF_RSH, BPF_REG_3, 16);
  out[len++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
  out[len++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
  for (size_t i = 0; i < n; i++)
    len += rule_block(&rules[i], out + len);
  out[len++] = MOV64_K(BPF_REG_0, 0); /* no rule matched: refused */
  out[len++] = EXIT();
  return len;
}

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int agent_device_bpf_load(const struct bpf_insn *insns, size_t n, tug_error *err) {
  char log[16384] = "";
  union bpf_attr attr = {.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                         .insns = (uint64_t)(uintptr_t)insns,
                         .insn_cnt = (uint32_t)n,
                         .license = (uint64_t)(uintptr_t) "GPL",
                         .log_buf = (uint64_t)(uintptr_t)log,
                         .log_size = sizeof log,
                         .log_level = 1};
  int fd = sys_bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0)
    return tug_error_errno(err, errno, "load the device program: %s",
                           log + (strlen(log) > 300 ? strlen(log) - 300 : 0));
  return fd;
}

int agent_device_program_attach(const char *dir, tug_error *err) {
  _cleanup_close_ int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg < 0)
    return tug_error_errno(err, errno, "device rules: open %s", dir);
  struct bpf_insn insns[8 + sizeof agent_default_devices / sizeof agent_default_devices[0] *
                                AGENT_DEVICE_BPF_PER_RULE];
  size_t n = agent_device_bpf_build(agent_default_devices, agent_n_default_devices, insns,
                                    sizeof insns / sizeof insns[0]);
  _cleanup_close_ int prog = agent_device_bpf_load(insns, n, err);
  if (prog < 0)
    return -1;
  /* Attached, the program lives as long as the cgroup, not the descriptor. */
  union bpf_attr attr = {.target_fd = (uint32_t)cg,
                         .attach_bpf_fd = (uint32_t)prog,
                         .attach_type = BPF_CGROUP_DEVICE,
                         .attach_flags = BPF_F_ALLOW_MULTI};
  if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
    return tug_error_errno(err, errno, "attach the device program to %s", dir);
  return 0;
}

static int attach_program(const char *path, tug_error *err) {
  _cleanup_free_ char *mnt = NULL;
  if (cgroup_get_subsys_mount_point("memory", &mnt) != 0 || mnt == NULL)
    return tug_error_set(err, ENOENT, "device rules for %s: no cgroup2 mount", path);
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/%s", mnt, path);
  return agent_device_program_attach(dir, err);
}

static int open_control(const char *dir, const char *file, tug_error *err) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "open %s", path);
  return fd;
}

static int write_rule(int fd, const char *dir, const char *file, const char *line, tug_error *err) {
  if (write(fd, line, strlen(line)) < 0)
    return tug_error_errno(err, errno, "write \"%s\" to %s/%s", line, dir, file);
  return 0;
}

/* devices.allow takes one rule a write; one open serves them all. */
static int write_v1_rules(const char *path, tug_error *err) {
  _cleanup_free_ char *mnt = NULL;
  if (cgroup_get_subsys_mount_point("devices", &mnt) != 0 || mnt == NULL)
    return tug_error_set(err, ENOENT, "device rules for %s: no devices hierarchy", path);
  char dir[PATH_MAX], line[64];
  snprintf(dir, sizeof dir, "%s/%s", mnt, path);
  _cleanup_close_ int deny = open_control(dir, "devices.deny", err);
  if (deny < 0 || write_rule(deny, dir, "devices.deny", "a", err) < 0)
    return -1;
  _cleanup_close_ int allow = open_control(dir, "devices.allow", err);
  if (allow < 0)
    return -1;
  for (size_t i = 0; i < agent_n_default_devices; i++)
    if (agent_device_rule_format(&agent_default_devices[i], line, sizeof line) < 0 ||
        write_rule(allow, dir, "devices.allow", line, err) < 0)
      return -1;
  return 0;
}

int agent_cgroup_set_devices(agent_cgroup_mode mode, const char *path, bool allow_all,
                             tug_error *err) {
  if (allow_all)
    return 0;
  return mode == AGENT_CGROUP_V2 ? attach_program(path, err) : write_v1_rules(path, err);
}
