/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Base64 encoding and decoding (RFC 4648).
 *
 * The decoder is lenient in what it accepts from a peer (either
 * alphabet, padding or none) but strict about structure: padding only at
 * the end and never more than two, no stray characters, and no final
 * group of a single character, which could not carry a whole byte.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode (const void *data, size_t len)
{
    const unsigned char *in = data;
    char *out, *p;
    size_t i;

    if (!data && len > 0) {
        errno = EINVAL;
        return NULL;
    }
    if (len >= SIZE_MAX / 2) {
        errno = EOVERFLOW;
        return NULL;
    }
    if (!(out = malloc ((len + 2) / 3 * 4 + 1)))
        return NULL;
    p = out;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *p++ = alphabet[(v >> 18) & 63];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = alphabet[(v >> 6) & 63];
        *p++ = alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        *p++ = alphabet[(v >> 18) & 63];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        *p++ = '=';
    }
    *p = '\0';
    return out;
}

static int sextet (unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

void *base64_decode (const char *s, size_t *len)
{
    size_t n, pad = 0, o = 0;
    unsigned char *out;
    uint32_t acc = 0;
    int bits = 0;

    if (!s || !len) {
        errno = EINVAL;
        return NULL;
    }
    n = strlen (s);
    while (n > 0 && s[n - 1] == '=') {
        n--;
        pad++;
    }
    if (pad > 2 || (pad > 0 && (n + pad) % 4 != 0) || n % 4 == 1) {
        errno = EPROTO;
        return NULL;
    }
    if (!(out = malloc (n / 4 * 3 + 3)))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int v = sextet ((unsigned char)s[i]);
        if (v < 0) {
            free (out);
            errno = EPROTO;
            return NULL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (acc >> bits) & 0xff;
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}
