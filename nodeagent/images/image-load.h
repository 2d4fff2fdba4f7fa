/*
 * image-load.h — images from local archives into the node's store
 * (`tug image load FILE`): `docker save` archives (manifest.json with
 * RepoTags, Config and Layers) and OCI image layouts (oci-layout,
 * index.json, blobs/sha256/), each as a directory or a tar of one.
 *
 * Every blob is checked against its digest as a pull checks it, and each
 * layer's uncompressed tar against the config's diff_ids. Names: a docker
 * archive's RepoTags; a layout's io.containerd.image.name annotation, else
 * its org.opencontainers.image.ref.name when that is a whole reference; name
 * (may be NULL) names an archive that carries none. A name without a
 * registry host ("app:v1") stays so, and a pod naming it that way finds it
 * (image-puller.h).
 */
#ifndef TUG_AGENT_IMAGE_LOAD_H
#define TUG_AGENT_IMAGE_LOAD_H

#include <jansson.h>

#include "error.h"
#include "image-store.h"

/* Load every image of src; *loaded: a new array of the names (or digests) recorded. */
int agent_image_load(agent_image_store *s, const char *src, const char *name, json_t **loaded,
                     tug_error *err);

#endif
