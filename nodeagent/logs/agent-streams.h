/*
 * agent-streams.h — `kubectl exec` and `attach` on the node: the agent's
 * server answers the API server's WebSocket upgrades (channel.k8s.io v5 and
 * v4, lib/ws.h) as Kubernetes' API server reaches the kubelet:
 *
 *   GET /exec/{ns}/{pod}/{container}?command=..&command=..&stdin=1&stdout=1&stderr=1&tty=1
 *   GET /attach/{ns}/{pod}/{container}?stdin=1&stdout=1&stderr=1&tty=1
 *
 * exec runs the command in the container (runtime.h, agent_runtime_container_exec_io):
 * pipes for stdin, stdout and stderr, or with tty a pseudo-terminal whose
 * size follows the resize channel. Its exit code ends the session on the
 * status channel (a metav1.Status, Failure with reason NonZeroExitCode and an
 * ExitCode cause when not 0), then the WebSocket closes normally. A client
 * that leaves kills the command.
 *
 * attach streams what the container writes from now on (its log file,
 * which holds stdout and stderr together, on the stdout channel) until the
 * container exits or the client leaves. With stdin=1 what the client sends
 * goes to the container's stdin (spec stdin: true, kept by the runtime,
 * runtime.h) or its terminal (tty: true; resize applies to it); with
 * stdinOnce the stdin closes when this first attach's stdin ends. A
 * container without one drops it.
 *
 * A session is a thread of its own over the upgraded socket: the HTTP
 * server's connection thread must go on relaying TLS for it.
 */
#ifndef TUG_AGENT_STREAMS_H
#define TUG_AGENT_STREAMS_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtime.h"
#include "tls-takeover.h"

/* Serve url (/exec/... or /attach/...) on conn; logs_root holds logs/{ns}_{pod}_{uid}. */
enum MHD_Result agent_streams_serve(agent_runtime *rt, const char *logs_root,
                                    struct MHD_Connection *conn, const char *url);

/* Shared with port-forward (agent-portforward.h). */

/* An upgraded connection: its socket, over HTTPS the GnuTLS session taken
 * from the HTTP server, over plain HTTP the bytes that came after the
 * request's headers (read first) and the handle that closes it. A session
 * struct embeds one; agent_streams_upgrade runs run(session) (or
 * discard(session) when the stream cannot start); both must end with
 * agent_upgraded_close. */
typedef struct agent_upgraded {
  int sock;
  tug_tls_taken tls; /* over HTTPS: the session the bytes go through (lib/tls-takeover.h) */
  struct MHD_UpgradeResponseHandle *urh;
  char *extra;
  size_t extra_len, extra_off;
  void (*run)(void *session);
  void (*discard)(void *session);
  void *session;
} agent_upgraded;

/* lib/ws.h's transport over u (its io is u). */
ssize_t agent_upgraded_read(void *u, void *buf, size_t len);
ssize_t agent_upgraded_write(void *u, const void *buf, size_t len);
/* Bytes of the request are still to be read: poll would not see them. */
bool agent_upgraded_pending(const agent_upgraded *u);
void agent_upgraded_close(agent_upgraded *u);

/* A plain-text answer with code. */
enum MHD_Result agent_streams_answer(struct MHD_Connection *conn, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The uid of the newest pod ns/pod on this node, from its log dir's name. */
bool agent_streams_pod_uid(const char *root, const char *ns, const char *pod, char *uid,
                           size_t size);
/* Answer 101 with the WebSocket's accept key and protocol and run u's
 * session: over HTTPS on this connection's own thread (the connection taken
 * from libmicrohttpd, which only closes it once this returns MHD_NO), over
 * plain HTTP on a thread of its own once libmicrohttpd hands the socket over. */
enum MHD_Result agent_streams_upgrade(struct MHD_Connection *conn, const char *protocol,
                                      agent_upgraded *u);

#endif
