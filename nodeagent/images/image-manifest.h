/*
 * image-manifest.h — the documents of the OCI image and Docker v2 schema 2
 * formats that a pull reads: an index (OCI image index, Docker manifest
 * list) to choose a platform from, an image manifest (its config and
 * layers), and the image config (what runs: Entrypoint, Cmd, Env,
 * WorkingDir, User).
 *
 * Pure functions over parsed JSON, so each rule is unit-tested without a
 * registry. A document's kind comes from its mediaType field, else from the
 * Content-Type the registry sent, else from its shape (manifests or layers).
 */
#ifndef TUG_AGENT_IMAGE_MANIFEST_H
#define TUG_AGENT_IMAGE_MANIFEST_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"

#define AGENT_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define AGENT_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define AGENT_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define AGENT_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
/* What a pull asks for, in the Accept header of a manifest GET. */
#define AGENT_MANIFEST_ACCEPT_HEADER                                                               \
  AGENT_MT_OCI_INDEX ", " AGENT_MT_DOCKER_LIST ", " AGENT_MT_OCI_MANIFEST                          \
                     ", " AGENT_MT_DOCKER_MANIFEST

/* The platform a node runs. */
#define AGENT_IMAGE_OS "linux"
#define AGENT_IMAGE_ARCH "amd64"

/* The most layers an image may have (the overlay stack allows 500). */
enum { AGENT_IMAGE_MAX_LAYERS = 128 };

typedef enum agent_manifest_kind {
  AGENT_MANIFEST_INDEX,
  AGENT_MANIFEST_IMAGE,
} agent_manifest_kind;

typedef struct agent_blob_desc {
  char digest[80];
  int64_t size;
} agent_blob_desc;

typedef struct agent_image_manifest {
  agent_blob_desc config;
  agent_blob_desc layers[AGENT_IMAGE_MAX_LAYERS]; /* base layer first */
  size_t n_layers;
} agent_image_manifest;

/* Which kind doc is; content_type may be NULL. Fails on schema 1 and unknown types. */
int agent_manifest_kind_of(const json_t *doc, const char *content_type, agent_manifest_kind *kind,
                           tug_error *err);
/* The digest of the linux/amd64 image manifest of an index, into digest[80]. */
int agent_manifest_pick(const json_t *index, char *digest, tug_error *err);
/* Config and layers of an image manifest; refuses layer types it cannot unpack. */
int agent_manifest_parse(const json_t *doc, agent_image_manifest *m, tug_error *err);
/* Check an image config's runtime part ("config") and its platform. */
int agent_image_config_check(const json_t *config, tug_error *err);

#endif
