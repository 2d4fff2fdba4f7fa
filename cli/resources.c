/*
 * resources.c — resolving resource words through discovery (see resources.h).
 */
#include "resources.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "object.h"

struct cli_discovery {
  tug_client *client;
  json_t *lists;  /* groupVersion → APIResourceList, fetched ones only */
  json_t *groups; /* /apis APIGroupList, or NULL until needed */
};

static void fill(const json_t *res, const char *gv, cli_resource *out) {
  const char *slash = strchr(gv, '/');
  *out = (cli_resource){0};
  if (slash) {
    snprintf(out->group, sizeof out->group, "%.*s", (int)(slash - gv), gv);
    snprintf(out->version, sizeof out->version, "%s", slash + 1);
  } else {
    snprintf(out->version, sizeof out->version, "%s", gv);
  }
  snprintf(out->name, sizeof out->name, "%s", tug_obj_get_str(res, "name"));
  const char *kind = tug_obj_get_str(res, "kind");
  snprintf(out->kind, sizeof out->kind, "%s", kind ? kind : "");
  out->namespaced = json_is_true(json_object_get(res, "namespaced"));
}

static bool word_names(const json_t *res, const char *word) {
  const char *name = tug_obj_get_str(res, "name");
  const char *singular = tug_obj_get_str(res, "singularName");
  const char *kind = tug_obj_get_str(res, "kind");
  if (strcmp(name, word) == 0 || (singular && strcmp(singular, word) == 0) ||
      (kind && strcasecmp(kind, word) == 0))
    return true;
  size_t i;
  json_t *sn;
  json_array_foreach(json_object_get(res, "shortNames"), i, sn) {
    if (json_is_string(sn) && strcmp(json_string_value(sn), word) == 0)
      return true;
  }
  return false;
}

static int match(const json_t *resources, const char *gv, const char *word, const char *kind,
                 cli_resource *out) {
  size_t i;
  json_t *res;
  json_array_foreach(resources, i, res) {
    const char *name = tug_obj_get_str(res, "name");
    if (name == NULL || strchr(name, '/'))
      continue;
    const char *k = tug_obj_get_str(res, "kind");
    if (kind ? (k && strcmp(k, kind) == 0) : word_names(res, word)) {
      fill(res, gv, out);
      return 0;
    }
  }
  return -1;
}

int cli_resource_match(const json_t *resources, const char *gv, const char *word,
                       cli_resource *out) {
  return match(resources, gv, word, NULL, out);
}

int cli_resource_match_kind(const json_t *resources, const char *gv, const char *kind,
                            cli_resource *out) {
  return match(resources, gv, NULL, kind, out);
}

cli_discovery *cli_discovery_new(tug_client *c) {
  cli_discovery *d = calloc(1, sizeof *d);
  if (d == NULL)
    return NULL;
  d->client = c;
  d->lists = json_object();
  if (d->lists == NULL) {
    free(d);
    return NULL;
  }
  return d;
}

void cli_discovery_free(cli_discovery *d) {
  if (d == NULL)
    return;
  json_decref(d->lists);
  json_decref(d->groups);
  free(d);
}

/* The resources of one groupVersion, fetched once; NULL when the server has none. */
static const json_t *resources_of(cli_discovery *d, const char *gv, tug_error *err) {
  json_t *list = json_object_get(d->lists, gv);
  if (list == NULL) {
    char path[256];
    snprintf(path, sizeof path, strchr(gv, '/') ? "/apis/%s" : "/api/%s", gv);
    tug_error e = {0};
    if (tug_client_get(d->client, path, &list, &e) < 0) {
      if (e.code != ENOENT) {
        *err = e;
        return NULL;
      }
      list = json_object();
    }
    json_object_set_new(d->lists, gv, list);
  }
  return json_object_get(list, "resources");
}

static const json_t *groups(cli_discovery *d, tug_error *err) {
  if (d->groups == NULL && tug_client_get(d->client, "/apis", &d->groups, err) < 0)
    return NULL;
  return json_object_get(d->groups, "groups");
}

static int not_found(tug_error *err, const char *word) {
  return tug_error_set(err, ENOENT, "the server doesn't have a resource type \"%s\"", word);
}

int cli_discovery_resolve(cli_discovery *d, const char *word, cli_resource *out, tug_error *err) {
  char lower[128];
  size_t n = strlen(word);
  if (n == 0 || n >= sizeof lower)
    return not_found(err, word);
  for (size_t i = 0; i <= n; i++)
    lower[i] = (char)tolower((unsigned char)word[i]);
  /* "deployments.apps": the part after the first dot names the group. */
  char *dot = strchr(lower, '.');
  const char *want_group = NULL;
  if (dot) {
    *dot = '\0';
    want_group = dot + 1;
  }
  tug_error_clear(err);
  if (want_group == NULL) {
    const json_t *core = resources_of(d, "v1", err);
    if (core && cli_resource_match(core, "v1", lower, out) == 0)
      return 0;
    if (err->code)
      return -1;
  }
  const json_t *gs = groups(d, err);
  if (gs == NULL)
    return -1;
  size_t i;
  json_t *g;
  json_array_foreach(gs, i, g) {
    const char *gname = tug_obj_get_str(g, "name");
    const char *gv = tug_obj_get_str(g, "preferredVersion.groupVersion");
    if (gname == NULL || gv == NULL || (want_group && strcmp(want_group, gname) != 0))
      continue;
    const json_t *res = resources_of(d, gv, err);
    if (res == NULL && err->code)
      return -1;
    if (cli_resource_match(res, gv, lower, out) == 0)
      return 0;
  }
  return not_found(err, word);
}

int cli_discovery_resolve_kind(cli_discovery *d, const char *api_version, const char *kind,
                               cli_resource *out, tug_error *err) {
  tug_error_clear(err);
  const json_t *res = resources_of(d, api_version, err);
  if (res == NULL && err->code)
    return -1;
  if (cli_resource_match_kind(res, api_version, kind, out) == 0)
    return 0;
  return tug_error_set(err, ENOENT, "no kind \"%s\" is served in version \"%s\"", kind,
                       api_version);
}

char *cli_resource_path(const cli_resource *r, const char *ns, const char *name, const char *sub) {
  char *ens = ns && r->namespaced ? curl_easy_escape(NULL, ns, 0) : NULL;
  char *ename = name ? curl_easy_escape(NULL, name, 0) : NULL;
  char *p = NULL;
  int rc = asprintf(&p, "%s%s%s%s%s%s/%s%s%s%s%s", r->group[0] ? "/apis/" : "/api", r->group,
                    r->group[0] ? "/" : "/", r->version, ens ? "/namespaces/" : "", ens ? ens : "",
                    r->name, ename ? "/" : "", ename ? ename : "", sub ? "/" : "", sub ? sub : "");
  curl_free(ens);
  curl_free(ename);
  return rc < 0 ? NULL : p;
}

const char *cli_resource_ref(const cli_resource *r, char *buf, size_t size) {
  size_t n = 0;
  for (const char *k = r->kind; *k && n + 1 < size; k++)
    buf[n++] = (char)tolower((unsigned char)*k);
  buf[n] = '\0';
  if (r->group[0])
    snprintf(buf + n, size - n, ".%s", r->group);
  return buf;
}
