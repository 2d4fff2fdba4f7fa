/*
 * image-registry.c — the distribution API client (image-registry.h).
 *
 * One curl handle per session, reused for every request so the connection
 * stays open across the manifest, the config and the layers. A response is
 * sent to its sink only when it is a 2xx; anything else is kept (up to a few
 * KiB) to report the registry's own error ("MANIFEST_UNKNOWN: manifest
 * unknown").
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "digest.h"
#include "base64.h"
#include "cleanup.h"
#include "image-registry.h"
#include "object.h"

struct agent_registry {
  CURL *curl;
  char base[512]; /* scheme://host/v2/repository */
  char repository[256];
  agent_registry_creds creds;
  bool have_creds;
  char *authorization; /* "Authorization: ..." once a challenge was met; NULL before */
};

/* What one request collects. */
typedef struct response {
  CURL *curl;
  long status;
  char content_type[128], challenge[1024];
  char error[4096]; /* a non-2xx body, truncated */
  size_t error_len;
  /* The sink of a 2xx body: a buffer or a file, hashed either way. */
  char *buf;
  size_t len, cap, limit;
  int fd;
  EVP_MD_CTX *md;
  bool too_big, write_failed;
} response;

static size_t on_header(char *line, size_t size, size_t n, void *arg) {
  response *r = arg;
  size_t len = size * n;
  if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) { /* a new response: a redirect's or the last */
    r->content_type[0] = r->challenge[0] = '\0';
    return len;
  }
  const char *colon = memchr(line, ':', len);
  if (!colon)
    return len;
  size_t key = (size_t)(colon - line);
  const char *v = colon + 1;
  while (v < line + len && *v == ' ')
    v++;
  int vlen = (int)(line + len - v);
  while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
    vlen--;
  if (key == 12 && strncasecmp(line, "content-type", 12) == 0)
    snprintf(r->content_type, sizeof r->content_type, "%.*s", vlen, v);
  else if (key == 16 && strncasecmp(line, "www-authenticate", 16) == 0)
    snprintf(r->challenge, sizeof r->challenge, "%.*s", vlen, v);
  return len;
}

static bool sink_buffer(response *r, const char *data, size_t len) {
  if (r->len + len > r->limit) {
    r->too_big = true;
    return false;
  }
  if (r->len + len + 1 > r->cap) {
    size_t cap = (r->len + len + 1) * 2;
    char *grown = realloc(r->buf, cap);
    if (grown == NULL)
      return false;
    r->buf = grown;
    r->cap = cap;
  }
  memcpy(r->buf + r->len, data, len);
  r->len += len;
  r->buf[r->len] = '\0';
  return true;
}

static bool sink_file(response *r, const char *data, size_t len) {
  for (size_t off = 0; off < len;) {
    ssize_t w = write(r->fd, data + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      r->write_failed = true;
      return false;
    }
    off += (size_t)w;
  }
  r->len += len;
  return true;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg) {
  response *r = arg;
  size_t len = size * n;
  /* The status line comes before any body byte, so the code is known here. */
  curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
  if (r->status < 200 || r->status >= 300) {
    size_t room = sizeof r->error - 1 - r->error_len;
    size_t take = len < room ? len : room;
    memcpy(r->error + r->error_len, data, take);
    r->error_len += take;
    r->error[r->error_len] = '\0';
    return len;
  }
  EVP_DigestUpdate(r->md, data, len);
  return (r->fd >= 0 ? sink_file(r, data, len) : sink_buffer(r, data, len)) ? len : 0;
}

/* The registry's error document, as "CODE: message[; ...]", else the HTTP status. */
static void registry_error(const response *r, const char *what, tug_error *err) {
  char msg[600] = "";
  size_t off = 0;
  _cleanup_json_ json_t *doc = json_loadb(r->error, r->error_len, 0, NULL);
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "errors"), i, e) {
    const char *code = tug_obj_get_str(e, "code"), *m = tug_obj_get_str(e, "message");
    off += (size_t)snprintf(msg + off, off < sizeof msg ? sizeof msg - off : 0, "%s%s: %s",
                            i ? "; " : "", code ? code : "?", m ? m : "");
    if (off >= sizeof msg)
      break;
  }
  int code = r->status == 404 ? ENOENT : (r->status == 401 || r->status == 403) ? EACCES : EIO;
  tug_error_set(err, code, "%s: HTTP %ld%s%s", what, r->status, msg[0] ? ": " : "", msg);
}

