/*
 * agent-portforward.h — `kubectl port-forward` on the node: the agent's
 * server answers the API server's WebSocket upgrade
 *
 *   GET /portForward/{ns}/{pod}   Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io
 *
 * with SPDY/3.1 inside the WebSocket's binary messages (lib/spdy.h), as
 * kubectl v1.31+ tunnels it. Each forwarded connection is a pair of SPDY
 * streams the client opens with headers `streamtype: error|data`, `port`
 * and `requestid` (the pair's shared id), as the kubelet serves them: once
 * both are open the agent connects to 127.0.0.1:port inside the pod's
 * network namespace (a short-lived thread that enters it, lib/nsrun.h;
 * never a process in the container) and copies bytes both ways. A FIN from
 * the client half-closes the pod's socket; the pod's end of the connection
 * ends the data stream and the error stream. A failed connect is written on
 * the error stream ("error forwarding port P to pod ...") and both streams
 * end. A session is a thread of its own, as exec's.
 */
#ifndef TUG_AGENT_PORTFORWARD_H
#define TUG_AGENT_PORTFORWARD_H

#include <microhttpd.h>

#include "runtime.h"

#define AGENT_PORTFORWARD_PROTOCOL "SPDY/3.1+portforward.k8s.io"

/* Serve url (/portForward/{ns}/{pod}) on conn; logs_root as for agent_streams_serve. */
enum MHD_Result agent_portforward_serve(agent_runtime *rt, const char *logs_root,
                                        struct MHD_Connection *conn, const char *url);

#endif
