/*
 * http.c — JSON requests and streaming watches over libcurl (see http.h).
 *
 * Requests borrow a curl easy handle from the client's small idle pool and
 * give it back after, so consecutive calls reuse the kept-alive connection
 * that handle holds (libcurl does not support one connection cache shared by
 * concurrent threads, a pool of handles sidesteps that). A watch takes its own
 * handle and drives it through a multi handle polled every 100 ms, so it can
 * notice its stop flag while the server is silent.
 */
#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "object.h"

enum {
  IDLE_HANDLES = 8,
  MAX_SERVERS = 8,
  DEFAULT_TIMEOUT_MS = 30000,
  CONNECT_TIMEOUT_MS = 10000,
  WATCH_POLL_MS = 100,
};

struct tug_client {
  char *server;               /* the list as given */
  char *servers[MAX_SERVERS]; /* each without trailing slash, inside server */
  int n_servers;
  atomic_int current; /* index into servers of the one calls go to */
  char *auth_header;
  char *ca_pem, *cert_pem, *key_pem; /* NULL when not set */
  atomic_long timeout_ms;
  pthread_mutex_t mu;
  CURL *idle[IDLE_HANDLES];
  int n_idle;
  tug_client_transport_fn transport; /* set: requests go there, not to a server */
  void *transport_arg;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void) {
  curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

tug_client *tug_client_new(const char *server_url, const char *token, tug_error *err) {
  return tug_client_new_tls(server_url, token, NULL, err);
}

/* c->server "URL,URL" cut in place into c->servers, each checked. */
static int split_servers(tug_client *c, tug_error *err) {
  char *save = NULL;
  for (char *u = strtok_r(c->server, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
    if (c->n_servers == MAX_SERVERS)
      return tug_error_set(err, E2BIG, "server URLs: at most %d", MAX_SERVERS);
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
      return tug_error_set(err, EINVAL, "server URL %s: want http://HOST:PORT or https://HOST:PORT",
                           u);
    size_t n = strlen(u);
    while (n > 0 && u[n - 1] == '/')
      u[--n] = '\0';
    c->servers[c->n_servers++] = u;
  }
  if (c->n_servers == 0)
    return tug_error_set(err, EINVAL, "server URL: none given");
  return 0;
}

/* The server calls go to now. */
static const char *current_server(const tug_client *c) {
  return c->servers[atomic_load(&c->current) % c->n_servers];
}

/* from could not be reached: move on, unless another thread already did. */
static void fail_over(tug_client *c, int from) {
  int next = (from + 1) % c->n_servers;
  if (c->n_servers > 1 && atomic_compare_exchange_strong(&c->current, &from, next))
    tug_warn("API server unreachable, failing over", "from=%s to=%s", c->servers[from],
             c->servers[next]);
}

static int dup_pem(char **dst, const char *pem) {
  return pem == NULL || (*dst = strdup(pem)) != NULL ? 0 : -1;
}

tug_client *tug_client_new_tls(const char *server_url, const char *token, const tug_client_tls *tls,
                               tug_error *err) {
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK) {
    tug_error_set(err, EIO, "init libcurl: %s", curl_easy_strerror(curl_init_rc));
    return NULL;
  }
  if (server_url == NULL) {
    tug_error_set(err, EINVAL, "server URL: none given");
    return NULL;
  }
  tug_client *c = calloc(1, sizeof *c);
  if (c == NULL) {
    tug_error_errno(err, ENOMEM, "new client");
    return NULL;
  }
  c->server = strdup(server_url);
  if (token && asprintf(&c->auth_header, "Authorization: Bearer %s", token) < 0)
    c->auth_header = NULL;
  pthread_mutex_init(&c->mu, NULL);
  if (c->server == NULL || (token && c->auth_header == NULL) ||
      (tls && (dup_pem(&c->ca_pem, tls->ca_pem) < 0 || dup_pem(&c->cert_pem, tls->cert_pem) < 0 ||
               dup_pem(&c->key_pem, tls->key_pem) < 0))) {
    tug_client_free(c);
    tug_error_errno(err, ENOMEM, "new client");
    return NULL;
  }
  if (split_servers(c, err) < 0) {
    tug_client_free(c);
    return NULL;
  }
  atomic_init(&c->timeout_ms, DEFAULT_TIMEOUT_MS);
  return c;
}

tug_client *tug_client_new_transport(tug_client_transport_fn fn, void *arg, tug_error *err) {
  tug_client *c = calloc(1, sizeof *c);
  if (c == NULL || (c->server = strdup("transport:")) == NULL) {
    free(c);
    tug_error_errno(err, ENOMEM, "new client");
    return NULL;
  }
  c->servers[c->n_servers++] = c->server;
  c->transport = fn;
  c->transport_arg = arg;
  atomic_init(&c->timeout_ms, DEFAULT_TIMEOUT_MS);
  pthread_mutex_init(&c->mu, NULL);
  return c;
}

void tug_client_free(tug_client *c) {
  if (c == NULL)
    return;
  for (int i = 0; i < c->n_idle; i++)
    curl_easy_cleanup(c->idle[i]);
  pthread_mutex_destroy(&c->mu);
  free(c->server);
  free(c->auth_header);
  free(c->ca_pem);
  free(c->cert_pem);
  free(c->key_pem);
  free(c);
}

void tug_client_set_timeout(tug_client *c, long timeout_ms) {
  atomic_store(&c->timeout_ms, timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS);
}

const char *tug_client_server(const tug_client *c) {
  return current_server(c);
}

void *tug_client_raw_handle(tug_client *c, const char **auth_header) {
  CURL *h = c->transport ? NULL : curl_easy_init();
  if (h == NULL)
    return NULL;
  curl_easy_setopt(h, CURLOPT_URL, current_server(c));
  tug_client_tls tls = {c->ca_pem, c->cert_pem, c->key_pem};
  tug_http_set_tls(h, &tls);
  *auth_header = c->auth_header;
  return h;
}

static CURL *take_handle(tug_client *c) {
  CURL *h = NULL;
  pthread_mutex_lock(&c->mu);
  if (c->n_idle > 0)
    h = c->idle[--c->n_idle];
  pthread_mutex_unlock(&c->mu);
  if (h == NULL)
    return curl_easy_init();
  curl_easy_reset(h); /* options go, the connection stays */
  return h;
}

static void give_handle(tug_client *c, CURL *h) {
  pthread_mutex_lock(&c->mu);
  if (c->n_idle < IDLE_HANDLES) {
    c->idle[c->n_idle++] = h;
    h = NULL;
  }
  pthread_mutex_unlock(&c->mu);
  if (h)
    curl_easy_cleanup(h);
}

int tug_client_error_code(long http_status) {
  switch (http_status) {
  case 400:
  case 422:
    return EINVAL;
  case 401:
  case 403:
    return EACCES;
  case 404:
    return ENOENT;
  case 405:
  case 415:
    return EOPNOTSUPP;
  case 409:
    return TUG_E_CONFLICT;
  case 410:
    return TUG_E_COMPACTED;
  case 413:
    return E2BIG;
  case 429:
  case 503:
    return EAGAIN;
  case 504:
    return ETIMEDOUT;
  default:
    return EIO;
  }
}

static int curl_fail(tug_error *err, CURLcode rc, const char *method, const char *url,
                     const char *detail) {
  int code;
  switch (rc) {
  case CURLE_OPERATION_TIMEDOUT:
    code = ETIMEDOUT;
    break;
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_GOT_NOTHING:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_PARTIAL_FILE:
    code = TUG_E_UNAVAILABLE;
    break;
  case CURLE_OUT_OF_MEMORY:
    code = ENOMEM;
    break;
  default:
    code = EIO;
  }
  return tug_error_set(err, code, "%s %s: %s", method, url,
                       detail && detail[0] ? detail : curl_easy_strerror(rc));
}

/* A growing byte buffer for response bodies and partial watch lines. */
typedef struct buf {
  char *data;
  size_t len, cap;
} buf;

static int buf_append(buf *b, const char *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *d = realloc(b->data, cap);
    if (d == NULL)
      return -1;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

static size_t write_buf(char *p, size_t size, size_t n, void *arg) {
  return buf_append(arg, p, size * n) < 0 ? 0 : size * n;
}

static _Thread_local char thread_audit_id[64];

const char *tug_client_audit_id(void) {
  return thread_audit_id;
}

/* Remember the answer's Audit-Id (this thread's latest) and put it on err. */
static void note_audit_id(CURL *h, char out[64], tug_error *err) {
  struct curl_header *hdr = NULL;
  const char *id = "";
  if (h && curl_easy_header(h, "Audit-Id", 0, CURLH_HEADER, -1, &hdr) == CURLHE_OK)
    id = hdr->value;
  snprintf(thread_audit_id, sizeof thread_audit_id, "%s", id);
  if (out)
    snprintf(out, 64, "%s", id);
  if (err)
    snprintf(err->audit_id, sizeof err->audit_id, "%s", id);
}

/* Turn a non-2xx answer into err: the Status' message and code when the body is one. */
static int status_fail(tug_error *err, long http, const json_t *body, const char *text,
                       const char *method, const char *path) {
  const char *msg = tug_obj_get_str(body, "message");
  int64_t code = tug_obj_get_int(body, "code", http);
  if (msg && msg[0])
    return tug_error_set(err, tug_client_error_code(code), "%s", msg);
  if (text && text[0])
    return tug_error_set(err, tug_client_error_code(http), "%s %s: HTTP %ld: %.200s", method, path,
                         http, text);
  return tug_error_set(err, tug_client_error_code(http), "%s %s: HTTP %ld", method, path, http);
}

typedef struct setup {
  int server; /* index of the server the call went to */
  struct curl_slist *headers;
  char *url;
  char *payload;
} setup;

static void setup_free(setup *s) {
  curl_slist_free_all(s->headers);
  free(s->url);
  free(s->payload);
}

static int add_header(setup *s, const char *h) {
  struct curl_slist *l = curl_slist_append(s->headers, h);
  if (l == NULL)
    return -1;
  s->headers = l;
  return 0;
}

/* CA and certificate from memory, not copied: callers keep them alive. */
void tug_http_set_tls(void *curl, const tug_client_tls *tls) {
  CURL *h = curl;
  if (tls->ca_pem) {
    struct curl_blob ca = {(void *)tls->ca_pem, strlen(tls->ca_pem), CURL_BLOB_NOCOPY};
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (tls->cert_pem && tls->key_pem) {
    struct curl_blob cert = {(void *)tls->cert_pem, strlen(tls->cert_pem), CURL_BLOB_NOCOPY};
    struct curl_blob key = {(void *)tls->key_pem, strlen(tls->key_pem), CURL_BLOB_NOCOPY};
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
  }
}

/* The client's CA and certificate: the client outlives its handles. */
static void set_tls(tug_client *c, CURL *h) {
  tug_client_tls tls = {.ca_pem = c->ca_pem, .cert_pem = c->cert_pem, .key_pem = c->key_pem};
  tug_http_set_tls(h, &tls);
}

/* The options every call shares: URL, method, headers, body, timeouts. */
/* "tug-controllers/tugboat": the API server names each write's field manager
 * after the User-Agent up to its "/", as Kubernetes names kube-scheduler's. */
static char agent[64];
static void name_agent(void) {
  snprintf(agent, sizeof agent, "%s/tugboat", program_invocation_short_name);
}

static const char *user_agent(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, name_agent);
  return agent;
}

static int setup_handle(tug_client *c, CURL *h, const tug_request *req, setup *s, tug_error *err) {
  char ctype[160];
  snprintf(ctype, sizeof ctype, "Content-Type: %s",
           req->content_type ? req->content_type : "application/json");
  s->server = atomic_load(&c->current) % c->n_servers;
  if (asprintf(&s->url, "%s%s", c->servers[s->server], req->path) < 0) {
    s->url = NULL;
    return tug_error_errno(err, ENOMEM, "%s %s", req->method, req->path);
  }
  if (req->body && (s->payload = json_dumps(req->body, JSON_COMPACT)) == NULL)
    return tug_error_set(err, EINVAL, "%s %s: cannot serialize the body", req->method, req->path);
  /* "Expect:" stops curl from waiting for 100-continue before larger bodies. */
  char accept[256];
  snprintf(accept, sizeof accept, "Accept: %s", req->accept ? req->accept : "application/json");
  if (add_header(s, accept) < 0 || add_header(s, "Expect:") < 0 ||
      (s->payload && add_header(s, ctype) < 0) ||
      (c->auth_header && add_header(s, c->auth_header) < 0))
    return tug_error_errno(err, ENOMEM, "%s %s", req->method, req->path);
  curl_easy_setopt(h, CURLOPT_URL, s->url);
  curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
  set_tls(c, h);
  if (strcmp(req->method, "GET") == 0)
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  if (s->payload) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, s->payload);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(s->payload));
  }
  return 0;
}