/* Set c up to GET url into r; returns the header list to free once done. */
static struct curl_slist *prepare(agent_registry *rg, CURL *c, const char *url, const char *accept,
                                  response *r) {
  struct curl_slist *h = NULL;
  char accept_h[512];
  if (accept) {
    snprintf(accept_h, sizeof accept_h, "Accept: %s", accept);
    h = curl_slist_append(h, accept_h);
  }
  if (rg->authorization)
    h = curl_slist_append(h, rg->authorization);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
  r->curl = c;
  r->status = 0;
  return h;
}

/* What a finished transfer of url means: 0 with r->status, or the failure. */
static int transfer_result(CURLcode rc, const char *url, response *r, tug_error *err) {
  if (rc != CURLE_OK) {
    if (r->too_big)
      return tug_error_set(err, E2BIG, "GET %s: larger than %zu bytes", url, r->limit);
    if (r->write_failed)
      return tug_error_errno(err, errno, "GET %s: write to disk", url);
    return tug_error_set(err, TUG_E_UNAVAILABLE, "GET %s: %s", url, curl_easy_strerror(rc));
  }
  curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
  return 0;
}

static int perform(agent_registry *rg, const char *url, const char *accept, response *r,
                   tug_error *err) {
  struct curl_slist *h = prepare(rg, rg->curl, url, accept, r);
  CURLcode rc = curl_easy_perform(rg->curl);
  curl_easy_setopt(rg->curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(h);
  return transfer_result(rc, url, r, err);
}

/* Trade the credentials (if any) at the challenge's realm for a bearer token. */
static int fetch_token(agent_registry *rg, const agent_auth_challenge *ch, tug_error *err) {
  CURL *c = rg->curl;
  char *service = curl_easy_escape(c, ch->service, 0), *scope = curl_easy_escape(c, ch->scope, 0);
  char url[2048];
  snprintf(url, sizeof url, "%s%sservice=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?",
           service ? service : "", ch->scope[0] ? "&scope=" : "", ch->scope[0] ? scope : "");
  curl_free(service);
  curl_free(scope);
  response r = {.fd = -1, .limit = 1 << 20, .md = EVP_MD_CTX_new()};
  EVP_DigestInit_ex(r.md, EVP_sha256(), NULL);
  if (rg->have_creds) {
    curl_easy_setopt(c, CURLOPT_USERNAME, rg->creds.user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, rg->creds.password);
  }
  free(rg->authorization);
  rg->authorization = NULL;
  int rc = perform(rg, url, "application/json", &r, err);
  curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
  curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
  EVP_MD_CTX_free(r.md);
  _cleanup_free_ char *body = r.buf;
  if (rc < 0)
    return -1;
  if (r.status != 200) {
    registry_error(&r, "token", err);
    return tug_error_wrap(err, "authenticate at %s", ch->realm);
  }
  _cleanup_json_ json_t *doc = json_loads(body ? body : "", 0, NULL);
  const char *token = tug_obj_get_str(doc, "token");
  if (!token || !*token)
    token = tug_obj_get_str(doc, "access_token");
  if (!token || !*token)
    return tug_error_set(err, EPROTO, "authenticate at %s: the answer holds no token", ch->realm);
  if (asprintf(&rg->authorization, "Authorization: Bearer %s", token) < 0)
    rg->authorization = NULL;
  return rg->authorization ? 0 : tug_error_set(err, ENOMEM, "token header");
}

static int basic_auth(agent_registry *rg, tug_error *err) {
  _cleanup_free_ char *pair = NULL;
  if (asprintf(&pair, "%s:%s", rg->creds.user, rg->creds.password) < 0)
    return tug_error_set(err, ENOMEM, "credentials");
  _cleanup_free_ char *b64 = tug_base64_encode(pair, strlen(pair));
  free(rg->authorization);
  rg->authorization = NULL;
  if (b64 == NULL || asprintf(&rg->authorization, "Authorization: Basic %s", b64) < 0)
    return tug_error_set(err, ENOMEM, "credentials");
  return 0;
}

/* Answer a 401 once; 0 to retry, -1 when there is nothing to retry with. */
static int answer_challenge(agent_registry *rg, const response *r, const char *what,
                            tug_error *err) {
  agent_auth_challenge ch;
  if (rg->authorization || agent_auth_parse_challenge(r->challenge, &ch, err) < 0) {
    registry_error(r, what, err);
    return tug_error_wrap(
        err, "%s", rg->have_creds ? "credentials refused" : "no pull secret for the registry");
  }
  if (ch.bearer)
    return fetch_token(rg, &ch, err);
  if (!rg->have_creds) {
    registry_error(r, what, err);
    return tug_error_wrap(err, "no pull secret for the registry");
  }
  return basic_auth(rg, err);
}

/* GET url into r's sink, answering one 401. Fails on any other non-2xx. */
static int get(agent_registry *rg, const char *url, const char *accept, response *r,
               const char *what, tug_error *err) {
  for (int attempt = 0;; attempt++) {
    if (perform(rg, url, accept, r, err) < 0)
      return -1;
    if (r->status >= 200 && r->status < 300)
      return 0;
    if (r->status != 401 || attempt > 0) {
      registry_error(r, what, err);
      return -1;
    }
    if (answer_challenge(rg, r, what, err) < 0)
      return -1;
    r->error_len = 0;
    r->error[0] = '\0';
  }
}

int agent_registry_open(const char *host, const char *repository, bool insecure,
                        const agent_registry_creds *creds, agent_registry **out, tug_error *err) {
  agent_registry *rg = calloc(1, sizeof *rg);
  if (rg == NULL || (rg->curl = curl_easy_init()) == NULL) {
    free(rg);
    return tug_error_set(err, ENOMEM, "registry session");
  }
  snprintf(rg->base, sizeof rg->base, "%s://%s/v2/%s", insecure ? "http" : "https", host,
           repository);
  snprintf(rg->repository, sizeof rg->repository, "%s", repository);
  if (creds && creds->user[0]) {
    rg->creds = *creds;
    rg->have_creds = true;
  }
  CURL *c = rg->curl;
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, insecure ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, insecure ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
  /* A stalled transfer fails rather than holding the pull forever. */
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tug-agent");
  *out = rg;
  return 0;
}

void agent_registry_close(agent_registry *rg) {
  if (rg == NULL)
    return;
  curl_easy_cleanup(rg->curl);
  free(rg->authorization);
  explicit_bzero(&rg->creds, sizeof rg->creds);
  free(rg);
}

int agent_registry_manifest(agent_registry *rg, const char *reference, agent_manifest_body *out,
                            tug_error *err) {
  memset(out, 0, sizeof *out);
  char url[1024], what[512];
  snprintf(url, sizeof url, "%s/manifests/%s", rg->base, reference);
  snprintf(what, sizeof what, "manifest %s:%s", rg->repository, reference);
  response r = {.fd = -1, .limit = AGENT_MANIFEST_MAX, .md = EVP_MD_CTX_new()};
  EVP_DigestInit_ex(r.md, EVP_sha256(), NULL);
  int rc = get(rg, url, AGENT_MANIFEST_ACCEPT_HEADER, &r, what, err);
  tug_digest_final(r.md, out->digest);
  EVP_MD_CTX_free(r.md);
  if (rc < 0 || r.buf == NULL) {
    free(r.buf);
    return rc < 0 ? -1 : tug_error_set(err, EPROTO, "%s: empty answer", what);
  }
  if (strncmp(reference, "sha256:", 7) == 0 && strcmp(reference, out->digest) != 0) {
    free(r.buf);
    return tug_error_set(err, EBADMSG, "%s: content has digest %s", what, out->digest);
  }
  out->data = r.buf;
  out->len = r.len;
  snprintf(out->content_type, sizeof out->content_type, "%s", r.content_type);
  return 0;
}

/* A blob's download: its file, hashed as it arrives. */
typedef struct blob_get {
  char url[1024], what[512];
  response r;
} blob_get;

static int blob_begin(agent_registry *rg, const char *digest, const char *path, blob_get *b,
                      tug_error *err) {
  snprintf(b->url, sizeof b->url, "%s/blobs/%s", rg->base, digest);
  snprintf(b->what, sizeof b->what, "blob %s", digest);
  b->r = (response){.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)};
  if (b->r.fd < 0)
    return tug_error_errno(err, errno, "create %s", path);
  if ((b->r.md = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(b->r.md, EVP_sha256(), NULL)) {
    EVP_MD_CTX_free(b->r.md);
    close(b->r.fd);
    return tug_error_set(err, ENOMEM, "%s: hash", b->what);
  }
  return 0;
}

/* rc: the download's; then the digest must be the blob's. The file goes on failure. */
static int blob_end(blob_get *b, int rc, const char *digest, const char *path, int64_t *size,
                    tug_error *err) {
  char got[80];
  tug_digest_final(b->r.md, got);
  EVP_MD_CTX_free(b->r.md);
  close(b->r.fd);
  if (rc == 0 && strcmp(got, digest) != 0)
    rc = tug_error_set(err, EBADMSG, "%s: content has digest %s (%zu bytes): refused", b->what, got,
                       b->r.len);
  if (rc < 0) {
    unlink(path);
    return -1;
  }
  *size = (int64_t)b->r.len;
  return 0;
}

int agent_registry_blob(agent_registry *rg, const char *digest, const char *path, int64_t *size,
                        tug_error *err) {
  blob_get b;
  if (blob_begin(rg, digest, path, &b, err) < 0)
    return -1;
  int rc = get(rg, b.url, NULL, &b.r, b.what, err);
  return blob_end(&b, rc, digest, path, size, err);
}

/* ---- blobs in parallel ---- */

typedef struct transfer {
  blob_get b;
  CURL *curl;
  struct curl_slist *headers;
  agent_blob_fetch *f;
} transfer;

/* Start f's download on a handle of its own (the session's options, its
 * authorization too); false when it could not start (f->rc says why). */
static bool transfer_start(agent_registry *rg, CURLM *multi, transfer *t, agent_blob_fetch *f) {
  *t = (transfer){.f = f};
  if (blob_begin(rg, f->digest, f->path, &t->b, &f->err) < 0) {
    f->rc = -1;
    return false;
  }
  t->curl = curl_easy_duphandle(rg->curl);
  if (t->curl == NULL) {
    f->rc = blob_end(&t->b, tug_error_set(&f->err, ENOMEM, "%s: handle", t->b.what), f->digest,
                     f->path, &f->size, &f->err);
    return false;
  }
  t->headers = prepare(rg, t->curl, t->b.url, NULL, &t->b.r);
  curl_easy_setopt(t->curl, CURLOPT_PRIVATE, t);
  curl_multi_add_handle(multi, t->curl);
  return true;
}

/* A finished download: checked, or tried again alone when the registry wants
 * a fresh challenge answered (a token that expired, a new scope). */
static void transfer_end(agent_registry *rg, CURLM *multi, transfer *t, CURLcode code) {
  agent_blob_fetch *f = t->f;
  curl_multi_remove_handle(multi, t->curl);
  int rc = transfer_result(code, t->b.url, &t->b.r, &f->err);
  bool challenged = rc == 0 && t->b.r.status == 401;
  if (rc == 0 && !challenged && (t->b.r.status < 200 || t->b.r.status >= 300)) {
    registry_error(&t->b.r, t->b.what, &f->err);
    rc = -1;
  }
  f->rc = blob_end(&t->b, challenged ? -1 : rc, f->digest, f->path, &f->size, &f->err);
  curl_slist_free_all(t->headers);
  curl_easy_cleanup(t->curl);
  t->curl = NULL;
  if (challenged) {
    tug_error_clear(&f->err);
    f->rc = agent_registry_blob(rg, f->digest, f->path, &f->size, &f->err);
  }
}

/* Run multi until one transfer ends; that one, or NULL when none is left or it broke. */
static transfer *next_done(CURLM *multi, CURLcode *code) {
  for (;;) {
    int running = 0, left = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK)
      return NULL;
    CURLMsg *m;
    while ((m = curl_multi_info_read(multi, &left)) != NULL)
      if (m->msg == CURLMSG_DONE) {
        transfer *t = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        *code = m->data.result;
        return t;
      }
    if (running == 0)
      return NULL;
    if (curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK)
      return NULL;
  }
}

