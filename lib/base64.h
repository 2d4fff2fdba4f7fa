/*
 * base64.h — RFC 4648 standard base64, read and written the way Go's
 * encoding/base64.StdEncoding does, since that is how Kubernetes encodes the
 * bytes of Secret data and ConfigMap binaryData in JSON.
 *
 * Decoding is Go's: '=' padding is required, '\r' and '\n' are skipped
 * anywhere, anything else outside the alphabet is an error at its offset
 * ("illegal base64 data at input byte N").
 */
#ifndef TUG_BASE64_H
#define TUG_BASE64_H

#include <stddef.h>

/* s[0..n) encoded with padding, NUL-terminated and malloc'd; NULL when out of memory. */
char *tug_base64_encode(const void *s, size_t n);

/*
 * Decodes s[0..n). On success returns 0 with the byte count in *len and, when
 * out is not NULL, the bytes in a malloc'd *out (NUL-terminated for
 * convenience). On bad input returns -1 with the offset of the first illegal
 * byte in *bad_at; when out of memory, -1 with *bad_at set to n + 1.
 */
int tug_base64_decode(const char *s, size_t n, unsigned char **out, size_t *len, size_t *bad_at);

/*
 * The URL-safe alphabet of RFC 4648 §5 without padding (base64url, as JSON Web
 * Tokens carry their parts): '-' and '_' for '+' and '/', no '='. Decoding
 * refuses any other byte, padding and newlines included, since a token that
 * differs in them would still verify as the same bytes.
 */
char *tug_base64url_encode(const void *s, size_t n);
/* -1 on bad input or when out of memory; else 0 with a malloc'd, NUL-terminated *out. */
int tug_base64url_decode(const char *s, size_t n, unsigned char **out, size_t *len);

#endif