void tug_response_clear(tug_response *r) {
  if (r == NULL)
    return;
  json_decref(r->body);
  free(r->text);
  *r = (tug_response){0};
}

/* Parse what came back and decide between success and a Status error. */
static int finish(const tug_request *req, buf *b, long http, tug_response *resp, tug_error *err) {
  json_t *body = NULL;
  bool is_error = http < 200 || http > 299;
  if (b->len > 0 && (is_error || !req->raw))
    body = json_loadb(b->data, b->len, 0, NULL);
  int rc;
  if (is_error)
    rc = status_fail(err, http, body, body ? NULL : b->data, req->method, req->path);
  else if (b->len > 0 && body == NULL && !req->raw)
    rc = tug_error_set(err, TUG_E_PARSE, "%s %s: answer is not JSON", req->method, req->path);
  else
    rc = (int)http;
  if (resp) {
    resp->code = http;
    resp->body = body;
    if (req->raw && !is_error) {
      resp->text = b->data ? tug_steal_ptr(&b->data) : strdup("");
      resp->text_len = b->len;
    }
  } else {
    json_decref(body);
  }
  return rc;
}

/* tug_client_do through the client's transport function. */
static int do_transport(tug_client *c, const tug_request *req, tug_response *resp, tug_error *err) {
  buf b = {0};
  long http = c->transport(req, &b.data, c->transport_arg);
  b.len = b.data ? strlen(b.data) : 0;
  int rc = http == 0
               ? tug_error_set(err, TUG_E_UNAVAILABLE, "%s %s: no answer", req->method, req->path)
               : finish(req, &b, http, resp, err);
  free(b.data);
  return rc;
}

