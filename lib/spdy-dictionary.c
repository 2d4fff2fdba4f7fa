/*
 * spdy-dictionary.c — the zlib dictionary of SPDY/3 header blocks (the
 * protocol's draft 3, section 2.6.10.1): both ends prime their compressors
 * with it, so these bytes must be exact. Mostly length-prefixed header names
 * and common values, then a run of common text.
 */
#include "spdy.h"

const unsigned char tug_spdy_dictionary[] =
  "\x00\x00\x00\x07options\x00\x00\x00\x04head\x00\x00\x00\x04post\x00\x00\x00\x03put\x00\x00"
  "\x00\x06" "delete\x00\x00\x00\x05trace\x00\x00\x00\x06" "accept\x00\x00\x00\x0e" "accept-char"
  "set\x00\x00\x00\x0f" "accept-encoding\x00\x00\x00\x0f" "accept-language\x00\x00\x00\x0d" "acc"
  "ept-ranges\x00\x00\x00\x03" "age\x00\x00\x00\x05" "allow\x00\x00\x00\x0d" "authorization\x00"
  "\x00\x00\x0d" "cache-control\x00\x00\x00\x0a" "connection\x00\x00\x00\x0c" "content-base\x00"
  "\x00\x00\x10" "content-encoding\x00\x00\x00\x10" "content-language\x00\x00\x00\x0e" "content-"
  "length\x00\x00\x00\x10" "content-location\x00\x00\x00\x0b" "content-md5\x00\x00\x00\x0d" "con"
  "tent-range\x00\x00\x00\x0c" "content-type\x00\x00\x00\x04" "date\x00\x00\x00\x04" "etag\x00"
  "\x00\x00\x06" "expect\x00\x00\x00\x07" "expires\x00\x00\x00\x04" "from\x00\x00\x00\x04host"
  "\x00\x00\x00\x08if-match\x00\x00\x00\x11if-modified-since\x00\x00\x00\x0dif-none-match\x00"
  "\x00\x00\x08if-range\x00\x00\x00\x13if-unmodified-since\x00\x00\x00\x0dlast-modified\x00\x00"
  "\x00\x08location\x00\x00\x00\x0cmax-forwards\x00\x00\x00\x06pragma\x00\x00\x00\x12proxy-authe"
  "nticate\x00\x00\x00\x13proxy-authorization\x00\x00\x00\x05range\x00\x00\x00\x07referer\x00"
  "\x00\x00\x0bretry-after\x00\x00\x00\x06server\x00\x00\x00\x02te\x00\x00\x00\x07trailer\x00"
  "\x00\x00\x11transfer-encoding\x00\x00\x00\x07upgrade\x00\x00\x00\x0auser-agent\x00\x00\x00"
  "\x04vary\x00\x00\x00\x03via\x00\x00\x00\x07warning\x00\x00\x00\x10www-authenticate\x00\x00"
  "\x00\x06method\x00\x00\x00\x03get\x00\x00\x00\x06status\x00\x00\x00\x06" "200 OK\x00\x00\x00"
  "\x07version\x00\x00\x00\x08HTTP/1.1\x00\x00\x00\x03url\x00\x00\x00\x06public\x00\x00\x00\x0as"
  "et-cookie\x00\x00\x00\x0akeep-alive\x00\x00\x00\x06origin100101201202205206300302303304305306"
  "307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No"
  " Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Int"
  "ernal Server Error501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug S"
  "ept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,im"
  "age/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,publicpriv"
  "atemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

const size_t tug_spdy_dictionary_len = sizeof tug_spdy_dictionary - 1;
