/*
 * manifest.c — files, directories and stdin of YAML or JSON into an array of
 * objects with their origins (rules in manifest.h).
 *
 * The one idea: YAML is read as a stream of libyaml events and built into
 * jansson values with an explicit stack of open containers, so no input can
 * make us recurse, and every limit (depth, values, alias expansion) is checked
 * before the memory is spent. Everything decoded goes into one collector that
 * is handed out whole or freed whole.
 */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "cleanup.h"
#include "object.h"

/* ---- the collector: objects decoded so far and where each came from ---- */

typedef struct collector {
  json_t *items;
  tug_manifest_origin *origins; /* origins[i] describes items[i] */
  size_t cap;
} collector;

static void collector_free(collector *c) {
  tug_manifest_origins_free(c->origins, json_array_size(c->items));
  json_decref(c->items);
}

#define _cleanup_collector_ __attribute__((cleanup(collector_free)))

void tug_manifest_origins_free(tug_manifest_origin *origins, size_t n) {
  for (size_t i = 0; origins && i < n; i++)
    free(origins[i].file);
  free(origins);
}

static int manifest_oom(tug_error *err) {
  return tug_error_set(err, ENOMEM, "out of memory");
}

static int collector_push(collector *c, json_t *obj, const tug_manifest_origin *at,
                          tug_error *err) {
  _cleanup_json_ json_t *owned = obj;
  size_t n = json_array_size(c->items);
  if (n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 16;
    tug_manifest_origin *o = reallocarray(c->origins, cap, sizeof *o);
    if (o == NULL)
      return manifest_oom(err);
    c->origins = o;
    c->cap = cap;
  }
  char *file = strdup(at->file);
  if (file == NULL || json_array_append_new(c->items, tug_steal_ptr(&owned)) < 0) {
    free(file);
    return manifest_oom(err);
  }
  c->origins[n] = *at;
  c->origins[n].file = file;
  return 0;
}

/* ---- documents: mappings with apiVersion and kind, Lists unwrapped ---- */

static const char *manifest_article(const char *word) {
  return strchr("aeiou", word[0]) ? "an" : "a";
}

/* "web.yaml: document 2 (line 14)" or "web.yaml: document 1, item 3 (line 9)". */
static void manifest_where(char *buf, size_t size, const tug_manifest_origin *at) {
  if (at->item > 0)
    snprintf(buf, size, "%s: document %d, item %d (line %d)", at->file, at->document, at->item,
             at->line);
  else
    snprintf(buf, size, "%s: document %d (line %d)", at->file, at->document, at->line);
}

static int manifest_check(const json_t *obj, const tug_manifest_origin *at, tug_error *err) {
  static const char *const required[] = {"apiVersion", "kind"};
  char where[512];
  manifest_where(where, sizeof where, at);
  if (!json_is_object(obj)) {
    const char *type = tug_obj_type_name(obj);
    return tug_error_set(err, TUG_E_PARSE,
                         "%s: expected a mapping with apiVersion and kind, found %s %s", where,
                         manifest_article(type), type);
  }
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    json_t *v = json_object_get(obj, required[i]);
    if (v == NULL)
      return tug_error_set(err, TUG_E_PARSE, "%s: missing %s", where, required[i]);
    if (json_string_length(v) == 0)
      return tug_error_set(err, TUG_E_PARSE, "%s: %s must be a non-empty string", where,
                           required[i]);
  }
  return 0;
}

static bool manifest_is_list(const json_t *doc) {
  const char *kind = tug_obj_kind(doc);
  size_t n = kind ? strlen(kind) : 0;
  return n >= 4 && strcmp(kind + n - 4, "List") == 0 &&
         json_is_array(json_object_get(doc, "items"));
}

/* Take one decoded document (stolen). item_lines, when known, gives each List item's line. */
static int manifest_add_document(collector *c, json_t *doc, const tug_manifest_origin *at,
                                 const json_t *item_lines, tug_error *err) {
  _cleanup_json_ json_t *owned = doc;
  size_t i;
  json_t *item;
  if (json_is_null(doc))
    return 0;
  if (!json_is_object(doc) || !manifest_is_list(doc)) {
    if (manifest_check(doc, at, err) < 0)
      return -1;
    return collector_push(c, tug_steal_ptr(&owned), at, err);
  }
  json_array_foreach(json_object_get(doc, "items"), i, item) {
    tug_manifest_origin in = *at;
    in.item = (int)i + 1;
    if (i < json_array_size(item_lines))
      in.line = (int)json_integer_value(json_array_get(item_lines, i));
    if (manifest_check(item, &in, err) < 0 || collector_push(c, json_incref(item), &in, err) < 0)
      return -1;
  }
  return 0;
}