/* Whether a failed call may go to the next server: it never reached this
 * one, or it only read. */
static bool resendable(CURL *h, CURLcode cc, const tug_request *req) {
  curl_off_t connected = 0;
  if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST)
    return true;
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected);
  return connected == 0 || strcmp(req->method, "GET") == 0;
}

/* One try against the current server; *again is set when the next may be tried. */
static int do_once(tug_client *c, CURL *h, const tug_request *req, tug_response *resp, bool *again,
                   tug_error *err) {
  setup s = {0};
  buf b = {0};
  char detail[CURL_ERROR_SIZE] = "";
  int rc = setup_handle(c, h, req, &s, err);
  if (rc == 0) {
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : atomic_load(&c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_buf);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    if (cc != CURLE_OK) {
      rc = curl_fail(err, cc, req->method, s.url, detail);
      note_audit_id(NULL, NULL, NULL); /* no answer: no ID */
      if (err->code == TUG_E_UNAVAILABLE || err->code == ETIMEDOUT) {
        fail_over(c, s.server);
        *again = resendable(h, cc, req);
      }
    } else {
      long http = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
      rc = finish(req, &b, http, resp, err);
      note_audit_id(h, resp ? resp->audit_id : NULL, rc < 0 ? err : NULL);
    }
  }
  setup_free(&s);
  free(b.data);
  return rc;
}

