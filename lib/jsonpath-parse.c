/*
 * jsonpath-parse.c — kubectl's JSONPath template syntax into the tree of
 * jsonpath-internal.h, following kubectl's parser (client-go util/jsonpath)
 * so that the same templates are accepted and refused with the same words.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cleanup.h"
#include "jsonpath-internal.h"

/* ---- freeing ---- */

static void chain_clear(chain *c);

static void step_clear(step *s) {
  free(s->name);
  json_decref(s->literal);
  for (size_t i = 0; i < s->nalts; i++)
    chain_clear(&s->alts[i]);
  free(s->alts);
  chain_clear(&s->left);
  chain_clear(&s->right);
}

static void chain_clear(chain *c) {
  for (size_t i = 0; i < c->n; i++)
    step_clear(&c->v[i]);
  free(c->v);
  *c = (chain){0};
}

static void body_clear(body *b) {
  for (size_t i = 0; i < b->n; i++) {
    free(b->v[i].text);
    chain_clear(&b->v[i].expr);
    body_clear(&b->v[i].inner);
  }
  free(b->v);
  *b = (body){0};
}

void tug_jsonpath_free(tug_jsonpath *jp) {
  if (jp == NULL)
    return;
  body_clear(&jp->top);
  free(jp);
}

/* ---- parsing ---- */

typedef struct parser {
  const char *s;
  size_t pos;
  bool sub; /* a filter operand or union member: ends at the end of s, not at '}' */
  tug_error *err;
} parser;

static int fail(parser *p, const char *fmt, const char *arg) {
  char msg[512];
  snprintf(msg, sizeof msg, fmt, arg);
  return tug_error_set(p->err, EINVAL, "%s", msg);
}

static step *push_step(chain *c, step_kind kind) {
  if (TUG_ARRAY_RESERVE(c->v, c->cap, c->n + 1, 4) < 0)
    return NULL;
  c->v[c->n] = (step){.kind = kind};
  return &c->v[c->n++];
}

static segment *push_segment(body *b, seg_kind kind) {
  if (TUG_ARRAY_RESERVE(b->v, b->cap, b->n + 1, 4) < 0)
    return NULL;
  b->v[b->n] = (segment){.kind = kind};
  return &b->v[b->n++];
}

static bool is_terminator(char c) {
  return c == '\0' || strchr(" \t\r\n.,[]$@{}", c) != NULL;
}

static bool is_alnum(char c) {
  return c == '_' || isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

static int parse_chain(parser *p, chain *c);

/* A chain from a piece of text: a filter's operand or a union's member. */
static int parse_sub(parser *p, const char *text, size_t len, chain *c) {
  _cleanup_free_ char *copy = strndup(text, len);
  if (copy == NULL)
    return tug_error_set(p->err, ENOMEM, "parse jsonpath");
  parser sub = {.s = copy, .sub = true, .err = p->err};
  return parse_chain(&sub, c);
}

/* ".name" (p after the dot): up to a terminator, backslash escaping one character. */
static int parse_field(parser *p, chain *c) {
  char buf[512];
  size_t n = 0;
  while (!is_terminator(p->s[p->pos])) {
    if (p->s[p->pos] == '\\' && p->s[p->pos + 1])
      p->pos++;
    if (n + 1 < sizeof buf)
      buf[n++] = p->s[p->pos];
    p->pos++;
  }
  buf[n] = '\0';
  if (n == 0)
    return 0; /* "{.}" and ".['key']": the value itself */
  step *s = push_step(c, strcmp(buf, "*") == 0 ? STEP_WILDCARD : STEP_FIELD);
  if (s == NULL || (s->kind == STEP_FIELD && (s->name = strdup(buf)) == NULL))
    return tug_error_set(p->err, ENOMEM, "parse jsonpath");
  return 0;
}

static int hex_value(const char *s, int digits, unsigned *out) {
  *out = 0;
  for (int i = 0; i < digits; i++) {
    if (!isxdigit((unsigned char)s[i]))
      return -1;
    *out = *out * 16 + (unsigned)(isdigit((unsigned char)s[i])
                                      ? s[i] - '0'
                                      : tolower((unsigned char)s[i]) - 'a' + 10);
  }
  return 0;
}

static size_t put_utf8(char *out, unsigned cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | cp >> 18);
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Go's escapes in a quoted string: \n \t \r \\ \" \' \a \b \f \v \xHH \uHHHH. */
static int unescape(const char *s, size_t len, char *out, tug_error *err) {
  static const char from[] = "ntr\\\"'abfv", to[] = "\n\t\r\\\"'\a\b\f\v";
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] != '\\') {
      out[o++] = s[i];
      continue;
    }
    char c = ++i < len ? s[i] : '\0';
    const char *k = c ? strchr(from, c) : NULL;
    unsigned cp;
    if (k) {
      out[o++] = to[k - from];
    } else if ((c == 'x' || c == 'u') && i + (c == 'x' ? 2 : 4) < len + 1 &&
               hex_value(s + i + 1, c == 'x' ? 2 : 4, &cp) == 0) {
      o += c == 'x' ? (out[o] = (char)cp, 1) : put_utf8(out + o, cp);
      i += c == 'x' ? 2 : 4;
    } else {
      return tug_error_set(err, EINVAL, "invalid escape \\%c in a quoted string", c ? c : ' ');
    }
  }
  out[o] = '\0';
  return 0;
}

