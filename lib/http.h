/*
 * http.h — the one HTTP client of Tugboat: JSON requests and watches against
 * tug-apiserver, over libcurl.
 *
 * The one idea: every answer that is not 2xx becomes a tug_error whose code
 * says what happened in errno terms (tug_client_error_code: 404 → ENOENT,
 * 409 → TUG_E_CONFLICT, 410 → TUG_E_COMPACTED, ...) and whose message is the
 * server's Status message, so callers branch on err->code and never on HTTP.
 * A server that cannot be reached is TUG_E_UNAVAILABLE, one that does not
 * answer in time ETIMEDOUT.
 *
 * A tug_client is safe to share between threads. It keeps a few idle curl
 * handles, each holding its kept-alive connection, and lends one to each call.
 */
#ifndef TUG_HTTP_H
#define TUG_HTTP_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct tug_client tug_client;
typedef struct tug_request tug_request;

/* server_url: "http://127.0.0.1:6443" (a trailing slash is ignored); token: a
 * bearer token, or NULL. NULL with err filled when the URL is unusable. */
tug_client *tug_client_new(const char *server_url, const char *token, tug_error *err);

/*
 * TLS for an https:// server: the CA that vouches for it (NULL: the system's
 * CAs) and a client certificate with its key (both or neither), as PEM text.
 * The server is always verified: its certificate must chain to the CA and
 * name the host of the URL.
 */
typedef struct tug_client_tls {
  const char *ca_pem, *cert_pem, *key_pem;
} tug_client_tls;
tug_client *tug_client_new_tls(const char *server_url, const char *token, const tug_client_tls *tls,
                               tug_error *err);
void tug_client_free(tug_client *c);
/* Put tls (NULL members skipped) on a libcurl easy handle (a CURL *), for code
 * that drives libcurl itself; the PEMs must outlive the transfer. */
void tug_http_set_tls(void *curl, const tug_client_tls *tls);

/*
 * A client whose requests go to a function instead of a server: the seam
 * that lets a test record what code asks of the API server and hand back
 * canned answers, with everything above the wire (Status errors, verbs,
 * DeleteOptions, queries) the same as over HTTP. fn answers req with an HTTP
 * status (0: no answer, which reads as an unreachable server) and the body as
 * text in *body (malloc'd; NULL for none); it may be called from several
 * threads at once. Watches and streams are refused (EOPNOTSUPP).
 */
typedef long (*tug_client_transport_fn)(const tug_request *req, char **body, void *arg);
tug_client *tug_client_new_transport(tug_client_transport_fn fn, void *arg, tug_error *err);
/* The timeout of calls that do not name their own; 30 s unless set. */
void tug_client_set_timeout(tug_client *c, long timeout_ms);
const char *tug_client_server(const tug_client *c);
/* A new libcurl easy handle (CURL *) set to c's server and TLS, and c's
 * "Authorization: ..." header line (NULL without a token) in *auth_header,
 * for code that drives the connection itself (upgrade.h); NULL for a
 * transport client or without memory. */
void *tug_client_raw_handle(tug_client *c, const char **auth_header);

/* The tug_error code for an HTTP status (EIO for statuses without a better one). */
int tug_client_error_code(long http_status);

struct tug_request {
  const char *method;       /* "GET", "POST", "PUT", "PATCH", "DELETE" */
  const char *path;         /* "/api/v1/namespaces/default/pods/x", query included */
  const json_t *body;       /* NULL: no body */
  const char *content_type; /* NULL: application/json */
  long timeout_ms;          /* 0: the client's timeout */
  const char *accept;       /* NULL: application/json */
  bool raw;                 /* keep the body as text (tug_response.text), not parsed */
};

typedef struct tug_response {
  long code;    /* HTTP status; 0 when no answer came */
  json_t *body; /* parsed body (a Status on errors), or NULL when empty */
  char *text;   /* with tug_request.raw: the body as received, NUL-terminated */
  size_t text_len;
  char audit_id[64]; /* the answer's Audit-Id header ("" without one) */
} tug_response;

void tug_response_clear(tug_response *r);

/*
 * The Audit-Id of the latest answer this thread received ("" when it had
 * none), for a log line about that call: the server's audit log and its own
 * log lines carry the same ID. A failed call's error carries it too
 * (tug_error.audit_id, logged by TUG_LOG_ERR).
 */
