/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Host names in RFC 29's compressed form, as the hostlist attribute
 * holds them: consecutive names that differ only in a number one apart
 * become PREFIX[LO-HI] ("fake0,fake1,fake2" -> "fake[0-2]"), the others
 * stay as they are, in order, duplicates kept ("vm,vm").
 */
#ifndef LIBUTIL_HOSTLIST_H
#define LIBUTIL_HOSTLIST_H

#include <jansson.h>

/* Encode a JSON array of strings.  Returns a string the caller frees,
 * or NULL with errno (EINVAL: not an array of strings).
 */
char *hostlist_encode (json_t *hosts);

/* Decode RFC 29's forms: comma-separated terms, each a name, or
 * PREFIX[RANGES]SUFFIX where RANGES is a comma-separated list of N or
 * LO-HI; a number written with a leading zero ("08") fixes the width of
 * every number of its range ("node[08-10]": node08 node09 node10).
 * Returns a JSON array of names the caller decrefs, or NULL with errno
 * EINVAL.
 */
json_t *hostlist_decode (const char *s);

#endif /* !LIBUTIL_HOSTLIST_H */
