/*
 * image-manifest.c — read index, manifest and config documents (image-manifest.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image-manifest.h"
#include "image-ref.h"
#include "object.h"

static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    NULL,
};

static bool one_of(const char *s, const char *const *list) {
  for (; s && *list; list++)
    if (strcmp(s, *list) == 0)
      return true;
  return false;
}

int agent_manifest_kind_of(const json_t *doc, const char *content_type, agent_manifest_kind *kind,
                           tug_error *err) {
  static const char *const indexes[] = {AGENT_MT_OCI_INDEX, AGENT_MT_DOCKER_LIST, NULL};
  static const char *const images[] = {AGENT_MT_OCI_MANIFEST, AGENT_MT_DOCKER_MANIFEST, NULL};
  if (!json_is_object(doc))
    return tug_error_set(err, TUG_E_PARSE, "manifest is not a JSON object");
  const char *mt = tug_obj_get_str(doc, "mediaType");
  char ct[128] = "";
  if (content_type) /* "type; charset=..." */
    snprintf(ct, sizeof ct, "%.*s", (int)strcspn(content_type, "; "), content_type);
  if (!mt || !*mt)
    mt = ct[0] && strcmp(ct, "application/json") != 0 ? ct : NULL;
  if (mt && one_of(mt, indexes))
    *kind = AGENT_MANIFEST_INDEX;
  else if (mt && one_of(mt, images))
    *kind = AGENT_MANIFEST_IMAGE;
  else if (mt)
    return tug_error_set(err, TUG_E_PARSE, "unsupported manifest type %s", mt);
  else if (json_is_array(json_object_get(doc, "manifests")))
    *kind = AGENT_MANIFEST_INDEX;
  else if (json_is_array(json_object_get(doc, "layers")))
    *kind = AGENT_MANIFEST_IMAGE;
  else
    return tug_error_set(err, TUG_E_PARSE, "manifest of unknown shape (no mediaType)");
  return 0;
}

static int read_desc(const json_t *d, const char *what, agent_blob_desc *out, tug_error *err) {
  const char *digest = tug_obj_get_str(d, "digest");
  const json_t *size = json_object_get(d, "size");
  if (!agent_image_digest_valid(digest))
    return tug_error_set(err, TUG_E_PARSE, "%s: digest %s is not sha256:<64 hex>", what,
                         digest ? digest : "(missing)");
  if (!json_is_integer(size) || json_integer_value(size) < 0)
    return tug_error_set(err, TUG_E_PARSE, "%s %s: no valid size", what, digest);
  snprintf(out->digest, sizeof out->digest, "%s", digest);
  out->size = json_integer_value(size);
  return 0;
}

int agent_manifest_pick(const json_t *index, char *digest, tug_error *err) {
  size_t i;
  const json_t *m;
  json_array_foreach(json_object_get(index, "manifests"), i, m) {
    const char *os = tug_obj_get_str(m, "platform.os");
    const char *arch = tug_obj_get_str(m, "platform.architecture");
    if (os && arch && strcmp(os, AGENT_IMAGE_OS) == 0 && strcmp(arch, AGENT_IMAGE_ARCH) == 0) {
      agent_blob_desc d;
      if (read_desc(m, "index entry", &d, err) < 0)
        return -1;
      snprintf(digest, 80, "%s", d.digest);
      return 0;
    }
  }
  return tug_error_set(err, ENOENT, "no manifest for %s/%s in the image index", AGENT_IMAGE_OS,
                       AGENT_IMAGE_ARCH);
}

int agent_manifest_parse(const json_t *doc, agent_image_manifest *m, tug_error *err) {
  memset(m, 0, sizeof *m);
  if (read_desc(json_object_get(doc, "config"), "config", &m->config, err) < 0)
    return -1;
  const json_t *layers = json_object_get(doc, "layers");
  if (!json_is_array(layers))
    return tug_error_set(err, TUG_E_PARSE, "manifest has no layers list");
  if (json_array_size(layers) > AGENT_IMAGE_MAX_LAYERS)
    return tug_error_set(err, E2BIG, "image has %zu layers, a node takes at most %d",
                         json_array_size(layers), AGENT_IMAGE_MAX_LAYERS);
  size_t i;
  const json_t *l;
  json_array_foreach(layers, i, l) {
    const char *mt = tug_obj_get_str(l, "mediaType");
    if (!one_of(mt, layer_types))
      return tug_error_set(err, TUG_E_PARSE, "layer %zu: unsupported media type %s", i,
                           mt ? mt : "(missing)");
    if (read_desc(l, "layer", &m->layers[i], err) < 0)
      return -1;
  }
  m->n_layers = json_array_size(layers);
  return 0;
}

static bool strings_or_null(const json_t *v) {
  size_t i;
  const json_t *s;
  if (v == NULL || json_is_null(v))
    return true;
  if (!json_is_array(v))
    return false;
  json_array_foreach(v, i, s) if (!json_is_string(s)) return false;
  return true;
}

int agent_image_config_check(const json_t *config, tug_error *err) {
  if (!json_is_object(config))
    return tug_error_set(err, TUG_E_PARSE, "image config is not a JSON object");
  const char *os = tug_obj_get_str(config, "os");
  if (os && strcmp(os, AGENT_IMAGE_OS) != 0)
    return tug_error_set(err, EINVAL, "image is for os %s, this node runs %s", os, AGENT_IMAGE_OS);
  const json_t *c = json_object_get(config, "config");
  static const char *const lists[] = {"Entrypoint", "Cmd", "Env"};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
    if (!strings_or_null(json_object_get(c, lists[i])))
      return tug_error_set(err, TUG_E_PARSE, "image config: %s is not a list of strings", lists[i]);
  return 0;
}
