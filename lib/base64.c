/*
 * base64.c — standard base64 (see base64.h). The decoder follows Go's
 * decodeQuantum step by step, so that what Kubernetes would refuse, and the
 * byte offset it names, are the same here.
 */
#include "base64.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *tug_base64_encode(const void *s, size_t n) {
  const unsigned char *in = s;
  char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n)
      v |= in[i + 2];
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
    *o++ = i + 2 < n ? alphabet[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

static int sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

static bool newline(char c) {
  return c == '\n' || c == '\r';
}

static size_t skip_newlines(const char *s, size_t n, size_t i) {
  while (i < n && newline(s[i]))
    i++;
  return i;
}

/* After the '=' that ended a quantum holding j sextets: the rest must be the
 * second '=' when j is 2, then newlines only. *i is past the first '='. */
static bool padding_ok(const char *s, size_t n, size_t *i, int j, size_t *bad_at) {
  if (j < 2) {
    *bad_at = *i - 1;
    return false;
  }
  if (j == 2) {
    *i = skip_newlines(s, n, *i);
    if (*i == n || s[*i] != '=') {
      *bad_at = *i == n ? n : *i - 1;
      return false;
    }
    (*i)++;
  }
  *i = skip_newlines(s, n, *i);
  if (*i < n) {
    *bad_at = *i;
    return false;
  }
  return true;
}

/* One quantum of up to four sextets from s + *i: the bytes it holds into dst
 * (when not NULL), their count into *got; false with *bad_at on bad input. */
static bool decode_quantum(const char *s, size_t n, size_t *i, unsigned char *dst, size_t *got,
                           size_t *bad_at) {
  uint32_t v = 0;
  int j = 0;
  *got = 0;
  while (j < 4) {
    if (*i == n) {
      if (j == 0)
        return true;
      *bad_at = *i - (size_t)j;
      return false;
    }
    char c = s[(*i)++];
    int x = sextet((unsigned char)c);
    if (x >= 0) {
      v |= (uint32_t)x << (18 - 6 * j++);
    } else if (!newline(c)) {
      if (c != '=') {
        *bad_at = *i - 1;
        return false;
      }
      if (!padding_ok(s, n, i, j, bad_at))
        return false;
      break;
    }
  }
  *got = (size_t)j - 1;
  for (size_t k = 0; dst && k < *got; k++)
    dst[k] = (unsigned char)(v >> (16 - 8 * k));
  return true;
}

int tug_base64_decode(const char *s, size_t n, unsigned char **out, size_t *len, size_t *bad_at) {
  unsigned char *buf = NULL;
  if (out && (buf = malloc(n / 4 * 3 + 4)) == NULL) {
    *bad_at = n + 1;
    return -1;
  }
  size_t i = 0, total = 0, got;
  while (i < n) {
    if (!decode_quantum(s, n, &i, buf ? buf + total : NULL, &got, bad_at)) {
      free(buf);
      return -1;
    }
    total += got;
  }
  if (buf)
    buf[total] = '\0';
  if (out)
    *out = buf;
  *len = total;
  return 0;
}

char *tug_base64url_encode(const void *s, size_t n) {
  char *out = tug_base64_encode(s, n);
  if (out == NULL)
    return NULL;
  char *end = strchr(out, '=');
  if (end)
    *end = '\0';
  for (char *c = out; *c; c++)
    *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
  return out;
}

int tug_base64url_decode(const char *s, size_t n, unsigned char **out, size_t *len) {
  if (n % 4 == 1)
    return -1;
  char *std = malloc(n + 3);
  if (std == NULL)
    return -1;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '+' || c == '/' || c == '=' || sextet((unsigned char)c) < 0) {
      if (c != '-' && c != '_') {
        free(std);
        return -1;
      }
    }
    std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  size_t padded = n;
  while (padded % 4)
    std[padded++] = '=';
  size_t bad_at;
  int rc = tug_base64_decode(std, padded, out, len, &bad_at);
  free(std);
  return rc;
}