int agent_registry_blobs(agent_registry *rg, agent_blob_fetch *f, size_t n, size_t parallel,
                         void (*done)(agent_blob_fetch *f, void *arg), void *arg, tug_error *err) {
  CURLM *multi = curl_multi_init();
  transfer *t = calloc(n ? n : 1, sizeof *t);
  if (multi == NULL || t == NULL) {
    curl_multi_cleanup(multi);
    free(t);
    return tug_error_set(err, ENOMEM, "parallel downloads");
  }
  size_t started = 0, running = 0, finished = 0;
  while (finished < n) {
    for (; started < n && running < parallel; started++)
      if (transfer_start(rg, multi, &t[started], &f[started]))
        running++;
      else
        finished++, done(&f[started], arg);
    CURLcode code = CURLE_OK;
    transfer *d = running ? next_done(multi, &code) : NULL;
    if (d == NULL && running)
      break; /* the multi handle broke: what is left is failed below */
    if (d) {
      transfer_end(rg, multi, d, code);
      running--, finished++;
      done(d->f, arg);
    }
  }
  bool broke = finished < n;
  for (size_t i = 0; i < n; i++) /* a broken multi handle: what is left fails */
    if (i >= started || t[i].curl) {
      if (i < started)
        transfer_end(rg, multi, &t[i], CURLE_RECV_ERROR);
      else
        f[i].rc = tug_error_set(&f[i].err, EIO, "blob %s: not fetched", f[i].digest);
      done(&f[i], arg);
    }
  curl_multi_cleanup(multi);
  free(t);
  return broke ? tug_error_set(err, EIO, "parallel downloads: the transfer loop broke") : 0;
}
