/*
 * runtime-seccomp.h — the seccomp filter a container runs under.
 *
 * A profile is data: a default action, the architectures it covers, and
 * rules (syscall names, an action, argument comparisons, and for the built-in
 * default the capabilities a rule depends on). One compile function turns a
 * profile into classic BPF with libseccomp, in the agent: the child between
 * clone and exec only hands the finished program to the kernel.
 *
 * RuntimeDefault is Docker's default profile (refuse with EPERM what is not
 * listed); its program depends on the container's capability set only, so
 * programs are cached per set, for the life of the agent, behind a lock.
 * Localhost profiles are Docker/OCI JSON files below the runtime's profile
 * dir, read and compiled on every start.
 */
#ifndef TUG_NODEAGENT_RUNTIME_SECCOMP_H
#define TUG_NODEAGENT_RUNTIME_SECCOMP_H

#include <jansson.h>
#include <linux/filter.h>
#include <stdint.h>

#include "error.h"
#include "runtime.h"

/* A program to install; prog.len 0: no filter. A cached program is shared
 * (owned NULL); a Localhost one is the caller's until agent_seccomp_release. */
typedef struct agent_seccomp {
  struct sock_fprog prog;
  struct sock_filter *owned;
} agent_seccomp;

/* The filter for a container confined as sec with capability set caps:
 * none when privileged or Unconfined. profile_dir: where Localhost profiles
 * live (NULL: Localhost is refused). */
int agent_seccomp_prepare(const char *profile_dir, const agent_security *sec, uint64_t caps,
                          agent_seccomp *out, tug_error *err);
void agent_seccomp_release(agent_seccomp *s);

/* The runtime default for caps as an OCI config.json "linux.seccomp" object,
 * the same rules another runtime compiles itself (bench/runtime). */
json_t *agent_seccomp_default_oci(uint64_t caps);

/* Compile a Docker/OCI JSON profile (already loaded) as Localhost would;
 * what tells the file in error messages. */
int agent_seccomp_compile_json(const json_t *profile, const char *what, agent_seccomp *out,
                               tug_error *err);

/* The program of a container, kept in its dir for later execs into it (an
 * agent that adopts the container finds it there too). Load: prog.len 0
 * when the container runs without a filter. */
int agent_seccomp_save(const char *container_dir, const agent_seccomp *s, tug_error *err);
int agent_seccomp_load(const char *container_dir, agent_seccomp *out, tug_error *err);

/* Child side: install prog (NULL or empty: nothing). Needs no_new_privs or
 * CAP_SYS_ADMIN; allocates nothing. */
int agent_seccomp_install(const struct sock_fprog *prog, char *msg, size_t size);

#endif
