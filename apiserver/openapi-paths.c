/*
 * openapi-paths.c — a kind's paths and operations, from its row in the kinds
 * table: the collection, the object, the all-namespaces list and each
 * subresource, with the operations its verbs allow.
 *
 * What kubectl reads from them: every PATCH operation names its kind in
 * x-kubernetes-group-version-kind and lists the fieldValidation parameter
 * (so kubectl leaves validation to the server) and the strategic merge media
 * type (so `apply` computes a strategic merge patch); `explain` finds a
 * resource's kind on the operations of its collection path. kubectl takes the
 * first PATCH operation it meets for a kind, in no set order, so the main
 * resource and its subresources must agree on both.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crd.h"
#include "openapi-internal.h"
#include "patch.h"

/* The patch media types the server accepts (handlers.c reads them). */
#define patch_types api_patch_media_list
static const char *const response_types[] = {"application/json", "application/yaml",
                                             "application/vnd.kubernetes.protobuf", NULL};
/* kubectl parses a group-version's whole v3 document again for every object it
 * validates, so each response names one media type, not all three. */
static const char *const response_types_v3[] = {"application/json", NULL};
static const char *const PATCH_DEF = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

enum {
  Q_LIST = 1 << 0,   /* labelSelector, fieldSelector, limit, continue, watch, ... */
  Q_WRITE = 1 << 1,  /* dryRun, fieldManager, fieldValidation */
  Q_FORCE = 1 << 2,  /* force (apply patches) */
  Q_DELETE = 1 << 3, /* dryRun, gracePeriodSeconds, propagationPolicy */
};

static const struct {
  unsigned set;
  const char *name, *type, *description;
} query_params[] = {
    {Q_LIST, "allowWatchBookmarks", "boolean", "Ask for BOOKMARK events in a watch."},
    {Q_LIST, "continue", "string", "The token of the next page of a limited list."},
    {Q_LIST, "fieldSelector", "string", "Only objects whose fields match: spec.nodeName=n1."},
    {Q_LIST, "labelSelector", "string", "Only objects whose labels match: app=web,tier!=db."},
    {Q_LIST, "limit", "integer", "At most this many objects; the rest through continue."},
    {Q_LIST, "resourceVersion", "string",
     "The version the list is as of, or a watch starts after."},
    {Q_LIST, "resourceVersionMatch", "string", "How resourceVersion applies to a list."},
    {Q_LIST, "sendInitialEvents", "boolean", "Start a watch with the objects that exist."},
    {Q_LIST, "timeoutSeconds", "integer", "End the list or watch after this many seconds."},
    {Q_LIST, "watch", "boolean", "Watch for changes instead of listing."},
    {Q_WRITE | Q_DELETE, "dryRun", "string", "All: validate and admit, but store nothing."},
    {Q_WRITE, "fieldManager", "string", "The name of the actor making the change."},
    {Q_WRITE, "fieldValidation", "string",
     "What becomes of unknown and duplicate fields: Strict (refused), Warn (warned about and "
     "dropped; the default) or Ignore (dropped)."},
    {Q_FORCE, "force", "boolean", "Take over fields other managers own (apply patches)."},
    {Q_DELETE, "gracePeriodSeconds", "integer", "Seconds before the object is deleted."},
    {Q_DELETE, "propagationPolicy", "string", "Orphan, Background or Foreground dependents."},
};

/* One operation of a path. */
typedef struct op_spec {
  const char *method; /* get, post, put, patch, delete */
  const char *verb;   /* the kind's verb that allows it */
  const char *action; /* x-kubernetes-action */
  const char *id;     /* operationId's first word */
  const char *what;   /* description, after the verb */
  unsigned query;
} op_spec;

static const op_spec list_op = {"get", "list", "list", "list", "list or watch objects of kind",
                                Q_LIST};
static const op_spec collection_ops[] = {
    {"get", "list", "list", "list", "list or watch objects of kind", Q_LIST},
    {"post", "create", "post", "create", "create a", Q_WRITE},
    {"delete", "deletecollection", "deletecollection", "delete", "delete a collection of",
     Q_LIST | Q_DELETE},
};
static const op_spec object_ops[] = {
    {"get", "get", "get", "read", "read the specified", 0},
    {"put", "update", "put", "replace", "replace the specified", Q_WRITE},
    {"patch", "patch", "patch", "patch", "partially update the specified", Q_WRITE | Q_FORCE},
    {"delete", "delete", "delete", "delete", "delete a", Q_DELETE},
};
static const op_spec sub_ops[] = {
    {"get", "get", "get", "read", "read the specified", 0},
    {"put", "update", "put", "replace", "replace the specified", Q_WRITE},
    {"patch", "patch", "patch", "patch", "partially update the specified", Q_WRITE | Q_FORCE},
};
static const op_spec binding_op = {"post", "create", "post", "create", "create a", Q_WRITE};
static const op_spec log_op = {"get", "get", "connect", "read", "read the log of the specified", 0};

