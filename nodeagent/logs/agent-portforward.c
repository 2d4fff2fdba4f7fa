/*
 * agent-portforward.c — port-forward sessions: SPDY stream pairs inside a
 * WebSocket, each pair spliced to a TCP connection in the pod (see
 * agent-portforward.h).
 *
 * The one idea: one poll loop per session watches the WebSocket and every
 * pod connection; SPDY frames arrive as WebSocket messages are read
 * (on_message) and are handled at once, and what a pod connection sends
 * becomes one DATA frame per read. A pod connection is read only while
 * less than QUEUE_LIMIT waits to go out, so a slow client slows the pod
 * instead of growing the agent's memory.
 */
#include "agent-portforward.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent-logs.h"
#include "agent-streams.h"
#include "log.h"
#include "nsrun.h"
#include "spdy.h"
#include "ws.h"

enum {
  QUEUE_LIMIT = 1 << 20,
  READ_BLOCK = 32 * 1024,
  MAX_FORWARDS = 64, /* connections at once in one session */
};

static const char *const protocols[] = {AGENT_PORTFORWARD_PROTOCOL, NULL};

/* One forwarded connection: the client's two streams and the pod's socket. */
typedef struct forward {
  bool used;
  char request[64];
  int port;
  uint32_t error_stream, data_stream;
  int fd; /* the pod's side; -1 until both streams are open */
} forward;

typedef struct pf_session {
  agent_upgraded up; /* the socket */
  tug_ws *ws;
  tug_spdy *spdy;
  int netns;
  bool broken; /* the client broke the protocol: the session ends */
  forward f[MAX_FORWARDS];
  char pod[520]; /* ns/name, for messages */
} pf_session;

/* ---- frames out ---- */

static void send_bytes(pf_session *s, const uint8_t *b, ssize_t n) {
  if (n > 0)
    tug_ws_send(s->ws, TUG_WS_RAW, b, (size_t)n);
}

static void send_data(pf_session *s, uint32_t stream, uint8_t flags, const void *data, size_t len) {
  size_t n;
  uint8_t *b = tug_spdy_data(stream, flags, data, len, &n);
  send_bytes(s, b, b ? (ssize_t)n : -1);
  free(b);
}

static void send_rst(pf_session *s, uint32_t stream, uint32_t status) {
  uint8_t b[16];
  send_bytes(s, b, tug_spdy_rst_stream(stream, status, b, sizeof b));
}

/* ---- forwards ---- */

static forward *find_request(pf_session *s, const char *request) {
  for (int i = 0; i < MAX_FORWARDS; i++)
    if (s->f[i].used && strcmp(s->f[i].request, request) == 0)
      return &s->f[i];
  return NULL;
}

static forward *find_stream(pf_session *s, uint32_t stream) {
  for (int i = 0; i < MAX_FORWARDS; i++)
    if (s->f[i].used && (s->f[i].data_stream == stream || s->f[i].error_stream == stream))
      return &s->f[i];
  return NULL;
}

static forward *new_forward(pf_session *s, const char *request, int port) {
  for (int i = 0; i < MAX_FORWARDS; i++)
    if (!s->f[i].used) {
      s->f[i] = (forward){.used = true, .port = port, .fd = -1};
      snprintf(s->f[i].request, sizeof s->f[i].request, "%s", request);
      return &s->f[i];
    }
  return NULL;
}

static void release(forward *f) {
  if (f->fd >= 0)
    close(f->fd);
  *f = (forward){.fd = -1};
}

/* The pod's side ended (or never began): both streams end, as the kubelet
 * ends them, with message on the error stream first when there is one. */
static void finish(pf_session *s, forward *f, const char *message) {
  if (message && f->error_stream)
    send_data(s, f->error_stream, 0, message, strlen(message));
  if (f->data_stream)
    send_data(s, f->data_stream, TUG_SPDY_FLAG_FIN, NULL, 0);
  if (f->error_stream)
    send_data(s, f->error_stream, TUG_SPDY_FLAG_FIN, NULL, 0);
  release(f);
}