/* ---- YAML scalars ---- */

static int manifest_digit(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return 99;
}

/* Integers as go-yaml v2 reads them: sign, then decimal, 0x, 0o, 0b or leading-0 octal. */
static bool manifest_int(const char *s, json_int_t *out) {
  bool neg = s[0] == '-';
  int base = 10;
  uint64_t v = 0;
  s += s[0] == '-' || s[0] == '+';
  if (s[0] == '0' && s[1] != '\0') {
    char p = s[1];
    base = p == 'x' || p == 'X' ? 16 : p == 'b' || p == 'B' ? 2 : 8;
    s += strchr("xXbBoO", p) ? 2 : 1;
  }
  if (*s == '\0')
    return false;
  for (; *s; s++) {
    unsigned d = (unsigned)manifest_digit(*s);
    if (d >= (unsigned)base || v > (UINT64_MAX - d) / (unsigned)base)
      return false;
    v = v * (unsigned)base + d;
  }
  if (v > (uint64_t)INT64_MAX + neg)
    return false;
  *out = neg ? (json_int_t)(0 - v) : (json_int_t)v;
  return true;
}

/* Floats matching go-yaml v2: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, finite. */
static bool manifest_float(const char *s, double *out) {
  static const char digits[] = "0123456789";
  const char *p = s + (s[0] == '-' || s[0] == '+');
  size_t whole = strspn(p, digits), frac = 0;
  p += whole;
  if (*p == '.') {
    frac = strspn(p + 1, digits);
    p += 1 + frac;
  }
  if (whole == 0 && frac == 0)
    return false;
  if (*p == 'e' || *p == 'E') {
    p += 1 + (p[1] == '-' || p[1] == '+');
    size_t exp = strspn(p, digits);
    if (exp == 0)
      return false;
    p += exp;
  }
  if (*p != '\0')
    return false;
  *out = strtod(s, NULL);
  return isfinite(*out);
}

static bool manifest_is_one_of(const char *s, const char *const *words) {
  for (; *words; words++)
    if (strcmp(s, *words) == 0)
      return true;
  return false;
}

/* The JSON value of a plain scalar (NUL-terminated, len bytes). */
static json_t *manifest_plain(const char *s, size_t len) {
  static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
  static const char *const trues[] = {"true", "True", "TRUE", NULL};
  static const char *const falses[] = {"false", "False", "FALSE", NULL};
  json_int_t i;
  double d;
  if (manifest_is_one_of(s, nulls))
    return json_null();
  if (manifest_is_one_of(s, trues))
    return json_true();
  if (manifest_is_one_of(s, falses))
    return json_false();
  if (manifest_int(s, &i))
    return json_integer(i);
  if (manifest_float(s, &d))
    return json_real(d);
  return json_stringn(s, len);
}

static json_t *manifest_scalar(const yaml_event_t *ev) {
  const char *s = (const char *)ev->data.scalar.value;
  const char *tag = (const char *)ev->data.scalar.tag;
  bool forced = tag && (strcmp(tag, "!") == 0 || strcmp(tag, YAML_STR_TAG) == 0);
  if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || forced)
    return json_stringn(s, ev->data.scalar.length);
  return manifest_plain(s, ev->data.scalar.length);
}

/* ---- YAML events into jansson values ---- */

/* One open mapping or sequence. */
typedef struct yaml_frame {
  json_t *value;
  char *key; /* mapping: the key waiting for its value; NULL when a key comes next */
  size_t key_len;
  char *anchor;        /* registered when the node ends */
  size_t nodes_before; /* b->nodes when it started: its size for alias budgets */
  int height;          /* levels it spans, itself included, so far */
  bool items;          /* the root's "items": note the line of each element */
} yaml_frame;

typedef struct yaml_builder {
  const char *name;
  yaml_frame stack[TUG_MANIFEST_MAX_DEPTH];
  int depth;
  json_t *root; /* the finished root of the current document */
  tug_manifest_origin at;
  json_t *anchors;    /* name → {"value", "nodes", "height"}, for this document */
  json_t *item_lines; /* line of each element of the root's items, for this document */
  size_t nodes, alias_nodes;
} yaml_builder;

