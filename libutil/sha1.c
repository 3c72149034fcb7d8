/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* SHA-1, one shot: the message is processed in 64-byte blocks, the last
 * one or two built with the padding (0x80, zeros, the length in bits
 * as a big-endian 64-bit number).
 */
#include <string.h>

#include "sha1.h"

static uint32_t rol (uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block (uint32_t h[5], const uint8_t *p)
{
    uint32_t w[80];
    uint32_t a, b, c, d, e;

    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16
               | (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 80; t++)
        w[t] = rol (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    a = h[0];
    b = h[1];
    c = h[2];
    d = h[3];
    e = h[4];
    for (int t = 0; t < 80; t++) {
        uint32_t f, k, tmp;

        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        }
        else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        }
        else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        }
        else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        tmp = rol (a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rol (b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void sha1_digest (const void *data, size_t len,
                  uint8_t digest[SHA1_DIGEST_SIZE])
{
    uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
                      0xc3d2e1f0 };
    const uint8_t *p = data;
    uint8_t tail[128];
    size_t full = len - len % 64;
    size_t rest = len % 64;
    size_t tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;

    for (size_t off = 0; off < full; off += 64)
        sha1_block (h, p + off);
    memset (tail, 0, sizeof (tail));
    if (rest)
        memcpy (tail, p + full, rest);
    tail[rest] = 0x80;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < tail_len; off += 64)
        sha1_block (h, tail + off);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}

void sha1_blobref (const void *data, size_t len, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t digest[SHA1_DIGEST_SIZE];

    sha1_digest (data, len, digest);
    memcpy (buf, "sha1-", 5);
    for (int i = 0; i < SHA1_DIGEST_SIZE; i++) {
        buf[5 + 2 * i] = hex[digest[i] >> 4];
        buf[5 + 2 * i + 1] = hex[digest[i] & 0xf];
    }
    buf[5 + 2 * SHA1_DIGEST_SIZE] = '\0';
}