static int parse_quote(parser *p, chain *c) {
  char q = p->s[p->pos++];
  size_t start = p->pos;
  for (;; p->pos++) {
    char ch = p->s[p->pos];
    if (ch == '\0' || ch == '\n')
      return fail(p, "unterminated quoted string", NULL);
    if (ch == '\\' && p->s[p->pos + 1]) {
      p->pos++;
      continue;
    }
    if (ch == q)
      break;
  }
  size_t len = p->pos++ - start;
  _cleanup_free_ char *text = malloc(len + 1);
  if (text == NULL)
    return tug_error_set(p->err, ENOMEM, "parse jsonpath");
  if (unescape(p->s + start, len, text, p->err) < 0)
    return -1;
  step *s = push_step(c, STEP_LITERAL);
  if (s == NULL || (s->literal = json_string(text)) == NULL)
    return fail(p, "quoted string %s is not UTF-8", text);
  return 0;
}

static int parse_number(parser *p, chain *c) {
  size_t start = p->pos;
  if (p->s[p->pos] == '+' || p->s[p->pos] == '-')
    p->pos++;
  while (isdigit((unsigned char)p->s[p->pos]) || p->s[p->pos] == '.')
    p->pos++;
  char buf[64];
  snprintf(buf, sizeof buf, "%.*s", (int)(p->pos - start), p->s + start);
  char *end;
  long long i = strtoll(buf, &end, 10);
  json_t *v = NULL;
  if (*end == '\0' && end != buf) {
    v = json_integer(i);
  } else {
    double d = strtod(buf, &end);
    if (*end != '\0' || end == buf)
      return fail(p, "cannot parse number %s", buf);
    v = json_real(d);
  }
  step *s = push_step(c, STEP_LITERAL);
  if (s == NULL || v == NULL)
    return json_decref(v), tug_error_set(p->err, ENOMEM, "parse jsonpath");
  s->literal = v;
  return 0;
}

static int parse_identifier(parser *p, chain *c) {
  size_t start = p->pos;
  while (!is_terminator(p->s[p->pos]))
    p->pos++;
  char buf[128];
  snprintf(buf, sizeof buf, "%.*s", (int)(p->pos - start), p->s + start);
  if (strcmp(buf, "true") != 0 && strcmp(buf, "false") != 0)
    return fail(p, "unrecognized identifier %s", buf);
  step *s = push_step(c, STEP_LITERAL);
  if (s == NULL)
    return tug_error_set(p->err, ENOMEM, "parse jsonpath");
  s->literal = json_boolean(buf[0] == 't');
  return 0;
}

/* One slice bound: "", or an optionally negative whole number. */
static int slice_part(parser *p, const char *t, size_t len, long *v, bool *known) {
  *known = len > 0;
  if (len == 0)
    return 0;
  char buf[32];
  snprintf(buf, sizeof buf, "%.*s", (int)len, t);
  char *end;
  *v = strtol(buf, &end, 10);
  size_t digits = strspn(buf + (buf[0] == '-'), "0123456789");
  if (*end != '\0' || digits == 0 || digits + (buf[0] == '-') != strlen(buf))
    return fail(p, "invalid array index %s", buf);
  return 0;
}