static int dial_local(void *arg) {
  int port = *(int *)arg;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

static void connect_pod(pf_session *s, forward *f) {
  tug_error err = {0};
  int port = f->port;
  int fd = tug_netns_run(s->netns, dial_local, &port, &err);
  if (fd < 0) {
    char msg[2048];
    snprintf(msg, sizeof msg, "error forwarding port %d to pod %s: dial 127.0.0.1:%d: %s", port,
             s->pod, port, err.code ? err.msg : strerror(-fd));
    tug_info("portforward", "pod=%s port=%d msg=%s", s->pod, port, TUG_LOG_Q(msg));
    finish(s, f, msg);
    return;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  f->fd = fd;
}

/* ---- frames in ---- */

static void on_syn_stream(pf_session *s, const tug_spdy_frame *fr) {
  uint8_t b[256];
  send_bytes(s, b, tug_spdy_syn_reply(s->spdy, fr->stream, NULL, b, sizeof b));
  const char *type = tug_spdy_header(fr, "streamtype"), *port = tug_spdy_header(fr, "port"),
             *request = tug_spdy_header(fr, "requestid");
  char *end = NULL;
  long p = port ? strtol(port, &end, 10) : 0;
  bool data = type && strcmp(type, "data") == 0, error = type && strcmp(type, "error") == 0;
  if ((!data && !error) || request == NULL || end == port || *end || p < 1 || p > 65535) {
    send_rst(s, fr->stream, TUG_SPDY_RST_PROTOCOL_ERROR);
    return;
  }
  forward *f = find_request(s, request);
  if (f == NULL && (f = new_forward(s, request, (int)p)) == NULL) {
    send_rst(s, fr->stream, TUG_SPDY_RST_REFUSED_STREAM);
    return;
  }
  *(data ? &f->data_stream : &f->error_stream) = fr->stream;
  if (f->data_stream && f->error_stream && f->fd < 0)
    connect_pod(s, f);
}

/* Localhost takes what it is given at once; a pod that stops reading
 * stalls only this session. */
static void write_pod(forward *f, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(f->fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      struct pollfd pf = {.fd = f->fd, .events = POLLOUT};
      poll(&pf, 1, 1000);
      continue;
    }
    if (w <= 0)
      return; /* the pod's side broke: its read ends the forward */
    p += w, n -= (size_t)w;
  }
}

static void on_data(pf_session *s, const tug_spdy_frame *fr) {
  forward *f = find_stream(s, fr->stream);
  if (f == NULL || f->fd < 0 || fr->stream != f->data_stream)
    return; /* the error stream carries nothing from the client; an ended forward, nothing */
  write_pod(f, fr->data, fr->len);
  if (fr->flags & TUG_SPDY_FLAG_FIN)
    shutdown(f->fd, SHUT_WR);
}

static void on_frame(void *arg, const tug_spdy_frame *fr) {
  pf_session *s = arg;
  if (!fr->control) {
    on_data(s, fr);
    return;
  }
  forward *f;
  uint8_t b[16];
  switch (fr->type) {
  case TUG_SPDY_SYN_STREAM:
    on_syn_stream(s, fr);
    break;
  case TUG_SPDY_RST_STREAM:
    if ((f = find_stream(s, fr->stream)) != NULL)
      release(f);
    break;
  case TUG_SPDY_PING:
    send_bytes(s, b, tug_spdy_ping(fr->stream, b, sizeof b));
    break;
  case TUG_SPDY_GOAWAY:
    tug_ws_close(s->ws, TUG_WS_NORMAL_CLOSURE);
    break;
  default:
    break; /* SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do */
  }
}

static void on_message(void *arg, int channel, const uint8_t *data, size_t len) {
  (void)channel;
  pf_session *s = arg;
  if (!s->broken && tug_spdy_feed(s->spdy, data, len, on_frame, s) < 0) {
    tug_info("portforward: the client broke SPDY", "pod=%s", s->pod);
    s->broken = true;
  }
}

/* ---- the session's loop ---- */

static void forward_output(pf_session *s, forward *f) {
  uint8_t buf[READ_BLOCK];
  ssize_t n = recv(f->fd, buf, sizeof buf, 0);
  if (n > 0)
    send_data(s, f->data_stream, 0, buf, (size_t)n);
  else if (n == 0 || (errno != EAGAIN && errno != EINTR))
    finish(s, f, NULL);
}

static void session_loop(pf_session *s) {
  while (!tug_ws_finished(s->ws)) {
    struct pollfd p[1 + MAX_FORWARDS] = {{.fd = s->up.sock, .events = tug_ws_events(s->ws)}};
    bool room = tug_ws_queued(s->ws) < QUEUE_LIMIT;
    for (int i = 0; i < MAX_FORWARDS; i++)
      p[1 + i] = (struct pollfd){.fd = room && s->f[i].used ? s->f[i].fd : -1, .events = POLLIN};
    bool extra = agent_upgraded_pending(&s->up);
    if (!extra && poll(p, 1 + MAX_FORWARDS, -1) < 0 && errno != EINTR)
      break;
    if (tug_ws_pump(s->ws) < 0)
      break;
    if (s->broken) {
      uint8_t b[16];
      send_bytes(s, b, tug_spdy_goaway(0, 1, b, sizeof b));
      tug_ws_close(s->ws, TUG_WS_NORMAL_CLOSURE);
    }
    for (int i = 0; i < MAX_FORWARDS; i++)
      if (s->f[i].used && s->f[i].fd == p[1 + i].fd && p[1 + i].fd >= 0 &&
          (p[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
        forward_output(s, &s->f[i]);
    if (tug_ws_pump(s->ws) < 0)
      break;
  }
}

static void session_free(pf_session *s) {
  for (int i = 0; i < MAX_FORWARDS; i++)
    release(&s->f[i]);
  if (s->netns >= 0)
    close(s->netns);
  tug_ws_free(s->ws);
  tug_spdy_free(s->spdy);
  agent_upgraded_close(&s->up);
  free(s);
}

static void session_run(void *arg) {
  pf_session *s = arg;
  tug_ws_transport t = {agent_upgraded_read, agent_upgraded_write, &s->up};
  s->ws = tug_ws_new(&t, true, on_message, s);
  s->spdy = tug_spdy_new();
  if (s->ws && s->spdy) {
    tug_ws_set_raw(s->ws);
    session_loop(s);
  }
  session_free(s);
}

static void session_discard(void *arg) {
  session_free(arg);
}

/* ---- the request ---- */

enum MHD_Result agent_portforward_serve(agent_runtime *rt, const char *logs_root,
                                        struct MHD_Connection *conn, const char *url) {
  char ns[256], pod[256], uid[256];
  if (sscanf(url, "/portForward/%255[^/?]/%255[^/?]", ns, pod) != 2 ||
      !agent_logs_safe_segment(ns) || !agent_logs_safe_segment(pod))
    return agent_streams_answer(conn, 404, "not found: %s\n", url);
  const char *upg = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Upgrade");
  const char *offered =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Protocol");
  const char *protocol = tug_ws_pick_protocol(offered, protocols);
  if (upg == NULL || strcasecmp(upg, "websocket") != 0 || protocol == NULL)
    return agent_streams_answer(conn, 400,
                                "a WebSocket upgrade with subprotocol " AGENT_PORTFORWARD_PROTOCOL
                                " is required\n");
  if (!agent_streams_pod_uid(logs_root, ns, pod, uid, sizeof uid))
    return agent_streams_answer(conn, 404, "pod %s/%s is not on this node\n", ns, pod);
  tug_error err = {0};
  int netns = agent_runtime_pod_netns(rt, uid, &err);
  if (netns < 0)
    return agent_streams_answer(conn, err.code == ENOENT ? 404 : 500, "pod %s/%s: %s\n", ns, pod,
                                err.msg);
  pf_session *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(netns);
    return MHD_NO;
  }
  s->up =
      (agent_upgraded){.sock = -1, .run = session_run, .discard = session_discard, .session = s};
  s->netns = netns;
  for (int i = 0; i < MAX_FORWARDS; i++)
    s->f[i].fd = -1;
  snprintf(s->pod, sizeof s->pod, "%s/%s", ns, pod);
  tug_info("stream", "verb=portforward pod=%s/%s", ns, pod);
  return agent_streams_upgrade(conn, protocol, &s->up);
}