static void yb_free(yaml_builder *b) {
  for (int i = 0; i < b->depth; i++) {
    json_decref(b->stack[i].value);
    free(b->stack[i].key);
    free(b->stack[i].anchor);
  }
  json_decref(b->root);
  json_decref(b->anchors);
  json_decref(b->item_lines);
}

static int yb_error(const yaml_builder *b, const yaml_mark_t *m, tug_error *err, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

static int yb_error(const yaml_builder *b, const yaml_mark_t *m, tug_error *err, const char *fmt,
                    ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tug_error_set(err, TUG_E_PARSE, "%s:%zu:%zu: %s", b->name, m->line + 1, m->column + 1,
                       what);
}

static yaml_frame *yb_top(yaml_builder *b) {
  return b->depth ? &b->stack[b->depth - 1] : NULL;
}

static bool yb_expecting_key(yaml_builder *b) {
  yaml_frame *top = yb_top(b);
  return top && json_is_object(top->value) && top->key == NULL;
}

/* Account for n more values; the per-file limit stops runaway input early. */
static int yb_count(yaml_builder *b, size_t n, const yaml_mark_t *m, tug_error *err) {
  b->nodes += n;
  if (b->nodes > TUG_MANIFEST_MAX_NODES)
    return yb_error(b, m, err, "more than %d values in one file", TUG_MANIFEST_MAX_NODES);
  return 0;
}

/* Bookkeeping for any value about to start: the document's line, a List item's line. */
static int yb_node_start(yaml_builder *b, const yaml_mark_t *m, tug_error *err) {
  yaml_frame *top = yb_top(b);
  if (top == NULL)
    b->at.line = (int)m->line + 1;
  else if (top->items && json_array_append_new(b->item_lines, json_integer((int)m->line + 1)) < 0)
    return manifest_oom(err);
  return 0;
}

static int yb_register(yaml_builder *b, const char *anchor, json_t *v, size_t nodes, int height,
                       tug_error *err) {
  json_t *a = json_pack("{s:O,s:I,s:i}", "value", v, "nodes", (json_int_t)nodes, "height", height);
  return json_object_set_new(b->anchors, anchor, a) < 0 ? manifest_oom(err) : 0;
}

/* Attach a finished value (stolen) of the given height to the open container or the root. */
static int yb_add(yaml_builder *b, json_t *v, int height, tug_error *err) {
  yaml_frame *top = yb_top(b);
  int rc;
  if (top == NULL) {
    b->root = v;
    return 0;
  }
  if (height + 1 > top->height)
    top->height = height + 1;
  if (json_is_array(top->value))
    return json_array_append_new(top->value, v) < 0 ? manifest_oom(err) : 0;
  rc = json_object_setn_new(top->value, top->key, top->key_len, v);
  free(tug_steal_ptr(&top->key));
  return rc < 0 ? manifest_oom(err) : 0;
}

static int yb_key(yaml_builder *b, const yaml_event_t *ev, tug_error *err) {
  yaml_frame *top = yb_top(b);
  const char *k = (const char *)ev->data.scalar.value;
  size_t n = ev->data.scalar.length;
  if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(k, "<<") == 0)
    return yb_error(b, &ev->start_mark, err, "merge keys (<<) are not supported");
  if (json_object_getn(top->value, k, n) != NULL)
    return yb_error(b, &ev->start_mark, err, "duplicate key \"%.*s\"", (int)n, k);
  if ((top->key = malloc(n + 1)) == NULL)
    return manifest_oom(err);
  memcpy(top->key, k, n + 1);
  top->key_len = n;
  if (ev->data.scalar.anchor == NULL)
    return 0;
  _cleanup_json_ json_t *s = json_stringn(k, n);
  return yb_register(b, (const char *)ev->data.scalar.anchor, s, 1, 0, err);
}

static int yb_scalar(yaml_builder *b, const yaml_event_t *ev, tug_error *err) {
  if (yb_expecting_key(b))
    return yb_key(b, ev, err);
  if (yb_node_start(b, &ev->start_mark, err) < 0 || yb_count(b, 1, &ev->start_mark, err) < 0)
    return -1;
  json_t *v = manifest_scalar(ev);
  if (v == NULL)
    return manifest_oom(err);
  const char *anchor = (const char *)ev->data.scalar.anchor;
  if (anchor && yb_register(b, anchor, v, 1, 0, err) < 0) {
    json_decref(v);
    return -1;
  }
  return yb_add(b, v, 0, err);
}