int tug_client_do(tug_client *c, const tug_request *req, tug_response *resp, tug_error *err) {
  if (resp)
    *resp = (tug_response){0};
  if (c->transport)
    return do_transport(c, req, resp, err);
  CURL *h = take_handle(c);
  if (h == NULL)
    return tug_error_set(err, ENOMEM, "%s %s: cannot make a curl handle", req->method, req->path);
  int rc = -1;
  for (int tried = 0; tried < c->n_servers; tried++) {
    bool again = false;
    if (tried > 0)
      curl_easy_reset(h);
    if ((rc = do_once(c, h, req, resp, &again, err)) >= 0 || !again)
      break;
  }
  give_handle(c, h);
  return rc;
}

static int call(tug_client *c, const char *method, const char *path, const json_t *body,
                const char *ctype, json_t **out, tug_error *err) {
  tug_request req = {.method = method, .path = path, .body = body, .content_type = ctype};
  tug_response resp;
  int rc = tug_client_do(c, &req, &resp, err);
  if (out)
    *out = rc < 0 ? NULL : tug_steal_ptr(&resp.body);
  tug_response_clear(&resp);
  return rc;
}

int tug_client_get(tug_client *c, const char *path, json_t **out, tug_error *err) {
  return call(c, "GET", path, NULL, NULL, out, err);
}

