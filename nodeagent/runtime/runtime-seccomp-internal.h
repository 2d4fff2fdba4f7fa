/*
 * runtime-seccomp-internal.h — a seccomp profile as data, shared by the
 * built-in default (runtime-seccomp-default.c), the JSON reader and the one
 * compile function (runtime-seccomp.c).
 */
#ifndef TUG_NODEAGENT_RUNTIME_SECCOMP_INTERNAL_H
#define TUG_NODEAGENT_RUNTIME_SECCOMP_INTERNAL_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Native architectures a rule may be limited to (Docker's "arches"). */
enum {
  AGENT_SECCOMP_AMD64 = 1 << 0,
  AGENT_SECCOMP_X32 = 1 << 1,
  AGENT_SECCOMP_X86 = 1 << 2,
  AGENT_SECCOMP_ARM = 1 << 3,
  AGENT_SECCOMP_ARM64 = 1 << 4,
  AGENT_SECCOMP_S390 = 1 << 5, /* s390 and s390x */
  AGENT_SECCOMP_PPC64LE = 1 << 6,
  AGENT_SECCOMP_RISCV64 = 1 << 7,
};

enum { AGENT_SECCOMP_MAX_ARGS = 6, AGENT_SECCOMP_MAX_ARCHES = 16 };

/* One rule: names get action when every comparison holds. It is part of the
 * filter only when the capability set has one of caps_any (0: any set) and
 * none of caps_none, and the native architecture is in arches (0: any) and
 * not in not_arches. */
typedef struct agent_seccomp_rule {
  const char *const *names; /* NULL-terminated */
  uint32_t action;          /* SCMP_ACT_* */
  unsigned n_args;
  struct scmp_arg_cmp args[AGENT_SECCOMP_MAX_ARGS];
  uint64_t caps_any, caps_none;
  unsigned arches, not_arches;
} agent_seccomp_rule;

typedef struct agent_seccomp_profile {
  uint32_t default_action;
  bool native_and_sub_arches;                /* the native architecture and its 32-bit kin */
  uint32_t arches[AGENT_SECCOMP_MAX_ARCHES]; /* else these SCMP_ARCH_* (none: native) */
  size_t n_arches;
  const agent_seccomp_rule *rules;
  size_t n_rules;
} agent_seccomp_profile;

extern const agent_seccomp_profile agent_seccomp_default;

#endif