static int yb_alias(yaml_builder *b, const yaml_event_t *ev, tug_error *err) {
  const char *name = (const char *)ev->data.alias.anchor;
  const yaml_mark_t *m = &ev->start_mark;
  json_t *a = json_object_get(b->anchors, name);
  if (yb_expecting_key(b))
    return yb_error(b, m, err, "an alias (*%s) cannot be a mapping key", name);
  if (a == NULL)
    return yb_error(b, m, err,
                    "unknown anchor &%s (aliases may only refer back to a finished "
                    "node in the same document)",
                    name);
  size_t nodes = (size_t)json_integer_value(json_object_get(a, "nodes"));
  int height = (int)json_integer_value(json_object_get(a, "height"));
  if (b->depth + height > TUG_MANIFEST_MAX_DEPTH)
    return yb_error(b, m, err, "alias *%s nests deeper than %d levels", name,
                    TUG_MANIFEST_MAX_DEPTH);
  b->alias_nodes += nodes;
  if (b->alias_nodes > TUG_MANIFEST_MAX_ALIAS_NODES)
    return yb_error(b, m, err, "aliases expand to more than %d values (a YAML alias bomb?)",
                    TUG_MANIFEST_MAX_ALIAS_NODES);
  if (yb_node_start(b, m, err) < 0 || yb_count(b, nodes, m, err) < 0)
    return -1;
  json_t *copy = json_deep_copy(json_object_get(a, "value"));
  return copy ? yb_add(b, copy, height, err) : manifest_oom(err);
}

static int yb_start(yaml_builder *b, const yaml_event_t *ev, json_t *value, const char *anchor,
                    tug_error *err) {
  _cleanup_json_ json_t *owned = value;
  const yaml_mark_t *m = &ev->start_mark;
  if (value == NULL)
    return manifest_oom(err);
  if (yb_expecting_key(b))
    return yb_error(b, m, err, "mapping keys must be scalars");
  if (b->depth >= TUG_MANIFEST_MAX_DEPTH)
    return yb_error(b, m, err, "nested deeper than %d levels", TUG_MANIFEST_MAX_DEPTH);
  if (yb_node_start(b, m, err) < 0 || yb_count(b, 1, m, err) < 0)
    return -1;
  yaml_frame *parent = yb_top(b);
  yaml_frame *f = &b->stack[b->depth];
  *f = (yaml_frame){.nodes_before = b->nodes - 1, .height = 1};
  f->items =
      b->depth == 1 && json_is_array(value) && parent->key && strcmp(parent->key, "items") == 0;
  if (anchor && (f->anchor = strdup(anchor)) == NULL)
    return manifest_oom(err);
  f->value = tug_steal_ptr(&owned);
  b->depth++;
  return 0;
}

static int yb_end(yaml_builder *b, tug_error *err) {
  yaml_frame f = b->stack[--b->depth];
  _cleanup_free_ char *anchor = f.anchor;
  free(f.key);
  if (anchor && yb_register(b, anchor, f.value, b->nodes - f.nodes_before, f.height, err) < 0) {
    json_decref(f.value);
    return -1;
  }
  return yb_add(b, f.value, f.height, err);
}

static int yb_end_document(yaml_builder *b, collector *c, tug_error *err) {
  json_t *root = tug_steal_ptr(&b->root);
  int rc = manifest_add_document(c, root, &b->at, b->item_lines, err);
  json_object_clear(b->anchors);
  json_array_clear(b->item_lines);
  return rc;
}

static int yb_event(yaml_builder *b, const yaml_event_t *ev, collector *c, tug_error *err) {
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    b->at.document++;
    return 0;
  case YAML_DOCUMENT_END_EVENT:
    return yb_end_document(b, c, err);
  case YAML_SCALAR_EVENT:
    return yb_scalar(b, ev, err);
  case YAML_ALIAS_EVENT:
    return yb_alias(b, ev, err);
  case YAML_SEQUENCE_START_EVENT:
    return yb_start(b, ev, json_array(), (const char *)ev->data.sequence_start.anchor, err);
  case YAML_MAPPING_START_EVENT:
    return yb_start(b, ev, json_object(), (const char *)ev->data.mapping_start.anchor, err);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    return yb_end(b, err);
  default:
    return 0;
  }
}

/* 1-based line and column of a byte offset. */
static void manifest_position(const char *buf, size_t off, size_t *line, size_t *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    *col = buf[i] == '\n' ? 1 : *col + 1;
    *line += buf[i] == '\n';
  }
}