/* Where a path sits and what its bodies are. */
typedef struct path_ctx {
  api_openapi_dialect d;
  const api_kind *k;
  const api_schema_kind *body; /* the kind of request and response bodies */
  const api_message *list;     /* the kind's List, for list operations */
  const char *id_kind;         /* "NamespacedPod", "Node", "PodForAllNamespaces" */
  const char *id_sub;          /* "Status", "Scale", "" */
  char gv_id[64], tag[64];     /* "CoreV1", "core_v1" */
  json_t *defs;
} path_ctx;

static bool has_verb(const api_kind *k, const char *verb) {
  for (const char *const *v = k->verbs; v && *v; v++)
    if (strcmp(*v, verb) == 0)
      return true;
  return false;
}

/* "scheduling.k8s.io" → "Scheduling", "scheduling.tug.io" → "SchedulingTugIo", "" → "Core". */
static void group_words(const char *group, const char *version, char *id, size_t id_size, char *tag,
                        size_t tag_size) {
  char g[64];
  snprintf(g, sizeof g, "%s", group[0] ? group : "core");
  char *k8s = strstr(g, ".k8s.io");
  if (k8s && k8s[7] == '\0')
    *k8s = '\0';
  size_t o = 0;
  bool upper = true;
  for (const char *p = g; *p && o + 1 < id_size; p++) {
    if (*p == '.' || *p == '-') {
      upper = true;
      continue;
    }
    id[o++] = upper ? (char)toupper((unsigned char)*p) : *p;
    upper = false;
  }
  id[o] = '\0';
  int n = snprintf(tag, tag_size, "%s_%s", id, version);
  if (n > 0)
    tag[0] = (char)tolower((unsigned char)tag[0]);
  size_t len = strlen(id);
  snprintf(id + len, id_size - len, "%s", version);
  id[len] = (char)toupper((unsigned char)id[len]);
}

static json_t *query_param(api_openapi_dialect d, const char *name, const char *type,
                           const char *description) {
  if (d == API_OPENAPI_V2)
    return json_pack("{s:b, s:s, s:s, s:s, s:s}", "uniqueItems", 1, "type", type, "description",
                     description, "name", name, "in", "query");
  return json_pack("{s:s, s:s, s:s, s:{s:s, s:b}}", "name", name, "in", "query", "description",
                   description, "schema", "type", type, "uniqueItems", 1);
}

static json_t *path_param(api_openapi_dialect d, const char *name, const char *description) {
  if (d == API_OPENAPI_V2)
    return json_pack("{s:b, s:s, s:s, s:s, s:s, s:b}", "uniqueItems", 1, "type", "string",
                     "description", description, "name", name, "in", "path", "required", 1);
  return json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:b}}", "name", name, "in", "path", "description",
                   description, "required", 1, "schema", "type", "string", "uniqueItems", 1);
}

/* {"application/json": {"schema": ...}, ...} for OpenAPI 3. */
static json_t *media(const char *const *types, json_t *schema) {
  json_t *content = json_object();
  for (const char *const *t = types; *t; t++)
    json_object_set_new(content, *t, json_pack("{s:O}", "schema", schema));
  json_decref(schema);
  return content;
}

static json_t *string_list(const char *const *items) {
  json_t *a = json_array();
  for (; *items; items++)
    json_array_append_new(a, json_string(*items));
  return a;
}

static json_t *response(path_ctx *c, const char *description, const api_message *m) {
  json_t *r = json_pack("{s:s}", "description", description);
  if (m == NULL)
    return r;
  api_openapi_define(c->d, m, c->defs);
  json_t *ref = api_openapi_ref(c->d, m->name);
  if (c->d == API_OPENAPI_V2)
    json_object_set_new(r, "schema", ref);
  else
    json_object_set_new(r, "content", media(response_types_v3, ref));
  return r;
}