int tug_client_create(tug_client *c, const char *path, const json_t *obj, json_t **out,
                      tug_error *err) {
  return call(c, "POST", path, obj, NULL, out, err);
}

int tug_client_update(tug_client *c, const char *path, const json_t *obj, json_t **out,
                      tug_error *err) {
  return call(c, "PUT", path, obj, NULL, out, err);
}

int tug_client_delete(tug_client *c, const char *path, json_t **out, tug_error *err) {
  return call(c, "DELETE", path, NULL, NULL, out, err);
}

int tug_client_delete_with(tug_client *c, const char *path, const tug_delete_options *opts,
                           tug_error *err) {
  _cleanup_json_ json_t *body =
      json_pack("{s:s, s:s}", "apiVersion", "v1", "kind", "DeleteOptions");
  if (body == NULL)
    return tug_error_set(err, ENOMEM, "DELETE %s: build DeleteOptions", path);
  if (opts->uid)
    json_object_set_new(body, "preconditions", json_pack("{s:s}", "uid", opts->uid));
  if (opts->grace_set)
    json_object_set_new(body, "gracePeriodSeconds", json_integer(opts->grace_seconds));
  if (opts->propagation)
    json_object_set_new(body, "propagationPolicy", json_string(opts->propagation));
  return call(c, "DELETE", path, body, NULL, NULL, err);
}

int tug_client_patch(tug_client *c, const char *path, tug_patch_type type, const json_t *patch,
                     json_t **out, tug_error *err) {
  const char *ctype = type == TUG_PATCH_STRATEGIC ? "application/strategic-merge-patch+json"
                                                  : "application/merge-patch+json";
  return call(c, "PATCH", path, patch, ctype, out, err);
}