static int parse_slice(parser *p, const char *t, chain *c) {
  step *s = push_step(c, STEP_ARRAY);
  if (s == NULL)
    return tug_error_set(p->err, ENOMEM, "parse jsonpath");
  if (strcmp(t, "*") == 0)
    return 0;
  const char *c1 = strchr(t, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if ((c2 && strchr(c2 + 1, ':')) || t[0] == '\0')
    return fail(p, "invalid array index %s", t);
  size_t l0 = c1 ? (size_t)(c1 - t) : strlen(t);
  if (slice_part(p, t, l0, &s->idx[0], &s->known[0]) < 0)
    return -1;
  if (c1 == NULL) {
    if (!s->known[0])
      return fail(p, "invalid array index %s", t);
    s->derived = true;
    return 0;
  }
  size_t l1 = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
  if (slice_part(p, c1 + 1, l1, &s->idx[1], &s->known[1]) < 0)
    return -1;
  return c2 ? slice_part(p, c2 + 1, strlen(c2 + 1), &s->idx[2], &s->known[2]) : 0;
}

static void trim(const char **s, size_t *len) {
  while (*len && isspace((unsigned char)**s))
    (*s)++, (*len)--;
  while (*len && isspace((unsigned char)(*s)[*len - 1]))
    (*len)--;
}

/* "[...]": an index or slice, a quoted key, or a union of those. */
static int parse_array(parser *p, chain *c) {
  size_t start = ++p->pos;
  while (p->s[p->pos] != ']') {
    if (p->s[p->pos] == '\0' || p->s[p->pos] == '\n')
      return fail(p, "unterminated array", NULL);
    p->pos++;
  }
  size_t len = p->pos++ - start;
  _cleanup_free_ char *text = strndup(p->s + start, len);
  if (text == NULL)
    return tug_error_set(p->err, ENOMEM, "parse jsonpath");
  if (strchr(text, ',')) {
    step *u = push_step(c, STEP_UNION);
    if (u == NULL)
      return tug_error_set(p->err, ENOMEM, "parse jsonpath");
    for (const char *m = text;;) {
      const char *comma = strchr(m, ',');
      size_t n = comma ? (size_t)(comma - m) : strlen(m);
      trim(&m, &n);
      if (TUG_ARRAY_RESERVE(u->alts, u->cap_alts, u->nalts + 1, 4) < 0)
        return tug_error_set(p->err, ENOMEM, "parse jsonpath");
      chain *alts = u->alts;
      alts[u->nalts] = (chain){0};
      char member[512];
      snprintf(member, sizeof member, "[%.*s]", (int)n, m);
      if (parse_sub(p, member, strlen(member), &alts[u->nalts++]) < 0)
        return -1;
      if (comma == NULL)
        return 0;
      m = comma + 1;
    }
  }
  size_t n = strlen(text);
  if (n >= 2 && (text[0] == '\'' || text[0] == '"') && text[n - 1] == text[0]) {
    step *s = push_step(c, STEP_FIELD);
    if (s == NULL || (s->name = strndup(text + 1, n - 2)) == NULL)
      return tug_error_set(p->err, ENOMEM, "parse jsonpath");
    return 0;
  }
  return parse_slice(p, text, c);
}

static bool valid_op(const char *op) {
  static const char *const ops[] = {"==", "!=", "<", ">", "<=", ">=", NULL};
  for (int i = 0; ops[i]; i++)
    if (strcmp(op, ops[i]) == 0)
      return true;
  return false;
}

/* "[?(LEFT OP RIGHT)]" or "[?(LEFT)]" (exists). */
static int parse_filter(parser *p, chain *c) {
  p->pos += 3;
  size_t start = p->pos;
  char quote = 0;
  for (;; p->pos++) {
    char ch = p->s[p->pos];
    if (ch == '\0' || ch == '\n')
      return fail(p, "unterminated filter", NULL);
    if (quote && ch == '\\' && p->s[p->pos + 1])
      p->pos++;
    else if (quote && ch == quote)
      quote = 0;
    else if (!quote && (ch == '"' || ch == '\''))
      quote = ch;
    else if (!quote && ch == ')')
      break;
  }
  const char *text = p->s + start;
  size_t len = p->pos++ - start;
  if (p->s[p->pos++] != ']')
    return fail(p, "unclosed array expect ]", NULL);
  step *s = push_step(c, STEP_FILTER);
  if (s == NULL)
    return tug_error_set(p->err, ENOMEM, "parse jsonpath");
  size_t at = strcspn(text, "!<>=");
  if (at >= len)
    return parse_sub(p, text, len, &s->left);
  size_t oplen = strspn(text + at, "!<>=");
  snprintf(s->op, sizeof s->op, "%.*s", (int)(oplen < 3 ? oplen : 3), text + at);
  if (oplen > 2 || !valid_op(s->op)) {
    char op[16];
    snprintf(op, sizeof op, "%.*s", (int)oplen, text + at);
    return fail(p, "unrecognized filter operator %s", op);
  }
  if (at + oplen >= len)
    return fail(p, "filter %s has nothing to compare with", s->op);
  if (parse_sub(p, text, at, &s->left) < 0)
    return -1;
  return parse_sub(p, text + at + oplen, len - at - oplen, &s->right);
}

/* Steps until '}' (consumed) or, for a sub-parser, the end of its text. */
static int parse_chain(parser *p, chain *c) {
  for (;;) {
    const char *at = p->s + p->pos;
    char ch = *at;
    if (p->sub && ch == '\0')
      return 0;
    if (!p->sub && ch == '}') {
      p->pos++;
      return 0;
    }
    int rc = 0;
    if (strncmp(at, "[?(", 3) == 0) {
      rc = parse_filter(p, c);
    } else if (strncmp(at, "..", 2) == 0) {
      if (c->n > 0 && c->v[c->n - 1].kind == STEP_RECURSIVE)
        return fail(p, "invalid multiple recursive descent", NULL);
      p->pos += 2;
      if (push_step(c, STEP_RECURSIVE) == NULL)
        return tug_error_set(p->err, ENOMEM, "parse jsonpath");
      if (is_alnum(p->s[p->pos]))
        rc = parse_field(p, c);
    } else if (ch == '\0' || ch == '\n' || ch == '\r') {
      return fail(p, "unclosed action", NULL);
    } else if (ch == ' ' || ch == '\t' || ch == '@' || ch == '$') {
      p->pos++;
    } else if (ch == '[') {
      rc = parse_array(p, c);
    } else if (ch == '"' || ch == '\'') {
      rc = parse_quote(p, c);
    } else if (ch == '.') {
      p->pos++;
      rc = parse_field(p, c);
    } else if (ch == '+' || ch == '-' || isdigit((unsigned char)ch)) {
      rc = parse_number(p, c);
    } else if (is_alnum(ch)) {
      rc = parse_identifier(p, c);
    } else {
      char bad[2] = {ch, '\0'};
      return fail(p, "unrecognized character in action: %s", bad);
    }
    if (rc < 0)
      return -1;
  }
}

/* The keyword an action starts with ("range", "end"), moving past it. */
static const char *keyword(parser *p) {
  static const char *const words[] = {"range", "end", NULL};
  size_t at = p->pos + strspn(p->s + p->pos, " \t");
  for (int i = 0; words[i]; i++) {
    size_t n = strlen(words[i]);
    if (strncmp(p->s + at, words[i], n) == 0 && is_terminator(p->s[at + n])) {
      p->pos = at + n;
      return words[i];
    }
  }
  return NULL;
}

/* Segments until the end of the template or, inside a range, its {end}. */
static int parse_body(parser *p, body *b, bool in_range) {
  for (;;) {
    const char *open = strchr(p->s + p->pos, '{');
    size_t textlen = open ? (size_t)(open - (p->s + p->pos)) : strlen(p->s + p->pos);
    if (textlen > 0) {
      segment *t = push_segment(b, SEG_TEXT);
      if (t == NULL || (t->text = strndup(p->s + p->pos, textlen)) == NULL)
        return tug_error_set(p->err, ENOMEM, "parse jsonpath");
    }
    p->pos += textlen;
    if (open == NULL)
      return 0; /* a range left open runs to the end, as in kubectl */
    p->pos = (size_t)(open - p->s) + 1;
    const char *kw = keyword(p);
    if (kw && strcmp(kw, "end") == 0) {
      chain rest = {0};
      int rc = parse_chain(p, &rest);
      size_t extra = rest.n;
      chain_clear(&rest);
      if (rc < 0)
        return -1;
      if (extra > 0)
        return fail(p, "unexpected text after end", NULL);
      if (!in_range)
        return fail(p, "not in range, nothing to end", NULL);
      return 0;
    }
    segment *s = push_segment(b, kw ? SEG_RANGE : SEG_ACTION);
    if (s == NULL)
      return tug_error_set(p->err, ENOMEM, "parse jsonpath");
    if (parse_chain(p, &s->expr) < 0)
      return -1;
    if (kw && parse_body(p, &s->inner, true) < 0)
      return -1;
  }
}

tug_jsonpath *tug_jsonpath_parse(const char *tmpl, tug_error *err) {
  tug_jsonpath *jp = calloc(1, sizeof *jp);
  if (jp == NULL)
    return tug_error_set(err, ENOMEM, "parse jsonpath"), NULL;
  parser p = {.s = tmpl ? tmpl : "", .err = err};
  if (parse_body(&p, &jp->top, false) < 0) {
    tug_jsonpath_free(jp);
    return NULL;
  }
  return jp;
}

char *tug_jsonpath_relaxed(const char *expr, tug_error *err) {
  size_t n = strlen(expr);
  char *out = NULL;
  if (n == 0)
    return strdup("");
  const char *body = expr;
  if (expr[0] == '{' && expr[n - 1] == '}') {
    body = expr + 1;
    n -= 2;
  }
  if (n > 0 && body[0] == '.')
    body++, n--;
  if (n == 0 || memchr(body, '{', n) || memchr(body, '}', n)) {
    tug_error_set(err, EINVAL,
                  "unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
                  "'{name1.name2}' or '{.name1.name2}'");
    return NULL;
  }
  return asprintf(&out, "{.%.*s}", (int)n, body) < 0 ? NULL : out;
}
