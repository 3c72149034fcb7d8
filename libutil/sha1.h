/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* SHA-1 (FIPS 180-4), for the blobrefs of RFC 10/11: "sha1-" followed by
 * the 40 hex digits of the digest of a blob.  The KVS client needs one
 * to name the empty directory a new namespace starts from.
 */
#ifndef FLUX_UTIL_SHA1_H
#define FLUX_UTIL_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_SIZE 20

/* Digest of len bytes at data into digest. */
void sha1_digest (const void *data, size_t len,
                  uint8_t digest[SHA1_DIGEST_SIZE]);

/* "sha1-<hex>" of len bytes at data, written to buf (at least
 * SHA1_BLOBREF_SIZE bytes, NUL included).
 */
#define SHA1_BLOBREF_SIZE (5 + 2 * SHA1_DIGEST_SIZE + 1)
void sha1_blobref (const void *data, size_t len, char *buf);

#endif /* !FLUX_UTIL_SHA1_H */