static void add_request_body(path_ctx *c, const op_spec *s, json_t *op, json_t *params) {
  bool patch = strcmp(s->method, "patch") == 0;
  const api_message *m = c->body->message;
  if (strcmp(s->method, "delete") == 0)
    m = api_schema_find_gv(c->k->group, c->k->version, "DeleteOptions");
  if (patch && !json_object_get(c->defs, PATCH_DEF))
    json_object_set_new(c->defs, PATCH_DEF,
                        json_pack("{s:s, s:s}", "description",
                                  "A patch, in one of the media types the operation consumes.",
                                  "type", "object"));
  else if (!patch && m)
    api_openapi_define(c->d, m, c->defs);
  json_t *schema = api_openapi_ref(c->d, patch ? PATCH_DEF : m ? m->name : PATCH_DEF);
  if (c->d == API_OPENAPI_V2) {
    json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:o}", "name", "body", "in", "body",
                                            "required", !strcmp(s->method, "delete") ? 0 : 1,
                                            "schema", schema));
    json_object_set_new(op, "consumes", patch ? string_list(patch_types) : json_pack("[s]", "*/*"));
    return;
  }
  static const char *const any[] = {"*/*", NULL};
  json_object_set_new(op, "requestBody",
                      json_pack("{s:o, s:b}", "content", media(patch ? patch_types : any, schema),
                                "required", strcmp(s->method, "delete") != 0));
}

static json_t *responses(path_ctx *c, const op_spec *s) {
  bool list = strcmp(s->verb, "list") == 0 || strcmp(s->verb, "deletecollection") == 0;
  const api_message *m = c->body->message;
  if (strcmp(s->verb, "delete") == 0 || strcmp(s->verb, "deletecollection") == 0)
    m = api_schema_find_gv(c->k->group, c->k->version, "Status");
  else if (list)
    m = c->list;
  else if (strcmp(s->action, "connect") == 0)
    m = NULL;
  json_t *rs = json_pack("{s:o, s:{s:s}}", "200", response(c, "OK", m), "401", "description",
                         "Unauthorized");
  if (strcmp(s->method, "post") == 0 || strcmp(s->method, "put") == 0)
    json_object_set_new(rs, "201", response(c, "Created", m));
  if (strcmp(s->method, "post") == 0 || strcmp(s->method, "delete") == 0)
    json_object_set_new(rs, "202", response(c, "Accepted", m));
  return rs;
}

static json_t *operation(path_ctx *c, const op_spec *s) {
  char id[192], description[192];
  snprintf(id, sizeof id, "%s%s%s%s%s", s->id, c->gv_id,
           strcmp(s->verb, "deletecollection") == 0 ? "Collection" : "", c->id_kind, c->id_sub);
  snprintf(description, sizeof description, "%s %s", s->what, c->body->kind);
  json_t *params = json_array();
  for (size_t i = 0; i < sizeof query_params / sizeof query_params[0]; i++)
    if (query_params[i].set & s->query)
      json_array_append_new(params, query_param(c->d, query_params[i].name, query_params[i].type,
                                                query_params[i].description));
  json_t *op =
      json_pack("{s:[s], s:s, s:s}", "tags", c->tag, "description", description, "operationId", id);
  bool body = strcmp(s->method, "post") == 0 || strcmp(s->method, "put") == 0 ||
              strcmp(s->method, "patch") == 0 || strcmp(s->method, "delete") == 0;
  if (body)
    add_request_body(c, s, op, params);
  json_object_set_new(op, "parameters", params);
  if (c->d == API_OPENAPI_V2) {
    json_object_set_new(op, "produces", string_list(response_types));
    json_object_set_new(op, "schemes", json_pack("[s]", "https"));
  }
  json_object_set_new(op, "responses", responses(c, s));
  json_object_set_new(op, "x-kubernetes-action", json_string(s->action));
  json_object_set_new(op, "x-kubernetes-group-version-kind",
                      api_openapi_gvk(c->body->group, c->body->version, c->body->kind));
  return op;
}

static void add_path(path_ctx *c, json_t *paths, const char *path, const op_spec *ops, size_t n,
                     bool named) {
  json_t *item = json_object();
  for (size_t i = 0; i < n; i++)
    if (has_verb(c->k, ops[i].verb))
      json_object_set_new(item, ops[i].method, operation(c, &ops[i]));
  json_t *params = json_array();
  if (named)
    json_array_append_new(params, path_param(c->d, "name", "The object's name."));
  if (c->k->namespaced && strstr(path, "{namespace}"))
    json_array_append_new(params, path_param(c->d, "namespace", "The object's namespace."));
  json_array_append_new(params,
                        query_param(c->d, "pretty", "string", "Indent the answer for people."));
  json_object_set_new(item, "parameters", params);
  json_object_set_new(paths, path, item);
}