char *tug_client_path_query(const char *path, const char *const *kv) {
  buf b = {0};
  char sep = strchr(path, '?') ? '&' : '?';
  if (buf_append(&b, path, strlen(path)) < 0)
    return NULL;
  for (; kv[0]; kv += 2) {
    if (kv[1] == NULL)
      continue;
    char *v = curl_easy_escape(NULL, kv[1], 0);
    int bad = v == NULL || buf_append(&b, &sep, 1) < 0 ||
              buf_append(&b, kv[0], strlen(kv[0])) < 0 || buf_append(&b, "=", 1) < 0 ||
              buf_append(&b, v, strlen(v)) < 0;
    curl_free(v);
    if (bad) {
      free(b.data);
      return NULL;
    }
    sep = '&';
  }
  return b.data;
}

int tug_client_list(tug_client *c, const char *path, const tug_list_options *opts, json_t **out,
                    tug_error *err) {
  tug_list_options none = {0};
  if (opts == NULL)
    opts = &none;
  char limit[32];
  snprintf(limit, sizeof limit, "%ld", opts->limit);
  const char *kv[] = {"labelSelector",
                      opts->label_selector,
                      "fieldSelector",
                      opts->field_selector,
                      "resourceVersion",
                      opts->resource_version,
                      "limit",
                      opts->limit > 0 ? limit : NULL,
                      "continue",
                      opts->continue_token,
                      NULL};
  _cleanup_free_ char *full = tug_client_path_query(path, kv);
  if (full == NULL)
    return tug_error_errno(err, ENOMEM, "list %s", path);
  return call(c, "GET", full, NULL, NULL, out, err);
}

/* The state of one watch stream between curl's write callbacks. */
typedef struct watch_state {
  CURL *h;
  tug_watch_fn fn;
  tug_stream_fn raw_fn; /* set for tug_client_stream: bytes, not events */
  const char *accept;   /* NULL: application/json */
  void *arg;
  buf line;    /* bytes after the last newline */
  buf errbody; /* the body of a non-2xx answer */
  long http;
  bool ended; /* fn asked to stop */
  tug_error parse_err;
} watch_state;

/* One event line; -1 ends the stream with parse_err set, 1 when fn asked to stop. */
static int watch_line(watch_state *w, const char *p, size_t n) {
  while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
    n--;
  if (n == 0)
    return 0;
  json_error_t jerr;
  _cleanup_json_ json_t *ev = json_loadb(p, n, 0, &jerr);
  const char *type = tug_obj_get_str(ev, "type");
  json_t *obj = tug_obj_get(ev, "object");
  if (type == NULL || !json_is_object(obj)) {
    tug_error_set(&w->parse_err, TUG_E_PARSE, "watch event: %s: %.100s",
                  ev ? "want {type, object}" : jerr.text, p);
    return -1;
  }
  return w->fn(type, obj, w->arg) != 0 ? 1 : 0;
}

static size_t watch_write(char *data, size_t size, size_t n, void *arg) {
  watch_state *w = arg;
  const char *p = data;
  size_t len = size * n;
  if (w->http == 0)
    curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &w->http);
  if (w->http < 200 || w->http > 299)
    return buf_append(&w->errbody, p, len) < 0 ? 0 : len;
  if (w->raw_fn) {
    if (w->raw_fn(p, len, w->arg) == 0)
      return len;
    w->ended = true;
    return 0;
  }
  const char *end = p + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      return buf_append(&w->line, p, (size_t)(end - p)) < 0 ? 0 : len;
    int rc;
    if (w->line.len > 0) {
      if (buf_append(&w->line, p, (size_t)(nl - p)) < 0)
        return 0;
      rc = watch_line(w, w->line.data, w->line.len);
      w->line.len = 0;
    } else {
      rc = watch_line(w, p, (size_t)(nl - p));
    }
    if (rc != 0) {
      w->ended = rc > 0;
      return 0; /* aborts the transfer */
    }
    p = nl + 1;
  }
  return len;
}

