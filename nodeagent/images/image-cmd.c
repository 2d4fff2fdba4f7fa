/*
 * image-cmd.c — `tug-agent image ls|rm|load`: the node's image store from
 * the command line (tug image ... runs these on the agent's host).
 *
 * They work on the store's files directly, beside a running agent: records
 * and layers are renamed into place whole. rm does not know which pods run
 * an image (the agent's garbage collection does); it is for images no pod
 * uses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "image-cmd.h"
#include "image-load.h"
#include "image-ref.h"
#include "image-store.h"

static int image_ls(agent_image_store *s) {
  agent_image_entry *list = NULL;
  size_t n = 0;
  tug_error err = {0};
  if (agent_image_store_list(s, &list, &n, &err) < 0) {
    fprintf(stderr, "tug-agent: image ls: %s\n", err.msg);
    return 1;
  }
  printf("%-60s %-19s %12s  %s\n", "IMAGE", "IMAGE ID", "SIZE", "LAST USED");
  for (size_t i = 0; i < n; i++) {
    char when[32];
    struct tm tm;
    gmtime_r(&list[i].last_used, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t j;
    json_t *v;
    json_array_foreach(list[i].names, j, v)
        printf("%-60s %-19.19s %12lld  %s\n", json_string_value(v), list[i].digest,
               (long long)list[i].size, when);
  }
  agent_image_list_free(list, n);
  return 0;
}

/* The digest of the image named by what (a digest, or any of its names). */
static int find(agent_image_store *s, const char *what, char *digest, tug_error *err) {
  if (agent_image_digest_valid(what)) {
    snprintf(digest, 80, "%s", what);
    return 0;
  }
  agent_image_ref ref;
  agent_image_info info;
  if (agent_image_ref_parse(what, NULL, &ref, err) < 0)
    return -1;
  int found = agent_image_store_lookup(s, &ref, &info, err);
  if (found != 1)
    return found < 0 ? -1 : tug_error_set(err, ENOENT, "no image %s on this node", what);
  snprintf(digest, 80, "%s", info.digest);
  agent_image_info_clear(&info);
  return 0;
}

static int image_rm(agent_image_store *s, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    char digest[80];
    tug_error err = {0};
    if (find(s, argv[i], digest, &err) < 0 || agent_image_store_remove(s, digest, &err) < 0) {
      fprintf(stderr, "tug-agent: image rm %s: %s\n", argv[i], err.msg);
      return 1;
    }
    printf("Deleted: %s\n", digest);
  }
  return 0;
}

static int image_load(agent_image_store *s, const char *src, const char *name) {
  json_t *loaded = NULL;
  tug_error err = {0};
  if (agent_image_load(s, src, name, &loaded, &err) < 0) {
    json_decref(loaded);
    fprintf(stderr, "tug-agent: image load: %s\n", err.msg);
    return 1;
  }
  size_t i;
  json_t *v;
  json_array_foreach(loaded, i, v) printf("Loaded image: %s\n", json_string_value(v));
  json_decref(loaded);
  return 0;
}

int agent_image_cmd(const char *verb, const char *root, int argc, char **argv) {
  bool ls = strcmp(verb, "ls") == 0, rm = strcmp(verb, "rm") == 0, load = strcmp(verb, "load") == 0;
  if ((ls && argc != 0) || (rm && argc < 1) || (load && (argc < 1 || argc > 2)) ||
      !(ls || rm || load)) {
    fprintf(stderr, "usage: tug-agent image ls [--root DIR]\n"
                    "       tug-agent image rm [--root DIR] NAME|DIGEST...\n"
                    "       tug-agent image load [--root DIR] FILE|DIR [NAME]\n");
    return 2;
  }
  agent_image_store *s = NULL;
  tug_error err = {0};
  if (agent_image_store_open(root, &s, &err) < 0) {
    fprintf(stderr, "tug-agent: image %s: %s\n", verb, err.msg);
    return 1;
  }
  int rc = ls   ? image_ls(s)
           : rm ? image_rm(s, argc, argv)
                : image_load(s, argv[0], argc > 1 ? argv[1] : NULL);
  agent_image_store_close(s);
  return rc;
}