static int manifest_yaml_error(const yaml_parser_t *p, const char *buf, const char *name,
                               tug_error *err) {
  size_t line = p->problem_mark.line + 1, col = p->problem_mark.column + 1;
  if (p->error == YAML_MEMORY_ERROR)
    return manifest_oom(err);
  if (p->error == YAML_READER_ERROR) {
    manifest_position(buf, p->problem_offset, &line, &col);
    return tug_error_set(err, TUG_E_PARSE, "%s:%zu:%zu: %s", name, line, col, p->problem);
  }
  if (p->context == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s:%zu:%zu: %s", name, line, col, p->problem);
  return tug_error_set(err, TUG_E_PARSE, "%s:%zu:%zu: %s (%s at line %zu)", name, line, col,
                       p->problem, p->context, p->context_mark.line + 1);
}

static int manifest_decode_yaml(collector *c, const char *buf, size_t len, const char *name,
                                tug_error *err) {
  yaml_parser_t parser;
  yaml_builder b = {.name = name, .at.file = (char *)name};
  int rc = 0;
  bool done = false;
  if (!yaml_parser_initialize(&parser))
    return manifest_oom(err);
  yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
  b.anchors = json_object();
  b.item_lines = json_array();
  if (b.anchors == NULL || b.item_lines == NULL)
    rc = manifest_oom(err);
  while (rc == 0 && !done) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      rc = manifest_yaml_error(&parser, buf, name, err);
      break;
    }
    done = ev.type == YAML_STREAM_END_EVENT;
    rc = yb_event(&b, &ev, c, err);
    yaml_event_delete(&ev);
  }
  yb_free(&b);
  yaml_parser_delete(&parser);
  return rc;
}

/* ---- JSON: one or more values in a row ---- */

static int manifest_decode_json(collector *c, const char *buf, size_t len, const char *name,
                                tug_error *err) {
  tug_manifest_origin at = {.file = (char *)name};
  size_t off = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  size_t line = 1, line_start = 0;
  for (;;) {
    for (; off < len && buf[off] && strchr(" \t\r\n", buf[off]); off++) {
      if (buf[off] == '\n')
        line++, line_start = off + 1;
    }
    if (off == len)
      return 0;
    json_error_t jerr;
    json_t *v =
        json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr);
    at.document++;
    at.line = (int)line;
    if (v == NULL)
      return tug_error_set(err, TUG_E_PARSE, "%s:%zu:%zu: %s", name, line + jerr.line - 1,
                           (jerr.line == 1 ? off - line_start : 0) + jerr.column, jerr.text);
    if (tug_obj_check_limits(v, TUG_MANIFEST_MAX_DEPTH, TUG_MANIFEST_MAX_NODES, err) < 0) {
      json_decref(v);
      return tug_error_wrap(err, "%s: document %d (line %d)", name, at.document, at.line);
    }
    if (manifest_add_document(c, v, &at, NULL, err) < 0)
      return -1;
    for (size_t end = off + (size_t)jerr.position; off < end; off++) {
      if (buf[off] == '\n')
        line++, line_start = off + 1;
    }
  }
}

static bool manifest_looks_like_json(const char *buf, size_t len) {
  size_t i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  while (i < len && buf[i] && strchr(" \t\r\n", buf[i]))
    i++;
  return i < len && buf[i] == '{';
}

static int manifest_decode_into(collector *c, const char *buf, size_t len, const char *name,
                                tug_error *err) {
  if (manifest_looks_like_json(buf, len))
    return manifest_decode_json(c, buf, len, name, err);
  return manifest_decode_yaml(c, buf, len, name, err);
}

/* ---- files and directories ---- */

static int manifest_read_fd(int fd, const char *name, char **out, size_t *out_len, tug_error *err) {
  size_t cap = 64 << 10, len = 0;
  _cleanup_free_ char *buf = malloc(cap);
  if (buf == NULL)
    return manifest_oom(err);
  for (;;) {
    if (len == cap) {
      cap = cap * 2 > TUG_MANIFEST_MAX_BYTES ? TUG_MANIFEST_MAX_BYTES + 1 : cap * 2;
      char *nb = realloc(buf, cap);
      if (nb == NULL)
        return manifest_oom(err);
      buf = nb;
    }
    ssize_t r = read(fd, buf + len, cap - len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return tug_error_errno(err, errno, "read %s", name);
    if (r == 0)
      break;
    len += (size_t)r;
    if (len > TUG_MANIFEST_MAX_BYTES)
      return tug_error_set(err, EFBIG, "read %s: larger than %d MiB", name,
                           TUG_MANIFEST_MAX_BYTES >> 20);
  }
  *out = tug_steal_ptr(&buf);
  *out_len = len;
  return 0;
}

static int manifest_decode_fd(collector *c, int fd, const char *name, tug_error *err) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (manifest_read_fd(fd, name, &buf, &len, err) < 0)
    return -1;
  return manifest_decode_into(c, buf, len, name, err);
}