/* Drive the transfer until it ends or *stop is set; true when stopped. */
static bool watch_run(CURLM *m, const atomic_bool *stop, CURLcode *result) {
  int running = 1;
  while (running) {
    if (stop && atomic_load(stop))
      return true;
    if (curl_multi_perform(m, &running) != CURLM_OK) {
      *result = CURLE_FAILED_INIT;
      return false;
    }
    if (running)
      curl_multi_poll(m, NULL, 0, WATCH_POLL_MS, NULL);
  }
  int left;
  CURLMsg *msg;
  while ((msg = curl_multi_info_read(m, &left)) != NULL)
    if (msg->msg == CURLMSG_DONE)
      *result = msg->data.result;
  return false;
}

static int run_stream(tug_client *c, const char *path, watch_state *wp, const atomic_bool *stop,
                      tug_error *err);

int tug_client_watch(tug_client *c, const char *path, tug_watch_fn fn, void *arg,
                     const atomic_bool *stop, tug_error *err) {
  watch_state w = {.fn = fn, .arg = arg};
  return run_stream(c, path, &w, stop, err);
}

int tug_client_watch_accept(tug_client *c, const char *path, const char *accept, tug_watch_fn fn,
                            void *arg, const atomic_bool *stop, tug_error *err) {
  watch_state w = {.fn = fn, .arg = arg, .accept = accept};
  return run_stream(c, path, &w, stop, err);
}

int tug_client_stream(tug_client *c, const char *path, tug_stream_fn fn, void *arg,
                      const atomic_bool *stop, tug_error *err) {
  watch_state w = {.raw_fn = fn, .arg = arg};
  return run_stream(c, path, &w, stop, err);
}

/* A GET whose body is consumed as it arrives, for watches and streams alike. */
static int run_stream(tug_client *c, const char *path, watch_state *wp, const atomic_bool *stop,
                      tug_error *err) {
  tug_request req = {.method = "GET", .path = path, .accept = wp->raw_fn ? "*/*" : wp->accept};
  if (c->transport)
    return tug_error_set(err, EOPNOTSUPP, "watch %s: the client's transport has no streams", path);
  watch_state w = *wp;
  setup s = {0};
  w.h = curl_easy_init();
  CURLM *m = curl_multi_init();
  int rc = -1;
  if (w.h == NULL || m == NULL) {
    tug_error_set(err, ENOMEM, "watch %s: cannot make a curl handle", path);
    goto out;
  }
  if (setup_handle(c, w.h, &req, &s, err) < 0)
    goto out;
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(w.h, CURLOPT_WRITEFUNCTION, watch_write);
  curl_easy_setopt(w.h, CURLOPT_WRITEDATA, &w);
  curl_easy_setopt(w.h, CURLOPT_ERRORBUFFER, detail);
  curl_multi_add_handle(m, w.h);
  CURLcode result = CURLE_OK;
  bool stopped = watch_run(m, stop, &result);
  curl_multi_remove_handle(m, w.h);
  if (stopped || w.ended) {
    rc = 0;
  } else if (w.parse_err.code) {
    *err = w.parse_err;
  } else if (w.http != 0 && (w.http < 200 || w.http > 299)) {
    json_t *st = json_loadb(w.errbody.data ? w.errbody.data : "", w.errbody.len, 0, NULL);
    status_fail(err, w.http, st, st ? NULL : w.errbody.data, "GET", path);
    note_audit_id(w.h, NULL, err);
    json_decref(st);
  } else if (result != CURLE_OK) {
    if (curl_fail(err, result, "watch", s.url, detail) < 0 &&
        (err->code == TUG_E_UNAVAILABLE || err->code == ETIMEDOUT))
      fail_over(c, s.server); /* the caller's next watch goes to the next server */
  } else {
    rc = 0;
  }
out:
  if (m)
    curl_multi_cleanup(m);
  if (w.h)
    curl_easy_cleanup(w.h);
  setup_free(&s);
  free(w.line.data);
  free(w.errbody.data);
  return rc;
}
