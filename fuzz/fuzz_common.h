/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Checks shared by the fuzz targets (fuzz/README in doc/fuzzing.md).
 *
 * A target reports a broken invariant with check_fail(), which prints
 * what went wrong and aborts: libFuzzer then saves the input as a crash
 * artifact, exactly as for a memory error found by AddressSanitizer.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flux/message.h"

#define check(cond) \
    do { \
        if (!(cond)) \
            check_fail (__FILE__, __LINE__, #cond); \
    } while (0)

static inline void check_fail (const char *file, int line, const char *what)
{
    fprintf (stderr, "%s:%d: invariant broken: %s (errno %d: %s)\n",
             file, line, what, errno, strerror (errno));
    abort ();
}

/* The encoding of msg in a new buffer (*size set); aborts on failure,
 * since every message the decoder built must be encodable.
 */
static inline uint8_t *encode_or_die (const flux_msg_t *msg, size_t *size)
{
    ssize_t n = flux_msg_encode_size (msg);
    uint8_t *buf;

    check (n > 0);
    check ((buf = malloc (n)) != NULL);
    check (flux_msg_encode (msg, buf, n) == 0);
    *size = n;
    return buf;
}

#endif /* !FUZZ_COMMON_H */

// vi:ts=4 sw=4 expandtab