static int manifest_decode_file(collector *c, const char *path, tug_error *err) {
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "open %s", path);
  return manifest_decode_fd(c, fd, path, err);
}

static bool manifest_has_ext(const char *name) {
  static const char *const exts[] = {".yaml", ".yml", ".json"};
  size_t n = strlen(name);
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
    size_t e = strlen(exts[i]);
    if (n > e && strcmp(name + n - e, exts[i]) == 0)
      return true;
  }
  return false;
}

static int manifest_walk(collector *c, const char *dir, bool recursive, tug_error *err);

static int manifest_walk_entry(collector *c, const char *dir, const char *name, bool recursive,
                               tug_error *err) {
  _cleanup_free_ char *path = NULL;
  size_t dl = strlen(dir);
  struct stat st;
  if (asprintf(&path, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name) < 0) {
    path = NULL;
    return manifest_oom(err);
  }
  if (lstat(path, &st) < 0)
    return tug_error_errno(err, errno, "stat %s", path);
  if (S_ISDIR(st.st_mode))
    return recursive ? manifest_walk(c, path, true, err) : 0;
  return manifest_has_ext(name) ? manifest_decode_file(c, path, err) : 0;
}

static int manifest_not_dots(const struct dirent *e) {
  return strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
}

static int manifest_by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

/* Entries in byte order of their names, subdirectories in place, like kubectl's walk. */
static int manifest_walk(collector *c, const char *dir, bool recursive, tug_error *err) {
  struct dirent **ents;
  int n = scandir(dir, &ents, manifest_not_dots, manifest_by_name);
  int rc = 0;
  if (n < 0)
    return tug_error_errno(err, errno, "read directory %s", dir);
  for (int i = 0; i < n; i++) {
    if (rc == 0)
      rc = manifest_walk_entry(c, dir, ents[i]->d_name, recursive, err);
    free(ents[i]);
  }
  free(ents);
  return rc;
}

/* ---- public ---- */

static int manifest_begin(collector *c, json_t **out_array, tug_manifest_origin **out_origins,
                          tug_error *err) {
  *out_array = NULL;
  if (out_origins)
    *out_origins = NULL;
  c->items = json_array();
  return c->items ? 0 : manifest_oom(err);
}

static int manifest_hand_out(collector *c, json_t **out_array, tug_manifest_origin **out_origins) {
  if (out_origins)
    *out_origins = tug_steal_ptr(&c->origins);
  tug_manifest_origins_free(tug_steal_ptr(&c->origins), json_array_size(c->items));
  *out_array = tug_steal_ptr(&c->items);
  return 0;
}

int tug_manifest_decode_buffer(const char *buf, size_t len, const char *name, json_t **out_array,
                               tug_manifest_origin **out_origins, tug_error *err) {
  _cleanup_collector_ collector c = {0};
  if (manifest_begin(&c, out_array, out_origins, err) < 0)
    return -1;
  if (manifest_decode_into(&c, buf ? buf : "", buf ? len : 0, name ? name : "<input>", err) < 0)
    return -1;
  return manifest_hand_out(&c, out_array, out_origins);
}

int tug_manifest_decode_path(const char *path, bool recursive, json_t **out_array,
                             tug_manifest_origin **out_origins, tug_error *err) {
  _cleanup_collector_ collector c = {0};
  struct stat st;
  int rc;
  if (manifest_begin(&c, out_array, out_origins, err) < 0)
    return -1;
  if (path == NULL)
    rc = tug_error_set(err, EINVAL, "decode manifests: no path");
  else if (strcmp(path, "-") == 0)
    rc = manifest_decode_fd(&c, STDIN_FILENO, "<stdin>", err);
  else if (stat(path, &st) < 0)
    rc = tug_error_errno(err, errno, "open %s", path);
  else if (S_ISDIR(st.st_mode))
    rc = manifest_walk(&c, path, recursive, err);
  else
    rc = manifest_decode_file(&c, path, err);
  if (rc < 0)
    return -1;
  return manifest_hand_out(&c, out_array, out_origins);
}