/* The kind of a subresource's bodies: the kind itself, or Scale, Binding, TokenRequest. */
static const api_schema_kind *sub_body(const api_kind *k, const char *kind) {
  const api_message *m = api_schema_find_gv(k->group, k->version, kind);
  if (m == NULL)
    for (const api_schema_group *g = api_schema_groups; g->kinds && m == NULL; g++)
      for (const api_schema_kind *sk = g->kinds; sk->kind && m == NULL; sk++)
        if (strcmp(sk->kind, kind) == 0)
          m = sk->message;
  return m ? api_schema_kind_of(m) : NULL;
}

static void add_subresources(path_ctx *c, json_t *paths, const char *object_path) {
  static const struct {
    unsigned bit;
    const char *name, *id, *body;
  } subs[] = {{API_SUB_STATUS, "status", "Status", NULL},
              {API_SUB_SCALE, "scale", "Scale", "Scale"},
              {API_SUB_BINDING, "binding", "Binding", "Binding"},
              {API_SUB_LOG, "log", "Log", NULL},
              {API_SUB_TOKEN, "token", "Token", "TokenRequest"},
              {API_SUB_EVICTION, "eviction", "Eviction", "Eviction"}};
  const api_schema_kind *main_body = c->body;
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    if (!(c->k->subresources & subs[i].bit))
      continue;
    c->body = subs[i].body ? sub_body(c->k, subs[i].body) : main_body;
    if (c->body == NULL)
      continue;
    c->id_sub = subs[i].id;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", object_path, subs[i].name);
    if (subs[i].bit == API_SUB_BINDING || subs[i].bit == API_SUB_TOKEN ||
        subs[i].bit == API_SUB_EVICTION)
      add_path(c, paths, path, &binding_op, 1, true);
    else if (subs[i].bit == API_SUB_LOG)
      add_path(c, paths, path, &log_op, 1, true);
    else
      add_path(c, paths, path, sub_ops, sizeof sub_ops / sizeof sub_ops[0], true);
  }
  c->body = main_body;
  c->id_sub = "";
}

/* A custom kind's messages name its definition, which is its CRD's schema. */
static void custom_messages(api_openapi_dialect d, const api_kind *k, path_ctx *c) {
  c->body = &k->custom->schema_kind;
  c->list = &k->custom->list_message;
  if (!json_object_get(c->defs, k->custom->message.name))
    json_object_set_new(c->defs, k->custom->message.name, api_openapi_custom_schema(d, k, c->defs));
}

void api_openapi_kind_paths(api_openapi_dialect d, const api_kind *k, json_t *paths, json_t *defs) {
  char list_kind[128], root[160], id_kind[160], collection[384], object[448];
  snprintf(list_kind, sizeof list_kind, "%sList", k->kind);
  path_ctx c = {.d = d, .k = k, .defs = defs, .id_sub = ""};
  if (k->custom) {
    custom_messages(d, k, &c);
  } else {
    const api_message *m = api_schema_find_gv(k->group, k->version, k->kind);
    if (m == NULL)
      return;
    c.body = api_schema_kind_of(m);
    c.list = api_schema_find_gv(k->group, k->version, list_kind);
  }
  group_words(k->group, k->version, c.gv_id, sizeof c.gv_id, c.tag, sizeof c.tag);
  if (k->group[0])
    snprintf(root, sizeof root, "/apis/%s/%s", k->group, k->version);
  else
    snprintf(root, sizeof root, "/api/%s", k->version);
  snprintf(id_kind, sizeof id_kind, "%s%s", k->namespaced ? "Namespaced" : "", k->kind);
  c.id_kind = id_kind;
  snprintf(collection, sizeof collection, "%s%s/%s", root,
           k->namespaced ? "/namespaces/{namespace}" : "", k->plural);
  snprintf(object, sizeof object, "%s/{name}", collection);
  add_path(&c, paths, collection, collection_ops, sizeof collection_ops / sizeof collection_ops[0],
           false);
  add_path(&c, paths, object, object_ops, sizeof object_ops / sizeof object_ops[0], true);
  add_subresources(&c, paths, object);
  if (k->namespaced) {
    snprintf(id_kind, sizeof id_kind, "%sForAllNamespaces", k->kind);
    snprintf(collection, sizeof collection, "%s/%s", root, k->plural);
    add_path(&c, paths, collection, &list_op, 1, false);
  }
}
