/*
 * image-store.h — the node's content-addressed image store, shared by all
 * its pods, and the pulls that fill it.
 *
 * Under <root>/store/: layers/<hex>/ is one unpacked layer named by its
 * blob's SHA-256 (each layer is stored once, whatever images share it, and
 * is one overlayfs lower dir); blobs/<hex> the image configs; images/<hex>.json
 * one record per image, named by the digest of the manifest (or index) it
 * was pulled by: its names ("registry/repo:tag", "registry/repo@sha256:..."),
 * config, layers and size. Only whole things are ever renamed into place, so
 * an agent killed mid-pull leaves at most a staging dir that the next pull
 * replaces.
 *
 * Thread-safe. Two pulls that need one layer download it once: the second
 * waits for the first (one transfer in flight per digest).
 */
#ifndef TUG_AGENT_IMAGE_STORE_H
#define TUG_AGENT_IMAGE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "image-auth.h"
#include "image-ref.h"

typedef struct agent_image_store agent_image_store;

/* What a container needs of an image. */
typedef struct agent_image_info {
  char digest[80];    /* the manifest (or index) digest the image was pulled by */
  char image_id[600]; /* containerStatuses[].imageID: "registry/repo@sha256:..." */
  int64_t size;       /* bytes of its blobs, as the registry served them */
  json_t
      *config; /* the image config's "config" object (Entrypoint, Cmd, ...); owned, may be NULL */
  char *lowerdir; /* overlay lower dirs, top layer first, ':'-separated; owned */
} agent_image_info;

void agent_image_info_clear(agent_image_info *info);

int agent_image_store_open(const char *root, agent_image_store **out, tug_error *err);
void agent_image_store_close(agent_image_store *s);
/* How many layers of one pull download at once (1: one after another). */
enum { AGENT_IMAGE_DOWNLOADS = 3 };
void agent_image_store_set_downloads(agent_image_store *s, int n);
/* <root>/store. */
const char *agent_image_store_dir(const agent_image_store *s);

/* The image ref names (by tag or by digest): 1 with info, 0 when absent. */
int agent_image_store_lookup(agent_image_store *s, const agent_image_ref *ref,
                             agent_image_info *info, tug_error *err);

/* Pull ref from its registry (plain HTTP when insecure; creds may be NULL) into the store:
 * resolve the tag, choose linux/amd64 from an index, fetch the config and each missing
 * layer (digests checked), unpack, record. Blocks; fills info. */
int agent_image_store_pull(agent_image_store *s, const agent_image_ref *ref, bool insecure,
                           const agent_registry_creds *creds, agent_image_info *info,
                           tug_error *err);

/* An image read from a local archive (image-load.h), its blobs on disk and verified. */
typedef struct agent_local_image {
  char digest[80];      /* the record's: the manifest's digest, else the config's */
  char repository[600]; /* of its names, for imageID ("" when none: the digest alone) */
  json_t *names;        /* array of references */
  json_t *config;       /* the whole image config */
  size_t n_layers;
  char **blobs;        /* layer blob paths, base first */
  char **blob_digests; /* their SHA-256 digests */
  int64_t size;
} agent_local_image;

/* Unpack img's layers that are not in the store (diff_ids checked) and record it;
 * its names move off any other image. */
int agent_image_store_add(agent_image_store *s, const agent_local_image *img, tug_error *err);

/* One stored image, as `tug image ls` and status.images show it. */
typedef struct agent_image_entry {
  char digest[80];
  json_t *names; /* array of strings, owned */
  int64_t size;
  time_t last_used;
} agent_image_entry;

/* Every image; free with agent_image_list_free. */
int agent_image_store_list(agent_image_store *s, agent_image_entry **out, size_t *n,
                           tug_error *err);
void agent_image_list_free(agent_image_entry *list, size_t n);
/* Remove the image with that digest and the layers no other image uses; EBUSY
 * while a pull of this process is in flight (its layers may be in no record yet). */
int agent_image_store_remove(agent_image_store *s, const char *digest, tug_error *err);

#endif
