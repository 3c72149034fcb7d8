/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Host names in RFC 29's compressed form, as the hostlist attribute
 * holds them: consecutive names that differ only in a number one apart
 * become PREFIX[LO-HI] ("fake0,fake1,fake2" -> "fake[0-2]"), the others
 * stay as they are, in order, duplicates kept ("vm,vm").  libflux's
 * hosts.c reads the form back.
 */
#ifndef LIBUTIL_HOSTLIST_H
#define LIBUTIL_HOSTLIST_H

#include <jansson.h>

/* Encode a JSON array of strings.  Returns a string the caller frees,
 * or NULL with errno (EINVAL: not an array of strings).
 */
char *hostlist_encode (json_t *hosts);

#endif /* !LIBUTIL_HOSTLIST_H */
