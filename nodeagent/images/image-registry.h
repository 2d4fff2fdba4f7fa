/*
 * image-registry.h — a client of one repository on a registry that speaks
 * the OCI distribution API (Docker Registry HTTP API v2), over libcurl.
 *
 * The one idea: every request goes out bare first; a 401 is answered once by
 * the challenge's scheme (image-auth.h) and the request retried, and the
 * token or credentials then stick to the session. Blobs are hashed with
 * SHA-256 as they stream to disk and a blob whose digest is not the one asked
 * for is deleted and refused. HTTPS is verified against the system CAs;
 * plain HTTP only for a registry the agent lists as insecure.
 */
#ifndef TUG_AGENT_IMAGE_REGISTRY_H
#define TUG_AGENT_IMAGE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image-auth.h"
#include "image-manifest.h"

typedef struct agent_registry agent_registry;

/* Manifests larger than this are refused (the distribution spec's limit). */
enum { AGENT_MANIFEST_MAX = 4 * 1024 * 1024 };

/* A session with host/repository; creds may be NULL (anonymous). */
int agent_registry_open(const char *host, const char *repository, bool insecure,
                        const agent_registry_creds *creds, agent_registry **out, tug_error *err);
void agent_registry_close(agent_registry *r);

typedef struct agent_manifest_body {
  char *data; /* NUL-terminated, malloc'd */
  size_t len;
  char content_type[128];
  char digest[80]; /* sha256 of data, as computed here */
} agent_manifest_body;

/* GET the manifest named by reference (a tag or a digest, which it must then match). */
int agent_registry_manifest(agent_registry *r, const char *reference, agent_manifest_body *out,
                            tug_error *err);
/* GET a blob into path (created or truncated), checked against digest; *size gets its length. */
int agent_registry_blob(agent_registry *r, const char *digest, const char *path, int64_t *size,
                        tug_error *err);

/* One blob of agent_registry_blobs: digest and path in; rc (0 or -1), err and size out. */
typedef struct agent_blob_fetch {
  const char *digest, *path;
  int rc;
  tug_error err;
  int64_t size;
  void *arg; /* the caller's */
} agent_blob_fetch;
/* GET n blobs as agent_registry_blob does, up to parallel at once on
 * connections of their own (libcurl multi); done(f, arg) runs in this thread
 * as each ends, so the caller can unpack one while the others download.
 * -1 only when the transfers could not run at all (each f then says why). */
int agent_registry_blobs(agent_registry *r, agent_blob_fetch *f, size_t n, size_t parallel,
                         void (*done)(agent_blob_fetch *f, void *arg), void *arg, tug_error *err);

#endif
