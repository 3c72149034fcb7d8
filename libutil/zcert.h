/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* CURVE certificates in the file format flux-core's `flux keygen` writes
 * (CZMQ's zcert ZPL), so that one certificate serves both:
 *
 *   #  ZeroMQ CURVE **Secret** Certificate
 *   #  DO NOT DISTRIBUTE
 *
 *   metadata
 *       name = "NAME"
 *       keygen.hostname = "HOST"
 *   curve
 *       public-key = "Z85 (40 characters)"
 *       secret-key = "Z85"
 *
 * Section names are unindented, their key = "value" lines indented;
 * '#' lines and blank lines are skipped.
 */
#ifndef LIBUTIL_ZCERT_H
#define LIBUTIL_ZCERT_H

#include <stddef.h>
#include <jansson.h>
#include <flux/types.h>

enum { ZCERT_KEY_LEN = 41 };    /* Z85 key and its NUL */

/* Write a secret certificate to 'path', mode 0600 (created or truncated),
 * its metadata the string members of 'meta' (may be NULL).  Returns 0,
 * or -1 with errno and 'error'.
 */
int zcert_write (const char *path, const char *pubkey, const char *seckey,
                 json_t *meta, flux_error_t *error);

/* Read the keys of the certificate at 'path' (and its metadata name
 * into 'name' of 'size' bytes, "" if none).  Fails with EPERM if group
 * or others may read the file (a secret key), EINVAL if it does not
 * parse; the reason, naming the path, in 'error'.
 */
int zcert_read (const char *path, char *pubkey, char *seckey, char *name,
                size_t size, flux_error_t *error);

#endif /* !LIBUTIL_ZCERT_H */
