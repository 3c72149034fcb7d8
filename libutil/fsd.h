/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* RFC 23 Flux Standard Duration: a non-negative number of seconds with
 * an optional unit, ms, s, m, h or d ("5", "2.5s", "100ms", "1m").
 */
#ifndef LIBUTIL_FSD_H
#define LIBUTIL_FSD_H

/* Returns 0 with *value in seconds, or -1 with errno EINVAL. */
int fsd_parse (const char *s, double *value);

#endif /* !LIBUTIL_FSD_H */