const char *tug_client_audit_id(void);

/*
 * One request. Returns the HTTP status (2xx) or -1; resp (may be NULL) gets
 * the status and body either way, so callers that need a Status' reason or
 * details find them there. The caller clears resp.
 */
int tug_client_do(tug_client *c, const tug_request *req, tug_response *resp, tug_error *err);

/*
 * The verbs. Each returns the HTTP status (200, 201, ...) or -1, and stores
 * the parsed body in *out (a new reference; out may be NULL).
 */
int tug_client_get(tug_client *c, const char *path, json_t **out, tug_error *err);
int tug_client_create(tug_client *c, const char *path, const json_t *obj, json_t **out,
                      tug_error *err);
/* PUT; obj's metadata.resourceVersion, when set, must be current (else TUG_E_CONFLICT). */
int tug_client_update(tug_client *c, const char *path, const json_t *obj, json_t **out,
                      tug_error *err);
int tug_client_delete(tug_client *c, const char *path, json_t **out, tug_error *err);

/* A DELETE's DeleteOptions; the zero value sends none of them. */
typedef struct tug_delete_options {
  const char *uid; /* preconditions.uid: only the object with this uid (else 409) */
  bool grace_set;  /* send grace_seconds (else the object's own period) */
  int64_t grace_seconds;
  const char *propagation; /* propagationPolicy; NULL: the kind's default */
} tug_delete_options;
int tug_client_delete_with(tug_client *c, const char *path, const tug_delete_options *opts,
                           tug_error *err);

typedef enum { TUG_PATCH_MERGE, TUG_PATCH_STRATEGIC } tug_patch_type;
int tug_client_patch(tug_client *c, const char *path, tug_patch_type type, const json_t *patch,
                     json_t **out, tug_error *err);

typedef struct tug_list_options {
  const char *label_selector;   /* "app=web,tier!=db" */
  const char *field_selector;   /* "spec.nodeName=n1" */
  const char *resource_version; /* "0": whatever the server's cache holds */
  long limit;                   /* 0: everything in one answer */
  const char *continue_token;
} tug_list_options;

/* GET a collection; opts may be NULL. *out is the List ({metadata, items}). */
int tug_client_list(tug_client *c, const char *path, const tug_list_options *opts, json_t **out,
                    tug_error *err);

/*
 * "path?k=v&k2=v2" (or "path&..." when path already has a query) with the
 * values URL-escaped; pairs with a NULL value are skipped. The array ends with
 * a NULL key. A new string, or NULL when memory runs out.
 */
char *tug_client_path_query(const char *path, const char *const *kv);

/*
 * A watch event: type is "ADDED", "MODIFIED", "DELETED", "BOOKMARK" or
 * "ERROR" (then object is a Status); object is borrowed for the call. Return
 * non-zero to end the watch.
 */
typedef int (*tug_watch_fn)(const char *type, json_t *object, void *arg);

/*
 * Stream a watch (path with "?watch=true&...") and call fn for each event, in
 * the calling thread. Returns 0 when the stream ends: the server closed it,
 * fn asked, or *stop (may be NULL) became true — checked every 100 ms. Returns
 * -1 when it could not start or broke off (a 410 answer is TUG_E_COMPACTED).
 */
int tug_client_watch(tug_client *c, const char *path, tug_watch_fn fn, void *arg,
                     const atomic_bool *stop, tug_error *err);

/* tug_client_watch with another Accept header (kubectl's Table watch, say). */
int tug_client_watch_accept(tug_client *c, const char *path, const char *accept, tug_watch_fn fn,
                            void *arg, const atomic_bool *stop, tug_error *err);

/*
 * Stream the body of a GET (a followed log, say) to fn as it arrives, in the
 * calling thread; fn returns non-zero to stop. Returns 0 when the stream ends
 * or is stopped (*stop, may be NULL, checked every 100 ms), -1 when it could
 * not start or broke off; a non-2xx answer is a tug_error as for other calls.
 */
typedef int (*tug_stream_fn)(const char *data, size_t len, void *arg);
int tug_client_stream(tug_client *c, const char *path, tug_stream_fn fn, void *arg,
                      const atomic_bool *stop, tug_error *err);

static inline void tug_client_freep(tug_client **c) {
  tug_client_free(*c);
}
#define _cleanup_client_ __attribute__((cleanup(tug_client_freep)))

#endif
